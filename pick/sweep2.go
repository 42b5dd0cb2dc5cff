package pick

import (
	"cmp"
	"math"
	"slices"

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
	spots []Spot
	cols  []column2
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

// option2 is one way to cover an aisle with two cross aisles: its cost,
// the degree it adds at the front and back node, and whether it joins them.
type option2 struct {
	cost     int64
	dLo, dHi int
	link     bool
}

// lengthTwoCross returns the length of a shortest tour from the depot
// through the distinct spots uniq on r, which has two cross aisles; it
// equals the length optimalOrder finds.
func (r *Rect) lengthTwoCross(uniq []Spot, sc *sweep2Scratch) fulfill.Length {
	depot := r.Depot()
	y0, y1 := int64(r.crossY[0]), int64(r.crossY[1])
	lo, hi := depot.X, depot.X
	for _, s := range uniq {
		lo, hi = min(lo, s.X), max(hi, s.X)
	}
	ncol := int(hi-lo) + 1
	cols := resize(sc.cols, ncol)
	sc.cols = cols
	cols[depot.X-lo].req[r.cfg.Depot.CrossAisle] = true
	ss := append(sc.spots[:0], uniq...)
	sc.spots = ss
	slices.SortFunc(ss, func(a, b Spot) int {
		if c := cmp.Compare(a.X, b.X); c != 0 {
			return c
		}
		return cmp.Compare(a.Y, b.Y)
	})
	trivial := true
	for _, s := range ss {
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
	// need: something is left to visit right of the current aisle.
	lastNeeded := ncol - 1
	for lastNeeded > 0 && cols[lastNeeded].picks == 0 && !cols[lastNeeded].req[0] && !cols[lastNeeded].req[1] {
		lastNeeded--
	}
	var opts [5]option2
	for t := range ncol {
		col := &cols[t]
		last := t == ncol-1
		need := t < lastNeeded
		opts[0] = option2{cost: span, dLo: 1, dHi: 1, link: true}
		opts[1] = option2{cost: 2 * span, dLo: 2, dHi: 2, link: true}
		nopt := 3
		if col.picks == 0 {
			opts[2] = option2{}
		} else {
			opts[2] = option2{cost: 2 * (col.ymax - y0), dLo: 2}
			opts[3] = option2{cost: 2 * (y1 - col.ymin), dHi: 2}
			nopt = 4
			if col.picks >= 2 {
				opts[4] = option2{cost: 2 * (span - col.gap), dLo: 2, dHi: 2}
				nopt = 5
			}
		}
		for i := range next {
			next[i] = inf
		}
		for s, base := range cur {
			if base == inf {
				continue
			}
			mf, mb, joined := s/6, s/2%3, s%2 == 1
			for _, o := range opts[:nopt] {
				// The aisle's two nodes: used, degree parity, component
				// (1 and 2 from the left, 3 and 4 new, 5 and 6 fresh for
				// required nodes not walked).
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
				if last && (uf && pf == 1 || ub && pb == 1 || !uf && col.req[0] || !ub && col.req[1]) {
					continue
				}
				if !uf && col.req[0] {
					cf = 5
				}
				if !ub && col.req[1] {
					cb = 6
				}
				cost := base + o.cost
				// Walks to the next aisle: 1 from an odd node, 2 from an
				// unused required one, 0 or 2 from an even used one.
				outF, outB := [2]int{0, 0}, [2]int{0, 0}
				nf, nb := 1, 1
				switch {
				case uf && pf == 1:
					outF[0] = 1
				case uf && !last:
					outF[1], nf = 2, 2
				case !uf && col.req[0]:
					outF[0] = 2
				}
				switch {
				case ub && pb == 1:
					outB[0] = 1
				case ub && !last:
					outB[1], nb = 2, 2
				case !ub && col.req[1]:
					outB[0] = 2
				}
				for _, xf := range outF[:nf] {
					for _, xb := range outB[:nb] {
						roots, closed := 0, false
						switch {
						case cf != 0 && cb != 0 && cf == cb:
							roots, closed = 1, xf == 0 && xb == 0
						default:
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
							if roots == 1 && !need && cost < best {
								best = cost
							}
						default:
							n := state2(xf, xb, xf > 0 && xb > 0 && cf == cb)
							if v := cost + int64(xf+xb)*spacing; v < next[n] {
								next[n] = v
							}
						}
					}
				}
			}
		}
		cur = next
	}
	return fulfill.Length(best)
}
