package pick

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomOrders returns n orders of 1 to maxLines lines on random bins of r.
func randomOrders(rng *rand.Rand, r *Rect, n, maxLines int) []Order {
	orders := make([]Order, n)
	for i := range orders {
		lines := make([]Line, 1+rng.IntN(maxLines))
		for j, b := range randomBins(rng, r, len(lines)) {
			lines[j] = Line{Bin: b, Quantity: 1 + rng.Int64N(3), Weight: fulfill.Mass(1+rng.IntN(2000)) * fulfill.Gram,
				Volume: fulfill.Volume(1+rng.IntN(3000)) * fulfill.CubicCentimeter}
		}
		orders[i] = Order{ID: fmt.Sprintf("o%d", i), Lines: lines}
	}
	return orders
}

// checkBatching verifies a batching independently: every order in exactly
// one batch, every batch within capacity, every route valid, lengths summed.
func checkBatching(t *testing.T, l Layout, orders []Order, c Capacity, b Batching) {
	t.Helper()
	seen := make([]int, len(orders))
	var total fulfill.Length
	for n, batch := range b.Batches {
		require.NotEmpty(t, batch.Orders, "batch %d", n)
		var ld load
		var bins []Bin
		for _, o := range batch.Orders {
			seen[o]++
			ld = ld.plus(load{totes: max(orders[o].Totes, 1)})
			for _, ln := range orders[o].Lines {
				ld = ld.plus(load{lines: 1, units: ln.Quantity, volume: ln.Volume, weight: ln.Weight})
				bins = append(bins, ln.Bin)
			}
		}
		require.True(t, ld.fits(c), "batch %d over capacity: %+v", n, ld)
		require.Equal(t, bins, batch.Bins)
		require.NoError(t, Verify(l, batch.Bins, batch.Route))
		total += batch.Route.Length
	}
	for o, n := range seen {
		require.Equal(t, 1, n, "order %d batched %d times", o, n)
	}
	require.Equal(t, total, b.Length)
}

func allBatchers(seed uint64) []struct {
	name string
	b    Batcher
} {
	return []struct {
		name string
		b    Batcher
	}{
		{"fcfs", FCFS{}}, {"seed", SeedBatcher{}}, {"savings", Savings{}},
		{"local", LocalSearch{Seed: seed, Rounds: 3}},
	}
}

func TestBatchersValid(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(11, 11))
	caps := []Capacity{{Lines: 10}, {Units: 12}, {Totes: 3}, {Weight: 8 * fulfill.Kilogram}, {Volume: 10 * fulfill.Liter}, {}}
	for i := range 12 {
		r := randomRect(t, rng, 2+i%2)
		c := caps[i%len(caps)]
		n := 5 + rng.IntN(25)
		if c == (Capacity{}) {
			n = 6 // one cart for everything: keep the tour small
		}
		orders := randomOrders(rng, r, n, 4)
		for _, bt := range allBatchers(uint64(i)) {
			got, err := bt.b.Batch(ctx, r, orders, c)
			require.NoError(t, err, bt.name)
			checkBatching(t, r, orders, c, got)
		}
	}
}

func TestLocalSearchDeterministicAndNoWorse(t *testing.T) {
	ctx := context.Background()
	r := benchBlock(t, 2)
	orders := randomOrders(rand.New(rand.NewPCG(1, 2)), r, 60, 5)
	c := Capacity{Lines: 15}
	start, err := Savings{}.Batch(ctx, r, orders, c)
	require.NoError(t, err)
	a, err := LocalSearch{Seed: 7, Rounds: 4}.Batch(ctx, r, orders, c)
	require.NoError(t, err)
	b, err := LocalSearch{Seed: 7, Rounds: 4}.Batch(ctx, r, orders, c)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.LessOrEqual(t, a.Length, start.Length)
	checkBatching(t, r, orders, c, a)
}

func TestLocalSearchStopsAtDeadline(t *testing.T) {
	r := benchBlock(t, 2)
	orders := randomOrders(rand.New(rand.NewPCG(3, 2)), r, 60, 5)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	// A router that cancels the context after the start is built ends the
	// search early; the result is still a valid batching.
	router := RouterFunc(func(rctx context.Context, l Layout, bins []Bin) (Route, error) {
		calls++
		if calls == 3000 {
			cancel()
		}
		return Optimal{}.Route(rctx, l, bins)
	})
	got, err := LocalSearch{Router: router, Rounds: 1000}.Batch(ctx, r, orders, Capacity{Lines: 12})
	require.NoError(t, err)
	checkBatching(t, r, orders, Capacity{Lines: 12}, got)
	assert.GreaterOrEqual(t, calls, 3000, "the context was cancelled during the search")
	assert.Less(t, calls, 3100, "the search stopped soon after the context ended")
}

func TestBatchErrors(t *testing.T) {
	r := benchBlock(t, 2)
	ok := Line{Bin: Bin{Aisle: 1, Slot: 2, Side: SideLeft}, Quantity: 1}
	tests := []struct {
		name   string
		orders []Order
		c      Capacity
		kind   error
	}{
		{"no lines", []Order{{ID: "a"}}, Capacity{}, ErrInvalidOrder},
		{"no id", []Order{{Lines: []Line{ok}}}, Capacity{}, ErrInvalidOrder},
		{"duplicate id", []Order{{ID: "a", Lines: []Line{ok}}, {ID: "a", Lines: []Line{ok}}}, Capacity{}, ErrInvalidOrder},
		{"zero quantity", []Order{{ID: "a", Lines: []Line{{Bin: ok.Bin}}}}, Capacity{}, ErrInvalidOrder},
		{"negative weight", []Order{{ID: "a", Lines: []Line{{Bin: ok.Bin, Quantity: 1, Weight: -1}}}}, Capacity{}, ErrInvalidOrder},
		{"too big", []Order{{ID: "a", Lines: []Line{ok, ok}}}, Capacity{Lines: 1}, ErrInvalidOrder},
		{"too many totes", []Order{{ID: "a", Lines: []Line{ok}, Totes: 3}}, Capacity{Totes: 2}, ErrInvalidOrder},
		{"negative capacity", []Order{{ID: "a", Lines: []Line{ok}}}, Capacity{Units: -1}, ErrInvalidCapacity},
		{"unknown bin", []Order{{ID: "a", Lines: []Line{{Bin: Bin{Aisle: 99, Side: SideLeft}, Quantity: 1}}}}, Capacity{}, ErrInvalidBin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, bt := range allBatchers(1) {
				_, err := bt.b.Batch(context.Background(), r, tt.orders, tt.c)
				assert.ErrorIs(t, err, tt.kind, bt.name)
			}
		})
	}
}

func TestFCFSKeepsArrivalOrder(t *testing.T) {
	r := benchBlock(t, 2)
	line := func(a int) Line { return Line{Bin: Bin{Aisle: a, Slot: 1, Side: SideRight}, Quantity: 1} }
	orders := []Order{
		{ID: "a", Lines: []Line{line(0), line(9)}},
		{ID: "b", Lines: []Line{line(5)}},
		{ID: "c", Lines: []Line{line(9)}},
		{ID: "d", Lines: []Line{line(0), line(1)}},
	}
	got, err := FCFS{}.Batch(context.Background(), r, orders, Capacity{Lines: 3})
	require.NoError(t, err)
	require.Len(t, got.Batches, 2)
	assert.Equal(t, []int{0, 1}, got.Batches[0].Orders)
	assert.Equal(t, []int{2, 3}, got.Batches[1].Orders)
	// Savings pairs the orders sharing aisle 9 and those near aisle 0.
	sv, err := Savings{}.Batch(context.Background(), r, orders, Capacity{Lines: 3})
	require.NoError(t, err)
	assert.LessOrEqual(t, sv.Length, got.Length)
}

// TestSavingsNearPairs checks the savings start that routes only near
// pairs: still a valid batching, and no worse than FCFS.
func TestSavingsNearPairs(t *testing.T) {
	ctx := context.Background()
	r := benchBlock(t, 2)
	orders := randomOrders(rand.New(rand.NewPCG(9, 9)), r, 80, 5)
	c := Capacity{Lines: 14}
	p, err := newBatchProblem(ctx, r, nil, orders, c)
	require.NoError(t, err)
	sets, err := savingsSets(p, 5)
	require.NoError(t, err)
	got, err := p.result(sets)
	require.NoError(t, err)
	checkBatching(t, r, orders, c, got)
	fcfs, err := FCFS{}.Batch(ctx, r, orders, c)
	require.NoError(t, err)
	assert.Less(t, got.Length, fcfs.Length)
}
