package pick

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Line is one line of an order to pick: a quantity of an SKU from a bin.
type Line struct {
	// Bin is where the line is picked.
	Bin Bin `json:"bin"`
	// SKU is the host's stock-keeping unit, carried through untouched; it may
	// be empty.
	SKU fulfill.SKU `json:"sku,omitempty"`
	// Quantity is the number of units, at least 1.
	Quantity int64 `json:"quantity"`
	// Volume and Weight are the line's total volume and mass (all its
	// units), counted against a cart's [Capacity]; zero when unknown.
	Volume fulfill.Volume `json:"volume,omitempty"`
	Weight fulfill.Mass   `json:"weight,omitempty"`
}

// Order is what batching groups: an order's lines that one cart picks
// together, and what decides its wave.
type Order struct {
	// ID is the host's reference for the order, such as an
	// [fulfill.OrderID]'s String(); unique and non-empty in one call.
	ID string `json:"id"`
	// Lines lists the lines to pick, at least one.
	Lines []Line `json:"lines"`
	// Totes is how many totes the order fills on a cart; 0 means 1.
	Totes int `json:"totes,omitempty"`
	// Priority orders waves: higher goes first. The zero value is normal.
	Priority int `json:"priority,omitempty"`
	// CutOff is the carrier cut-off the order must be picked before; the
	// zero time means none.
	CutOff time.Time `json:"cut_off,omitzero"`
}

// Capacity is what one pick cart holds. A zero field means no limit, so the
// zero Capacity puts everything on one cart.
type Capacity struct {
	Lines  int            `json:"lines,omitempty"`
	Units  int64          `json:"units,omitempty"`
	Volume fulfill.Volume `json:"volume,omitempty"`
	Weight fulfill.Mass   `json:"weight,omitempty"`
	Totes  int            `json:"totes,omitempty"`
}

// Validate reports whether every limit of c is zero or positive. Otherwise
// it returns a *[fulfill.FieldError] wrapping [ErrInvalidCapacity].
func (c Capacity) Validate() error {
	bad := func(field string, v any) error {
		return &fulfill.FieldError{Field: field, Value: fmt.Sprint(v), Reason: "negative", Kind: ErrInvalidCapacity}
	}
	switch {
	case c.Lines < 0:
		return bad("lines", c.Lines)
	case c.Units < 0:
		return bad("units", c.Units)
	case c.Volume < 0:
		return bad("volume", c.Volume)
	case c.Weight < 0:
		return bad("weight", c.Weight)
	case c.Totes < 0:
		return bad("totes", c.Totes)
	}
	return nil
}

// load is what some orders take up on a cart.
type load struct {
	lines  int
	units  int64
	volume fulfill.Volume
	weight fulfill.Mass
	totes  int
}

// plus adds two loads, saturating instead of overflowing so that a huge
// load never looks small.
func (a load) plus(b load) load {
	return load{a.lines + b.lines, satAdd(a.units, b.units), fulfill.Volume(satAdd(int64(a.volume), int64(b.volume))),
		fulfill.Mass(satAdd(int64(a.weight), int64(b.weight))), a.totes + b.totes}
}

// satAdd adds two non-negative numbers, saturating at math.MaxInt64.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// fits reports whether a is within c.
func (a load) fits(c Capacity) bool {
	return (c.Lines == 0 || a.lines <= c.Lines) && (c.Units == 0 || a.units <= c.Units) &&
		(c.Volume == 0 || a.volume <= c.Volume) && (c.Weight == 0 || a.weight <= c.Weight) &&
		(c.Totes == 0 || a.totes <= c.Totes)
}

// Batch is one cart tour: the orders on the cart, their lines' bins and
// the route through them.
type Batch struct {
	// Orders holds the indexes of the orders given to the batcher, ascending.
	Orders []int `json:"orders"`
	// Bins holds the bins of every line of the batch's orders, order by
	// order and line by line; Route indexes into it.
	Bins []Bin `json:"bins"`
	// Route is the walk through Bins.
	Route Route `json:"route"`
}

// Batching is a batcher's result: every order in exactly one batch.
type Batching struct {
	Batches []Batch        `json:"batches"`
	Length  fulfill.Length `json:"length"` // the sum of the batches' route lengths
}

// Batcher groups orders into cart tours and routes each one.
//
// The batchers of this package compare candidate tours by the length their
// Router gives; with the default router, on a [Rect] with more than three
// cross aisles, they compare by the length [TwoOpt] finds (the exact sweep
// is too slow to run thousands of times there) and route the batches they
// return with the default router.
//
// Batch puts every order in exactly one batch whose load is within c,
// routed through l. An order with no lines, a quantity below 1, a negative
// size, a duplicate or empty ID, or a load beyond c even on an empty cart
// returns an *[OrderError] wrapping [ErrInvalidOrder]; a bin the layout does
// not have returns an error wrapping [ErrInvalidBin]; a negative capacity
// one wrapping [ErrInvalidCapacity]; nothing is batched then. The batchers of this package are deterministic and safe for
// concurrent use.
type Batcher interface {
	Batch(ctx context.Context, l Layout, orders []Order, c Capacity) (Batching, error)
}

// BatcherFunc adapts a function to [Batcher].
type BatcherFunc func(ctx context.Context, l Layout, orders []Order, c Capacity) (Batching, error)

// Batch calls f.
func (f BatcherFunc) Batch(ctx context.Context, l Layout, orders []Order, c Capacity) (Batching, error) {
	return f(ctx, l, orders, c)
}

// batchProblem is a validated batching instance with a memo of tour lengths.
type batchProblem struct {
	ctx    context.Context
	l      Layout
	router Router
	orders []Order
	c      Capacity
	loads  []load
	bins   [][]Bin
	spots  [][]Spot // the spots of each order's bins, line by line
	memo   lengthMemo
	err    error         // the first routing error
	tables sweepTables   // scratch of the length-only sweeps
	sweep2 sweep2Scratch // scratch of the sweeps with two cross aisles
	key    []byte        // scratch of cost: the memo key
	uniq   []Spot        // scratch of length and route: the distinct spots of a set
	// Scratch of route: the index in uniq of each bin, the bins grouped by
	// spot (those of uniq[u] at byUniq[first[u]:first[u+1]]) with a cursor
	// per spot to fill them, and an index of the distinct spots for long
	// lists.
	at, byUniq, first, cursor []int
	index                     map[Spot]int
	// reach and noReach: see reachTable.
	reach   [][]fulfill.Length
	noReach bool
}

func newBatchProblem(ctx context.Context, l Layout, router Router, orders []Order, c Capacity) (*batchProblem, error) {
	if err := checkLayout(l); err != nil {
		return nil, err
	}
	router = orAuto(router)
	p := &batchProblem{ctx: ctx, l: l, router: router, orders: orders, c: c,
		loads: make([]load, len(orders)), bins: make([][]Bin, len(orders)), spots: make([][]Spot, len(orders))}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(orders))
	for i, o := range orders {
		bad := func(reason string) error { return &OrderError{Order: o.ID, Reason: reason} }
		switch {
		case o.ID == "":
			return nil, &OrderError{Order: "", Reason: fmt.Sprintf("order %d has no id", i)}
		case ids[o.ID]:
			return nil, bad("duplicate id")
		case len(o.Lines) == 0:
			return nil, bad("no lines")
		case o.Totes < 0 || o.Totes > 1<<20:
			return nil, bad(fmt.Sprintf("totes %d out of range", o.Totes))
		}
		ids[o.ID] = true
		ld := load{totes: max(o.Totes, 1)}
		for j, ln := range o.Lines {
			switch {
			case ln.Quantity < 1:
				return nil, bad(fmt.Sprintf("line %d: quantity %d is below 1", j, ln.Quantity))
			case ln.Volume < 0 || ln.Weight < 0:
				return nil, bad(fmt.Sprintf("line %d: negative volume or weight", j))
			case ln.Quantity > 1<<40:
				return nil, bad(fmt.Sprintf("line %d: quantity beyond any cart", j))
			}
			sp, err := l.Spot(ln.Bin)
			if err != nil {
				return nil, fmt.Errorf("order %q line %d: %w", o.ID, j, err)
			}
			ld = ld.plus(load{lines: 1, units: ln.Quantity, volume: ln.Volume, weight: ln.Weight})
			p.bins[i] = append(p.bins[i], ln.Bin)
			p.spots[i] = append(p.spots[i], sp)
		}
		if !ld.fits(c) {
			return nil, bad("does not fit an empty cart")
		}
		p.loads[i] = ld
	}
	return p, nil
}

// cost returns the route length of a set of orders (ascending indexes),
// routing each set once: the memo is keyed by the indexes as unsigned
// varints, built in a reused buffer.
func (p *batchProblem) cost(set []int) fulfill.Length {
	v, _ := p.costID(set)
	return v
}

// costID is cost, also returning a number that identifies the set among
// all sets of the problem: 0 for the empty set, from 1 for the others in
// the order they are first seen.
func (p *batchProblem) costID(set []int) (fulfill.Length, uint64) {
	if len(set) == 0 {
		return 0, 0
	}
	key := p.key[:0]
	for _, o := range set {
		key = binary.AppendUvarint(key, uint64(o))
	}
	p.key = key
	v, h, id, ok := p.memo.get(key)
	if ok {
		return v, id
	}
	v, err := p.length(set)
	if err != nil && p.err == nil {
		p.err = err
	}
	return v, p.memo.put(key, h, v)
}

// batchExactCrossAisles is the largest number of cross aisles for which
// batching compares tours by their exact length when the router is the
// default; beyond it the sweep is too slow to run for thousands of
// candidate tours, and they are compared by the length [TwoOpt] finds.
const batchExactCrossAisles = 3

// length routes a set of orders. With the default router on a rectangle
// of up to batchExactCrossAisles cross aisles it runs the exact sweep for
// the length alone, which is what [Optimal] would report, without
// rebuilding the tour; on larger rectangles it estimates with [TwoOpt].
func (p *batchProblem) length(set []int) (fulfill.Length, error) {
	if r, ok := p.l.(*Rect); ok {
		switch p.router.(type) {
		case Auto, Optimal, *Auto, *Optimal:
			if r.k > batchExactCrossAisles {
				rt, err := TwoOpt{}.Route(p.ctx, p.l, p.binsOf(set))
				return rt.Length, err
			}
			// The shortest length does not depend on the order of the
			// spots, so they are gathered without the bins.
			if r.k == 2 {
				keys := p.sweep2.keys[:0]
				for _, o := range set {
					for _, sp := range p.spots[o] {
						keys = append(keys, spotKey(sp))
					}
				}
				slices.Sort(keys)
				p.sweep2.keys = keys
				return r.lengthTwoCross(keys, &p.sweep2), nil
			}
			p.uniq = p.distinctSpots(p.uniq[:0], set)
			_, v, err := r.optimalOrder(p.ctx, p.uniq, true, &p.tables)
			return v, err
		}
	}
	rt, err := p.router.Route(p.ctx, p.l, p.binsOf(set))
	return rt.Length, err
}

// distinctSpots appends to dst the distinct spots of the orders of set.
func (p *batchProblem) distinctSpots(dst []Spot, set []int) []Spot {
	n := 0
	for _, o := range set {
		n += len(p.spots[o])
	}
	if n > 64 { // long lists: a map instead of a scan
		seen := make(map[Spot]bool, n)
		for _, o := range set {
			for _, sp := range p.spots[o] {
				if !seen[sp] {
					seen[sp] = true
					dst = append(dst, sp)
				}
			}
		}
		return dst
	}
	for _, o := range set {
		for _, sp := range p.spots[o] {
			if !slices.Contains(dst, sp) {
				dst = append(dst, sp)
			}
		}
	}
	return dst
}

// exactLengths reports whether cost gives shortest tours, which the exact
// sweep does: with the default router on a rectangle of up to
// batchExactCrossAisles cross aisles.
func (p *batchProblem) exactLengths() bool {
	r, ok := p.l.(*Rect)
	if !ok || r.k > batchExactCrossAisles {
		return false
	}
	switch p.router.(type) {
	case Auto, Optimal, *Auto, *Optimal:
		return true
	}
	return false
}

// maxReach bounds the number of entries of a reach table (8 bytes each);
// beyond it the distances are measured each time they are needed.
const maxReach = 1 << 22

// reachTable returns, for each order o, each of its spots i and each order
// q, the distance from spot i of o to the nearest spot of q, at
// reach[o][i*n+q] for n orders; nil if the table would hold more than
// maxReach entries. It is built on the first call.
func (p *batchProblem) reachTable() [][]fulfill.Length {
	if p.reach != nil || p.noReach {
		return p.reach
	}
	n := len(p.orders)
	total := 0
	for _, ss := range p.spots {
		total += len(ss)
	}
	if total*n > maxReach {
		p.noReach = true
		return nil
	}
	p.reach = make([][]fulfill.Length, n)
	flat := make([]fulfill.Length, total*n)
	for o, ss := range p.spots {
		row := flat[: len(ss)*n : len(ss)*n]
		flat = flat[len(ss)*n:]
		for i, a := range ss {
			for q := range n {
				row[i*n+q] = nearest(p.l, a, p.spots[q])
			}
		}
		p.reach[o] = row
	}
	return p.reach
}

// nearest returns the distance from a to the nearest of ss.
func nearest(l Layout, a Spot, ss []Spot) fulfill.Length {
	best := fulfill.Length(-1)
	for _, s := range ss {
		if d := l.Distance(a, s); best < 0 || d < best {
			best = d
		}
	}
	return best
}

// binsOf returns the bins of the orders of set, order by order, in a slice
// of its own.
func (p *batchProblem) binsOf(set []int) []Bin {
	n := 0
	for _, o := range set {
		n += len(p.bins[o])
	}
	bins := make([]Bin, 0, n)
	for _, o := range set {
		bins = append(bins, p.bins[o]...)
	}
	return bins
}

func (p *batchProblem) loadOf(set []int) load {
	var ld load
	for _, o := range set {
		ld = ld.plus(p.loads[o])
	}
	return ld
}

// result routes every batch and assembles the Batching. With the default
// router on a Rect it allocates only what the Batching holds.
func (p *batchProblem) result(sets [][]int) (Batching, error) {
	var out Batching
	if n := len(sets) - countEmpty(sets); n > 0 {
		out.Batches = make([]Batch, 0, n)
	}
	for _, s := range sets {
		if len(s) == 0 {
			continue
		}
		s = slices.Clone(s)
		slices.Sort(s)
		bins := p.binsOf(s)
		r, err := p.route(s, bins)
		if err != nil {
			return Batching{}, err
		}
		out.Batches = append(out.Batches, Batch{Orders: s, Bins: bins, Route: r})
		out.Length += r.Length
	}
	slices.SortStableFunc(out.Batches, func(a, b Batch) int { return cmp.Compare(a.Orders[0], b.Orders[0]) })
	return out, nil
}

// countEmpty returns how many of sets are empty.
func countEmpty(sets [][]int) int {
	n := 0
	for _, s := range sets {
		if len(s) == 0 {
			n++
		}
	}
	return n
}

// route routes bins, the bins of the orders of set, as p's router does.
// With the default router on a Rect that [Optimal] handles, it finds the
// same route as [Optimal.Route] from the spots the problem already holds,
// in the problem's scratch, allocating only the route's stops.
func (p *batchProblem) route(set []int, bins []Bin) (Route, error) {
	r, ok := p.l.(*Rect)
	if !ok || r.k > MaxOptimalCrossAisles {
		return p.router.Route(p.ctx, p.l, bins)
	}
	switch p.router.(type) {
	case Auto, Optimal, *Auto, *Optimal:
	default:
		return p.router.Route(p.ctx, p.l, bins)
	}
	// The distinct spots in order of first appearance, as newProblem
	// finds them, and the spot of each bin.
	uniq, at := p.uniq[:0], p.at[:0]
	if p.index != nil {
		clear(p.index)
	}
	indexed := false
	for _, o := range set {
		for _, sp := range p.spots[o] {
			u := -1
			if indexed {
				if v, ok := p.index[sp]; ok {
					u = v
				}
			} else {
				u = slices.Index(uniq, sp)
			}
			if u < 0 {
				u = len(uniq)
				uniq = append(uniq, sp)
				if indexed {
					p.index[sp] = u
				} else if len(uniq) > 32 { // long lists: a map instead of a scan
					if p.index == nil {
						p.index = make(map[Spot]int, len(bins))
					}
					for v, s := range uniq {
						p.index[s] = v
					}
					indexed = true
				}
			}
			at = append(at, u)
		}
	}
	p.uniq, p.at = uniq, at
	// The bins of each spot, ascending.
	first := resize(p.first, len(uniq)+1)
	for _, u := range at {
		first[u+1]++
	}
	for u := range uniq {
		first[u+1] += first[u]
	}
	byUniq := resize(p.byUniq, len(at))
	cursor := resize(p.cursor, len(uniq))
	copy(cursor, first[:len(uniq)])
	for i, u := range at {
		byUniq[cursor[u]] = i
		cursor[u]++
	}
	p.first, p.byUniq, p.cursor = first, byUniq, cursor
	order, _, err := r.optimalOrder(p.ctx, uniq, false, &p.tables)
	if err != nil {
		return Route{}, err
	}
	// As problem.route makes it from the order.
	rt := Route{Stops: make([]int, 0, len(bins))}
	prev := r.Depot()
	for _, u := range order {
		rt.Stops = append(rt.Stops, byUniq[first[u]:first[u+1]]...)
		rt.Length += r.Distance(prev, uniq[u])
		prev = uniq[u]
	}
	if len(order) > 0 {
		rt.Length += r.Distance(prev, r.Depot())
	}
	return rt, nil
}

var (
	_ Batcher = FCFS{}
	_ Batcher = SeedBatcher{}
	_ Batcher = Savings{}
	_ Batcher = LocalSearch{}
	_ Batcher = BatcherFunc(nil)
	_ Router  = RouterFunc(nil)
)

// FCFS is first-come-first-served batching: orders in the given order fill
// a cart until the next one does not fit, then a new cart starts. Router
// routes each batch; nil means [Auto].
type FCFS struct {
	Router Router
}

// Batch batches orders first come, first served.
func (f FCFS) Batch(ctx context.Context, l Layout, orders []Order, c Capacity) (Batching, error) {
	p, err := newBatchProblem(ctx, l, f.Router, orders, c)
	if err != nil {
		return Batching{}, err
	}
	return p.result(fcfsSets(p))
}

func fcfsSets(p *batchProblem) [][]int {
	var sets [][]int
	var cur []int
	var ld load
	for i := range p.orders {
		if n := ld.plus(p.loads[i]); len(cur) > 0 && !n.fits(p.c) {
			sets = append(sets, cur)
			cur, ld = nil, load{}
		}
		cur = append(cur, i)
		ld = ld.plus(p.loads[i])
	}
	if len(cur) > 0 {
		sets = append(sets, cur)
	}
	return sets
}

// SeedBatcher is seed batching: each cart starts from the first order not
// yet batched (the seed) and repeatedly adds the order that lengthens its
// route least, until no further order fits. Router routes each batch; nil
// means [Auto].
type SeedBatcher struct {
	Router Router
}

// Batch batches orders around seeds.
func (s SeedBatcher) Batch(ctx context.Context, l Layout, orders []Order, c Capacity) (Batching, error) {
	p, err := newBatchProblem(ctx, l, s.Router, orders, c)
	if err != nil {
		return Batching{}, err
	}
	sets, err := seedSets(p)
	if err != nil {
		return Batching{}, err
	}
	return p.result(sets)
}

func seedSets(p *batchProblem) ([][]int, error) {
	done := make([]bool, len(p.orders))
	var sets [][]int
	for seed := range p.orders {
		if done[seed] {
			continue
		}
		cur := []int{seed}
		done[seed] = true
		ld := p.loads[seed]
		for {
			if err := p.ctx.Err(); err != nil {
				return nil, err
			}
			base := p.cost(cur)
			best, bestAdd := -1, fulfill.Length(0)
			for o := range p.orders {
				if done[o] || !ld.plus(p.loads[o]).fits(p.c) {
					continue
				}
				add := p.cost(sortedWith(cur, o)) - base
				if best < 0 || add < bestAdd {
					best, bestAdd = o, add
				}
			}
			if best < 0 {
				break
			}
			cur = sortedWith(cur, best)
			done[best] = true
			ld = ld.plus(p.loads[best])
		}
		sets = append(sets, cur)
	}
	return sets, p.err
}

// sortedWith returns a sorted copy of the ascending set with o added.
func sortedWith(set []int, o int) []int {
	out := make([]int, 0, len(set)+1)
	i := 0
	for i < len(set) && set[i] < o {
		i++
	}
	out = append(out, set[:i]...)
	out = append(out, o)
	return append(out, set[i:]...)
}

// without returns a copy of the ascending set without o.
func without(set []int, o int) []int {
	out := make([]int, 0, len(set))
	for _, v := range set {
		if v != o {
			out = append(out, v)
		}
	}
	return out
}

// Savings is Clarke and Wright's savings batching: the saving of two orders
// is the walk of picking each alone minus the walk of picking both together;
// pairs are taken in decreasing order of saving, and the carts holding the
// two orders are merged whenever the result fits. Router routes each batch;
// nil means [Auto].
type Savings struct {
	Router Router
}

// Batch batches orders by savings.
func (s Savings) Batch(ctx context.Context, l Layout, orders []Order, c Capacity) (Batching, error) {
	p, err := newBatchProblem(ctx, l, s.Router, orders, c)
	if err != nil {
		return Batching{}, err
	}
	sets, err := savingsSets(p, 0)
	if err != nil {
		return Batching{}, err
	}
	return p.result(sets)
}

// savingsSets batches by savings. With near > 0 it routes only the pairs
// of each order with its near nearest orders (by the distance from each of
// its bins to the other's nearest bin); the other pairs follow them, nearest
// first, as if they saved nothing. near = 0 routes every pair.
func savingsSets(p *batchProblem, near int) ([][]int, error) {
	n := len(p.orders)
	type pair struct {
		i, j int
		s    fulfill.Length
		d    fulfill.Length // the closeness of the two orders, for pairs not routed
	}
	var routed []bool              // routed[i*n+j], i < j: the pair is routed
	var closeness []fulfill.Length // closeness[i*n+j]: of order j to order i
	if near > 0 && near < n-1 {
		routed = make([]bool, n*n)
		closeness = make([]fulfill.Length, n*n)
		reach := p.reachTable()
		order := make([]int, 0, n-1)
		for i := range n {
			ci := closeness[i*n : (i+1)*n]
			for j := range n {
				if i == j {
					continue
				}
				if reach != nil {
					row := reach[i]
					for a := range p.spots[i] {
						ci[j] += row[a*n+j]
					}
					continue
				}
				for _, a := range p.spots[i] {
					ci[j] += nearest(p.l, a, p.spots[j])
				}
			}
			order = order[:0]
			for j := range n {
				if j != i {
					order = append(order, j)
				}
			}
			slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(ci[a], ci[b]) })
			for _, j := range order[:near] {
				routed[min(i, j)*n+max(i, j)] = true
			}
		}
	}
	var pairs, rest []pair
	for i := range n {
		if err := p.ctx.Err(); err != nil {
			return nil, err
		}
		for j := i + 1; j < n; j++ {
			if !p.loads[i].plus(p.loads[j]).fits(p.c) {
				continue
			}
			if closeness != nil && !routed[i*n+j] {
				rest = append(rest, pair{i: i, j: j, d: closeness[i*n+j] + closeness[j*n+i]})
				continue
			}
			// Never negative; pairs saving nothing still merge, to use fewer carts.
			s := p.cost([]int{i}) + p.cost([]int{j}) - p.cost([]int{i, j})
			pairs = append(pairs, pair{i: i, j: j, s: s})
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return cmp.Compare(b.s, a.s) })
	slices.SortStableFunc(rest, func(a, b pair) int { return cmp.Compare(a.d, b.d) })
	pairs = append(pairs, rest...)
	of := make([]int, n) // order -> batch
	sets := make([][]int, n)
	loads := make([]load, n)
	for i := range n {
		of[i], sets[i], loads[i] = i, []int{i}, p.loads[i]
	}
	for _, pr := range pairs {
		a, b := of[pr.i], of[pr.j]
		if a == b || !loads[a].plus(loads[b]).fits(p.c) {
			continue
		}
		for _, o := range sets[b] {
			of[o] = a
		}
		sets[a] = append(sets[a], sets[b]...)
		slices.Sort(sets[a])
		loads[a] = loads[a].plus(loads[b])
		sets[b], loads[b] = nil, load{}
	}
	return sets, p.err
}
