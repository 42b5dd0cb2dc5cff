package pick

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allRouters names every router of the package.
var allRouters = []struct {
	name string
	r    Router
}{
	{"optimal", Optimal{}}, {"sshape", SShape{}}, {"return", Return{}}, {"midpoint", Midpoint{}},
	{"largest-gap", LargestGap{}}, {"combined", Combined{}}, {"2-opt", TwoOpt{}}, {"auto", Auto{}},
}

// TestRoutersValidAndNeverBelowOptimal checks every router's routes with
// the verifier and against the exact optimum on random instances.
func TestRoutersValidAndNeverBelowOptimal(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 9))
	for i := range 300 {
		r := randomRect(t, rng, 2+i%3)
		bins := randomBins(rng, r, rng.IntN(25))
		opt, err := Optimal{}.Route(ctx, r, bins)
		require.NoError(t, err)
		for _, rt := range allRouters {
			got, err := rt.r.Route(ctx, r, bins)
			require.NoError(t, err, rt.name)
			require.NoError(t, Verify(r, bins, got), rt.name)
			assert.GreaterOrEqual(t, got.Length, opt.Length, "%s instance %d", rt.name, i)
		}
	}
}

// TestHeuristicsOnTextbookBlock pins the orders the policies choose on one
// small block, where their walks are easy to follow by hand.
func TestHeuristicsOnTextbookBlock(t *testing.T) {
	// 4 aisles 2 m apart, 10 m long, 10 slots (y = 0.5, 1.5, ... 9.5 m), depot at front of aisle 0.
	r, err := NewRect(RectConfig{Aisles: 4, SlotsPerAisle: 10, AisleLength: 10 * fulfill.Meter, AisleSpacing: 2 * fulfill.Meter})
	require.NoError(t, err)
	bins := []Bin{
		{Aisle: 0, Slot: 8, Side: SideLeft},  // 0: y 8.5
		{Aisle: 1, Slot: 1, Side: SideRight}, // 1: y 1.5
		{Aisle: 1, Slot: 9, Side: SideLeft},  // 2: y 9.5
		{Aisle: 3, Slot: 2, Side: SideLeft},  // 3: y 2.5
	}
	tests := []struct {
		name   string
		r      Router
		stops  []int
		length fulfill.Length
	}{
		// Up aisle 0, down aisle 1 (9.5 then 1.5), up aisle 3 and back by the front.
		{"sshape", SShape{}, []int{0, 2, 1, 3}, 37 * fulfill.Meter},
		{"return", Return{}, []int{0, 1, 2, 3}, 49 * fulfill.Meter},
		{"midpoint", Midpoint{}, []int{0, 2, 3, 1}, 36 * fulfill.Meter},
		{"largest-gap", LargestGap{}, []int{0, 2, 3, 1}, 36 * fulfill.Meter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.r.Route(context.Background(), r, bins)
			require.NoError(t, err)
			assert.Equal(t, tt.stops, got.Stops)
			assert.Equal(t, tt.length, got.Length)
			require.NoError(t, Verify(r, bins, got))
		})
	}
}

func TestHeuristicsRejectGraph(t *testing.T) {
	g := lineGraph(t)
	for _, rt := range []Router{Optimal{}, SShape{}, Return{}, Midpoint{}, LargestGap{}, Combined{}} {
		_, err := rt.Route(context.Background(), g, nil)
		assert.ErrorIs(t, err, ErrUnsupported)
	}
}

// TestRoutersDeterministic routes the same instances repeatedly: the stops,
// not only the length, must come out the same every time.
func TestRoutersDeterministic(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(8, 8))
	for i := range 40 {
		r := randomRect(t, rng, 2+i%3)
		bins := randomBins(rng, r, 5+rng.IntN(30))
		for _, rt := range allRouters {
			first, err := rt.r.Route(ctx, r, bins)
			require.NoError(t, err)
			for range 3 {
				again, err := rt.r.Route(ctx, r, bins)
				require.NoError(t, err)
				require.Equal(t, first, again, rt.name)
			}
		}
	}
}

// TestSShapeBlocks follows the multiple-block S-shape by hand on two
// blocks: up aisle 0 picking on the way, the far block left to right, the
// near block right to left.
func TestSShapeBlocks(t *testing.T) {
	// 4 aisles 2 m apart, 20 m long, cross aisles at 0, 10 and 20 m; slots at 1, 3, ... 19 m.
	r, err := NewRect(RectConfig{Aisles: 4, SlotsPerAisle: 10, AisleLength: 20 * fulfill.Meter, AisleSpacing: 2 * fulfill.Meter, CrossAisles: 3})
	require.NoError(t, err)
	bins := []Bin{
		{Aisle: 0, Slot: 1, Side: SideLeft}, // A: y 3, near block
		{Aisle: 1, Slot: 7, Side: SideLeft}, // B: y 15, far block
		{Aisle: 3, Slot: 8, Side: SideLeft}, // C: y 17, far block
		{Aisle: 2, Slot: 2, Side: SideLeft}, // D: y 5, near block
		{Aisle: 3, Slot: 3, Side: SideLeft}, // E: y 7, near block
	}
	got, err := SShape{}.Route(context.Background(), r, bins)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 4, 3}, got.Stops)
	// 3 up to A, 12+2 to B by the middle, 8+4 to C by the back, 10 down to E,
	// 8+2 to D by the middle, 5+4 home by the front.
	assert.Equal(t, 58*fulfill.Meter, got.Length)

	// Return by blocks: A on the way up; the far block entered from the
	// middle cross aisle, aisle 1 then aisle 3; the near block from the
	// right, where the picker stands: E, then D, each entered from the middle
	// cross aisle. Walked aisle by aisle instead, A, B, D, E, C took 72 m.
	got, err = Return{}.Route(context.Background(), r, bins)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 4, 3}, got.Stops)
	assert.Equal(t, 58*fulfill.Meter, got.Length)

	// Largest gap by blocks: A on the way up; the far block up aisle 1 and
	// down aisle 3; the near block from its right end, where the picker
	// stands: E from the middle cross aisle (its largest gap is below it),
	// then aisle 2 walked through to D.
	got, err = LargestGap{}.Route(context.Background(), r, bins)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 4, 3}, got.Stops)
	assert.Equal(t, 58*fulfill.Meter, got.Length)

	// Combined by blocks: the far block's choices (return in aisle 1 or walk
	// it through, then aisle 3) tie at best by walking both through; the near
	// block from aisle 3 (return to E from the middle) to aisle 2 (through).
	got, err = Combined{}.Route(context.Background(), r, bins)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 4, 3}, got.Stops)
	assert.Equal(t, 58*fulfill.Meter, got.Length)

	// With F (aisle 1, y 9) in the near block too, its sub-aisles from the
	// right are 3 (E), 2 (D), 1 (F): E lies before its largest gap seen from
	// the middle cross aisle, D's gaps tie so it waits for the way back, and
	// aisle 1, the last, is walked through: E, F, then D from the front.
	bins = append(bins, Bin{Aisle: 1, Slot: 4, Side: SideLeft}) // F: y 9
	got, err = LargestGap{}.Route(context.Background(), r, bins)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 4, 5, 3}, got.Stops)
	require.NoError(t, Verify(r, bins, got))
	bins = bins[:5]

	// The same building seen from a depot at the back gives the mirror order.
	cfg := r.Config()
	cfg.Depot = Depot{Aisle: 0, CrossAisle: 2}
	back, err := NewRect(cfg)
	require.NoError(t, err)
	got, err = SShape{}.Route(context.Background(), back, bins)
	require.NoError(t, err)
	require.NoError(t, Verify(back, bins, got))
}
