package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/jackc/pgx/v5"
)

// jsonbCheckpointSQL creates the baseline of BenchmarkTrimLedgerLargeCheckpoint:
// the checkpoints as one JSONB document per owner, as the first layout of
// schema version 10 kept them.
const jsonbCheckpointSQL = `CREATE TABLE jsonb_checkpoints (
	owner      TEXT   NOT NULL PRIMARY KEY,
	through    BIGINT NOT NULL,
	checkpoint JSONB  NOT NULL)`

// foldCols are entryCols as [inventory.Checkpoint.Fold] needs them: the
// columns it reads (Seq, Key, Ref, Delta and Due), the others empty.
const foldCols = `seq, 0::bigint, sku, location, lot, '', '', ref_type, ref_id, ref_order,
	'', '', d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine,
	d_safety, d_incoming, d_in_transit, due_ns, NULL::text[]`

// jsonbTrim is the baseline: TrimLedger as it was with the checkpoint in
// one JSONB row (jsonb_checkpoints), each batch reading the owner's whole
// checkpoint, folding the entries it deletes into it in Go, and writing
// it back whole.
func jsonbTrim(ctx context.Context, db *DB, owner fulfill.OwnerID, through int64, batch int) (int, error) {
	var done int64
	if err := db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT COALESCE((SELECT through FROM jsonb_checkpoints WHERE owner = $1), 0)`, string(owner)).Scan(&done)
	}); err != nil {
		return 0, err
	}
	n := 0
	for through > done {
		var k int
		err := db.inTx(ctx, func(tx pgx.Tx) error {
			var err error
			k, done, err = jsonbTrimStep(ctx, tx, owner, through, batch)
			return err
		})
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}

// jsonbTrimStep is one batch of jsonbTrim.
func jsonbTrimStep(ctx context.Context, tx pgx.Tx, owner fulfill.OwnerID, through int64, batch int) (int, int64, error) {
	var (
		col int64
		js  []byte
	)
	if err := tx.QueryRow(ctx, `INSERT INTO jsonb_checkpoints (owner, through, checkpoint)
		VALUES ($1, 0, '{"through":0}'::jsonb)
		ON CONFLICT (owner) DO UPDATE SET through = jsonb_checkpoints.through
		RETURNING through, checkpoint`, string(owner)).Scan(&col, &js); err != nil {
		return 0, 0, err
	}
	var cp inventory.Checkpoint
	if err := json.Unmarshal(js, &cp); err != nil {
		return 0, 0, err
	}
	if cp.Through >= through {
		return 0, cp.Through, nil
	}
	var first *int64
	if err := tx.QueryRow(ctx, `SELECT MIN(seq) FROM inventory_ledger WHERE owner = $1 AND seq > $2`,
		string(owner), cp.Through).Scan(&first); err != nil {
		return 0, 0, err
	}
	switch {
	case first == nil || *first > through:
		cp.Through = through
	case *first > cp.Through+1:
		cp.Through = *first - 1
	}
	hi := min(cp.Through+int64(batch), through)
	rows, _ := tx.Query(ctx, `DELETE FROM inventory_ledger WHERE owner = $1 AND seq > $2 AND seq <= $3
		RETURNING `+foldCols, string(owner), cp.Through, hi)
	entries, err := scanEntries(owner, rows)
	if err != nil {
		return 0, 0, err
	}
	slices.SortFunc(entries, func(a, b inventory.Entry) int { return cmp.Compare(a.Seq, b.Seq) })
	next, err := cp.Fold(entries)
	if err != nil {
		return 0, 0, err
	}
	if next.Through < hi {
		next.Through = hi
	}
	b, err := json.Marshal(next)
	if err != nil {
		return 0, 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE jsonb_checkpoints SET through = $2, checkpoint = $3::jsonb WHERE owner = $1`,
		string(owner), next.Through, string(b)); err != nil {
		return 0, 0, err
	}
	return len(entries), next.Through, nil
}

// jsonbCheckpoint reads the owner's checkpoint from jsonb_checkpoints.
func jsonbCheckpoint(ctx context.Context, db *DB, owner fulfill.OwnerID) (inventory.Checkpoint, error) {
	var cp inventory.Checkpoint
	err := db.run(ctx, func(c *pgx.Conn) error {
		var js []byte
		if err := c.QueryRow(ctx, `SELECT checkpoint FROM jsonb_checkpoints WHERE owner = $1`, string(owner)).Scan(&js); err != nil {
			return err
		}
		return json.Unmarshal(js, &cp)
	})
	return cp, err
}

// appendLedger appends to the owner's ledger the entries from through to
// of the benchmark's ledger, numbered so, and moves the owner's sequence
// to the last. Entries 1 to levels each receive one unit at a level of
// their own (SKU-1 to SKU-<levels>); the next levels/10 each expect 5
// units at every tenth level, due on one of five days, left open. Every
// later entry is at one of those 2,000 levels with arrivals: every third
// an expectation of 2 units, the others receipts of one unit from
// Incoming under one of seven purchase orders, settling the arrivals.
func appendLedger(ctx context.Context, db *DB, owner string, levels, from, to int64) error {
	return db.withConn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO inventory_ledger (owner, seq, at_ns, sku, location, lot, kind, reason,
			ref_type, ref_id, ref_order, reservation, idempotency_key,
			d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine, d_safety, d_incoming, d_in_transit, due_ns)
			SELECT $1, g, g, 'SKU-' || k, 'WH1', '', CASE WHEN inc > 0 THEN 'expect' ELSE 'receive' END, '',
				'purchase_order', 'PO-' || (g % 7), '', '', '',
				CASE WHEN inc > 0 THEN 0 ELSE 1 END, 0, 0, 0, 0, 0, inc, 0,
				CASE WHEN inc > 0 THEN (g % 5) * 86400000000000 END
			FROM (SELECT g,
				CASE WHEN g <= $4 THEN g WHEN g <= $4 + $4 / 10 THEN (g - $4) * 10 ELSE ((g * 7) % ($4 / 10) + 1) * 10 END AS k,
				CASE WHEN g <= $4 THEN 0 WHEN g <= $4 + $4 / 10 THEN 5 WHEN g % 3 = 0 THEN 2 ELSE -1 END AS inc
				FROM generate_series($2::bigint, $3::bigint) g) e`, owner, from, to, levels)
		if err != nil {
			return err
		}
		_, err = c.Exec(ctx, `INSERT INTO inventory_owners (owner, seq) VALUES ($1, $2)
			ON CONFLICT (owner) DO UPDATE SET seq = $2`, owner, to)
		return err
	})
}

// BenchmarkTrimLedgerLargeCheckpoint measures a small trim of an owner
// whose checkpoint is large: 20,000 levels and 2,000 open arrivals,
// folded in by a first trim before timing. Each iteration appends 100
// entries (expectations and receipts at levels with arrivals) to the
// owner's ledger in two schemas, then trims them with TrimLedger (the
// checkpoint in tables) in one and with jsonbTrim (the checkpoint as one
// JSONB document, read and rewritten whole) in the other, in alternating
// order. The metric jsonb/tables is the ratio of their times in the same
// run; ms/trim-tables and ms/trim-jsonb put them per trim. The two
// checkpoints are compared at the end.
func BenchmarkTrimLedgerLargeCheckpoint(b *testing.B) {
	testURL(b)
	ctx := context.Background()
	const (
		levels = 20_000
		n      = 100
		owner  = "acme"
	)
	tables, jsonb := testDB(b), testDB(b)
	store := NewInventoryStore(tables, nil)
	if err := jsonb.withConn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, jsonbCheckpointSQL)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	trims := [2]func(through int64) (int, error){
		func(through int64) (int, error) { return store.TrimLedger(ctx, owner, through) },
		func(through int64) (int, error) { return jsonbTrim(ctx, jsonb, owner, through, defaultTrimBatch) },
	}
	last := int64(levels + levels/10)
	for i, db := range []*DB{tables, jsonb} {
		if err := appendLedger(ctx, db, owner, levels, 1, last); err != nil {
			b.Fatal(err)
		}
		if k, err := trims[i](last); err != nil || k != int(last) {
			b.Fatal(k, err)
		}
		if err := db.withConn(ctx, func(c *pgx.Conn) error { _, err := c.Exec(ctx, `ANALYZE`); return err }); err != nil {
			b.Fatal(err)
		}
	}
	var took [2]time.Duration
	i := 0
	for b.Loop() {
		from, to := last+1, last+n
		for _, db := range []*DB{tables, jsonb} {
			if err := appendLedger(ctx, db, owner, levels, from, to); err != nil {
				b.Fatal(err)
			}
		}
		for o := range 2 {
			j := (i + o) % 2
			start := time.Now()
			if k, err := trims[j](to); err != nil || k != n {
				b.Fatal(k, err)
			}
			took[j] += time.Since(start)
		}
		last = to
		i++
	}
	b.ReportMetric(float64(took[1])/float64(took[0]), "jsonb/tables")
	b.ReportMetric(float64(took[0])/float64(time.Millisecond)/float64(i), "ms/trim-tables")
	b.ReportMetric(float64(took[1])/float64(time.Millisecond)/float64(i), "ms/trim-jsonb")

	b.StopTimer()
	got, err := store.LedgerCheckpoint(ctx, owner)
	if err != nil {
		b.Fatal(err)
	}
	want, err := jsonbCheckpoint(ctx, jsonb, owner)
	if err != nil {
		b.Fatal(err)
	}
	if len(got.Levels) != levels || len(got.Arrivals) == 0 || !reflect.DeepEqual(got, want) {
		b.Fatalf("the checkpoints differ or are not as large as planned: %d levels and %d arrivals in tables, %d and %d in JSONB",
			len(got.Levels), len(got.Arrivals), len(want.Levels), len(want.Arrivals))
	}
}
