package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/jackc/pgx/v5"
)

// An owner's ledger checkpoint is kept in three tables (schema version
// 10): inventory_checkpoints (through), inventory_checkpoint_levels (the
// sums per level) and inventory_checkpoint_arrivals (the open arrivals per
// level, numbered by ord in the order of inventory.Checkpoint.Arrivals).
// A trim batch touches only the rows of the levels its entries touch.

// trimBatchSQL deletes the owner's entries with $2 < Seq <= $3, adds their
// deltas to the checkpoint's sums of their levels (a level new to the
// checkpoint starting at zero), moves the checkpoint's through to $3, and
// returns what folding the arrivals needs of each entry deleted. The sums
// are bigint: if the batch's sum of a bucket at a level, or the level's
// new sum, leaves its range, the statement fails with SQLSTATE 22003.
// [inventory.Checkpoint.Fold] checks every running sum instead; the two
// differ only on a ledger whose levels overflowed on the way, which no
// store writes (its levels are those running sums).
const trimBatchSQL = `WITH d AS (
		DELETE FROM inventory_ledger WHERE owner = $1 AND seq > $2 AND seq <= $3
		RETURNING seq, sku, location, lot, ref_type, ref_id, ref_order, due_ns,
			d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine, d_safety, d_incoming, d_in_transit),
	s AS (
		INSERT INTO inventory_checkpoint_levels AS c (owner, sku, location, lot,
			on_hand, reserved, committed, damaged, quarantine, safety, incoming, in_transit)
		SELECT $1, sku, location, lot, SUM(d_on_hand)::bigint, SUM(d_reserved)::bigint, SUM(d_committed)::bigint,
			SUM(d_damaged)::bigint, SUM(d_quarantine)::bigint, SUM(d_safety)::bigint, SUM(d_incoming)::bigint,
			SUM(d_in_transit)::bigint
		FROM d GROUP BY sku, location, lot
		ON CONFLICT (owner, sku, location, lot) DO UPDATE SET
			on_hand = c.on_hand + excluded.on_hand, reserved = c.reserved + excluded.reserved,
			committed = c.committed + excluded.committed, damaged = c.damaged + excluded.damaged,
			quarantine = c.quarantine + excluded.quarantine, safety = c.safety + excluded.safety,
			incoming = c.incoming + excluded.incoming, in_transit = c.in_transit + excluded.in_transit),
	t AS (UPDATE inventory_checkpoints SET through = $3 WHERE owner = $1)
	SELECT seq, d_incoming, sku, location, lot, ref_type, ref_id, ref_order, due_ns FROM d`

// arrivalCols are the columns of inventory_checkpoint_arrivals that
// scanArrivals reads.
const arrivalCols = `sku, location, lot, ord, due_ns, quantity, ref_type, ref_id, ref_order`

// codeOutOfRange is the SQLSTATE of a value outside its type's range.
const codeOutOfRange = "22003"

// trimStep deletes, in tx, the owner's next batch of entries with
// Seq <= through and folds them into its checkpoint, which it locks
// first. It returns how many entries it deleted and the checkpoint's
// Through after it.
//
// The sums of the levels the batch touches are added to in SQL, and only
// the open arrivals of the levels whose Incoming it changes are read,
// folded with [inventory.ArrivalsFrom] and written back: arrivals are
// settled level by level, so the arrivals of the other levels stay as
// they are, and the levels' arrivals come out in the checkpoint's order.
func (s *InventoryStore) trimStep(ctx context.Context, tx pgx.Tx, owner fulfill.OwnerID, through int64) (int, int64, error) {
	var done int64
	// Create the row if needed and lock it, in one statement.
	if err := tx.QueryRow(ctx, `INSERT INTO inventory_checkpoints (owner, through) VALUES ($1, 0)
		ON CONFLICT (owner) DO UPDATE SET through = inventory_checkpoints.through
		RETURNING through`, string(owner)).Scan(&done); err != nil {
		return 0, 0, err
	}
	if done >= through { // trimmed meanwhile
		return 0, done, nil
	}
	// Entries after the checkpoint that are gone were dropped without one
	// (by version 8): skip over them.
	var first *int64
	if err := tx.QueryRow(ctx, `SELECT MIN(seq) FROM inventory_ledger WHERE owner = $1 AND seq > $2`,
		string(owner), done).Scan(&first); err != nil {
		return 0, 0, err
	}
	lo := done
	switch {
	case first == nil || *first > through:
		lo = through
	case *first > lo+1:
		lo = *first - 1
	}
	hi := min(lo+int64(s.trimBatch), through) // inclusive

	var (
		seqs     []int64
		incoming []inventory.Entry // the entries changing Incoming, the only ones arrivals look at
	)
	rows, _ := tx.Query(ctx, trimBatchSQL, string(owner), lo, hi)
	var (
		e                            inventory.Entry
		sku, loc, lot, rtyp, rid, ro string
		due                          *int64
	)
	_, err := pgx.ForEachRow(rows, []any{&e.Seq, &e.Delta.Incoming, &sku, &loc, &lot, &rtyp, &rid, &ro, &due}, func() error {
		seqs = append(seqs, e.Seq)
		if e.Delta.Incoming == 0 {
			return nil
		}
		ref, err := refOf(rtyp, rid, ro)
		if err != nil {
			return err
		}
		incoming = append(incoming, inventory.Entry{
			Seq:   e.Seq,
			Key:   inventory.Key{Owner: owner, SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc), Lot: inventory.LotID(lot)},
			Ref:   ref,
			Delta: inventory.Buckets{Incoming: e.Delta.Incoming},
			Due:   timeOf(due),
		})
		return nil
	})
	if sqlState(err) == codeOutOfRange {
		of := &fulfill.OverflowError{Op: "Checkpoint.Fold", Operands: []string{"entries " + itoa(lo+1) + " to " + itoa(hi)}}
		return 0, 0, fmt.Errorf("postgres: the ledger checkpoint of %s: %w: %w", owner, of, err)
	}
	if err != nil {
		return 0, 0, err
	}
	// The entries deleted must be lo+1, lo+2, ..., as Checkpoint.Fold
	// requires.
	slices.Sort(seqs)
	for i, seq := range seqs {
		if want := lo + int64(i) + 1; seq != want {
			return 0, 0, &fulfill.FieldError{Field: "seq", Value: itoa(seq), Reason: "not the next entry, " + itoa(want), Kind: inventory.ErrInvalid}
		}
	}
	if len(incoming) > 0 {
		if err := foldArrivals(ctx, tx, owner, lo, incoming); err != nil {
			return 0, 0, err
		}
	}
	return len(seqs), hi, nil
}

// foldArrivals folds the entries (those of a trim batch changing
// Incoming, in Seq order, the first after through) into the checkpoint's
// open arrivals of their levels: it deletes those levels' arrivals,
// settles and adds to them as [inventory.ArrivalsFrom] does, and writes
// them back.
func foldArrivals(ctx context.Context, tx pgx.Tx, owner fulfill.OwnerID, through int64, entries []inventory.Entry) error {
	slices.SortFunc(entries, func(a, b inventory.Entry) int { return cmp.Compare(a.Seq, b.Seq) })
	var keys []inventory.Key
	seen := make(map[inventory.Key]bool)
	for _, e := range entries {
		if !seen[e.Key] {
			seen[e.Key] = true
			keys = append(keys, e.Key)
		}
	}
	skus, locs, lots := keyArrays(keys)
	rows, _ := tx.Query(ctx, `DELETE FROM inventory_checkpoint_arrivals a
		USING unnest($2::text[], $3::text[], $4::text[]) AS k(sku, location, lot)
		WHERE a.owner = $1 AND a.sku = k.sku AND a.location = k.location AND a.lot = k.lot
		RETURNING a.`+strings.ReplaceAll(arrivalCols, ", ", ", a."), string(owner), skus, locs, lots)
	open, err := scanArrivals(owner, rows)
	if err != nil {
		return err
	}
	next := inventory.ArrivalsFrom(inventory.Checkpoint{Through: through, Arrivals: open}, entries)
	if len(next) == 0 {
		return nil
	}
	n := len(next)
	var (
		aSKUs, aLocs, aLots = make([]string, n), make([]string, n), make([]string, n)
		ords                = make([]int32, n)
		dues                = make([]*int64, n)
		qtys                = make([]int64, n)
		rtyps, rids, rords  = make([]string, n), make([]string, n), make([]string, n)
	)
	for i, a := range next {
		aSKUs[i], aLocs[i], aLots[i] = string(a.Key.SKU), string(a.Key.Location), string(a.Key.Lot)
		if i > 0 && next[i-1].Key == a.Key {
			ords[i] = ords[i-1] + 1
		}
		if dues[i], err = nsOf("due", a.Due, inventory.ErrInvalid); err != nil {
			return err
		}
		qtys[i] = a.Quantity
		rtyps[i], rids[i], rords[i] = refCols(a.Ref)
	}
	_, err = tx.Exec(ctx, `INSERT INTO inventory_checkpoint_arrivals (owner, `+arrivalCols+`)
		SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::bigint[],
			$8::text[], $9::text[], $10::text[])`,
		string(owner), aSKUs, aLocs, aLots, ords, dues, qtys, rtyps, rids, rords)
	return err
}

// scanArrivals reads the owner's checkpoint arrivals from rows of
// arrivalCols and returns them in the checkpoint's order: by key, then
// ord.
func scanArrivals(owner fulfill.OwnerID, rows pgx.Rows) ([]inventory.Arrival, error) {
	type numbered struct {
		a   inventory.Arrival
		ord int32
	}
	var (
		out                          []numbered
		sku, loc, lot, rtyp, rid, ro string
		ord                          int32
		due                          *int64
		qty                          int64
	)
	_, err := pgx.ForEachRow(rows, []any{&sku, &loc, &lot, &ord, &due, &qty, &rtyp, &rid, &ro}, func() error {
		ref, err := refOf(rtyp, rid, ro)
		if err != nil {
			return err
		}
		out = append(out, numbered{a: inventory.Arrival{
			Key:      inventory.Key{Owner: owner, SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc), Lot: inventory.LotID(lot)},
			Due:      timeOf(due),
			Quantity: qty,
			Ref:      ref,
		}, ord: ord})
		return nil
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	slices.SortFunc(out, func(a, b numbered) int {
		if c := a.a.Key.Compare(b.a.Key); c != 0 {
			return c
		}
		return cmp.Compare(a.ord, b.ord)
	})
	as := make([]inventory.Arrival, len(out))
	for i, n := range out {
		as[i] = n.a
	}
	return as, nil
}

// LedgerCheckpoint returns the checkpoint of the owner's ledger entries
// dropped by [InventoryStore.TrimLedger], the zero Checkpoint if none
// were; see [inventory.Checkpointer]. It is read in one read-only
// transaction at the repeatable-read level, which sees one snapshot of
// the three tables, and each trim batch writes it in the transaction that
// deletes the entries, so it always agrees with the entries stored.
func (s *InventoryStore) LedgerCheckpoint(ctx context.Context, owner fulfill.OwnerID) (inventory.Checkpoint, error) {
	if err := owner.Validate(); err != nil {
		return inventory.Checkpoint{}, err
	}
	var cp inventory.Checkpoint
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return &retryConnError{err: err}
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		cp, err = readCheckpoint(ctx, tx, owner)
		return err
	})
	if err != nil {
		return inventory.Checkpoint{}, err
	}
	return cp, nil
}

// readCheckpoint reads the owner's checkpoint in tx.
func readCheckpoint(ctx context.Context, tx pgx.Tx, owner fulfill.OwnerID) (inventory.Checkpoint, error) {
	var cp inventory.Checkpoint
	err := tx.QueryRow(ctx, `SELECT through FROM inventory_checkpoints WHERE owner = $1`, string(owner)).Scan(&cp.Through)
	if errors.Is(err, pgx.ErrNoRows) {
		return inventory.Checkpoint{}, nil
	}
	if err != nil {
		return inventory.Checkpoint{}, err
	}
	rows, _ := tx.Query(ctx, `SELECT sku, location, lot, on_hand, reserved, committed, damaged, quarantine, safety, incoming, in_transit
		FROM inventory_checkpoint_levels WHERE owner = $1`, string(owner))
	var (
		sku, loc, lot string
		b             inventory.Buckets
	)
	_, err = pgx.ForEachRow(rows, []any{&sku, &loc, &lot, &b.OnHand, &b.Reserved, &b.Committed, &b.Damaged,
		&b.Quarantine, &b.Safety, &b.Incoming, &b.InTransit}, func() error {
		if cp.Levels == nil {
			cp.Levels = make(map[inventory.Key]inventory.Buckets)
		}
		cp.Levels[inventory.Key{Owner: owner, SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc), Lot: inventory.LotID(lot)}] = b
		return nil
	})
	if err != nil {
		return inventory.Checkpoint{}, err
	}
	rows, _ = tx.Query(ctx, `SELECT `+arrivalCols+` FROM inventory_checkpoint_arrivals WHERE owner = $1`, string(owner))
	if cp.Arrivals, err = scanArrivals(owner, rows); err != nil {
		return inventory.Checkpoint{}, err
	}
	return cp, nil
}
