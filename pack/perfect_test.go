package pack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGapSums checks the pruning sets of the perfect-fill search against a
// brute-force enumeration: a length is a sum of the units' lengths along an
// axis, each unit used at most once in one of its orientations, exactly when
// the set says so.
func TestGapSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2))
	for trial := range 100 {
		req := Request{Boxes: []Box{{ID: "b", Inner: dims(90, 70, 50)}}}
		n := 1 + rng.IntN(6)
		for i := range n {
			rot := RotationNone
			if rng.IntN(2) == 0 {
				rot = RotationAny
			}
			req.Items = append(req.Items, Item{ID: fmt.Sprintf("i%d", i), Quantity: 1 + rng.IntN(2), Rotation: rot,
				Dimensions: dims(5*(1+rng.Int64N(10)), 5*(1+rng.Int64N(10)), 5*(1+rng.Int64N(10)))})
		}
		e, st := newEngine(context.Background(), &req, &Options{MaxWork: 1 << 40})
		count := make([]int, len(e.kinds))
		var kinds []int32
		for _, u := range st.units {
			if count[u] == 0 {
				kinds = append(kinds, u)
			}
			count[u]++
		}
		gs := e.newGapSums(0, kinds)
		require.True(t, gs.on)
		gs.fill(e, kinds, count)
		for a := range 3 {
			want := map[int64]bool{}
			var rec func(i int, sum int64)
			rec = func(i int, sum int64) {
				if i == len(st.units) {
					want[sum] = true
					return
				}
				rec(i+1, sum)
				for _, o := range e.kinds[st.units[i]].oris {
					rec(i+1, sum+o.s[a])
				}
			}
			rec(0, 0)
			for l := int64(fulfill.Millimeter); l <= e.types[0].dims[a]; l += int64(fulfill.Millimeter) {
				assert.Equal(t, want[l], gs.ok(a, l), "trial %d axis %d length %d", trial, a, l)
			}
		}
	}
}

// TestPackPerfectFillSeeds: several all-fill instances, each pieces of three
// boxes cut apart, go back into three boxes in the fast mode.
func TestPackPerfectFillSeeds(t *testing.T) {
	for _, c := range []struct {
		n    int
		seed uint64
	}{{30, 1}, {30, 2}, {30, 3}, {50, 0}, {50, 1}, {50, 2}, {50, 3}, {50, 4}} {
		req := mpvInstance(9, c.n, c.seed)
		res := packed(t, req, nil)
		assert.Equal(t, 3, res.Boxes(), "n %d seed %d", c.n, c.seed)
	}
}
