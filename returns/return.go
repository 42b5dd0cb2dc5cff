package returns

import (
	"fmt"
	"iter"
	"slices"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/ship"
)

// MaxUnits is the most units one return line may hold: every unit is
// tracked on its own.
const MaxUnits = 10_000

// Request is the input of [New]: what the customer asks to return.
type Request struct {
	Channel Channel       `json:"channel"` // how the units come back; required
	Lines   []RequestLine `json:"lines"`   // at least one
	Note    string        `json:"note,omitempty"`
}

// RequestLine asks to return Quantity units of one order line.
type RequestLine struct {
	OrderLine order.LineID `json:"order_line"`
	Quantity  int64        `json:"quantity"`
	Reason    Reason       `json:"reason"`
	// Note is free text; required with [ReasonOther].
	Note string `json:"note,omitempty"`
	// Condition is what the customer declares; empty if not asked.
	Condition Condition `json:"condition,omitempty"`
}

// Line is one line of a return: units of one order line, each tracked on
// its own. It is a value; the return hands out copies.
type Line struct {
	No        int          `json:"no"` // 1, 2, ... in request order
	OrderLine order.LineID `json:"order_line"`
	SKU       fulfill.SKU  `json:"sku"`
	Quantity  int64        `json:"quantity"`
	Reason    Reason       `json:"reason"`
	Note      string       `json:"note,omitempty"`
	Condition Condition    `json:"condition,omitempty"`
	// Exchanged counts units replaced by an exchange instead of refunded;
	// the order's [Account] records them too.
	Exchanged int64  `json:"exchanged,omitempty"`
	Units     []Unit `json:"units"` // len(Units) == Quantity
}

// Unit is what happened to one unit of a return line.
type Unit struct {
	Outcome     Outcome            `json:"outcome,omitempty"`
	ReceivedSKU fulfill.SKU        `json:"received_sku,omitempty"` // for a wrong item: what arrived, if known
	Grade       Grade              `json:"grade,omitempty"`
	Disposition Disposition        `json:"disposition,omitempty"`
	Location    fulfill.LocationID `json:"location,omitempty"` // where it was disposed into stock
	ReceivedAt  time.Time          `json:"received_at,omitzero"`
	InspectedAt time.Time          `json:"inspected_at,omitzero"`
	DisposedAt  time.Time          `json:"disposed_at,omitzero"`
}

// HoldState is the state of a cross-ship [Hold].
type HoldState string

// The hold states.
const (
	HoldActive   HoldState = "active"   // the replacement shipped; the return is awaited
	HoldReleased HoldState = "released" // the exchanged units came back
	HoldCaptured HoldState = "captured" // the deadline passed; the customer is charged
)

// Hold is the payment hold of a cross-ship exchange: the replacement ships
// before the return arrives, and Amount stays authorised on the customer's
// payment until the exchanged units are received (released) or Until
// passes (captured, by [Return.CaptureHold]).
type Hold struct {
	Order  fulfill.OrderID `json:"order"` // the replacement order
	Amount fulfill.Money   `json:"amount"`
	Until  time.Time       `json:"until"`
	State  HoldState       `json:"state"`
}

// Return is a return authorisation (RMA) for units of one order. It
// changes only through its methods; each checks the transition table
// ([Return.Can]), works on a copy and replaces the return only on success,
// returning the events. On error the return is unchanged. A Return is not
// safe for concurrent use.
type Return struct {
	id        ID
	owner     fulfill.OwnerID
	order     fulfill.OrderID
	currency  fulfill.Currency
	channel   Channel
	note      string
	status    Status
	lines     []Line
	review    []Finding
	label     *carrier.Label
	tracking  ship.Status
	hold      *Hold
	exchanges []fulfill.OrderID
	created   time.Time
	updated   time.Time
	seq       int64
	version   int64
}

// New creates a return in [StatusRequested] for units of order o, at now.
// Each line's quantity is bounded by what the order shipped of that line
// and has not already returned or had requested
// (Shipped - Returned - ReturnRequested in its ledger); record the request
// in the order with [Return.OrderRequest] so that the next return sees it.
// Invalid input returns a *[fulfill.FieldError] of kind [ErrInvalidReturn],
// a *[QuantityError], or errors joined.
func New(id ID, o *order.Order, now time.Time, req Request) (*Return, []Event, error) {
	if err := id.Validate(); err != nil {
		return nil, nil, err
	}
	if o == nil {
		return nil, nil, invalid("order", "", "required")
	}
	if !req.Channel.Valid() {
		return nil, nil, invalid("channel", string(req.Channel), "want mail, drop_off or store")
	}
	if len(req.Lines) == 0 {
		return nil, nil, invalid("lines", "", "at least one line required")
	}
	r := &Return{id: id, owner: o.Owner(), order: o.ID(), currency: o.Currency(), channel: req.Channel, note: req.Note,
		status: StatusRequested, created: now, updated: now}
	seen := map[order.LineID]bool{}
	for i, rl := range req.Lines {
		f := "lines[" + strconv.Itoa(i) + "]"
		ol, ok := o.Line(rl.OrderLine)
		switch {
		case !ok:
			return nil, nil, invalid(f+".order_line", rl.OrderLine.String(), "no such order line")
		case seen[rl.OrderLine]:
			return nil, nil, invalid(f+".order_line", rl.OrderLine.String(), "listed twice")
		case rl.Quantity <= 0 || rl.Quantity > MaxUnits:
			return nil, nil, invalid(f+".quantity", strconv.FormatInt(rl.Quantity, 10), fmt.Sprintf("must be 1 to %d", MaxUnits))
		case !rl.Reason.Valid():
			return nil, nil, invalid(f+".reason", string(rl.Reason), "unknown reason")
		case rl.Reason == ReasonOther && rl.Note == "":
			return nil, nil, invalid(f+".note", "", "required with reason other")
		case !rl.Condition.Valid():
			return nil, nil, invalid(f+".condition", string(rl.Condition), "unknown condition")
		}
		seen[rl.OrderLine] = true
		if room := ol.Shipped - ol.Returned - ol.ReturnRequested; rl.Quantity > room {
			return nil, nil, &QuantityError{Line: "order line " + rl.OrderLine.String(), What: "return", Available: room, Requested: rl.Quantity}
		}
		r.lines = append(r.lines, Line{No: i + 1, OrderLine: rl.OrderLine, SKU: ol.SKU, Quantity: rl.Quantity,
			Reason: rl.Reason, Note: rl.Note, Condition: rl.Condition, Units: make([]Unit, rl.Quantity)})
	}
	e := r.event(now, EventRequested, "", StatusRequested, req.Note)
	for _, l := range r.lines {
		for u := range l.Units {
			e.Units = append(e.Units, l.change(u))
		}
	}
	return r, []Event{e}, nil
}

// event returns the next event of r.
func (r *Return) event(now time.Time, t EventType, from, to Status, note string) Event {
	r.seq++
	return Event{Return: r.id, Order: r.order, Owner: r.owner, Seq: r.seq, At: now, Type: t, From: from, To: to, Note: note}
}

// change describes unit u of l.
func (l *Line) change(u int) UnitChange {
	x := l.Units[u]
	return UnitChange{Line: l.No, Unit: u + 1, OrderLine: l.OrderLine, SKU: l.SKU, Outcome: x.Outcome, ReceivedSKU: x.ReceivedSKU,
		Grade: x.Grade, Disposition: x.Disposition, Location: x.Location}
}

// ID returns the return's ID.
func (r *Return) ID() ID { return r.id }

// Owner returns the merchant or client the return belongs to.
func (r *Return) Owner() fulfill.OwnerID { return r.owner }

// Order returns the order the units were sold in.
func (r *Return) Order() fulfill.OrderID { return r.order }

// Currency returns the order's currency.
func (r *Return) Currency() fulfill.Currency { return r.currency }

// Channel returns how the units come back.
func (r *Return) Channel() Channel { return r.channel }

// Status returns the lifecycle stage.
func (r *Return) Status() Status { return r.status }

// Version returns the version the return was stored with: 0 before its
// first store write, then +1 per write.
func (r *Return) Version() int64 { return r.version }

// CreatedAt returns when the return was requested.
func (r *Return) CreatedAt() time.Time { return r.created }

// UpdatedAt returns when the return last changed.
func (r *Return) UpdatedAt() time.Time { return r.updated }

// Label returns the return label, if one was issued.
func (r *Return) Label() (carrier.Label, bool) {
	if r.label == nil {
		return carrier.Label{}, false
	}
	return *r.label, true
}

// Tracking returns the last tracking status reported by [Return.Track];
// empty if none.
func (r *Return) Tracking() ship.Status { return r.tracking }

// Hold returns the cross-ship payment hold, if the return has one.
func (r *Return) Hold() (Hold, bool) {
	if r.hold == nil {
		return Hold{}, false
	}
	return *r.hold, true
}

// Exchanges returns the replacement orders placed for this return.
func (r *Return) Exchanges() []fulfill.OrderID { return slices.Clone(r.exchanges) }

// Review returns the findings that sent the return to manual review, if
// the last decision was [VerdictReview].
func (r *Return) Review() []Finding { return slices.Clone(r.review) }

// Lines returns copies of the return's lines, in order.
func (r *Return) Lines() iter.Seq[Line] {
	return func(yield func(Line) bool) {
		for _, l := range r.lines {
			l.Units = slices.Clone(l.Units)
			if !yield(l) {
				return
			}
		}
	}
}

// Line returns a copy of return line no, and whether it exists.
func (r *Return) Line(no int) (Line, bool) {
	if no < 1 || no > len(r.lines) {
		return Line{}, false
	}
	l := r.lines[no-1]
	l.Units = slices.Clone(l.Units)
	return l, true
}

// Clone returns a deep copy of r.
func (r *Return) Clone() *Return {
	c := *r
	c.lines = slices.Clone(r.lines)
	for i := range c.lines {
		c.lines[i].Units = slices.Clone(r.lines[i].Units)
	}
	c.review = slices.Clone(r.review)
	if r.label != nil {
		l := *r.label
		l.TrackingNumbers = slices.Clone(l.TrackingNumbers)
		l.Data = slices.Clone(l.Data)
		c.label = &l
	}
	if r.hold != nil {
		h := *r.hold
		c.hold = &h
	}
	c.exchanges = slices.Clone(r.exchanges)
	return &c
}

// OrderRequest returns the order command that records this return's units
// as requested in the order's ledger, so that no second return can claim
// them.
func (r *Return) OrderRequest() order.RequestReturnRequest {
	req := order.RequestReturnRequest{Reference: string(r.id)}
	for _, l := range r.lines {
		req.Lines = append(req.Lines, order.LineQuantity{Line: l.OrderLine, Quantity: l.Quantity})
	}
	return req
}

// unitCounts summarises the units of a return.
type unitCounts struct {
	total, pending, ungraded, disposable, undisposed, exchangeable int64
}

// counts returns the unit summary of r.
func (r *Return) counts() unitCounts {
	var c unitCounts
	for _, l := range r.lines {
		c.total += l.Quantity
		var bad int64
		for _, u := range l.Units {
			switch {
			case u.Outcome == "":
				c.pending++
			case u.Outcome.Present() && u.Disposition == "":
				c.undisposed++
				if u.Outcome == OutcomeReceived && u.Grade == "" {
					c.ungraded++
				} else {
					c.disposable++
				}
			}
			if u.Outcome == OutcomeMissing || u.Outcome == OutcomeWrongItem {
				bad++
			}
		}
		c.exchangeable += l.exchangeable(bad)
	}
	return c
}

// settle sets the status reception and inspection lead to.
func (r *Return) settle() {
	switch c := r.counts(); {
	case c.pending > 0:
		r.status = StatusPartiallyReceived
	case c.ungraded > 0:
		r.status = StatusReceived
	default:
		r.status = StatusInspected
	}
}

// run checks action a, applies fn to a copy and commits it.
func (r *Return) run(now time.Time, a Action, fn func(c *Return) ([]Event, error)) ([]Event, error) {
	if err := r.Can(a); err != nil {
		return nil, err
	}
	c := r.Clone()
	events, err := fn(c)
	if err != nil {
		return nil, err
	}
	if rule := transitions[r.status][a]; !slices.Contains(rule.To, c.status) {
		return nil, fmt.Errorf("returns: %s from %s led to %s, which the table does not list", a, r.status, c.status)
	}
	c.updated = now
	*r = *c
	return events, nil
}

// Approve authorises the return: the customer may send the units.
func (r *Return) Approve(now time.Time, note string) ([]Event, error) {
	return r.run(now, ActionApprove, func(c *Return) ([]Event, error) {
		c.status, c.review = StatusApproved, nil
		return []Event{c.event(now, EventApproved, r.status, c.status, note)}, nil
	})
}

// Decline refuses the return, saying why (required).
func (r *Return) Decline(now time.Time, reason string) ([]Event, error) {
	if reason == "" {
		return nil, invalid("reason", "", "required")
	}
	return r.run(now, ActionDecline, func(c *Return) ([]Event, error) {
		c.status, c.review = StatusDeclined, nil
		return []Event{c.event(now, EventDeclined, r.status, c.status, reason)}, nil
	})
}

// Decide applies a policy [Decision]: approve, decline with the rejecting
// findings as the reason, or stay requested with the findings kept for a
// reviewer ([Return.Review]) and an [EventReviewRequired].
func (r *Return) Decide(now time.Time, d Decision) ([]Event, error) {
	switch d.Verdict {
	case VerdictApprove:
		return r.Approve(now, d.String())
	case VerdictReject:
		return r.Decline(now, d.String())
	case VerdictReview:
		if err := r.Can(ActionApprove); err != nil {
			return nil, err
		}
		r.review = slices.Clone(d.Findings)
		r.updated = now
		return []Event{r.event(now, EventReviewRequired, r.status, r.status, d.String())}, nil
	}
	return nil, invalid("verdict", string(d.Verdict), "unknown verdict")
}

// Ship records that the parcel left the customer.
func (r *Return) Ship(now time.Time, note string) ([]Event, error) {
	return r.run(now, ActionShip, func(c *Return) ([]Event, error) {
		c.status = StatusInTransit
		return []Event{c.event(now, EventShipped, r.status, c.status, note)}, nil
	})
}

// Track records a tracking status of the return parcel, as the ship
// package derives it from carrier events. The first status that shows the
// parcel moving (in transit, out for delivery, available for pickup,
// delivered) also ships the return if it was approved or had its label.
// Any status is recorded; only an invalid one is an error.
func (r *Return) Track(now time.Time, s ship.Status) ([]Event, error) {
	if !s.Valid() {
		return nil, invalid("tracking", string(s), "unknown tracking status")
	}
	moving := s == ship.StatusInTransit || s == ship.StatusOutForDelivery || s == ship.StatusAvailableForPickup || s == ship.StatusDelivered
	if moving && r.Can(ActionShip) == nil {
		events, err := r.Ship(now, "tracking: "+string(s))
		if err == nil {
			r.tracking = s
		}
		return events, err
	}
	if s == r.tracking {
		return nil, nil
	}
	r.tracking = s
	r.updated = now
	return []Event{r.event(now, EventTracked, r.status, r.status, "tracking: "+string(s))}, nil
}

// ReceiveRequest accounts for units at reception.
type ReceiveRequest struct {
	Lines []ReceiveLine `json:"lines"`
}

// ReceiveLine gives Quantity units of return line Line an outcome. The
// units taken are the line's first units without one.
type ReceiveLine struct {
	Line     int     `json:"line"`
	Quantity int64   `json:"quantity"`
	Outcome  Outcome `json:"outcome"`
	// ReceivedSKU is, for [OutcomeWrongItem], the SKU that arrived instead,
	// if known; it is required to quarantine the unit.
	ReceivedSKU fulfill.SKU `json:"received_sku,omitempty"`
}

// Receive gives units their reception outcome: received, lost in transit,
// wrong item received or missing from the parcel. Once every exchanged
// unit of a cross-ship is received, its hold is released
// ([EventHoldReleased]). The status becomes partially received, received
// (something to inspect) or inspected (nothing to inspect).
func (r *Return) Receive(now time.Time, req ReceiveRequest) ([]Event, error) {
	return r.run(now, ActionReceive, func(c *Return) ([]Event, error) {
		if len(req.Lines) == 0 {
			return nil, invalid("lines", "", "at least one line required")
		}
		var units []UnitChange
		for i, rl := range req.Lines {
			f := "lines[" + strconv.Itoa(i) + "]"
			l, err := c.linePtr(f, rl.Line)
			if err != nil {
				return nil, err
			}
			switch {
			case !rl.Outcome.Valid():
				return nil, invalid(f+".outcome", string(rl.Outcome), "unknown outcome")
			case rl.ReceivedSKU != "" && rl.Outcome != OutcomeWrongItem:
				return nil, invalid(f+".received_sku", string(rl.ReceivedSKU), "only for a wrong item")
			case rl.ReceivedSKU != "":
				if err := rl.ReceivedSKU.Validate(); err != nil {
					return nil, err
				}
			}
			idx := l.take(rl.Quantity, func(u Unit) bool { return u.Outcome == "" })
			if idx == nil {
				return nil, &QuantityError{Line: "return line " + strconv.Itoa(l.No), What: "receive", Available: l.count(func(u Unit) bool { return u.Outcome == "" }), Requested: rl.Quantity}
			}
			for _, u := range idx {
				l.Units[u].Outcome, l.Units[u].ReceivedSKU, l.Units[u].ReceivedAt = rl.Outcome, rl.ReceivedSKU, now
				units = append(units, l.change(u))
			}
		}
		c.settle()
		e := c.event(now, EventReceived, r.status, c.status, "")
		e.Units = units
		events := []Event{e}
		if c.hold != nil && c.hold.State == HoldActive && c.exchangedReceived() {
			c.hold.State = HoldReleased
			events = append(events, c.event(now, EventHoldReleased, c.status, c.status, "exchanged units received"))
		}
		return events, nil
	})
}

// exchangedReceived reports whether every exchanged unit arrived as sold.
func (r *Return) exchangedReceived() bool {
	for _, l := range r.lines {
		var got int64
		for _, u := range l.Units {
			if u.Outcome == OutcomeReceived {
				got++
			}
		}
		if got < l.Exchanged {
			return false
		}
	}
	return true
}

// linePtr returns return line no, or a field error naming field.
func (r *Return) linePtr(field string, no int) (*Line, error) {
	if no < 1 || no > len(r.lines) {
		return nil, invalid(field+".line", strconv.Itoa(no), "no such return line")
	}
	return &r.lines[no-1], nil
}

// take returns the indexes of the first n units matching ok, or nil if
// fewer match or n <= 0.
func (l *Line) take(n int64, ok func(Unit) bool) []int {
	if n <= 0 {
		return nil
	}
	var idx []int
	for i, u := range l.Units {
		if ok(u) {
			idx = append(idx, i)
			if int64(len(idx)) == n {
				return idx
			}
		}
	}
	return nil
}

// count returns how many units of l match ok.
func (l *Line) count(ok func(Unit) bool) int64 {
	var n int64
	for _, u := range l.Units {
		if ok(u) {
			n++
		}
	}
	return n
}

// InspectRequest grades received units.
type InspectRequest struct {
	Lines []InspectLine `json:"lines"`
}

// InspectLine grades Quantity received units of return line Line: the
// line's first received units without a grade.
type InspectLine struct {
	Line     int   `json:"line"`
	Quantity int64 `json:"quantity"`
	Grade    Grade `json:"grade"`
}

// Inspect grades received units. Once every present unit is graded (or is
// a wrong item, which is not graded) and every unit is accounted for, the
// return is inspected.
func (r *Return) Inspect(now time.Time, req InspectRequest) ([]Event, error) {
	return r.run(now, ActionInspect, func(c *Return) ([]Event, error) {
		if len(req.Lines) == 0 {
			return nil, invalid("lines", "", "at least one line required")
		}
		var units []UnitChange
		for i, il := range req.Lines {
			f := "lines[" + strconv.Itoa(i) + "]"
			l, err := c.linePtr(f, il.Line)
			if err != nil {
				return nil, err
			}
			if !il.Grade.Valid() {
				return nil, invalid(f+".grade", string(il.Grade), "unknown grade")
			}
			ungraded := func(u Unit) bool { return u.Outcome == OutcomeReceived && u.Grade == "" }
			idx := l.take(il.Quantity, ungraded)
			if idx == nil {
				return nil, &QuantityError{Line: "return line " + strconv.Itoa(l.No), What: "inspect", Available: l.count(ungraded), Requested: il.Quantity}
			}
			for _, u := range idx {
				l.Units[u].Grade, l.Units[u].InspectedAt = il.Grade, now
				units = append(units, l.change(u))
			}
		}
		c.settle()
		e := c.event(now, EventInspected, r.status, c.status, "")
		e.Units = units
		return []Event{e}, nil
	})
}

// Close ends the return, with or without a refund. Every present unit
// must have its disposition.
func (r *Return) Close(now time.Time, note string) ([]Event, error) {
	return r.run(now, ActionClose, func(c *Return) ([]Event, error) {
		c.status = StatusClosed
		return []Event{c.event(now, EventClosed, r.status, c.status, note)}, nil
	})
}

// Cancel withdraws the return before the parcel left. Record the
// cancellation in the order by releasing its requested units if the host
// recorded them.
func (r *Return) Cancel(now time.Time, reason string) ([]Event, error) {
	return r.run(now, ActionCancel, func(c *Return) ([]Event, error) {
		c.status = StatusCancelled
		return []Event{c.event(now, EventCancelled, r.status, c.status, reason)}, nil
	})
}

// Reopen opens a closed return again (back to inspected, for a late
// refund or a correction), or a declined one (back to requested, for an
// appeal).
func (r *Return) Reopen(now time.Time, note string) ([]Event, error) {
	return r.run(now, ActionReopen, func(c *Return) ([]Event, error) {
		c.status = transitions[r.status][ActionReopen].To[0]
		return []Event{c.event(now, EventReopened, r.status, c.status, note)}, nil
	})
}

// CaptureHold captures the cross-ship hold if its deadline has passed at
// now and the exchanged units have not all come back: the customer is
// charged the hold's amount. It returns no event if there is nothing to
// capture yet.
func (r *Return) CaptureHold(now time.Time) ([]Event, error) {
	if r.hold == nil || r.hold.State != HoldActive || now.Before(r.hold.Until) {
		return nil, nil
	}
	r.hold.State = HoldCaptured
	r.updated = now
	return []Event{r.event(now, EventHoldCaptured, r.status, r.status, "exchanged units not received by "+r.hold.Until.UTC().Format(time.RFC3339))}, nil
}

// exchangeable returns the units of l an exchange may still replace: not
// exchanged yet, and not found missing or replaced by a wrong item (bad).
func (l *Line) exchangeable(bad int64) int64 { return max(0, l.Quantity-l.Exchanged-bad) }
