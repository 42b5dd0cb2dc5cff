package order

import (
	"fmt"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// NewLine describes a line to add to an order, when placing or editing it.
// Prices are per unit and in the order's currency; UnitDiscount and UnitTax
// may be left as the zero Money.
type NewLine struct {
	// ID is assigned by the order; leave it zero in a request. It is set in
	// the [Placed] and [Edited] events.
	ID           LineID        `json:"id,omitempty"`
	SKU          fulfill.SKU   `json:"sku"`
	Quantity     int64         `json:"quantity"`
	UnitPrice    fulfill.Money `json:"unit_price"`
	UnitDiscount fulfill.Money `json:"unit_discount"`
	UnitTax      fulfill.Money `json:"unit_tax"`
}

// Placed records a new order. It is always the first event, at version 1.
type Placed struct {
	Channel      Channel          `json:"channel"`
	Customer     string           `json:"customer,omitempty"`
	ShipTo       fulfill.Address  `json:"ship_to"`
	Currency     fulfill.Currency `json:"currency"`
	Lines        []NewLine        `json:"lines"`
	Discount     fulfill.Money    `json:"discount"`
	Shipping     fulfill.Money    `json:"shipping"`
	ServiceLevel string           `json:"service_level,omitempty"`
	ShipBy       time.Time        `json:"ship_by,omitzero"`
	PromisedBy   time.Time        `json:"promised_by,omitzero"`
	ExpiresAt    time.Time        `json:"expires_at,omitzero"`
	Priority     int              `json:"priority,omitempty"`
}

// Confirmed records that the order passed its confirmation gate.
type Confirmed struct{}

// AllocatedLine says how many units of a line were allocated, and from
// which bucket they came.
type AllocatedLine struct {
	Line        LineID `json:"line"`
	Unallocated int64  `json:"unallocated"` // taken from the unallocated units
	Backordered int64  `json:"backordered"` // taken from the backordered units
}

// Allocated records units allocated at a location, into fulfillment order
// Fulfillment (created by this event if it is new).
type Allocated struct {
	Location    fulfill.LocationID `json:"location"`
	Fulfillment FulfillmentID      `json:"fulfillment"`
	Lines       []AllocatedLine    `json:"lines"`
}

// Backordered records unallocated units set to wait for stock.
type Backordered struct {
	Lines []LineQuantity `json:"lines"`
}

// StepLine says how many units of a line moved one step forward, and from
// which buckets of the fulfillment order they came.
type StepLine struct {
	Line      LineID `json:"line"`
	Allocated int64  `json:"allocated,omitempty"`
	Picked    int64  `json:"picked,omitempty"`
	Packed    int64  `json:"packed,omitempty"`
}

// total returns the units the step moves.
func (s StepLine) total() int64 { return s.Allocated + s.Picked + s.Packed }

// Picked records allocated units picked in a fulfillment order.
type Picked struct {
	Fulfillment FulfillmentID `json:"fulfillment"`
	Lines       []StepLine    `json:"lines"`
}

// Packed records units packed in a fulfillment order.
type Packed struct {
	Fulfillment FulfillmentID `json:"fulfillment"`
	Lines       []StepLine    `json:"lines"`
}

// Shipped records a shipment leaving a fulfillment order.
type Shipped struct {
	Shipment    string        `json:"shipment"`
	Fulfillment FulfillmentID `json:"fulfillment"`
	Lines       []StepLine    `json:"lines"`
}

// Delivered records that a shipment arrived.
type Delivered struct {
	Shipment string `json:"shipment"`
}

// Take is what a cancellation took from one fulfillment order.
type Take struct {
	Fulfillment FulfillmentID `json:"fulfillment"`
	Allocated   int64         `json:"allocated,omitempty"`
	Picked      int64         `json:"picked,omitempty"`
	Packed      int64         `json:"packed,omitempty"`
}

// CancelledLine says how many units of a line were cancelled, from which
// buckets, and the money they released.
type CancelledLine struct {
	Line        LineID `json:"line"`
	Unallocated int64  `json:"unallocated,omitempty"`
	Backordered int64  `json:"backordered,omitempty"`
	From        []Take `json:"from,omitempty"`
	// Amount is the money the units released: [Order.ValueOfUnits] of the
	// units after those already cancelled, when they were cancelled. It is
	// fixed once recorded; a later edit of the line does not change it, and
	// the line's later cancellations release what is left of its total.
	Amount fulfill.Money `json:"amount"`
}

// Quantity returns the units cancelled.
func (c CancelledLine) Quantity() int64 {
	n := c.Unallocated + c.Backordered
	for _, t := range c.From {
		n += t.Allocated + t.Picked + t.Packed
	}
	return n
}

// Cancelled records cancelled units. Whole is set when the command cancelled
// everything not yet shipped.
type Cancelled struct {
	Whole  bool            `json:"whole,omitempty"`
	Reason string          `json:"reason,omitempty"`
	Lines  []CancelledLine `json:"lines"`
}

// Held records holds placed on the order.
type Held struct {
	Holds []Hold `json:"holds"`
}

// Released records holds released, by ID.
type Released struct {
	Holds []string `json:"holds"`
}

// Edited records a committed edit.
type Edited struct {
	Added      []NewLine        `json:"added,omitempty"`
	Removed    []LineID         `json:"removed,omitempty"`
	Quantities []LineQuantity   `json:"quantities,omitempty"` // new ordered quantities
	ShipTo     *fulfill.Address `json:"ship_to,omitempty"`
}

// Expired records an unconfirmed order cancelled because its time ran out.
type Expired struct {
	Lines []CancelledLine `json:"lines"`
}

// Reopened records a closed order opened again.
type Reopened struct{}

// Closed records an order archived.
type Closed struct{}

// ReturnRequested records units a return was requested for.
type ReturnRequested struct {
	Reference string         `json:"reference,omitempty"` // the host's return authorisation
	Lines     []LineQuantity `json:"lines"`
}

// ReturnedLine says how many units of a line came back, and how many of
// them had a return requested.
type ReturnedLine struct {
	Line          LineID `json:"line"`
	Quantity      int64  `json:"quantity"`
	FromRequested int64  `json:"from_requested"`
}

// Returned records units received back.
type Returned struct {
	Reference string         `json:"reference,omitempty"`
	Lines     []ReturnedLine `json:"lines"`
}

// ReturnWithdrawn records return requests withdrawn.
type ReturnWithdrawn struct {
	Reference string         `json:"reference,omitempty"`
	Lines     []LineQuantity `json:"lines"`
}

// Split records allocated units moved from one fulfillment order to a new
// one at the same location.
type Split struct {
	From  FulfillmentID  `json:"from"`
	New   FulfillmentID  `json:"new"`
	Lines []LineQuantity `json:"lines"`
}

// Moved records a fulfillment order moved to another location.
type Moved struct {
	Fulfillment FulfillmentID      `json:"fulfillment"`
	From        fulfill.LocationID `json:"from"`
	To          fulfill.LocationID `json:"to"`
}

// Merged records a fulfillment order folded into another at the same location.
type Merged struct {
	Into FulfillmentID `json:"into"`
	From FulfillmentID `json:"from"`
}

// EventType returns [EventPlaced].
func (Placed) EventType() EventType { return EventPlaced }

// EventType returns [EventConfirmed].
func (Confirmed) EventType() EventType { return EventConfirmed }

// EventType returns [EventAllocated].
func (Allocated) EventType() EventType { return EventAllocated }

// EventType returns [EventBackordered].
func (Backordered) EventType() EventType { return EventBackordered }

// EventType returns [EventPicked].
func (Picked) EventType() EventType { return EventPicked }

// EventType returns [EventPacked].
func (Packed) EventType() EventType { return EventPacked }

// EventType returns [EventShipped].
func (Shipped) EventType() EventType { return EventShipped }

// EventType returns [EventDelivered].
func (Delivered) EventType() EventType { return EventDelivered }

// EventType returns [EventCancelled].
func (Cancelled) EventType() EventType { return EventCancelled }

// EventType returns [EventHeld].
func (Held) EventType() EventType { return EventHeld }

// EventType returns [EventReleased].
func (Released) EventType() EventType { return EventReleased }

// EventType returns [EventEdited].
func (Edited) EventType() EventType { return EventEdited }

// EventType returns [EventExpired].
func (Expired) EventType() EventType { return EventExpired }

// EventType returns [EventReopened].
func (Reopened) EventType() EventType { return EventReopened }

// EventType returns [EventClosed].
func (Closed) EventType() EventType { return EventClosed }

// EventType returns [EventReturnRequested].
func (ReturnRequested) EventType() EventType { return EventReturnRequested }

// EventType returns [EventReturned].
func (Returned) EventType() EventType { return EventReturned }

// EventType returns [EventReturnWithdrawn].
func (ReturnWithdrawn) EventType() EventType { return EventReturnWithdrawn }

// EventType returns [EventSplit].
func (Split) EventType() EventType { return EventSplit }

// EventType returns [EventMoved].
func (Moved) EventType() EventType { return EventMoved }

// EventType returns [EventMerged].
func (Merged) EventType() EventType { return EventMerged }

// take subtracts n from *have, refusing a negative n or a shortfall.
func take(have *int64, n int64, line LineID, b Bucket) error {
	if n < 0 || n > *have {
		return &QuantityError{Line: line, Bucket: b, Available: *have, Requested: n}
	}
	*have -= n
	return nil
}

// line returns a pointer to line id, or a *ReferenceError.
func (o *Order) linePtr(id LineID) (*Line, error) {
	if i := o.lineIndex(id); i >= 0 {
		return &o.lines[i], nil
	}
	return nil, &ReferenceError{Kind: "line", ID: id.String()}
}

// fulfillmentPtr returns a pointer to fulfillment id, or a *ReferenceError.
func (o *Order) fulfillmentPtr(id FulfillmentID) (*Fulfillment, error) {
	if i := o.fulfillmentIndex(id); i >= 0 {
		return &o.fulfillments[i], nil
	}
	return nil, &ReferenceError{Kind: "fulfillment", ID: id.String()}
}

// addLine appends a new line with the next ID, checking the ID recorded.
func (o *Order) addLine(nl NewLine) error {
	if nl.ID != o.nextLine+1 {
		return fmt.Errorf("line ID %d, want %d", nl.ID, o.nextLine+1)
	}
	if err := validateNewLine("line", nl, o.currency); err != nil {
		return err
	}
	o.nextLine = nl.ID
	o.lines = append(o.lines, Line{
		ID: nl.ID, SKU: nl.SKU, UnitPrice: orZero(nl.UnitPrice, o.currency), UnitDiscount: orZero(nl.UnitDiscount, o.currency),
		UnitTax: orZero(nl.UnitTax, o.currency), CancelledValue: zero(o.currency), Quantities: Quantities{Ordered: nl.Quantity},
	})
	return nil
}

func (d Placed) apply(o *Order, e *Event) error {
	if err := validatePlaced(d); err != nil {
		return err
	}
	if err := e.Owner.Validate(); err != nil {
		return err
	}
	if e.OrderID.IsZero() {
		return invalid("order_id", "", "required")
	}
	*o = Order{
		id: e.OrderID, owner: e.Owner, channel: d.Channel, customer: d.Customer, shipTo: d.ShipTo,
		currency: d.Currency, discount: orZero(d.Discount, d.Currency), shipping: orZero(d.Shipping, d.Currency),
		service: d.ServiceLevel, shipBy: d.ShipBy, promised: d.PromisedBy, expiresAt: d.ExpiresAt,
		priority: d.Priority, created: e.At,
	}
	for _, nl := range d.Lines {
		if err := o.addLine(nl); err != nil {
			return err
		}
	}
	return o.checkMoney()
}

func (Confirmed) apply(o *Order, _ *Event) error {
	if o.confirmed {
		return fmt.Errorf("already confirmed")
	}
	o.confirmed = true
	return nil
}

func (d Allocated) apply(o *Order, _ *Event) error {
	if err := d.Location.Validate(); err != nil {
		return err
	}
	f, err := o.fulfillmentPtr(d.Fulfillment)
	switch {
	case err == nil && f.Location != d.Location:
		return fmt.Errorf("fulfillment %d is at %q, not %q", d.Fulfillment, f.Location, d.Location)
	case err != nil && d.Fulfillment != o.nextFulfillment+1:
		return err
	case err != nil:
		o.nextFulfillment = d.Fulfillment
		o.fulfillments = append(o.fulfillments, Fulfillment{ID: d.Fulfillment, Location: d.Location})
		f = &o.fulfillments[len(o.fulfillments)-1]
	}
	if len(d.Lines) == 0 {
		return fmt.Errorf("no lines")
	}
	for _, al := range d.Lines {
		l, err := o.linePtr(al.Line)
		if err != nil {
			return err
		}
		un := l.Unallocated()
		if err := take(&un, al.Unallocated, l.ID, BucketUnallocated); err != nil {
			return err
		}
		if err := take(&l.Backordered, al.Backordered, l.ID, BucketBackordered); err != nil {
			return err
		}
		l.Allocated += al.Unallocated + al.Backordered
		f.lineFor(l.ID).Allocated += al.Unallocated + al.Backordered
	}
	return nil
}

func (d Backordered) apply(o *Order, _ *Event) error {
	if len(d.Lines) == 0 {
		return fmt.Errorf("no lines")
	}
	for _, lq := range d.Lines {
		l, err := o.linePtr(lq.Line)
		if err != nil {
			return err
		}
		un := l.Unallocated()
		if err := take(&un, lq.Quantity, l.ID, BucketUnallocated); err != nil {
			return err
		}
		l.Backordered += lq.Quantity
	}
	return nil
}

// applyStep moves the units of steps forward into bucket to, in fulfillment
// order id and in the lines' ledgers.
func (o *Order) applyStep(id FulfillmentID, steps []StepLine, to Bucket) error {
	f, err := o.fulfillmentPtr(id)
	if err != nil {
		return err
	}
	if len(steps) == 0 {
		return fmt.Errorf("no lines")
	}
	for _, s := range steps {
		l, err := o.linePtr(s.Line)
		if err != nil {
			return err
		}
		i := f.line(s.Line)
		if i < 0 {
			return &QuantityError{Line: s.Line, Bucket: BucketAllocated, Available: 0, Requested: s.total()}
		}
		fl := &f.Lines[i]
		if (to == BucketPicked && s.Picked+s.Packed != 0) || (to == BucketPacked && s.Packed != 0) || s.total() <= 0 {
			return fmt.Errorf("line %d: bad step to %s", s.Line, to)
		}
		for _, b := range []struct {
			n          int64
			fl, line   *int64
			bucketName Bucket
		}{{s.Allocated, &fl.Allocated, &l.Allocated, BucketAllocated}, {s.Picked, &fl.Picked, &l.Picked, BucketPicked}, {s.Packed, &fl.Packed, &l.Packed, BucketPacked}} {
			if err := take(b.fl, b.n, l.ID, b.bucketName); err != nil {
				return err
			}
			if err := take(b.line, b.n, l.ID, b.bucketName); err != nil {
				return err
			}
		}
		switch to {
		case BucketPicked:
			fl.Picked += s.total()
			l.Picked += s.total()
		case BucketPacked:
			fl.Packed += s.total()
			l.Packed += s.total()
		case BucketShipped:
			fl.Shipped += s.total()
			l.Shipped += s.total()
		}
	}
	return nil
}

func (d Picked) apply(o *Order, _ *Event) error {
	return o.applyStep(d.Fulfillment, d.Lines, BucketPicked)
}

func (d Packed) apply(o *Order, _ *Event) error {
	return o.applyStep(d.Fulfillment, d.Lines, BucketPacked)
}

func (d Shipped) apply(o *Order, e *Event) error {
	if d.Shipment == "" {
		return invalid("shipment", "", "required")
	}
	if slices.ContainsFunc(o.shipments, func(s Shipment) bool { return s.ID == d.Shipment }) {
		return invalid("shipment", d.Shipment, "already recorded")
	}
	if err := o.applyStep(d.Fulfillment, d.Lines, BucketShipped); err != nil {
		return err
	}
	s := Shipment{ID: d.Shipment, Fulfillment: d.Fulfillment, ShippedAt: e.At}
	for _, st := range d.Lines {
		s.Lines = append(s.Lines, LineQuantity{Line: st.Line, Quantity: st.total()})
	}
	o.shipments = append(o.shipments, s)
	return nil
}

func (d Delivered) apply(o *Order, e *Event) error {
	i := slices.IndexFunc(o.shipments, func(s Shipment) bool { return s.ID == d.Shipment })
	if i < 0 {
		return &ReferenceError{Kind: "shipment", ID: d.Shipment}
	}
	s := &o.shipments[i]
	if s.Delivered {
		return fmt.Errorf("shipment %q already delivered", d.Shipment)
	}
	for _, lq := range s.Lines {
		l, err := o.linePtr(lq.Line)
		if err != nil {
			return err
		}
		l.Delivered += lq.Quantity
	}
	s.Delivered, s.DeliveredAt = true, e.At
	return nil
}

// applyCancel takes the units of cls out of their buckets.
func (o *Order) applyCancel(cls []CancelledLine) error {
	if len(cls) == 0 {
		return fmt.Errorf("no lines")
	}
	for _, c := range cls {
		l, err := o.linePtr(c.Line)
		if err != nil {
			return err
		}
		if c.Amount.Currency() != o.currency || c.Amount.Sign() < 0 {
			return invalid("amount", c.Amount.String(), "not a non-negative amount in "+string(o.currency))
		}
		un := l.Unallocated()
		if err := take(&un, c.Unallocated, l.ID, BucketUnallocated); err != nil {
			return err
		}
		if err := take(&l.Backordered, c.Backordered, l.ID, BucketBackordered); err != nil {
			return err
		}
		for _, t := range c.From {
			f, err := o.fulfillmentPtr(t.Fulfillment)
			if err != nil {
				return err
			}
			i := f.line(l.ID)
			if i < 0 {
				return &QuantityError{Line: l.ID, Bucket: BucketAllocated, Requested: t.Allocated + t.Picked + t.Packed}
			}
			fl := &f.Lines[i]
			for _, b := range []struct {
				n        int64
				fl, line *int64
				bucket   Bucket
			}{{t.Allocated, &fl.Allocated, &l.Allocated, BucketAllocated}, {t.Picked, &fl.Picked, &l.Picked, BucketPicked}, {t.Packed, &fl.Packed, &l.Packed, BucketPacked}} {
				if err := take(b.fl, b.n, l.ID, b.bucket); err != nil {
					return err
				}
				if err := take(b.line, b.n, l.ID, b.bucket); err != nil {
					return err
				}
			}
		}
		n := c.Quantity()
		if n <= 0 {
			return &QuantityError{Line: l.ID, Bucket: BucketCancelled, Available: l.Unshipped(), Requested: n}
		}
		l.Cancelled += n
		if l.CancelledValue, err = l.CancelledValue.Add(c.Amount); err != nil {
			return err
		}
	}
	o.dropEmptyFulfillments()
	return nil
}

// dropEmptyFulfillments removes lines with no units from fulfillment
// orders, and fulfillment orders left with no lines.
func (o *Order) dropEmptyFulfillments() {
	for i := range o.fulfillments {
		f := &o.fulfillments[i]
		f.Lines = slices.DeleteFunc(f.Lines, func(l FulfillmentLine) bool { return l.Allocated+l.Picked+l.Packed+l.Shipped == 0 })
	}
	o.fulfillments = slices.DeleteFunc(o.fulfillments, func(f Fulfillment) bool { return len(f.Lines) == 0 })
}

func (d Cancelled) apply(o *Order, _ *Event) error { return o.applyCancel(d.Lines) }

func (d Expired) apply(o *Order, _ *Event) error {
	if o.confirmed {
		return fmt.Errorf("a confirmed order does not expire")
	}
	return o.applyCancel(d.Lines)
}

func (d Held) apply(o *Order, e *Event) error {
	if len(d.Holds) == 0 {
		return fmt.Errorf("no holds")
	}
	for _, h := range d.Holds {
		if err := validateHold(h); err != nil {
			return err
		}
		if slices.ContainsFunc(o.holds, func(x Hold) bool { return x.ID == h.ID }) {
			return invalid("holds.id", h.ID, "already active")
		}
		h.Since = e.At
		o.holds = append(o.holds, h)
	}
	return nil
}

func (d Released) apply(o *Order, _ *Event) error {
	if len(d.Holds) == 0 {
		return fmt.Errorf("no holds")
	}
	for _, id := range d.Holds {
		i := slices.IndexFunc(o.holds, func(h Hold) bool { return h.ID == id })
		if i < 0 {
			return &ReferenceError{Kind: "hold", ID: id}
		}
		o.holds = slices.Delete(o.holds, i, i+1)
	}
	return nil
}

func (d Edited) apply(o *Order, _ *Event) error {
	if len(d.Added)+len(d.Removed)+len(d.Quantities) == 0 && d.ShipTo == nil {
		return fmt.Errorf("empty edit")
	}
	for _, id := range d.Removed {
		l, err := o.linePtr(id)
		if err != nil {
			return err
		}
		if l.Cancelled+l.Allocated+l.Picked+l.Packed+l.Shipped > 0 {
			return &QuantityError{Line: id, Bucket: BucketUnallocated, Available: l.Unallocated() + l.Backordered, Requested: l.Ordered}
		}
		o.lines = slices.Delete(o.lines, o.lineIndex(id), o.lineIndex(id)+1)
	}
	for _, lq := range d.Quantities {
		l, err := o.linePtr(lq.Line)
		if err != nil {
			return err
		}
		if lq.Quantity <= 0 || lq.Quantity > MaxQuantity {
			return invalid("quantity", fmt.Sprint(lq.Quantity), fmt.Sprintf("must be 1 to %d", MaxQuantity))
		}
		if cut := l.Ordered - lq.Quantity; cut > l.Unallocated() {
			return &QuantityError{Line: l.ID, Bucket: BucketUnallocated, Available: l.Unallocated(), Requested: cut}
		}
		l.Ordered = lq.Quantity
	}
	for _, nl := range d.Added {
		if err := o.addLine(nl); err != nil {
			return err
		}
	}
	if d.ShipTo != nil {
		if err := d.ShipTo.Validate(); err != nil {
			return err
		}
		if q := o.Quantities(); q.Picked+q.Packed+q.Shipped > 0 {
			return &QuantityError{Bucket: BucketPicked, Available: 0, Requested: q.Picked + q.Packed + q.Shipped}
		}
		o.shipTo = *d.ShipTo
	}
	if o.Quantities().Live() == 0 {
		return invalid("lines", "", "an edit must leave at least one unit not cancelled; cancel the order instead")
	}
	return o.checkMoney()
}

func (Reopened) apply(o *Order, _ *Event) error {
	if !o.closed {
		return fmt.Errorf("not closed")
	}
	o.closed = false
	return nil
}

func (Closed) apply(o *Order, _ *Event) error {
	if o.closed {
		return fmt.Errorf("already closed")
	}
	o.closed = true
	return nil
}

func (d ReturnRequested) apply(o *Order, _ *Event) error {
	if len(d.Lines) == 0 {
		return fmt.Errorf("no lines")
	}
	for _, lq := range d.Lines {
		l, err := o.linePtr(lq.Line)
		if err != nil {
			return err
		}
		room := l.Shipped - l.Returned - l.ReturnRequested
		if err := take(&room, lq.Quantity, l.ID, BucketReturnRequested); err != nil || lq.Quantity == 0 {
			return &QuantityError{Line: l.ID, Bucket: BucketReturnRequested, Available: l.Shipped - l.Returned - l.ReturnRequested, Requested: lq.Quantity}
		}
		l.ReturnRequested += lq.Quantity
	}
	return nil
}

func (d Returned) apply(o *Order, _ *Event) error {
	if len(d.Lines) == 0 {
		return fmt.Errorf("no lines")
	}
	for _, rl := range d.Lines {
		l, err := o.linePtr(rl.Line)
		if err != nil {
			return err
		}
		room := l.Shipped - l.Returned
		if err := take(&room, rl.Quantity, l.ID, BucketReturned); err != nil || rl.Quantity == 0 {
			return &QuantityError{Line: l.ID, Bucket: BucketReturned, Available: l.Shipped - l.Returned, Requested: rl.Quantity}
		}
		if rl.FromRequested > rl.Quantity {
			return &QuantityError{Line: l.ID, Bucket: BucketReturnRequested, Available: rl.Quantity, Requested: rl.FromRequested}
		}
		if err := take(&l.ReturnRequested, rl.FromRequested, l.ID, BucketReturnRequested); err != nil {
			return err
		}
		l.Returned += rl.Quantity
	}
	return nil
}

func (d ReturnWithdrawn) apply(o *Order, _ *Event) error {
	if len(d.Lines) == 0 {
		return fmt.Errorf("no lines")
	}
	for _, lq := range d.Lines {
		l, err := o.linePtr(lq.Line)
		if err != nil {
			return err
		}
		if lq.Quantity <= 0 {
			return &QuantityError{Line: l.ID, Bucket: BucketReturnRequested, Available: l.ReturnRequested, Requested: lq.Quantity}
		}
		if err := take(&l.ReturnRequested, lq.Quantity, l.ID, BucketReturnRequested); err != nil {
			return err
		}
	}
	return nil
}

func (d Split) apply(o *Order, _ *Event) error {
	from, err := o.fulfillmentPtr(d.From)
	if err != nil {
		return err
	}
	if d.New != o.nextFulfillment+1 {
		return fmt.Errorf("new fulfillment ID %d, want %d", d.New, o.nextFulfillment+1)
	}
	if len(d.Lines) == 0 {
		return fmt.Errorf("no lines")
	}
	nf := Fulfillment{ID: d.New, Location: from.Location}
	for _, lq := range d.Lines {
		i := from.line(lq.Line)
		if i < 0 || lq.Quantity <= 0 {
			return &QuantityError{Line: lq.Line, Bucket: BucketAllocated, Requested: lq.Quantity}
		}
		if err := take(&from.Lines[i].Allocated, lq.Quantity, lq.Line, BucketAllocated); err != nil {
			return err
		}
		nf.lineFor(lq.Line).Allocated += lq.Quantity
	}
	o.nextFulfillment = d.New
	o.fulfillments = append(o.fulfillments, nf)
	o.dropEmptyFulfillments()
	return nil
}

func (d Moved) apply(o *Order, _ *Event) error {
	f, err := o.fulfillmentPtr(d.Fulfillment)
	if err != nil {
		return err
	}
	if err := d.To.Validate(); err != nil {
		return err
	}
	if f.Location != d.From || d.From == d.To {
		return fmt.Errorf("fulfillment %d is at %q; cannot move from %q to %q", f.ID, f.Location, d.From, d.To)
	}
	if f.started() {
		return fmt.Errorf("fulfillment %d has started", f.ID)
	}
	f.Location = d.To
	return nil
}

func (d Merged) apply(o *Order, _ *Event) error {
	into, err := o.fulfillmentPtr(d.Into)
	if err != nil {
		return err
	}
	from, err := o.fulfillmentPtr(d.From)
	if err != nil {
		return err
	}
	if d.Into == d.From || into.Location != from.Location || from.started() {
		return fmt.Errorf("cannot merge fulfillment %d into %d", d.From, d.Into)
	}
	for _, fl := range from.Lines {
		into.lineFor(fl.Line).Allocated += fl.Allocated
	}
	i := o.fulfillmentIndex(d.From)
	o.fulfillments = slices.Delete(o.fulfillments, i, i+1)
	return nil
}
