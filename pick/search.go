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
	// The start is always completed and the routes never cancelled; ctx
	// only ends the search.
	p, err := newBatchProblem(context.WithoutCancel(ctx), l, s.Router, orders, c)
	if err != nil {
		return Batching{}, err
	}
	var sets [][]int
	if s.Start == nil {
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
	ls := &searcher{p: p, ctx: ctx, rng: rand.New(rand.NewPCG(s.Seed, 0x9e3779b97f4a7c15)), near: s.Neighbours}
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
}

// state is a batching under search: sets of orders with their loads and
// route lengths, and which set each order is in.
type state struct {
	sets  [][]int
	loads []load
	costs []fulfill.Length
	of    []int
	total fulfill.Length
}

func (ls *searcher) newState(sets [][]int) *state {
	st := &state{of: make([]int, len(ls.p.orders))}
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

func (st *state) clone() [][]int {
	out := make([][]int, 0, len(st.sets))
	for _, s := range st.sets {
		if len(s) > 0 {
			out = append(out, slices.Clone(s))
		}
	}
	return out
}

// set replaces batch b by s.
func (ls *searcher) set(st *state, b int, s []int) {
	st.total += ls.p.cost(s) - st.costs[b]
	st.sets[b], st.costs[b], st.loads[b] = s, ls.p.cost(s), ls.p.loadOf(s)
	for _, o := range s {
		st.of[o] = b
	}
}

func (ls *searcher) run(start [][]int, rounds int) [][]int {
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
func (ls *searcher) closeness(spotsOf [][]Spot, st *state, o, b int) fulfill.Length {
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
func (ls *searcher) descend(st *state) {
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
