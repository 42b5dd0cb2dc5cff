package pick

import (
	"math"
	"slices"
	"sync"

	"github.com/fulfillkit/fulfill"
)

// The length-only sweep of a Rect with two cross aisles (front and back),
// which batching runs thousands of times. It is the sweep of optimalOrder
// with k = 2 written out: between two neighbouring aisles a partial tour
// walks the front and the back cross aisle 0, 1 or 2 times, and when it
// walks both, their walks are joined or not; these 18 states sit in an
// array instead of a hash table, and no tour is rebuilt.

// column2 is what the two-cross-aisle sweep needs of one aisle: the extent
// of its picks, the largest gap between neighbouring picks, and whether a
// cross-aisle node must be visited (the depot, or a pick on a cross aisle).
type column2 struct {
	picks      int
	ymin, ymax int64
	gap        int64 // largest distance between neighbouring picks, with 2 or more
	req        [2]bool
}

// sweep2Scratch is the reusable scratch space of lengthTwoCross.
type sweep2Scratch struct {
	keys []uint64
	cols []column2
}

// spotKey packs a spot of a Rect into one sortable number: the aisle in
// the high bits, the position along it in the low 40 (positions stay below
// 2^40 µm, as MaxCrossAisles cross aisles and aisles of MaxRectDimension
// span less than 700 km).
func spotKey(s Spot) uint64 { return uint64(s.X)<<40 | uint64(s.Y) }

// lengthTwoCrossSpots is lengthTwoCross for spots in any order.
func (r *Rect) lengthTwoCrossSpots(uniq []Spot, sc *sweep2Scratch) fulfill.Length {
	keys := sc.keys[:0]
	for _, s := range uniq {
		keys = append(keys, spotKey(s))
	}
	slices.Sort(keys)
	sc.keys = keys
	return r.lengthTwoCross(keys, sc)
}

// state2 indexes the 18 states: mf*6 + mb*2 + joined, where mf and mb
// count the walks along the front and back cross aisle to the next aisle
// and joined tells whether those walks belong to one component (only when
// both are walked).
func state2(mf, mb int, joined bool) int {
	s := mf*6 + mb*2
	if joined {
		s++
	}
	return s
}

// option2 is one way to cover an aisle with two cross aisles: the degree
// it adds at the front and back node, and whether it joins them.
type option2 struct {
	dLo, dHi int
	link     bool
}

// lengthTwoCross returns the length of a shortest tour from the depot
// through the spots whose keys (see spotKey) are given in ascending order,
// repeats allowed, on r, which has two cross aisles; it equals the length
// optimalOrder finds.
func (r *Rect) lengthTwoCross(keys []uint64, sc *sweep2Scratch) fulfill.Length {
	const yBits = 1<<40 - 1
	depot := r.Depot()
	y0, y1 := int64(r.crossY[0]), int64(r.crossY[1])
	lo, hi := depot.X, depot.X
	if len(keys) > 0 {
		lo, hi = min(lo, int64(keys[0]>>40)), max(hi, int64(keys[len(keys)-1]>>40))
	}
	ncol := int(hi-lo) + 1
	cols := resize(sc.cols, ncol)
	sc.cols = cols
	cols[depot.X-lo].req[r.cfg.Depot.CrossAisle] = true
	trivial := true
	for i, k := range keys {
		if i > 0 && k == keys[i-1] {
			continue
		}
		s := Spot{X: int64(k >> 40), Y: int64(k & yBits)}
		col := &cols[s.X-lo]
		switch {
		case s == depot:
			continue
		case s.Y == y0:
			col.req[0] = true
		case s.Y == y1:
			col.req[1] = true
		default:
			if col.picks == 0 {
				col.ymin = s.Y
			} else {
				col.gap = max(col.gap, s.Y-col.ymax)
			}
			col.ymax = s.Y
			col.picks++
		}
		trivial = false
	}
	if trivial {
		return 0
	}
	spacing := int64(r.cfg.AisleSpacing)
	span := y1 - y0
	const inf = int64(math.MaxInt64)
	var cur, next [18]int64
	for i := range cur {
		cur[i] = inf
	}
	cur[0] = 0 // nothing walked yet
	best := inf
	// Something is left to visit right of aisle t while t < lastNeeded.
	lastNeeded := ncol - 1
	for lastNeeded > 0 && cols[lastNeeded].picks == 0 && !cols[lastNeeded].req[0] && !cols[lastNeeded].req[1] {
		lastNeeded--
	}
	table := transitions2()
	var oc [5]int64 // the cost of each option of the aisle, as numbered by options2
	oc[0], oc[1] = span, 2*span
	for t := range ncol {
		col := &cols[t]
		last := t == ncol-1
		need := t < lastNeeded
		if col.picks > 0 {
			oc[2], oc[3], oc[4] = 2*(col.ymax-y0), 2*(y1-col.ymin), 2*(span-col.gap)
		} else {
			oc[2] = 0 // not entering the aisle
		}
		for i := range next {
			next[i] = inf
		}
		steps := &table[column2Kind(col.picks, last, col.req)]
		for from, base := range cur {
			if base == inf {
				continue
			}
			for _, x := range steps.list[steps.start[from]:steps.start[from+1]] {
				v := base + oc[x.opt]
				if x.to < 0 {
					if !need && v < best {
						best = v
					}
					continue
				}
				if v += int64(x.walks) * spacing; v < next[x.to] {
					next[x.to] = v
				}
			}
		}
		cur = next
	}
	return fulfill.Length(best)
}

// transition2 is one step of the two-cross-aisle sweep: from a state
// entering an aisle, cover the aisle with option opt and leave in state to
// with walks walks along the cross aisles to the next aisle, or close the
// tour (to = -1).
type transition2 struct {
	from, opt, walks uint8
	to               int8
}

// steps2 are the transitions of one kind of aisle, by state entering it:
// those from state s are list[start[s]:start[s+1]].
type steps2 struct {
	list  []transition2
	start [19]uint16
}

// column2Kind numbers the kinds of aisle the sweep tells apart: without
// picks, with one, with more; the last aisle or not; which of its two
// cross-aisle nodes must be visited.
func column2Kind(picks int, last bool, req [2]bool) int {
	k := min(picks, 2) * 8
	if last {
		k += 4
	}
	if req[0] {
		k += 2
	}
	if req[1] {
		k++
	}
	return k
}

// transitions2 returns the steps of the sweep for each kind of aisle.
var transitions2 = sync.OnceValue(func() *[24]steps2 {
	out := new([24]steps2)
	for picks := range 3 {
		for _, last := range []bool{false, true} {
			for _, reqF := range []bool{false, true} {
				for _, reqB := range []bool{false, true} {
					req := [2]bool{reqF, reqB}
					kind := column2Kind(picks, last, req)
					list := columnTransitions2(options2(picks), last, req)
					st := &out[kind]
					st.list = list
					for _, x := range list { // list is sorted by from
						st.start[x.from+1]++
					}
					for i := 1; i < len(st.start); i++ {
						st.start[i] += st.start[i-1]
					}
				}
			}
		}
	}
	return out
})

// options2 lists the ways to cover an aisle holding picks picks (0, 1 or
// more), numbered as lengthTwoCross prices them: walk through once, twice,
// and without picks nothing; with picks, in and out from the front, from
// the back, and with two picks or more from both ends leaving the largest
// gap.
func options2(picks int) []option2 {
	opts := []option2{{dLo: 1, dHi: 1, link: true}, {dLo: 2, dHi: 2, link: true}}
	if picks == 0 {
		return append(opts, option2{})
	}
	opts = append(opts, option2{dLo: 2}, option2{dHi: 2})
	if picks >= 2 {
		opts = append(opts, option2{dLo: 2, dHi: 2})
	}
	return opts
}

// columnTransitions2 derives the steps through one aisle: the options'
// degrees and joins applied to each state, then every way to continue to
// the right that keeps degrees even and the tour connected.
func columnTransitions2(opts []option2, last bool, req [2]bool) []transition2 {
	var out []transition2
	for s := range 18 {
		mf, mb, joined := s/6, s/2%3, s%2 == 1
		if joined && (mf == 0 || mb == 0) {
			continue // not a state
		}
		for oi, o := range opts {
			// The aisle's two nodes: used, degree parity, component (1 and
			// 2 from the left, 3 and 4 new, 5 and 6 fresh for required
			// nodes not walked).
			uf, ub := mf > 0, mb > 0
			pf, pb := mf&1, mb&1
			cf, cb := 0, 0
			if uf {
				cf = 1
			}
			if ub {
				cb = 2
				if uf && joined {
					cb = 1
				}
			}
			if o.dLo > 0 {
				if !uf {
					uf, cf = true, 3
				}
				pf ^= o.dLo & 1
			}
			if o.dHi > 0 {
				if !ub {
					ub, cb = true, 4
				}
				pb ^= o.dHi & 1
			}
			if o.link {
				cb = cf
			}
			if last && (uf && pf == 1 || ub && pb == 1 || !uf && req[0] || !ub && req[1]) {
				continue
			}
			if !uf && req[0] {
				cf = 5
			}
			if !ub && req[1] {
				cb = 6
			}
			// Walks to the next aisle: 1 from an odd node, 2 from an
			// unused required one, 0 or 2 from an even used one.
			outF, outB := []int{0}, []int{0}
			switch {
			case uf && pf == 1:
				outF = []int{1}
			case uf && !last:
				outF = []int{0, 2}
			case !uf && req[0]:
				outF = []int{2}
			}
			switch {
			case ub && pb == 1:
				outB = []int{1}
			case ub && !last:
				outB = []int{0, 2}
			case !ub && req[1]:
				outB = []int{2}
			}
			for _, xf := range outF {
				for _, xb := range outB {
					roots, closed := 0, false
					if cf != 0 && cb != 0 && cf == cb {
						roots, closed = 1, xf == 0 && xb == 0
					} else {
						if cf != 0 {
							roots++
							closed = closed || xf == 0
						}
						if cb != 0 {
							roots++
							closed = closed || xb == 0
						}
					}
					switch {
					case roots == 0:
					case closed:
						if roots == 1 {
							out = append(out, transition2{from: uint8(s), opt: uint8(oi), to: -1})
						}
					default:
						out = append(out, transition2{from: uint8(s), opt: uint8(oi), walks: uint8(xf + xb),
							to: int8(state2(xf, xb, xf > 0 && xb > 0 && cf == cb))})
					}
				}
			}
		}
	}
	return out
}
