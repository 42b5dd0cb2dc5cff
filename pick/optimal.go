package pick

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/fulfillkit/fulfill"
)

// MaxOptimalCrossAisles is the largest number of cross aisles [Optimal]
// handles: the number of states of its sweep grows quickly with the number
// of cross aisles, so beyond this [Auto] falls back to other methods.
const MaxOptimalCrossAisles = 5

// Optimal is the exact [Router] for a [Rect]: the dynamic programme of
// Ratliff and Rosenthal (1983), generalised to any number of cross aisles as
// by Roodbergen and de Koster (2001). It sweeps the aisles from left to right
// and keeps, for every way the tour can cross between two neighbouring aisles
// (how many times it walks each cross aisle there, and which of those walks
// are already joined), the shortest partial tour. It returns a route of
// minimum length and the concrete order in which that tour visits the bins.
//
// Optimal returns an error wrapping [ErrUnsupported] for any other layout and
// for more than [MaxOptimalCrossAisles] cross aisles. The zero Optimal is
// ready to use.
type Optimal struct{}

var _ Router = Optimal{}

// Route returns a shortest route through bins.
func (Optimal) Route(ctx context.Context, l Layout, bins []Bin) (Route, error) {
	if err := checkLayout(l); err != nil {
		return Route{}, err
	}
	r, ok := l.(*Rect)
	if !ok {
		return Route{}, fmt.Errorf("%w: Optimal routes only a *Rect, got %T", ErrUnsupported, l)
	}
	if r.k > MaxOptimalCrossAisles {
		return Route{}, fmt.Errorf("%w: Optimal handles at most %d cross aisles, the layout has %d", ErrUnsupported, MaxOptimalCrossAisles, r.k)
	}
	p, err := newProblem(l, bins)
	if err != nil {
		return Route{}, err
	}
	order, _, err := r.optimalOrder(ctx, p.uniq, false, nil)
	if err != nil {
		return Route{}, err
	}
	return p.route(order), nil
}

// Kinds of coverage of one sub-aisle (the part of an aisle between two
// neighbouring cross aisles).
const (
	vNone  = iota // not entered (no picks in it)
	vPass1        // walked through once
	vPass2        // walked through twice
	vLow          // entered from the lower cross aisle and left the same way
	vHigh         // entered from the upper cross aisle and left the same way
	vGap          // entered from both ends, leaving the largest gap between picks unwalked
)

const maxK = MaxOptimalCrossAisles

// vopt is one way to cover a sub-aisle.
type vopt struct {
	kind     uint8
	cost     int64
	dLo, dHi int8 // degree added at the lower and upper cross-aisle node
	link     bool // joins the two nodes
	gap      int  // for vGap: the last pick walked from below
}

// dpEntry is the best partial tour ending in a state.
type dpEntry struct {
	cost  int64
	prev  uint64
	combo int32
}

// sweepTables are the scratch space of a sweep, reusable from one sweep to
// the next by one goroutine.
type sweepTables struct {
	steps [maxK]stateTable // one per sub-aisle
	next  stateTable
	first stateList // the state entering the first aisle
	req   [][maxK]bool
	subs  [][maxK]sub
	cells []int   // the sub-aisle of each spot
	count []int   // the picks in each sub-aisle
	ys    []int64 // backing store of subs' ys
	idx   []int   // backing store of subs' idx
	need  []bool
	opts  [][maxK][]vopt
	arena []vopt // backing store of opts

	// What rebuilding the tour needs, when it is wanted.
	keptKeys []uint64           // the states kept to rebuild the tour, one list after the other
	keptEnts []dpEntry          // their entries, likewise
	inter    [][maxK]keptStates // per aisle and sub-aisle
	outs     []keptStates       // the states leaving each aisle to the right
	graph    tourGraph
	spotOf   []int // graph node -> spot index, -1 for none
	ids      []int // the graph nodes of one sub-aisle's picks
	seen     []bool
	order    []int // the visiting order returned
}

// keptStates locates one list of states among the kept ones.
type keptStates struct{ off, n int }

// keep copies the states of l after the kept ones and returns where they lie.
func (tb *sweepTables) keep(l stateList) keptStates {
	ks := keptStates{off: len(tb.keptKeys), n: len(l.keys)}
	tb.keptKeys = append(tb.keptKeys, l.keys...)
	tb.keptEnts = append(tb.keptEnts, l.ents...)
	return ks
}

// find returns the entry of key among the kept states ks; the key is known
// to be there.
func (tb *sweepTables) find(ks keptStates, key uint64) dpEntry {
	return tb.keptEnts[ks.off+slices.Index(tb.keptKeys[ks.off:ks.off+ks.n], key)]
}

// sub holds the picks inside one sub-aisle: positions and spot indexes.
type sub struct {
	ys  []int64
	idx []int
}

// resize returns s with length n and every element zero, reusing its
// storage when it is large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// optimalOrder solves the instance and returns the visiting order of the
// distinct spots and the optimal tour length; with lengthOnly, the length
// alone. tables may be nil or reused from an earlier call; the order lives
// in tables until their next sweep.
func (r *Rect) optimalOrder(ctx context.Context, uniq []Spot, lengthOnly bool, tables *sweepTables) ([]int, fulfill.Length, error) {
	if tables == nil {
		tables = new(sweepTables)
	}
	depot := r.Depot()
	trivial := true
	for _, s := range uniq {
		if s != depot {
			trivial = false
		}
	}
	if trivial {
		order := tables.order[:0]
		for i := range uniq {
			order = append(order, i)
		}
		tables.order = order
		return order, 0, nil
	}
	k := r.k
	var yArr [MaxCrossAisles]int64
	Y := yArr[:k]
	for c := range k {
		Y[c] = int64(r.crossY[c])
	}
	lo, hi := depot.X, depot.X
	for _, s := range uniq {
		lo, hi = min(lo, s.X), max(hi, s.X)
	}
	ncol := int(hi-lo) + 1
	req := resize(tables.req, ncol)
	var spotOf []int // graph node -> spot index, to rebuild the tour
	if !lengthOnly {
		// The first ncol*k nodes are the cross-aisle nodes of each aisle.
		spotOf = tables.spotOf[:0]
		for range ncol * k {
			spotOf = append(spotOf, -1)
		}
	}
	// The picks inside the sub-aisles lie in one arena, sub-aisle by
	// sub-aisle, each sub-aisle's in the order of uniq: counted first, then
	// placed.
	subs := resize(tables.subs, ncol)
	cells := tables.cells[:0] // the sub-aisle of each spot, t*maxK+b, or -1
	count := resize(tables.count, ncol*maxK)
	req[depot.X-lo][r.cfg.Depot.CrossAisle] = true
	for u, s := range uniq {
		t := int(s.X - lo)
		c := slices.Index(Y, s.Y)
		if c >= 0 {
			req[t][c] = true
			if !lengthOnly {
				spotOf[t*k+c] = u
			}
			cells = append(cells, -1)
			continue
		}
		b := 0
		for b < k-2 && Y[b+1] < s.Y {
			b++
		}
		cells = append(cells, t*maxK+b)
		count[t*maxK+b]++
	}
	ys, idx := resize(tables.ys, len(uniq)), resize(tables.idx, len(uniq))
	off := 0
	for t := range subs {
		for b := range subs[t] {
			n := count[t*maxK+b]
			subs[t][b] = sub{ys: ys[off : off : off+n], idx: idx[off : off : off+n]}
			off += n
		}
	}
	for u, cl := range cells {
		if cl >= 0 {
			s := &subs[cl/maxK][cl%maxK]
			s.ys, s.idx = append(s.ys, uniq[u].Y), append(s.idx, u)
		}
	}
	tables.req, tables.subs, tables.cells, tables.count, tables.ys, tables.idx = req, subs, cells, count, ys, idx
	need := resize(tables.need, ncol) // need[t]: something to visit in a column after t
	tables.need = need
	for t := ncol - 2; t >= 0; t-- {
		need[t] = need[t+1]
		for c := range k {
			if req[t+1][c] || len(subs[t+1][c].ys) > 0 {
				need[t] = true
			}
		}
	}
	opts := resize(tables.opts, ncol)
	tables.opts = opts
	tables.arena = tables.arena[:0]
	var emptyOpts [maxK][]vopt // every aisle without picks shares these
	haveEmpty := false
	for t := range ncol {
		empty := true
		for c := 0; c < k-1; c++ {
			if len(subs[t][c].ys) > 0 {
				empty = false
			}
		}
		if empty {
			if !haveEmpty {
				for c := 0; c < k-1; c++ {
					emptyOpts[c] = tables.subOptions(nil, Y[c], Y[c+1])
				}
				haveEmpty = true
			}
			opts[t] = emptyOpts
			continue
		}
		for c := 0; c < k-1; c++ {
			s := &subs[t][c]
			if len(s.ys) <= 1 {
				opts[t][c] = tables.subOptions(s.ys, Y[c], Y[c+1])
				continue
			}
			// The spots are distinct, so the positions in one sub-aisle
			// are too: sorting them in place, with their indexes, has a
			// single outcome.
			for i := 1; i < len(s.ys); i++ {
				y, u := s.ys[i], s.idx[i]
				j := i
				for ; j > 0 && s.ys[j-1] > y; j-- {
					s.ys[j], s.idx[j] = s.ys[j-1], s.idx[j-1]
				}
				s.ys[j], s.idx[j] = y, u
			}
			opts[t][c] = tables.subOptions(s.ys, Y[c], Y[c+1])
		}
	}

	spacing := int64(r.cfg.AisleSpacing)
	// The sweep takes two kinds of step per aisle. Entering aisle t with a
	// state (how often each cross aisle is walked from aisle t-1 to t, and
	// which of those walks are joined), it chooses a coverage for each
	// sub-aisle in turn, from the front, keeping the aisle's nodes: degree
	// parity, whether used, and component. Then it chooses how often each
	// cross aisle continues to aisle t+1. Each step keeps only the cheapest
	// way to each state.
	next := &tables.next
	var inter [][maxK]keptStates // per aisle and sub-aisle, kept to rebuild the tour
	var outs []keptStates        // states leaving aisle t to the right, likewise
	if !lengthOnly {
		inter = resize(tables.inter, ncol)
		outs = resize(tables.outs, ncol)
		tables.inter, tables.outs = inter, outs
		tables.keptKeys, tables.keptEnts = tables.keptKeys[:0], tables.keptEnts[:0]
	}
	tables.first.keys = append(tables.first.keys[:0], 0)
	tables.first.ents = append(tables.first.ents[:0], dpEntry{})
	cur := tables.first
	bestCost := int64(math.MaxInt64)
	bestT, bestI := -1, uint64(0)
	for t := range ncol {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		last := t == ncol-1
		src := cur
		for c := 0; c < k-1; c++ {
			dst := &tables.steps[c]
			dst.reset(len(src.keys) * len(opts[t][c]))
			for n, key := range src.keys {
				e := src.ents[n]
				nodes := key
				if c == 0 {
					nodes = toNodes(key, k)
				}
				for oi, o := range opts[t][c] {
					dst.relax(applyOption(nodes, c, o, k), dpEntry{cost: e.cost + o.cost, prev: key, combo: int32(oi)})
				}
			}
			src = dst.list()
			if !lengthOnly {
				inter[t][c] = tables.keep(src)
			}
		}
		midList := src
		next.reset(len(midList.keys) * 4)
		for n, ik := range midList.keys {
			e := midList.ents[n]
			var odd, used [maxK]bool
			var lab [maxK]int
			choice := 0 // nodes free to continue twice or not
			ok := true
			fresh := k // labels for required nodes not yet used
			for c := range k {
				f := int(ik>>(5*c)) & 31
				odd[c], used[c], lab[c] = f&1 == 1, f&2 != 0, f>>2
				switch {
				case odd[c] && last, !used[c] && req[t][c] && last:
					ok = false
				case used[c] && !odd[c] && !last:
					choice |= 1 << c
				case !used[c] && req[t][c]:
					fresh++
					lab[c] = fresh
				}
			}
			if !ok {
				continue
			}
			for sub := choice; ; sub = (sub - 1) & choice {
				var mout [maxK]int
				var hasOut, present [2*maxK + 1]bool
				for c := range k {
					switch {
					case odd[c]:
						mout[c] = 1
					case sub&(1<<c) != 0:
						mout[c] = 2
					case !used[c] && req[t][c]:
						mout[c] = 2
					}
					if lab[c] > 0 {
						present[lab[c]] = true
						if mout[c] > 0 {
							hasOut[lab[c]] = true
						}
					}
				}
				nroots, closed := 0, false
				for l := range present {
					if present[l] {
						nroots++
						if !hasOut[l] {
							closed = true
						}
					}
				}
				cost := e.cost
				switch {
				case nroots == 0:
				case closed:
					if nroots == 1 && !need[t] && (cost < bestCost || cost == bestCost && t == bestT && ik < bestI) {
						bestCost, bestT, bestI = cost, t, ik
					}
				default:
					var nk uint64
					var names [maxK]int
					nn := 0
					for c := range k {
						if mout[c] == 0 {
							continue
						}
						cost += int64(mout[c]) * spacing
						l := slices.Index(names[:nn], lab[c])
						if l < 0 {
							names[nn] = lab[c]
							nn++
							l = nn - 1
						}
						nk |= uint64(mout[c]|(l+1)<<2) << (5 * c)
					}
					next.relax(nk, dpEntry{cost: cost, prev: ik})
				}
				if sub == 0 {
					break
				}
			}
		}
		cur = next.list()
		if !lengthOnly {
			outs[t] = tables.keep(cur)
		}
	}
	if bestT < 0 {
		return nil, 0, fmt.Errorf("pick: internal error: no tour found for %d spots", len(uniq))
	}
	if lengthOnly {
		return nil, fulfill.Length(bestCost), nil
	}

	// Rebuild the tour's multigraph from the choices made.
	g := &tables.graph
	g.reset(ncol * k)
	t, ik := bestT, bestI
	var mout [maxK]int
	for t >= 0 {
		// Recover the coverage of each sub-aisle, the last first; ik ends as
		// the state entering aisle t.
		var choice [maxK]int
		for c := k - 2; c >= 0; c-- {
			e := tables.find(inter[t][c], ik)
			choice[c], ik = int(e.combo), e.prev
		}
		for c := range k {
			if mout[c] > 0 {
				g.add(t*k+c, (t+1)*k+c, mout[c])
			}
		}
		for c := 0; c < k-1; c++ {
			o := opts[t][c][choice[c]]
			s := subs[t][c]
			ids := tables.ids[:0]
			for _, u := range s.idx {
				ids = append(ids, g.node())
				spotOf = append(spotOf, u)
			}
			tables.ids = ids
			low, high := t*k+c, t*k+c+1
			switch o.kind {
			case vPass1, vPass2:
				mult := 1
				if o.kind == vPass2 {
					mult = 2
				}
				g.add(g.chain(low, ids, mult), high, mult)
			case vLow:
				g.chain(low, ids, 2)
			case vHigh:
				g.chainBack(high, ids, 2)
			case vGap:
				g.chain(low, ids[:o.gap+1], 2)
				g.chainBack(high, ids[o.gap+1:], 2)
			}
		}
		if t == 0 {
			break
		}
		for c := range k {
			mout[c] = int(ik>>(5*c)) & 3
		}
		ik = tables.find(outs[t-1], ik).prev
		t--
	}
	tables.spotOf = spotOf
	start := int(depot.X-lo)*k + r.cfg.Depot.CrossAisle
	seen := resize(tables.seen, len(uniq))
	order := tables.order[:0]
	for _, v := range g.euler(start) {
		if u := spotOf[v]; u >= 0 && !seen[u] {
			seen[u] = true
			order = append(order, u)
		}
	}
	tables.seen, tables.order = seen, order
	if len(order) != len(uniq) {
		return nil, 0, fmt.Errorf("pick: internal error: tour visits %d of %d spots", len(order), len(uniq))
	}
	return order, fulfill.Length(bestCost), nil
}

// stateTable is an open-addressing hash table of sweep states, reused from
// aisle to aisle; it keeps insertion order so that walking it is
// deterministic.
type stateTable struct {
	slots []int32 // 1 + index into keys, 0 when empty
	keys  []uint64
	ents  []dpEntry
	mask  uint64
}

// reset empties the table, sized for about n keys.
func (h *stateTable) reset(n int) {
	size := 16
	for size < 2*n {
		size *= 2
	}
	if cap(h.slots) >= size {
		h.slots = h.slots[:size]
		clear(h.slots)
	} else {
		h.slots = make([]int32, size)
	}
	h.mask = uint64(size - 1)
	h.keys, h.ents = h.keys[:0], h.ents[:0]
}

// relax stores e for key if key is new or e is better than what it holds:
// cheaper, or as cheap and first in a fixed order, so that the result does
// not depend on the order states are visited in.
func (h *stateTable) relax(key uint64, e dpEntry) {
	if 2*len(h.keys) >= len(h.slots) {
		h.grow()
	}
	i := (key * 0x9e3779b97f4a7c15 >> 17) & h.mask
	for {
		s := h.slots[i]
		if s == 0 {
			h.slots[i] = int32(len(h.keys) + 1)
			h.keys = append(h.keys, key)
			h.ents = append(h.ents, e)
			return
		}
		if h.keys[s-1] == key {
			old := &h.ents[s-1]
			if e.cost < old.cost || e.cost == old.cost && (e.prev < old.prev || e.prev == old.prev && e.combo < old.combo) {
				*old = e
			}
			return
		}
		i = (i + 1) & h.mask
	}
}

// grow doubles the slots and reinserts the keys.
func (h *stateTable) grow() {
	h.slots = make([]int32, 2*len(h.slots))
	h.mask = uint64(len(h.slots) - 1)
	for n, key := range h.keys {
		i := (key * 0x9e3779b97f4a7c15 >> 17) & h.mask
		for h.slots[i] != 0 {
			i = (i + 1) & h.mask
		}
		h.slots[i] = int32(n + 1)
	}
}

// list returns the table's states, valid until it is next reset.
func (h *stateTable) list() stateList {
	return stateList{keys: h.keys, ents: h.ents}
}

// stateList is a set of sweep states.
type stateList struct {
	keys []uint64
	ents []dpEntry
}

func reversed(s []int) []int {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// subOptions lists the ways to cover a sub-aisle from y0 to y1 holding
// picks at the sorted positions ys (strictly between them). The list lives
// in the tables' arena until the next sweep.
func (tb *sweepTables) subOptions(ys []int64, y0, y1 int64) []vopt {
	start := len(tb.arena)
	span := y1 - y0
	tb.arena = append(tb.arena,
		vopt{kind: vPass1, cost: span, dLo: 1, dHi: 1, link: true},
		vopt{kind: vPass2, cost: 2 * span, dLo: 2, dHi: 2, link: true})
	if len(ys) == 0 {
		tb.arena = append(tb.arena, vopt{kind: vNone})
		return tb.arena[start:len(tb.arena):len(tb.arena)]
	}
	tb.arena = append(tb.arena,
		vopt{kind: vLow, cost: 2 * (ys[len(ys)-1] - y0), dLo: 2},
		vopt{kind: vHigh, cost: 2 * (y1 - ys[0]), dHi: 2})
	if len(ys) >= 2 {
		g, best := 0, int64(-1)
		for i := 0; i+1 < len(ys); i++ {
			if d := ys[i+1] - ys[i]; d > best {
				g, best = i, d
			}
		}
		tb.arena = append(tb.arena, vopt{kind: vGap, cost: 2 * (span - best), dLo: 2, dHi: 2, gap: g})
	}
	return tb.arena[start:len(tb.arena):len(tb.arena)]
}

// toNodes turns a state entering an aisle (per cross aisle: walks from the
// left, component) into the aisle's node state (per node: degree parity,
// used, component).
func toNodes(key uint64, k int) uint64 {
	var out uint64
	for c := range k {
		m := (key >> (5 * c)) & 3
		if m == 0 {
			continue
		}
		lab := (key >> (5*c + 2)) & 7
		out |= (m&1 | 2 | lab<<2) << (5 * c)
	}
	return out
}

// applyOption adds coverage o of sub-aisle c to a node state: the degrees
// it adds at nodes c and c+1, a new component for a node it starts using,
// and the join of the two nodes' components if it links them. Components are
// renumbered in order of first appearance.
func applyOption(nodes uint64, c int, o vopt, k int) uint64 {
	var f [maxK]uint64
	for j := range k {
		f[j] = (nodes >> (5 * j)) & 31
	}
	touch := func(j int, d int8, fresh uint64) {
		if d == 0 {
			return
		}
		if f[j]&2 == 0 {
			f[j] = 2 | fresh<<2
		}
		f[j] ^= uint64(d) & 1
	}
	touch(c, o.dLo, 7)
	touch(c+1, o.dHi, 6)
	if o.link {
		from, to := f[c+1]>>2, f[c]>>2
		for j := range k {
			if f[j]&2 != 0 && f[j]>>2 == from {
				f[j] = f[j]&3 | to<<2
			}
		}
	}
	var names [8]uint64 // old label -> new label
	next := uint64(0)
	var out uint64
	for j := range k {
		if f[j]&2 == 0 {
			continue
		}
		l := f[j] >> 2
		if names[l] == 0 {
			next++
			names[l] = next
		}
		out |= (f[j]&3 | names[l]<<2) << (5 * j)
	}
	return out
}

// tourGraph is an undirected multigraph for building an Euler circuit,
// whose storage is reused from one tour to the next.
type tourGraph struct {
	ends  [][2]int // the edges, by id
	nodes int
	// Scratch of euler.
	first   []int // node v's edges are adj[first[v]:first[v+1]]
	adj     []int // edge ids, node by node, each node's in the order added
	pos     []int
	used    []bool
	stack   []int
	circuit []int
}

// reset empties g and gives it n nodes.
func (g *tourGraph) reset(n int) {
	g.ends, g.nodes = g.ends[:0], n
}

// node adds a node and returns its id.
func (g *tourGraph) node() int {
	g.nodes++
	return g.nodes - 1
}

// add adds mult parallel edges between a and b.
func (g *tourGraph) add(a, b, mult int) {
	for range mult {
		g.ends = append(g.ends, [2]int{a, b})
	}
}

// chain adds mult edges between from and pts[0], between pts[0] and
// pts[1], and so on, and returns the last node of the chain.
func (g *tourGraph) chain(from int, pts []int, mult int) int {
	for _, p := range pts {
		g.add(from, p, mult)
		from = p
	}
	return from
}

// chainBack is chain through pts from the last to the first.
func (g *tourGraph) chainBack(from int, pts []int, mult int) {
	for i := len(pts) - 1; i >= 0; i-- {
		g.add(from, pts[i], mult)
		from = pts[i]
	}
}

// euler returns the nodes of an Euler circuit from start (Hierholzer), in
// walking order; every node has even degree and the edges are connected.
// Each node leaves by its unused edges in the order they were added. The
// circuit lives in g until its next circuit.
func (g *tourGraph) euler(start int) []int {
	n := g.nodes
	first := resize(g.first, n+1)
	for _, e := range g.ends {
		first[e[0]+1]++
		first[e[1]+1]++
	}
	for v := range n {
		first[v+1] += first[v]
	}
	adj := resize(g.adj, 2*len(g.ends))
	pos := resize(g.pos, n)
	copy(pos, first[:n])
	for id, e := range g.ends {
		adj[pos[e[0]]] = id
		pos[e[0]]++
		adj[pos[e[1]]] = id
		pos[e[1]]++
	}
	copy(pos, first[:n]) // pos[v]: the next of v's edges to try
	used := resize(g.used, len(g.ends))
	stack := append(g.stack[:0], start)
	circuit := g.circuit[:0]
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		for pos[v] < first[v+1] && used[adj[pos[v]]] {
			pos[v]++
		}
		if pos[v] == first[v+1] {
			circuit = append(circuit, v)
			stack = stack[:len(stack)-1]
			continue
		}
		id := adj[pos[v]]
		used[id] = true
		w := g.ends[id][0]
		if w == v {
			w = g.ends[id][1]
		}
		stack = append(stack, w)
	}
	slices.Reverse(circuit)
	g.first, g.adj, g.pos, g.used, g.stack, g.circuit = first, adj, pos, used, stack, circuit
	return circuit
}
