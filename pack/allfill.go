package pack

import (
	"math"
	"slices"
)

// ablock is a box-shaped group of units that fill it exactly: the units'
// placements relative to its corner.
type ablock struct {
	s   vec
	pl  []plc
	one int32 // the kind of a lone unit; -1 for a group
}

// allFill looks for a packing of units into exactly k boxes of type t
// without any empty space, as guillotine does, but first joins units into
// blocks: two units or blocks that are alone in matching each other on a
// whole face (the same two sides on the same axes, and no third one with
// that face), and that match no block on another face, become one block,
// as when they were cut from the same piece, and this is repeated while it
// joins anything. Units that match on more faces are left alone: such
// matches are as often chance as a common piece. The guillotine search then
// fills the boxes with the blocks, which are fewer and larger than the
// units. Joining may also pair units that were not cut from one piece, so
// this can miss packings guillotine finds; it returns nil when it finds
// nothing within limit nodes or when nothing joins.
func (e *engine) allFill(t int, units []int32, k int, limit int) *sol {
	bt := &e.types[t]
	if bt.maxW != math.MaxInt64 || !e.perfectable(t, units, k) {
		return nil
	}
	sub, subUnits, expand := e.blockEngine(t, units, 1)
	if sub == nil {
		return nil
	}
	s := sub.guillotineUnits(t, subUnits, k, limit)
	e.work, e.stopped = sub.work, sub.stopped
	if s == nil {
		return nil
	}
	return expand(s)
}

// blockEngine joins units into blocks for box type t, as allFill
// describes, with blocks allowed up to partners matched faces, and returns
// an engine whose kinds are the blocks, the blocks as its units, and a
// function that turns the engine's solutions back into solutions of e. The
// engine shares e's work; the caller copies its work and stop back. It
// returns a nil engine when nothing joins or e is stopped.
func (e *engine) blockEngine(t int, units []int32, partners int) (*engine, []int32, func(*sol) *sol) {
	blocks := make([]ablock, len(units))
	for i, u := range units {
		o := e.kinds[u].oris[0]
		blocks[i] = ablock{s: o.s, pl: []plc{{k: u, s: o.s, rot: o.rot}}, one: u}
	}
	joined := false
	for !e.stopped {
		var more bool
		blocks, more = e.joinBlocks(blocks, e.types[t].dims, partners)
		if !more {
			break
		}
		joined = true
	}
	if !joined || e.stopped {
		return nil, nil, nil
	}
	// The blocks become the kinds of an engine of their own: lone units
	// keep their kind and orientations, groups keep theirs fixed.
	sub := *e
	sub.kinds, sub.fits, sub.keys, sub.keyed = nil, nil, nil, nil
	subUnits := make([]int32, 0, len(blocks))
	group := make([][]plc, 0, len(blocks)) // per kind of sub: the group's units, nil for a lone unit
	of := make([]int32, 0, len(blocks))    // per kind of sub: the kind of e of a lone unit
	lone := map[int32]int32{}              // kind of e -> kind of sub
	for _, b := range blocks {
		if b.one >= 0 {
			sk, ok := lone[b.one]
			if !ok {
				sk = int32(len(sub.kinds))
				lone[b.one] = sk
				sub.kinds = append(sub.kinds, e.kinds[b.one])
				sub.fits = append(sub.fits, e.fits[b.one])
				group = append(group, nil)
				of = append(of, b.one)
			}
			subUnits = append(subUnits, sk)
			continue
		}
		var w int64
		for _, c := range b.pl {
			w += e.kinds[c.k].weight
		}
		fits := make([]bool, len(e.types))
		for i := range e.types {
			fits[i] = fitsRegion(b.s, gregion{s: e.types[i].dims}) && w <= e.types[i].maxW &&
				!slices.ContainsFunc(b.pl, func(c plc) bool { return !e.fits[c.k][i] })
		}
		subUnits = append(subUnits, int32(len(sub.kinds)))
		sub.kinds = append(sub.kinds, kind{dims: b.s, oris: []orient{{s: b.s}}, weight: w,
			vol: float64(b.s[0]) * float64(b.s[1]) * float64(b.s[2])})
		sub.fits = append(sub.fits, fits)
		group = append(group, b.pl)
		of = append(of, -1)
	}
	expand := func(s *sol) *sol {
		out := &sol{}
		for _, sb := range s.bins {
			b := e.newBin(sb.t)
			for _, c := range sb.pl {
				if group[c.k] == nil {
					c.k = of[c.k]
					e.commit(b, c)
					continue
				}
				for _, m := range group[c.k] {
					m.p = vec{c.p[0] + m.p[0], c.p[1] + m.p[1], c.p[2] + m.p[2]}
					e.commit(b, m)
				}
			}
			out.bins = append(out.bins, b)
		}
		for _, k := range s.noBox {
			if group[k] == nil {
				out.noBox = append(out.noBox, of[k])
				continue
			}
			for _, m := range group[k] {
				out.noBox = append(out.noBox, m.k)
			}
		}
		return out
	}
	return &sub, subUnits, expand
}

// joinBlocks joins, once each, two blocks that alone match each other on a
// whole face into one block, when each of them matches some block on at
// most maxPartners faces in all and the joined block fits in a box of size
// box, and reports whether it joined any.
func (e *engine) joinBlocks(blocks []ablock, box vec, maxPartners int) ([]ablock, bool) {
	type key = [3]int64
	face := func(b ablock, a int) key { return key{int64(a), b.s[(a+1)%3], b.s[(a+2)%3]} }
	e.spend(int64(3 * len(blocks)))
	byFace := map[key][]int{}
	for i, b := range blocks {
		for a := range 3 {
			byFace[face(b, a)] = append(byFace[face(b, a)], i)
		}
	}
	// partners counts the faces of b that another block matches.
	partners := func(b ablock) int {
		n := 0
		for a := range 3 {
			n += boolInt(len(byFace[face(b, a)]) > 1)
		}
		return n
	}
	used := make([]bool, len(blocks))
	var out []ablock
	more := false
	for i, b := range blocks {
		if used[i] {
			continue
		}
		if partners(b) <= maxPartners {
			for a := range 3 {
				f := byFace[face(b, a)]
				if len(f) != 2 {
					continue
				}
				sum, ok := int64(0), true
				for _, j := range f {
					ok = ok && !used[j] && partners(blocks[j]) <= maxPartners
					sum += blocks[j].s[a]
				}
				if !ok || sum > box[a] {
					break
				}
				nb := ablock{s: b.s, one: -1}
				nb.s[a] = sum
				var at int64
				for _, j := range f {
					used[j] = true
					for _, m := range blocks[j].pl {
						m.p[a] += at
						nb.pl = append(nb.pl, m)
					}
					at += blocks[j].s[a]
				}
				out = append(out, nb)
				more = true
				break
			}
		}
		if !used[i] {
			out = append(out, b)
		}
	}
	return out, more
}

// blockRounds is the most rounds of squeeze and lns that blockPack runs.
const blockRounds = 4

// blockPack packs units, when their volume fills exactly lb boxes of a type
// and no box is pinned, by joining them into blocks as allFill does and
// running the constructive heuristic and the first improvement steps on
// the blocks, aiming at one box more than lb (the gap-free searches look
// for lb): whole faces together leave far less waste than single units.
// It returns nil when it does not apply, found already has lb boxes,
// nothing joins, or e is stopped. A request with a MinSupport does not
// apply: a block that rests on enough units may hold units that do not.
func (e *engine) blockPack(pinned *sol, units []int32, lb int, found *sol) *sol {
	if len(pinned.bins) > 0 || lb == 0 || e.stopped || found != nil && len(found.bins) <= lb {
		return nil
	}
	if e.minSupport > 0 {
		return nil
	}
	t := slices.IndexFunc(e.types, func(bt btype) bool {
		return (bt.supply == 0 || bt.supply >= lb) && bt.maxW == math.MaxInt64
	})
	if t < 0 || !e.perfectable(t, units, lb) {
		return nil
	}
	sub, subUnits, expand := e.blockEngine(t, units, 1)
	if sub == nil {
		return nil
	}
	sub.mode = ModeFast // its repacking suits the blocks' few, large kinds
	var best *sol
	var bestV value
	for _, rule := range []int{0, 6} {
		for _, m := range []merit{meritGap, meritLow} {
			if sub.stopped {
				break
			}
			sub.sortUnits(subUnits, rule)
			s := sub.construct(&sol{}, subUnits, policyLookahead, m)
			if v := sub.eval(s); best == nil || v.less(bestV) {
				best, bestV = s, v
			}
		}
	}
	if best != nil { // one box more than the bound: the gap-free searches look for the bound
		best = sub.improve(best.clone(), lb+1)
		for range blockRounds {
			if len(best.bins) <= lb+1 || sub.stopped {
				break
			}
			best = sub.squeeze(best, lb+1, 30)
			best = sub.lns(best, lb+1, 20)
		}
	}
	e.work, e.stopped = sub.work, sub.stopped
	if best == nil {
		return nil
	}
	return expand(best)
}
