package pack

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func repeat(d fulfill.Dimensions, n int) []fulfill.Dimensions {
	out := make([]fulfill.Dimensions, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestBounds(t *testing.T) {
	bin := dims(100, 100, 100)
	tests := []struct {
		name   string
		items  []fulfill.Dimensions
		l0, l2 int
	}{
		{"empty", nil, 0, 0},
		{"eight half cubes", repeat(dims(50, 50, 50), 8), 1, 1},
		{"nine half cubes", repeat(dims(50, 50, 50), 9), 2, 2},
		{"big items cannot share", repeat(dims(60, 60, 60), 3), 1, 3},
		{"big faces stack in pairs", repeat(dims(60, 60, 40), 3), 1, 2},
		{"big faces, thick", repeat(dims(60, 60, 55), 3), 1, 3},
		{"plates along x", repeat(dims(30, 70, 70), 7), 2, 3},
		{"one full bin", []fulfill.Dimensions{bin}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.l0, BoundL0(tt.items, bin))
			assert.Equal(t, tt.l2, BoundL2(tt.items, bin))
		})
	}
}

// TestBoundsValid checks on random instances that L0 <= L2 <= the boxes a
// verified packing uses, also when the grid must be coarsened.
func TestBoundsValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 40 {
		c := 1 + rng.IntN(9)
		req := mpvInstance(c, 20+rng.IntN(40), uint64(i))
		if i%2 == 1 { // odd micrometre sizes force a coarse grid
			for j := range req.Items {
				d := &req.Items[j].Dimensions
				d.Length -= fulfill.Length(rng.IntN(999))
				d.Width -= fulfill.Length(rng.IntN(999))
				d.Height -= fulfill.Length(rng.IntN(999))
			}
			req.Boxes[0].Inner.Length += 7
		}
		ds := make([]fulfill.Dimensions, len(req.Items))
		for j, it := range req.Items {
			ds[j] = it.Dimensions
		}
		l0, l2 := BoundL0(ds, req.Boxes[0].Inner), BoundL2(ds, req.Boxes[0].Inner)
		res, err := Pack(context.Background(), req, &Options{MaxWork: 3_000_000})
		require.NoError(t, err)
		require.NoError(t, Verify(req, res))
		assert.LessOrEqual(t, l0, l2)
		assert.LessOrEqual(t, l2, res.Boxes(), "class %d instance %d", c, i)
		if c == 9 && i%2 == 0 {
			assert.LessOrEqual(t, l2, 3)
		}
	}
}
