package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/jackc/pgx/v5"
)

// InventoryStore is the PostgreSQL [inventory.Store]. Every Apply writes
// the levels, the reservations, the ledger entries (numbered per owner
// without gaps) and the idempotency record together, so a crash leaves
// either all of it or none. It is safe for concurrent use by many
// goroutines and many processes sharing one database.
//
// A single-line reservation (an [inventory.Reserve] of one line) is a
// conditional UPDATE of one level row, sent with its inserts as a single
// statement and combined with the owner's other single-line reservations
// of the moment (see the package documentation); it takes the general path
// below when its row cannot serve it, so its result, errors included, is
// [inventory.Compute]'s. Every other Txn locks the rows of its levels in
// [inventory.Key.Compare] order, then its serial numbers, counts the serial
// numbers at the levels whose units it lowers or whose serial numbers it
// adds to (see [inventory.SerialCountError]), then locks the owner's ledger
// sequence, and saves [inventory.Compute]'s outcome.
//
// The ledger, closed reservations and idempotency records grow with every
// operation until [InventoryStore.TrimLedger] and [InventoryStore.Prune]
// drop them ([inventory.LedgerTrimmer], [inventory.Pruner]); what the
// trims drop is kept as the owner's checkpoint
// ([InventoryStore.LedgerCheckpoint], [inventory.Checkpointer]).
//
// The receipt of a reservation on a split level reports the level as the
// sum of its sub-rows at the statement's start plus the reservations before
// it in the same statement: exact when nothing else changes the level at
// that moment, and otherwise a level some serial order could have produced
// for the other sub-rows.
type InventoryStore struct {
	db     *DB
	shards func(inventory.Key) int

	// split remembers how many sub-rows the levels known to be split have
	// (inventory.Key -> int), so that single-line reservations of one level
	// can run side by side on different sub-rows.
	split sync.Map

	// combiners batch the single-line reservations of each owner
	// (fulfill.OwnerID -> *combiner).
	combiners sync.Map

	// trimBatch and pruneBatch are how many rows one transaction of
	// TrimLedger and one statement of Prune delete: defaultTrimBatch and
	// defaultPruneBatch, lowered by tests.
	trimBatch, pruneBatch int
}

var (
	_ inventory.Store         = (*InventoryStore)(nil)
	_ inventory.Sweeper       = (*InventoryStore)(nil)
	_ inventory.SerialStore   = (*InventoryStore)(nil)
	_ inventory.LedgerTrimmer = (*InventoryStore)(nil)
	_ inventory.Checkpointer  = (*InventoryStore)(nil)
	_ inventory.Pruner        = (*InventoryStore)(nil)
)

// InventoryOptions configure an [InventoryStore]. The zero
// InventoryOptions (or nil) means the defaults below.
type InventoryOptions struct {
	// Shards, if not nil, gives the number of sub-rows a level is created
	// with (see [InventoryStore.Split]), for SKUs known to be hot; results
	// below 2 mean one row, results above [MaxShards] mean MaxShards. If
	// nil, every level is created as one row.
	Shards func(inventory.Key) int
}

// NewInventoryStore returns the inventory store over db. Run [DB.Migrate]
// once before using it. If opts is nil, defaults apply.
func NewInventoryStore(db *DB, opts *InventoryOptions) *InventoryStore {
	s := &InventoryStore{db: db, trimBatch: defaultTrimBatch, pruneBatch: defaultPruneBatch}
	if opts != nil {
		s.shards = opts.Shards
	}
	return s
}

// noteShards remembers that the level k has n sub-rows.
func (s *InventoryStore) noteShards(k inventory.Key, n int) {
	if n > 1 {
		s.split.Store(k, n)
	} else {
		s.split.Delete(k)
	}
}

// MaxShards is the most sub-rows [InventoryStore.Split] spreads a level over.
const MaxShards = 256

// levelCols are the columns of a level row after its key.
const levelCols = `on_hand, reserved, committed, damaged, quarantine, safety, incoming, in_transit, version, expires_ns, received_ns, updated_ns`

// levelRow is one stored sub-row of a level.
type levelRow struct {
	key      inventory.Key
	shard    int
	b        inventory.Buckets
	version  int64
	expires  *int64
	received *int64
	updated  *int64
	fresh    bool // not stored yet
}

// scanTargets returns the scan targets of levelCols.
func (r *levelRow) scanTargets() []any {
	return []any{&r.b.OnHand, &r.b.Reserved, &r.b.Committed, &r.b.Damaged, &r.b.Quarantine,
		&r.b.Safety, &r.b.Incoming, &r.b.InTransit, &r.version, &r.expires, &r.received, &r.updated}
}

// sum returns the level made of its sub-rows, and whether it exists.
func sum(k inventory.Key, rows []levelRow) (inventory.Level, bool) {
	l := inventory.Level{Key: k}
	for i, r := range rows {
		b, err := l.Buckets.Add(r.b)
		if err == nil {
			l.Buckets = b
		}
		l.Version += r.version
		if i == 0 {
			l.Expires, l.Received = timeOf(r.expires), timeOf(r.received)
		}
		if u := timeOf(r.updated); u.After(l.Updated) {
			l.Updated = u
		}
	}
	return l, l.Version > 0
}

// Apply applies t atomically; see [inventory.Store].
func (s *InventoryStore) Apply(ctx context.Context, t *inventory.Txn) (*inventory.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t == nil {
		return nil, &fulfill.FieldError{Field: "txn", Reason: "required", Kind: inventory.ErrInvalid}
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if fastEligible(t) {
		r, err := s.fastReserve(ctx, t)
		if err != nil || r != nil {
			return r, err
		}
	}
	return s.general(ctx, t)
}

// fastEligible reports whether t is a single-line reservation.
func fastEligible(t *inventory.Txn) bool {
	return t.Kind == inventory.KindReserve && len(t.Holds) == 1 && len(t.Changes) == 0 &&
		len(t.Steps) == 0 && len(t.Touch) == 0
}

// patchLevel completes the receipt of a single-line reservation with the
// level after it and the availability event.
func patchLevel(r *inventory.Receipt, lr levelRow) {
	l := &r.Levels[0]
	l.Buckets, l.Version = lr.b, lr.version
	l.Expires, l.Received = timeOf(lr.expires), timeOf(lr.received)
	e := r.Entries[0]
	after := l.Available()
	r.Events = []inventory.AvailabilityChanged{{Key: l.Key, Before: after + e.Delta.Reserved, After: after, At: e.At}}
}

// errSerialRace reports that another transaction put a serial number in
// stock that this one read as absent; the caller runs it again.
var errSerialRace = errors.New("postgres: serial number stocked concurrently")

// errIdemRace reports that another transaction recorded the same
// idempotency key first; the caller reads that record.
var errIdemRace = errors.New("postgres: idempotency key recorded concurrently")

// general applies t by locking its levels and running inventory.Compute.
func (s *InventoryStore) general(ctx context.Context, t *inventory.Txn) (*inventory.Receipt, error) {
	for range 3 {
		var r *inventory.Receipt
		err := s.db.inTx(ctx, func(tx pgx.Tx) error {
			var err error
			r, err = s.applyTx(ctx, tx, t)
			return err
		})
		if errors.Is(err, errSerialRace) {
			continue // read the serial numbers again: Compute reports the duplicate
		}
		if errors.Is(err, errIdemRace) {
			var rec *idemRecord
			err = s.db.run(ctx, func(c *pgx.Conn) error {
				var err error
				rec, err = readIdem(ctx, c, t.Owner, t.IdempotencyKey)
				return err
			})
			if err != nil {
				return nil, err
			}
			if rec == nil {
				continue // the other attempt rolled back after all
			}
			return rec.replay(t)
		}
		return r, err
	}
	return nil, fmt.Errorf("postgres: idempotency key %q of owner %q: recorded and rolled back concurrently too many times", t.IdempotencyKey, t.Owner)
}

// idemRecord is a stored idempotency record.
type idemRecord struct {
	fingerprint string
	receipt     []byte
	seq0        *int64
	level       []byte
}

// idemSQL reads an idempotency record.
const idemSQL = `SELECT fingerprint, receipt, seq0, level FROM inventory_idempotency WHERE owner = $1 AND key = $2`

// readIdem returns the record of key, or nil.
func readIdem(ctx context.Context, c *pgx.Conn, owner fulfill.OwnerID, key string) (*idemRecord, error) {
	return scanIdem(c.QueryRow(ctx, idemSQL, string(owner), key))
}

// scanIdem scans a row of idemSQL; no row is a nil record.
func scanIdem(row pgx.Row) (*idemRecord, error) {
	var rec idemRecord
	err := row.Scan(&rec.fingerprint, &rec.receipt, &rec.seq0, &rec.level)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// replay returns the stored receipt for a retry of t, or an
// *inventory.IdempotencyConflictError if t's payload differs.
func (rec *idemRecord) replay(t *inventory.Txn) (*inventory.Receipt, error) {
	if rec.fingerprint != t.Fingerprint {
		return nil, &inventory.IdempotencyConflictError{Owner: t.Owner, Key: t.IdempotencyKey}
	}
	var r inventory.Receipt
	if err := json.Unmarshal(rec.receipt, &r); err != nil {
		return nil, corrupt("idempotency receipt", err)
	}
	if rec.seq0 != nil {
		for i := range r.Entries {
			r.Entries[i].Seq = *rec.seq0 + int64(i)
		}
	}
	if rec.level != nil {
		var v []*int64
		if err := json.Unmarshal(rec.level, &v); err != nil || len(v) != 11 || len(r.Levels) != 1 || len(r.Entries) != 1 {
			return nil, corrupt("idempotency level", err)
		}
		var lr levelRow
		for i, p := range []*int64{&lr.b.OnHand, &lr.b.Reserved, &lr.b.Committed, &lr.b.Damaged,
			&lr.b.Quarantine, &lr.b.Safety, &lr.b.Incoming, &lr.b.InTransit, &lr.version} {
			if v[i] == nil {
				return nil, corrupt("idempotency level", errors.New("null quantity"))
			}
			*p = *v[i]
		}
		lr.expires, lr.received = v[9], v[10]
		patchLevel(&r, lr)
	}
	r.Replayed = true
	return &r, nil
}

// keyArrays returns the owner-less columns of keys as parallel arrays.
func keyArrays(keys []inventory.Key) (skus, locs, lots []string) {
	skus, locs, lots = make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		skus[i], locs[i], lots[i] = string(k.SKU), string(k.Location), string(k.Lot)
	}
	return skus, locs, lots
}

// resCols are the columns of a reservation row.
const resCols = `id, sku, location, lot, reserved, committed, ref_type, ref_id, ref_order, line, expires_ns, created_ns, version`

// scanReservation scans a row of resCols.
func scanReservation(owner fulfill.OwnerID, row pgx.Row) (inventory.Reservation, error) {
	var (
		r                     inventory.Reservation
		sku, loc, lot         string
		rtyp, rid, rord, line string
		exp                   *int64
		created               int64
	)
	if err := row.Scan(&r.ID, &sku, &loc, &lot, &r.Reserved, &r.Committed, &rtyp, &rid, &rord, &line, &exp, &created, &r.Version); err != nil {
		return r, err
	}
	r.Key = inventory.Key{Owner: owner, SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc), Lot: inventory.LotID(lot)}
	r.Line = line
	r.ExpiresAt = timeOf(exp)
	r.Created = timeOf(&created)
	ref, err := refOf(rtyp, rid, rord)
	r.Ref = ref
	return r, err
}

// applyTx runs the general path of t inside tx.
func (s *InventoryStore) applyTx(ctx context.Context, tx pgx.Tx, t *inventory.Txn) (*inventory.Receipt, error) {
	owner := string(t.Owner)
	at, err := nsOf("at", t.At, inventory.ErrInvalid)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, h := range t.Holds {
		ids = append(ids, h.ID)
	}
	for _, st := range t.Steps {
		ids = append(ids, st.Reservation)
	}
	// The keys of the reservations the steps name: a reservation never
	// changes level, so reading them unlocked is enough.
	resKey := map[string]inventory.Key{}
	if len(t.Steps) > 0 {
		rows, _ := tx.Query(ctx, `SELECT id, sku, location, lot FROM inventory_reservations WHERE owner = $1 AND id = ANY($2)`, owner, ids)
		var id, sku, loc, lot string
		_, err := pgx.ForEachRow(rows, []any{&id, &sku, &loc, &lot}, func() error {
			resKey[id] = inventory.Key{Owner: t.Owner, SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc), Lot: inventory.LotID(lot)}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	keys := t.Keys(func(id string) (inventory.Key, bool) { k, ok := resKey[id]; return k, ok })
	skus, locs, lots := keyArrays(keys)

	// Lock every sub-row of every level in key order, then read the
	// idempotency record and the reservations Compute needs.
	b := &pgx.Batch{}
	b.Queue(`SELECT k.ord, l.shard, l.`+strings.ReplaceAll(levelCols, ", ", ", l.")+`
		FROM inventory_levels l
		JOIN unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(sku, location, lot, ord)
			ON l.owner = $1 AND l.sku = k.sku AND l.location = k.location AND l.lot = k.lot
		ORDER BY k.ord, l.shard
		FOR UPDATE OF l`, owner, skus, locs, lots)
	b.Queue(`SELECT `+resCols+` FROM inventory_reservations r
		WHERE r.owner = $1 AND (r.id = ANY($2) OR (r.reserved > 0 AND r.expires_ns IS NOT NULL AND EXISTS (
			SELECT 1 FROM unnest($3::text[], $4::text[], $5::text[]) AS k(sku, location, lot)
			WHERE k.sku = r.sku AND k.location = r.location AND k.lot = r.lot)))`, owner, ids, skus, locs, lots)
	serialIDs := t.SerialIDs(func(id string) (inventory.Key, bool) { k, ok := resKey[id]; return k, ok })
	if len(serialIDs) > 0 {
		ss, ns := make([]string, len(serialIDs)), make([]string, len(serialIDs))
		for i, id := range serialIDs {
			ss[i], ns[i] = string(id.SKU), id.Serial
		}
		b.Queue(`SELECT s.sku, s.serial, s.location, s.lot FROM inventory_serials s
			JOIN unnest($2::text[], $3::text[]) AS k(sku, serial) ON s.owner = $1 AND s.sku = k.sku AND s.serial = k.serial
			ORDER BY s.sku, s.serial
			FOR UPDATE OF s`, owner, ss, ns)
	}
	// The serial numbers at the levels Compute counts them on. Every Txn
	// that moves serial numbers to or from a level locks the level's rows
	// (the level is among its Keys), so counting after the locks is exact.
	countKeys := t.SerialLevels(func(id string) (inventory.Key, bool) { k, ok := resKey[id]; return k, ok })
	if len(countKeys) > 0 {
		cs, cl, clot := keyArrays(countKeys)
		b.Queue(`SELECT k.ord, COUNT(*) FROM inventory_serials s
			JOIN unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(sku, location, lot, ord)
				ON s.owner = $1 AND s.sku = k.sku AND s.location = k.location AND s.lot = k.lot
			GROUP BY k.ord`, owner, cs, cl, clot)
	}
	if t.IdempotencyKey != "" {
		b.Queue(idemSQL, owner, t.IdempotencyKey)
	}
	br := tx.SendBatch(ctx, b)
	rowsByKey := make(map[inventory.Key][]levelRow, len(keys))
	rows, err := br.Query()
	if err == nil {
		var ord int64
		var lr levelRow
		_, err = pgx.ForEachRow(rows, append([]any{&ord, &lr.shard}, lr.scanTargets()...), func() error {
			if ord < 1 || int(ord) > len(keys) {
				return corrupt("level lock", errors.New("ordinal out of range"))
			}
			lr.key = keys[ord-1]
			rowsByKey[lr.key] = append(rowsByKey[lr.key], lr)
			return nil
		})
	}
	st := inventory.State{Levels: map[inventory.Key]inventory.Level{}, Reservations: map[string]inventory.Reservation{}}
	if err == nil {
		rows, err = br.Query()
		if err == nil {
			for rows.Next() {
				var r inventory.Reservation
				if r, err = scanReservation(t.Owner, rows); err != nil {
					break
				}
				st.Reservations[r.ID] = r
			}
			rows.Close()
			if err == nil {
				err = rows.Err()
			}
		}
	}
	if err == nil && len(serialIDs) > 0 {
		st.Serials = map[inventory.SerialID]inventory.Key{}
		rows, err = br.Query()
		if err == nil {
			var sku, serial, loc, lot string
			_, err = pgx.ForEachRow(rows, []any{&sku, &serial, &loc, &lot}, func() error {
				st.Serials[inventory.SerialID{Owner: t.Owner, SKU: fulfill.SKU(sku), Serial: serial}] =
					inventory.Key{Owner: t.Owner, SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc), Lot: inventory.LotID(lot)}
				return nil
			})
		}
	}
	if err == nil && len(countKeys) > 0 {
		st.SerialCounts = map[inventory.Key]int64{}
		rows, err = br.Query()
		if err == nil {
			var ord, n int64
			_, err = pgx.ForEachRow(rows, []any{&ord, &n}, func() error {
				if ord < 1 || int(ord) > len(countKeys) {
					return corrupt("serial count", errors.New("ordinal out of range"))
				}
				st.SerialCounts[countKeys[ord-1]] = n
				return nil
			})
		}
	}
	var rec *idemRecord
	if err == nil && t.IdempotencyKey != "" {
		rec, err = scanIdem(br.QueryRow())
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if rec != nil {
		return rec.replay(t)
	}
	for k, rs := range rowsByKey {
		s.noteShards(k, len(rs))
		if l, ok := sum(k, rs); ok {
			st.Levels[k] = l
		}
	}
	out, err := inventory.Compute(t, st)
	if err != nil {
		return nil, err
	}

	// Save: levels, reservations, then the owner's sequence and ledger,
	// then the idempotency record.
	b = &pgx.Batch{}
	for _, l := range out.Levels {
		rows := rowsByKey[l.Key]
		if len(rows) == 0 && s.shards != nil {
			if n := min(s.shards(l.Key), MaxShards); n > 1 {
				for i := range n {
					rows = append(rows, levelRow{key: l.Key, shard: i, fresh: true})
				}
				s.split.Store(l.Key, n)
			}
		}
		if err := queueLevel(b, l, rows, *at); err != nil {
			return nil, err
		}
	}
	newHold := map[int]inventory.Reservation{} // batch index of each insert
	for _, r := range out.Reservations {
		if _, ok := st.Reservations[r.ID]; ok {
			rt, rid, rord := refCols(r.Ref) // a commit may re-point a reservation, and give it a line
			// A reservation this Txn closes is dated for Prune.
			b.Queue(`UPDATE inventory_reservations SET reserved = $3, committed = $4, version = $5,
				ref_type = $6, ref_id = $7, ref_order = $8, line = $9, closed_ns = $10 WHERE owner = $1 AND id = $2`,
				owner, r.ID, r.Reserved, r.Committed, r.Version, rt, rid, rord, r.Line, closedNs(r, at))
			continue
		}
		exp, err := nsOf("expires_at", r.ExpiresAt, inventory.ErrInvalid)
		if err != nil {
			return nil, err
		}
		rt, rid, rord := refCols(r.Ref)
		newHold[b.Len()] = r
		b.Queue(`INSERT INTO inventory_reservations (owner, id, sku, location, lot, reserved, committed,
			ref_type, ref_id, ref_order, line, expires_ns, created_ns, version, closed_ns)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			owner, r.ID, string(r.Key.SKU), string(r.Key.Location), string(r.Key.Lot), r.Reserved, r.Committed,
			rt, rid, rord, r.Line, exp, *at, r.Version, closedNs(r, at))
	}
	newSerial := map[int]bool{} // batch index of each insert
	for _, sr := range out.Serials {
		_, stocked := st.Serials[sr.SerialID]
		switch {
		case sr.Key == (inventory.Key{}):
			b.Queue(`DELETE FROM inventory_serials WHERE owner = $1 AND sku = $2 AND serial = $3`, owner, string(sr.SKU), sr.Serial)
		case stocked:
			b.Queue(`UPDATE inventory_serials SET location = $4, lot = $5, updated_ns = $6 WHERE owner = $1 AND sku = $2 AND serial = $3`,
				owner, string(sr.SKU), sr.Serial, string(sr.Key.Location), string(sr.Key.Lot), *at)
		default:
			newSerial[b.Len()] = true
			b.Queue(`INSERT INTO inventory_serials (owner, sku, serial, location, lot, updated_ns) VALUES ($1, $2, $3, $4, $5, $6)`,
				owner, string(sr.SKU), sr.Serial, string(sr.Key.Location), string(sr.Key.Lot), *at)
		}
	}
	n := int64(len(out.Entries))
	seqIdx := -1
	const seqOf = `(SELECT seq FROM inventory_owners WHERE owner = $1)`
	if n > 0 {
		seqIdx = b.Len()
		b.Queue(`INSERT INTO inventory_owners (owner, seq) VALUES ($1, $2)
			ON CONFLICT (owner) DO UPDATE SET seq = inventory_owners.seq + $2 RETURNING seq`, owner, n)
		for i, e := range out.Entries {
			ens, err := nsOf("at", e.At, inventory.ErrInvalid)
			if err != nil {
				return nil, err
			}
			due, err := nsOf("due", e.Due, inventory.ErrInvalid)
			if err != nil {
				return nil, err
			}
			et, eid, eord := refCols(e.Ref)
			d := e.Delta
			b.Queue(`INSERT INTO inventory_ledger (owner, seq, at_ns, sku, location, lot, kind, reason,
				ref_type, ref_id, ref_order, reservation, idempotency_key,
				d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine, d_safety, d_incoming, d_in_transit,
				due_ns, serials)
				VALUES ($1, `+seqOf+` - $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
				owner, n-1-int64(i), *ens, string(e.Key.SKU), string(e.Key.Location), string(e.Key.Lot),
				string(e.Kind), string(e.Reason), et, eid, eord, e.Reservation, e.IdempotencyKey,
				d.OnHand, d.Reserved, d.Committed, d.Damaged, d.Quarantine, d.Safety, d.Incoming, d.InTransit,
				due, e.Serials)
		}
	}
	r := &inventory.Receipt{Entries: out.Entries, Levels: out.Levels, Reservations: out.Reservations, Events: out.Events, Serials: out.Serials}
	idemIdx := -1
	if t.IdempotencyKey != "" {
		js, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		idemIdx = b.Len()
		b.Queue(`INSERT INTO inventory_idempotency (owner, key, fingerprint, receipt, seq0, at_ns)
			VALUES ($1, $2, $3, $4::jsonb, CASE WHEN $5::bigint > 0 THEN `+seqOf+` - $5 + 1 END, $6)`,
			owner, t.IdempotencyKey, t.Fingerprint, string(js), n, *at)
	}
	br = tx.SendBatch(ctx, b)
	var last int64
	for i := range b.Len() {
		var err error
		if i == seqIdx {
			err = br.QueryRow().Scan(&last)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			br.Close()
			if sqlState(err) == codeUniqueViolation {
				if h, ok := newHold[i]; ok {
					return nil, &inventory.ConflictError{Key: h.Key, Field: "reservation " + h.ID + " exists", Expected: 0, Actual: 1}
				}
				if i == idemIdx {
					return nil, errIdemRace
				}
				if newSerial[i] {
					return nil, errSerialRace
				}
			}
			return nil, err
		}
	}
	if err := br.Close(); err != nil {
		return nil, err
	}
	for i := range r.Entries {
		r.Entries[i].Seq = last - n + 1 + int64(i)
	}
	return r, nil
}

// closedNs returns the date stored with r in closed_ns: at if r is closed,
// nil while it is live.
func closedNs(r inventory.Reservation, at *int64) *int64 {
	if r.Live() {
		return nil
	}
	return at
}

// queueLevel queues the writes that store l over its current sub-rows.
func queueLevel(b *pgx.Batch, l inventory.Level, rows []levelRow, at int64) error {
	exp, err := nsOf("expires", l.Expires, inventory.ErrInvalid)
	if err != nil {
		return err
	}
	rec, err := nsOf("received", l.Received, inventory.ErrInvalid)
	if err != nil {
		return err
	}
	owner, sku, loc, lot := string(l.Owner), string(l.SKU), string(l.Location), string(l.Lot)
	if len(rows) == 0 {
		b.Queue(`INSERT INTO inventory_levels (owner, sku, location, lot, shard, `+levelCols+`)
			VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			owner, sku, loc, lot, l.OnHand, l.Reserved, l.Committed, l.Damaged, l.Quarantine, l.Safety,
			l.Incoming, l.InTransit, l.Version, exp, rec, at)
		return nil
	}
	for _, p := range distribute(l, rows) {
		u := &at
		if p.shard != rows[0].shard {
			u = p.updated
		}
		if rows[0].fresh {
			b.Queue(`INSERT INTO inventory_levels (owner, sku, location, lot, shard, `+levelCols+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
				owner, sku, loc, lot, p.shard, p.b.OnHand, p.b.Reserved, p.b.Committed, p.b.Damaged,
				p.b.Quarantine, p.b.Safety, p.b.Incoming, p.b.InTransit, p.version, exp, rec, u)
			continue
		}
		b.Queue(`UPDATE inventory_levels SET on_hand = $6, reserved = $7, committed = $8, damaged = $9,
			quarantine = $10, safety = $11, incoming = $12, in_transit = $13, version = $14,
			expires_ns = $15, received_ns = $16, updated_ns = $17
			WHERE owner = $1 AND sku = $2 AND location = $3 AND lot = $4 AND shard = $5`,
			owner, sku, loc, lot, p.shard, p.b.OnHand, p.b.Reserved, p.b.Committed, p.b.Damaged,
			p.b.Quarantine, p.b.Safety, p.b.Incoming, p.b.InTransit, p.version, exp, rec, u)
	}
	return nil
}

// distribute spreads the level l over the sub-rows rows (sorted by shard,
// at least one): the first holds every unit set aside (reserved,
// committed, damaged, quarantine, safety) and the incoming and in-transit
// units; the available units are shared out evenly, so each sub-row keeps
// the invariant on its own. The versions of the other sub-rows are kept
// and the first makes up the level's version.
func distribute(l inventory.Level, rows []levelRow) []levelRow {
	n := int64(len(rows))
	avail := l.Available()
	out := make([]levelRow, len(rows))
	var others int64
	for i, r := range rows {
		share := avail / n
		if int64(i) < avail%n {
			share++
		}
		p := levelRow{key: l.Key, shard: r.shard, version: r.version, updated: r.updated}
		if i == 0 {
			p.b = l.Buckets
			p.b.OnHand = l.OnHand - avail + share
		} else {
			p.b = inventory.Buckets{OnHand: share}
			others += r.version
		}
		out[i] = p
	}
	out[0].version = l.Version - others
	return out
}

// Split spreads the level k over n sub-rows (1 to [MaxShards]; 1 merges it
// back into one row), so that concurrent single-line reservations of a hot
// SKU update different rows. The level's quantities and version are
// unchanged; no ledger entry is written. A level that does not exist yet is
// prepared empty (it stays invisible until an operation creates it). It is
// safe to call while the level is in use.
func (s *InventoryStore) Split(ctx context.Context, k inventory.Key, n int) error {
	if err := k.Validate(); err != nil {
		return err
	}
	if n < 1 || n > MaxShards {
		return &fulfill.FieldError{Field: "shards", Value: itoa(int64(n)), Reason: "must be 1 to 256", Kind: inventory.ErrInvalid}
	}
	owner, sku, loc, lot := string(k.Owner), string(k.SKU), string(k.Location), string(k.Lot)
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT shard, `+levelCols+` FROM inventory_levels
			WHERE owner = $1 AND sku = $2 AND location = $3 AND lot = $4 ORDER BY shard FOR UPDATE`, owner, sku, loc, lot)
		var cur []levelRow
		var lr levelRow
		if _, err := pgx.ForEachRow(rows, append([]any{&lr.shard}, lr.scanTargets()...), func() error {
			cur = append(cur, lr)
			return nil
		}); err != nil {
			return err
		}
		l, _ := sum(k, cur)
		var exp, rec *int64
		if len(cur) > 0 {
			exp, rec = cur[0].expires, cur[0].received
		}
		// The new sub-rows 0..n-1, keeping the versions of those that stay.
		next := make([]levelRow, n)
		for i := range next {
			next[i] = levelRow{key: k, shard: i}
			for _, c := range cur {
				if c.shard == i {
					next[i].version, next[i].updated = c.version, c.updated
				}
			}
		}
		parts := distribute(l, next)
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM inventory_levels WHERE owner = $1 AND sku = $2 AND location = $3 AND lot = $4 AND shard >= $5`,
			owner, sku, loc, lot, n)
		for _, p := range parts {
			b.Queue(`INSERT INTO inventory_levels (owner, sku, location, lot, shard, `+levelCols+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
				ON CONFLICT (owner, sku, location, lot, shard) DO UPDATE SET
					on_hand = excluded.on_hand, reserved = excluded.reserved, committed = excluded.committed,
					damaged = excluded.damaged, quarantine = excluded.quarantine, safety = excluded.safety,
					incoming = excluded.incoming, in_transit = excluded.in_transit, version = excluded.version`,
				owner, sku, loc, lot, p.shard, p.b.OnHand, p.b.Reserved, p.b.Committed, p.b.Damaged,
				p.b.Quarantine, p.b.Safety, p.b.Incoming, p.b.InTransit, p.version, exp, rec, p.updated)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return err
	}
	s.noteShards(k, n)
	return nil
}

// Shards returns how many sub-rows hold the level k: 0 if it has none, 1
// for a level that is not split.
func (s *InventoryStore) Shards(ctx context.Context, k inventory.Key) (int, error) {
	var n int
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT COUNT(*) FROM inventory_levels WHERE owner = $1 AND sku = $2 AND location = $3 AND lot = $4`,
			string(k.Owner), string(k.SKU), string(k.Location), string(k.Lot)).Scan(&n)
	})
	return n, err
}

// Levels returns the owner's levels matching q; see [inventory.Store]. A
// split level is the sum of its sub-rows.
func (s *InventoryStore) Levels(ctx context.Context, q inventory.LevelQuery) ([]inventory.Level, error) {
	if err := q.Owner.Validate(); err != nil {
		return nil, err
	}
	at, err := nsOf("at", q.At, inventory.ErrInvalid)
	if err != nil {
		return nil, err
	}
	skus, locs := make([]string, len(q.SKUs)), make([]string, len(q.Locations))
	for i, v := range q.SKUs {
		skus[i] = string(v)
	}
	for i, v := range q.Locations {
		locs[i] = string(v)
	}
	var out []inventory.Level
	err = s.db.run(ctx, func(c *pgx.Conn) error {
		out = out[:0]
		rows, _ := c.Query(ctx, `SELECT l.sku, l.location, l.lot,
			SUM(l.on_hand), SUM(l.reserved), SUM(l.committed), SUM(l.damaged), SUM(l.quarantine),
			SUM(l.safety), SUM(l.incoming), SUM(l.in_transit), SUM(l.version),
			MIN(l.expires_ns), MIN(l.received_ns), MAX(l.updated_ns), COUNT(*),
			COALESCE((SELECT SUM(r.reserved) FROM inventory_reservations r
				WHERE r.owner = l.owner AND r.sku = l.sku AND r.location = l.location AND r.lot = l.lot
					AND r.reserved > 0 AND r.expires_ns IS NOT NULL AND r.expires_ns <= $4::bigint), 0)
			FROM inventory_levels l
			WHERE l.owner = $1 AND (cardinality($2::text[]) = 0 OR l.sku = ANY($2))
				AND (cardinality($3::text[]) = 0 OR l.location = ANY($3))
			GROUP BY l.owner, l.sku, l.location, l.lot
			HAVING SUM(l.version) > 0`, string(q.Owner), skus, locs, at)
		var (
			sku, loc, lot string
			lr            levelRow
			n, lapsed     int64
		)
		_, err := pgx.ForEachRow(rows, append(append([]any{&sku, &loc, &lot}, lr.scanTargets()...), &n, &lapsed), func() error {
			k := inventory.Key{Owner: q.Owner, SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc), Lot: inventory.LotID(lot)}
			l := inventory.Level{Key: k, Buckets: lr.b, Version: lr.version, Expires: timeOf(lr.expires),
				Received: timeOf(lr.received), Updated: timeOf(lr.updated)}
			l.Reserved = max(l.Reserved-lapsed, 0)
			s.noteShards(k, int(n))
			out = append(out, l)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b inventory.Level) int { return a.Key.Compare(b.Key) })
	return out, nil
}

// Reservations returns the owner's reservations matching q; see
// [inventory.Store].
func (s *InventoryStore) Reservations(ctx context.Context, q inventory.ReservationQuery) ([]inventory.Reservation, error) {
	if err := q.Owner.Validate(); err != nil {
		return nil, err
	}
	rt, rid, rord := refCols(q.Ref)
	noRef := q.Ref == (inventory.Reference{})
	var out []inventory.Reservation
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		out = out[:0]
		rows, err := c.Query(ctx, `SELECT `+resCols+` FROM inventory_reservations
			WHERE owner = $1 AND ($2 = '' OR id = $2) AND ($3 = '' OR sku = $3)
				AND ($4 OR (ref_type = $5 AND ref_id = $6 AND ref_order = $7))
				AND ($8 OR reserved > 0 OR committed > 0)`,
			string(q.Owner), q.ID, string(q.SKU), noRef, rt, rid, rord, q.IncludeClosed)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReservation(q.Owner, rows)
			if err != nil {
				return err
			}
			if r = r.At(q.At); q.IncludeClosed || r.Live() {
				out = append(out, r)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b inventory.Reservation) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Ledger returns a page of the owner's ledger; see [inventory.Store]. After
// [InventoryStore.TrimLedger], a page starting at or before the last
// dropped entry starts with the first entry kept.
func (s *InventoryStore) Ledger(ctx context.Context, q inventory.LedgerQuery) ([]inventory.Entry, error) {
	if err := q.Owner.Validate(); err != nil {
		return nil, err
	}
	if q.After < 0 || q.Limit < 0 {
		return nil, &fulfill.FieldError{Field: "after", Value: itoa(q.After), Reason: "negative after or limit", Kind: inventory.ErrInvalid}
	}
	limit := int64(q.Limit)
	if limit == 0 {
		limit = -1
	}
	var out []inventory.Entry
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		rows, _ := c.Query(ctx, `SELECT `+entryCols+`
			FROM inventory_ledger WHERE owner = $1 AND seq > $2 ORDER BY seq
			LIMIT CASE WHEN $3::bigint < 0 THEN NULL ELSE $3::bigint END`, string(q.Owner), q.After, limit)
		var err error
		out, err = scanEntries(q.Owner, rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// entryCols are the columns of inventory_ledger that scanEntries reads.
const entryCols = `seq, at_ns, sku, location, lot, kind, reason, ref_type, ref_id, ref_order,
	reservation, idempotency_key, d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine,
	d_safety, d_incoming, d_in_transit, due_ns, serials`

// scanEntries reads the owner's ledger entries from rows of entryCols, in
// the rows' order.
func scanEntries(owner fulfill.OwnerID, rows pgx.Rows) ([]inventory.Entry, error) {
	var (
		out                    []inventory.Entry
		e                      inventory.Entry
		atNs                   int64
		sku, loc, lot          string
		kind, reason           string
		rtyp, rid, rord, resID string
		idem                   string
		due                    *int64
		serials                []string
	)
	d := &e.Delta
	_, err := pgx.ForEachRow(rows, []any{&e.Seq, &atNs, &sku, &loc, &lot, &kind, &reason, &rtyp, &rid, &rord,
		&resID, &idem, &d.OnHand, &d.Reserved, &d.Committed, &d.Damaged, &d.Quarantine, &d.Safety,
		&d.Incoming, &d.InTransit, &due, &serials}, func() error {
		ref, err := refOf(rtyp, rid, rord)
		if err != nil {
			return err
		}
		x := e
		x.At = timeOf(&atNs)
		x.Key = inventory.Key{Owner: owner, SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc), Lot: inventory.LotID(lot)}
		x.Kind, x.Reason, x.Ref = inventory.Kind(kind), inventory.Reason(reason), ref
		x.Reservation, x.IdempotencyKey = resID, idem
		x.Due, x.Serials = timeOf(due), serials
		out = append(out, x)
		return nil
	})
	return out, err
}

// Sweep collects every hold of owner that lapsed at or before at, one level
// at a time, each in its own transaction with its ledger entries, and
// returns how many it collected; see [inventory.Sweeper].
func (s *InventoryStore) Sweep(ctx context.Context, owner fulfill.OwnerID, at time.Time) (int, error) {
	if err := owner.Validate(); err != nil {
		return 0, err
	}
	atNs, err := nsOf("at", at, inventory.ErrInvalid)
	if err != nil {
		return 0, err
	}
	if atNs == nil {
		return 0, nil
	}
	var keys []inventory.Key
	err = s.db.run(ctx, func(c *pgx.Conn) error {
		keys = keys[:0]
		rows, _ := c.Query(ctx, `SELECT DISTINCT sku, location, lot FROM inventory_reservations
			WHERE owner = $1 AND reserved > 0 AND expires_ns IS NOT NULL AND expires_ns <= $2`, string(owner), *atNs)
		var sku, loc, lot string
		_, err := pgx.ForEachRow(rows, []any{&sku, &loc, &lot}, func() error {
			keys = append(keys, inventory.Key{Owner: owner, SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc), Lot: inventory.LotID(lot)})
			return nil
		})
		return err
	})
	if err != nil {
		return 0, err
	}
	slices.SortFunc(keys, inventory.Key.Compare)
	n := 0
	for _, k := range keys {
		r, err := s.Apply(ctx, &inventory.Txn{Owner: owner, Kind: inventory.KindExpire, Reason: inventory.ReasonExpired, At: at, Touch: []inventory.Key{k}})
		if err != nil {
			return n, err
		}
		n += len(r.Entries)
	}
	return n, nil
}

// Serials returns the owner's serial numbers of sku in stock, sorted; see
// [inventory.SerialStore].
func (s *InventoryStore) Serials(ctx context.Context, owner fulfill.OwnerID, sku fulfill.SKU) ([]inventory.Serial, error) {
	if err := owner.Validate(); err != nil {
		return nil, err
	}
	var out []inventory.Serial
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		out = out[:0]
		rows, _ := c.Query(ctx, `SELECT serial, location, lot, updated_ns FROM inventory_serials WHERE owner = $1 AND sku = $2`,
			string(owner), string(sku))
		var serial, loc, lot string
		var upd int64
		_, err := pgx.ForEachRow(rows, []any{&serial, &loc, &lot, &upd}, func() error {
			out = append(out, inventory.Serial{
				SerialID: inventory.SerialID{Owner: owner, SKU: sku, Serial: serial},
				Key:      inventory.Key{Owner: owner, SKU: sku, Location: fulfill.LocationID(loc), Lot: inventory.LotID(lot)},
				Updated:  timeOf(&upd),
			})
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b inventory.Serial) int { return strings.Compare(a.Serial, b.Serial) })
	return out, nil
}
