package pack

import (
	"math/bits"
	"slices"
)

// perfectNodes bounds the perfect-fill search in the thorough mode.
const perfectNodes = 1_000_000

// perfect looks for a packing of units into exactly k boxes of type t with
// no empty space at all, which exists only when their volume is exactly k
// box volumes (as when items were cut from whole boxes). It fills one box
// at a time at its lowest, then deepest, then leftmost empty point: in a
// packing without gaps some unit must have its corner there, so trying every
// kind and orientation at that point is a complete search, cut off after
// limit nodes. It returns nil if it finds nothing.
func (e *engine) perfect(t int, units []int32, k int, limit int) *sol {
	bt := &e.types[t]
	if !e.perfectable(t, units, k) {
		return nil
	}
	count := make([]int, len(e.kinds))
	var kinds []int32
	for _, u := range units {
		if count[u] == 0 {
			kinds = append(kinds, u)
		}
		count[u]++
	}
	slices.SortFunc(kinds, func(a, b int32) int { return cmpF(e.kinds[b].vol, e.kinds[a].vol) })
	sums := e.newGapSums(t, kinds)
	nodes, cut := 0, 0
	var noise []float64 // per kind: a random weight on its volume after the first run
	var done []*bin
	var rec func(b *bin) bool
	rec = func(b *bin) bool {
		nodes++
		if nodes > cut || e.spend(int64(1+len(b.pl))) {
			return false
		}
		p, run, ok := e.lowestGap(b)
		if !ok { // the box is full
			done = append(done, b)
			if len(done) == k {
				return true
			}
			if rec(e.newBin(t)) {
				return true
			}
			done = done[:len(done)-1]
			return false
		}
		// The shortest length along x of any unit left: a shorter gap can
		// never be filled.
		minX, minY, minZ := int64(-1), int64(-1), int64(-1)
		for _, u := range kinds {
			if count[u] > 0 {
				for _, o := range e.kinds[u].oris {
					if minX < 0 || o.s[0] < minX {
						minX = o.s[0]
					}
					if minY < 0 || o.s[1] < minY {
						minY = o.s[1]
					}
					if minZ < 0 || o.s[2] < minZ {
						minZ = o.s[2]
					}
				}
			}
		}
		sums.fill(e, kinds, count)
		// The free lengths from p along y and z.
		yRun, zRun := bt.dims[1]-p[1], bt.dims[2]-p[2]
		for _, q := range b.pl {
			inX := q.p[0] <= p[0] && p[0] < q.p[0]+q.s[0]
			if inX && q.p[2] <= p[2] && p[2] < q.p[2]+q.s[2] && q.p[1] >= p[1] {
				yRun = min(yRun, q.p[1]-p[1])
			}
			if inX && q.p[1] <= p[1] && p[1] < q.p[1]+q.s[1] && q.p[2] >= p[2] {
				zRun = min(zRun, q.p[2]-p[2])
			}
		}
		type cand struct {
			u int32
			o orient
		}
		var cands []cand
		for _, u := range kinds {
			if count[u] == 0 {
				continue
			}
			kd := &e.kinds[u]
			if b.w+kd.weight > bt.maxW {
				continue
			}
			for _, o := range kd.oris {
				s := o.s
				if s[0] > run || s[1] > yRun || s[2] > zRun {
					continue
				}
				// A gap left next to the unit along an axis must take a unit
				// of at most its length along that axis.
				if rest := run - s[0]; rest > 0 && rest < minX {
					continue
				}
				if rest := yRun - s[1]; rest > 0 && rest < minY {
					continue
				}
				if rest := zRun - s[2]; rest > 0 && rest < minZ {
					continue
				}
				if !sums.ok(0, run-s[0]) || !sums.ok(1, yRun-s[1]) || !sums.ok(2, zRun-s[2]) {
					continue
				}
				cands = append(cands, cand{u, o})
			}
		}
		// Units that close the free runs along more axes first (x counting
		// most), then the largest.
		closes := func(s vec) int {
			return 4*boolInt(s[0] == run) + 2*boolInt(s[1] == yRun) + boolInt(s[2] == zRun)
		}
		slices.SortStableFunc(cands, func(a, c cand) int {
			if ea, ec := closes(a.o.s), closes(c.o.s); ea != ec {
				return ec - ea
			}
			if noise != nil {
				return cmpF(e.kinds[c.u].vol*noise[c.u], e.kinds[a.u].vol*noise[a.u])
			}
			return cmpF(e.kinds[c.u].vol, e.kinds[a.u].vol)
		})
		for _, cd := range cands {
			u, o := cd.u, cd.o
			kd := &e.kinds[u]
			{
				s := o.s
				if _, _, _, free := e.clear(b, p, s, false, bt.dims); !free {
					continue
				}
				nb := b.clone()
				nb.failed = nil
				nb.pl = append(nb.pl, plc{k: u, p: p, s: s, rot: o.rot})
				nb.w += kd.weight
				nb.vol += kd.vol
				count[u]--
				if rec(nb) {
					return true
				}
				count[u]++
				if nodes > cut || e.stopped {
					return false
				}
			}
		}
		return false
	}
	// Restarts: a search that went wrong early rarely recovers by
	// backtracking, so the nodes are spent in runs of growing length, each
	// after the first ordering the units by a randomly weighted volume.
	for span := max(limit/16, 500); ; span = span * 3 / 2 {
		cut = min(limit, nodes+span)
		if rec(e.newBin(t)) {
			break
		}
		if nodes >= limit || e.stopped {
			return nil
		}
		noise = make([]float64, len(e.kinds))
		for i := range noise {
			noise[i] = 0.5 + e.rng.Float64()
		}
	}
	s := &sol{}
	for _, b := range done {
		nb := e.newBin(t)
		for _, c := range b.pl {
			e.commit(nb, c)
		}
		s.bins = append(s.bins, nb)
	}
	return s
}

// lowestGap returns the empty point of b that is lowest, then deepest, then
// leftmost, with the free length along x from it; ok is false when b is
// full.
func (e *engine) lowestGap(b *bin) (p vec, run int64, ok bool) {
	dims := e.types[b.t].dims
	ys := []int64{0}
	zs := []int64{0}
	for _, q := range b.pl {
		if v := q.p[1] + q.s[1]; v < dims[1] {
			ys = append(ys, v)
		}
		if v := q.p[2] + q.s[2]; v < dims[2] {
			zs = append(zs, v)
		}
	}
	slices.Sort(ys)
	slices.Sort(zs)
	ys, zs = slices.Compact(ys), slices.Compact(zs)
	type span struct{ a, b int64 }
	var spans []span
	for _, z := range zs {
		for _, y := range ys {
			spans = spans[:0]
			for _, q := range b.pl {
				if q.p[1] <= y && y < q.p[1]+q.s[1] && q.p[2] <= z && z < q.p[2]+q.s[2] {
					spans = append(spans, span{q.p[0], q.p[0] + q.s[0]})
				}
			}
			slices.SortFunc(spans, func(a, b span) int { return cmpI(a.a, b.a) })
			x := int64(0)
			for _, s := range spans {
				if s.a > x {
					break
				}
				x = max(x, s.b)
			}
			if x < dims[0] {
				end := dims[0]
				for _, s := range spans {
					if s.a >= x {
						end = s.a
						break
					}
				}
				return vec{x, y, z}, end - x, true
			}
		}
	}
	return vec{}, 0, false
}

// perfectable reports whether units may fill exactly k boxes of type t: each
// fits the box and has no constraint, and their volume is exactly k box
// volumes.
func (e *engine) perfectable(t int, units []int32, k int) bool {
	bt := &e.types[t]
	var total uint64
	for _, u := range units {
		kd := &e.kinds[u]
		if !e.fits[u][t] || kd.fragile || kd.floor || kd.alone || kd.hazmat != 0 || kd.group != 0 {
			return false
		}
		hi, lo := bits.Mul64(uint64(kd.dims[0]), uint64(kd.dims[1]))
		if hi != 0 {
			return false
		}
		hi, lo = bits.Mul64(lo, uint64(kd.dims[2]))
		var c uint64
		total, c = bits.Add64(total, lo, 0)
		if hi != 0 || c != 0 {
			return false
		}
	}
	hi, bv := bits.Mul64(uint64(bt.dims[0]), uint64(bt.dims[1]))
	hi2, bv := bits.Mul64(bv, uint64(bt.dims[2]))
	if hi != 0 || hi2 != 0 || bv == 0 || total != bv*uint64(k) || total/bv != uint64(k) {
		return false
	}
	return true
}

// gapSums prunes the perfect-fill search. At the lowest, deepest, leftmost
// empty point everything below and in front is full, so the units that will
// fill the free run from it along x all have their corner on that run, and
// their lengths add up to it exactly; likewise along y and z. A run's rest
// beside a candidate unit must therefore be a sum of the lengths of units
// left. The sums are bitsets on the common grid of all lengths; when the
// grid is too fine the pruning is off.
type gapSums struct {
	on   bool
	g    int64       // grid step
	set  [3][]uint64 // set[a] bit v: v*g is a sum of lengths along a
	dims vec
}

// gapGrid is the largest number of grid steps per box side for gapSums.
const gapGrid = 1 << 12

func (e *engine) newGapSums(t int, kinds []int32) *gapSums {
	gs := &gapSums{dims: e.types[t].dims}
	if gs.g = e.gridStep(t, kinds); gs.g == 0 {
		return gs
	}
	gs.on = true
	for a := range gs.set {
		gs.set[a] = make([]uint64, gs.dims[a]/gs.g/64+1)
	}
	return gs
}

// gridStep returns the greatest common divisor of the sides of box type t
// and of every oriented side of kinds, or 0 when the box is more than
// gapGrid steps long on that grid.
func (e *engine) gridStep(t int, kinds []int32) int64 {
	dims := e.types[t].dims
	var g int64
	for _, d := range dims {
		g = gcd(g, d)
	}
	for _, u := range kinds {
		for _, o := range e.kinds[u].oris {
			for _, d := range o.s {
				g = gcd(g, d)
			}
		}
	}
	if g <= 0 {
		return 0
	}
	for _, d := range dims {
		if d/g > gapGrid {
			return 0
		}
	}
	return g
}

// fill computes the sums for the units left (count per kind).
func (gs *gapSums) fill(e *engine, kinds []int32, count []int) {
	if !gs.on {
		return
	}
	var ls []int64
	for a := range gs.set {
		set := gs.set[a]
		clear(set)
		set[0] = 1
		top := gs.dims[a] / gs.g
		for _, u := range kinds {
			if count[u] == 0 {
				continue
			}
			ls = ls[:0]
			lo := top
			for _, o := range e.kinds[u].oris {
				l := o.s[a] / gs.g
				if !slices.Contains(ls, l) {
					ls = append(ls, l)
					lo = min(lo, l)
				}
			}
			reps := count[u]
			if lo > 0 {
				reps = min(reps, int(top/lo))
			}
			e.spend(int64(reps * len(ls) * len(set)))
			for range reps {
				for w := len(set) - 1; w >= 0; w-- {
					var v uint64
					for _, l := range ls {
						v |= shiftedWord(set, w, l)
					}
					set[w] |= v
				}
			}
		}
	}
}

// shiftedWord returns word w of the bitset shifted up by l bits.
func shiftedWord(set []uint64, w int, l int64) uint64 {
	q, r := int(l/64), uint(l%64)
	src := w - q
	if src < 0 {
		return 0
	}
	v := set[src] << r
	if r != 0 && src > 0 {
		v |= set[src-1] >> (64 - r)
	}
	return v
}

// ok reports whether rest (a length, 0 allowed) may still be filled along a.
func (gs *gapSums) ok(a int, rest int64) bool {
	if !gs.on || rest <= 0 {
		return true
	}
	if rest%gs.g != 0 {
		return false
	}
	v := rest / gs.g
	return v/64 < int64(len(gs.set[a])) && gs.set[a][v/64]&(1<<uint(v%64)) != 0
}
