package pick

import (
	"context"
	"flag"
	"math/rand/v2"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var long = flag.Bool("long", false, "run the long randomized checks")

// randomRect returns a random small rectangular layout with k cross aisles.
func randomRect(t testing.TB, rng *rand.Rand, k int) *Rect {
	t.Helper()
	cfg := RectConfig{
		Aisles:          1 + rng.IntN(7),
		SlotsPerAisle:   1 + rng.IntN(30),
		AisleLength:     fulfill.Length(5+rng.IntN(40)) * fulfill.Meter / 2,
		AisleSpacing:    fulfill.Length(1+rng.IntN(8)) * fulfill.Meter / 2,
		CrossAisles:     k,
		CrossAisleWidth: fulfill.Length(rng.IntN(3)) * fulfill.Meter / 2,
	}
	cfg.Depot = Depot{Aisle: rng.IntN(cfg.Aisles), CrossAisle: rng.IntN(k)}
	r, err := NewRect(cfg)
	require.NoError(t, err)
	return r
}

// randomBins returns n random bins of r.
func randomBins(rng *rand.Rand, r *Rect, n int) []Bin {
	cfg := r.Config()
	bins := make([]Bin, n)
	for i := range bins {
		side := SideLeft
		if rng.IntN(2) == 1 {
			side = SideRight
		}
		bins[i] = Bin{Aisle: rng.IntN(cfg.Aisles), Slot: rng.IntN(cfg.SlotsPerAisle), Level: rng.IntN(3), Side: side}
	}
	return bins
}

// TestOptimalMatchesHeldKarp checks the sweep against an independent exact
// method over the layout's shortest-path distances on thousands of random
// instances with 2, 3 and 4 cross aisles.
func TestOptimalMatchesHeldKarp(t *testing.T) {
	n := 2000
	if testing.Short() || raceEnabled {
		n = 300
	}
	if *long {
		n = 10000
	}
	ctx := context.Background()
	for _, k := range []int{2, 3, 4} {
		rng := rand.New(rand.NewPCG(uint64(k), 42))
		for i := range n {
			r := randomRect(t, rng, k)
			bins := randomBins(rng, r, rng.IntN(11))
			got, err := Optimal{}.Route(ctx, r, bins)
			require.NoError(t, err)
			want, err := Exact{}.Route(ctx, r, bins)
			require.NoError(t, err)
			if !assert.Equal(t, want.Length, got.Length, "k=%d instance %d: %+v bins %v", k, i, r.Config(), bins) {
				return
			}
			require.NoError(t, Verify(r, bins, got))
		}
	}
}

// TestOptimalTourMatchesSweep checks that the visiting order rebuilt from the
// sweep walks exactly the length the sweep computed.
func TestOptimalTourMatchesSweep(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	n := 300
	if raceEnabled {
		n = 100
	}
	if *long {
		n = 3000
	}
	for i := range n {
		k := 2 + i%4
		picks := 40
		if k == 5 && !*long {
			picks = 15
		}
		r := randomRect(t, rng, k)
		bins := randomBins(rng, r, rng.IntN(picks))
		p, err := newProblem(r, bins)
		require.NoError(t, err)
		order, cost, err := r.optimalOrder(context.Background(), p.uniq, false, nil)
		require.NoError(t, err)
		require.Equal(t, cost, p.route(order).Length, "instance %d", i)
	}
}

// TestSweepScratchReuse reuses one scratch space across instances of every
// size, as batching does, and checks each length against a fresh sweep.
func TestSweepScratchReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	var tables sweepTables
	for i := range 300 {
		r := randomRect(t, rng, 2+i%3)
		bins := randomBins(rng, r, rng.IntN(30))
		p, err := newProblem(r, bins)
		require.NoError(t, err)
		_, got, err := r.optimalOrder(context.Background(), p.uniq, true, &tables)
		require.NoError(t, err)
		want, err := Optimal{}.Route(context.Background(), r, bins)
		require.NoError(t, err)
		require.Equal(t, want.Length, got, "instance %d", i)
	}
}
