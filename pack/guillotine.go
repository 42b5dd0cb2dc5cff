package pack

import (
	"math"
	"slices"
)

// gregion is an empty box-shaped space of box number bin, with its corner at
// p and size s, that must be filled exactly.
type gregion struct {
	bin int
	p   vec
	s   vec
	n   int     // the units left that fit the region
	v   float64 // their volume
}

// vol returns the volume of r as a float, for comparisons only.
func (r gregion) vol() float64 { return float64(r.s[0]) * float64(r.s[1]) * float64(r.s[2]) }

// guillotineNodes bounds the guillotine fill in the thorough mode.
const guillotineNodes = 1_000_000

// spansUnits is the most units fitting a region for which pick checks that
// its sides are sums of their lengths and that one can take its corner:
// with more, the checks almost never fail and cost a pass over the kinds.
const spansUnits = 40

// axisOrders lists the orders in which the space beside a corner unit may
// be cut off, along each of up to three axes.
var axisOrders = [6][3]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}

// gfill is the state of a guillotine fill.
type gfill struct {
	e      *engine
	t      int
	kinds  []int32         // the kinds of the units, largest first
	count  []int           // per kind: units not yet placed
	weight []int64         // per box: the weight placed
	placed [][]plc         // per box: the units placed
	nodes  int             // the nodes visited
	limit  int             // the node count at which the search stops
	grid   int64           // the common step of all lengths; 0 when too fine for sums
	sums   [3][]uint64     // scratch: per axis, a bitset of sums of lengths
	lens   [3][]uint64     // scratch: per axis, a bitset of lengths
	sizes  map[vec]int     // units left per size of an orientation
	faces  map[faceKey]int // units left per pair of sizes across an axis
}

// guillotine looks, like perfect, for a packing of units into exactly k
// boxes of type t without any empty space, but among packings that
// guillotine cuts can take apart (as when items were cut from whole boxes).
// It keeps a list of empty regions, starting with the k boxes. A region that
// a unit left matches exactly is filled with it first, without trying
// anything else: any other filling of the region may swap with that unit
// (when the boxes have no weight limit). Otherwise it fills the region with
// the fewest units fitting, trying each unit that fits at the region's
// corner with the rest of the region cut into at most three regions, in
// each order of the axes; units that match the region along more axes come
// first, then the moves leaving regions that a unit left matches exactly or
// spans along two axes. A step is abandoned when some region cannot be
// filled by the units fitting it (too little volume, a side that is no sum
// of their lengths, or no unit that can take its corner), or when the units
// that fit only the empty boxes have more than their volume. The search is
// one depth-first run of at most limit nodes, counted with the engine's
// work. When it finds nothing, allFill searches again, as long, with the
// units joined into blocks; it returns nil if that finds nothing either.
func (e *engine) guillotine(t int, units []int32, k int, limit int) *sol {
	if s := e.guillotineUnits(t, units, k, limit); s != nil || e.stopped {
		return s
	}
	return e.allFill(t, units, k, limit)
}

// guillotineUnits is guillotine without the second search over blocks.
func (e *engine) guillotineUnits(t int, units []int32, k int, limit int) *sol {
	if !e.perfectable(t, units, k) {
		return nil
	}
	g := &gfill{e: e, t: t, count: make([]int, len(e.kinds)), weight: make([]int64, k), placed: make([][]plc, k),
		sizes: map[vec]int{}, faces: map[faceKey]int{}}
	for _, u := range units {
		if g.count[u] == 0 {
			g.kinds = append(g.kinds, u)
		}
		g.take(u, 1)
	}
	slices.SortFunc(g.kinds, func(a, b int32) int { return cmpF(e.kinds[b].vol, e.kinds[a].vol) })
	g.grid = e.gridStep(t, g.kinds)
	start := make([]gregion, k)
	for i := range start {
		start[i] = g.region(gregion{bin: i, s: e.types[t].dims})
	}
	g.limit = limit
	if !g.fill(start) {
		return nil
	}
	s := &sol{}
	for _, pl := range g.placed {
		b := e.newBin(t)
		for _, c := range pl {
			e.commit(b, c)
		}
		s.bins = append(s.bins, b)
	}
	return s
}

// fitsRegion reports whether size s fits in r.
func fitsRegion(s vec, r gregion) bool {
	return s[0] <= r.s[0] && s[1] <= r.s[1] && s[2] <= r.s[2]
}

// pick returns the index of the region to fill next: one that a unit left
// matches exactly, else the one with the fewest units fitting, then the
// smallest. ok is false when some region cannot be filled by the units left
// (they fit it with less than its volume or, when few units fit it, a side
// is no sum of their lengths or none can take its corner), or the units
// that fit no region but the empty boxes have more than their volume. The
// regions carry the count and volume of the units fitting them, which put
// keeps up to date, so only those checks pass over the kinds.
func (g *gfill) pick(regs []gregion) (best int, ok bool) {
	e := g.e
	fewest := math.MaxInt
	box, maxW := e.types[g.t].dims, e.types[g.t].maxW
	fresh := 0
	e.spend(int64(len(regs)))
	for i, r := range regs {
		n, v := r.n, r.v
		if r.s == box {
			fresh++
		}
		if n == 0 || v < r.vol()*(1-1e-9) {
			return 0, false
		}
		if n <= spansUnits {
			e.spend(int64(len(g.kinds)))
			g.clearSums(r)
			for _, u := range g.kinds {
				if g.count[u] == 0 {
					continue
				}
				for _, o := range e.kinds[u].oris {
					if fitsRegion(o.s, r) {
						g.addLengths(o.s)
					}
				}
			}
			if !g.spans(r) || !g.corner(r) {
				return 0, false
			}
		}
		if g.sizes[r.s] > 0 && maxW == math.MaxInt64 {
			n = 0 // an exact match first: it needs no choice
		}
		if n < fewest || n == fewest && r.vol() < regs[best].vol() {
			best, fewest = i, n
		}
	}
	// The units that fit no region but the empty boxes must go there.
	var left float64
	for _, u := range g.kinds {
		if g.count[u] > 0 && !g.fitsPartial(u, regs, box) {
			left += float64(g.count[u]) * e.kinds[u].vol
		}
	}
	if left > float64(fresh)*e.types[g.t].vol*(1+1e-9) {
		return 0, false
	}
	return best, true
}

// gcand is a unit to put at a region's corner.
type gcand struct {
	u int32
	o orient
}

// fill fills the regions and reports whether it succeeded; the units
// placed are in g.placed.
func (g *gfill) fill(regs []gregion) bool {
	e := g.e
	g.nodes++
	if g.nodes > g.limit || e.spend(1) {
		return false
	}
	if len(regs) == 0 {
		return true
	}
	i, ok := g.pick(regs)
	if !ok {
		return false
	}
	r := regs[i]
	rest := slices.Delete(slices.Clone(regs), i, i+1)
	maxW := e.types[g.t].maxW
	var cands []gcand
	for _, u := range g.kinds {
		kd := &e.kinds[u]
		if g.count[u] == 0 || g.weight[r.bin]+kd.weight > maxW {
			continue
		}
		for _, o := range kd.oris {
			if !fitsRegion(o.s, r) {
				continue
			}
			if o.s == r.s && maxW == math.MaxInt64 { // an exact match needs no choice
				return g.put(r, gcand{u, o}, rest, [3]int{})
			}
			cands = append(cands, gcand{u, o})
		}
	}
	var moves []gmove
	var tried []vec
	for _, c := range cands {
		if slices.Contains(tried, c.o.s) && maxW == math.MaxInt64 {
			continue // the same size again: the same search
		}
		tried = append(tried, c.o.s)
		g.take(c.u, -1)
		for n, order := range axisOrders {
			if g.newOrder(c.o.s, r.s, n) {
				moves = append(moves, gmove{c, order, g.promise(r, c.o.s, order)})
			}
		}
		g.take(c.u, 1)
	}
	// The units that match the region along more axes first, then the
	// moves whose new regions are most likely filled, then the largest
	// units.
	same := func(s vec) int { return boolInt(s[0] == r.s[0]) + boolInt(s[1] == r.s[1]) + boolInt(s[2] == r.s[2]) }
	slices.SortStableFunc(moves, func(a, c gmove) int {
		if sa, sc := same(a.c.o.s), same(c.c.o.s); sa != sc {
			return sc - sa
		}
		if a.score != c.score {
			return c.score - a.score
		}
		return cmpF(e.kinds[c.c.u].vol, e.kinds[a.c.u].vol)
	})
	for _, m := range moves {
		if g.put(r, m.c, rest, m.order) {
			return true
		}
		if g.nodes > g.limit || e.stopped {
			return false
		}
	}
	return false
}

// gmove is a unit at a region's corner with the order of the cuts around
// it and how promising the regions it leaves are.
type gmove struct {
	c     gcand
	order [3]int
	score int
}

// faceKey names the units that span a region along the two axes other than
// axis, where the region measures a and b.
type faceKey struct {
	axis int
	a, b int64
}

// take adds d units of kind u to the lookup of the units left by size.
func (g *gfill) take(u int32, d int) {
	g.count[u] += d
	for _, o := range g.e.kinds[u].oris {
		g.sizes[o.s] += d
		for a := range 3 {
			g.faces[faceKey{a, o.s[(a+1)%3], o.s[(a+2)%3]}] += d
		}
	}
}

// promise scores the regions left by a unit of size s at the corner of r
// with the cuts in order: a region that a unit left matches exactly counts
// 2, one that a unit spans along two axes 0, any other -2.
func (g *gfill) promise(r gregion, s vec, order [3]int) int {
	score := 0
	cur := r.s
	for _, a := range order {
		if s[a] >= cur[a] {
			continue
		}
		far := cur
		far[a] -= s[a]
		cur[a] = s[a]
		switch {
		case g.sizes[far] > 0:
			score += 2
		case g.faces[faceKey{0, far[1], far[2]}] > 0 || g.faces[faceKey{1, far[2], far[0]}] > 0 ||
			g.faces[faceKey{2, far[0], far[1]}] > 0:
		default:
			score -= 2
		}
	}
	return score
}

// newOrder reports whether axisOrders[n] gives cuts that no earlier order
// gives for a unit of size s at the corner of a region of size rs: axes
// along which the unit spans the region are not cut, so orders that differ
// only in where those axes stand are the same.
func (g *gfill) newOrder(s, rs vec, n int) bool {
	key := func(o [3]int) [3]int {
		var k [3]int
		j := 0
		for _, a := range o {
			if s[a] < rs[a] {
				k[j] = a + 1
				j++
			}
		}
		return k
	}
	want := key(axisOrders[n])
	for m := range n {
		if key(axisOrders[m]) == want {
			return false
		}
	}
	return true
}

// put places c at the corner of r, cuts the rest of r into regions along
// the axes in order, and fills them with the other regions rest.
func (g *gfill) put(r gregion, c gcand, rest []gregion, order [3]int) bool {
	e := g.e
	kd := &e.kinds[c.u]
	g.take(c.u, -1)
	regs := slices.Clone(rest)
	for i := range regs {
		if g.fitsKind(c.u, regs[i].s) {
			regs[i].n--
			regs[i].v -= kd.vol
		}
	}
	e.spend(int64(len(regs)))
	cur := r
	for _, a := range order {
		if c.o.s[a] < cur.s[a] {
			far := cur
			far.p[a] += c.o.s[a]
			far.s[a] -= c.o.s[a]
			regs = append(regs, g.region(far))
			cur.s[a] = c.o.s[a]
		}
	}
	g.weight[r.bin] += kd.weight
	g.placed[r.bin] = append(g.placed[r.bin], plc{k: c.u, p: r.p, s: c.o.s, rot: c.o.rot})
	if g.fill(regs) {
		return true
	}
	g.placed[r.bin] = g.placed[r.bin][:len(g.placed[r.bin])-1]
	g.weight[r.bin] -= kd.weight
	g.take(c.u, 1)
	return false
}

// region returns r with the units left that fit it counted.
func (g *gfill) region(r gregion) gregion {
	r.n, r.v = 0, 0
	for _, u := range g.kinds {
		if g.count[u] > 0 && g.fitsKind(u, r.s) {
			r.n += g.count[u]
			r.v += float64(g.count[u]) * g.e.kinds[u].vol
		}
	}
	g.e.spend(int64(len(g.kinds)))
	return r
}

// fitsKind reports whether a unit of kind u fits a region of size s.
func (g *gfill) fitsKind(u int32, s vec) bool {
	for _, o := range g.e.kinds[u].oris {
		if o.s[0] <= s[0] && o.s[1] <= s[1] && o.s[2] <= s[2] {
			return true
		}
	}
	return false
}

// fitsPartial reports whether a unit of kind u fits one of regs other
// than an empty box.
func (g *gfill) fitsPartial(u int32, regs []gregion, box vec) bool {
	for _, r := range regs {
		if r.s != box && g.fitsKind(u, r.s) {
			return true
		}
	}
	return false
}

// clearSums empties the lengths seen for region r.
func (g *gfill) clearSums(r gregion) {
	if g.grid == 0 {
		return
	}
	for a := range 3 {
		g.lens[a] = append(g.lens[a][:0], make([]uint64, r.s[a]/g.grid/64+1)...)
	}
}

// addLengths records the lengths of a unit of size s.
func (g *gfill) addLengths(s vec) {
	if g.grid == 0 {
		return
	}
	for a := range 3 {
		l := s[a] / g.grid
		g.lens[a][l/64] |= 1 << uint(l%64)
	}
}

// spans reports whether each side of r is a sum of the lengths recorded
// along it, as it must be for r to be filled by the units that fit it. The
// lengths may repeat, which makes the check cheap: the bitset of lengths is
// shifted by each reachable sum in increasing order.
func (g *gfill) spans(r gregion) bool {
	if g.grid == 0 {
		return true
	}
	for a := range 3 {
		top := r.s[a] / g.grid
		words := int(top/64) + 1
		g.sums[a] = append(g.sums[a][:0], make([]uint64, words)...)
		sums := g.sums[a]
		sums[0] = 1
		g.e.spend(top * int64(words) / 16)
		for v := range top {
			if sums[v/64]&(1<<uint(v%64)) == 0 {
				continue
			}
			for w := words - 1; w >= int(v/64); w-- {
				sums[w] |= shiftedWord(g.lens[a], w, v)
			}
		}
		if sums[top/64]&(1<<uint(top%64)) == 0 {
			return false
		}
	}
	return true
}

// corner reports whether some unit left fits at the corner of r with the
// rest of each side beside it a sum of lengths as spans found them: some
// unit must fill that corner.
func (g *gfill) corner(r gregion) bool {
	if g.grid == 0 {
		return true
	}
	e := g.e
	e.spend(int64(len(g.kinds)))
	for _, u := range g.kinds {
		if g.count[u] == 0 {
			continue
		}
		for _, o := range e.kinds[u].oris {
			if fitsRegion(o.s, r) && g.spanned(r, o.s) {
				return true
			}
		}
	}
	return false
}

// spanned reports whether the rest of each side of r beside a unit of size
// s at its corner is a sum of lengths as spans found them.
func (g *gfill) spanned(r gregion, s vec) bool {
	for a := range 3 {
		v := (r.s[a] - s[a]) / g.grid
		if g.sums[a][v/64]&(1<<uint(v%64)) == 0 {
			return false
		}
	}
	return true
}
