package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/jackc/pgx/v5"
)

// naiveReserve is the baseline: the textbook reservation in one
// transaction, reading the level with SELECT ... FOR UPDATE and then
// updating it, with the same reservation row, ledger sequence and ledger
// entry as the store writes. The level's row lock is held across six round
// trips.
func naiveReserve(ctx context.Context, db *DB, k inventory.Key, q int64, id string, at int64) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		owner, sku, loc := string(k.Owner), string(k.SKU), string(k.Location)
		var avail int64
		if err := tx.QueryRow(ctx, `SELECT on_hand - reserved - committed - damaged - quarantine - safety FROM inventory_levels
			WHERE owner = $1 AND sku = $2 AND location = $3 AND lot = '' AND shard = 0 FOR UPDATE`, owner, sku, loc).Scan(&avail); err != nil {
			return err
		}
		if avail < q {
			return inventory.ErrInsufficientStock
		}
		if _, err := tx.Exec(ctx, `UPDATE inventory_levels SET reserved = reserved + $4, version = version + 1, updated_ns = $5
			WHERE owner = $1 AND sku = $2 AND location = $3 AND lot = '' AND shard = 0`, owner, sku, loc, q, at); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO inventory_reservations (owner, id, sku, location, lot, reserved, committed,
			ref_type, ref_id, ref_order, line, expires_ns, created_ns, version)
			VALUES ($1, $2, $3, $4, '', $5, 0, '', '', '', '', NULL, $6, 1)`, owner, id, sku, loc, q, at); err != nil {
			return err
		}
		var seq int64
		if err := tx.QueryRow(ctx, `UPDATE inventory_owners SET seq = seq + 1 WHERE owner = $1 RETURNING seq`, owner).Scan(&seq); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO inventory_ledger (owner, seq, at_ns, sku, location, lot, kind, reason,
			ref_type, ref_id, ref_order, reservation, idempotency_key,
			d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine, d_safety, d_incoming, d_in_transit)
			VALUES ($1, $2, $3, $4, $5, '', 'reserve', '', '', '', '', $6, '', 0, $7, 0, 0, 0, 0, 0, 0)`,
			owner, seq, at, sku, loc, id, q)
		return err
	})
}

// benchClients is the number of concurrent clients.
const benchClients = 16

// batch runs benchClients goroutines doing per reservations each with
// reserve, and returns how long it took.
func batch(b *testing.B, per int, reserve func(client, i int) error) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Value
	for c := range benchClients {
		wg.Go(func() {
			for i := range per {
				if err := reserve(c, i); err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	return time.Since(start)
}

// checkLedger fails b if the owner's levels, reservations and ledger
// disagree or a level is oversold.
func checkLedger(b *testing.B, s *InventoryStore, owner fulfill.OwnerID) {
	ctx := context.Background()
	ls, err := s.Levels(ctx, inventory.LevelQuery{Owner: owner})
	if err != nil {
		b.Fatal(err)
	}
	rs, err := s.Reservations(ctx, inventory.ReservationQuery{Owner: owner})
	if err != nil {
		b.Fatal(err)
	}
	es, err := s.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
	if err != nil {
		b.Fatal(err)
	}
	if d := inventory.Reconcile(ls, rs, es); len(d) > 0 {
		b.Fatalf("%s: %d discrepancies, first %s", owner, len(d), d[0])
	}
	for _, l := range ls {
		if l.Available() < 0 {
			b.Fatalf("%s oversold", l.Key)
		}
	}
}

// BenchmarkHotSKU measures single-unit reservations per second on one SKU
// with 16 concurrent clients: the naive transaction (baseline), the store
// on one row, and the store with the level split into 16 sub-rows. Each
// iteration runs one batch of each, so the ratios compare the same run.
// With replicas=4 the clients share four stores, as four service replicas
// over one database would (each store combines only its own callers).
func BenchmarkHotSKU(b *testing.B) {
	for _, replicas := range []int{1, 4} {
		b.Run(fmt.Sprint("replicas=", replicas), func(b *testing.B) { benchHotSKU(b, replicas) })
	}
}

func benchHotSKU(b *testing.B, replicas int) {
	ctx := context.Background()
	db := openSchema(b, testSchema(b), &Options{MaxConns: benchClients})
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	stores := make([]*InventoryStore, replicas)
	for i := range stores {
		stores[i] = NewInventoryStore(db, nil)
	}
	s := stores[0]
	keys := map[string]inventory.Key{}
	for _, name := range []string{"naive", "row", "split"} {
		k := inventory.Key{Owner: fulfill.OwnerID(name), SKU: "HOT", Location: "WH1"}
		keys[name] = k
		if _, err := s.Apply(ctx, receiveTxn(k, 1<<40, t0)); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Split(ctx, keys["split"], 16); err != nil {
		b.Fatal(err)
	}
	const per = 16
	var n atomic.Int64
	storeReserve := func(k inventory.Key) func(int, int) error {
		return func(c, i int) error {
			id := fmt.Sprint("r", n.Add(1))
			_, err := stores[c%replicas].Apply(ctx, reserveTxn(id, k, 1, t0))
			return err
		}
	}
	var naive, row, split time.Duration
	for b.Loop() {
		naive += batch(b, per, func(c, i int) error {
			return naiveReserve(ctx, db, keys["naive"], 1, fmt.Sprint("r", n.Add(1)), t0.UnixNano())
		})
		row += batch(b, per, storeReserve(keys["row"]))
		split += batch(b, per, storeReserve(keys["split"]))
	}
	ops := float64(b.N * per * benchClients)
	b.ReportMetric(ops/naive.Seconds(), "naive-res/s")
	b.ReportMetric(ops/row.Seconds(), "row-res/s")
	b.ReportMetric(ops/split.Seconds(), "split-res/s")
	b.ReportMetric(naive.Seconds()/row.Seconds(), "row-x")
	b.ReportMetric(naive.Seconds()/split.Seconds(), "split-x")
	b.StopTimer()
	for _, name := range []string{"naive", "row", "split"} {
		checkLedger(b, s, fulfill.OwnerID(name))
	}
}

// BenchmarkUniformSKUs measures single-unit reservations per second with
// 16 concurrent clients spread uniformly over 10,000 SKUs: the naive
// transaction (baseline) against the store.
func BenchmarkUniformSKUs(b *testing.B) {
	ctx := context.Background()
	db := openSchema(b, testSchema(b), &Options{MaxConns: benchClients})
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	s := NewInventoryStore(db, nil)
	const skus = 10_000
	// Load the levels in bulk, each with its receipt in the ledger.
	err := db.withConn(ctx, func(c *pgx.Conn) error {
		for _, owner := range []string{"naive", "store"} {
			if _, err := c.Exec(ctx, `INSERT INTO inventory_levels (owner, sku, location, lot, shard, `+levelCols+`)
				SELECT $1, 'U' || i, 'WH1', '', 0, 1000000, 0, 0, 0, 0, 0, 0, 0, 1, NULL, $2, $2 FROM generate_series(1, $3) AS i`,
				owner, t0.UnixNano(), skus); err != nil {
				return err
			}
			if _, err := c.Exec(ctx, `INSERT INTO inventory_ledger (owner, seq, at_ns, sku, location, lot, kind, reason,
				ref_type, ref_id, ref_order, reservation, idempotency_key,
				d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine, d_safety, d_incoming, d_in_transit)
				SELECT $1, i, $2, 'U' || i, 'WH1', '', 'receive', '', '', '', '', '', '', 1000000, 0, 0, 0, 0, 0, 0, 0
				FROM generate_series(1, $3) AS i`, owner, t0.UnixNano(), skus); err != nil {
				return err
			}
			if _, err := c.Exec(ctx, `INSERT INTO inventory_owners (owner, seq) VALUES ($1, $2)`, owner, skus); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	const per = 16
	var n atomic.Int64
	key := func(owner string, c, i int) inventory.Key {
		r := rand.New(rand.NewPCG(uint64(c), uint64(i)+uint64(n.Load())))
		return inventory.Key{Owner: fulfill.OwnerID(owner), SKU: fulfill.SKU(fmt.Sprint("U", 1+r.IntN(skus))), Location: "WH1"}
	}
	var naive, store time.Duration
	for b.Loop() {
		naive += batch(b, per, func(c, i int) error {
			return naiveReserve(ctx, db, key("naive", c, i), 1, fmt.Sprint("r", n.Add(1)), t0.UnixNano())
		})
		store += batch(b, per, func(c, i int) error {
			_, err := s.Apply(ctx, reserveTxn(fmt.Sprint("r", n.Add(1)), key("store", c, i), 1, t0))
			return err
		})
	}
	ops := float64(b.N * per * benchClients)
	b.ReportMetric(ops/naive.Seconds(), "naive-res/s")
	b.ReportMetric(ops/store.Seconds(), "store-res/s")
	b.ReportMetric(naive.Seconds()/store.Seconds(), "store-x")
	b.StopTimer()
	checkLedger(b, s, "naive")
	checkLedger(b, s, "store")
}
