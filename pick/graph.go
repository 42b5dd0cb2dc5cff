package pick

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"

	"github.com/fulfillkit/fulfill"
)

// Limits on a [GraphConfig].
const (
	// MaxGraphNodes is the largest number of nodes of a graph.
	MaxGraphNodes = 100_000
	// MaxGraphSpots is the largest number of distinct nodes holding bins
	// (the depot included): the graph keeps the distances between every two
	// of them.
	MaxGraphSpots = 2048
)

// GraphConfig describes a warehouse as a walkable graph, for buildings that
// are not a block of parallel aisles: nodes where paths meet or bins stand,
// edges the picker walks, and the node each bin is picked from.
type GraphConfig struct {
	// Nodes lists the nodes; names are unique and non-empty. Coordinates are
	// used for straight-line edge lengths and for drawing.
	Nodes []Node `json:"nodes"`
	// Edges lists the walkable paths, each walkable both ways.
	Edges []Edge `json:"edges"`
	// Bins places each bin at a node. A bin's level does not change where it
	// is picked from, so a placement applies to every level of its aisle,
	// slot and side.
	Bins []Placement `json:"bins"`
	// Depot names the node where tours start and end.
	Depot string `json:"depot"`
}

// Node is a point of a [GraphConfig].
type Node struct {
	Name string         `json:"name"`
	X    fulfill.Length `json:"x"`
	Y    fulfill.Length `json:"y"`
}

// Edge is a walkable path between two nodes. A zero Length means the
// straight line between the nodes' coordinates, rounded to the nearest
// micrometre.
type Edge struct {
	From   string         `json:"from"`
	To     string         `json:"to"`
	Length fulfill.Length `json:"length,omitempty"`
}

// Placement puts a bin at a node.
type Placement struct {
	Bin  Bin    `json:"bin"`
	Node string `json:"node"`
}

// Graph is a warehouse layout on a walkable graph, made by [NewGraph], with
// shortest-path distances. It is immutable and safe for concurrent use.
type Graph struct {
	cfg   GraphConfig
	bins  map[Bin]int        // bin (level 0) -> spot index
	nodes []int              // spot index -> node index
	dist  [][]fulfill.Length // between spots
	depot int                // spot index of the depot
}

var _ Layout = (*Graph)(nil)

// NewGraph validates cfg and computes the shortest walking distance between
// every two nodes holding bins. A malformed config, a negative edge, or a bin
// the depot cannot reach returns a *[LayoutError] wrapping [ErrInvalidLayout].
func NewGraph(cfg GraphConfig) (*Graph, error) {
	bad := func(field string, v any, reason string) (*Graph, error) {
		return nil, &LayoutError{Field: field, Value: fmt.Sprint(v), Reason: reason}
	}
	if len(cfg.Nodes) == 0 || len(cfg.Nodes) > MaxGraphNodes {
		return bad("nodes", len(cfg.Nodes), fmt.Sprintf("want 1 to %d nodes", MaxGraphNodes))
	}
	index := make(map[string]int, len(cfg.Nodes))
	for i, n := range cfg.Nodes {
		if n.Name == "" {
			return bad(fmt.Sprintf("nodes[%d].name", i), `""`, "required")
		}
		if _, dup := index[n.Name]; dup {
			return bad(fmt.Sprintf("nodes[%d].name", i), n.Name, "duplicate")
		}
		if abs64(int64(n.X)) > int64(MaxRectDimension) || abs64(int64(n.Y)) > int64(MaxRectDimension) {
			return bad(fmt.Sprintf("nodes[%d]", i), n.Name, "coordinates beyond 10km")
		}
		index[n.Name] = i
	}
	type arc struct {
		to int
		w  int64
	}
	adj := make([][]arc, len(cfg.Nodes))
	for i, e := range cfg.Edges {
		a, okA := index[e.From]
		b, okB := index[e.To]
		switch {
		case !okA:
			return bad(fmt.Sprintf("edges[%d].from", i), e.From, "no such node")
		case !okB:
			return bad(fmt.Sprintf("edges[%d].to", i), e.To, "no such node")
		case e.Length < 0 || e.Length > MaxRectDimension:
			return bad(fmt.Sprintf("edges[%d].length", i), e.Length, "want 0 to 10km")
		}
		w := int64(e.Length)
		if w == 0 {
			na, nb := cfg.Nodes[a], cfg.Nodes[b]
			w = int64(math.Round(math.Hypot(float64(na.X-nb.X), float64(na.Y-nb.Y))))
		}
		adj[a] = append(adj[a], arc{b, w})
		adj[b] = append(adj[b], arc{a, w})
	}
	depot, ok := index[cfg.Depot]
	if !ok {
		return bad("depot", cfg.Depot, "no such node")
	}
	g := &Graph{cfg: cfg, bins: make(map[Bin]int, len(cfg.Bins))}
	spotOf := map[int]int{depot: 0}
	g.nodes = []int{depot}
	for i, pl := range cfg.Bins {
		if err := pl.Bin.Validate(); err != nil {
			return bad(fmt.Sprintf("bins[%d].bin", i), pl.Bin, err.Error())
		}
		n, ok := index[pl.Node]
		if !ok {
			return bad(fmt.Sprintf("bins[%d].node", i), pl.Node, "no such node")
		}
		key := pl.Bin
		key.Level = 0
		if _, dup := g.bins[key]; dup {
			return bad(fmt.Sprintf("bins[%d].bin", i), pl.Bin, "placed twice")
		}
		s, ok := spotOf[n]
		if !ok {
			if len(g.nodes) == MaxGraphSpots {
				return bad("bins", len(cfg.Bins), fmt.Sprintf("more than %d distinct nodes hold bins", MaxGraphSpots))
			}
			s = len(g.nodes)
			spotOf[n] = s
			g.nodes = append(g.nodes, n)
		}
		g.bins[key] = s
	}
	// Dijkstra from every spot.
	g.dist = make([][]fulfill.Length, len(g.nodes))
	d := make([]int64, len(cfg.Nodes))
	for s, src := range g.nodes {
		for i := range d {
			d[i] = math.MaxInt64
		}
		d[src] = 0
		q := &distHeap{{src, 0}}
		for q.Len() > 0 {
			it := heap.Pop(q).(distItem)
			if it.d > d[it.n] {
				continue
			}
			for _, a := range adj[it.n] {
				if nd := it.d + a.w; nd < d[a.to] {
					d[a.to] = nd
					heap.Push(q, distItem{a.to, nd})
				}
			}
		}
		row := make([]fulfill.Length, len(g.nodes))
		for t, n := range g.nodes {
			if d[n] == math.MaxInt64 {
				return bad("edges", cfg.Nodes[n].Name, "node cannot be reached from "+cfg.Nodes[src].Name)
			}
			row[t] = fulfill.Length(d[n])
		}
		g.dist[s] = row
	}
	return g, nil
}

type distItem struct {
	n int
	d int64
}

type distHeap []distItem

func (h distHeap) Len() int           { return len(h) }
func (h distHeap) Less(i, j int) bool { return cmp.Less(h[i].d, h[j].d) }
func (h distHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *distHeap) Push(x any)        { *h = append(*h, x.(distItem)) }
func (h *distHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// Config returns the configuration the graph was made from.
func (g *Graph) Config() GraphConfig { return g.cfg }

// Spot returns the position of bin b: X indexes the nodes holding bins. A
// bin the graph does not place returns a *[BinError].
func (g *Graph) Spot(b Bin) (Spot, error) {
	if err := b.Validate(); err != nil {
		return Spot{}, err
	}
	key := b
	key.Level = 0
	s, ok := g.bins[key]
	if !ok {
		return Spot{}, &BinError{Bin: b.String(), Reason: "not placed in the graph"}
	}
	return Spot{X: int64(s)}, nil
}

// Depot returns the depot's position.
func (g *Graph) Depot() Spot { return Spot{X: int64(g.depot)} }

// Distance returns the shortest walking distance between two spots of g.
// Spots g did not make are at distance 0 of everything.
func (g *Graph) Distance(a, b Spot) fulfill.Length {
	if a.X < 0 || b.X < 0 || a.X >= int64(len(g.nodes)) || b.X >= int64(len(g.nodes)) {
		return 0
	}
	return g.dist[a.X][b.X]
}

// node returns the node a spot of g stands on.
func (g *Graph) node(s Spot) Node {
	if s.X < 0 || s.X >= int64(len(g.nodes)) {
		return Node{}
	}
	return g.cfg.Nodes[g.nodes[s.X]]
}
