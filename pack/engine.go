package pack

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/fulfillkit/fulfill"
)

// shipQuote is a cached shipping estimate.
type shipQuote struct {
	units int64
	m     fulfill.Money
}

// vec is a position or a size in micrometres along x, y, z.
type vec [3]int64

// orient is one allowed orientation of a kind.
type orient struct {
	s   vec
	rot fulfill.Rotation
}

// kind is a class of interchangeable units: same size, mass, rotation rule
// and constraints. Work is done per kind, not per item.
type kind struct {
	dims    vec
	oris    []orient
	weight  int64
	vol     float64
	fragile bool
	floor   bool
	alone   bool
	hazmat  int32 // 0: none
	group   int32 // 0: none
}

// btype is a usable box type.
type btype struct {
	idx    int // index in Request.Boxes
	dims   vec
	maxW   int64 // math.MaxInt64 when unlimited
	tare   int64
	cost   int64 // 10^-9 currency units
	supply int   // 0: unlimited
	vol    float64
}

// plc is a placed unit.
type plc struct {
	k   int32
	p   vec
	s   vec
	rot fulfill.Rotation
}

// bin is an open box.
type bin struct {
	t      int
	pl     []plc
	eps    []vec
	w      int64
	vol    float64
	hazmat int32
	group  int32
	alone  bool
	failed []uint64 // kinds known not to fit any more
}

// crowded is the number of units in a box beyond which a placement
// considers only that many feasible candidates.
const crowded = 64

// merit selects how candidate positions are scored.
type merit uint8

const (
	meritGap merit = iota // snuggest fit: least free space around the unit
	meritLow              // lowest, then deepest, then leftmost position
	meritCount
)

// engine holds one packing problem and the search state.
type engine struct {
	ctx        context.Context
	kinds      []kind
	types      []btype
	fits       [][]bool // kind x type: fits by size, rotation and weight
	obj        Objective
	mode       Mode
	rng        *rand.Rand
	work       int64
	maxWork    int64
	minSupport int // the request's MinSupport
	stopped    bool
	ship       ShippingFunc
	shipMem    map[[2]int64]shipQuote
	shipErr    error
	shipCur    fulfill.Currency // the currency of the shipping estimates
	req        *Request
	floor      int64 // the largest floor area of a box type, at least 1
	tallest    int64 // the largest box height, at least 1

	keys  [][3]int64 // sortUnits scratch: the sort key of each kind
	keyed []bool     // sortUnits scratch: whether keys holds the kind's key
}

// spend counts work and reports whether the search must stop.
func (e *engine) spend(n int64) bool {
	e.work += n
	if e.stopped {
		return true
	}
	if e.work > e.maxWork {
		e.stopped = true
	} else if e.work&0x3fff < n || n > 0x3fff {
		if e.ctx.Err() != nil {
			e.stopped = true
		}
	}
	return e.stopped
}

func (e *engine) newBin(t int) *bin {
	return &bin{t: t, eps: []vec{{0, 0, 0}}}
}

func (b *bin) clone() *bin {
	c := *b
	c.pl = slices.Clone(b.pl)
	c.eps = slices.Clone(b.eps)
	c.failed = slices.Clone(b.failed)
	return &c
}

func (b *bin) hasFailed(k int32) bool {
	i := int(k) >> 6
	return i < len(b.failed) && b.failed[i]&(1<<(uint(k)&63)) != 0
}

func (b *bin) setFailed(k int32) {
	i := int(k) >> 6
	for len(b.failed) <= i {
		b.failed = append(b.failed, 0)
	}
	b.failed[i] |= 1 << (uint(k) & 63)
}

// admits checks the cheap conditions for putting a unit of kind k in b.
func (e *engine) admits(b *bin, k int32) bool {
	kd := &e.kinds[k]
	t := &e.types[b.t]
	if !e.fits[k][b.t] || b.alone || (kd.alone && len(b.pl) > 0) {
		return false
	}
	if b.w+kd.weight > t.maxW || b.vol+kd.vol > t.vol*(1+1e-9) {
		return false
	}
	if kd.hazmat != 0 && b.hazmat != 0 && kd.hazmat != b.hazmat {
		return false
	}
	return !b.hasFailed(k)
}

// score is a candidate's merit; lower is better.
type score [2]int64

func (a score) less(b score) bool { return a[0] < b[0] || a[0] == b[0] && a[1] < b[1] }

// place finds the best position and orientation for a unit of kind k in b.
func (e *engine) place(b *bin, k int32, m merit) (plc, bool) {
	if !e.admits(b, k) {
		return plc{}, false
	}
	kd := &e.kinds[k]
	dims := e.types[b.t].dims
	best := score{math.MaxInt64, math.MaxInt64}
	var out plc
	found := false
	// The work is counted but never cuts a placement short: a construction
	// always completes. Crowded boxes consider a bounded number of
	// feasible candidates, lowest first.
	e.spend(int64(len(b.eps)*len(kd.oris)) * int64(1+len(b.pl)))
	feasible := 0
	limit := math.MaxInt
	if len(b.pl) > crowded {
		limit = crowded
	}
	for _, p := range b.eps {
		if feasible >= limit {
			break
		}
		if kd.floor && p[2] != 0 {
			continue
		}
		for _, o := range kd.oris {
			s := o.s
			if p[0]+s[0] > dims[0] || p[1]+s[1] > dims[1] || p[2]+s[2] > dims[2] {
				continue
			}
			gx, gy, gz, ok := e.clear(b, p, s, kd.fragile, dims)
			if !ok {
				continue
			}
			var sc score
			switch m {
			case meritLow:
				sc = score{p[2], p[1] + p[0] + gx + gy}
			default:
				sc = score{gx + gy + gz, p[2]*4 + p[1]*2 + p[0]}
			}
			feasible++
			if !found || sc.less(best) {
				best, out, found = sc, plc{k: k, p: p, s: s, rot: o.rot}, true
			}
		}
	}
	if !found {
		b.setFailed(k)
	}
	return out, found
}

// clear reports whether a unit of size s at p overlaps nothing in b,
// respects fragile units and rests on units with at least the request's
// MinSupport share of its base, and returns the free distance from the
// unit to the nearest obstacle along +x, +y and +z.
func (e *engine) clear(b *bin, p, s vec, fragile bool, dims vec) (gx, gy, gz int64, ok bool) {
	gx, gy, gz = dims[0]-p[0]-s[0], dims[1]-p[1]-s[1], dims[2]-p[2]-s[2]
	ex, ey, ez := p[0]+s[0], p[1]+s[1], p[2]+s[2]
	var under float64 // the area of the unit's base resting on tops of units
	for i := range b.pl {
		q := &b.pl[i]
		qx, qy, qz := q.p[0]+q.s[0], q.p[1]+q.s[1], q.p[2]+q.s[2]
		ox := p[0] < qx && q.p[0] < ex
		oy := p[1] < qy && q.p[1] < ey
		oz := p[2] < qz && q.p[2] < ez
		if ox && oy {
			if oz {
				return 0, 0, 0, false
			}
			if qz == p[2] && e.minSupport > 0 {
				under += float64(min(ex, qx)-max(p[0], q.p[0])) * float64(min(ey, qy)-max(p[1], q.p[1]))
			}
			if q.p[2] >= ez {
				if fragile {
					return 0, 0, 0, false
				}
				gz = min(gz, q.p[2]-ez)
			} else if e.kinds[q.k].fragile {
				return 0, 0, 0, false // p[2] >= qz: resting above a fragile unit
			}
		}
		if oy && oz && q.p[0] >= ex {
			gx = min(gx, q.p[0]-ex)
		}
		if ox && oz && q.p[1] >= ey {
			gy = min(gy, q.p[1]-ey)
		}
	}
	if p[2] > 0 && e.minSupport > 0 && under*100 < float64(e.minSupport)*float64(s[0])*float64(s[1])*(1-1e-12) {
		return 0, 0, 0, false // too little of its base rests on units
	}
	return gx, gy, gz, true
}

// commit puts c into b and updates its extreme points.
func (e *engine) commit(b *bin, c plc) {
	kd := &e.kinds[c.k]
	b.pl = append(b.pl, c)
	b.w += kd.weight
	b.vol += kd.vol
	if kd.hazmat != 0 {
		b.hazmat = kd.hazmat
	}
	if kd.alone {
		b.alone = true
	}
	if kd.group != 0 {
		b.group = kd.group
	}
	dims := e.types[b.t].dims
	p, s := c.p, c.s
	cands := [6]vec{
		e.project(b, vec{p[0] + s[0], p[1], p[2]}, 1),
		e.project(b, vec{p[0] + s[0], p[1], p[2]}, 2),
		e.project(b, vec{p[0], p[1] + s[1], p[2]}, 0),
		e.project(b, vec{p[0], p[1] + s[1], p[2]}, 2),
		e.project(b, vec{p[0], p[1], p[2] + s[2]}, 0),
		e.project(b, vec{p[0], p[1], p[2] + s[2]}, 1),
	}
	eps := b.eps[:0]
	for _, q := range b.eps {
		if !inside(q, p, s) {
			eps = append(eps, q)
		}
	}
	for _, q := range cands {
		if q[0] < dims[0] && q[1] < dims[1] && q[2] < dims[2] {
			eps = insertPoint(eps, q)
		}
	}
	b.eps = eps
}

// insertPoint inserts q into eps, kept sorted by z, then y, then x, unless
// it is there already.
func insertPoint(eps []vec, q vec) []vec {
	i, found := slices.BinarySearchFunc(eps, q, cmpPoint)
	if found {
		return eps
	}
	return slices.Insert(eps, i, q)
}

// cmpPoint orders points by z, then y, then x.
func cmpPoint(a, b vec) int {
	for _, i := range [3]int{2, 1, 0} {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// inside reports whether point q lies in the box at p of size s.
func inside(q, p, s vec) bool {
	return q[0] >= p[0] && q[0] < p[0]+s[0] && q[1] >= p[1] && q[1] < p[1]+s[1] && q[2] >= p[2] && q[2] < p[2]+s[2]
}

// project moves q along -axis until it meets a placed unit or the wall.
func (e *engine) project(b *bin, q vec, axis int) vec {
	a1, a2 := (axis+1)%3, (axis+2)%3
	to := int64(0)
	for i := range b.pl {
		u := &b.pl[i]
		end := u.p[axis] + u.s[axis]
		if end <= q[axis] && end > to &&
			u.p[a1] <= q[a1] && q[a1] < u.p[a1]+u.s[a1] &&
			u.p[a2] <= q[a2] && q[a2] < u.p[a2]+u.s[a2] {
			to = end
		}
	}
	q[axis] = to
	return q
}

// run returns how many units from i on are of the same kind as units[i].
func run(units []int32, i int) int {
	n := 1
	for i+n < len(units) && units[i+n] == units[i] {
		n++
	}
	return n
}

// block commits c and then, for up to n-1 more units of its kind, grows it
// into a block of identical units along x, then y, then z, as far as the box
// allows. It returns the number of units committed. Placing a block costs
// one candidate search, so repeated units cost little.
func (e *engine) block(b *bin, c plc, n int) int {
	kd := &e.kinds[c.k]
	t := &e.types[b.t]
	if kd.weight > 0 {
		n = int(min(int64(n), (t.maxW-b.w)/kd.weight))
	}
	if n <= 1 || kd.alone {
		e.commit(b, c)
		return 1
	}
	s, p := c.s, c.p
	ok := func(i, j, l int64) bool {
		q := vec{p[0] + i*s[0], p[1] + j*s[1], p[2] + l*s[2]}
		if q[0]+s[0] > t.dims[0] || q[1]+s[1] > t.dims[1] || q[2]+s[2] > t.dims[2] {
			return false
		}
		_, _, _, free := e.clear(b, q, s, kd.fragile, t.dims)
		return free
	}
	nx := int64(1)
	for int(nx) < n && ok(nx, 0, 0) {
		nx++
	}
	ny := int64(1)
	for int(nx*(ny+1)) <= n {
		row := true
		for i := int64(0); i < nx && row; i++ {
			row = ok(i, ny, 0)
		}
		if !row {
			break
		}
		ny++
	}
	nz := int64(1)
	for !kd.fragile && !kd.floor && int(nx*ny*(nz+1)) <= n {
		layer := true
		for j := int64(0); j < ny && layer; j++ {
			for i := int64(0); i < nx && layer; i++ {
				layer = ok(i, j, nz)
			}
		}
		if !layer {
			break
		}
		nz++
	}
	e.spend(nx * ny * nz * int64(1+len(b.pl)))
	for l := int64(0); l < nz; l++ {
		for j := int64(0); j < ny; j++ {
			for i := int64(0); i < nx; i++ {
				u := c
				u.p = vec{p[0] + i*s[0], p[1] + j*s[1], p[2] + l*s[2]}
				e.commit(b, u)
			}
		}
	}
	return int(nx * ny * nz)
}

// fillOne packs as many of units as it can into a fresh box of type t, in
// order, and returns the box and the units left over.
func (e *engine) fillOne(t int, units []int32, m merit) (*bin, []int32) {
	b := e.newBin(t)
	var left []int32
	for i := 0; i < len(units); {
		k := units[i]
		r := run(units, i)
		c, ok := e.place(b, k, m)
		if !ok {
			for range r {
				left = append(left, k)
			}
			i += r
			continue
		}
		i += e.block(b, c, r)
	}
	return b, left
}

// repack tries to pack all units into one fresh box of type t, trying
// several orders; it returns nil if it finds no way.
func (e *engine) repack(t int, units []int32) *bin {
	if !e.mayFit(t, units) {
		return nil
	}
	tries := 4
	if e.mode == ModeThorough {
		tries = 10
	}
	return e.repackTries(t, units, tries)
}

// Effort of repackHard: orderings tried, and the largest number of units
// for the backtracking search after them.
const (
	hardTries = 32
	hardUnits = 16
)

// repackHard is repack with more effort, for the moves that make a packing
// cheaper: more orderings, the later ones random, then for a few units a
// bounded backtracking search.
func (e *engine) repackHard(t int, units []int32) *bin {
	if !e.mayFit(t, units) {
		return nil
	}
	if b := e.repackTries(t, units, hardTries); b != nil || e.stopped || len(units) > hardUnits {
		return b
	}
	order := slices.Clone(units)
	e.sortUnits(order, 0)
	return e.search(t, order)
}

// mayFit checks the necessary conditions for units to fit one box of type
// t: each unit fits it alone, and their weight and volume are within its
// limits.
func (e *engine) mayFit(t int, units []int32) bool {
	var w int64
	var v float64
	for _, k := range units {
		if !e.fits[k][t] {
			return false
		}
		w += e.kinds[k].weight
		v += e.kinds[k].vol
	}
	tt := &e.types[t]
	return w <= tt.maxW && v <= tt.vol*(1+1e-9)
}

// repackTries packs units into one fresh box of type t with the first
// tries ordering rules and both merits, and returns the first box that
// takes them all, or nil. An ordering met before is not packed again:
// filling a box depends only on the order and the merit.
func (e *engine) repackTries(t int, units []int32, tries int) *bin {
	order := slices.Clone(units)
	seen := make(map[string]bool, tries)
	var key []byte
	for i := 0; i < tries && !e.stopped; i++ {
		e.sortUnits(order, i)
		key = key[:0]
		for _, k := range order {
			key = binary.LittleEndian.AppendUint32(key, uint32(k))
		}
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		for m := merit(0); m < meritCount; m++ {
			if b, left := e.fillOne(t, order, m); len(left) == 0 {
				return b
			}
			if e.stopped {
				return nil
			}
		}
	}
	return nil
}

// sortUnits orders units by the i-th ordering rule; rules beyond the fixed
// ones shuffle a volume ordering with the engine's random source.
func (e *engine) sortUnits(units []int32, rule int) {
	key := func(k int32) [3]int64 {
		d := e.kinds[k].dims
		s := sortedVec(d)
		switch rule {
		case 0:
			return [3]int64{int64(e.kinds[k].vol), s[0], s[1]}
		case 1:
			return [3]int64{d[2], d[0] * d[1], 0}
		case 2:
			return [3]int64{d[0] * d[1], d[2], 0}
		case 3:
			return [3]int64{s[0], s[1], s[2]}
		case 4:
			return [3]int64{s[2], s[1], s[0]}
		case 5:
			return [3]int64{d[0], d[1], d[2]}
		case 6: // clustered area-height: base area in tenths of the largest box's floor, then height
			return [3]int64{10 * (d[0] / 1000) * (d[1] / 1000) / e.floor, d[2], d[0] * d[1]}
		case 7: // clustered height-area
			return [3]int64{10 * d[2] / e.tallest, d[0] * d[1], d[2]}
		}
		return [3]int64{int64(e.kinds[k].vol * (0.6 + 0.8*e.rng.Float64())), 0, 0}
	}
	// Keys are computed once per kind, in the order kinds first appear,
	// so the random rules draw the same numbers for the same units.
	if cap(e.keys) < len(e.kinds) {
		e.keys = make([][3]int64, len(e.kinds))
		e.keyed = make([]bool, len(e.kinds))
	}
	keys, keyed := e.keys[:len(e.kinds)], e.keyed[:len(e.kinds)]
	clear(keyed)
	for _, k := range units {
		if !keyed[k] {
			keys[k], keyed[k] = key(k), true
		}
	}
	slices.SortStableFunc(units, func(a, b int32) int { return cmpKey(keys[b], keys[a], a, b) })
}

func cmpKey(x, y [3]int64, a, b int32) int {
	for i := range x {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	return int(a) - int(b)
}

func sortedVec(d vec) vec {
	s := d
	slices.SortFunc(s[:], func(a, b int64) int {
		switch {
		case a > b:
			return -1
		case a < b:
			return 1
		}
		return 0
	})
	return s
}
