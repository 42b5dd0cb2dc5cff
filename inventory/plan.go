package inventory

import (
	"cmp"
	"context"
	"errors"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Removal is the order in which lots of a SKU at a location are drawn.
type Removal string

// Removal orders.
const (
	// RemovalFEFO draws the lot that expires first, first (lots that do not
	// expire last). It is the default.
	RemovalFEFO Removal = "fefo"
	// RemovalFIFO draws the lot received first, first.
	RemovalFIFO Removal = "fifo"
)

// Line is one line of an allocation [Request].
type Line struct {
	SKU      fulfill.SKU `json:"sku"`
	Quantity int64       `json:"quantity"`
	// Line is the host's order-line reference, carried to the reservation.
	Line string `json:"line,omitempty"`
}

// Request asks [Plan] which locations should serve an order's lines.
type Request struct {
	Owner fulfill.OwnerID `json:"owner"`
	Lines []Line          `json:"lines"`
	// Locations are the locations eligible to serve the request, such as a
	// sales channel's; empty means every location.
	Locations []fulfill.LocationID `json:"locations,omitempty"`
	// At is the time of the plan: lots expiring at or before it are never
	// allocated.
	At time.Time `json:"at"`
	// Removal orders the lots drawn at one location; empty means FEFO.
	Removal Removal `json:"removal,omitempty"`
}

// Validate reports whether r is a usable request.
func (r *Request) Validate() error {
	if err := r.Owner.Validate(); err != nil {
		return err
	}
	if len(r.Lines) == 0 {
		return invalid("lines", "", "required")
	}
	var total int64
	for i, l := range r.Lines {
		if err := l.SKU.Validate(); err != nil {
			return err
		}
		if err := positive("lines["+itoa(int64(i))+"].quantity", l.Quantity); err != nil {
			return err
		}
		var ok bool
		if total, ok = add(total, l.Quantity); !ok {
			return overflow("Request.Lines", total, l.Quantity)
		}
	}
	for _, loc := range r.Locations {
		if err := loc.Validate(); err != nil {
			return err
		}
	}
	switch r.Removal {
	case "", RemovalFEFO, RemovalFIFO:
	default:
		return invalid("removal", string(r.Removal), "not fefo or fifo")
	}
	return nil
}

// Stock is the allocatable stock a [Strategy] ranks: units available per
// location and SKU, after eligibility, expiry and quarantine are applied.
type Stock map[fulfill.LocationID]map[fulfill.SKU]int64

// Strategy ranks the locations that may serve a request. [Plan] then fills
// each line from the ranked locations in order, so the first locations
// serve as much as they can. Locations left out of the ranking serve
// nothing. Rank must be deterministic and must not modify its arguments.
type Strategy interface {
	Rank(req *Request, stock Stock) []fulfill.LocationID
}

// StrategyFunc adapts a function to [Strategy].
type StrategyFunc func(req *Request, stock Stock) []fulfill.LocationID

// Rank calls f.
func (f StrategyFunc) Rank(req *Request, stock Stock) []fulfill.LocationID { return f(req, stock) }

// Priority serves from Locations in the order given; other locations serve
// nothing.
type Priority struct {
	Locations []fulfill.LocationID
}

// Rank returns the listed locations that have stock, in order.
func (p Priority) Rank(_ *Request, stock Stock) []fulfill.LocationID {
	var out []fulfill.LocationID
	for _, l := range p.Locations {
		if _, ok := stock[l]; ok && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// HighestStock serves first from the locations holding the most units of
// the request's SKUs (ties by location ID).
type HighestStock struct{}

// Rank orders the locations by their units of the requested SKUs, most first.
func (HighestStock) Rank(req *Request, stock Stock) []fulfill.LocationID {
	total := map[fulfill.LocationID]int64{}
	for loc, skus := range stock {
		for _, l := range req.Lines {
			total[loc] = satAdd(total[loc], skus[l.SKU])
		}
	}
	out := locations(stock)
	slices.SortStableFunc(out, func(a, b fulfill.LocationID) int { return cmp.Compare(total[b], total[a]) })
	return out
}

// Closest serves first from the locations closest to the destination, by
// Distance (in any unit; ties by location ID). A location for which Distance
// reports false cannot ship to the destination and serves nothing.
type Closest struct {
	Distance func(fulfill.LocationID) (int64, bool)
}

// Rank orders the reachable locations by distance, closest first.
func (c Closest) Rank(_ *Request, stock Stock) []fulfill.LocationID {
	if c.Distance == nil {
		return locations(stock)
	}
	dist := map[fulfill.LocationID]int64{}
	var out []fulfill.LocationID
	for _, loc := range locations(stock) {
		if d, ok := c.Distance(loc); ok {
			dist[loc] = d
			out = append(out, loc)
		}
	}
	slices.SortStableFunc(out, func(a, b fulfill.LocationID) int { return cmp.Compare(dist[a], dist[b]) })
	return out
}

// StoreFirst serves click-and-collect orders from the pickup stores first,
// in the order given, then from the other locations as ranked by Then (nil
// means [FewestShipments]).
type StoreFirst struct {
	Stores []fulfill.LocationID
	Then   Strategy
}

// Rank returns the stores with stock, then the rest ranked by Then.
func (s StoreFirst) Rank(req *Request, stock Stock) []fulfill.LocationID {
	out := Priority{Locations: s.Stores}.Rank(req, stock)
	then := s.Then
	if then == nil {
		then = FewestShipments{}
	}
	rest := Stock{}
	for loc, skus := range stock {
		if !slices.Contains(out, loc) {
			rest[loc] = skus
		}
	}
	return append(out, then.Rank(req, rest)...)
}

// FewestShipments minimises the number of locations that ship: with up to
// ExactLimit eligible locations (default 12) it finds the smallest set that
// serves the whole request, if one exists, exactly; otherwise, and to order
// the rest, it picks greedily the location that fully serves the most
// remaining SKUs (then the most units, then by location ID).
type FewestShipments struct {
	// ExactLimit is the largest number of locations searched exactly; 0
	// means 12, a negative value means always greedy.
	ExactLimit int
}

// Rank orders the locations so that the first ones serve the request in as
// few shipments as possible.
func (f FewestShipments) Rank(req *Request, stock Stock) []fulfill.LocationID {
	need := map[fulfill.SKU]int64{}
	for _, l := range req.Lines {
		need[l.SKU] = satAdd(need[l.SKU], l.Quantity)
	}
	locs := locations(stock)
	limit := f.ExactLimit
	if limit == 0 {
		limit = 12
	}
	var first []fulfill.LocationID
	if len(locs) <= limit {
		first = exactCover(locs, stock, need)
	}
	out := slices.Clone(first)
	remaining := map[fulfill.SKU]int64{}
	for s, q := range need {
		remaining[s] = q
	}
	take := func(loc fulfill.LocationID) {
		for s, q := range remaining {
			remaining[s] = max(0, q-stock[loc][s])
		}
	}
	for _, loc := range first {
		take(loc)
	}
	left := slices.DeleteFunc(slices.Clone(locs), func(l fulfill.LocationID) bool { return slices.Contains(first, l) })
	for len(left) > 0 {
		best, bestFull, bestUnits := -1, -1, int64(-1)
		for i, loc := range left {
			full, units := 0, int64(0)
			for s, q := range remaining {
				if q == 0 {
					continue
				}
				have := stock[loc][s]
				if have >= q {
					full++
				}
				units = satAdd(units, min(have, q))
			}
			if full > bestFull || (full == bestFull && units > bestUnits) {
				best, bestFull, bestUnits = i, full, units
			}
		}
		loc := left[best]
		out = append(out, loc)
		take(loc)
		left = slices.Delete(left, best, best+1)
	}
	return out
}

// exactCover returns the smallest set of locs (the first in mask order)
// whose stock covers need, or nil if none does.
func exactCover(locs []fulfill.LocationID, stock Stock, need map[fulfill.SKU]int64) []fulfill.LocationID {
	n := len(locs)
	for size := 1; size <= n; size++ {
		for mask := uint32(1); mask < 1<<n; mask++ {
			if bits.OnesCount32(mask) != size {
				continue
			}
			covered := true
			for s, q := range need {
				var have int64
				for i := range n {
					if mask&(1<<i) != 0 {
						have = satAdd(have, stock[locs[i]][s])
					}
				}
				if have < q {
					covered = false
					break
				}
			}
			if covered {
				var out []fulfill.LocationID
				for i := range n {
					if mask&(1<<i) != 0 {
						out = append(out, locs[i])
					}
				}
				return out
			}
		}
	}
	return nil
}

// Assignment is one part of an [Allocation]: Quantity units of a request
// line served from the level Key, planned against its Version.
type Assignment struct {
	Line     int    `json:"line"` // index in Request.Lines
	LineRef  string `json:"line_ref,omitempty"`
	Key      Key    `json:"key"`
	Quantity int64  `json:"quantity"`
	Version  int64  `json:"version"`
}

// Backorder is the part of a request line no eligible stock can serve.
type Backorder struct {
	Line     int         `json:"line"`
	LineRef  string      `json:"line_ref,omitempty"`
	SKU      fulfill.SKU `json:"sku"`
	Quantity int64       `json:"quantity"`
}

// Allocation is a plan: which levels serve which quantities, and what is
// backordered.
type Allocation struct {
	Assignments []Assignment `json:"assignments"`
	Backorders  []Backorder  `json:"backorders,omitempty"`
}

// Shipments returns the distinct locations of the allocation, in the order
// they first appear.
func (a *Allocation) Shipments() []fulfill.LocationID {
	var out []fulfill.LocationID
	for _, as := range a.Assignments {
		if !slices.Contains(out, as.Key.Location) {
			out = append(out, as.Key.Location)
		}
	}
	return out
}

// Reserve returns the operation that reserves the allocation, each line
// guarded by the level version it was planned against, so that a stale plan
// fails with [ErrConflict] instead of reserving against changed stock.
func (a *Allocation) Reserve(m Meta, ttl time.Duration) *Reserve {
	op := &Reserve{Meta: m, TTL: ttl}
	for _, as := range a.Assignments {
		op.Lines = append(op.Lines, ReserveLine{Key: as.Key, Quantity: as.Quantity, Line: as.LineRef, IfVersion: as.Version})
	}
	return op
}

// Plan decides which levels serve req, purely and deterministically: only
// levels of req.Owner at eligible locations count, expired lots never do,
// each location's stock is ranked by s (nil means [FewestShipments]), and
// each line takes units from the ranked locations in order, drawing lots in
// the removal order. What cannot be served is backordered, never negative.
func Plan(req Request, levels []Level, s Strategy) (*Allocation, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if s == nil {
		s = FewestShipments{}
	}
	wanted := map[fulfill.SKU]bool{}
	for _, l := range req.Lines {
		wanted[l.SKU] = true
	}
	type lot struct {
		level Level
		left  int64
	}
	pool := make([]lot, 0, len(levels))
	lots := map[fulfill.LocationID]map[fulfill.SKU][]*lot{}
	stock := Stock{}
	for _, l := range levels {
		if l.Owner != req.Owner || !wanted[l.SKU] || l.Expired(req.At) || l.Version == 0 {
			continue
		}
		if len(req.Locations) > 0 && !slices.Contains(req.Locations, l.Location) {
			continue
		}
		a := l.Available()
		if a <= 0 {
			continue
		}
		if lots[l.Location] == nil {
			lots[l.Location] = map[fulfill.SKU][]*lot{}
			stock[l.Location] = map[fulfill.SKU]int64{}
		}
		pool = append(pool, lot{level: l, left: a})
		lots[l.Location][l.SKU] = append(lots[l.Location][l.SKU], &pool[len(pool)-1])
		stock[l.Location][l.SKU] = satAdd(stock[l.Location][l.SKU], a)
	}
	for _, bySKU := range lots {
		for _, ls := range bySKU {
			slices.SortFunc(ls, func(a, b *lot) int { return removalOrder(req.Removal, a.level, b.level) })
		}
	}
	// The strategy only ranks: allocation below draws from lots, so a
	// strategy that modified stock could not change what is allocated.
	rank := s.Rank(&req, stock)
	out := &Allocation{}
	for i, line := range req.Lines {
		need := line.Quantity
		for _, loc := range rank {
			for _, lt := range lots[loc][line.SKU] {
				if need == 0 {
					break
				}
				q := min(need, lt.left)
				if q == 0 {
					continue
				}
				lt.left -= q
				need -= q
				out.Assignments = append(out.Assignments, Assignment{Line: i, LineRef: line.Line, Key: lt.level.Key, Quantity: q, Version: lt.level.Version})
			}
		}
		if need > 0 {
			out.Backorders = append(out.Backorders, Backorder{Line: i, LineRef: line.Line, SKU: line.SKU, Quantity: need})
		}
	}
	return out, nil
}

// removalOrder compares two levels of one SKU at one location in the order
// their units are drawn.
func removalOrder(r Removal, a, b Level) int {
	if r != RemovalFIFO {
		switch {
		case a.Expires.IsZero() && !b.Expires.IsZero():
			return 1
		case !a.Expires.IsZero() && b.Expires.IsZero():
			return -1
		}
		if c := a.Expires.Compare(b.Expires); c != 0 {
			return c
		}
	}
	if c := a.Received.Compare(b.Received); c != 0 {
		return c
	}
	return cmp.Compare(a.Lot, b.Lot)
}

// locations returns the locations of stock sorted by ID.
func locations(stock Stock) []fulfill.LocationID {
	out := make([]fulfill.LocationID, 0, len(stock))
	for l := range stock {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// satAdd adds two non-negative quantities, saturating at the int64 maximum.
func satAdd(a, b int64) int64 {
	if s, ok := add(a, b); ok {
		return s
	}
	return 1<<63 - 1
}

// Allocate plans req against the owner's current levels with strategy s
// (nil means [FewestShipments]) and reserves the plan (holds lapsing after
// ttl if it is positive), all lines or none. If stock changed between the
// read and the reservation, the plan fails its compare-and-set and is made
// again, up to the Inventory's Retries. req.Owner must be m.Owner; a zero
// req.At means now. The idempotency key of m covers the request: a retry
// returns the original reservations (and an allocation rebuilt from them).
// The receipt is nil when nothing could be reserved (all backordered).
func (inv *Inventory) Allocate(ctx context.Context, req Request, s Strategy, m Meta, ttl time.Duration) (*Allocation, *Receipt, error) {
	if req.Owner == "" {
		req.Owner = m.Owner
	}
	if req.Owner != m.Owner {
		return nil, nil, &fulfill.FieldError{Field: "owner", Value: string(req.Owner), Reason: "not the operation's owner " + string(m.Owner), Kind: ErrOwnerMismatch}
	}
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	fp := Fingerprint(&allocateOp{Request: req, TTL: ttl, Meta: m})
	skus := make([]fulfill.SKU, 0, len(req.Lines))
	for _, l := range req.Lines {
		skus = append(skus, l.SKU)
	}
	at := req.At
	for attempt := 0; ; attempt++ {
		req.At = at
		if req.At.IsZero() {
			req.At = fulfill.Now(inv.clock)
		}
		levels, err := inv.store.Levels(ctx, LevelQuery{Owner: req.Owner, SKUs: skus, Locations: req.Locations, At: req.At})
		if err != nil {
			return nil, nil, err
		}
		plan, err := Plan(req, levels, s)
		if err != nil {
			return nil, nil, err
		}
		if len(plan.Assignments) == 0 {
			return plan, nil, nil
		}
		op := plan.Reserve(m, ttl)
		reserveIDs(op, plan, m.IdempotencyKey)
		r, err := inv.apply(ctx, op, fp)
		if err != nil {
			if (errors.Is(err, ErrConflict) || errors.Is(err, ErrInsufficientStock)) && attempt < inv.retries {
				continue
			}
			return nil, nil, err
		}
		if r.Replayed {
			plan = fromReservations(req, r.Reservations)
		}
		return plan, r, nil
	}
}

// allocateOp is the payload an Allocate's idempotency key covers.
type allocateOp struct {
	Meta
	Request Request       `json:"request"`
	TTL     time.Duration `json:"ttl"`
}

func (o *allocateOp) kind() Kind  { return "allocate" }
func (o *allocateOp) meta() *Meta { return &o.Meta }
func (o *allocateOp) build(*builder) (*Txn, error) {
	return nil, invalid("operation", "allocate", "not applied directly")
}

// fromReservations rebuilds the allocation of req that res reserved, from
// the reservation IDs made by reserveIDs.
func fromReservations(req Request, res []Reservation) *Allocation {
	out := &Allocation{}
	served := make([]int64, len(req.Lines))
	type part struct {
		line, seq int
		a         Assignment
	}
	var parts []part
	for _, r := range res {
		i := strings.LastIndexByte(r.ID, '/')
		j := strings.LastIndexByte(r.ID[:max(i, 0)], '/')
		if i < 0 || j < 0 {
			continue
		}
		line, err1 := strconv.Atoi(r.ID[j+1 : i])
		seq, err2 := strconv.Atoi(r.ID[i+1:])
		if err1 != nil || err2 != nil || line < 0 || line >= len(req.Lines) {
			continue
		}
		q := r.Reserved // as reserved: a receipt shows reservations as it made them
		served[line] += q
		parts = append(parts, part{line, seq, Assignment{Line: line, LineRef: req.Lines[line].Line, Key: r.Key, Quantity: q}})
	}
	slices.SortFunc(parts, func(a, b part) int { return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.seq, b.seq)) })
	for _, p := range parts {
		out.Assignments = append(out.Assignments, p.a)
	}
	for i, l := range req.Lines {
		if l.Quantity > served[i] {
			out.Backorders = append(out.Backorders, Backorder{Line: i, LineRef: l.Line, SKU: l.SKU, Quantity: l.Quantity - served[i]})
		}
	}
	return out
}

// reserveIDs names the reservations of an allocation made under an
// idempotency key "key/line/n", so that a replay can be mapped back to the
// request's lines.
func reserveIDs(op *Reserve, a *Allocation, key string) {
	if key == "" {
		return
	}
	for i := range op.Lines {
		op.Lines[i].ID = key + "/" + strconv.Itoa(a.Assignments[i].Line) + "/" + strconv.Itoa(i)
	}
}
