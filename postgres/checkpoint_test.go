package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// expectations applies n operations for owner o: expectations of purchase
// orders due on tying days, and receipts settling part of them.
func expectations(t *testing.T, inv *inventory.Inventory, o fulfill.OwnerID, n int) {
	t.Helper()
	ctx := context.Background()
	k := inventory.Key{Owner: o, SKU: "MUG", Location: "WH1"}
	for i := range n {
		m := inventory.Meta{Owner: o, Ref: inventory.Reference{Type: inventory.RefPurchaseOrder, ID: fmt.Sprint("PO-", i%3)}}
		var op inventory.Operation = &inventory.Expect{Meta: m, Key: k, Quantity: 4, Due: t0.AddDate(0, 0, i%4)}
		if i%3 == 2 {
			op = &inventory.Receive{Meta: m, Key: k, Quantity: 3, FromIncoming: 3}
		}
		_, err := inv.Apply(ctx, op)
		require.NoError(t, err)
	}
}

// deleteLedger deletes the owner's entries through a Seq as version 8's
// TrimLedger did: without a checkpoint.
func deleteLedger(t *testing.T, db *DB, o fulfill.OwnerID, through int64) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, db.withConn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `DELETE FROM inventory_ledger WHERE owner = $1 AND seq <= $2`, string(o), through)
		return err
	}))
}

// TestInventoryMigrateCheckpoint trims ledgers at schema version 8 (acme's
// first 3 of 8 entries, all of globex's 4, none of initech's 2), migrates
// to the latest version, and checks that each owner's checkpoint skips
// over what version 8 dropped, holding nothing of it, that later trims fold onto it, also
// after another prefix is dropped without a checkpoint (a replica still at
// version 8), and that Reconcile then reports the lost entries as the
// levels' differences from the ledger and no gap.
func TestInventoryMigrateCheckpoint(t *testing.T) {
	testURL(t)
	t.Parallel()
	ctx := context.Background()
	db := openSchema(t, testSchema(t), nil)
	migrateTo(t, db, 8)
	store := NewInventoryStore(db, nil)
	inv := inventory.New(store, &inventory.Options{Clock: fulfill.NewFakeClock(t0)})
	for o, n := range map[fulfill.OwnerID]int{"acme": 8, "globex": 4, "initech": 2} {
		expectations(t, inv, o, n)
	}
	whole, err := inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	deleteLedger(t, db, "acme", 3)
	deleteLedger(t, db, "globex", 4)
	require.NoError(t, db.Migrate(ctx))

	for o, want := range map[fulfill.OwnerID]inventory.Checkpoint{"acme": {Through: 3}, "globex": {Through: 4}, "initech": {}, "nobody": {}} {
		cp, err := store.LedgerCheckpoint(ctx, o)
		require.NoError(t, err)
		assert.Equal(t, want, cp, "%s", o)
	}
	d, err := inv.Reconcile(ctx, "acme")
	require.NoError(t, err)
	for _, x := range d {
		assert.Equal(t, inventory.SourceLedger, x.Source, "the lost entries show as the levels' differences: %s", x)
	}
	assert.NotEmpty(t, d)

	// Trims fold onto the checkpoint: what they drop is exact.
	n, err := store.TrimLedger(ctx, "acme", 5)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	cp, err := store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	want, err := inventory.Checkpoint{Through: 3}.Fold(whole[3:5])
	require.NoError(t, err)
	assert.Equal(t, want, cp)
	// A replica still at version 8 drops two more; the next trim skips
	// over them.
	deleteLedger(t, db, "acme", 7)
	n, err = store.TrimLedger(ctx, "acme", 8)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	cp, err = store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	want.Through = 7
	want, err = want.Fold(whole[7:])
	require.NoError(t, err)
	assert.Equal(t, want, cp)
	n, err = store.TrimLedger(ctx, "globex", 4)
	require.NoError(t, err)
	assert.Zero(t, n)

	// New entries number on; a whole ledger trimmed after 9 reconciles.
	expectations(t, inv, "initech", 3)
	n, err = store.TrimLedger(ctx, "initech", 4)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	d, err = inv.Reconcile(ctx, "initech")
	require.NoError(t, err)
	assert.Empty(t, d)
}

// TestInventoryTrimBatchesConcurrent has several goroutines trim one
// owner's ledger at once, in batches of two entries, through points
// ahead of and behind one another: the checkpoint holds every entry
// trimmed once, and Reconcile and Arrivals are those of the whole ledger.
func TestInventoryTrimBatchesConcurrent(t *testing.T) {
	testURL(t)
	t.Parallel()
	ctx := context.Background()
	store := NewInventoryStore(testDB(t), nil)
	store.trimBatch = 2
	inv := inventory.New(store, &inventory.Options{Clock: fulfill.NewFakeClock(t0)})
	expectations(t, inv, "acme", 60)
	whole, err := inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex // guards dropped
		dropped int
	)
	for g := range 4 {
		wg.Go(func() {
			for through := int64(g); through <= 60; through += 7 + int64(g) {
				n, err := store.TrimLedger(ctx, "acme", through)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				dropped += n
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	n, err := store.TrimLedger(ctx, "acme", 60)
	require.NoError(t, err)
	assert.Equal(t, 60, dropped+n, "each entry dropped once")
	want, err := inventory.Checkpoint{}.Fold(whole)
	require.NoError(t, err)
	cp, err := store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, want, cp)
	d, err := inv.Reconcile(ctx, "acme")
	require.NoError(t, err)
	assert.Empty(t, d)
	got, err := inv.Arrivals(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, inventory.Arrivals(whole), got)
	assert.NotEmpty(t, got)
}

// TestInventoryTrimInterrupted interrupts a trim in the middle of a batch
// (it waits for the checkpoint's row lock, held by another connection,
// until its context ends): its batch is rolled back whole, the earlier
// batches stay trimmed and folded, and trimming again completes it.
func TestInventoryTrimInterrupted(t *testing.T) {
	testURL(t)
	t.Parallel()
	ctx := context.Background()
	db := testDB(t)
	store := NewInventoryStore(db, nil)
	store.trimBatch = 3
	inv := inventory.New(store, &inventory.Options{Clock: fulfill.NewFakeClock(t0)})
	expectations(t, inv, "acme", 10)
	whole, err := inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	n, err := store.TrimLedger(ctx, "acme", 4)
	require.NoError(t, err)
	require.Equal(t, 4, n)

	admin, err := pgx.Connect(ctx, testURL(t))
	require.NoError(t, err)
	defer admin.Close(ctx)
	tx, err := admin.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SET LOCAL search_path TO `+pgx.Identifier{db.cfg.RuntimeParams["search_path"]}.Sanitize())
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT 1 FROM inventory_checkpoints WHERE owner = 'acme' FOR UPDATE`)
	require.NoError(t, err)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	n, err = store.TrimLedger(short, "acme", 10)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Zero(t, n)
	require.NoError(t, tx.Rollback(ctx))

	kept, err := inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	assert.Equal(t, whole[4:], kept, "nothing more dropped")
	want, err := inventory.Checkpoint{}.Fold(whole[:4])
	require.NoError(t, err)
	cp, err := store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, want, cp, "nothing more folded")

	n, err = store.TrimLedger(ctx, "acme", 10)
	require.NoError(t, err)
	assert.Equal(t, 6, n)
	want, err = want.Fold(whole[4:])
	require.NoError(t, err)
	cp, err = store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, want, cp)
	got, err := inv.Arrivals(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, inventory.Arrivals(whole), got)
}

// BenchmarkTrimLedgerCheckpoint measures what folding the trimmed entries
// into the checkpoint costs a trim: each iteration appends 2,000 entries
// (expectations and receipts over 50 levels) to two owners' ledgers, then
// trims one with TrimLedger (deleting with RETURNING, folding, writing the
// checkpoint) and the other with the range deletes version 8 ran, in
// alternating order. The metric with/without is the ratio of their times
// in the same run; ns/entry-with and ns/entry-without put them per entry
// trimmed.
func BenchmarkTrimLedgerCheckpoint(b *testing.B) {
	testURL(b)
	ctx := context.Background()
	db := testDB(b)
	store := NewInventoryStore(db, nil)
	const n = 2000
	appendEntries := func(o string, from int64) {
		if err := db.withConn(ctx, func(c *pgx.Conn) error {
			_, err := c.Exec(ctx, `INSERT INTO inventory_ledger (owner, seq, at_ns, sku, location, lot, kind, reason,
				ref_type, ref_id, ref_order, reservation, idempotency_key,
				d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine, d_safety, d_incoming, d_in_transit, due_ns)
				SELECT $1, g, g, 'SKU-' || (g % 50), 'WH1', '', CASE WHEN g % 3 = 0 THEN 'expect' ELSE 'receive' END, '',
					'purchase_order', 'PO-' || (g % 7), '', '', '',
					CASE WHEN g % 3 = 0 THEN 0 ELSE 1 END, 0, 0, 0, 0, 0, CASE WHEN g % 3 = 0 THEN 2 ELSE -1 END, 0,
					CASE WHEN g % 3 = 0 THEN (g % 5) * 86400000000000 END
				FROM generate_series($2::bigint, $3::bigint) g`, o, from, from+n-1)
			if err != nil {
				return err
			}
			_, err = c.Exec(ctx, `INSERT INTO inventory_owners (owner, seq) VALUES ($1, $2)
				ON CONFLICT (owner) DO UPDATE SET seq = $2`, o, from+n-1)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	var took [2]time.Duration
	i := int64(0)
	for b.Loop() {
		from := i*n + 1
		appendEntries("ckpt", from)
		appendEntries("plain", from)
		for o := range 2 {
			j := (int(i) + o) % 2
			start := time.Now()
			if j == 0 {
				if k, err := store.TrimLedger(ctx, "ckpt", from+n-1); err != nil || k != n {
					b.Fatal(k, err)
				}
			} else if err := db.run(ctx, func(c *pgx.Conn) error {
				_, err := c.Exec(ctx, `DELETE FROM inventory_ledger WHERE owner = $1 AND seq >= $2 AND seq < $3`, "plain", from, from+n)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			took[j] += time.Since(start)
		}
		i++
	}
	b.ReportMetric(float64(took[0])/float64(took[1]), "with/without")
	b.ReportMetric(float64(took[0].Nanoseconds())/float64(i*n), "ns/entry-with")
	b.ReportMetric(float64(took[1].Nanoseconds())/float64(i*n), "ns/entry-without")
}

// TestInventoryTrimOverflow trims a ledger whose sums at a level leave
// the range of int64 (written by hand: a store never writes such a
// ledger): the batch that would overflow fails with fulfill.ErrOverflow,
// as Checkpoint.Fold does, and is rolled back whole, its entries kept and
// the checkpoint as it was, while the batches before it stay trimmed.
func TestInventoryTrimOverflow(t *testing.T) {
	testURL(t)
	t.Parallel()
	ctx := context.Background()
	db := testDB(t)
	store := NewInventoryStore(db, nil)
	require.NoError(t, db.withConn(ctx, func(c *pgx.Conn) error {
		// 1: MaxInt64 units received at MUG; 2: 5 units of PO-1 expected
		// at CUP; 3: one more unit received at MUG.
		_, err := c.Exec(ctx, `INSERT INTO inventory_ledger (owner, seq, at_ns, sku, location, lot, kind, reason,
			ref_type, ref_id, ref_order, reservation, idempotency_key,
			d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine, d_safety, d_incoming, d_in_transit, due_ns)
			VALUES ('acme', 1, 0, 'MUG', 'WH1', '', 'receive', '', '', '', '', '', '', 9223372036854775807, 0, 0, 0, 0, 0, 0, 0, NULL),
				('acme', 2, 0, 'CUP', 'WH1', '', 'expect', '', 'purchase_order', 'PO-1', '', '', '', 0, 0, 0, 0, 0, 0, 5, 0, 86400000000000),
				('acme', 3, 0, 'MUG', 'WH1', '', 'receive', '', '', '', '', '', '', 1, 0, 0, 0, 0, 0, 0, 0, NULL);
			INSERT INTO inventory_owners (owner, seq) VALUES ('acme', 3)`)
		return err
	}))
	whole, err := store.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	_, err = inventory.Checkpoint{}.Fold(whole)
	require.ErrorIs(t, err, fulfill.ErrOverflow, "the ledger overflows when folded in memory")

	n, err := store.TrimLedger(ctx, "acme", 1)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	before, err := store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)

	n, err = store.TrimLedger(ctx, "acme", 3)
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	_, ok := errors.AsType[*fulfill.OverflowError](err)
	assert.True(t, ok, "a *fulfill.OverflowError: %v", err)
	assert.Zero(t, n)
	kept, err := store.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	assert.Equal(t, whole[1:], kept, "the batch is rolled back")
	cp, err := store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, before, cp, "nothing folded")

	// In batches of one, entry 2 is trimmed before entry 3 fails.
	store.trimBatch = 1
	n, err = store.TrimLedger(ctx, "acme", 3)
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	assert.Equal(t, 1, n)
	want, err := before.Fold(whole[1:2])
	require.NoError(t, err)
	cp, err = store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, want, cp)
	assert.Len(t, cp.Arrivals, 1)
}

// TestInventoryTrimTouchesItsLevels checks that a trim batch writes only
// the checkpoint rows of the levels its entries touch: after a checkpoint
// of 200 levels, 20 of them with open arrivals, a trim of 10 entries at
// 10 of those 20 levels leaves every other row as it was (the same row
// version, xmin), and the checkpoint is that of the whole ledger.
func TestInventoryTrimTouchesItsLevels(t *testing.T) {
	testURL(t)
	t.Parallel()
	ctx := context.Background()
	db := testDB(t)
	store := NewInventoryStore(db, nil)
	const levels = 200
	require.NoError(t, appendLedger(ctx, db, "acme", levels, 1, levels+levels/10))
	n, err := store.TrimLedger(ctx, "acme", levels+levels/10)
	require.NoError(t, err)
	require.Equal(t, levels+levels/10, n)
	cp, err := store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	require.Len(t, cp.Levels, levels)
	require.Len(t, cp.Arrivals, levels/10)

	// versions returns the row version of each row of the checkpoint's
	// table, by level and (for arrivals) number.
	versions := func(table string) map[string]string {
		t.Helper()
		out := map[string]string{}
		require.NoError(t, db.withConn(ctx, func(c *pgx.Conn) error {
			ord := "0"
			if table == "inventory_checkpoint_arrivals" {
				ord = "ord"
			}
			rows, _ := c.Query(ctx, `SELECT sku || '/' || `+ord+`, xmin::text FROM `+table+` WHERE owner = 'acme'`)
			var row, xmin string
			_, err := pgx.ForEachRow(rows, []any{&row, &xmin}, func() error { out[row] = xmin; return nil })
			return err
		}))
		return out
	}
	levelsBefore, arrivalsBefore := versions("inventory_checkpoint_levels"), versions("inventory_checkpoint_arrivals")

	from, to := int64(levels+levels/10+1), int64(levels+levels/10+10)
	require.NoError(t, appendLedger(ctx, db, "acme", levels, from, to))
	batch, err := store.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	require.Len(t, batch, 10)
	touched := map[string]bool{}
	for _, e := range batch {
		touched[string(e.Key.SKU)] = true
	}
	require.Len(t, touched, 10, "ten of the 20 levels with arrivals")
	n, err = store.TrimLedger(ctx, "acme", to)
	require.NoError(t, err)
	require.Equal(t, 10, n)

	changed := func(before, after map[string]string) map[string]bool {
		out := map[string]bool{}
		for row, x := range after {
			if before[row] != x {
				out[row[:strings.IndexByte(row, '/')]] = true
			}
		}
		for row := range before {
			if _, ok := after[row]; !ok {
				out[row[:strings.IndexByte(row, '/')]] = true
			}
		}
		return out
	}
	assert.Equal(t, touched, changed(levelsBefore, versions("inventory_checkpoint_levels")), "the level sums written are those of the levels touched")
	arr := changed(arrivalsBefore, versions("inventory_checkpoint_arrivals"))
	assert.NotEmpty(t, arr)
	for sku := range arr {
		assert.True(t, touched[sku], "arrivals of %s written though the batch does not touch it", sku)
	}

	want, err := cp.Fold(batch)
	require.NoError(t, err)
	got, err := store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, want, got)
}
