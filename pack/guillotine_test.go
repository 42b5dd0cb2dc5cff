package pack

import (
	"context"
	"testing"

	"github.com/fulfillkit/fulfill"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPackGuillotineFill: all-fill instances of 100 pieces, cut from three
// boxes, go back into three boxes in the fast mode within a fixed work
// budget.
func TestPackGuillotineFill(t *testing.T) {
	for _, seed := range []uint64{2, 5, 8} {
		req := mpvInstance(9, 100, seed)
		res := packed(t, req, &Options{MaxWork: fastWork})
		assert.Equal(t, 3, res.Boxes(), "seed %d", seed)
	}
}

// TestGuillotineFillsRegions checks the guillotine fill directly: it packs
// the pieces of boxes cut apart into that many boxes, each full, and
// reports nothing when the pieces cannot fill them.
func TestGuillotineFillsRegions(t *testing.T) {
	for _, c := range []struct {
		n    int
		seed uint64
	}{{10, 1}, {30, 2}, {50, 3}} {
		req := mpvInstance(9, c.n, c.seed)
		e, st := newEngine(context.Background(), &req, &Options{Mode: ModeThorough, MaxWork: 1 << 40})
		s := e.guillotine(0, st.units, 3, guillotineNodes)
		require.NotNil(t, s, "n %d seed %d", c.n, c.seed)
		require.Len(t, s.bins, 3)
		for _, b := range s.bins {
			assert.InDelta(t, e.types[0].vol, b.vol, 1e-6*e.types[0].vol)
		}
		res, err := e.result(st, s)
		require.NoError(t, err)
		require.NoError(t, Verify(req, res))
		// Two boxes cannot take the volume of three.
		assert.Nil(t, e.guillotine(0, st.units, 2, guillotineNodes))
	}
}

// TestGuillotineImpossible: units whose volume is exactly one box but that
// cannot fill it (the 2x2 square leaves a strip one wide beside it, which
// only the single cube fits) give nothing, and Pack still packs them.
func TestGuillotineImpossible(t *testing.T) {
	req := Request{Boxes: []Box{{ID: "b", Inner: dims(3, 3, 1)}}, Items: []Item{
		{ID: "square", Quantity: 1, Rotation: RotationNone, Dimensions: dims(2, 2, 1)},
		{ID: "bar", Quantity: 2, Rotation: RotationNone, Dimensions: dims(2, 1, 1)},
		{ID: "cube", Quantity: 1, Rotation: RotationNone, Dimensions: dims(1, 1, 1)},
	}}
	e, st := newEngine(context.Background(), &req, &Options{MaxWork: 1 << 30})
	require.True(t, e.perfectable(0, st.units, 1))
	assert.Nil(t, e.guillotine(0, st.units, 1, guillotineNodes))
	res := packed(t, req, nil)
	assert.Equal(t, 2, res.Boxes())
}

// TestGapFreeRespectsSupply packs units that fill three boxes exactly when
// only two boxes are in stock: the gap-free searches must not use a third.
func TestGapFreeRespectsSupply(t *testing.T) {
	req := mpvInstance(9, 30, 1)
	req.Boxes[0].Supply = 2
	for _, mode := range []Mode{ModeFast, ModeThorough} {
		res, err := Pack(context.Background(), req, &Options{Mode: mode, MaxWork: fastWork})
		require.NoError(t, err)
		require.NoError(t, Verify(req, res))
		require.LessOrEqual(t, res.Boxes(), 2)
		require.NotEmpty(t, res.Unpacked)
	}
}

// TestGapFreeKeepsFailedGroups packs units that fill nine boxes exactly
// next to a group too heavy for any box: the group must still be reported.
func TestGapFreeKeepsFailedGroups(t *testing.T) {
	req := Request{
		Boxes: []Box{{ID: "B", Inner: dims(34, 34, 34), MaxContent: 4 * fulfill.Kilogram, Cost: usd("1.00")}},
		Items: []Item{
			{ID: "g", Dimensions: dims(20, 20, 20), Weight: 3 * fulfill.Kilogram, Quantity: 2, Rotation: RotationNone, Group: "heavy"},
			{ID: "cube", Dimensions: dims(34, 34, 34), Weight: fulfill.Kilogram, Quantity: 9, Rotation: RotationNone},
		},
	}
	for _, mode := range []Mode{ModeFast, ModeThorough} {
		res, err := Pack(context.Background(), req, &Options{Mode: mode, MaxWork: fastWork})
		require.NoError(t, err)
		require.NoError(t, Verify(req, res))
		require.Equal(t, 9, res.Boxes())
		require.Len(t, res.Unpacked, 1)
		require.Equal(t, "g", res.Unpacked[0].Item)
	}
}
