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

// shuffled returns req with its items in a random order fixed by seed, so
// that nothing can lean on the order in which the pieces were cut.
func shuffled(req Request, seed uint64) Request {
	r := rand.New(rand.NewPCG(seed, 7))
	r.Shuffle(len(req.Items), func(i, j int) { req.Items[i], req.Items[j] = req.Items[j], req.Items[i] })
	return req
}

// cutBoxes cuts k boxes of side w into about n pieces, as mpvInstance does,
// but at random positions along random axes, and gives each piece a
// rotation rule drawn from rules.
func cutBoxes(r *rand.Rand, k, n int, w int64, rules []RotationRule) Request {
	req := Request{Boxes: []Box{{ID: "box", Inner: fulfill.Dims(fulfill.Length(w)*fulfill.Millimeter,
		fulfill.Length(w)*fulfill.Millimeter, fulfill.Length(w)*fulfill.Millimeter)}}}
	for range k {
		pieces := []vec{{w, w, w}}
		for tries := 0; len(pieces) < n/k && tries < 10*n; tries++ {
			i, a := r.IntN(len(pieces)), r.IntN(3)
			p := pieces[i]
			if p[a] < 2 {
				continue
			}
			q := p
			p[a] = 1 + r.Int64N(p[a]-1)
			q[a] -= p[a]
			pieces[i] = p
			pieces = append(pieces, q)
		}
		for _, p := range pieces {
			req.Items = append(req.Items, Item{ID: fmt.Sprintf("p%d", len(req.Items)), Quantity: 1,
				Rotation:   rules[r.IntN(len(rules))],
				Dimensions: fulfill.Dims(fulfill.Length(p[0])*fulfill.Millimeter, fulfill.Length(p[1])*fulfill.Millimeter, fulfill.Length(p[2])*fulfill.Millimeter)})
		}
	}
	return req
}

// TestJoinBlocks: two blocks join along an axis when they are alone in
// sharing their face across it and have no other face in common with any
// block; a face shared by three, a second shared face, or a joined block
// longer than the box keeps them apart.
func TestJoinBlocks(t *testing.T) {
	box := vec{10, 10, 10}
	for _, c := range []struct {
		name  string
		sizes []vec
		want  []vec // the sizes after one pass
	}{
		{"pair along x", []vec{{3, 4, 5}, {2, 4, 5}, {7, 1, 9}}, []vec{{5, 4, 5}, {7, 1, 9}}},
		{"pair along z", []vec{{6, 7, 2}, {6, 7, 8}}, []vec{{6, 7, 10}}},
		{"three share the face", []vec{{3, 4, 5}, {2, 4, 5}, {1, 4, 5}}, []vec{{3, 4, 5}, {2, 4, 5}, {1, 4, 5}}},
		{"a second face in common", []vec{{3, 4, 5}, {2, 4, 5}, {3, 4, 1}}, []vec{{3, 4, 5}, {2, 4, 5}, {3, 4, 1}}},
		{"longer than the box", []vec{{6, 4, 5}, {5, 4, 5}}, []vec{{6, 4, 5}, {5, 4, 5}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &engine{ctx: context.Background(), maxWork: 1 << 40}
			var blocks []ablock
			for i, s := range c.sizes {
				blocks = append(blocks, ablock{s: s, pl: []plc{{k: int32(i), s: s}}, one: int32(i)})
			}
			out, more := e.joinBlocks(blocks, box, 1)
			assert.Equal(t, len(out) < len(blocks), more)
			var got []vec
			for _, b := range out {
				got = append(got, b.s)
				var v int64
				for _, m := range b.pl { // the units fill the block exactly, side by side
					v += m.s[0] * m.s[1] * m.s[2]
					for a := range 3 {
						assert.LessOrEqual(t, m.p[a]+m.s[a], b.s[a])
					}
				}
				assert.Equal(t, b.s[0]*b.s[1]*b.s[2], v)
			}
			assert.ElementsMatch(t, c.want, got)
		})
	}
}

// TestAllFillRefills: the pieces of boxes cut apart at random, with any
// rotation rule and in any order, go back into that many full boxes when
// allFill finds a packing, and every packing it finds is valid; it finds
// one for most of them.
func TestAllFillRefills(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	rules := []RotationRule{RotationNone, RotationUpright, RotationAny}
	found := 0
	const instances = 20
	for i := range instances {
		k := 1 + r.IntN(3)
		req := shuffled(cutBoxes(r, k, 10+r.IntN(40), 20+r.Int64N(80), rules[:1+i%3]), uint64(i))
		e, st := newEngine(context.Background(), &req, &Options{MaxWork: 1 << 40})
		s := e.allFill(0, st.units, k, 20000)
		if s == nil {
			continue
		}
		found++
		require.Len(t, s.bins, k)
		for _, b := range s.bins {
			assert.InDelta(t, e.types[0].vol, b.vol, 1e-6*e.types[0].vol)
		}
		res, err := e.result(st, s)
		require.NoError(t, err)
		require.NoError(t, Verify(req, res), "instance %d", i)
	}
	assert.GreaterOrEqual(t, found, instances/2)
}

// TestAllFillDeclines: the block searches report nothing when the units do
// not fill the boxes exactly, when the box has a weight limit, and, for
// blockPack, when a packing with the lower bound's boxes is known.
func TestAllFillDeclines(t *testing.T) {
	req := mpvInstance(9, 30, 4)
	e, st := newEngine(context.Background(), &req, &Options{MaxWork: 1 << 40})
	assert.Nil(t, e.allFill(0, st.units, 4, 20000), "a box too many")
	assert.Nil(t, e.blockPack(st.pinned, st.units, 4, nil), "a box too many")
	s := e.blockPack(st.pinned, st.units, 3, nil)
	require.NotNil(t, s)
	assert.Nil(t, e.blockPack(st.pinned, st.units, 3, &sol{bins: make([]*bin, 3)}))

	heavy := req
	heavy.Boxes = []Box{req.Boxes[0]}
	heavy.Boxes[0].MaxContent = 1000 * fulfill.Kilogram
	e, st = newEngine(context.Background(), &heavy, &Options{MaxWork: 1 << 40})
	assert.Nil(t, e.allFill(0, st.units, 3, 20000))
	assert.Nil(t, e.blockPack(st.pinned, st.units, 3, nil))

	random := mpvInstance(8, 50, 1)
	e, st = newEngine(context.Background(), &random, &Options{MaxWork: 1 << 40})
	assert.Nil(t, e.allFill(0, st.units, st.lb, 20000))
	assert.Nil(t, e.blockPack(st.pinned, st.units, st.lb, nil))
	assert.Less(t, e.work, int64(10000), "declining costs little")
}

// TestPackAllFillLarge: all-fill instances of 150 and 200 pieces, cut from
// three boxes and shuffled, take at most four boxes in the fast mode, where
// single pieces packed one by one took five.
func TestPackAllFillLarge(t *testing.T) {
	for _, c := range []struct {
		n    int
		seed uint64
	}{{150, 1}, {150, 6}, {200, 3}, {200, 7}} {
		req := shuffled(mpvInstance(9, c.n, c.seed), c.seed)
		res := packed(t, req, &Options{MaxWork: fastWork})
		assert.LessOrEqual(t, res.Boxes(), 4, "n %d seed %d", c.n, c.seed)
	}
}

// TestPackAllFillSupport: asked for support, every unit of an all-fill
// packing rests on units over at least that share of its base, block
// heuristic or not (packed verifies it).
func TestPackAllFillSupport(t *testing.T) {
	for _, support := range []int{60, 100} {
		req := shuffled(mpvInstance(9, 150, 1), 1)
		req.MinSupport = support
		res := packed(t, req, &Options{MaxWork: fastWork})
		assert.LessOrEqual(t, res.Boxes(), 5, "support %d", support)
	}
}
