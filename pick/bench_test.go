package pick

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
)

// benchBlock is the 10-aisle by 30-slot block of the published comparisons:
// 30 m aisles 3 m apart, depot at the front of aisle 0.
func benchBlock(tb testing.TB, k int) *Rect {
	r, err := NewRect(RectConfig{Aisles: 10, SlotsPerAisle: 30, AisleLength: 30 * fulfill.Meter,
		AisleSpacing: 3 * fulfill.Meter, CrossAisles: k})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// BenchmarkRoute times each router on 60 random picks, with 2 to 4 cross
// aisles. Compare Optimal with SShape of the same run: the ratio is the
// figure, not the absolute time.
func BenchmarkRoute(b *testing.B) {
	ctx := context.Background()
	for _, k := range []int{2, 3, 4} {
		r := benchBlock(b, k)
		rng := rand.New(rand.NewPCG(60, uint64(k)))
		sets := make([][]Bin, 64)
		for i := range sets {
			sets[i] = randomBins(rng, r, 60)
		}
		for _, rt := range []struct {
			name string
			r    Router
		}{{"sshape", SShape{}}, {"optimal", Optimal{}}, {"2-opt", TwoOpt{}}} {
			b.Run(fmt.Sprintf("k=%d/%s", k, rt.name), func(b *testing.B) {
				i := 0
				for b.Loop() {
					if _, err := rt.r.Route(ctx, r, sets[i%len(sets)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkBatch times the batchers on 150 orders of 1 to 5 lines with
// 15-line carts; FCFS is the baseline of the same run.
func BenchmarkBatch(b *testing.B) {
	r := benchBlock(b, 2)
	orders := randomOrders(rand.New(rand.NewPCG(150, 5)), r, 150, 5)
	c := Capacity{Lines: 15}
	for _, bt := range []struct {
		name string
		b    Batcher
	}{{"fcfs", FCFS{}}, {"seed", SeedBatcher{}}, {"savings", Savings{}}, {"local-5-rounds", LocalSearch{Rounds: 5}}} {
		b.Run(bt.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := bt.b.Batch(context.Background(), r, orders, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOptimalVsSShape routes the same 60-pick lists with Optimal and
// SShape in one loop and reports Optimal's time per route and its ratio to
// SShape's in the same run, for 2 and 3 cross aisles.
func BenchmarkOptimalVsSShape(b *testing.B) {
	ctx := context.Background()
	for _, k := range []int{2, 3} {
		r := benchBlock(b, k)
		rng := rand.New(rand.NewPCG(60, uint64(k)))
		sets := make([][]Bin, 64)
		for i := range sets {
			sets[i] = randomBins(rng, r, 60)
		}
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			var opt, ss time.Duration
			i := 0
			for b.Loop() {
				bins := sets[i%len(sets)]
				t0 := time.Now()
				if _, err := (Optimal{}).Route(ctx, r, bins); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := (SShape{}).Route(ctx, r, bins); err != nil {
					b.Fatal(err)
				}
				opt += t1.Sub(t0)
				ss += time.Since(t1)
				i++
			}
			b.ReportMetric(float64(opt.Microseconds())/float64(i), "µs-optimal/route")
			b.ReportMetric(float64(opt)/float64(ss), "optimal/sshape")
		})
	}
}
