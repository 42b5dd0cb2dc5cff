package inventory_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
)

// globalStore is the baseline: the same store behind one global mutex, as
// a naive implementation would serialise every operation.
type globalStore struct {
	mu sync.Mutex // guards s
	s  inventory.MemStore
}

func (g *globalStore) Apply(ctx context.Context, t *inventory.Txn) (*inventory.Receipt, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.s.Apply(ctx, t)
}

func (g *globalStore) Levels(ctx context.Context, q inventory.LevelQuery) ([]inventory.Level, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.s.Levels(ctx, q)
}

func (g *globalStore) Reservations(ctx context.Context, q inventory.ReservationQuery) ([]inventory.Reservation, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.s.Reservations(ctx, q)
}

func (g *globalStore) Ledger(ctx context.Context, q inventory.LedgerQuery) ([]inventory.Entry, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.s.Ledger(ctx, q)
}

// fixedClock reads one instant without locking, so that the clock is not
// what the benchmarks measure.
var fixedClock = fulfill.ClockFunc(func() time.Time { return t0 })

func stores() []struct {
	name string
	new  func() inventory.Store
} {
	return []struct {
		name string
		new  func() inventory.Store
	}{
		{"global-mutex", func() inventory.Store { return new(globalStore) }},
		{"per-level", func() inventory.Store { return new(inventory.MemStore) }},
	}
}

// benchReserveRelease reserves and releases one unit in parallel; with
// distinct set, each goroutine uses its own SKU, otherwise all share one.
func benchReserveRelease(b *testing.B, distinct bool) {
	for _, st := range stores() {
		b.Run(st.name, func(b *testing.B) {
			ctx := context.Background()
			inv := inventory.New(st.new(), &inventory.Options{Clock: fixedClock})
			const skus = 256
			for i := range skus {
				k := inventory.Key{Owner: "acme", SKU: fulfill.SKU("SKU" + strconv.Itoa(i)), Location: "WH"}
				if _, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 1 << 40}); err != nil {
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				g := next.Add(1)
				sku := "SKU0"
				if distinct {
					sku = "SKU" + strconv.FormatInt(g%skus, 10)
				}
				k := inventory.Key{Owner: "acme", SKU: fulfill.SKU(sku), Location: "WH"}
				m := inventory.Meta{Owner: "acme"}
				n := 0
				for pb.Next() {
					n++
					id := strconv.FormatInt(g, 10) + "-" + strconv.Itoa(n)
					if _, err := inv.Apply(ctx, &inventory.Reserve{Meta: m, Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}}); err != nil {
						b.Error(err)
						return
					}
					if _, err := inv.Apply(ctx, &inventory.Release{Meta: m, Parts: []inventory.Part{{Reservation: id}}}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkReserveReleaseDistinctSKUs: reserve+release on distinct SKUs in
// parallel, per-level locking against one global mutex. Run with -cpu 1,2,4.
func BenchmarkReserveReleaseDistinctSKUs(b *testing.B) { benchReserveRelease(b, true) }

// BenchmarkReserveReleaseHotSKU: every goroutine on one SKU.
func BenchmarkReserveReleaseHotSKU(b *testing.B) { benchReserveRelease(b, false) }

// BenchmarkReserve50Lines reserves and cancels a 50-line order atomically,
// against the baseline of 50 single-line reservations (not atomic).
func BenchmarkReserve50Lines(b *testing.B) {
	ctx := context.Background()
	setup := func(b *testing.B) (*inventory.Inventory, []inventory.Key) {
		inv := inventory.New(new(inventory.MemStore), &inventory.Options{Clock: fixedClock})
		keys := make([]inventory.Key, 50)
		for i := range keys {
			keys[i] = inventory.Key{Owner: "acme", SKU: fulfill.SKU(fmt.Sprintf("SKU%02d", i)), Location: fulfill.LocationID(fmt.Sprintf("WH%d", i%3))}
			if _, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: keys[i], Quantity: 1 << 40}); err != nil {
				b.Fatal(err)
			}
		}
		return inv, keys
	}
	m := inventory.Meta{Owner: "acme"}
	b.Run("line-by-line", func(b *testing.B) {
		inv, keys := setup(b)
		n := 0
		cpu := cpuTime()
		defer func() { b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op") }()
		for b.Loop() {
			ids := make([]string, len(keys))
			for i, k := range keys {
				n++
				ids[i] = strconv.Itoa(n)
				if _, err := inv.Apply(ctx, &inventory.Reserve{Meta: m, Lines: []inventory.ReserveLine{{Key: k, Quantity: 2, ID: ids[i]}}}); err != nil {
					b.Fatal(err)
				}
			}
			for _, id := range ids {
				if _, err := inv.Apply(ctx, &inventory.Unreserve{Meta: m, Reservations: []string{id}}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("atomic-50", func(b *testing.B) {
		inv, keys := setup(b)
		n := 0
		cpu := cpuTime()
		defer func() { b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op") }()
		for b.Loop() {
			op := &inventory.Reserve{Meta: m}
			ids := make([]string, len(keys))
			for i, k := range keys {
				n++
				ids[i] = strconv.Itoa(n)
				op.Lines = append(op.Lines, inventory.ReserveLine{Key: k, Quantity: 2, ID: ids[i]})
			}
			if _, err := inv.Apply(ctx, op); err != nil {
				b.Fatal(err)
			}
			if _, err := inv.Apply(ctx, &inventory.Unreserve{Meta: m, Reservations: ids}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPlan20Locations plans a 10-line order over 20 locations holding
// 10 SKUs, FewestShipments (greedy beyond 12 locations) and the others
// against the plain priority list as baseline.
func BenchmarkPlan20Locations(b *testing.B) {
	var levels []inventory.Level
	var locs []fulfill.LocationID
	for l := range 20 {
		loc := fulfill.LocationID(fmt.Sprintf("L%02d", l))
		locs = append(locs, loc)
		for s := range 10 {
			if (l+s)%3 == 0 {
				continue
			}
			levels = append(levels, lvl(fmt.Sprintf("S%d", s), string(loc), int64(1+(l*7+s*3)%9)))
		}
	}
	req := inventory.Request{Owner: "acme", At: t0}
	for s := range 10 {
		req.Lines = append(req.Lines, inventory.Line{SKU: fulfill.SKU(fmt.Sprintf("S%d", s)), Quantity: int64(3 + s%4)})
	}
	for _, tc := range []struct {
		name string
		s    inventory.Strategy
	}{
		{"priority-baseline", inventory.Priority{Locations: locs}},
		{"fewest-shipments", inventory.FewestShipments{}},
		{"highest-stock", inventory.HighestStock{}},
		{"closest", inventory.Closest{Distance: func(l fulfill.LocationID) (int64, bool) { return int64(l[2]), true }}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var ships int
			cpu := cpuTime()
			for b.Loop() {
				a, err := inventory.Plan(req, levels, tc.s)
				if err != nil {
					b.Fatal(err)
				}
				ships = len(a.Shipments())
			}
			b.ReportMetric(float64(ships), "shipments")
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
	// Exact search at its limit: 12 locations.
	var twelve []inventory.Level
	for _, l := range levels {
		if l.Location < "L12" {
			twelve = append(twelve, l)
		}
	}
	for _, tc := range []struct {
		name string
		s    inventory.Strategy
	}{
		{"12-locations-greedy", inventory.FewestShipments{ExactLimit: -1}},
		{"12-locations-exact", inventory.FewestShipments{}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var ships int
			cpu := cpuTime()
			for b.Loop() {
				a, err := inventory.Plan(req, twelve, tc.s)
				if err != nil {
					b.Fatal(err)
				}
				ships = len(a.Shipments())
			}
			b.ReportMetric(float64(ships), "shipments")
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkReserveReleaseRatio interleaves short parallel bursts of
// reserve+release on the per-level store and on the global-mutex baseline,
// so that both see the same machine load, and reports the time of the
// per-level store as a fraction of the baseline's (below 1 is faster).
func BenchmarkReserveReleaseRatio(b *testing.B) {
	for _, distinct := range []bool{true, false} {
		name := "hot-sku"
		if distinct {
			name = "distinct-skus"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			const skus, workers, perWorker = 64, 8, 25
			mk := func(s inventory.Store) *inventory.Inventory {
				inv := inventory.New(s, &inventory.Options{Clock: fixedClock})
				for i := range skus {
					k := inventory.Key{Owner: "acme", SKU: fulfill.SKU("SKU" + strconv.Itoa(i)), Location: "WH"}
					if _, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 1 << 40}); err != nil {
						b.Fatal(err)
					}
				}
				return inv
			}
			base, sub := mk(new(globalStore)), mk(new(inventory.MemStore))
			var seq atomic.Int64
			burst := func(inv *inventory.Inventory) time.Duration {
				start := time.Now()
				var wg sync.WaitGroup
				for w := range workers {
					wg.Go(func() {
						sku := "SKU0"
						if distinct {
							sku = "SKU" + strconv.Itoa(w%skus)
						}
						k := inventory.Key{Owner: "acme", SKU: fulfill.SKU(sku), Location: "WH"}
						m := inventory.Meta{Owner: "acme"}
						for range perWorker {
							id := strconv.FormatInt(seq.Add(1), 10)
							if _, err := inv.Apply(ctx, &inventory.Reserve{Meta: m, Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}}); err != nil {
								b.Error(err)
								return
							}
							if _, err := inv.Apply(ctx, &inventory.Release{Meta: m, Parts: []inventory.Part{{Reservation: id}}}); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				return time.Since(start)
			}
			var tBase, tSub time.Duration
			i := 0
			for b.Loop() {
				if i%2 == 0 {
					tBase += burst(base)
					tSub += burst(sub)
				} else {
					tSub += burst(sub)
					tBase += burst(base)
				}
				i++
			}
			b.ReportMetric(float64(tSub)/float64(tBase), "per-level/global")
			b.ReportMetric(float64(tBase.Nanoseconds())/float64(i*workers*perWorker), "global-ns/op-pair")
			b.ReportMetric(float64(tSub.Nanoseconds())/float64(i*workers*perWorker), "per-level-ns/op-pair")
		})
	}
}
