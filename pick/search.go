package pick

import (
	"context"
	"math/rand/v2"
	"slices"

	"github.com/fulfillkit/fulfill"
)

// LocalSearch improves the batching of another [Batcher] by iterated local
// search: it moves single orders between carts (shift) and exchanges orders
// between carts (swap), keeping each change that shortens the total walk and
// respects the capacity; when no move helps it perturbs the best batching
// found with a few random moves and descends again.
//
// It stops after Rounds perturbations or when ctx is done, whichever comes
// first, and returns the best batching found (never an error for the
// deadline once the start is built). For a given Seed and input it is
// deterministic whenever it completes its rounds before the deadline.
//
// It routes each distinct set of orders once, does not try a move again
// between batches holding the same orders as when it failed, and with exact
// lengths (the default router on a [Rect] of up to three cross aisles)
// leaves out the moves that a lower bound already shows cannot shorten the
// walk; none of this changes which moves it makes.
type LocalSearch struct {
	// Start makes the batching to improve; nil means [Savings] with the
	// same Router, routing only the pairs of each order with its 30 nearest
	// orders to save time. The start is completed even if ctx ends first.
	Start Batcher
	// Router routes each batch; nil means [Auto].
	Router Router
	// Seed seeds the perturbations and the order moves are tried in.
	Seed uint64
	// Rounds is the number of perturbations; 0 means 30.
	Rounds int
	// Neighbours is how many nearby carts each order tries to join or swap
	// with; 0 means 6.
	Neighbours int
}

// Batch batches orders and improves the result.
func (s LocalSearch) Batch(ctx context.Context, l Layout, orders []Order, c Capacity) (Batching, error) {
	return s.batch(ctx, l, orders, c, false)
}

// batch is Batch; noTables makes the search keep neither the table of
// nearest-spot distances nor the records per order and batch, which it
// otherwise keeps when they are small enough, as on very large inputs.
func (s LocalSearch) batch(ctx context.Context, l Layout, orders []Order, c Capacity, noTables bool) (Batching, error) {
	// The start is always completed and the routes never cancelled; ctx
	// only ends the search.
	p, err := newBatchProblem(context.WithoutCancel(ctx), l, s.Router, orders, c)
	if err != nil {
		return Batching{}, err
	}
	p.noReach = noTables
	var sets [][]int
	if isNil(s.Start) {
		if sets, err = savingsSets(p, startNear); err != nil {
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
	near := s.Neighbours
	if near <= 0 {
		near = 6
	}
	ls := newSearcher(ctx, p, s.Seed, near)
	ls.noPairs = noTables
	rounds := s.Rounds
	if rounds <= 0 {
		rounds = 30
	}
	best := ls.run(sets, rounds)
	if p.err != nil {
		return Batching{}, p.err
	}
	return p.result(best)
}

// startNear is how many nearest orders of each order the default start
// routes pairs with.
const startNear = 30

// searcher holds the state of one local search.
type searcher struct {
	p    *batchProblem
	ctx  context.Context
	rng  *rand.Rand
	near int
	// exact tells that tour lengths are shortest tours on a Rect, so that
	// a tour through more orders is never shorter, nor shorter than growth
	// says; xlo and xhi are then the first and last aisle of each order,
	// and spacing the aisles' spacing.
	exact    bool
	xlo, xhi []int64
	spacing  int64

	// reach is the problem's reachTable, or nil: closeness sums minima
	// over it.
	reach [][]fulfill.Length
	// pairs, when not nil, holds a record per order o and batch b at
	// pairs[o*width+b].
	pairs   []pairRecord
	width   int
	noPairs bool // keep no pairs
	// Scratch reused from move to move.
	perm       []int
	cands      []cand
	bufA, bufB []int
	bufC       []int
}

// pairRecord is what the search remembers of an order o and a batch b:
// o's closeness to b when b held the set closeVer, and that no move of o
// to b improved the walk when o's batch held the set fromVer and b the set
// toVer (ids from costID). The outcome of a move depends on nothing but
// the two sets and o, so the record stays true in later rounds too.
type pairRecord struct {
	closeVer       uint64
	close          fulfill.Length
	fromVer, toVer uint64
}

// cand is a batch an order may move to, with its closeness to the order.
type cand struct {
	b int
	d fulfill.Length
}

// newSearcher prepares a search over p.
func newSearcher(ctx context.Context, p *batchProblem, seed uint64, near int) *searcher {
	ls := &searcher{p: p, ctx: ctx, rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), near: near, exact: p.exactLengths()}
	ls.reach = p.reachTable()
	if ls.exact {
		ls.spacing = int64(p.l.(*Rect).cfg.AisleSpacing)
		ls.xlo, ls.xhi = make([]int64, len(p.orders)), make([]int64, len(p.orders))
		for o, ss := range p.spots {
			ls.xlo[o], ls.xhi[o] = ss[0].X, ss[0].X
			for _, sp := range ss {
				ls.xlo[o], ls.xhi[o] = min(ls.xlo[o], sp.X), max(ls.xhi[o], sp.X)
			}
		}
	}
	return ls
}

// state is a batching under search: sets of orders with their loads and
// route lengths, and which set each order is in.
type state struct {
	sets  [][]int
	loads []load
	costs []fulfill.Length
	ver   []uint64 // the id of each batch's set of orders (see costID)
	of    []int
	total fulfill.Length
}

// newState makes the state of sets, reusing the storage of st if it is
// not nil.
func (ls *searcher) newState(st *state, sets [][]int) *state {
	if st == nil {
		st = &state{of: make([]int, len(ls.p.orders))}
	}
	// Each set is copied into storage the state owns from an earlier set
	// (nil past what it had), never shared with sets.
	st.sets = slices.Grow(st.sets[:0], len(sets))[:len(sets)]
	st.loads, st.costs, st.ver, st.total = st.loads[:0], st.costs[:0], st.ver[:0], 0
	for b, s := range sets {
		s = append(st.sets[b][:0], s...)
		slices.Sort(s)
		st.sets[b] = s
		st.loads = append(st.loads, ls.p.loadOf(s))
		c, id := ls.p.costID(s)
		st.costs = append(st.costs, c)
		st.ver = append(st.ver, id)
		st.total += c
		for _, o := range s {
			st.of[o] = b
		}
	}
	return st
}

func (st *state) clone() [][]int {
	out := make([][]int, 0, len(st.sets))
	for _, s := range st.sets {
		if len(s) > 0 {
			out = append(out, slices.Clone(s))
		}
	}
	return out
}

// set replaces batch b by s, which the state owns from then on.
func (ls *searcher) set(st *state, b int, s []int) {
	c, id := ls.p.costID(s)
	st.total += c - st.costs[b]
	st.sets[b], st.costs[b], st.loads[b], st.ver[b] = s, c, ls.p.loadOf(s), id
	for _, o := range s {
		st.of[o] = b
	}
}

// setCopy replaces batch b by a copy of s, reusing b's storage.
func (ls *searcher) setCopy(st *state, b int, s []int) {
	ls.set(st, b, append(st.sets[b][:0], s...))
}

// maxPairs bounds the entries of the searcher's per order and batch
// records (32 bytes each); beyond it nothing is recorded.
const maxPairs = 1 << 20

func (ls *searcher) run(start [][]int, rounds int) [][]int {
	// No state has more batches than the first.
	if n := len(ls.p.orders); n*len(start) <= maxPairs && !ls.noPairs {
		ls.width = len(start)
		ls.pairs = make([]pairRecord, n*ls.width)
	}
	st := ls.newState(nil, start)
	best, bestTotal := st.clone(), st.total
	for round := 0; ; round++ {
		ls.descend(st)
		if st.total < bestTotal {
			best, bestTotal = st.clone(), st.total
		}
		if round >= rounds || ls.ctx.Err() != nil {
			break
		}
		st = ls.newState(st, best)
		ls.perturb(st, 2+ls.rng.IntN(4))
	}
	return best
}

// closeness scores how near order o lies to batch b: the sum over o's bins
// of the distance to the nearest bin of b. Lower is nearer.
func (ls *searcher) closeness(st *state, o, b int) fulfill.Length {
	var total fulfill.Length
	if ls.reach != nil {
		n := len(ls.p.orders)
		row := ls.reach[o]
		for i := range ls.p.spots[o] {
			r := row[i*n : (i+1)*n]
			best := fulfill.Length(-1)
			for _, q := range st.sets[b] {
				if d := r[q]; best < 0 || d < best {
					best = d
				}
			}
			total += best
		}
		return total
	}
	for _, a := range ls.p.spots[o] {
		best := fulfill.Length(-1)
		for _, q := range st.sets[b] {
			if d := nearest(ls.p.l, a, ls.p.spots[q]); best < 0 || d < best {
				best = d
			}
		}
		total += best
	}
	return total
}

// closenessOf is closeness, remembered for each membership of b.
func (ls *searcher) closenessOf(st *state, o, b int) fulfill.Length {
	if ls.pairs == nil {
		return ls.closeness(st, o, b)
	}
	rec := &ls.pairs[o*ls.width+b]
	if rec.closeVer != st.ver[b] {
		rec.closeVer, rec.close = st.ver[b], ls.closeness(st, o, b)
	}
	return rec.close
}

// shuffled returns a random permutation of 0..n-1 in a reused buffer,
// drawing from the generator exactly as [rand.Rand.Perm] does.
func (ls *searcher) shuffled(n int) []int {
	p := ls.perm[:0]
	for i := range n {
		p = append(p, i)
	}
	ls.perm = p
	ls.rng.Shuffle(n, func(i, j int) { p[i], p[j] = p[j], p[i] })
	return p
}

// descend applies improving shifts and swaps until none is left or ctx is
// done. Candidate sets are built in scratch buffers; only an accepted move
// writes the state.
func (ls *searcher) descend(st *state) {
	p := ls.p
	for improved := true; improved; {
		improved = false
		for _, o := range ls.shuffled(len(p.orders)) {
			if ls.ctx.Err() != nil {
				return
			}
			a := st.of[o]
			// The near nearest other batches, nearest first, the lower
			// index first among equals: the head of a stable sort by
			// closeness, kept by insertion.
			cands := ls.cands[:0]
			for b := range st.sets {
				if b == a || len(st.sets[b]) == 0 {
					continue
				}
				d := ls.closenessOf(st, o, b)
				if len(cands) == ls.near && d >= cands[len(cands)-1].d {
					continue
				}
				i := len(cands)
				for i > 0 && cands[i-1].d > d {
					i--
				}
				if len(cands) < ls.near {
					cands = append(cands, cand{})
				}
				copy(cands[i+1:], cands[i:len(cands)-1])
				cands[i] = cand{b, d}
			}
			ls.cands = cands
			aWithout := appendWithout(ls.bufA[:0], st.sets[a], o)
			ls.bufA = aWithout
			costA := p.cost(aWithout)
			lo := p.loads[o]
			var spanA span
			if ls.exact {
				spanA = ls.span(aWithout, -1)
			}
			for _, cd := range cands {
				b := cd.b
				var rec *pairRecord
				if ls.pairs != nil {
					rec = &ls.pairs[o*ls.width+b]
					if rec.fromVer == st.ver[a] && rec.toVer == st.ver[b] {
						continue // tried with these very batches: nothing gained
					}
				}
				// Shift o from a to b.
				if !(ls.exact && costA+ls.growth(ls.span(st.sets[b], -1), o) >= st.costs[a]) && st.loads[b].plus(lo).fits(p.c) {
					nb := appendWith(ls.bufB[:0], st.sets[b], o)
					ls.bufB = nb
					if delta := costA + p.cost(nb) - st.costs[a] - st.costs[b]; delta < 0 {
						ls.setCopy(st, a, aWithout)
						ls.setCopy(st, b, nb)
						improved = true
						break
					}
				}
				// Swap o with an order q of b.
				done := false
				for _, q := range st.sets[b] {
					lq := p.loads[q]
					if !st.loads[a].swapFits(lq, lo, p.c) || !st.loads[b].swapFits(lo, lq, p.c) {
						continue
					}
					// Lower bounds of the two new walks, when lengths are
					// exact: each walks at least as far as its batch
					// without the order that joins it, plus the way to any
					// aisle beyond that batch's reach.
					var lowB fulfill.Length
					if ls.exact {
						bw := appendWithout(ls.bufC[:0], st.sets[b], q)
						ls.bufC = bw
						lowB = p.cost(bw) + ls.growth(ls.span(st.sets[b], q), o)
						if costA+ls.growth(spanA, q)+lowB >= st.costs[a]+st.costs[b] {
							continue
						}
					}
					na := appendWith(ls.bufC[:0], aWithout, q)
					ls.bufC = na
					costNA := p.cost(na)
					if ls.exact && costNA+lowB >= st.costs[a]+st.costs[b] {
						continue
					}
					nb := appendSwapped(ls.bufB[:0], st.sets[b], q, o)
					ls.bufB = nb
					if delta := costNA + p.cost(nb) - st.costs[a] - st.costs[b]; delta < 0 {
						ls.setCopy(st, a, na)
						ls.setCopy(st, b, nb)
						improved, done = true, true
						break
					}
				}
				if done {
					break
				}
				if rec != nil {
					rec.fromVer, rec.toVer = st.ver[a], st.ver[b]
				}
			}
		}
	}
}

// span is the range of aisles a tour visits: lo to hi, the depot's
// included.
type span struct{ lo, hi int64 }

// span returns the range of aisles of the orders of set except skip, with
// the depot's aisle; only on a Rect.
func (ls *searcher) span(set []int, skip int) span {
	d := ls.p.l.Depot().X
	sp := span{d, d}
	for _, o := range set {
		if o != skip {
			sp.lo, sp.hi = min(sp.lo, ls.xlo[o]), max(sp.hi, ls.xhi[o])
		}
	}
	return sp
}

// growth is how much longer, at least, a shortest tour on a Rect becomes
// when order o joins orders spanning sp: twice the way from sp to o's
// aisles outside it. Pressing every point of a tour right of sp.hi onto
// aisle sp.hi (and left of sp.lo onto sp.lo) leaves a tour of the other
// orders shorter by at least that.
func (ls *searcher) growth(sp span, o int) fulfill.Length {
	return fulfill.Length(2 * ls.spacing * (max(0, ls.xhi[o]-sp.hi) + max(0, sp.lo-ls.xlo[o])))
}

// appendWith appends to dst the ascending set with o added.
func appendWith(dst, set []int, o int) []int {
	i := 0
	for i < len(set) && set[i] < o {
		i++
	}
	dst = append(dst, set[:i]...)
	dst = append(dst, o)
	return append(dst, set[i:]...)
}

// appendWithout appends to dst the ascending set without o.
func appendWithout(dst, set []int, o int) []int {
	for _, v := range set {
		if v != o {
			dst = append(dst, v)
		}
	}
	return dst
}

// appendSwapped appends to dst the ascending set with q replaced by o.
func appendSwapped(dst, set []int, q, o int) []int {
	added := false
	for _, v := range set {
		if v == q {
			continue
		}
		if !added && o < v {
			dst = append(dst, o)
			added = true
		}
		dst = append(dst, v)
	}
	if !added {
		dst = append(dst, o)
	}
	return dst
}

// perturb applies n random feasible shifts or swaps, whatever their cost.
func (ls *searcher) perturb(st *state, n int) {
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

// swapFits reports whether load a with in added and then out taken away
// is within c; it checks only the limited fields, each computed as
// a.plus(in) minus out would hold it.
func (a load) swapFits(in, out load, c Capacity) bool {
	return (c.Lines == 0 || a.lines+in.lines-out.lines <= c.Lines) &&
		(c.Units == 0 || satAdd(a.units, in.units)-out.units <= c.Units) &&
		(c.Volume == 0 || fulfill.Volume(satAdd(int64(a.volume), int64(in.volume)))-out.volume <= c.Volume) &&
		(c.Weight == 0 || fulfill.Mass(satAdd(int64(a.weight), int64(in.weight)))-out.weight <= c.Weight) &&
		(c.Totes == 0 || a.totes+in.totes-out.totes <= c.Totes)
}
