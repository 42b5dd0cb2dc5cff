package pack

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packBoxPacker packs in the manner of the PHP library BoxPacker
// (dvdoug/BoxPacker, version 4), the comparator of the e-commerce and MPV
// figures. It reproduces:
//
//   - the packer loop: units sorted by volume, then weight, descending; box
//     types by inner volume, then tare, then capacity, ascending, those at
//     least as large as the remaining units first; every type with supply
//     left is packed with the remaining units until one takes them all, the
//     best packed box is kept (most units, then volume utilisation in
//     percent rounded to one decimal, then used volume), and the loop goes on
//     with the rest;
//   - the volume packer: both turns of the box on the floor (unless a unit
//     may not turn), and every orientation of the first unit; layers from
//     the floor up, each packed once to learn its depth and again with that
//     depth as a guide; the layers reordered by footprint (the stabiliser);
//     then the empty regions left (split around every placed unit) filled,
//     lowest and largest first; the packing of the highest volume
//     utilisation is kept;
//   - the layer packer: rows along x, a new row when the last unit does not
//     fit; a unit that does not fit is skipped for now with the units of the
//     same dimensions after it; units stacked on a placed unit up to the
//     layer's depth; units heavier than the capacity left dropped;
//   - the orientation choice: "any" allows the six orientations, "upright"
//     the two turns about the vertical axis ("keep flat"), "none" only the
//     given one; a unit of the same dimensions as the last keeps its
//     orientation; stable orientations (the shorter side of the base at an
//     angle above 0.261 rad against the height) are preferred; among the
//     candidates, exact fits in width, length and depth come first, then the
//     orientation after which the next unit still fits, then the one that
//     lets a quick single-pass packing of the next eight units place more of
//     them in the rest of the row and the rows beyond, then the smallest gap
//     and the smaller footprint;
//   - the weight redistribution for 2 to 12 boxes: units move from heavier
//     to lighter boxes when that brings both closer to the mean content
//     weight, each side repacked into the first box type that takes it all.
//
// Simplified: orientations are ordered by a stable insertion sort, where PHP
// uses its own sort; the lookahead counts are cached per call under a key
// that includes everything they depend on, where BoxPacker's process-wide
// cache omits the number of units left; how the forced first orientation
// enters the layer packer is inferred from the volume packer; the layer
// packer's pass along the rest of a row's length is left out, as it only
// runs when no unit is left to pack (it matters only under strict item
// ordering, which the figures do not use). Groups and
// ship-alone units get boxes of their own first, as in [Pack]; a hazmat
// class acts as a box constraint; fragile and not-stackable units, and
// items limited to some boxes, are outside the model and give an error.
func packBoxPacker(req Request) (Result, error) {
	e, st := newEngine(context.Background(), &req, &Options{MaxWork: 1 << 62})
	for _, k := range st.units {
		if kd := &e.kinds[k]; kd.fragile || kd.floor {
			return Result{}, errors.New("packBoxPacker: fragile and not-stackable units are outside the model")
		}
	}
	for _, it := range req.Items {
		if len(it.Boxes) > 0 {
			return Result{}, errors.New("packBoxPacker: items limited to some boxes are outside the model")
		}
	}
	p := newBPPacker(e, st)
	s := st.pinned.clone()
	for _, b := range s.bins {
		p.left[b.t]--
	}
	boxes, left := p.packAll(p.items(st.units))
	for _, it := range left {
		s.noBox = append(s.noBox, it.k)
	}
	for _, b := range boxes {
		s.bins = append(s.bins, p.bin(b))
	}
	return e.result(st, s)
}

// newBPPacker prepares a BoxPacker run on the problem of e and st.
func newBPPacker(e *engine, st *setup) *bpPacker {
	p := &bpPacker{e: e, look: map[string]int{}, stable: map[string]bool{},
		rules: make([]RotationRule, len(e.kinds)), left: make([]int, len(e.types))}
	for i, k := range st.kindOf {
		if k >= 0 {
			p.rules[k] = e.req.Items[i].Rotation
		}
	}
	for t, bt := range e.types {
		p.left[t] = math.MaxInt
		if bt.supply > 0 {
			p.left[t] = bt.supply
		}
	}
	p.order = p.boxOrder()
	return p
}

// packAll packs items box by box, keeping the best packed box of each
// round, then evens out the weight of 2 to 12 boxes. It returns the boxes
// and the items no box takes.
func (p *bpPacker) packAll(items []*bpItem) ([]*bpBox, []*bpItem) {
	var boxes []*bpBox
	for len(items) > 0 {
		b := p.bestBox(items)
		if b == nil {
			break
		}
		boxes = append(boxes, b)
		p.left[b.t]--
		items = bpRemove(items, b.pl)
	}
	if len(boxes) > 1 && len(boxes) <= 12 {
		boxes = p.redistribute(boxes)
	}
	return boxes, items
}

// bpItem is a unit as BoxPacker sees it: width along x, length along y,
// depth up. The units of a kind share one bpItem, as BoxPacker adds the same
// item object once per unit.
type bpItem struct {
	k       int32
	w, l, d int64
	rule    RotationRule
	weight  int64
	vol     float64
	hazmat  int32
}

// bpOri is an item in one orientation.
type bpOri struct {
	it      *bpItem
	w, l, d int64
}

// bpPlaced is an oriented item at a position.
type bpPlaced struct {
	bpOri
	x, y, z int64
}

// bpSpace is a box or a working volume of the lookahead: its inner sizes
// and the content weight it may carry. Item constraints do not apply in a
// working volume.
type bpSpace struct {
	w, l, d int64
	maxW    int64
	working bool
}

// bpRegion is where a layer is packed: from a corner to an end in x and y,
// and a depth.
type bpRegion struct {
	x, y, z    int64
	endX, endY int64
	depth      int64
}

// bpBox is a packed box of type t.
type bpBox struct {
	t  int
	pl []bpPlaced
}

// bpPacker holds one BoxPacker run.
type bpPacker struct {
	e      *engine
	order  []int           // box types in the box sorter's order
	left   []int           // boxes of each type still available
	rules  []RotationRule  // the rotation rule of each kind
	look   map[string]int  // lookahead results
	stable map[string]bool // whether an item has a stable orientation in an empty space
}

// items returns the units as BoxPacker items, in the item sorter's order:
// volume, then weight, descending.
func (p *bpPacker) items(units []int32) []*bpItem {
	byKind := map[int32]*bpItem{}
	var out []*bpItem
	for _, k := range units {
		it := byKind[k]
		if it == nil {
			kd := &p.e.kinds[k]
			it = &bpItem{k: k, w: kd.dims[0], l: kd.dims[1], d: kd.dims[2], rule: p.rules[k],
				weight: kd.weight, vol: kd.vol, hazmat: kd.hazmat}
			byKind[k] = it
		}
		out = append(out, it)
	}
	bpSortItems(out)
	return out
}

// bpSortItems sorts items by volume, then weight, descending, then kind.
func bpSortItems(items []*bpItem) {
	slices.SortStableFunc(items, func(a, b *bpItem) int {
		if c := cmpF(b.vol, a.vol); c != 0 {
			return c
		}
		if c := cmpI(b.weight, a.weight); c != 0 {
			return c
		}
		return int(a.k) - int(b.k)
	})
}

// boxOrder returns the box types by inner volume, tare and capacity,
// ascending.
func (p *bpPacker) boxOrder() []int {
	order := make([]int, len(p.e.types))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ta, tb := &p.e.types[a], &p.e.types[b]
		if c := cmpF(ta.vol, tb.vol); c != 0 {
			return c
		}
		if c := cmpI(ta.tare, tb.tare); c != 0 {
			return c
		}
		return cmpI(ta.maxW, tb.maxW)
	})
	return order
}

// space returns box type t as a packing space.
func (p *bpPacker) space(t int) bpSpace {
	bt := &p.e.types[t]
	return bpSpace{w: bt.dims[0], l: bt.dims[1], d: bt.dims[2], maxW: bt.maxW}
}

// boxList returns the box types to try for items: those with supply left
// and at least their volume first, then (unless single) the others.
func (p *bpPacker) boxList(items []*bpItem, left []int, single bool) []int {
	var vol float64
	for _, it := range items {
		vol += it.vol
	}
	var big, small []int
	for _, t := range p.order {
		switch {
		case left[t] <= 0:
		case p.e.types[t].vol >= vol:
			big = append(big, t)
		case !single:
			small = append(small, t)
		}
	}
	return append(big, small...)
}

// bestBox packs items into every box type in turn, stopping at the first
// that takes them all, and returns the best packed box, or nil if no box
// takes any.
func (p *bpPacker) bestBox(items []*bpItem) *bpBox {
	var best *bpBox
	for _, t := range p.boxList(items, p.left, false) {
		pl := p.packBox(p.space(t), items, false)
		if len(pl) == 0 {
			continue
		}
		b := &bpBox{t: t, pl: pl}
		if best == nil || p.better(b, best) {
			best = b
		}
		if len(pl) == len(items) {
			break
		}
	}
	return best
}

// better reports whether packed box a beats b: more units, then higher
// volume utilisation, then more used volume.
func (p *bpPacker) better(a, b *bpBox) bool {
	if len(a.pl) != len(b.pl) {
		return len(a.pl) > len(b.pl)
	}
	ua, ub := bpUtilisation(a.pl, p.space(a.t)), bpUtilisation(b.pl, p.space(b.t))
	if ua != ub {
		return ua > ub
	}
	return bpUsed(a.pl) > bpUsed(b.pl)
}

// bpUsed returns the volume of the placed items.
func bpUsed(pl []bpPlaced) float64 {
	var v float64
	for _, q := range pl {
		v += q.it.vol
	}
	return v
}

// bpUtilisation returns the used share of sp's volume in percent, rounded
// to one decimal.
func bpUtilisation(pl []bpPlaced, sp bpSpace) float64 {
	inner := float64(sp.w) * float64(sp.l) * float64(sp.d)
	if inner == 0 {
		inner = 1
	}
	return math.Round(bpUsed(pl)/inner*1000) / 10
}

// bpRemove returns items without one unit for each placed item.
func bpRemove(items []*bpItem, pl []bpPlaced) []*bpItem {
	out := slices.Clone(items)
	for _, q := range pl {
		if i := slices.Index(out, q.it); i >= 0 {
			out = slices.Delete(out, i, i+1)
		}
	}
	return out
}

// packBox packs as many items as it can into sp, trying both turns of the
// box and every orientation of the first item unless single (the quick
// single-pass mode of the lookahead), and returns the placements of the
// packing of the highest volume utilisation.
func (p *bpPacker) packBox(sp bpSpace, items []*bpItem, single bool) []bpPlaced {
	if len(items) == 0 {
		return nil
	}
	turns := []bool{false}
	if !single && !slices.ContainsFunc(items, func(it *bpItem) bool { return it.rule == RotationNone }) {
		turns = append(turns, true)
	}
	var best []bpPlaced
	bestU := -1.0
	for _, turned := range turns {
		w, l := sp.w, sp.l
		if turned {
			w, l = l, w
		}
		firsts := []*bpOri{nil}
		if !single {
			if os := bpPossible(items[0], nil, w, l, sp.d); len(os) > 0 {
				firsts = firsts[:0]
				for i := range os {
					firsts = append(firsts, &os[i])
				}
			}
		}
		for _, first := range firsts {
			pl := p.packTurn(sp, turned, first, items, single)
			if len(pl) == len(items) {
				return pl
			}
			if u := bpUtilisation(pl, sp); u > bestU {
				best, bestU = pl, u
			}
		}
	}
	return best
}

// packTurn packs items into sp, turned a quarter on the floor or not, in
// layers from the floor up, then stabilises the layers and fills the empty
// regions; first, if not nil, is the orientation of the first item.
func (p *bpPacker) packTurn(sp bpSpace, turned bool, first *bpOri, items []*bpItem, single bool) []bpPlaced {
	w, l := sp.w, sp.l
	if turned {
		w, l = l, w
	}
	rest := slices.Clone(items)
	var layers [][]bpPlaced
	var packed []bpPlaced
	z := int64(0)
	for len(rest) > 0 {
		if len(packed) > 0 {
			first = nil
		}
		r := bpRegion{endX: w, endY: l, z: z, depth: sp.d - z}
		tryRest, tryPacked := slices.Clone(rest), slices.Clone(packed)
		layer := p.packLayer(sp, &tryRest, &tryPacked, r, 0, true, first, single)
		if len(layer) == 0 {
			break
		}
		if d := bpDepth(layer); d == layer[0].d {
			rest, packed = tryRest, tryPacked
		} else if layer = p.packLayer(sp, &rest, &packed, r, d, true, first, single); len(layer) == 0 {
			break
		}
		layers = append(layers, layer)
		z += bpDepth(layer)
	}
	if !single && len(layers) > 0 {
		if !slices.ContainsFunc(items, func(it *bpItem) bool { return it.hazmat != 0 }) {
			layers = bpStabilise(layers)
		}
		layers = p.fillVoids(sp, w, l, layers, &rest, single)
	}
	var out []bpPlaced
	for _, layer := range layers {
		for _, q := range layer {
			if turned {
				q.x, q.y, q.w, q.l = q.y, q.x, q.l, q.w
			}
			out = append(out, q)
		}
	}
	return out
}

// bpDepth returns the depth of a layer: from its lowest to its highest
// point.
func bpDepth(layer []bpPlaced) int64 {
	lo, hi := int64(math.MaxInt64), int64(0)
	for _, q := range layer {
		lo, hi = min(lo, q.z), max(hi, q.z+q.d)
	}
	return hi - lo
}

// bpFootprint returns the area of the rectangle a layer covers.
func bpFootprint(layer []bpPlaced) float64 {
	x0, y0, x1, y1 := int64(math.MaxInt64), int64(math.MaxInt64), int64(0), int64(0)
	for _, q := range layer {
		x0, y0, x1, y1 = min(x0, q.x), min(y0, q.y), max(x1, q.x+q.w), max(y1, q.y+q.l)
	}
	return float64(x1-x0) * float64(y1-y0)
}

// bpStabilise orders layers by footprint, then depth, descending, and
// stacks them again from the floor.
func bpStabilise(layers [][]bpPlaced) [][]bpPlaced {
	layers = slices.Clone(layers)
	slices.SortStableFunc(layers, func(a, b []bpPlaced) int {
		if c := cmpF(bpFootprint(b), bpFootprint(a)); c != 0 {
			return c
		}
		return cmpI(bpDepth(b), bpDepth(a))
	})
	z := int64(0)
	for i, layer := range layers {
		start := int64(math.MaxInt64)
		for _, q := range layer {
			start = min(start, q.z)
		}
		moved := make([]bpPlaced, len(layer))
		for j, q := range layer {
			q.z += z - start
			moved[j] = q
		}
		layers[i] = moved
		z += bpDepth(moved)
	}
	return layers
}

// packLayer packs items into the region r of a layer, in rows along x, and
// returns the placements; it takes what it packs from items and adds it to
// packed. guide, if not zero, is the depth up to which units are stacked on
// each placed unit; otherwise the layer's depth so far is. first, if not
// nil, is the orientation of the layer's first unit.
func (p *bpPacker) packLayer(sp bpSpace, items *[]*bpItem, packed *[]bpPlaced, r bpRegion, guide int64,
	stability bool, first *bpOri, single bool) []bpPlaced {
	var layer []bpPlaced
	var skipped []*bpItem
	var prev *bpOri
	x, y, rowLength := r.x, r.y, int64(0)
	room := sp.maxW - bpWeight(*packed)
	for len(*items) > 0 {
		it := (*items)[0]
		*items = (*items)[1:]
		if it.weight > room || !sp.working && bpHazmatClash(it, *packed) {
			continue
		}
		var o *bpOri
		if first != nil && len(layer) == 0 && first.it == it {
			o = first
		} else {
			o = p.bestOrientation(sp, it, prev, *items, r.endX-x, r.endY-y, r.depth, rowLength, stability, single)
		}
		if o != nil {
			q := bpPlaced{bpOri: *o, x: x, y: y, z: r.z}
			layer = append(layer, q)
			*packed = append(*packed, q)
			rowLength = max(rowLength, o.l)
			prev = o
			g := guide
			if g == 0 {
				g = bpDepth(layer)
			}
			if up := g - o.d; up > 0 {
				on := bpRegion{x: x, y: y, z: r.z + o.d, endX: x + o.w, endY: y + o.l, depth: up}
				layer = append(layer, p.packLayer(sp, items, packed, on, up, stability, nil, single)...)
			}
			x += o.w
			room = sp.maxW - bpWeight(*packed)
			if len(*items) == 0 && len(skipped) > 0 {
				*items, skipped = skipped, nil
			}
			continue
		}
		if len(*items) > 0 {
			skipped = append(skipped, it)
			for len(*items) > 1 && bpSameDims(it, (*items)[0]) {
				skipped = append(skipped, (*items)[0])
				*items = (*items)[1:]
			}
			continue
		}
		*items, skipped = append(skipped, it), nil
		if x == r.x {
			return layer
		}
		y, x, rowLength, prev = y+rowLength, r.x, 0, nil
	}
	return layer
}

// bpWeight returns the weight of placed items.
func bpWeight(pl []bpPlaced) int64 {
	var w int64
	for _, q := range pl {
		w += q.it.weight
	}
	return w
}

// bpHazmatClash reports whether it has a hazmat class other than one in
// packed.
func bpHazmatClash(it *bpItem, packed []bpPlaced) bool {
	if it.hazmat == 0 {
		return false
	}
	return slices.ContainsFunc(packed, func(q bpPlaced) bool { return q.it.hazmat != 0 && q.it.hazmat != it.hazmat })
}

// bpSorted returns a, b, c in ascending order.
func bpSorted(a, b, c int64) [3]int64 {
	s := [3]int64{a, b, c}
	slices.Sort(s[:])
	return s
}

// bpSameDims reports whether two items have the same dimensions in some
// orientation.
func bpSameDims(a, b *bpItem) bool {
	return a == b || bpSorted(a.w, a.l, a.d) == bpSorted(b.w, b.l, b.d)
}

// bpPossible returns the orientations of it that fit in the space left,
// in BoxPacker's order; an item of the same dimensions as prev keeps prev's
// orientation.
func bpPossible(it *bpItem, prev *bpOri, wl, ll, dl int64) []bpOri {
	var perms [][3]int64
	if prev != nil && bpSorted(prev.w, prev.l, prev.d) == bpSorted(it.w, it.l, it.d) && bpAllows(it, prev) {
		perms = [][3]int64{{prev.w, prev.l, prev.d}}
	} else {
		perms = bpPermutations(it)
	}
	var out []bpOri
	for _, s := range perms {
		if s[0] <= wl && s[1] <= ll && s[2] <= dl {
			out = append(out, bpOri{it: it, w: s[0], l: s[1], d: s[2]})
		}
	}
	return out
}

// bpPermutations returns the distinct orientations the item's rule allows:
// as given, turned on the floor, then the four tipped ones.
func bpPermutations(it *bpItem) [][3]int64 {
	w, l, d := it.w, it.l, it.d
	all := [][3]int64{{w, l, d}}
	if it.rule != RotationNone {
		all = append(all, [3]int64{l, w, d})
	}
	if it.rule == RotationAny {
		all = append(all, [3]int64{w, d, l}, [3]int64{l, d, w}, [3]int64{d, w, l}, [3]int64{d, l, w})
	}
	var out [][3]int64
	for _, s := range all {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// bpAllows reports whether it's rule allows o's orientation.
func bpAllows(it *bpItem, o *bpOri) bool {
	return slices.Contains(bpPermutations(it), [3]int64{o.w, o.l, o.d})
}

// bpStable reports whether an orientation has a low centre of gravity: the
// angle of its shorter base side against its height exceeds 0.261 rad.
func bpStable(o bpOri) bool {
	return math.Atan(float64(min(o.w, o.l))/float64(o.d)) > 0.261
}

// usable keeps the stable orientations, or the ones as tall as the space;
// failing those, the unstable ones when the item has no stable orientation
// in the empty space.
func (p *bpPacker) usable(sp bpSpace, it *bpItem, os []bpOri) []bpOri {
	var stable, unstable []bpOri
	for _, o := range os {
		if bpStable(o) || o.d == sp.d {
			stable = append(stable, o)
		} else {
			unstable = append(unstable, o)
		}
	}
	if len(stable) > 0 {
		return stable
	}
	if len(unstable) > 0 && !p.stableInEmpty(sp, it) {
		return unstable
	}
	return nil
}

// stableInEmpty reports whether it has a stable orientation in the empty
// space sp.
func (p *bpPacker) stableInEmpty(sp bpSpace, it *bpItem) bool {
	key := fmt.Sprint(it.w, it.l, it.d, it.rule, sp.w, sp.l, sp.d)
	if v, ok := p.stable[key]; ok {
		return v
	}
	v := slices.ContainsFunc(bpPossible(it, nil, sp.w, sp.l, sp.d), bpStable)
	p.stable[key] = v
	return v
}

// bpChoice is the situation in which an orientation is chosen: the space
// left in the row, the layer's depth, the items after this one and the
// length of the row so far.
type bpChoice struct {
	p          *bpPacker
	wl, ll, dl int64
	next       []*bpItem
	rowLength  int64
	single     bool
}

// bestOrientation returns the orientation BoxPacker would choose for it,
// or nil if none fits.
func (p *bpPacker) bestOrientation(sp bpSpace, it *bpItem, prev *bpOri, next []*bpItem, wl, ll, dl, rowLength int64,
	stability, single bool) *bpOri {
	os := bpPossible(it, prev, wl, ll, dl)
	if stability {
		os = p.usable(sp, it, os)
	}
	if len(os) == 0 {
		return nil
	}
	c := &bpChoice{p: p, wl: wl, ll: ll, dl: dl, next: next, rowLength: rowLength, single: single}
	for i := 1; i < len(os); i++ {
		for j := i; j > 0 && c.compare(os[j-1], os[j]) > 0; j-- {
			os[j-1], os[j] = os[j], os[j-1]
		}
	}
	return &os[0]
}

// compare orders two orientations: exact fits in width, length, depth,
// then the lookahead, then the smaller gap and the smaller footprint.
func (c *bpChoice) compare(a, b bpOri) int {
	aw, bw := c.wl-a.w, c.wl-b.w
	al, bl := c.ll-a.l, c.ll-b.l
	ad, bd := c.dl-a.d, c.dl-b.d
	for _, gaps := range [3][2]int64{{aw, bw}, {al, bl}, {ad, bd}} {
		if v := bpExact(gaps[0], gaps[1]); v != 0 {
			return v
		}
	}
	if v := c.lookahead(a, b, aw, bw); v != 0 {
		return v
	}
	if v := cmpI(min(aw, al), min(bw, bl)); v != 0 {
		return v
	}
	return cmpI(a.w*a.l, b.w*b.l)
}

// bpExact prefers the gap that is exactly zero.
func bpExact(a, b int64) int {
	switch {
	case a == 0 && b > 0:
		return -1
	case a > 0 && b == 0:
		return 1
	}
	return 0
}

// lookahead prefers the orientation after which the next item fits beside
// it, then the one with which more of the next items pack.
func (c *bpChoice) lookahead(a, b bpOri, aw, bw int64) int {
	if len(c.next) == 0 {
		return 0
	}
	fa := len(bpPossible(c.next[0], &a, aw, c.ll, c.dl)) > 0
	fb := len(bpPossible(c.next[0], &b, bw, c.ll, c.dl)) > 0
	switch {
	case fa && !fb:
		return -1
	case fb && !fa:
		return 1
	}
	return cmpI(int64(c.following(b)), int64(c.following(a)))
}

// following returns how many of the next eight items a single-pass packing
// places in the rest of the row after o and in the rows beyond it.
func (c *bpChoice) following(o bpOri) int {
	if c.single {
		return 0
	}
	row := max(o.l, c.rowLength)
	top := c.next[:min(8, len(c.next))]
	key := fmt.Appendf(nil, "%d|%d|%d|%d|%d|%d", c.wl, c.ll, o.w, o.l, row, c.dl)
	for _, it := range top {
		key = fmt.Appendf(key, "|%d|%d|%d|%d|%d", it.w, it.l, it.d, it.weight, it.rule)
	}
	if n, ok := c.p.look[string(key)]; ok {
		return n
	}
	rest := bpRemove(top, c.p.packBox(bpSpace{w: c.wl - o.w, l: row, d: c.dl, maxW: math.MaxInt64, working: true}, top, true))
	rest = bpRemove(rest, c.p.packBox(bpSpace{w: c.wl, l: c.ll - row, d: c.dl, maxW: math.MaxInt64, working: true}, rest, true))
	n := len(top) - len(rest)
	c.p.look[string(key)] = n
	return n
}

// bpVoid is an empty cuboid.
type bpVoid struct {
	x, y, z, w, l, d int64
}

func (v bpVoid) volume() float64    { return float64(v.w) * float64(v.l) * float64(v.d) }
func (v bpVoid) footprint() float64 { return float64(v.w) * float64(v.l) }

// bpSubtract splits every void a placed item cuts into the up to six pieces
// around the cut: left and right across the void, front and back across the
// cut's width, below and above across its footprint.
func bpSubtract(voids []bpVoid, pl []bpPlaced) []bpVoid {
	for _, q := range pl {
		var next []bpVoid
		for _, v := range voids {
			if q.x >= v.x+v.w || q.x+q.w <= v.x || q.y >= v.y+v.l || q.y+q.l <= v.y || q.z >= v.z+v.d || q.z+q.d <= v.z {
				next = append(next, v)
				continue
			}
			x0, y0, z0 := max(v.x, q.x), max(v.y, q.y), max(v.z, q.z)
			x1, y1, z1 := min(v.x+v.w, q.x+q.w), min(v.y+v.l, q.y+q.l), min(v.z+v.d, q.z+q.d)
			pieces := []bpVoid{
				{v.x, v.y, v.z, x0 - v.x, v.l, v.d},
				{x1, v.y, v.z, v.x + v.w - x1, v.l, v.d},
				{x0, v.y, v.z, x1 - x0, y0 - v.y, v.d},
				{x0, y1, v.z, x1 - x0, v.y + v.l - y1, v.d},
				{x0, y0, v.z, x1 - x0, y1 - y0, z0 - v.z},
				{x0, y0, z1, x1 - x0, y1 - y0, v.z + v.d - z1},
			}
			for _, s := range pieces {
				if s.w > 0 && s.l > 0 && s.d > 0 {
					next = append(next, s)
				}
			}
		}
		voids = next
	}
	return voids
}

// fillVoids packs the remaining items into the empty regions of the layers
// in a w by l floor plan, lowest first, then largest by volume and
// footprint, until no region takes any.
func (p *bpPacker) fillVoids(sp bpSpace, w, l int64, layers [][]bpPlaced, rest *[]*bpItem, single bool) [][]bpPlaced {
	var packed []bpPlaced
	for _, layer := range layers {
		packed = append(packed, layer...)
	}
	voids := bpSubtract([]bpVoid{{0, 0, 0, w, l, sp.d}}, packed)
	for len(*rest) > 0 && len(voids) > 0 {
		slices.SortStableFunc(voids, func(a, b bpVoid) int {
			if c := cmpI(a.z, b.z); c != 0 {
				return c
			}
			if c := cmpF(b.volume(), a.volume()); c != 0 {
				return c
			}
			return cmpF(b.footprint(), a.footprint())
		})
		least := math.Inf(1)
		for _, it := range *rest {
			least = min(least, it.vol)
		}
		progress := false
		for _, v := range voids {
			if v.volume() < least || !slices.ContainsFunc(*rest, func(it *bpItem) bool { return len(bpPossible(it, nil, v.w, v.l, v.d)) > 0 }) {
				continue
			}
			r := bpRegion{x: v.x, y: v.y, z: v.z, endX: v.x + v.w, endY: v.y + v.l, depth: v.d}
			if layer := p.packLayer(sp, rest, &packed, r, v.d, false, nil, single); len(layer) > 0 {
				layers = append(layers, layer)
				voids = bpSubtract(voids, layer)
				progress = true
				break
			}
		}
		if !progress {
			break
		}
	}
	return layers
}

// redistribute evens out the content weight of the boxes: for each pair,
// heaviest first, it moves units from the heavier to the lighter box while
// that brings both closer to the mean, repacking each side into one box,
// and starts again after every pair that changed.
func (p *bpPacker) redistribute(boxes []*bpBox) []*bpBox {
	var total float64
	for _, b := range boxes {
		total += float64(bpWeight(b.pl))
	}
	target := total / float64(len(boxes))
	boxes = slices.Clone(boxes)
	slices.SortStableFunc(boxes, func(a, b *bpBox) int { return cmpI(p.gross(b), p.gross(a)) })
	for changed := true; changed; {
		changed = false
	pairs:
		for a := range boxes {
			for b := a + 1; b < len(boxes); b++ {
				if boxes[a] == nil || boxes[b] == nil || p.gross(boxes[a]) == p.gross(boxes[b]) {
					continue
				}
				if p.equalise(&boxes[a], &boxes[b], target) {
					changed = true
					break pairs
				}
			}
		}
	}
	return slices.DeleteFunc(boxes, func(b *bpBox) bool { return b == nil })
}

// gross returns the weight of a packed box with its tare.
func (p *bpPacker) gross(b *bpBox) int64 { return p.e.types[b.t].tare + bpWeight(b.pl) }

// equalise moves units from the heavier of two boxes to the lighter while
// that helps, and reports whether it moved any. The boxes are replaced by
// their repacked versions; the slot of a emptied box becomes nil.
func (p *bpPacker) equalise(a, b **bpBox, target float64) bool {
	over, under := *b, *a
	if p.gross(*a) > p.gross(*b) {
		over, under = *a, *b
	}
	overItems, underItems := bpUnits(over.pl), bpUnits(under.pl)
	gone := make([]bool, len(overItems))
	moved := false
	for i, it := range slices.Clone(overItems) {
		alive := bpAlive(overItems, gone)
		if !bpHelps(alive, it, underItems, target) {
			continue
		}
		lighter := p.repack(append(slices.Clone(underItems), it), under.t)
		if lighter == nil {
			continue
		}
		underItems = append(underItems, it)
		if len(alive) == 1 {
			*b, *a = lighter, nil
			p.left[under.t]--
			p.left[over.t]++
			return true
		}
		gone[i] = true
		heavier := p.repack(bpAlive(overItems, gone), over.t)
		if heavier == nil {
			continue
		}
		p.left[over.t]++
		p.left[under.t]++
		p.left[heavier.t]--
		p.left[lighter.t]--
		*b, *a = lighter, heavier
		under, over = lighter, heavier
		moved = true
	}
	return moved
}

// bpUnits returns the items of placements.
func bpUnits(pl []bpPlaced) []*bpItem {
	out := make([]*bpItem, len(pl))
	for i, q := range pl {
		out[i] = q.it
	}
	return out
}

// bpAlive returns the items not marked gone.
func bpAlive(items []*bpItem, gone []bool) []*bpItem {
	var out []*bpItem
	for i, it := range items {
		if !gone[i] {
			out = append(out, it)
		}
	}
	return out
}

// bpHelps reports whether moving it from the heavier to the lighter box
// keeps the lighter one at most at the target and brings the two closer.
func bpHelps(over []*bpItem, it *bpItem, under []*bpItem, target float64) bool {
	var ow, uw float64
	for _, o := range over {
		ow += float64(o.weight)
	}
	for _, u := range under {
		uw += float64(u.weight)
	}
	w := float64(it.weight)
	if w+uw > target {
		return false
	}
	before := ow - (ow+uw)/2
	after := ow - w - (ow+uw)/2
	return after*after < before*before
}

// repack packs items into the first box type, with supply left counting
// the box current gives back, that is at least their volume and takes them
// all, or returns nil.
func (p *bpPacker) repack(items []*bpItem, current int) *bpBox {
	items = slices.Clone(items)
	bpSortItems(items)
	left := slices.Clone(p.left)
	left[current]++
	for _, t := range p.boxList(items, left, true) {
		if pl := p.packBox(p.space(t), items, false); len(pl) == len(items) {
			return &bpBox{t: t, pl: pl}
		}
	}
	return nil
}

// bin commits a packed box to a bin of the engine.
func (p *bpPacker) bin(b *bpBox) *bin {
	out := p.e.newBin(b.t)
	for _, q := range b.pl {
		s := vec{q.w, q.l, q.d}
		i := slices.IndexFunc(p.e.kinds[q.it.k].oris, func(o orient) bool { return o.s == s })
		p.e.commit(out, plc{k: q.it.k, p: vec{q.x, q.y, q.z}, s: s, rot: p.e.kinds[q.it.k].oris[i].rot})
	}
	return out
}

// TestBoxPackerRandomOrders checks that the BoxPacker-style packings of
// random e-commerce orders verify.
func TestBoxPackerRandomOrders(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 200 {
		req := packRandomOrder(rng)
		res, err := packBoxPacker(req)
		require.NoError(t, err, "order %d", i)
		require.NoError(t, Verify(req, res), "order %d: %+v", i, req)
	}
}

// TestBoxPackerConstraints checks that the BoxPacker-style packings of
// random orders with ship-alone, hazmat, grouped, own-container and
// fixed-orientation units and boxes in short supply verify.
func TestBoxPackerConstraints(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		req := packRandomOrder(rng)
		for j := range req.Items {
			switch rng.IntN(10) {
			case 0:
				req.Items[j].ShipAlone = true
			case 1:
				req.Items[j].Hazmat = []string{"3", "8"}[rng.IntN(2)]
			case 2:
				req.Items[j].Group = "g"
			case 3:
				req.Items[j].OwnContainer = true
			case 4:
				req.Items[j].Rotation = RotationNone
			}
		}
		req.Boxes[rng.IntN(len(req.Boxes))].Supply = 1 + rng.IntN(2)
		res, err := packBoxPacker(req)
		require.NoError(t, err, "order %d", i)
		require.NoError(t, Verify(req, res), "order %d: %+v", i, req)
	}
}

// TestBoxPackerCases checks handmade orders whose BoxPacker-style packing
// is known.
func TestBoxPackerCases(t *testing.T) {
	tests := []struct {
		name  string
		req   Request
		boxes int
		check func(t *testing.T, res Result)
	}{
		{
			name: "twelve units fill a box in two layers of two rows",
			req: Request{Items: []Item{{ID: "brick", Dimensions: dims(100, 100, 50), Weight: 100 * fulfill.Gram, Quantity: 12}},
				Boxes: []Box{{ID: "exact", Inner: dims(300, 200, 100), Cost: usd("1")}}},
			boxes: 1,
		},
		{
			name: "an upright unit is not tipped into the low box",
			req: Request{Items: []Item{{ID: "bottle", Dimensions: dims(50, 50, 200), Quantity: 1, Rotation: RotationUpright}},
				Boxes: []Box{{ID: "low", Inner: dims(260, 260, 60), Cost: usd("0.5")}, {ID: "tall", Inner: dims(150, 150, 250), Cost: usd("1")}}},
			boxes: 1,
			check: func(t *testing.T, res Result) {
				assert.Equal(t, "tall", res.Packages[0].Box)
				assert.Equal(t, 200*mm, res.Packages[0].Placements[0].Size.Height)
			},
		},
		{
			name: "the weight limit opens a second box and the weight is evened out",
			req: Request{Items: []Item{{ID: "iron", Dimensions: dims(50, 50, 50), Weight: 3 * fulfill.Kilogram, Quantity: 4}},
				Boxes: []Box{{ID: "box", Inner: dims(200, 200, 200), MaxContent: 10 * fulfill.Kilogram, Cost: usd("1")}}},
			boxes: 2,
			check: func(t *testing.T, res Result) {
				for _, p := range res.Packages {
					assert.Len(t, p.Placements, 2)
				}
			},
		},
		{
			name: "units that may not turn keep their orientation",
			req: Request{Items: []Item{{ID: "panel", Dimensions: dims(300, 20, 100), Quantity: 5, Rotation: RotationNone}},
				Boxes: []Box{{ID: "box", Inner: dims(310, 110, 110), Cost: usd("1")}}},
			boxes: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := packBoxPacker(tt.req)
			require.NoError(t, err)
			require.NoError(t, Verify(tt.req, res))
			assert.Empty(t, res.Unpacked)
			assert.Equal(t, tt.boxes, res.Boxes())
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}
