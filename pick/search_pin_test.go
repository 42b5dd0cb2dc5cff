package pick

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// pinCase is one seeded local-search instance whose result is pinned in
// testdata/localsearch_pin.json.
type pinCase struct {
	name   string
	layout Layout
	orders []Order
	c      Capacity
	search LocalSearch
}

// pinned is what testdata/localsearch_pin.json records for a pinCase.
type pinned struct {
	Name    string  `json:"name"`
	Batches [][]int `json:"batches"`
	Length  int64   `json:"length_um"`
}

// pinCases builds the pinned instances: rectangles with 2, 3 and 4 cross
// aisles (4 compares tours by 2-opt), wide cross aisles, a graph layout,
// other capacities, a given start, a given router and fewer neighbours.
func pinCases(t testing.TB) []pinCase {
	rect := func(k int, w fulfill.Length, depot Depot) *Rect {
		r, err := NewRect(RectConfig{Aisles: 10, SlotsPerAisle: 30, AisleLength: 30 * fulfill.Meter,
			AisleSpacing: 3 * fulfill.Meter, CrossAisles: k, CrossAisleWidth: w, Depot: depot})
		require.NoError(t, err)
		return r
	}
	orders := func(seed uint64, r *Rect, n, maxLines int) []Order {
		return randomOrders(rand.New(rand.NewPCG(seed, 77)), r, n, maxLines)
	}
	r2, r3, r4 := rect(2, 0, Depot{}), rect(3, 0, Depot{Aisle: 4}), rect(4, 0, Depot{})
	rw := rect(3, 2*fulfill.Meter, Depot{Aisle: 9, CrossAisle: 2})
	small, err := NewRect(RectConfig{Aisles: 6, SlotsPerAisle: 8, AisleLength: 12 * fulfill.Meter, AisleSpacing: 2 * fulfill.Meter})
	require.NoError(t, err)
	g := gridGraph(t, small)
	var cases []pinCase
	for seed := range uint64(4) {
		cases = append(cases, pinCase{fmt.Sprintf("k2-50x3-lines12-seed%d", seed), r2, orders(seed, r2, 50, 3), Capacity{Lines: 12}, LocalSearch{Seed: seed}})
	}
	cases = append(cases,
		pinCase{"k2-150x5-lines15-rounds5", r2, orders(150, r2, 150, 5), Capacity{Lines: 15}, LocalSearch{Rounds: 5}},
		pinCase{"k3-80x4-units20", r3, orders(3, r3, 80, 4), Capacity{Units: 20}, LocalSearch{Seed: 9, Rounds: 10}},
		pinCase{"k4-40x3-lines10", r4, orders(4, r4, 40, 3), Capacity{Lines: 10}, LocalSearch{Seed: 2, Rounds: 5}},
		pinCase{"k3-wide-60x4-volume", rw, orders(5, rw, 60, 4), Capacity{Volume: 20 * fulfill.Liter, Totes: 4}, LocalSearch{Seed: 5, Rounds: 10, Neighbours: 3}},
		pinCase{"k2-fcfs-start-sshape-60x3", r2, orders(6, r2, 60, 3), Capacity{Lines: 10}, LocalSearch{Seed: 6, Rounds: 8, Start: FCFS{}, Router: SShape{}}},
		pinCase{"k2-seed-start-50x4-weight", r2, orders(7, r2, 50, 4), Capacity{Weight: 12 * fulfill.Kilogram}, LocalSearch{Seed: 7, Rounds: 8, Start: SeedBatcher{}, Neighbours: 10}},
	)
	gOrders := orders(8, small, 30, 3)
	cases = append(cases, pinCase{"graph-30x3-lines6", g, gOrders, Capacity{Lines: 6}, LocalSearch{Seed: 8, Rounds: 5}})
	return cases
}

// TestLocalSearchPinned checks that LocalSearch returns, for each seeded
// instance, exactly the batching recorded in testdata/localsearch_pin.json;
// go test -run TestLocalSearchPinned -update ./pick rewrites the file. The
// recorded batchings are those of the search before its cost was cut, so
// the faster search takes the same decisions.
func TestLocalSearchPinned(t *testing.T) {
	const path = "testdata/localsearch_pin.json"
	var got []pinned
	for _, pc := range pinCases(t) {
		b, err := pc.search.Batch(context.Background(), pc.layout, pc.orders, pc.c)
		require.NoError(t, err, pc.name)
		checkBatching(t, pc.layout, pc.orders, pc.c, b)
		got = append(got, pinned{Name: pc.name, Batches: batchOrders(b), Length: int64(b.Length)})
	}
	if *update {
		data, err := json.MarshalIndent(got, "", "\t")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, append(data, '\n'), 0o644))
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var want []pinned
	require.NoError(t, json.Unmarshal(data, &want))
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, want[i], got[i], want[i].Name)
	}
}

// TestLocalSearchMatchesLegacy runs the search and the baseline copy of the
// search before its cost was cut on random instances (2 to 4 cross aisles,
// every kind of capacity, random seeds, starts and neighbourhoods) and
// requires the very same batching, routes included.
func TestLocalSearchMatchesLegacy(t *testing.T) {
	n := 24
	if testing.Short() || raceEnabled {
		n = 6
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2026, 11))
	caps := []Capacity{{Lines: 8}, {Units: 12}, {Totes: 3}, {Weight: 8 * fulfill.Kilogram}, {Volume: 10 * fulfill.Liter}, {Lines: 12, Units: 20}}
	starts := []Batcher{nil, nil, FCFS{}, SeedBatcher{}}
	for i := range n {
		r := randomRect(t, rng, 2+i%3)
		orders := randomOrders(rng, r, 10+rng.IntN(40), 1+rng.IntN(4))
		c := caps[i%len(caps)]
		s := LocalSearch{Seed: rng.Uint64(), Rounds: 1 + rng.IntN(8), Neighbours: rng.IntN(8), Start: starts[i%len(starts)]}
		want, err := legacyBatch(s, ctx, r, orders, c)
		require.NoError(t, err)
		got, err := s.Batch(ctx, r, orders, c)
		require.NoError(t, err)
		require.Equal(t, batchOrders(want), batchOrders(got), "instance %d", i)
		require.Equal(t, want, got, "instance %d", i)
		// Without its tables, as on inputs too large for them.
		got, err = s.batch(ctx, r, orders, c, true)
		require.NoError(t, err)
		require.Equal(t, batchOrders(want), batchOrders(got), "instance %d without tables", i)
	}
}

// batchOrders lists the orders of each batch of b, for short messages.
func batchOrders(b Batching) [][]int {
	out := make([][]int, len(b.Batches))
	for i, bt := range b.Batches {
		out[i] = bt.Orders
	}
	return out
}
