package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/ship"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ShipStore is the PostgreSQL [ship.Store]. Each shipment is a JSONB
// snapshot ([ship.Shipment.Snapshot]) with a revision that counts the
// store's writes; its tracking numbers sit in a table of their own whose
// primary key keeps them unique across shipments, so that
// [ShipStore.ByTrackingNumber] is one index lookup. It is safe for
// concurrent use by many goroutines and processes.
//
// [ShipStore.Update] is optimistic first: it reads the shipment and its
// revision, runs the closure with no transaction open, and writes the result
// only if the revision is still the one read and no other transaction holds
// the row locked. When another writer came first, it runs the closure again
// in a transaction that reads the shipment with SELECT ... FOR UPDATE and
// holds that row lock until the result is committed, so that the second run
// cannot lose. An Update that starts while another Update of the same
// shipment is in progress in the store skips the optimistic run and queues
// for the lock at once. Writers of a shipment that many update at once thus
// queue on its row instead of replaying their changes over and over. A write
// is never lost, and the closure may run more than once (twice, or more
// after a deadlock or a serialization failure, which are retried as in every
// transaction of the [DB]): it must have no effect outside the shipment it
// is given. A run that holds the row lock also holds a connection of the DB,
// so the closure must be quick and must not call the store. A closure that
// changes nothing writes nothing.
type ShipStore struct {
	db *DB

	mu       sync.Mutex      // guards updating
	updating map[ship.ID]int // how many Updates are in progress, by shipment
}

var _ ship.Store = (*ShipStore)(nil)

// NewShipStore returns the shipment store over db. Run [DB.Migrate] once
// before using it.
func NewShipStore(db *DB) *ShipStore { return &ShipStore{db: db} }

// ShipConflictError reports a write the [ShipStore] refused. It unwraps to
// [ship.ErrConflict].
type ShipConflictError struct {
	// Shipment is the shipment written.
	Shipment ship.ID
	// TrackingNumber, if not empty, is a tracking number of Shipment that
	// another shipment, Holder, already has. If the holder could not be
	// read back (its write was rolled back meanwhile), Holder is empty and
	// TrackingNumber lists the numbers written, comma-separated.
	TrackingNumber string
	Holder         ship.ID
	// Attempts, if not zero, is how many times Update ran its closure, each
	// time losing the race to another writer.
	Attempts int
}

// Error names the shipment and the cause.
func (e *ShipConflictError) Error() string {
	switch {
	case e.TrackingNumber != "" && e.Holder != "":
		return fmt.Sprintf("postgres: tracking number %q of shipment %q belongs to shipment %q", e.TrackingNumber, e.Shipment, e.Holder)
	case e.TrackingNumber != "":
		return fmt.Sprintf("postgres: a tracking number of shipment %q is taken: %s", e.Shipment, e.TrackingNumber)
	case e.Attempts > 0:
		return fmt.Sprintf("postgres: shipment %q changed concurrently during each of %d attempts", e.Shipment, e.Attempts)
	default:
		return fmt.Sprintf("postgres: shipment %q exists", e.Shipment)
	}
}

// Unwrap returns [ship.ErrConflict].
func (e *ShipConflictError) Unwrap() error { return ship.ErrConflict }

// shipInvalid returns a *fulfill.FieldError of kind ship.ErrInvalidShipment.
func shipInvalid(field, value, reason string) error {
	return &fulfill.FieldError{Field: field, Value: value, Reason: reason, Kind: ship.ErrInvalidShipment}
}

// storable reports whether s can be a stored ID or tracking number: the
// database's text holds neither NUL bytes nor invalid UTF-8, and ship's
// validation lets neither through.
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// shipRow is the encoded form of a shipment.
type shipRow struct {
	id, owner, order, status string
	version                  int64
	snapshot                 []byte
	numbers                  []string // sorted
}

// encodeShipment encodes s for storage.
func encodeShipment(s *ship.Shipment) (shipRow, error) {
	snap := s.Snapshot()
	b, err := json.Marshal(snap)
	if err != nil {
		return shipRow{}, shipInvalid("snapshot", string(snap.ID), err.Error())
	}
	if r := unstorableText(b); r != "" {
		return shipRow{}, shipInvalid("snapshot", string(snap.ID), r)
	}
	r := shipRow{id: string(snap.ID), owner: string(snap.Owner), order: snap.Order.String(),
		status: string(s.Status()), version: snap.Version, snapshot: b}
	for _, p := range snap.Packages {
		r.numbers = append(r.numbers, p.Label.TrackingNumber)
	}
	slices.Sort(r.numbers)
	return r, nil
}

// unstorableText returns why the JSON document b holds text the store
// cannot keep as it is, or "": a NUL character (JSONB text cannot hold it)
// or bytes that are not UTF-8 (encoding/json replaced them with U+FFFD, so
// the stored shipment would differ from the one given). [ship.New] and
// [ship.Shipment.Ingest] refuse such text, so this is a second check, for
// a field that ship might one day leave unchecked.
func unstorableText(b []byte) string {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) {
			switch string(b[i+2 : i+6]) {
			case "0000":
				return "text contains a NUL character"
			case "fffd":
				return "text is not valid UTF-8"
			}
		}
		i++ // skip the escaped character, so that \\ is not read as the start of another escape
	}
	return ""
}

// decodeShipment restores a stored shipment.
func decodeShipment(b []byte) (*ship.Shipment, error) {
	var snap ship.Snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return nil, corrupt("shipment snapshot", err)
	}
	s, err := ship.Restore(snap)
	if err != nil {
		return nil, corrupt("shipment snapshot", err)
	}
	return s, nil
}

// shipWriteError translates a failed write of r: text the database cannot
// hold is invalid input, anything else is returned as is.
func shipWriteError(r shipRow, err error) error {
	switch sqlState(err) {
	case "22P05", "22021": // a NUL in JSON text, a byte sequence not UTF-8
		return shipInvalid("snapshot", r.id, "text the database cannot store: "+err.Error())
	}
	return err
}

// Shipment returns a copy of the shipment with id; see [ship.Store].
func (st *ShipStore) Shipment(ctx context.Context, id ship.ID) (*ship.Shipment, error) {
	s, _, err := st.load(ctx, id)
	return s, err
}

// selectShipment reads a shipment and its revision.
const selectShipment = `SELECT revision, snapshot FROM shipments WHERE id = $1`

// load returns the shipment with id and its revision.
func (st *ShipStore) load(ctx context.Context, id ship.ID) (*ship.Shipment, int64, error) {
	if !storable(string(id)) {
		return nil, 0, fmt.Errorf("%w: shipment %q", ship.ErrNotFound, id)
	}
	var b []byte
	var rev int64
	err := st.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, selectShipment, string(id)).Scan(&rev, &b)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, fmt.Errorf("%w: shipment %q", ship.ErrNotFound, id)
	}
	if err != nil {
		return nil, 0, err
	}
	s, err := decodeShipment(b)
	return s, rev, err
}

// ByTrackingNumber returns the ID of the shipment with a package of
// tracking number tn; see [ship.Store].
func (st *ShipStore) ByTrackingNumber(ctx context.Context, tn string) (ship.ID, error) {
	if !storable(tn) {
		return "", fmt.Errorf("%w: tracking number %q", ship.ErrNotFound, tn)
	}
	var id string
	err := st.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT shipment_id FROM shipment_tracking WHERE tracking_number = $1`, tn).Scan(&id)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("%w: tracking number %q", ship.ErrNotFound, tn)
	}
	if err != nil {
		return "", err
	}
	return ship.ID(id), nil
}

// Create stores a new shipment and its tracking numbers in one statement;
// see [ship.Store]. A taken ID or tracking number fails with a
// *[ShipConflictError] and stores nothing. Text the database cannot hold
// fails with an error wrapping [ship.ErrInvalidShipment], though [ship.New]
// already refuses it.
func (st *ShipStore) Create(ctx context.Context, s *ship.Shipment) error {
	if s == nil {
		return shipInvalid("shipment", "", "required")
	}
	r, err := encodeShipment(s)
	if err != nil {
		return err
	}
	var inserted int64
	err = st.db.run(ctx, func(c *pgx.Conn) error {
		// A taken ID inserts nothing; a taken tracking number fails the
		// whole statement with a unique violation.
		return c.QueryRow(ctx, `WITH s AS (
				INSERT INTO shipments (id, owner, order_id, status, version, revision, snapshot)
				VALUES ($1, $2, $3::uuid, $4, $5, 1, $6::jsonb) ON CONFLICT (id) DO NOTHING RETURNING id
			), t AS (
				INSERT INTO shipment_tracking (tracking_number, shipment_id)
				SELECT n, s.id FROM s, unnest($7::text[]) AS n
			)
			SELECT count(*) FROM s`,
			r.id, r.owner, r.order, r.status, r.version, string(r.snapshot), r.numbers).Scan(&inserted)
	})
	if sqlState(err) == codeUniqueViolation {
		return st.numberConflict(ctx, r.id, r.numbers)
	}
	if err != nil {
		return shipWriteError(r, err)
	}
	if inserted == 0 {
		return &ShipConflictError{Shipment: ship.ID(r.id)}
	}
	return nil
}

// numberConflict returns the conflict of shipment id over one of numbers
// that another shipment holds.
func (st *ShipStore) numberConflict(ctx context.Context, id string, numbers []string) error {
	var tn, holder string
	err := st.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT tracking_number, shipment_id FROM shipment_tracking
			WHERE tracking_number = ANY($1::text[]) AND shipment_id <> $2 ORDER BY tracking_number LIMIT 1`,
			numbers, id).Scan(&tn, &holder)
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return errors.Join(&ShipConflictError{Shipment: ship.ID(id), TrackingNumber: strings.Join(numbers, ",")}, err)
	}
	if tn == "" {
		// The holder went away (its write was rolled back) meanwhile.
		return &ShipConflictError{Shipment: ship.ID(id), TrackingNumber: strings.Join(numbers, ",")}
	}
	return &ShipConflictError{Shipment: ship.ID(id), TrackingNumber: tn, Holder: ship.ID(holder)}
}

// Update loads the shipment with id, calls fn with it and stores the
// result if fn returns nil and changed it; see [ShipStore] for how it
// handles another writer coming first. fn must not change the shipment's
// ID; tracking numbers it adds or removes are added to or removed from the
// index in the same statement, and one another shipment has fails with a
// *[ShipConflictError].
func (st *ShipStore) Update(ctx context.Context, id ship.ID, fn func(*ship.Shipment) error) error {
	if fn == nil {
		return shipInvalid("fn", "", "required")
	}
	busy, leave := st.enter(id)
	defer leave()
	if busy {
		// Another Update of this store is writing the shipment: queue for
		// the row rather than run the closure for nothing.
		return st.updateLocked(ctx, id, fn, 0)
	}
	s, rev, err := st.load(ctx, id)
	if err != nil {
		return err
	}
	c, err := change(id, s, fn)
	if err != nil || c == nil {
		return err
	}
	var ok bool
	err = st.db.run(ctx, func(conn *pgx.Conn) error {
		var err error
		ok, err = writeShipment(ctx, conn, rev, c)
		return err
	})
	if err != nil {
		return st.writeError(ctx, c, err)
	}
	if ok {
		return nil
	}
	return st.updateLocked(ctx, id, fn, 1)
}

// updateLocked runs fn on the shipment with id read under its row lock,
// held until the result is committed, so that no other writer can come
// first; the transaction is run again after a deadlock or a
// serialization failure, as [DB] runs every transaction. lost is how many
// runs of fn lost the race before.
func (st *ShipStore) updateLocked(ctx context.Context, id ship.ID, fn func(*ship.Shipment) error, lost int) error {
	if !storable(string(id)) {
		return fmt.Errorf("%w: shipment %q", ship.ErrNotFound, id)
	}
	var failed *shipChange // the change whose write failed
	err := st.db.inTx(ctx, func(tx pgx.Tx) error {
		failed = nil
		var b []byte
		var rev int64
		err := tx.QueryRow(ctx, selectShipment+` FOR UPDATE`, string(id)).Scan(&rev, &b)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: shipment %q", ship.ErrNotFound, id)
		}
		if err != nil {
			return err
		}
		s, err := decodeShipment(b)
		if err != nil {
			return err
		}
		c, err := change(id, s, fn)
		if err != nil || c == nil {
			return err
		}
		ok, err := writeShipment(ctx, tx, rev, c)
		if err != nil {
			failed = c
			return err
		}
		if !ok {
			// Only an engine that does not honour the row lock lets this
			// happen; the revision check keeps the other write.
			return &ShipConflictError{Shipment: id, Attempts: lost + 1}
		}
		return nil
	})
	if failed != nil {
		// Translated once the transaction has given its connection back.
		return st.writeError(ctx, failed, err)
	}
	return err
}

// enter records an Update of the shipment with id starting, and returns
// whether another Update of it was in progress in this store, and the
// function that records this one ending.
func (st *ShipStore) enter(id ship.ID) (busy bool, leave func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.updating == nil {
		st.updating = map[ship.ID]int{}
	}
	busy = st.updating[id] > 0
	st.updating[id]++
	return busy, func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.updating[id]--; st.updating[id] == 0 {
			delete(st.updating, id)
		}
	}
}

// shipChange is a change of a shipment to store: its new encoding and the
// tracking numbers it gains and loses.
type shipChange struct {
	row            shipRow
	added, removed []string
}

// change calls fn with s, the shipment with id as stored, and returns what
// to store, or nil if fn changed nothing.
func change(id ship.ID, s *ship.Shipment, fn func(*ship.Shipment) error) (*shipChange, error) {
	before := s.Snapshot()
	if err := fn(s); err != nil {
		return nil, err
	}
	if s.ID() != id {
		return nil, fmt.Errorf("%w: update of %q returned shipment %q", ship.ErrConflict, id, s.ID())
	}
	after, err := encodeShipment(s)
	if err != nil {
		return nil, err
	}
	// Every change of the ship package adds to the version; a closure that
	// keeps it (a duplicate event) may still have replaced the shipment, so
	// the encodings decide.
	if s.Version() == before.Version {
		b, err := json.Marshal(before)
		if err != nil || bytes.Equal(b, after.snapshot) {
			return nil, err // nothing to write
		}
	}
	var old []string
	for _, p := range before.Packages {
		old = append(old, p.Label.TrackingNumber)
	}
	slices.Sort(old)
	c := &shipChange{row: after}
	for _, n := range old {
		if _, found := slices.BinarySearch(after.numbers, n); !found {
			c.removed = append(c.removed, n)
		}
	}
	for _, n := range after.numbers {
		if _, found := slices.BinarySearch(old, n); !found {
			c.added = append(c.added, n)
		}
	}
	return c, nil
}

// shipWriter is what writeShipment needs of a connection or a
// transaction.
type shipWriter interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// writeShipment stores c over revision rev, moving the tracking index in
// the same statement. It reports false if the revision has changed, or if
// another transaction holds the row locked: rather than wait for it and
// then most likely find the revision changed, the caller queues for the
// lock at once (its own lock does not count).
func writeShipment(ctx context.Context, w shipWriter, rev int64, c *shipChange) (bool, error) {
	r := c.row
	if len(c.removed) == 0 && len(c.added) == 0 {
		tag, err := w.Exec(ctx, `UPDATE shipments SET status = $3, version = $4, revision = revision + 1, snapshot = $5::jsonb
			WHERE id = $1 AND revision = $2
				AND id IN (SELECT id FROM shipments WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED)`,
			r.id, rev, r.status, r.version, string(r.snapshot))
		return tag.RowsAffected() == 1, err
	}
	var n int64
	err := w.QueryRow(ctx, `WITH u AS (
			UPDATE shipments SET status = $3, version = $4, revision = revision + 1, snapshot = $5::jsonb
			WHERE id = $1 AND revision = $2
				AND id IN (SELECT id FROM shipments WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED)
			RETURNING id
		), d AS (
			DELETE FROM shipment_tracking WHERE shipment_id IN (SELECT id FROM u) AND tracking_number = ANY($6::text[])
		), i AS (
			INSERT INTO shipment_tracking (tracking_number, shipment_id)
			SELECT n, u.id FROM u, unnest($7::text[]) AS n
		)
		SELECT count(*) FROM u`, r.id, rev, r.status, r.version, string(r.snapshot), c.removed, c.added).Scan(&n)
	return n == 1, err
}

// writeError translates the error of a failed write of c: a tracking
// number another shipment holds is a *ShipConflictError naming it.
func (st *ShipStore) writeError(ctx context.Context, c *shipChange, err error) error {
	if sqlState(err) == codeUniqueViolation {
		return st.numberConflict(ctx, c.row.id, c.added)
	}
	return shipWriteError(c.row, err)
}
