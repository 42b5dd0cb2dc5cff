package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// migrateTo applies the embedded migrations up to version v, as a package
// that knew no later one would.
func migrateTo(t *testing.T, db *DB, v int) {
	t.Helper()
	ctx := context.Background()
	ms, err := migrations()
	require.NoError(t, err)
	require.NoError(t, db.withConn(ctx, func(c *pgx.Conn) error {
		if _, err := c.Exec(ctx, `CREATE TABLE fulfill_migrations (version INT NOT NULL PRIMARY KEY, name TEXT NOT NULL,
			applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		for _, m := range ms {
			if m.version > v {
				break
			}
			if _, err := c.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %d: %w", m.version, err)
			}
			if _, err := c.Exec(ctx, `INSERT INTO fulfill_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
				return err
			}
		}
		return nil
	}))
}

// TestInventoryMigrateRetention writes a day of operations, copies the
// rows into a database at schema version 7 (every column version 7 has:
// what the package wrote before version 8), migrates it to 8, and checks
// that the rows are dated as the migration documents, that the store
// keeps working over them, and that Prune drops what the dates say and
// never a record it could not date.
func TestInventoryMigrateRetention(t *testing.T) {
	testURL(t)
	t.Parallel()
	ctx := context.Background()
	// Times in another zone and to the nanosecond, as a receipt's JSON may
	// carry them.
	start := time.Date(2026, 3, 1, 11, 0, 0, 123456789, time.FixedZone("EET", 2*60*60))
	clock := fulfill.NewFakeClock(start)
	src := testDB(t)
	inv := inventory.New(NewInventoryStore(src, nil), &inventory.Options{Clock: clock})
	apply := func(inv *inventory.Inventory, op inventory.Operation) *inventory.Receipt {
		t.Helper()
		r, err := inv.Apply(ctx, op)
		require.NoError(t, err)
		return r
	}
	m := func(key string) inventory.Meta { return inventory.Meta{Owner: "acme", IdempotencyKey: key} }
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH1"}
	wh2, wh3 := k, k
	wh2.Location, wh3.Location = "WH2", "WH3"
	reserve := func(inv *inventory.Inventory, key string, k inventory.Key, id string, ttl time.Duration) *inventory.Receipt {
		return apply(inv, &inventory.Reserve{Meta: m(key), TTL: ttl, Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}})
	}
	// At the start: r-old is reserved (a single-line reservation, whose
	// record the combined statement writes) and released; h-old is held
	// for 30 minutes at WH2, which nothing touches again; h-swept for 10
	// minutes at WH3; and a commit of the closed r-old changes nothing, so
	// that its receipt has no level to date it by.
	for _, k := range []inventory.Key{k, wh2, wh3} {
		apply(inv, &inventory.Receive{Meta: m(""), Key: k, Quantity: 10})
	}
	reserve(inv, "res-old", k, "r-old", 0)
	apply(inv, &inventory.Release{Meta: m("rel-old"), Parts: []inventory.Part{{Reservation: "r-old"}}})
	reserve(inv, "", wh2, "h-old", 30*time.Minute)
	reserve(inv, "", wh3, "h-swept", 10*time.Minute)
	noop := apply(inv, &inventory.Commit{Meta: m("noop"), Parts: []inventory.Part{{Reservation: "r-old"}}})
	require.Empty(t, noop.Levels, "the commit of a closed reservation changes nothing")
	// An hour later a receipt at WH3 collects h-swept, and r-live is
	// reserved.
	clock.Advance(time.Hour)
	apply(inv, &inventory.Receive{Meta: m(""), Key: wh3, Quantity: 1})
	reserve(inv, "res-live", k, "r-live", 0)

	// The same rows at version 7.
	old := openSchema(t, testSchema(t), nil)
	migrateTo(t, old, 7)
	srcSchema := pgx.Identifier{src.cfg.RuntimeParams["search_path"]}.Sanitize()
	require.NoError(t, old.withConn(ctx, func(c *pgx.Conn) error {
		for table, cols := range map[string]string{
			"inventory_levels":       `owner, sku, location, lot, shard, ` + levelCols,
			"inventory_reservations": `owner, ` + resCols,
			"inventory_owners":       `owner, seq`,
			"inventory_ledger": `owner, seq, at_ns, sku, location, lot, kind, reason, ref_type, ref_id, ref_order,
				reservation, idempotency_key, d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine,
				d_safety, d_incoming, d_in_transit, due_ns, serials`,
			"inventory_idempotency": `owner, key, fingerprint, receipt, seq0, level`,
			"inventory_serials":     `owner, sku, serial, location, lot, updated_ns`,
		} {
			if _, err := c.Exec(ctx, `INSERT INTO `+table+` (`+cols+`) SELECT `+cols+` FROM `+srcSchema+`.`+table); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		return nil
	}))
	require.NoError(t, old.Migrate(ctx))

	// The dates: those the store writes, but for h-swept (its expiry, the
	// date of its last ledger entry, instead of the receipt that collected
	// it) and the commit that changed nothing (undated).
	// dates maps each row to its date, "" for none.
	ns := func(d time.Duration) string { return start.Add(d).UTC().Format(time.RFC3339Nano) }
	dates := func(db *DB, sql string) map[string]string {
		t.Helper()
		out := map[string]string{}
		require.NoError(t, db.withConn(ctx, func(c *pgx.Conn) error {
			rows, _ := c.Query(ctx, sql)
			var id string
			var at *int64
			_, err := pgx.ForEachRow(rows, []any{&id, &at}, func() error {
				out[id] = ""
				if at != nil {
					out[id] = timeOf(at).Format(time.RFC3339Nano)
				}
				return nil
			})
			return err
		}))
		return out
	}
	const resDates = `SELECT id, closed_ns FROM inventory_reservations`
	const idemDates = `SELECT key, at_ns FROM inventory_idempotency`
	assert.Equal(t, map[string]string{"r-old": ns(0), "h-old": "", "h-swept": ns(time.Hour), "r-live": ""}, dates(src, resDates))
	assert.Equal(t, map[string]string{"r-old": ns(0), "h-old": "", "h-swept": ns(10 * time.Minute), "r-live": ""}, dates(old, resDates))
	assert.Equal(t, map[string]string{"res-old": ns(0), "rel-old": ns(0), "noop": ns(0), "res-live": ns(time.Hour)}, dates(src, idemDates))
	assert.Equal(t, map[string]string{"res-old": ns(0), "rel-old": ns(0), "noop": "", "res-live": ns(time.Hour)}, dates(old, idemDates))

	// The store keeps working over the migrated rows: the same levels, the
	// ledger numbering on, retries replayed.
	store := NewInventoryStore(old, nil)
	oinv := inventory.New(store, &inventory.Options{Clock: clock})
	for _, q := range []inventory.LevelQuery{{Owner: "acme"}, {Owner: "acme", At: clock.Now()}} {
		want, err := inv.Levels(ctx, q)
		require.NoError(t, err)
		got, err := oinv.Levels(ctx, q)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	want, err := inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	got, err := oinv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	last := apply(oinv, &inventory.Receive{Meta: m(""), Key: k, Quantity: 1}).Entries[0].Seq
	assert.Equal(t, int64(len(want)+1), last, "numbered on")
	for _, key := range []string{"res-old", "rel-old", "noop", "res-live"} {
		var op inventory.Operation
		switch key {
		case "res-old":
			op = &inventory.Reserve{Meta: m(key), Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: "r-old"}}}
		case "rel-old":
			op = &inventory.Release{Meta: m(key), Parts: []inventory.Part{{Reservation: "r-old"}}}
		case "noop":
			op = &inventory.Commit{Meta: m(key), Parts: []inventory.Part{{Reservation: "r-old"}}}
		case "res-live":
			op = &inventory.Reserve{Meta: m(key), Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: "r-live"}}}
		}
		assert.True(t, apply(oinv, op).Replayed, key)
	}

	// Prune as dated: at 9:30, r-old and h-swept (dated at its expiry) and
	// the records of the start, but the undated one.
	p, err := store.Prune(ctx, "acme", start.Add(30*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, inventory.Pruned{Reservations: 2, IdempotencyKeys: 2}, p)
	rs, err := oinv.Reservations(ctx, inventory.ReservationQuery{Owner: "acme", IncludeClosed: true})
	require.NoError(t, err)
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"h-old", "r-live"}, ids)
	r := reserve(oinv, "res-old", k, "r-old", 0)
	assert.False(t, r.Replayed, "a pruned key is applied anew")
	r = apply(oinv, &inventory.Commit{Meta: m("noop"), Parts: []inventory.Part{{Reservation: "r-old"}}})
	assert.True(t, r.Replayed, "an undated record is kept")
	// Much later: every dated record goes, the undated one stays.
	p, err = store.Prune(ctx, "acme", start.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, inventory.Pruned{Reservations: 0, IdempotencyKeys: 2}, p, "res-old again and res-live")
	assert.Equal(t, map[string]string{"noop": ""}, dates(old, idemDates))
	n, err := store.TrimLedger(ctx, "acme", last)
	require.NoError(t, err)
	assert.Equal(t, int(last), n)
}

// TestRetentionMatchesMemStore applies the same random operations, clock
// and IDs to the in-memory store and to this one, and now and then trims
// both ledgers (through any Seq, bad ones included), sweeps both, and
// prunes both with the same cutoff, this store deleting in batches of one
// to three rows. Every receipt and error, every count of what was
// dropped, the reservations (closed included), pages of the ledgers and
// the ledger checkpoints must be the same.
func TestRetentionMatchesMemStore(t *testing.T) {
	testURL(t)
	t.Parallel()
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			ctx := context.Background()
			pgStore := NewInventoryStore(testDB(t), nil)
			pgStore.trimBatch, pgStore.pruneBatch = 1+int(seed), 1+int(seed)
			mem := inventory.NewMemStore()
			clkM, clkP := fulfill.NewFakeClock(t0), fulfill.NewFakeClock(t0)
			invM := inventory.New(mem, &inventory.Options{Clock: clkM, Rand: seqReader{rand.NewChaCha8([32]byte{byte(seed)})}})
			invP := inventory.New(pgStore, &inventory.Options{Clock: clkP, Rand: seqReader{rand.NewChaCha8([32]byte{byte(seed)})}})
			rng := rand.New(rand.NewPCG(seed, 11))
			var (
				res               []string
				keyed             []inventory.Operation // applied with an idempotency key
				serial            int
				last, trimmed     int64 // the last Seq appended, and trimmed through
				pruned            inventory.Pruned
				applied, replayed int
				anew              int // retries applied anew
			)
			same := func(step int, what string, m, p any) {
				t.Helper()
				require.Equal(t, canon(t, m), canon(t, p), "step %d: %s", step, what)
			}
			steps := 200
			if testing.Short() {
				steps = 60
			}
			for i := range steps {
				switch c := rng.IntN(12); {
				case c == 0:
					through := rng.Int64N(last+3) - 1 // -1 to last+1
					nm, errM := mem.TrimLedger(ctx, "acme", through)
					np, errP := pgStore.TrimLedger(ctx, "acme", through)
					require.Equal(t, fmt.Sprint(errM), fmt.Sprint(errP), "step %d: trim through %d", i, through)
					require.Equal(t, nm, np, "step %d: trim through %d", i, through)
					if errM == nil {
						trimmed = max(trimmed, through)
					}
				case c == 1:
					before := clkM.Now().Add(-time.Duration(rng.IntN(60)) * time.Minute)
					pm, err := mem.Prune(ctx, "acme", before)
					require.NoError(t, err)
					pp, err := pgStore.Prune(ctx, "acme", before)
					require.NoError(t, err)
					require.Equal(t, pm, pp, "step %d: prune before %s", i, before)
					pruned.Reservations += pm.Reservations
					pruned.IdempotencyKeys += pm.IdempotencyKeys
				case c == 2:
					nm, err := invM.Sweep(ctx, "acme")
					require.NoError(t, err)
					np, err := invP.Sweep(ctx, "acme")
					require.NoError(t, err)
					require.Equal(t, nm, np, "step %d: sweep", i)
					last += int64(nm)
				default:
					op := randomOp(rng, res, &serial)
					retry := c == 3 && len(keyed) > 0
					if retry {
						op = keyed[rng.IntN(len(keyed))] // replayed, or applied anew once pruned
					}
					rm, errM := invM.Apply(ctx, op)
					rp, errP := invP.Apply(ctx, op)
					require.Equal(t, fmt.Sprint(errM), fmt.Sprint(errP), "step %d %T", i, op)
					if errM != nil {
						break
					}
					same(i, fmt.Sprintf("%T", op), rm, rp)
					applied++
					if retry && !rm.Replayed {
						anew++
					}
					if rm.Replayed {
						replayed++
						break
					}
					if keyedOp(op) {
						keyed = append(keyed, op)
					}
					for _, e := range rm.Entries {
						last = max(last, e.Seq)
					}
					for _, r := range rm.Reservations {
						res = append(res, r.ID)
					}
				}
				if i%10 == 9 {
					rsm, err := mem.Reservations(ctx, inventory.ReservationQuery{Owner: "acme", IncludeClosed: true})
					require.NoError(t, err)
					rsp, err := pgStore.Reservations(ctx, inventory.ReservationQuery{Owner: "acme", IncludeClosed: true})
					require.NoError(t, err)
					same(i, "reservations", rsm, rsp)
					q := inventory.LedgerQuery{Owner: "acme", After: rng.Int64N(last + 1), Limit: rng.IntN(4)}
					em, err := mem.Ledger(ctx, q)
					require.NoError(t, err)
					ep, err := pgStore.Ledger(ctx, q)
					require.NoError(t, err)
					same(i, fmt.Sprintf("ledger after %d limit %d", q.After, q.Limit), em, ep)
					cm, err := mem.LedgerCheckpoint(ctx, "acme")
					require.NoError(t, err)
					cp, err := pgStore.LedgerCheckpoint(ctx, "acme")
					require.NoError(t, err)
					same(i, "ledger checkpoint", cm, cp)
				}
				d := time.Duration(rng.IntN(5)) * time.Minute
				clkM.Advance(d)
				clkP.Advance(d)
			}
			t.Logf("%d operations applied (%d replayed, %d retries applied anew), ledger trimmed through %d of %d, %d reservations and %d idempotency records pruned",
				applied, replayed, anew, trimmed, last, pruned.Reservations, pruned.IdempotencyKeys)
			require.NotZero(t, trimmed, "the sequence trimmed something")
			require.NotZero(t, pruned.Reservations, "the sequence pruned a reservation")
			require.NotZero(t, pruned.IdempotencyKeys, "the sequence pruned an idempotency record")
			require.NotZero(t, replayed, "the sequence replayed something")
			require.NotZero(t, anew, "the sequence retried a pruned key")
			lm, err := mem.Levels(ctx, inventory.LevelQuery{Owner: "acme"})
			require.NoError(t, err)
			lp, err := pgStore.Levels(ctx, inventory.LevelQuery{Owner: "acme"})
			require.NoError(t, err)
			same(steps, "levels", lm, lp)
		})
	}
}

// keyedOp reports whether op carries an idempotency key.
func keyedOp(op inventory.Operation) bool {
	b, err := json.Marshal(op)
	if err != nil {
		return false
	}
	var m struct {
		Key string `json:"idempotency_key"`
	}
	return json.Unmarshal(b, &m) == nil && m.Key != ""
}

// BenchmarkRetentionIndexWrites measures what the date indexes of schema
// version 8 cost the operations that write them: each iteration reserves
// one unit with an idempotency key (a record) and releases it with another
// (a record and a closed reservation), on a store with the indexes and on
// one without, in alternating order. The metric with/without is the ratio
// of their times in the same run.
func BenchmarkRetentionIndexWrites(b *testing.B) {
	testURL(b)
	ctx := context.Background()
	without := testDB(b)
	if err := without.withConn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `DROP INDEX inventory_reservations_closed; DROP INDEX inventory_idempotency_at`)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH1"}
	clock := fulfill.NewFakeClock(t0)
	invs := []*inventory.Inventory{
		inventory.New(NewInventoryStore(testDB(b), nil), &inventory.Options{Clock: clock}),
		inventory.New(NewInventoryStore(without, nil), &inventory.Options{Clock: clock}),
	}
	for _, inv := range invs {
		if _, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 1}); err != nil {
			b.Fatal(err)
		}
	}
	var took [2]time.Duration
	i := 0
	for b.Loop() {
		for o := range invs {
			j := (i + o) % 2
			id := fmt.Sprint("r", i)
			start := time.Now()
			if _, err := invs[j].Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: "acme", IdempotencyKey: "reserve-" + id},
				Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}}); err != nil {
				b.Fatal(err)
			}
			if _, err := invs[j].Apply(ctx, &inventory.Release{Meta: inventory.Meta{Owner: "acme", IdempotencyKey: "release-" + id},
				Parts: []inventory.Part{{Reservation: id}}}); err != nil {
				b.Fatal(err)
			}
			took[j] += time.Since(start)
		}
		i++
		clock.Advance(time.Second)
	}
	b.ReportMetric(float64(took[0])/float64(took[1]), "with/without")
}
