package pick

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLengthTwoCrossMatchesSweep compares the two-cross-aisle length sweep
// with the general sweep on random rectangles (any depot, wide cross
// aisles) and random pick sets, with repeats and the depot's own spot at
// times.
func TestLengthTwoCrossMatchesSweep(t *testing.T) {
	n := 3000
	if testing.Short() || raceEnabled {
		n = 500
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2, 2026))
	var sc sweep2Scratch
	var tables sweepTables
	for i := range n {
		r := randomRect(t, rng, 2)
		ss, err := spots(r, randomBins(rng, r, 1+rng.IntN(25)))
		require.NoError(t, err)
		if i%10 == 0 {
			ss = append(ss, r.Depot())
		}
		uniq, _ := distinct(ss)
		_, want, err := r.optimalOrder(ctx, uniq, true, &tables)
		require.NoError(t, err)
		given := uniq
		if i%2 == 1 {
			given = ss // repeats and all
		}
		require.Equal(t, want, r.lengthTwoCrossSpots(given, &sc), "instance %d: %+v, spots %v", i, r.Config(), given)
	}
}
