package order

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
)

// expiryBench is a MemStore of one owner's orders for the expiry
// benchmarks: at sweep time, 1% are due, 49% have a TTL not yet passed and
// 50% were placed without one.
type expiryBench struct {
	b      *testing.B
	s      *MemStore
	now    time.Time     // sweep time
	rng    *rand.Rand    // draws TTLs
	random *rand.ChaCha8 // draws order IDs
}

// newExpiryBench returns a store of n orders.
func newExpiryBench(b *testing.B, n int) *expiryBench {
	e := &expiryBench{b: b, s: new(MemStore), now: t0.Add(24 * time.Hour), rng: newRand(11), random: rand.NewChaCha8([32]byte{11})}
	for i := range n {
		switch {
		case i%100 == 0:
			e.place(e.dueTTL())
		case i%2 == 0:
			e.place(24*time.Hour + time.Duration(1+e.rng.Int64N(int64(48*time.Hour/time.Second)))*time.Second)
		default:
			e.place(0)
		}
	}
	return e
}

// dueTTL returns a TTL that has passed by sweep time, to the second.
func (e *expiryBench) dueTTL() time.Duration {
	return time.Hour + time.Duration(e.rng.Int64N(int64(22*time.Hour/time.Second)))*time.Second
}

// place stores a new order placed at t0 with the TTL.
func (e *expiryBench) place(ttl time.Duration) {
	id, err := fulfill.NewOrderID(e.random)
	if err != nil {
		e.b.Fatal(err)
	}
	r := placeRq
	r.TTL = ttl
	o, events, err := Place(id, owner, t0, r)
	if err != nil {
		e.b.Fatal(err)
	}
	if err := e.s.Create(context.Background(), Change{Order: o, Events: events}); err != nil {
		e.b.Fatal(err)
	}
}

// BenchmarkExpiringBy lists the due orders of 100,000 stored ones, 1% of
// them due, through the index and through the full scan it replaced, both
// in every iteration so that both see the same machine load. It reports
// the time and allocations of each (index-ns/op, scan-ns/op, whose sum is
// ns/op; index-allocs/op, scan-allocs/op) and how many times slower the
// scan is (scan/index).
func BenchmarkExpiringBy(b *testing.B) {
	ctx := context.Background()
	e := newExpiryBench(b, 100_000)
	for _, limit := range []int{100, 1000} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			got, err := e.s.ExpiringBy(ctx, owner, e.now, limit)
			if err != nil {
				b.Fatal(err)
			}
			want, err := e.s.scanExpiringBy(ctx, owner, e.now, limit)
			if err != nil {
				b.Fatal(err)
			}
			if len(got) != limit || !slices.Equal(got, want) {
				b.Fatalf("the index lists %d orders, the scan %d, or not the same ones", len(got), len(want))
			}
			allocs := func(list func(context.Context, fulfill.OwnerID, time.Time, int) ([]fulfill.OrderID, error)) float64 {
				return testing.AllocsPerRun(3, func() { _, _ = list(ctx, owner, e.now, limit) })
			}
			indexAllocs, scanAllocs := allocs(e.s.ExpiringBy), allocs(e.s.scanExpiringBy)
			var index, scan time.Duration
			for b.Loop() {
				start := time.Now()
				if _, err := e.s.ExpiringBy(ctx, owner, e.now, limit); err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				if _, err := e.s.scanExpiringBy(ctx, owner, e.now, limit); err != nil {
					b.Fatal(err)
				}
				index += mid.Sub(start)
				scan += time.Since(mid)
			}
			b.ReportMetric(float64(index.Nanoseconds())/float64(b.N), "index-ns/op")
			b.ReportMetric(float64(scan.Nanoseconds())/float64(b.N), "scan-ns/op")
			b.ReportMetric(float64(scan)/float64(index), "scan/index")
			b.ReportMetric(indexAllocs, "index-allocs/op")
			b.ReportMetric(scanAllocs, "scan-allocs/op")
		})
	}
}

// BenchmarkExpireDue sweeps 100 due orders with Service.ExpireDue over a
// store of 100,000 orders, 1% of them due, once with the index and once
// with the full scan, in every iteration; after each sweep 100 new due
// orders are placed (not timed), so 1,000 stay due and the store grows by
// 200 orders an iteration. It reports the time of each sweep
// (index-ns/sweep, scan-ns/sweep) and how many times slower the scan's is
// (scan/index).
func BenchmarkExpireDue(b *testing.B) {
	ctx := context.Background()
	e := newExpiryBench(b, 100_000)
	clock := fulfill.ClockFunc(func() time.Time { return e.now })
	indexed := &Service{Store: e.s, Clock: clock}
	scanned := &Service{Store: scanStore{e.s}, Clock: clock}
	sweep := func(svc *Service) time.Duration {
		start := time.Now()
		n, err := svc.ExpireDue(ctx, owner, 100)
		d := time.Since(start)
		if err != nil || n != 100 {
			b.Fatalf("ExpireDue = %d, %v; want 100, nil", n, err)
		}
		for range n {
			e.place(e.dueTTL())
		}
		return d
	}
	var index, scan time.Duration
	for b.Loop() {
		index += sweep(indexed)
		scan += sweep(scanned)
	}
	b.ReportMetric(float64(index.Nanoseconds())/float64(b.N), "index-ns/sweep")
	b.ReportMetric(float64(scan.Nanoseconds())/float64(b.N), "scan-ns/sweep")
	b.ReportMetric(float64(scan)/float64(index), "scan/index")
}
