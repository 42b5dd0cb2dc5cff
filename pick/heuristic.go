package pick

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// The heuristics below are the routing policies warehouse systems commonly
// use (Hall 1993; Roodbergen and de Koster 2001). All five have
// multiple-block forms, used when there are middle cross aisles and the
// depot is at the front or the back. The end of the building nearer the
// depot counts as the front. With the depot on a middle cross aisle,
// [SShape], [Return] and [Combined] plan block by block as if it stood at
// that end, while [Midpoint] and [LargestGap] treat each aisle as a whole,
// entered from the front or the back cross aisle, which suits them better
// there (BENCHMARKS.md has the figures). They
// fix the visiting order; between two consecutive picks the picker walks the
// shortest way, so the stated length is that of [Route] and is never longer
// than the policy's own walk. They route only a [Rect] and otherwise return
// an error wrapping [ErrUnsupported]. Their zero values are ready to use.

// SShape is the S-shape (traversal) heuristic: every aisle holding a pick is
// walked end to end, in alternating directions, from the aisle nearest the
// depot's side of the building to the farthest. With more than two cross
// aisles, it is the multiple-block S-shape of Roodbergen and de Koster (2001): up the first aisle holding a
// pick to the farthest block holding one, then block by block towards the
// depot, each block's sub-aisles in serpentine order.
type SShape struct{}

// Return is the return heuristic: the picker enters every aisle holding a
// pick from the front, walks to its farthest pick and comes back. With more
// than two cross aisles, it applies block by block, on the frame of [SShape]: each sub-aisle holding a pick is
// entered from the cross aisle the picker walks along, and left the same
// way.
type Return struct{}

// Midpoint is the midpoint heuristic: the first and last aisles holding a
// pick are walked end to end; in every other aisle the picks in the front
// half are taken from the front cross aisle and those in the back half from
// the back one. With more than two cross aisles and the depot at the front
// or the back, the rule applies block by block, on the frame of [SShape].
type Midpoint struct{}

// LargestGap is the largest-gap heuristic: like [Midpoint], but each middle
// aisle is split at the largest gap between neighbouring picks (or between a
// pick and an end of the aisle), which is never walked. With more than two
// cross aisles and the depot at an end, it applies block by block.
type LargestGap struct{}

// Combined is the combined heuristic: aisles holding picks are visited in
// order, and for each a dynamic programme over the side the picker ends on
// decides whether to walk it end to end or enter and return. With more than
// two cross aisles, it decides so block by block
// (the combined heuristic of Roodbergen and de Koster 2001), leaving each
// block on the depot's side.
type Combined struct{}

var (
	_ Router = SShape{}
	_ Router = Return{}
	_ Router = Midpoint{}
	_ Router = LargestGap{}
	_ Router = Combined{}
)

// Route routes bins by the S-shape policy.
func (SShape) Route(ctx context.Context, l Layout, bins []Bin) (Route, error) {
	return heuristicRoute(ctx, l, bins, "SShape", true, sshapeOrder)
}

// Route routes bins by the return policy.
func (Return) Route(ctx context.Context, l Layout, bins []Bin) (Route, error) {
	return heuristicRoute(ctx, l, bins, "Return", true, func(a []aislePicks, g geometry) []int {
		if g.multiBlock(a) {
			return blockOrder(a, g, func(subs []aislePicks, _ int64, _ bool, _ int64) []int {
				return returnOrder(subs, g)
			})
		}
		return returnOrder(a, g)
	})
}

// Route routes bins by the midpoint policy.
func (Midpoint) Route(ctx context.Context, l Layout, bins []Bin) (Route, error) {
	return heuristicRoute(ctx, l, bins, "Midpoint", false, func(a []aislePicks, g geometry) []int {
		if g.multiBlock(a) {
			return blockOrder(a, g, func(subs []aislePicks, span int64, far bool, _ int64) []int {
				return blockSplitOrder(subs, far, midpointSplit(span))
			})
		}
		return splitOrder(a, midpointSplit(g.depth))
	})
}

// Route routes bins by the largest-gap policy.
func (LargestGap) Route(ctx context.Context, l Layout, bins []Bin) (Route, error) {
	return heuristicRoute(ctx, l, bins, "LargestGap", false, func(a []aislePicks, g geometry) []int {
		if g.multiBlock(a) {
			return blockOrder(a, g, func(subs []aislePicks, span int64, far bool, _ int64) []int {
				return blockSplitOrder(subs, far, largestGapSplit(span))
			})
		}
		return splitOrder(a, largestGapSplit(g.depth))
	})
}

// Route routes bins by the combined policy.
func (Combined) Route(ctx context.Context, l Layout, bins []Bin) (Route, error) {
	return heuristicRoute(ctx, l, bins, "Combined", true, func(a []aislePicks, g geometry) []int {
		if g.multiBlock(a) {
			return blockOrder(a, g, func(subs []aislePicks, span int64, far bool, at int64) []int {
				end := 0 // leave the farthest block by the side it was entered from
				if far {
					end = 1 // leave the others by the side facing the depot
				}
				return combinedOrder(subs, span, g.spacing, at, end)
			})
		}
		return combinedOrder(a, g.depth, g.spacing, g.depotX, -1)
	})
}

// aislePicks holds the spots of one aisle, sorted by distance from the
// front as the heuristics see it.
type aislePicks struct {
	x   int64
	ys  []int64
	idx []int // spot indexes, parallel to ys
}

// heuristicRoute groups spots by aisle, in the order the policy visits the
// aisles, and turns the order chosen by order into a route. Distances are
// measured from the end of the building nearer the depot. With the depot
// on a middle cross aisle, a blockwise policy plans block by block as if
// the depot stood at that end (the walk itself takes the shortest paths);
// the others see whole aisles.
func heuristicRoute(ctx context.Context, l Layout, bins []Bin, name string, blockwise bool, order func([]aislePicks, geometry) []int) (Route, error) {
	if err := checkLayout(l); err != nil {
		return Route{}, err
	}
	r, ok := l.(*Rect)
	if !ok {
		return Route{}, fmt.Errorf("%w: %s routes only a *Rect, got %T", ErrUnsupported, name, l)
	}
	p, err := newProblem(l, bins)
	if err != nil {
		return Route{}, err
	}
	if err := ctx.Err(); err != nil {
		return Route{}, err
	}
	depot := r.Depot()
	depth := int64(r.crossY[r.k-1])
	mirror := 2*depot.Y > depth // measure from the end nearer the depot
	byAisle := map[int64]*aislePicks{}
	for u, s := range p.uniq {
		y := s.Y
		if mirror {
			y = depth - y
		}
		a := byAisle[s.X]
		if a == nil {
			a = &aislePicks{x: s.X}
			byAisle[s.X] = a
		}
		a.ys = append(a.ys, y)
		a.idx = append(a.idx, u)
	}
	aisles := make([]aislePicks, 0, len(byAisle))
	for _, a := range byAisle {
		perm := make([]int, len(a.ys))
		for i := range perm {
			perm[i] = i
		}
		slices.SortStableFunc(perm, func(i, j int) int { return cmp.Compare(a.ys[i], a.ys[j]) })
		ys, idx := make([]int64, len(perm)), make([]int, len(perm))
		for i, q := range perm {
			ys[i], idx[i] = a.ys[q], a.idx[q]
		}
		aisles = append(aisles, aislePicks{x: a.x, ys: ys, idx: idx})
	}
	slices.SortFunc(aisles, func(a, b aislePicks) int { return cmp.Compare(a.x, b.x) })
	// Start with the end of the building nearer the depot.
	if len(aisles) > 0 && 2*depot.X > aisles[0].x+aisles[len(aisles)-1].x {
		slices.Reverse(aisles)
	}
	g := geometry{depth: depth, cross: make([]int64, r.k), spacing: int64(r.cfg.AisleSpacing), depotX: depot.X}
	for c, y := range r.crossY {
		if mirror {
			g.cross[r.k-1-c] = depth - int64(y)
		} else {
			g.cross[c] = int64(y)
		}
	}
	if middle := depot.Y != 0 && depot.Y != depth; middle && !blockwise {
		g.cross = []int64{0, depth} // whole aisles, one block
	}
	return p.route(order(aisles, g)), nil
}

// geometry is the building as the heuristics see it, distances measured
// from the end nearer the depot: the y of the far cross aisle, and of every
// cross aisle in order from that end (only the two ends when a policy sees
// whole aisles).
type geometry struct {
	depth   int64
	cross   []int64
	spacing int64 // between neighbouring aisles
	depotX  int64 // the depot's aisle
}

// sshapeOrder is the S-shape order. With one block, aisles are walked in
// turn, up and down. With several blocks and the depot at an end, it follows
// Roodbergen and de Koster (2001): up the first aisle holding picks to the
// farthest block holding picks, then block by block back towards the depot,
// each block's sub-aisles holding picks in serpentine order, the direction
// across the building alternating from block to block.
func sshapeOrder(aisles []aislePicks, g geometry) []int {
	if g.multiBlock(aisles) {
		return blockOrder(aisles, g, serpentine)
	}
	return serpentine(aisles, g.depth, false, 0)
}

// blockOrder is the frame of the multiple-block heuristics of Roodbergen
// and de Koster (2001): the picker goes up the first aisle holding picks,
// taking them on the way, to the farthest block holding picks, then handles
// the blocks one by one towards the depot, starting each from its end
// (leftmost or rightmost sub-aisle holding picks) nearer to where the
// picker stands. within orders the picks of one block, given its sub-aisles
// holding picks in the order the picker meets them, each with positions
// measured from the side the picker enters the block by (the near side for
// the farthest block, the far side for the others), the block's length,
// whether it is entered from the far side, and the aisle the picker stands
// at.
func blockOrder(aisles []aislePicks, g geometry, within func(subs []aislePicks, span int64, far bool, at int64) []int) []int {
	k := len(g.cross)
	blockOf := func(y int64) int {
		b := 0
		for b < k-2 && y > g.cross[b+1] {
			b++
		}
		return b
	}
	farthest := 0
	for _, a := range aisles {
		farthest = max(farthest, blockOf(a.ys[len(a.ys)-1]))
	}
	var seq []int
	first := aisles[0]
	taken := 0
	for taken < len(first.ys) && blockOf(first.ys[taken]) < farthest {
		seq = append(seq, first.idx[taken])
		taken++
	}
	xOf := map[int]int64{} // spot -> aisle
	for _, a := range aisles {
		for _, u := range a.idx {
			xOf[u] = a.x
		}
	}
	at := first.x
	for b := farthest; b >= 0; b-- {
		var subs []aislePicks
		for n, a := range aisles {
			sub := aislePicks{x: a.x}
			for i, y := range a.ys {
				if (n == 0 && i < taken) || blockOf(y) != b {
					continue
				}
				rel := y - g.cross[b]
				if b != farthest {
					rel = g.cross[b+1] - y
				}
				sub.ys = append(sub.ys, rel)
				sub.idx = append(sub.idx, a.idx[i])
			}
			if len(sub.ys) > 0 {
				if b != farthest {
					slices.Reverse(sub.ys)
					slices.Reverse(sub.idx)
				}
				subs = append(subs, sub)
			}
		}
		if len(subs) == 0 {
			continue
		}
		if abs64(at-subs[len(subs)-1].x) < abs64(at-subs[0].x) {
			slices.Reverse(subs)
		}
		part := within(subs, g.cross[b+1]-g.cross[b], b != farthest, at)
		seq = append(seq, part...)
		at = xOf[part[len(part)-1]]
	}
	return seq
}

// serpentine walks sub-aisles in turn, up and down, starting upwards.
func serpentine(subs []aislePicks, _ int64, _ bool, _ int64) []int {
	var seq []int
	for n, a := range subs {
		if n%2 == 0 {
			seq = append(seq, a.idx...)
		} else {
			seq = append(seq, reversed(a.idx)...)
		}
	}
	return seq
}

// blockSplitOrder is the midpoint and largest-gap order within one block.
// Entered from the near side (the farthest block), it is [splitOrder]. Entered
// from the far side, the picker goes along the far cross aisle taking each
// sub-aisle's far part, walks the last sub-aisle through to the near side,
// and comes back along the near cross aisle taking the near parts, so that
// it leaves the block on the depot's side.
func blockSplitOrder(subs []aislePicks, far bool, split func([]int64) int) []int {
	if !far {
		return splitOrder(subs, split)
	}
	var seq []int
	splits := make([]int, len(subs))
	for n, a := range subs[:len(subs)-1] {
		splits[n] = split(a.ys)
		seq = append(seq, a.idx[:splits[n]]...)
	}
	seq = append(seq, subs[len(subs)-1].idx...)
	for n := len(subs) - 2; n >= 0; n-- {
		seq = append(seq, reversed(subs[n].idx[splits[n]:])...)
	}
	return seq
}

// midpointSplit returns how many of an aisle's picks lie in the half of
// length depth nearer the side they are measured from.
func midpointSplit(depth int64) func([]int64) int {
	return func(ys []int64) int {
		n := 0
		for n < len(ys) && 2*ys[n] <= depth {
			n++
		}
		return n
	}
}

// largestGapSplit returns how many of an aisle's picks lie before its
// largest gap: between the near end and the first pick, two neighbouring
// picks, or the last pick and the far end at depth.
func largestGapSplit(depth int64) func([]int64) int {
	return func(ys []int64) int {
		best, split := ys[0], 0
		for i := 0; i+1 < len(ys); i++ {
			if g := ys[i+1] - ys[i]; g > best {
				best, split = g, i+1
			}
		}
		if g := depth - ys[len(ys)-1]; g > best {
			split = len(ys)
		}
		return split
	}
}

// multiBlock reports whether the multiple-block forms apply.
func (g geometry) multiBlock(aisles []aislePicks) bool {
	return len(g.cross) > 2 && len(aisles) > 0
}

func returnOrder(aisles []aislePicks, _ geometry) []int {
	var seq []int
	for _, a := range aisles {
		seq = append(seq, a.idx...)
	}
	return seq
}

// splitOrder is the midpoint and largest-gap order: up the first aisle,
// along the back taking each middle aisle's back part, down the last aisle,
// and along the front taking each middle aisle's front part. split returns
// how many of an aisle's picks (sorted from the front) are taken from the
// front.
func splitOrder(aisles []aislePicks, split func([]int64) int) []int {
	if len(aisles) <= 1 {
		return returnOrder(aisles, geometry{})
	}
	seq := slices.Clone(aisles[0].idx)
	splits := make([]int, len(aisles))
	for n := 1; n < len(aisles)-1; n++ {
		a := aisles[n]
		splits[n] = split(a.ys)
		seq = append(seq, reversed(a.idx[splits[n]:])...)
	}
	seq = append(seq, reversed(aisles[len(aisles)-1].idx)...)
	for n := len(aisles) - 2; n >= 1; n-- {
		seq = append(seq, aisles[n].idx[:splits[n]]...)
	}
	return seq
}

// combinedOrder chooses, aisle by aisle, between walking it through and
// entering and returning, by dynamic programming over the side (front 0,
// back 1) the picker stands on after each aisle. The picker starts at the
// front of aisle depotX. With end -1 it then walks back to there; with end 0
// or 1 it must finish on that side.
func combinedOrder(aisles []aislePicks, depth, spacing, depotX int64, end int) []int {
	n := len(aisles)
	if n == 0 {
		return nil
	}
	const inf = math.MaxInt64 / 4
	// cost[i][s]: shortest walk having finished aisle i on side s.
	cost := make([][2]int64, n)
	through := make([][2]bool, n) // whether aisle i was walked through to reach side s
	prevX := depotX
	startSide := [2]int64{0, inf}
	for i, a := range aisles {
		dx := abs64(a.x-prevX) * spacing
		far := [2]int64{a.ys[len(a.ys)-1], depth - a.ys[0]} // depth reached entering from each side
		for s := range 2 {
			cost[i][s] = inf
			for from := range 2 {
				base := startSide[from]
				if i > 0 {
					base = cost[i-1][from]
				}
				if base >= inf {
					continue
				}
				base += dx
				if from == s { // enter and return
					if v := base + 2*far[s]; v < cost[i][s] {
						cost[i][s], through[i][s] = v, false
					}
				} else if v := base + depth; v < cost[i][s] { // walk through
					cost[i][s], through[i][s] = v, true
				}
			}
		}
		prevX = a.x
	}
	side := end
	if end < 0 {
		side = 0
		if cost[n-1][1]+depth < cost[n-1][0] {
			side = 1
		}
	}
	// Walk back through the choices to find each aisle's entry side.
	entry := make([]int, n)
	for i := n - 1; i >= 0; i-- {
		if through[i][side] {
			entry[i] = 1 - side
		} else {
			entry[i] = side
		}
		side = entry[i]
	}
	var seq []int
	for i, a := range aisles {
		if entry[i] == 0 {
			seq = append(seq, a.idx...)
		} else {
			seq = append(seq, reversed(a.idx)...)
		}
	}
	return seq
}
