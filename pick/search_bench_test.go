package pick

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// localSearchInstances are the instances the local search is timed on: a
// wave of 50 orders of 1 to 3 lines with 12-line carts, as in the
// quickstart's day, and 150 orders of 1 to 5 lines with 15-line carts, as
// in BenchmarkBatch, searched for 5 and for 100 rounds.
func localSearchInstances(b *testing.B) []struct {
	name   string
	orders []Order
	c      Capacity
	s      LocalSearch
} {
	r := benchBlock(b, 2)
	return []struct {
		name   string
		orders []Order
		c      Capacity
		s      LocalSearch
	}{
		{"wave50", randomOrders(rand.New(rand.NewPCG(50, 3)), r, 50, 3), Capacity{Lines: 12}, LocalSearch{Seed: 1}},
		{"orders150", randomOrders(rand.New(rand.NewPCG(150, 5)), r, 150, 5), Capacity{Lines: 15}, LocalSearch{Rounds: 5}},
		{"orders150-rounds100", randomOrders(rand.New(rand.NewPCG(150, 5)), r, 150, 5), Capacity{Lines: 15}, LocalSearch{Rounds: 100}},
	}
}

// BenchmarkLocalSearch times the search and the baseline copy of the search
// before its cost was cut, as separate sub-benchmarks (run with -benchmem).
func BenchmarkLocalSearch(b *testing.B) {
	r := benchBlock(b, 2)
	ctx := context.Background()
	for _, in := range localSearchInstances(b) {
		b.Run(in.name+"/legacy", func(b *testing.B) {
			for b.Loop() {
				if _, err := legacyBatch(in.s, ctx, r, in.orders, in.c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/new", func(b *testing.B) {
			for b.Loop() {
				if _, err := in.s.Batch(ctx, r, in.orders, in.c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLocalSearchRatio runs the baseline and the search one after the
// other in each iteration and reports the ratios of their times and
// allocations in the same run, and that the totals agree.
func BenchmarkLocalSearchRatio(b *testing.B) {
	r := benchBlock(b, 2)
	ctx := context.Background()
	for _, in := range localSearchInstances(b) {
		b.Run(in.name, func(b *testing.B) {
			var tOld, tNew time.Duration
			var aOld, aNew uint64
			var ms runtime.MemStats
			mallocs := func() uint64 { runtime.ReadMemStats(&ms); return ms.Mallocs }
			n := 0
			for b.Loop() {
				m0, t0 := mallocs(), time.Now()
				old, err := legacyBatch(in.s, ctx, r, in.orders, in.c)
				if err != nil {
					b.Fatal(err)
				}
				t1, m1 := time.Now(), mallocs()
				got, err := in.s.Batch(ctx, r, in.orders, in.c)
				if err != nil {
					b.Fatal(err)
				}
				t2, m2 := time.Now(), mallocs()
				if old.Length != got.Length {
					b.Fatalf("lengths differ: baseline %v, search %v", old.Length, got.Length)
				}
				tOld, tNew = tOld+t1.Sub(t0), tNew+t2.Sub(t1)
				aOld, aNew = aOld+m1-m0, aNew+m2-m1
				n++
			}
			b.ReportMetric(float64(tOld.Microseconds())/float64(n)/1000, "ms-legacy/op")
			b.ReportMetric(float64(tNew.Microseconds())/float64(n)/1000, "ms-new/op")
			b.ReportMetric(float64(tOld)/float64(tNew), "speedup")
			b.ReportMetric(float64(aOld)/float64(n), "allocs-legacy/op")
			b.ReportMetric(float64(aNew)/float64(n), "allocs-new/op")
			b.ReportMetric(float64(aOld)/float64(max(aNew, 1)), "alloc-ratio")
		})
	}
}
