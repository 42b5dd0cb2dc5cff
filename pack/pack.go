package pack

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/fulfillkit/fulfill"
)

// Default work budgets, in candidate placements times the units they are
// compared with.
const (
	fastWork     = 30_000_000
	thoroughWork = 3_000_000_000
)

// staleRounds is the number of restarts in a row without improvement after
// which thorough mode stops.
const staleRounds = 200

// Cartonizer is anything that packs a request: [Packer] and the function
// adapter [CartonizerFunc]. Implementations must return a result that
// passes [Verify] or an error.
type Cartonizer interface {
	Pack(ctx context.Context, req Request) (Result, error)
}

// CartonizerFunc adapts a function to [Cartonizer].
type CartonizerFunc func(ctx context.Context, req Request) (Result, error)

// Pack calls f.
func (f CartonizerFunc) Pack(ctx context.Context, req Request) (Result, error) { return f(ctx, req) }

// Packer is a [Cartonizer] with fixed [Options]. The zero value packs with
// the zero Options. A Packer is safe for concurrent use.
type Packer struct {
	Options Options
}

var _ Cartonizer = Packer{}

// Pack packs req with p.Options; see the function [Pack].
func (p Packer) Pack(ctx context.Context, req Request) (Result, error) {
	return Pack(ctx, req, &p.Options)
}

// Pack cartonizes req. A nil opts means the zero [Options].
//
// It returns an error wrapping [ErrInvalidRequest] or [ErrTooLarge] for a
// request it cannot work on, wrapping [ErrShipping] when the shipping
// function fails, or the context's error when ctx is done before a first
// packing exists. When the context ends during the improvement phase, Pack
// returns the best packing found so far. Units that cannot be packed are
// reported in [Result.Unpacked] with their reason, never dropped.
func Pack(ctx context.Context, req Request, opts *Options) (Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if err := errors.Join(req.Validate(), o.validate()); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	e, setup := newEngine(ctx, &req, &o)
	best := e.solve(setup, &o)
	if e.shipErr != nil {
		return Result{}, e.shipErr
	}
	if best == nil {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		return Result{}, errors.New("pack: no packing found within the work budget")
	}
	return e.result(setup, best)
}

// setup is what newEngine learns from the request.
type setup struct {
	kindOf   []int      // item index -> kind, -1 for own container or unpackable
	reasons  []Unpacked // units that cannot be packed, per item
	units    []int32    // free units to pack (kinds)
	pinned   *sol       // boxes prepared for groups and ship-alone units
	lb       int        // lower bound on boxes for all packable units
	currency fulfill.Currency
}

type kindKey struct {
	dims                  vec
	weight                int64
	rule                  RotationRule
	fragile, floor, alone bool
	hazmat, group         string
	boxes                 string // the allowed box IDs, sorted and joined; empty for any
}

// boxSet returns the box IDs sorted and joined, a key for a kind.
func boxSet(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	s := slices.Clone(ids)
	slices.Sort(s)
	return strings.Join(slices.Compact(s), "\x00")
}

func newEngine(ctx context.Context, req *Request, o *Options) (*engine, *setup) {
	e := &engine{ctx: ctx, obj: o.Objective, mode: o.Mode, ship: o.Shipping,
		shipMem: make(map[[2]int64]shipQuote), req: req,
		rng: rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))}
	e.maxWork = o.MaxWork
	e.minSupport = req.MinSupport
	if e.maxWork == 0 {
		e.maxWork = fastWork
		if o.Mode == ModeThorough {
			e.maxWork = thoroughWork
		}
	}
	st := &setup{kindOf: make([]int, len(req.Items)), pinned: &sol{}}
	for i, b := range req.Boxes {
		if st.currency == "" {
			st.currency = b.Cost.Currency()
		}
		if !b.usable(req.Channel, req.Carrier) {
			continue
		}
		c, _ := costUnits(b.Cost)
		maxW := int64(b.MaxContent)
		if maxW == 0 {
			maxW = math.MaxInt64
		}
		d := vec{int64(b.Inner.Length), int64(b.Inner.Width), int64(b.Inner.Height)}
		e.types = append(e.types, btype{idx: i, dims: d, maxW: maxW, tare: int64(b.Tare), cost: c,
			supply: b.Supply, vol: float64(d[0]) * float64(d[1]) * float64(d[2])})
	}
	e.floor, e.tallest = 1, 1
	for _, t := range e.types {
		e.floor = max(e.floor, t.dims[0]/1000*(t.dims[1]/1000))
		e.tallest = max(e.tallest, t.dims[2])
	}
	hazmats := map[string]int32{}
	groups := map[string]int32{}
	code := func(m map[string]int32, s string) int32 {
		if s == "" {
			return 0
		}
		if c, ok := m[s]; ok {
			return c
		}
		m[s] = int32(len(m) + 1)
		return m[s]
	}
	kinds := map[kindKey]int{}
	count := []int{}
	var bad []Unpacked // per kind: why it cannot be packed, empty Reason if it can
	for i, it := range req.Items {
		st.kindOf[i] = -1
		if it.OwnContainer {
			continue
		}
		d := it.Dimensions
		key := kindKey{dims: vec{int64(d.Length), int64(d.Width), int64(d.Height)}, weight: int64(it.Weight),
			rule: it.Rotation, fragile: it.Fragile, floor: it.NotStackable, alone: it.ShipAlone,
			hazmat: it.Hazmat, group: it.Group, boxes: boxSet(it.Boxes)}
		k, ok := kinds[key]
		if !ok {
			k = len(e.kinds)
			kinds[key] = k
			kd := kind{dims: key.dims, weight: key.weight, fragile: it.Fragile, floor: it.NotStackable,
				alone: it.ShipAlone, hazmat: code(hazmats, it.Hazmat), group: code(groups, it.Group),
				vol: float64(key.dims[0]) * float64(key.dims[1]) * float64(key.dims[2])}
			for _, r := range fulfill.Rotations {
				if !it.Rotation.Allows(r) {
					continue
				}
				rd := d.Rotate(r)
				s := vec{int64(rd.Length), int64(rd.Width), int64(rd.Height)}
				if !slices.ContainsFunc(kd.oris, func(o orient) bool { return o.s == s }) {
					kd.oris = append(kd.oris, orient{s: s, rot: r})
				}
			}
			fits := make([]bool, len(e.types))
			geom, allowed, some := false, false, false
			for t, bt := range e.types {
				g := slices.ContainsFunc(kd.oris, func(o orient) bool {
					return o.s[0] <= bt.dims[0] && o.s[1] <= bt.dims[1] && o.s[2] <= bt.dims[2]
				})
				ok := len(it.Boxes) == 0 || slices.Contains(it.Boxes, req.Boxes[bt.idx].ID)
				fits[t] = g && ok && kd.weight <= bt.maxW
				geom = geom || g
				allowed = allowed || g && ok
				some = some || fits[t]
			}
			var why Unpacked
			switch {
			case !geom:
				why = Unpacked{Reason: ReasonTooBig, Detail: fmt.Sprintf("%v fits in no enabled box (rotation %s)", d, it.Rotation)}
			case !allowed:
				why = Unpacked{Reason: ReasonConstraint, Detail: fmt.Sprintf("%v fits in none of its boxes %v that are enabled (rotation %s)", d, it.Boxes, it.Rotation)}
			case !some:
				why = Unpacked{Reason: ReasonTooHeavy, Detail: fmt.Sprintf("%v is heavier than every box it fits in may carry", it.Weight)}
			}
			e.kinds = append(e.kinds, kd)
			e.fits = append(e.fits, fits)
			count = append(count, 0)
			bad = append(bad, why)
		}
		if bad[k].Reason != "" {
			u := bad[k]
			u.Item, u.Quantity = it.ID, it.Quantity
			st.reasons = append(st.reasons, u)
			continue
		}
		st.kindOf[i] = k
		count[k] += it.Quantity
	}
	// Groups, then ship-alone units, get boxes of their own first.
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	used := make([]int, len(e.types))
	for _, g := range names {
		gc := groups[g]
		var units []int32
		for k := range e.kinds {
			if e.kinds[k].group == gc {
				for range count[k] {
					units = append(units, int32(k))
				}
				count[k] = 0
			}
		}
		if len(units) == 0 {
			continue
		}
		if b := e.boxFor(units, used); b != nil {
			st.pinned.bins = append(st.pinned.bins, b)
			used[b.t]++
		} else {
			st.pinned.failed = append(st.pinned.failed, units...)
		}
	}
	for k := range e.kinds {
		if !e.kinds[k].alone {
			continue
		}
		for range count[k] {
			if b := e.boxFor([]int32{int32(k)}, used); b != nil {
				st.pinned.bins = append(st.pinned.bins, b)
				used[b.t]++
			} else {
				st.pinned.noBox = append(st.pinned.noBox, int32(k))
			}
		}
		count[k] = 0
	}
	for k, c := range count {
		for range c {
			st.units = append(st.units, int32(k))
		}
	}
	var all []int32
	for _, b := range st.pinned.bins {
		for _, p := range b.pl {
			all = append(all, p.k)
		}
	}
	st.lb = e.lowerBound(append(all, st.units...))
	return e, st
}

// boxFor packs units into one box of the cheapest type that takes them all.
func (e *engine) boxFor(units []int32, used []int) *bin {
	order := make([]int, 0, len(e.types))
	for t := range e.types {
		if e.available(t, used) {
			order = append(order, t)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmpI(e.types[a].cost, e.types[b].cost); c != 0 && e.obj != ObjectiveBoxes {
			return c
		}
		if c := cmpF(e.types[a].vol, e.types[b].vol); c != 0 {
			return c
		}
		return cmpI(e.types[a].cost, e.types[b].cost)
	})
	var best *bin
	var bestCost int64
	for _, t := range order {
		if b := e.repack(t, units); b != nil {
			c := e.cost(t, b.w)
			if best == nil || c < bestCost {
				best, bestCost = b, c
			}
			if e.obj != ObjectiveTotalCost {
				break
			}
		}
	}
	return best
}

// lowerBound returns a lower bound on the boxes needed for units: the best
// of the volume bound on the largest box, the weight bound, the units that
// ship alone, and L2 on a box as large as every box in each direction with
// the units shrunk to the sizes every allowed orientation covers.
func (e *engine) lowerBound(units []int32) int {
	if len(units) == 0 || len(e.types) == 0 {
		return 0
	}
	var virt vec
	big := 0
	maxW := int64(0)
	for t, bt := range e.types {
		for i := range virt {
			virt[i] = max(virt[i], bt.dims[i])
		}
		if bt.vol > e.types[big].vol {
			big = t
		}
		maxW = max(maxW, bt.maxW)
	}
	full := make([]fulfill.Dimensions, len(units))
	shrunk := make([]fulfill.Dimensions, len(units))
	var w int64
	alone := 0
	for i, k := range units {
		kd := &e.kinds[k]
		d := kd.dims
		full[i] = fulfill.Dims(fulfill.Length(d[0]), fulfill.Length(d[1]), fulfill.Length(d[2]))
		lo, hi := d, d
		for _, o := range kd.oris {
			for j := range lo {
				lo[j] = min(lo[j], o.s[j])
				hi[j] = max(hi[j], o.s[j])
			}
		}
		shrunk[i] = fulfill.Dims(fulfill.Length(lo[0]), fulfill.Length(lo[1]), fulfill.Length(lo[2]))
		w += kd.weight
		if kd.alone {
			alone++
		}
	}
	bd := e.types[big].dims
	lb := BoundL0(full, fulfill.Dims(fulfill.Length(bd[0]), fulfill.Length(bd[1]), fulfill.Length(bd[2])))
	lb = max(lb, BoundL2(shrunk, fulfill.Dims(fulfill.Length(virt[0]), fulfill.Length(virt[1]), fulfill.Length(virt[2]))))
	if maxW < math.MaxInt64 && maxW > 0 {
		lb = max(lb, int((w+maxW-1)/maxW))
	}
	return max(lb, alone)
}

// callShip asks the shipping function for a box of type t with content w.
func (e *engine) callShip(t int, w int64) (int64, fulfill.Money, error) {
	b := e.req.Boxes[e.types[t].idx]
	return e.shipParcel(Parcel{Box: b.ID, Outer: b.outer(), Gross: fulfill.Mass(e.types[t].tare + w)}, b.Cost.Currency())
}

func (e *engine) shipParcel(p Parcel, cur fulfill.Currency) (int64, fulfill.Money, error) {
	m, err := e.ship(p)
	if err != nil {
		return 0, m, fmt.Errorf("%w: parcel %q of %v: %w", ErrShipping, p.Box, p.Gross, err)
	}
	if cur == "" {
		cur = e.shipCur
	}
	if cur != "" && m.Currency() != "" && m.Currency() != cur {
		return 0, m, fmt.Errorf("%w: parcel %q: %w", ErrShipping, p.Box, &fulfill.CurrencyMismatchError{A: cur, B: m.Currency()})
	}
	if e.shipCur == "" {
		e.shipCur = m.Currency()
	}
	c, err := costUnits(m)
	if err != nil || c < 0 {
		return 0, m, fmt.Errorf("%w: parcel %q: estimate %v: negative or out of range", ErrShipping, p.Box, m)
	}
	return c, m, nil
}

// withPinned adds to s, a packing of the free units, what pinned holds: the
// units that found no box or whose group fits none. It returns nil for a
// nil s.
func withPinned(pinned, s *sol) *sol {
	if s == nil {
		return nil
	}
	s.noBox = append(slices.Clone(pinned.noBox), s.noBox...)
	s.failed = append(slices.Clone(pinned.failed), s.failed...)
	return s
}

// solve runs the search and returns the best solution, or nil if stopped
// before any.
func (e *engine) solve(st *setup, o *Options) *sol {
	var best *sol
	var bestV value
	consider := func(s *sol) {
		if s == nil {
			return
		}
		if v := e.eval(s); best == nil || v.less(bestV) {
			best, bestV = s, v
		}
	}
	done := func() bool {
		if best == nil || len(best.noBox) > 0 || len(best.bins) > st.lb || e.obj != ObjectiveBoxes {
			return false
		}
		for _, b := range best.bins { // at the bound; only free boxes leave nothing to save
			if e.types[b.t].cost != 0 {
				return false
			}
		}
		return true
	}
	exactLimit := o.ExactUnits
	if exactLimit == 0 {
		exactLimit = 6
		if o.Mode == ModeThorough {
			exactLimit = 8
		}
	}
	if len(st.units) > 0 && len(st.units) <= exactLimit && len(st.pinned.bins) == 0 {
		consider(e.exact(st.pinned, st.units))
	}
	if len(st.units) == 0 {
		return st.pinned.clone()
	}
	// When the units' volume is exactly the lower bound's number of boxes,
	// look for a packing without gaps, with a fiftieth of the thorough
	// mode's nodes first (thorough mode tries again with all of them after
	// the first improvement).
	gapFree := func(scale int) {
		if len(st.pinned.bins) > 0 || st.lb == 0 {
			return
		}
		for t := range e.types {
			if done() || e.stopped {
				return
			}
			if sup := e.types[t].supply; sup > 0 && sup < st.lb {
				continue
			}
			if best == nil || len(best.bins) > st.lb {
				consider(withPinned(st.pinned, e.guillotine(t, st.units, st.lb, guillotineNodes/scale)))
			}
			if (best == nil || len(best.bins) > st.lb) && !e.stopped {
				consider(withPinned(st.pinned, e.perfect(t, st.units, st.lb, perfectNodes/scale)))
			}
		}
	}
	consider(e.blockPack(st.pinned, st.units, st.lb, best))
	gapFree(50)
	type start struct {
		rule int
		pol  policy
		m    merit
	}
	var starts []start
	pols := []policy{policyLookahead}
	if len(e.types) > 1 {
		pols = append(pols, policyLargest)
	}
	for _, rule := range []int{0, 6, 1, 7, 2, 3, 4, 5} {
		for _, m := range []merit{meritGap, meritLow} {
			for _, p := range pols {
				starts = append(starts, start{rule, p, m})
			}
		}
	}
	if o.Mode == ModeFast && len(st.units) > 60 {
		starts = starts[:4*len(pols)]
	}
	units := slices.Clone(st.units)
	// On small orders the orderings often agree. A construction depends on
	// nothing but the order of the units, the policy and the merit, so one
	// already run is not run again.
	tried := make(map[string]bool, len(starts))
	var key []byte
	for i, s := range starts {
		if e.stopped && best != nil || done() {
			break
		}
		e.sortUnits(units, s.rule)
		key = append(key[:0], byte(s.pol), byte(s.m))
		for _, k := range units {
			key = binary.LittleEndian.AppendUint32(key, uint32(k))
		}
		if tried[string(key)] {
			continue
		}
		tried[string(key)] = true
		sl := e.construct(st.pinned, units, s.pol, s.m)
		if e.stopped && i > 0 {
			break
		}
		consider(sl)
	}
	if best == nil {
		return nil
	}
	lnsIters, patience := 20, 30
	if o.Mode == ModeThorough {
		lnsIters, patience = 100, 1000
	}
	polish := func(s *sol) *sol {
		s = e.improve(s.clone(), st.lb)
		s = e.squeeze(s, st.lb, patience)
		s = e.lns(s, st.lb, lnsIters)
		s = e.downsize(s)
		if e.obj != ObjectiveBoxes {
			s = e.merge(s)
			s = e.downsize(s)
		}
		return s
	}
	e.stopped = e.work > e.maxWork || e.ctx.Err() != nil
	consider(polish(best))
	if o.Mode == ModeThorough {
		gapFree(1)
		// Restart from random orders until the budget or the context ends,
		// or many restarts in a row bring nothing better.
		stale := 0
		for round := 0; !e.stopped && !done() && stale < staleRounds; round++ {
			before := bestV
			e.sortUnits(units, 8+round)
			pol := pols[round%len(pols)]
			s := e.construct(st.pinned, units, pol, merit(round/len(pols)%int(meritCount)))
			if e.stopped {
				break
			}
			consider(polish(s))
			if bestV.less(before) {
				stale = 0
			} else {
				stale++
			}
		}
	}
	return best
}
