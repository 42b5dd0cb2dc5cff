package pick

// The routing of the chosen batches as it was before it reused its storage,
// kept as the reference that the equivalence tests compare with and that the
// benchmarks measure against: each batch is routed by the router, which for
// the default router on a Rect means locating the bins again, grouping them
// by spot in a map, and sweeping with fresh tables that keep every state
// list, then rebuilding the tour in a multigraph of per-node edge lists.

import (
	"cmp"
	"context"
	"slices"
)

// legacyResult is batchProblem.result as it was: each batch routed by
// legacyRoute.
func (p *batchProblem) legacyResult(sets [][]int) (Batching, error) {
	var out Batching
	for _, s := range sets {
		if len(s) == 0 {
			continue
		}
		s = slices.Clone(s)
		slices.Sort(s)
		bins := p.legacyBinsOf(s)
		r, err := legacyRoute(p.ctx, p.router, p.l, bins)
		if err != nil {
			return Batching{}, err
		}
		out.Batches = append(out.Batches, Batch{Orders: s, Bins: bins, Route: r})
		out.Length += r.Length
	}
	slices.SortStableFunc(out.Batches, func(a, b Batch) int { return cmp.Compare(a.Orders[0], b.Orders[0]) })
	return out, nil
}

// legacyBinsOf is binsOf as it was, growing the slice as it goes.
func (p *batchProblem) legacyBinsOf(set []int) []Bin {
	var bins []Bin
	for _, o := range set {
		bins = append(bins, p.bins[o]...)
	}
	return bins
}

// legacyRoute is router.Route, with the default router's sweep on a Rect
// (Auto and Optimal alike) as it was.
func legacyRoute(ctx context.Context, router Router, l Layout, bins []Bin) (Route, error) {
	if r, ok := l.(*Rect); ok && r.k <= MaxOptimalCrossAisles {
		switch router.(type) {
		case Auto, Optimal, *Auto, *Optimal:
			return legacyOptimalRoute(ctx, r, bins)
		}
	}
	return router.Route(ctx, l, bins)
}

// legacyOptimalRoute is Optimal.Route on r as it was.
func legacyOptimalRoute(ctx context.Context, r *Rect, bins []Bin) (Route, error) {
	p, err := newProblem(r, bins)
	if err != nil {
		return Route{}, err
	}
	order, _, err := r.legacyOptimalOrder(ctx, p.uniq, false, nil)
	if err != nil {
		return Route{}, err
	}
	return p.route(order), nil
}

// legacyList returns the table's states, copied if keep is set.
func (h *stateTable) legacyList(keep bool) stateList {
	if !keep {
		return stateList{keys: h.keys, ents: h.ents}
	}
	return stateList{keys: slices.Clone(h.keys), ents: slices.Clone(h.ents)}
}

// find returns the entry of key; the key is known to be there.
func (l stateList) find(key uint64) dpEntry {
	return l.ents[slices.Index(l.keys, key)]
}

// multigraph is an undirected multigraph for building an Euler circuit.
type multigraph struct {
	adj   [][]int // node -> edge ids
	ends  [][2]int
	used  []bool
	nodes int
}

func newMultigraph(n int) *multigraph {
	return &multigraph{adj: make([][]int, n), nodes: n}
}

// node adds a node and returns its id.
func (g *multigraph) node() int {
	g.adj = append(g.adj, nil)
	g.nodes++
	return g.nodes - 1
}

// add adds mult parallel edges between a and b.
func (g *multigraph) add(a, b, mult int) {
	for range mult {
		id := len(g.ends)
		g.ends = append(g.ends, [2]int{a, b})
		g.used = append(g.used, false)
		g.adj[a] = append(g.adj[a], id)
		g.adj[b] = append(g.adj[b], id)
	}
}

// euler returns the nodes of an Euler circuit from start (Hierholzer), in
// walking order; every node has even degree and the edges are connected.
func (g *multigraph) euler(start int) []int {
	pos := make([]int, len(g.adj))
	stack := []int{start}
	var circuit []int
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		for pos[v] < len(g.adj[v]) && g.used[g.adj[v][pos[v]]] {
			pos[v]++
		}
		if pos[v] == len(g.adj[v]) {
			circuit = append(circuit, v)
			stack = stack[:len(stack)-1]
			continue
		}
		id := g.adj[v][pos[v]]
		g.used[id] = true
		w := g.ends[id][0]
		if w == v {
			w = g.ends[id][1]
		}
		stack = append(stack, w)
	}
	slices.Reverse(circuit)
	return circuit
}
