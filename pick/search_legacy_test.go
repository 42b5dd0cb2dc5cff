package pick

// The local search as it was before its cost was cut, kept as the baseline
// that the benchmarks measure against and that the equivalence test
// compares with.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/fulfillkit/fulfill"
)

// legacyProblem is a batchProblem with the tour-length memo of the old
// search: keys are the decimal indexes of a set, joined by commas.
type legacyProblem struct {
	*batchProblem
	memo   map[string]fulfill.Length
	tables sweepTables
}

// legacyBatch is LocalSearch.Batch as it was before its cost was cut.
func legacyBatch(s LocalSearch, ctx context.Context, l Layout, orders []Order, c Capacity) (Batching, error) {
	// The start is always completed and the routes never cancelled; ctx
	// only ends the search.
	bp, err := newBatchProblem(context.WithoutCancel(ctx), l, s.Router, orders, c)
	if err != nil {
		return Batching{}, err
	}
	p := &legacyProblem{batchProblem: bp, memo: map[string]fulfill.Length{}}
	var sets [][]int
	if s.Start == nil {
		if sets, err = legacySavingsSets(p, startNear); err != nil {
			return Batching{}, err
		}
	} else {
		first, err := s.Start.Batch(context.WithoutCancel(ctx), l, orders, c)
		if err != nil {
			return Batching{}, err
		}
		for _, b := range first.Batches {
			sets = append(sets, slices.Clone(b.Orders))
		}
	}
	ls := &legacySearcher{p: p, ctx: ctx, rng: rand.New(rand.NewPCG(s.Seed, 0x9e3779b97f4a7c15)), near: s.Neighbours}
	if ls.near <= 0 {
		ls.near = 6
	}
	rounds := s.Rounds
	if rounds <= 0 {
		rounds = 30
	}
	best := ls.run(sets, rounds)
	if p.err != nil {
		return Batching{}, p.err
	}
	return p.legacyResult(best)
}

// cost returns the route length of a set of orders (ascending indexes).
func (p *legacyProblem) cost(set []int) fulfill.Length {
	if len(set) == 0 {
		return 0
	}
	var kb strings.Builder
	for _, o := range set {
		kb.WriteString(strconv.Itoa(o))
		kb.WriteByte(',')
	}
	key := kb.String()
	if v, ok := p.memo[key]; ok {
		return v
	}
	v, err := p.length(set)
	if err != nil && p.err == nil {
		p.err = err
	}
	p.memo[key] = v
	return v
}

// length routes a set of orders. With the default router on a rectangle
// of up to batchExactCrossAisles cross aisles it runs the exact sweep for
// the length alone, which is what [Optimal] would report, without
// rebuilding the tour; on larger rectangles it estimates with [TwoOpt].
func (p *legacyProblem) length(set []int) (fulfill.Length, error) {
	bins := p.binsOf(set)
	if r, ok := p.l.(*Rect); ok {
		switch p.router.(type) {
		case Auto, Optimal, *Auto, *Optimal:
			if r.k > batchExactCrossAisles {
				rt, err := TwoOpt{}.Route(p.ctx, p.l, bins)
				return rt.Length, err
			}
			ss, err := spots(p.l, bins)
			if err != nil {
				return 0, err
			}
			uniq, _ := distinct(ss)
			_, v, err := r.legacyOptimalOrder(p.ctx, uniq, true, &p.tables)
			return v, err
		}
	}
	rt, err := p.router.Route(p.ctx, p.l, bins)
	return rt.Length, err
}

// legacySavingsSets batches by savings. With near > 0 it routes only the pairs
// of each order with its near nearest orders (by the distance from each of
// its bins to the other's nearest bin); the other pairs follow them, nearest
// first, as if they saved nothing. near = 0 routes every pair.
func legacySavingsSets(p *legacyProblem, near int) ([][]int, error) {
	n := len(p.orders)
	type pair struct {
		i, j int
		s    fulfill.Length
		d    fulfill.Length // the closeness of the two orders, for pairs not routed
	}
	routed := make(map[[2]int]bool)
	var closeness [][]fulfill.Length
	if near > 0 && near < n-1 {
		ss := make([][]Spot, n)
		for o := range n {
			ss[o], _ = spots(p.l, p.bins[o])
		}
		closeness = make([][]fulfill.Length, n)
		for i := range n {
			closeness[i] = make([]fulfill.Length, n)
			for j := range n {
				if i == j {
					continue
				}
				for _, a := range ss[i] {
					best := fulfill.Length(-1)
					for _, b := range ss[j] {
						if d := p.l.Distance(a, b); best < 0 || d < best {
							best = d
						}
					}
					closeness[i][j] += best
				}
			}
			order := make([]int, 0, n-1)
			for j := range n {
				if j != i {
					order = append(order, j)
				}
			}
			slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(closeness[i][a], closeness[i][b]) })
			for _, j := range order[:near] {
				routed[[2]int{min(i, j), max(i, j)}] = true
			}
		}
	}
	var pairs, rest []pair
	for i := range n {
		if err := p.ctx.Err(); err != nil {
			return nil, err
		}
		for j := i + 1; j < n; j++ {
			if !p.loads[i].plus(p.loads[j]).fits(p.c) {
				continue
			}
			if closeness != nil && !routed[[2]int{i, j}] {
				rest = append(rest, pair{i: i, j: j, d: closeness[i][j] + closeness[j][i]})
				continue
			}
			// Never negative; pairs saving nothing still merge, to use fewer carts.
			s := p.cost([]int{i}) + p.cost([]int{j}) - p.cost([]int{i, j})
			pairs = append(pairs, pair{i: i, j: j, s: s})
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return cmp.Compare(b.s, a.s) })
	slices.SortStableFunc(rest, func(a, b pair) int { return cmp.Compare(a.d, b.d) })
	pairs = append(pairs, rest...)
	of := make([]int, n) // order -> batch
	sets := make([][]int, n)
	loads := make([]load, n)
	for i := range n {
		of[i], sets[i], loads[i] = i, []int{i}, p.loads[i]
	}
	for _, pr := range pairs {
		a, b := of[pr.i], of[pr.j]
		if a == b || !loads[a].plus(loads[b]).fits(p.c) {
			continue
		}
		for _, o := range sets[b] {
			of[o] = a
		}
		sets[a] = append(sets[a], sets[b]...)
		slices.Sort(sets[a])
		loads[a] = loads[a].plus(loads[b])
		sets[b], loads[b] = nil, load{}
	}
	return sets, p.err
}

// legacySearcher holds the state of one local search.
type legacySearcher struct {
	p    *legacyProblem
	ctx  context.Context
	rng  *rand.Rand
	near int
}

// legacyState is a batching under search: sets of orders with their loads and
// route lengths, and which set each order is in.
type legacyState struct {
	sets  [][]int
	loads []load
	costs []fulfill.Length
	of    []int
	total fulfill.Length
}

func (ls *legacySearcher) newState(sets [][]int) *legacyState {
	st := &legacyState{of: make([]int, len(ls.p.orders))}
	for _, s := range sets {
		s = slices.Clone(s)
		slices.Sort(s)
		b := len(st.sets)
		st.sets = append(st.sets, s)
		st.loads = append(st.loads, ls.p.loadOf(s))
		c := ls.p.cost(s)
		st.costs = append(st.costs, c)
		st.total += c
		for _, o := range s {
			st.of[o] = b
		}
	}
	return st
}

func (st *legacyState) clone() [][]int {
	out := make([][]int, 0, len(st.sets))
	for _, s := range st.sets {
		if len(s) > 0 {
			out = append(out, slices.Clone(s))
		}
	}
	return out
}

// set replaces batch b by s.
func (ls *legacySearcher) set(st *legacyState, b int, s []int) {
	st.total += ls.p.cost(s) - st.costs[b]
	st.sets[b], st.costs[b], st.loads[b] = s, ls.p.cost(s), ls.p.loadOf(s)
	for _, o := range s {
		st.of[o] = b
	}
}

func (ls *legacySearcher) run(start [][]int, rounds int) [][]int {
	st := ls.newState(start)
	best, bestTotal := st.clone(), st.total
	for round := 0; ; round++ {
		ls.descend(st)
		if st.total < bestTotal {
			best, bestTotal = st.clone(), st.total
		}
		if round >= rounds || ls.ctx.Err() != nil {
			break
		}
		st = ls.newState(best)
		ls.perturb(st, 2+ls.rng.IntN(4))
	}
	return best
}

// closeness scores how near order o lies to batch b: the sum over o's bins
// of the distance to the nearest bin of b. Lower is nearer.
func (ls *legacySearcher) closeness(spotsOf [][]Spot, st *legacyState, o, b int) fulfill.Length {
	var total fulfill.Length
	for _, a := range spotsOf[o] {
		best := fulfill.Length(-1)
		for _, q := range st.sets[b] {
			for _, s := range spotsOf[q] {
				if d := ls.p.l.Distance(a, s); best < 0 || d < best {
					best = d
				}
			}
		}
		total += best
	}
	return total
}

// descend applies improving shifts and swaps until none is left or ctx is
// done.
func (ls *legacySearcher) descend(st *legacyState) {
	p := ls.p
	spotsOf := make([][]Spot, len(p.orders))
	for o := range p.orders {
		spotsOf[o], _ = spots(p.l, p.bins[o])
	}
	for improved := true; improved; {
		improved = false
		perm := ls.rng.Perm(len(p.orders))
		for _, o := range perm {
			if ls.ctx.Err() != nil {
				return
			}
			a := st.of[o]
			// The nearest other batches.
			type cand struct {
				b int
				d fulfill.Length
			}
			var cands []cand
			for b := range st.sets {
				if b != a && len(st.sets[b]) > 0 {
					cands = append(cands, cand{b, ls.closeness(spotsOf, st, o, b)})
				}
			}
			slices.SortStableFunc(cands, func(x, y cand) int { return int(x.d - y.d) })
			if len(cands) > ls.near {
				cands = cands[:ls.near]
			}
			aWithout := without(st.sets[a], o)
			costA := p.cost(aWithout)
			for _, cd := range cands {
				b := cd.b
				// Shift o from a to b.
				if st.loads[b].plus(p.loads[o]).fits(p.c) {
					nb := sortedWith(st.sets[b], o)
					if delta := costA + p.cost(nb) - st.costs[a] - st.costs[b]; delta < 0 {
						ls.set(st, a, aWithout)
						ls.set(st, b, nb)
						improved = true
						break
					}
				}
				// Swap o with an order q of b.
				done := false
				for _, q := range st.sets[b] {
					la := st.loads[a].plus(p.loads[q])
					la = load{la.lines - p.loads[o].lines, la.units - p.loads[o].units, la.volume - p.loads[o].volume,
						la.weight - p.loads[o].weight, la.totes - p.loads[o].totes}
					lb := st.loads[b].plus(p.loads[o])
					lb = load{lb.lines - p.loads[q].lines, lb.units - p.loads[q].units, lb.volume - p.loads[q].volume,
						lb.weight - p.loads[q].weight, lb.totes - p.loads[q].totes}
					if !la.fits(p.c) || !lb.fits(p.c) {
						continue
					}
					na := sortedWith(aWithout, q)
					nb := sortedWith(without(st.sets[b], q), o)
					if delta := p.cost(na) + p.cost(nb) - st.costs[a] - st.costs[b]; delta < 0 {
						ls.set(st, a, na)
						ls.set(st, b, nb)
						improved, done = true, true
						break
					}
				}
				if done {
					break
				}
			}
		}
	}
}

// perturb applies n random feasible shifts or swaps, whatever their cost.
func (ls *legacySearcher) perturb(st *legacyState, n int) {
	p := ls.p
	for range n {
		if len(st.sets) < 2 {
			return
		}
		o := ls.rng.IntN(len(p.orders))
		a := st.of[o]
		b := ls.rng.IntN(len(st.sets))
		if a == b || len(st.sets[b]) == 0 {
			continue
		}
		if st.loads[b].plus(p.loads[o]).fits(p.c) && ls.rng.IntN(2) == 0 {
			ls.set(st, a, without(st.sets[a], o))
			ls.set(st, b, sortedWith(st.sets[b], o))
			continue
		}
		q := st.sets[b][ls.rng.IntN(len(st.sets[b]))]
		na := sortedWith(without(st.sets[a], o), q)
		nb := sortedWith(without(st.sets[b], q), o)
		if p.loadOf(na).fits(p.c) && p.loadOf(nb).fits(p.c) {
			ls.set(st, a, na)
			ls.set(st, b, nb)
		}
	}
}

// legacyOptimalOrder solves the instance and returns the visiting order of the
// distinct spots and the optimal tour length; with lengthOnly, the length
// alone. tables may be nil or reused from an earlier call.
func (r *Rect) legacyOptimalOrder(ctx context.Context, uniq []Spot, lengthOnly bool, tables *sweepTables) ([]int, fulfill.Length, error) {
	depot := r.Depot()
	trivial := true
	for _, s := range uniq {
		if s != depot {
			trivial = false
		}
	}
	if trivial {
		order := make([]int, len(uniq))
		for i := range order {
			order[i] = i
		}
		return order, 0, nil
	}
	k := r.k
	Y := make([]int64, k)
	for c := range k {
		Y[c] = int64(r.crossY[c])
	}
	lo, hi := depot.X, depot.X
	for _, s := range uniq {
		lo, hi = min(lo, s.X), max(hi, s.X)
	}
	ncol := int(hi-lo) + 1
	if tables == nil {
		tables = new(sweepTables)
	}
	req := resize(tables.req, ncol)
	nodeSpot := make(map[int]int) // cross node id -> spot index
	subs := tables.subs
	if cap(subs) < ncol {
		subs = make([][maxK]sub, ncol)
	}
	subs = subs[:ncol]
	for t := range subs {
		for c := range subs[t] {
			subs[t][c].ys, subs[t][c].idx = subs[t][c].ys[:0], subs[t][c].idx[:0]
		}
	}
	tables.req, tables.subs = req, subs
	req[depot.X-lo][r.cfg.Depot.CrossAisle] = true
	for u, s := range uniq {
		t := int(s.X - lo)
		c := slices.Index(Y, s.Y)
		if c >= 0 {
			req[t][c] = true
			nodeSpot[t*k+c] = u
			continue
		}
		b := 0
		for b < k-2 && Y[b+1] < s.Y {
			b++
		}
		subs[t][b].ys = append(subs[t][b].ys, s.Y)
		subs[t][b].idx = append(subs[t][b].idx, u)
	}
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
			order := make([]int, len(s.ys))
			for i := range order {
				order[i] = i
			}
			slices.SortFunc(order, func(a, b int) int { return cmp.Compare(s.ys[a], s.ys[b]) })
			ys, idx := make([]int64, len(order)), make([]int, len(order))
			for i, o := range order {
				ys[i], idx[i] = s.ys[o], s.idx[o]
			}
			s.ys, s.idx = ys, idx
			opts[t][c] = tables.subOptions(ys, Y[c], Y[c+1])
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
	var inter [][maxK]stateList // per aisle and sub-aisle, kept to rebuild the tour
	var outs []stateList        // states leaving aisle t to the right, likewise
	if !lengthOnly {
		inter = make([][maxK]stateList, ncol)
		outs = make([]stateList, ncol)
	}
	cur := stateList{keys: []uint64{0}, ents: []dpEntry{{}}}
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
			src = dst.legacyList(!lengthOnly)
			if !lengthOnly {
				inter[t][c] = src
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
		cur = next.legacyList(!lengthOnly)
		if !lengthOnly {
			outs[t] = cur
		}
	}
	if bestT < 0 {
		return nil, 0, fmt.Errorf("pick: internal error: no tour found for %d spots", len(uniq))
	}
	if lengthOnly {
		return nil, fulfill.Length(bestCost), nil
	}

	// Rebuild the tour's multigraph from the choices made.
	g := newMultigraph(ncol * k)
	spotNode := make(map[int]int) // graph node -> spot index
	for id, u := range nodeSpot {
		spotNode[id] = u
	}
	t, ik := bestT, bestI
	var mout [maxK]int
	for t >= 0 {
		// Recover the coverage of each sub-aisle, the last first; ik ends as
		// the state entering aisle t.
		var choice [maxK]int
		for c := k - 2; c >= 0; c-- {
			e := inter[t][c].find(ik)
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
			ids := make([]int, len(s.ys))
			for i := range ids {
				ids[i] = g.node()
				spotNode[ids[i]] = s.idx[i]
			}
			low, high := t*k+c, t*k+c+1
			chain := func(from int, pts []int, mult int) {
				prev := from
				for _, p := range pts {
					g.add(prev, p, mult)
					prev = p
				}
			}
			switch o.kind {
			case vPass1, vPass2:
				mult := 1
				if o.kind == vPass2 {
					mult = 2
				}
				chain(low, append(ids, high), mult)
			case vLow:
				chain(low, ids, 2)
			case vHigh:
				chain(high, reversed(ids), 2)
			case vGap:
				chain(low, ids[:o.gap+1], 2)
				chain(high, reversed(ids[o.gap+1:]), 2)
			}
		}
		if t == 0 {
			break
		}
		for c := range k {
			mout[c] = int(ik>>(5*c)) & 3
		}
		ik = outs[t-1].find(ik).prev
		t--
	}
	start := int(depot.X-lo)*k + r.cfg.Depot.CrossAisle
	seen := make(map[int]bool, len(uniq))
	order := make([]int, 0, len(uniq))
	for _, v := range g.euler(start) {
		if u, ok := spotNode[v]; ok && !seen[u] {
			seen[u] = true
			order = append(order, u)
		}
	}
	if len(order) != len(uniq) {
		return nil, 0, fmt.Errorf("pick: internal error: tour visits %d of %d spots", len(order), len(uniq))
	}
	return order, fulfill.Length(bestCost), nil
}
