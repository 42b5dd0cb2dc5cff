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

// lineGraph is depot - a - b - c in a straight line, 1 m apart, with one bin
// on each of a, b and c.
func lineGraph(t testing.TB) *Graph {
	t.Helper()
	g, err := NewGraph(GraphConfig{
		Nodes: []Node{{Name: "depot"}, {Name: "a", X: fulfill.Meter}, {Name: "b", X: 2 * fulfill.Meter}, {Name: "c", X: 3 * fulfill.Meter}},
		Edges: []Edge{{From: "depot", To: "a"}, {From: "a", To: "b"}, {From: "b", To: "c"}},
		Bins: []Placement{
			{Bin: Bin{Aisle: 0, Slot: 0, Side: SideLeft}, Node: "a"},
			{Bin: Bin{Aisle: 0, Slot: 1, Side: SideLeft}, Node: "b"},
			{Bin: Bin{Aisle: 0, Slot: 2, Side: SideLeft}, Node: "c"},
		},
		Depot: "depot",
	})
	require.NoError(t, err)
	return g
}

func TestGraphLine(t *testing.T) {
	g := lineGraph(t)
	bins := []Bin{{Aisle: 0, Slot: 2, Side: SideLeft}, {Aisle: 0, Slot: 0, Level: 3, Side: SideLeft}}
	for _, r := range []Router{Exact{}, TwoOpt{}, Auto{}} {
		got, err := r.Route(context.Background(), g, bins)
		require.NoError(t, err)
		assert.Equal(t, 6*fulfill.Meter, got.Length)
		require.NoError(t, Verify(g, bins, got))
	}
	_, err := g.Spot(Bin{Aisle: 9, Slot: 0, Side: SideLeft})
	assert.ErrorIs(t, err, ErrInvalidBin)
}

func TestGraphConfigErrors(t *testing.T) {
	ok := GraphConfig{Nodes: []Node{{Name: "d"}, {Name: "x", X: fulfill.Meter}}, Edges: []Edge{{From: "d", To: "x"}}, Depot: "d",
		Bins: []Placement{{Bin: Bin{Side: SideLeft}, Node: "x"}}}
	tests := []struct {
		name  string
		edit  func(*GraphConfig)
		field string
	}{
		{"no nodes", func(c *GraphConfig) { c.Nodes = nil }, "nodes"},
		{"duplicate node", func(c *GraphConfig) { c.Nodes = append(c.Nodes, Node{Name: "d"}) }, "nodes[2].name"},
		{"unknown edge end", func(c *GraphConfig) { c.Edges = []Edge{{From: "d", To: "zz"}} }, "edges[0].to"},
		{"negative edge", func(c *GraphConfig) { c.Edges = []Edge{{From: "d", To: "x", Length: -1}} }, "edges[0].length"},
		{"unknown depot", func(c *GraphConfig) { c.Depot = "q" }, "depot"},
		{"unreachable bin", func(c *GraphConfig) { c.Edges = nil }, "edges"},
		{"bin placed twice", func(c *GraphConfig) {
			c.Bins = append(c.Bins, Placement{Bin: Bin{Level: 2, Side: SideLeft}, Node: "d"})
		}, "bins[1].bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			cfg.Nodes = append([]Node(nil), ok.Nodes...)
			cfg.Bins = append([]Placement(nil), ok.Bins...)
			tt.edit(&cfg)
			_, err := NewGraph(cfg)
			require.ErrorIs(t, err, ErrInvalidLayout)
			le, isLE := err.(*LayoutError)
			require.True(t, isLE)
			assert.Equal(t, tt.field, le.Field)
		})
	}
	_, err := NewGraph(ok)
	require.NoError(t, err)
}

// gridGraph models rect r as a graph: a node per slot and cross-aisle
// intersection, so that the graph's distances must equal the rectangle's.
func gridGraph(t testing.TB, r *Rect) *Graph {
	t.Helper()
	cfg := r.Config()
	var gc GraphConfig
	name := func(a int, y fulfill.Length) string { return fmt.Sprintf("%d@%d", a, y) }
	seen := map[string]bool{}
	add := func(a int, y fulfill.Length) string {
		n := name(a, y)
		if !seen[n] {
			seen[n] = true
			gc.Nodes = append(gc.Nodes, Node{Name: n, X: r.AisleX(a), Y: y})
		}
		return n
	}
	for a := range cfg.Aisles {
		var ys []fulfill.Length
		for c := range r.CrossAisles() {
			ys = append(ys, r.CrossAisleY(c))
		}
		for j := range cfg.SlotsPerAisle {
			ys = append(ys, r.SlotY(j))
		}
		sortLengths(ys)
		prev := ""
		for _, y := range ys {
			n := add(a, y)
			if prev != "" && prev != n {
				gc.Edges = append(gc.Edges, Edge{From: prev, To: n})
			}
			prev = n
		}
		for j := range cfg.SlotsPerAisle {
			for _, s := range []Side{SideLeft, SideRight} {
				gc.Bins = append(gc.Bins, Placement{Bin: Bin{Aisle: a, Slot: j, Side: s}, Node: name(a, r.SlotY(j))})
			}
		}
		if a > 0 {
			for c := range r.CrossAisles() {
				gc.Edges = append(gc.Edges, Edge{From: name(a-1, r.CrossAisleY(c)), To: name(a, r.CrossAisleY(c))})
			}
		}
	}
	gc.Depot = name(cfg.Depot.Aisle, r.CrossAisleY(cfg.Depot.CrossAisle))
	g, err := NewGraph(gc)
	require.NoError(t, err)
	return g
}

func sortLengths(ys []fulfill.Length) {
	for i := 1; i < len(ys); i++ {
		for j := i; j > 0 && ys[j] < ys[j-1]; j-- {
			ys[j], ys[j-1] = ys[j-1], ys[j]
		}
	}
}

// TestGraphAgreesWithRect builds the rectangle as a graph and checks that
// shortest paths and exact routes agree, and that TwoOpt stays close.
func TestGraphAgreesWithRect(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range 60 {
		r := randomRect(t, rng, 2+i%3)
		g := gridGraph(t, r)
		bins := randomBins(rng, r, rng.IntN(10))
		for n := range len(bins) {
			for m := range len(bins) {
				sa, _ := r.Spot(bins[n])
				sb, _ := r.Spot(bins[m])
				ga, _ := g.Spot(bins[n])
				gb, _ := g.Spot(bins[m])
				require.Equal(t, r.Distance(sa, sb), g.Distance(ga, gb))
			}
		}
		want, err := Optimal{}.Route(ctx, r, bins)
		require.NoError(t, err)
		got, err := Auto{}.Route(ctx, g, bins)
		require.NoError(t, err)
		require.Equal(t, want.Length, got.Length)
		loc, err := TwoOpt{}.Route(ctx, g, bins)
		require.NoError(t, err)
		require.NoError(t, Verify(g, bins, loc))
		assert.GreaterOrEqual(t, loc.Length, want.Length)
	}
}

func TestExactTooLarge(t *testing.T) {
	r, err := NewRect(RectConfig{Aisles: 20, SlotsPerAisle: 20, AisleLength: 20 * fulfill.Meter, AisleSpacing: 3 * fulfill.Meter})
	require.NoError(t, err)
	bins := randomBins(rand.New(rand.NewPCG(1, 1)), r, 60)
	_, err = Exact{}.Route(context.Background(), r, bins)
	assert.ErrorIs(t, err, ErrTooLarge)
}
