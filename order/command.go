package order

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Request is a command's input: one of the *Request types of this package
// ([ConfirmRequest], [AllocateRequest], ...). [Order.Execute] runs any of
// them; each also has its own method, such as [Order.Cancel]. Requests are
// plain values that encode to JSON, which is how [Service] recognises a
// retried request by its idempotency key.
type Request interface {
	// Command names the command the request runs.
	Command() Command
	// decide checks the request against o and returns the event data.
	decide(o *Order, now time.Time) (EventData, error)
}

// PlaceRequest is the input of [Place]: everything about a new order.
type PlaceRequest struct {
	Channel  Channel          `json:"channel"`            // where it came from; required
	Customer string           `json:"customer,omitempty"` // the host's customer reference
	ShipTo   fulfill.Address  `json:"ship_to"`            // validated with [fulfill.Address.Validate]
	Currency fulfill.Currency `json:"currency"`           // of every amount; required
	Lines    []NewLine        `json:"lines"`              // at least one; IDs are assigned 1, 2, ...
	// Discount is the order-level discount, spread over the lines in
	// proportion to their value. Zero means none.
	Discount     fulfill.Money `json:"discount"`
	Shipping     fulfill.Money `json:"shipping"`                // the shipping charge; zero means free
	ServiceLevel string        `json:"service_level,omitempty"` // such as "standard", "express"
	ShipBy       time.Time     `json:"ship_by,omitzero"`
	PromisedBy   time.Time     `json:"promised_by,omitzero"`
	Priority     int           `json:"priority,omitempty"`
	// TTL is how long the order may stay unconfirmed before [ExpireRequest]
	// may cancel it. Zero means it never expires.
	TTL time.Duration `json:"ttl,omitempty"`
}

// Place returns a new pending order placed at now by owner, with the
// [Placed] event that records it. Invalid input returns the failures joined,
// each a *[fulfill.FieldError] of kind [ErrInvalidOrder] (or of the kind of
// the failing value, such as [fulfill.ErrInvalidAddress]).
func Place(id fulfill.OrderID, owner fulfill.OwnerID, now time.Time, r PlaceRequest) (*Order, []Event, error) {
	if r.TTL < 0 {
		return nil, nil, invalid("ttl", r.TTL.String(), "negative")
	}
	d := Placed{
		Channel: r.Channel, Customer: r.Customer, ShipTo: r.ShipTo, Currency: r.Currency,
		Lines: slices.Clone(r.Lines), Discount: r.Discount, Shipping: r.Shipping, ServiceLevel: r.ServiceLevel,
		ShipBy: r.ShipBy, PromisedBy: r.PromisedBy, Priority: r.Priority,
	}
	if r.TTL > 0 {
		d.ExpiresAt = now.Add(r.TTL)
	}
	for i := range d.Lines {
		if d.Lines[i].ID != 0 {
			return nil, nil, invalid(fmt.Sprintf("lines[%d].id", i), d.Lines[i].ID.String(), "assigned by the order; leave it zero")
		}
		d.Lines[i].ID = LineID(i + 1)
	}
	e := Event{ID: eventID(id, 1), OrderID: id, Owner: owner, Version: 1, At: now, Data: d}
	o := &Order{}
	if err := o.applyEvent(&e); err != nil {
		var ee *EventError
		if ok := asEventError(err, &ee); ok {
			return nil, nil, ee.Err
		}
		return nil, nil, err
	}
	return o, []Event{e}, nil
}

// asEventError unwraps an *EventError.
func asEventError(err error, target **EventError) bool {
	e, ok := err.(*EventError)
	if ok {
		*target = e
	}
	return ok
}

// Execute runs the command of r at time now: it checks that the order's
// status allows it (a *[TransitionError] if not), decides the event,
// applies it and checks every invariant. It returns the events applied. On
// error the order is unchanged.
func (o *Order) Execute(now time.Time, r Request) ([]Event, error) {
	if r == nil {
		return nil, invalid("request", "", "required")
	}
	if err := o.Can(r.Command()); err != nil {
		return nil, err
	}
	data, err := r.decide(o, now)
	if err != nil {
		return nil, err
	}
	e := Event{ID: eventID(o.id, o.version+1), OrderID: o.id, Owner: o.owner, Version: o.version + 1, At: now, Data: data}
	c := o.Clone()
	if err := c.applyEvent(&e); err != nil {
		var ee *EventError
		if asEventError(err, &ee) {
			return nil, ee.Err
		}
		return nil, err
	}
	*o = *c
	return []Event{e}, nil
}

// ConfirmRequest confirms a pending order: the approval gate (payment
// captured, B2B credit approved) before any stock is allocated.
type ConfirmRequest struct{}

// AllocateRequest allocates units of lines at a location. Units come from a
// line's unallocated units first, then from its backordered ones. They go
// into the fulfillment order at that location that has not started, or a
// new one.
type AllocateRequest struct {
	Location fulfill.LocationID `json:"location"`
	Lines    []LineQuantity     `json:"lines"`
}

// BackorderRequest sets unallocated units to wait for stock.
type BackorderRequest struct {
	Lines []LineQuantity `json:"lines"`
}

// PickRequest records allocated units picked in a fulfillment order.
type PickRequest struct {
	Fulfillment FulfillmentID  `json:"fulfillment"`
	Lines       []LineQuantity `json:"lines"`
}

// PackRequest records units packed in a fulfillment order; they come from
// its picked units first, then its allocated ones (for locations that do
// not record picks).
type PackRequest struct {
	Fulfillment FulfillmentID  `json:"fulfillment"`
	Lines       []LineQuantity `json:"lines"`
}

// ShipRequest records a shipment leaving a fulfillment order. Units come
// from the packed units first, then picked, then allocated. Empty Lines
// ships everything the fulfillment order has left.
type ShipRequest struct {
	Shipment    string         `json:"shipment"` // the host's shipment ID, unique in the order
	Fulfillment FulfillmentID  `json:"fulfillment"`
	Lines       []LineQuantity `json:"lines,omitempty"`
}

// DeliverRequest records that a shipment arrived.
type DeliverRequest struct {
	Shipment string `json:"shipment"`
}

// CancelRequest cancels units that have not shipped. Empty Lines cancels
// every unit not yet shipped (the whole order, if nothing shipped). Units
// come from the unallocated units first, then backordered, then the
// fulfillment orders from the newest: allocated, picked, packed. The event
// carries the money each line releases ([Order.ValueOfUnits]).
type CancelRequest struct {
	Lines  []LineQuantity `json:"lines,omitempty"`
	Reason string         `json:"reason,omitempty"`
}

// HoldRequest places holds. Each needs an ID not already active.
type HoldRequest struct {
	Holds []Hold `json:"holds"`
}

// ReleaseRequest releases holds by ID. If Due is set it also releases every
// [HoldScheduled] hold whose Until has come.
type ReleaseRequest struct {
	Holds []string `json:"holds,omitempty"`
	Due   bool     `json:"due,omitempty"`
}

// EditRequest stages changes to an order: add lines, remove lines, change
// quantities, change the address. [Order.PreviewEdit] shows the result;
// [Order.Edit] commits all of it or nothing. A line may be removed only if
// no unit of it was cancelled, allocated or further along; a quantity may
// shrink only by unallocated units; the address may change only while
// nothing is picked, packed or shipped. Changing lines changes line totals
// (the order discount is spread anew) but not the money cancellations
// already released ([Order.ValueOfUnits]); an edit that would lower a line's
// total below that money is refused with a *[ReleasedError].
type EditRequest struct {
	Add         []NewLine        `json:"add,omitempty"`
	Remove      []LineID         `json:"remove,omitempty"`
	SetQuantity []LineQuantity   `json:"set_quantity,omitempty"`
	ShipTo      *fulfill.Address `json:"ship_to,omitempty"`
}

// ExpireRequest cancels an unconfirmed order whose TTL has passed. An order
// placed without a TTL never expires.
type ExpireRequest struct{}

// ReopenRequest opens a closed order again.
type ReopenRequest struct{}

// CloseRequest archives an order with nothing left to do: every live unit
// shipped and delivered or returned, and no return awaited; or cancelled.
type CloseRequest struct{}

// RequestReturnRequest records that a return was requested for shipped units.
type RequestReturnRequest struct {
	Reference string         `json:"reference,omitempty"`
	Lines     []LineQuantity `json:"lines"`
}

// RecordReturnRequest records shipped units received back; they settle
// requested returns first.
type RecordReturnRequest struct {
	Reference string         `json:"reference,omitempty"`
	Lines     []LineQuantity `json:"lines"`
}

// WithdrawReturnRequest withdraws return requests that will not be
// fulfilled, such as a customer keeping the goods after all.
type WithdrawReturnRequest struct {
	Reference string         `json:"reference,omitempty"`
	Lines     []LineQuantity `json:"lines"`
}

// SplitRequest moves allocated units of a fulfillment order into a new one
// at the same location.
type SplitRequest struct {
	Fulfillment FulfillmentID  `json:"fulfillment"`
	Lines       []LineQuantity `json:"lines"`
}

// MoveRequest moves a fulfillment order that has not started to another
// location. To move what is left of a started one, split it first.
type MoveRequest struct {
	Fulfillment FulfillmentID      `json:"fulfillment"`
	To          fulfill.LocationID `json:"to"`
}

// MergeRequest folds fulfillment order From, which must not have started,
// into Into at the same location.
type MergeRequest struct {
	Into FulfillmentID `json:"into"`
	From FulfillmentID `json:"from"`
}

// Command returns [CommandConfirm].
func (ConfirmRequest) Command() Command { return CommandConfirm }

// Command returns [CommandAllocate].
func (AllocateRequest) Command() Command { return CommandAllocate }

// Command returns [CommandBackorder].
func (BackorderRequest) Command() Command { return CommandBackorder }

// Command returns [CommandPick].
func (PickRequest) Command() Command { return CommandPick }

// Command returns [CommandPack].
func (PackRequest) Command() Command { return CommandPack }

// Command returns [CommandShip].
func (ShipRequest) Command() Command { return CommandShip }

// Command returns [CommandDeliver].
func (DeliverRequest) Command() Command { return CommandDeliver }

// Command returns [CommandCancel].
func (CancelRequest) Command() Command { return CommandCancel }

// Command returns [CommandHold].
func (HoldRequest) Command() Command { return CommandHold }

// Command returns [CommandRelease].
func (ReleaseRequest) Command() Command { return CommandRelease }

// Command returns [CommandEdit].
func (EditRequest) Command() Command { return CommandEdit }

// Command returns [CommandExpire].
func (ExpireRequest) Command() Command { return CommandExpire }

// Command returns [CommandReopen].
func (ReopenRequest) Command() Command { return CommandReopen }

// Command returns [CommandClose].
func (CloseRequest) Command() Command { return CommandClose }

// Command returns [CommandRequestReturn].
func (RequestReturnRequest) Command() Command { return CommandRequestReturn }

// Command returns [CommandRecordReturn].
func (RecordReturnRequest) Command() Command { return CommandRecordReturn }

// Command returns [CommandWithdrawReturn].
func (WithdrawReturnRequest) Command() Command { return CommandWithdrawReturn }

// Command returns [CommandSplit].
func (SplitRequest) Command() Command { return CommandSplit }

// Command returns [CommandMove].
func (MoveRequest) Command() Command { return CommandMove }

// Command returns [CommandMerge].
func (MergeRequest) Command() Command { return CommandMerge }

// Confirm runs a [ConfirmRequest].
func (o *Order) Confirm(now time.Time) ([]Event, error) { return o.Execute(now, ConfirmRequest{}) }

// Allocate runs an [AllocateRequest].
func (o *Order) Allocate(now time.Time, r AllocateRequest) ([]Event, error) { return o.Execute(now, r) }

// Backorder runs a [BackorderRequest].
func (o *Order) Backorder(now time.Time, r BackorderRequest) ([]Event, error) {
	return o.Execute(now, r)
}

// Pick runs a [PickRequest].
func (o *Order) Pick(now time.Time, r PickRequest) ([]Event, error) { return o.Execute(now, r) }

// Pack runs a [PackRequest].
func (o *Order) Pack(now time.Time, r PackRequest) ([]Event, error) { return o.Execute(now, r) }

// Ship runs a [ShipRequest].
func (o *Order) Ship(now time.Time, r ShipRequest) ([]Event, error) { return o.Execute(now, r) }

// Deliver runs a [DeliverRequest].
func (o *Order) Deliver(now time.Time, r DeliverRequest) ([]Event, error) { return o.Execute(now, r) }

// Cancel runs a [CancelRequest].
func (o *Order) Cancel(now time.Time, r CancelRequest) ([]Event, error) { return o.Execute(now, r) }

// Hold runs a [HoldRequest].
func (o *Order) Hold(now time.Time, r HoldRequest) ([]Event, error) { return o.Execute(now, r) }

// Release runs a [ReleaseRequest].
func (o *Order) Release(now time.Time, r ReleaseRequest) ([]Event, error) { return o.Execute(now, r) }

// Edit commits an [EditRequest].
func (o *Order) Edit(now time.Time, r EditRequest) ([]Event, error) { return o.Execute(now, r) }

// PreviewEdit returns the order as r would leave it, without changing o:
// the staging step of an edit. Commit it with [Order.Edit].
func (o *Order) PreviewEdit(now time.Time, r EditRequest) (*Order, error) {
	c := o.Clone()
	if _, err := c.Execute(now, r); err != nil {
		return nil, err
	}
	return c, nil
}

// Expire runs an [ExpireRequest].
func (o *Order) Expire(now time.Time) ([]Event, error) { return o.Execute(now, ExpireRequest{}) }

// Reopen runs a [ReopenRequest].
func (o *Order) Reopen(now time.Time) ([]Event, error) { return o.Execute(now, ReopenRequest{}) }

// Close runs a [CloseRequest].
func (o *Order) Close(now time.Time) ([]Event, error) { return o.Execute(now, CloseRequest{}) }

// RequestReturn runs a [RequestReturnRequest].
func (o *Order) RequestReturn(now time.Time, r RequestReturnRequest) ([]Event, error) {
	return o.Execute(now, r)
}

// RecordReturn runs a [RecordReturnRequest].
func (o *Order) RecordReturn(now time.Time, r RecordReturnRequest) ([]Event, error) {
	return o.Execute(now, r)
}

// WithdrawReturn runs a [WithdrawReturnRequest].
func (o *Order) WithdrawReturn(now time.Time, r WithdrawReturnRequest) ([]Event, error) {
	return o.Execute(now, r)
}

// Split runs a [SplitRequest].
func (o *Order) Split(now time.Time, r SplitRequest) ([]Event, error) { return o.Execute(now, r) }

// Move runs a [MoveRequest].
func (o *Order) Move(now time.Time, r MoveRequest) ([]Event, error) { return o.Execute(now, r) }

// Merge runs a [MergeRequest].
func (o *Order) Merge(now time.Time, r MergeRequest) ([]Event, error) { return o.Execute(now, r) }

// checkLines validates a list of line quantities: at least one, each line
// known, each quantity positive, no line twice.
func (o *Order) checkLines(lines []LineQuantity) error {
	if len(lines) == 0 {
		return invalid("lines", "", "required")
	}
	seen := make(map[LineID]bool, len(lines))
	for i, lq := range lines {
		if o.lineIndex(lq.Line) < 0 {
			return &ReferenceError{Kind: "line", ID: lq.Line.String()}
		}
		if seen[lq.Line] {
			return invalid(fmt.Sprintf("lines[%d].line", i), lq.Line.String(), "listed twice")
		}
		seen[lq.Line] = true
		if lq.Quantity <= 0 || lq.Quantity > MaxQuantity {
			return invalid(fmt.Sprintf("lines[%d].quantity", i), fmt.Sprint(lq.Quantity), fmt.Sprintf("must be 1 to %d", MaxQuantity))
		}
	}
	return nil
}

func (ConfirmRequest) decide(*Order, time.Time) (EventData, error) { return Confirmed{}, nil }

func (r AllocateRequest) decide(o *Order, _ time.Time) (EventData, error) {
	if err := r.Location.Validate(); err != nil {
		return nil, err
	}
	if err := o.checkLines(r.Lines); err != nil {
		return nil, err
	}
	d := Allocated{Location: r.Location, Fulfillment: o.nextFulfillment + 1}
	for i := len(o.fulfillments) - 1; i >= 0; i-- {
		if f := o.fulfillments[i]; f.Location == r.Location && !f.started() {
			d.Fulfillment = f.ID
			break
		}
	}
	for _, lq := range r.Lines {
		l, _ := o.Line(lq.Line)
		if have := l.Unallocated() + l.Backordered; lq.Quantity > have {
			return nil, &QuantityError{Line: l.ID, Bucket: BucketUnallocated, Available: have, Requested: lq.Quantity}
		}
		un := min(lq.Quantity, l.Unallocated())
		d.Lines = append(d.Lines, AllocatedLine{Line: l.ID, Unallocated: un, Backordered: lq.Quantity - un})
	}
	return d, nil
}

func (r BackorderRequest) decide(o *Order, _ time.Time) (EventData, error) {
	if err := o.checkLines(r.Lines); err != nil {
		return nil, err
	}
	for _, lq := range r.Lines {
		l, _ := o.Line(lq.Line)
		if lq.Quantity > l.Unallocated() {
			return nil, &QuantityError{Line: l.ID, Bucket: BucketUnallocated, Available: l.Unallocated(), Requested: lq.Quantity}
		}
	}
	return Backordered{Lines: slices.Clone(r.Lines)}, nil
}

// steps decides which buckets of fulfillment id supply lines, trying the
// buckets in the order given.
func (o *Order) steps(id FulfillmentID, lines []LineQuantity, from ...Bucket) ([]StepLine, error) {
	f, err := o.fulfillmentPtr(id)
	if err != nil {
		return nil, err
	}
	if err := o.checkLines(lines); err != nil {
		return nil, err
	}
	out := make([]StepLine, 0, len(lines))
	for _, lq := range lines {
		var fl FulfillmentLine
		if i := f.line(lq.Line); i >= 0 {
			fl = f.Lines[i]
		}
		s, left := StepLine{Line: lq.Line}, lq.Quantity
		for _, b := range from {
			var n int64
			switch b {
			case BucketPacked:
				n = min(left, fl.Packed)
				s.Packed = n
			case BucketPicked:
				n = min(left, fl.Picked)
				s.Picked = n
			case BucketAllocated:
				n = min(left, fl.Allocated)
				s.Allocated = n
			}
			left -= n
		}
		if left > 0 {
			return nil, &QuantityError{Line: lq.Line, Bucket: from[len(from)-1], Available: lq.Quantity - left, Requested: lq.Quantity}
		}
		out = append(out, s)
	}
	return out, nil
}

func (r PickRequest) decide(o *Order, _ time.Time) (EventData, error) {
	s, err := o.steps(r.Fulfillment, r.Lines, BucketAllocated)
	if err != nil {
		return nil, err
	}
	return Picked{Fulfillment: r.Fulfillment, Lines: s}, nil
}

func (r PackRequest) decide(o *Order, _ time.Time) (EventData, error) {
	s, err := o.steps(r.Fulfillment, r.Lines, BucketPicked, BucketAllocated)
	if err != nil {
		return nil, err
	}
	return Packed{Fulfillment: r.Fulfillment, Lines: s}, nil
}

func (r ShipRequest) decide(o *Order, _ time.Time) (EventData, error) {
	if strings.TrimSpace(r.Shipment) == "" {
		return nil, invalid("shipment", r.Shipment, "required")
	}
	if slices.ContainsFunc(o.shipments, func(s Shipment) bool { return s.ID == r.Shipment }) {
		return nil, invalid("shipment", r.Shipment, "already recorded")
	}
	lines := r.Lines
	if len(lines) == 0 {
		f, err := o.fulfillmentPtr(r.Fulfillment)
		if err != nil {
			return nil, err
		}
		for _, fl := range f.Lines {
			if n := fl.Allocated + fl.Picked + fl.Packed; n > 0 {
				lines = append(lines, LineQuantity{Line: fl.Line, Quantity: n})
			}
		}
		if len(lines) == 0 {
			return nil, &QuantityError{Bucket: BucketAllocated, Available: 0, Requested: 0}
		}
	}
	s, err := o.steps(r.Fulfillment, lines, BucketPacked, BucketPicked, BucketAllocated)
	if err != nil {
		return nil, err
	}
	return Shipped{Shipment: r.Shipment, Fulfillment: r.Fulfillment, Lines: s}, nil
}

func (r DeliverRequest) decide(o *Order, _ time.Time) (EventData, error) {
	i := slices.IndexFunc(o.shipments, func(s Shipment) bool { return s.ID == r.Shipment })
	if i < 0 {
		return nil, &ReferenceError{Kind: "shipment", ID: r.Shipment}
	}
	if o.shipments[i].Delivered {
		return nil, &TransitionError{From: o.Status(), Command: CommandDeliver, Reason: fmt.Sprintf("shipment %q is already delivered", r.Shipment)}
	}
	return Delivered{Shipment: r.Shipment}, nil
}

// cancelLines decides how n units of line l are cancelled and what they release.
func (o *Order) cancelLine(l Line, n int64, totals Totals) (CancelledLine, error) {
	if n > l.Unshipped() {
		return CancelledLine{}, &QuantityError{Line: l.ID, Bucket: BucketCancelled, Available: l.Unshipped(), Requested: n}
	}
	c := CancelledLine{Line: l.ID}
	left := n
	c.Unallocated = min(left, l.Unallocated())
	left -= c.Unallocated
	c.Backordered = min(left, l.Backordered)
	left -= c.Backordered
	for i := len(o.fulfillments) - 1; i >= 0 && left > 0; i-- {
		f := o.fulfillments[i]
		j := f.line(l.ID)
		if j < 0 {
			continue
		}
		fl := f.Lines[j]
		t := Take{Fulfillment: f.ID}
		t.Allocated = min(left, fl.Allocated)
		left -= t.Allocated
		t.Picked = min(left, fl.Picked)
		left -= t.Picked
		t.Packed = min(left, fl.Packed)
		left -= t.Packed
		if t.Allocated+t.Picked+t.Packed > 0 {
			c.From = append(c.From, t)
		}
	}
	amount, err := valueOfUnits(totals.Lines[o.lineIndex(l.ID)], l, l.Cancelled, n)
	if err != nil {
		return CancelledLine{}, err
	}
	c.Amount = amount
	return c, nil
}

// cancelAll decides the cancellation of every unshipped unit.
func (o *Order) cancelAll() ([]CancelledLine, error) {
	totals, err := computeTotals(o.currency, o.lines, o.discount, o.shipping, false)
	if err != nil {
		return nil, err
	}
	var out []CancelledLine
	for _, l := range o.lines {
		if n := l.Unshipped(); n > 0 {
			c, err := o.cancelLine(l, n, totals)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func (r CancelRequest) decide(o *Order, _ time.Time) (EventData, error) {
	if len(r.Lines) == 0 {
		lines, err := o.cancelAll()
		if err != nil {
			return nil, err
		}
		return Cancelled{Whole: true, Reason: r.Reason, Lines: lines}, nil
	}
	if err := o.checkLines(r.Lines); err != nil {
		return nil, err
	}
	totals, err := computeTotals(o.currency, o.lines, o.discount, o.shipping, false)
	if err != nil {
		return nil, err
	}
	d := Cancelled{Reason: r.Reason}
	for _, lq := range r.Lines {
		l, _ := o.Line(lq.Line)
		c, err := o.cancelLine(l, lq.Quantity, totals)
		if err != nil {
			return nil, err
		}
		d.Lines = append(d.Lines, c)
	}
	return d, nil
}

func (r HoldRequest) decide(o *Order, _ time.Time) (EventData, error) {
	if len(r.Holds) == 0 {
		return nil, invalid("holds", "", "required")
	}
	seen := map[string]bool{}
	for i, h := range r.Holds {
		if err := validateHold(h); err != nil {
			return nil, err
		}
		if seen[h.ID] || slices.ContainsFunc(o.holds, func(x Hold) bool { return x.ID == h.ID }) {
			return nil, invalid(fmt.Sprintf("holds[%d].id", i), h.ID, "already active")
		}
		seen[h.ID] = true
	}
	holds := slices.Clone(r.Holds)
	for i := range holds {
		holds[i].Since = time.Time{}
	}
	return Held{Holds: holds}, nil
}

func (r ReleaseRequest) decide(o *Order, now time.Time) (EventData, error) {
	var ids []string
	for _, id := range r.Holds {
		if !slices.ContainsFunc(o.holds, func(h Hold) bool { return h.ID == id }) {
			return nil, &ReferenceError{Kind: "hold", ID: id}
		}
		if slices.Contains(ids, id) {
			return nil, invalid("holds", id, "listed twice")
		}
		ids = append(ids, id)
	}
	if r.Due {
		for _, h := range o.holds {
			if h.Kind == HoldScheduled && !now.Before(h.Until) && !slices.Contains(ids, h.ID) {
				ids = append(ids, h.ID)
			}
		}
	}
	if len(ids) == 0 {
		return nil, &TransitionError{From: o.Status(), Command: CommandRelease, Reason: "no hold named and none due"}
	}
	return Released{Holds: ids}, nil
}

func (r EditRequest) decide(o *Order, _ time.Time) (EventData, error) {
	if len(r.Add)+len(r.Remove)+len(r.SetQuantity) == 0 && r.ShipTo == nil {
		return nil, invalid("edit", "", "no change")
	}
	d := Edited{Removed: slices.Clone(r.Remove), Quantities: slices.Clone(r.SetQuantity)}
	for _, id := range r.Remove {
		if o.lineIndex(id) < 0 {
			return nil, &ReferenceError{Kind: "line", ID: id.String()}
		}
		if slices.ContainsFunc(r.SetQuantity, func(lq LineQuantity) bool { return lq.Line == id }) {
			return nil, invalid("set_quantity", id.String(), "line is also removed")
		}
	}
	if len(r.SetQuantity) > 0 {
		if err := o.checkLines(r.SetQuantity); err != nil {
			return nil, err
		}
	}
	next := o.nextLine
	for i, nl := range r.Add {
		if nl.ID != 0 {
			return nil, invalid(fmt.Sprintf("add[%d].id", i), nl.ID.String(), "assigned by the order; leave it zero")
		}
		next++
		nl.ID = next
		d.Added = append(d.Added, nl)
	}
	if r.ShipTo != nil {
		a := *r.ShipTo
		d.ShipTo = &a
	}
	if err := o.checkReleased(d); err != nil {
		return nil, err
	}
	return d, nil
}

// checkReleased refuses an edit that would lower a line's total below
// what its cancellations released. An edit that fails for another reason
// passes here; applying it reports that reason.
func (o *Order) checkReleased(d Edited) error {
	before, err := computeTotals(o.currency, o.lines, o.discount, o.shipping, false)
	if err != nil {
		return nil
	}
	c := o.Clone()
	if err := d.apply(c, nil); err != nil {
		return nil
	}
	after, err := computeTotals(c.currency, c.lines, c.discount, c.shipping, false)
	if err != nil {
		return nil
	}
	for i, l := range c.lines {
		j := o.lineIndex(l.ID)
		if j < 0 {
			continue
		}
		below, err1 := after.Lines[i].Cmp(l.CancelledValue)
		lower, err2 := after.Lines[i].Cmp(before.Lines[j])
		if err1 == nil && err2 == nil && below < 0 && lower < 0 {
			return &ReleasedError{Line: l.ID, Total: after.Lines[i], Released: l.CancelledValue}
		}
	}
	return nil
}

func (ExpireRequest) decide(o *Order, now time.Time) (EventData, error) {
	if now.Before(o.expiresAt) {
		return nil, &TransitionError{From: o.Status(), Command: CommandExpire, Reason: "the order expires at " + o.expiresAt.UTC().Format(time.RFC3339)}
	}
	lines, err := o.cancelAll()
	if err != nil {
		return nil, err
	}
	return Expired{Lines: lines}, nil
}

func (ReopenRequest) decide(*Order, time.Time) (EventData, error) { return Reopened{}, nil }

func (CloseRequest) decide(*Order, time.Time) (EventData, error) { return Closed{}, nil }

func (r RequestReturnRequest) decide(o *Order, _ time.Time) (EventData, error) {
	if err := o.checkLines(r.Lines); err != nil {
		return nil, err
	}
	for _, lq := range r.Lines {
		l, _ := o.Line(lq.Line)
		if room := l.Shipped - l.Returned - l.ReturnRequested; lq.Quantity > room {
			return nil, &QuantityError{Line: l.ID, Bucket: BucketReturnRequested, Available: room, Requested: lq.Quantity}
		}
	}
	return ReturnRequested{Reference: r.Reference, Lines: slices.Clone(r.Lines)}, nil
}

func (r RecordReturnRequest) decide(o *Order, _ time.Time) (EventData, error) {
	if err := o.checkLines(r.Lines); err != nil {
		return nil, err
	}
	d := Returned{Reference: r.Reference}
	for _, lq := range r.Lines {
		l, _ := o.Line(lq.Line)
		if room := l.Shipped - l.Returned; lq.Quantity > room {
			return nil, &QuantityError{Line: l.ID, Bucket: BucketReturned, Available: room, Requested: lq.Quantity}
		}
		d.Lines = append(d.Lines, ReturnedLine{Line: l.ID, Quantity: lq.Quantity, FromRequested: min(lq.Quantity, l.ReturnRequested)})
	}
	return d, nil
}

func (r WithdrawReturnRequest) decide(o *Order, _ time.Time) (EventData, error) {
	if err := o.checkLines(r.Lines); err != nil {
		return nil, err
	}
	for _, lq := range r.Lines {
		l, _ := o.Line(lq.Line)
		if lq.Quantity > l.ReturnRequested {
			return nil, &QuantityError{Line: l.ID, Bucket: BucketReturnRequested, Available: l.ReturnRequested, Requested: lq.Quantity}
		}
	}
	return ReturnWithdrawn{Reference: r.Reference, Lines: slices.Clone(r.Lines)}, nil
}

func (r SplitRequest) decide(o *Order, _ time.Time) (EventData, error) {
	if _, err := o.steps(r.Fulfillment, r.Lines, BucketAllocated); err != nil {
		return nil, err
	}
	return Split{From: r.Fulfillment, New: o.nextFulfillment + 1, Lines: slices.Clone(r.Lines)}, nil
}

func (r MoveRequest) decide(o *Order, _ time.Time) (EventData, error) {
	f, err := o.fulfillmentPtr(r.Fulfillment)
	if err != nil {
		return nil, err
	}
	if err := r.To.Validate(); err != nil {
		return nil, err
	}
	if f.Location == r.To {
		return nil, invalid("to", string(r.To), "the fulfillment order is already there")
	}
	if f.started() {
		return nil, &TransitionError{From: o.Status(), Command: CommandMove, Reason: fmt.Sprintf("fulfillment %d has started; split off its allocated units and move those", f.ID)}
	}
	return Moved{Fulfillment: f.ID, From: f.Location, To: r.To}, nil
}

func (r MergeRequest) decide(o *Order, _ time.Time) (EventData, error) {
	into, err := o.fulfillmentPtr(r.Into)
	if err != nil {
		return nil, err
	}
	from, err := o.fulfillmentPtr(r.From)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Into == r.From:
		return nil, invalid("from", r.From.String(), "cannot merge a fulfillment order into itself")
	case into.Location != from.Location:
		return nil, invalid("from", r.From.String(), fmt.Sprintf("at %q, not %q", from.Location, into.Location))
	case from.started():
		return nil, &TransitionError{From: o.Status(), Command: CommandMerge, Reason: fmt.Sprintf("fulfillment %d has started", from.ID)}
	}
	return Merged{Into: r.Into, From: r.From}, nil
}
