package pick

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resultRouters are the routers the batches are routed with in the
// equivalence tests: the default router in each of its spellings, which take
// the sweep with reused storage, and one that does not.
var resultRouters = []struct {
	name string
	r    Router
}{
	{"auto", Auto{}}, {"optimal", Optimal{}}, {"*auto", &Auto{}}, {"*optimal", &Optimal{}}, {"sshape", SShape{}},
}

// randomSets splits the orders 0..n-1 into random sets, in random order
// within each set, with an empty set now and then.
func randomSets(rng *rand.Rand, n int) [][]int {
	var sets [][]int
	for _, o := range rng.Perm(n) {
		if len(sets) == 0 || rng.IntN(4) == 0 {
			sets = append(sets, nil)
			if rng.IntN(8) == 0 {
				sets = append(sets, []int{})
			}
		}
		b := rng.IntN(len(sets))
		sets[b] = append(sets[b], o)
	}
	return sets
}

// TestResultMatchesLegacy routes random batchings of random orders on
// rectangles with 2 to 6 cross aisles (6 is beyond Optimal) and checks that
// the result is exactly what routing each batch with its router gave, as
// result did before it reused its storage: the same batches, bins, stops and
// lengths. Each problem routes several batchings in turn, so storage left by
// one batching must not change the next; with 2 or 3 cross aisles one
// batching in eight puts every order on one cart, so that long lists of
// spots are grouped too.
func TestResultMatchesLegacy(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 55))
	n := 240
	if testing.Short() || raceEnabled {
		n = 60
	}
	for i := range n {
		k := 2 + i%5
		if i%10 == 9 {
			k = MaxOptimalCrossAisles + 1
		}
		r := randomRect(t, rng, k)
		orders := randomOrders(rng, r, 1+rng.IntN(40), 1+rng.IntN(5))
		rt := resultRouters[i%len(resultRouters)]
		if k > MaxOptimalCrossAisles && rt.name == "optimal" {
			rt = resultRouters[0] // Optimal refuses the layout
		}
		p, err := newBatchProblem(ctx, r, rt.r, orders, Capacity{})
		require.NoError(t, err)
		for j := range 3 {
			sets := randomSets(rng, len(orders))
			if rng.IntN(8) == 0 && k <= 3 {
				sets = [][]int{rng.Perm(len(orders))}
			}
			want, err := p.legacyResult(sets)
			require.NoError(t, err)
			got, err := p.result(sets)
			require.NoError(t, err)
			require.Equal(t, want, got, "instance %d batching %d, %s, k=%d, sets %v", i, j, rt.name, k, sets)
		}
	}
}

// TestResultNoBatches checks that no orders give no batches: a nil list,
// as before.
func TestResultNoBatches(t *testing.T) {
	p, err := newBatchProblem(context.Background(), benchBlock(t, 2), nil, nil, Capacity{})
	require.NoError(t, err)
	for _, sets := range [][][]int{nil, {}, {nil, {}}} {
		got, err := p.result(sets)
		require.NoError(t, err)
		assert.Nil(t, got.Batches)
		assert.Zero(t, got.Length)
	}
}

// TestResultErrors checks that a router's error, and the end of the context
// during the sweep, come back from result as they did, with no batching.
func TestResultErrors(t *testing.T) {
	r := benchBlock(t, 2)
	orders := randomOrders(rand.New(rand.NewPCG(4, 4)), r, 12, 4)
	sets := [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}}
	boom := errors.New("boom")
	calls := 0
	failing := RouterFunc(func(ctx context.Context, l Layout, bins []Bin) (Route, error) {
		if calls++; calls == 2 {
			return Route{}, boom
		}
		return Optimal{}.Route(ctx, l, bins)
	})
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range []struct {
		name   string
		ctx    context.Context
		router Router
		err    error
	}{
		{"router error", context.Background(), failing, boom},
		{"cancelled", done, Auto{}, context.Canceled},
		{"cancelled optimal", done, &Optimal{}, context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls = 0
			p, err := newBatchProblem(tt.ctx, r, tt.router, orders, Capacity{})
			require.NoError(t, err)
			got, err := p.result(sets)
			require.ErrorIs(t, err, tt.err)
			assert.Equal(t, Batching{}, got)
			calls = 0
			_, errWant := p.legacyResult(sets)
			assert.Equal(t, errWant, err)
		})
	}
}

// TestResultAllocs checks that routing the chosen batches with the default
// router allocates nothing but what the Batching holds, once the problem's
// storage has grown to the batches' size: the list of batches, and each
// batch's orders, bins and stops.
func TestResultAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	ctx := context.Background()
	for _, k := range []int{2, 3, 5} {
		r := benchBlock(t, k)
		orders := randomOrders(rand.New(rand.NewPCG(150, 5)), r, 150, 5)
		p, err := newBatchProblem(ctx, r, nil, orders, Capacity{Lines: 15})
		require.NoError(t, err)
		sets := fcfsSets(p)
		sets = append(sets, nil, []int{3, 1, 2}, []int{7})
		if k <= 3 { // and a long list of spots, as one cart
			all := make([]int, 60)
			for i := range all {
				all[i] = 60 + i
			}
			sets = append(sets, all)
		}
		want := 1 + 3*(len(sets)-1)
		allocs := testing.AllocsPerRun(3, func() {
			if _, err := p.result(sets); err != nil {
				t.Fatal(err)
			}
		})
		assert.Equal(t, float64(want), allocs, "k=%d, %d batches", k, len(sets)-1)
	}
}

// TestOptimalRouteMatchesLegacy checks Optimal.Route, whose tour rebuild now
// reuses its storage, against the sweep and rebuild as they were, on random
// pick lists with 2 to 5 cross aisles, repeats and bins on cross aisles
// included.
func TestOptimalRouteMatchesLegacy(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(8, 88))
	n := 800
	if testing.Short() || raceEnabled {
		n = 200
	}
	for i := range n {
		k := 2 + i%4
		picks := 40
		if k == 5 {
			picks = 15
		}
		r := randomRect(t, rng, k)
		bins := randomBins(rng, r, rng.IntN(picks))
		want, err := legacyOptimalRoute(ctx, r, bins)
		require.NoError(t, err)
		got, err := Optimal{}.Route(ctx, r, bins)
		require.NoError(t, err)
		require.Equal(t, want, got, "instance %d: %+v bins %v", i, r.Config(), bins)
	}
}

// FuzzResult checks on fuzzed layouts, orders and batchings that result
// returns exactly what routing each batch with its router gave before it
// reused its storage, errors included, and never panics.
func FuzzResult(f *testing.F) {
	f.Add([]byte{0, 3, 10, 20, 2, 1, 0, 1, 5, 1, 3, 0, 0, 2, 8, 1, 1}, []byte{0, 1, 0, 2, 1}, 0)
	f.Add([]byte{2, 7, 19, 59, 9, 3, 4, 2, 10, 7, 19, 2, 1, 0, 0, 0, 0, 3, 3, 1, 0, 9, 9, 9, 9, 9, 9}, []byte{3, 3, 3}, 1)
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, []byte{}, 2)
	f.Add([]byte{1, 2, 5, 30, 4, 0, 1, 0, 9, 0, 0, 0, 0, 1, 4, 0, 1, 4, 1, 1, 2, 2, 1, 0, 3, 3, 2}, []byte{0, 0, 0, 1, 1}, 4)
	f.Fuzz(func(t *testing.T, data, split []byte, router int) {
		r, bins, err := fuzzInstance(data)
		require.NoError(t, err)
		var orders []Order
		for i := 0; i < len(bins); i += 2 {
			o := Order{ID: fmt.Sprint("o", i)}
			for _, b := range bins[i:min(i+2, len(bins))] {
				o.Lines = append(o.Lines, Line{Bin: b, Quantity: 1})
			}
			orders = append(orders, o)
		}
		rt := resultRouters[(router%len(resultRouters)+len(resultRouters))%len(resultRouters)]
		p, err := newBatchProblem(context.Background(), r, rt.r, orders, Capacity{})
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidBin)
			return
		}
		// Order o goes to the set its byte of split names, in the order
		// the bytes say; missing bytes put it in set 0.
		fb := &fuzzBytes{split}
		sets := make([][]int, 4)
		for o := range orders {
			b := fb.next(len(sets))
			sets[b] = append([]int{o}, sets[b]...)
		}
		for range 2 { // the second time on storage the first left
			want, errWant := p.legacyResult(sets)
			got, err := p.result(sets)
			require.Equal(t, errWant, err)
			require.Equal(t, want, got)
		}
	})
}

// BenchmarkResultRatio times the routing of the chosen batches as it was
// before it reused its storage and as it is now, one after the other in
// each iteration, and reports the ratios of their times and allocations in
// the same run, checking that both give the same total. On 150 orders of 1
// to 5 lines with 15-line carts (as in BenchmarkBatch), with 2 and 3 cross
// aisles: "fcfs" and "local" route FCFS's and LocalSearch's batches, each
// time on a fresh problem; "fcfs-call" and "local-call" time the whole
// batching call, the old one finishing with the old routing; "route" times
// Optimal.Route on 60-pick lists, whose tour rebuild changed too.
func BenchmarkResultRatio(b *testing.B) {
	ctx := context.Background()
	c := Capacity{Lines: 15}
	type instance struct {
		name      string
		prep      func() // untimed, before each pair
		old, from func() (fulfill.Length, error)
	}
	var ins []instance
	for _, k := range []int{2, 3} {
		r := benchBlock(b, k)
		orders := randomOrders(rand.New(rand.NewPCG(150, 5)), r, 150, 5)
		p, err := newBatchProblem(ctx, r, nil, orders, c)
		require.NoError(b, err)
		fcfs := fcfsSets(p)
		start, err := LocalSearch{Rounds: 5}.Batch(ctx, r, orders, c)
		require.NoError(b, err)
		var local [][]int
		for _, bt := range start.Batches {
			local = append(local, bt.Orders)
		}
		var pOld, pNew *batchProblem
		fresh := func() {
			pOld, _ = newBatchProblem(ctx, r, nil, orders, c)
			pNew, _ = newBatchProblem(ctx, r, nil, orders, c)
		}
		length := func(bt Batching, err error) (fulfill.Length, error) { return bt.Length, err }
		// LocalSearch.Batch with the old routing at the end.
		oldLocal := func() (fulfill.Length, error) {
			s := LocalSearch{Rounds: 5}
			p, err := newBatchProblem(ctx, r, nil, orders, c)
			if err != nil {
				return 0, err
			}
			sets, err := savingsSets(p, startNear)
			if err != nil {
				return 0, err
			}
			best := newSearcher(ctx, p, s.Seed, 6).run(sets, s.Rounds)
			if p.err != nil {
				return 0, p.err
			}
			return length(p.legacyResult(best))
		}
		rng := rand.New(rand.NewPCG(60, uint64(k)))
		lists := make([][]Bin, 64)
		for i := range lists {
			lists[i] = randomBins(rng, r, 60)
		}
		list := 0
		ins = append(ins,
			instance{fmt.Sprintf("k=%d/fcfs", k), fresh,
				func() (fulfill.Length, error) { return length(pOld.legacyResult(fcfs)) },
				func() (fulfill.Length, error) { return length(pNew.result(fcfs)) }},
			instance{fmt.Sprintf("k=%d/local", k), fresh,
				func() (fulfill.Length, error) { return length(pOld.legacyResult(local)) },
				func() (fulfill.Length, error) { return length(pNew.result(local)) }},
			instance{fmt.Sprintf("k=%d/fcfs-call", k), func() {},
				func() (fulfill.Length, error) {
					p, err := newBatchProblem(ctx, r, nil, orders, c)
					if err != nil {
						return 0, err
					}
					return length(p.legacyResult(fcfsSets(p)))
				},
				func() (fulfill.Length, error) { return length(FCFS{}.Batch(ctx, r, orders, c)) }},
			instance{fmt.Sprintf("k=%d/local-call", k), func() {}, oldLocal,
				func() (fulfill.Length, error) { return length(LocalSearch{Rounds: 5}.Batch(ctx, r, orders, c)) }},
			instance{fmt.Sprintf("k=%d/route", k), func() { list = (list + 1) % len(lists) },
				func() (fulfill.Length, error) {
					rt, err := legacyOptimalRoute(ctx, r, lists[list])
					return rt.Length, err
				},
				func() (fulfill.Length, error) {
					rt, err := Optimal{}.Route(ctx, r, lists[list])
					return rt.Length, err
				}})
	}
	for _, in := range ins {
		b.Run(in.name, func(b *testing.B) {
			var tOld, tNew time.Duration
			var aOld, aNew uint64
			var ms runtime.MemStats
			mallocs := func() uint64 { runtime.ReadMemStats(&ms); return ms.Mallocs }
			n := 0
			for b.Loop() {
				in.prep()
				m0, t0 := mallocs(), time.Now()
				old, err := in.old()
				t1, m1 := time.Now(), mallocs()
				require.NoError(b, err)
				m2, t2 := mallocs(), time.Now()
				got, err := in.from()
				t3, m3 := time.Now(), mallocs()
				require.NoError(b, err)
				if old != got {
					b.Fatalf("totals differ: before %v, now %v", old, got)
				}
				tOld, tNew = tOld+t1.Sub(t0), tNew+t3.Sub(t2)
				aOld, aNew = aOld+m1-m0, aNew+m3-m2
				n++
			}
			b.ReportMetric(float64(tOld.Microseconds())/float64(n), "µs-before/op")
			b.ReportMetric(float64(tNew.Microseconds())/float64(n), "µs-now/op")
			b.ReportMetric(float64(tOld)/float64(tNew), "speedup")
			b.ReportMetric(float64(aOld)/float64(n), "allocs-before/op")
			b.ReportMetric(float64(aNew)/float64(n), "allocs-now/op")
			b.ReportMetric(float64(aOld)/float64(max(aNew, 1)), "alloc-ratio")
		})
	}
}
