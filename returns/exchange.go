package returns

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

// ReplacementLine asks for Quantity replacement units of an order line,
// of SKU (empty means the SKU sold, such as another size otherwise).
type ReplacementLine struct {
	OrderLine order.LineID `json:"order_line"`
	Quantity  int64        `json:"quantity"`
	SKU       fulfill.SKU  `json:"sku,omitempty"`
}

// Replacement places and confirms, through the order package, a
// replacement order id for units of order o at no charge: each line has
// the original unit price, fully discounted, no tax and no shipping, the
// same customer, address and service level. If hold is not nil the order
// is placed on that hold. Each quantity is bounded by what shipped of the
// line.
//
// Replacement records nothing: it does not know what the order's refund
// [Account] has refunded, exchanged or replaced already. For a claim of a
// missing or wrong item, use [Account.Replace], which calls it and records
// the replaced units, so that they are never also refunded. [Return.Exchange]
// uses it for exchanges.
func Replacement(now time.Time, o *order.Order, id fulfill.OrderID, lines []ReplacementLine, hold *order.Hold) (*order.Order, []order.Event, error) {
	if o == nil {
		return nil, nil, invalid("order", "", "required")
	}
	if len(lines) == 0 {
		return nil, nil, invalid("lines", "", "at least one line required")
	}
	req := order.PlaceRequest{Channel: o.Channel(), Customer: o.Customer(), ShipTo: o.ShipTo(), Currency: o.Currency(), ServiceLevel: o.ServiceLevel()}
	for i, rl := range lines {
		ol, ok := o.Line(rl.OrderLine)
		if !ok {
			return nil, nil, invalid("lines["+strconv.Itoa(i)+"].order_line", rl.OrderLine.String(), "no such order line")
		}
		if rl.Quantity <= 0 || rl.Quantity > ol.Shipped {
			return nil, nil, &QuantityError{Line: "order line " + rl.OrderLine.String(), What: "replace", Available: ol.Shipped, Requested: rl.Quantity}
		}
		sku := rl.SKU
		if sku == "" {
			sku = ol.SKU
		}
		req.Lines = append(req.Lines, order.NewLine{SKU: sku, Quantity: rl.Quantity, UnitPrice: ol.UnitPrice, UnitDiscount: ol.UnitPrice})
	}
	no, events, err := order.Place(id, o.Owner(), now, req)
	if err != nil {
		return nil, nil, err
	}
	more, err := no.Confirm(now)
	if err != nil {
		return nil, nil, err
	}
	events = append(events, more...)
	if hold != nil {
		if more, err = no.Hold(now, order.HoldRequest{Holds: []order.Hold{*hold}}); err != nil {
			return nil, nil, err
		}
		events = append(events, more...)
	}
	return no, events, nil
}

// ExchangeRequest asks to replace units of a return instead of refunding
// them.
type ExchangeRequest struct {
	Lines []ExchangeLine `json:"lines"`
	// CrossShip ships the replacement at once, before the return arrives,
	// with a payment hold for the exchanged units' value until HoldUntil
	// (required then). Otherwise the replacement order is placed on an
	// order hold ([HoldID]) that [Return.ReleaseReplacement] releases once
	// the exchanged units are received.
	CrossShip bool      `json:"cross_ship,omitempty"`
	HoldUntil time.Time `json:"hold_until,omitzero"`
}

// ExchangeLine replaces Quantity units of return line Line with SKU (empty
// means the same SKU).
type ExchangeLine struct {
	Line     int         `json:"line"`
	Quantity int64       `json:"quantity"`
	SKU      fulfill.SKU `json:"sku,omitempty"`
}

// Replace places the replacement order id for units of order o through
// [Replacement], for a claim of a missing or wrong item without a return,
// and records the replaced units in a, the refund [Account] of o
// ([NewAccount] if the order has none yet), so that the customer is not
// paid twice: replaced units are never refunded (by return or by claim)
// nor exchanged, and refunded or exchanged units are never replaced. It
// returns the replacement order and its events.
//
// Each line takes shipped units of its order line that are neither
// refunded nor exchanged nor replaced yet, earlier lines of the same call
// included. Asking for more fails with a *[QuantityError] naming the order
// line ("order line 2") with the units it can still replace (Available)
// and those asked (Requested), and changes nothing: not a, and no order is
// placed. An id that is the replacement order of an exchange recorded in a
// fails with a *[fulfill.FieldError] of kind [ErrInvalidReturn].
//
// On success a changed: save it before the replacement order, since its
// version is what stops a refund or another replacement of the same units
// made meanwhile from another process. If a save fails, read a again and
// retry with the same id and lines: when a already records the replacement
// id, Replace records nothing more and returns the same order, placed at
// the time recorded, so a retry never counts the units twice. The same id
// with other lines fails with a *[fulfill.FieldError] of kind
// [ErrInvalidReturn].
func (a *Account) Replace(now time.Time, o *order.Order, id fulfill.OrderID, lines []ReplacementLine, hold *order.Hold) (*order.Order, []order.Event, error) {
	if o == nil || o.ID() != a.order || o.Owner() != a.owner {
		return nil, nil, invalid("order", "", "not the account's order")
	}
	if id.IsZero() {
		return nil, nil, invalid("replacement", "", "required")
	}
	if len(lines) == 0 {
		return nil, nil, invalid("lines", "", "at least one line required")
	}
	if slices.ContainsFunc(a.exchanges, func(x ExchangeRecord) bool { return x.Replacement == id }) {
		return nil, nil, invalid("replacement", id.String(), "already the replacement order of an exchange")
	}
	var done []ReplacementRecord
	for _, x := range a.replacements {
		if x.Replacement == id {
			done = append(done, x)
		}
	}
	if len(done) > 0 { // a retry
		same := len(done) == len(lines)
		for i := 0; same && i < len(lines); i++ {
			same = done[i].Line == lines[i].OrderLine && done[i].Quantity == lines[i].Quantity && done[i].SKU == lines[i].SKU
		}
		if !same {
			return nil, nil, invalid("replacement", id.String(), "already records a replacement of other units; a retry asks for the same lines")
		}
		return Replacement(done[0].At, o, id, lines, hold)
	}
	c := a.Clone()
	for i, rl := range lines {
		ol, ok := o.Line(rl.OrderLine)
		if !ok {
			return nil, nil, invalid("lines["+strconv.Itoa(i)+"].order_line", rl.OrderLine.String(), "no such order line")
		}
		if n := max(0, ol.Shipped-c.taken(ol.ID)); rl.Quantity <= 0 || rl.Quantity > n {
			return nil, nil, &QuantityError{Line: "order line " + ol.ID.String(),
				What: "replacement of shipped units not yet refunded, exchanged or replaced", Available: n, Requested: rl.Quantity}
		}
		if rl.SKU != "" {
			if err := rl.SKU.Validate(); err != nil {
				return nil, nil, err
			}
		}
		c.recordReplacement(ReplacementRecord{Line: ol.ID, Quantity: rl.Quantity, SKU: rl.SKU, Replacement: id, At: now})
	}
	no, events, err := Replacement(now, o, id, lines, hold)
	if err != nil {
		return nil, nil, err
	}
	*a = *c
	return no, events, nil
}

// HoldID returns the ID of the order hold a replacement order of return id
// waits on.
func HoldID(id ID) string { return "return:" + string(id) }

// Exchange places the replacement order id for units of r (sold in order
// o) through [Replacement], and marks them exchanged, both on r's lines and
// in a, the refund [Account] of o ([NewAccount] if the order has none yet):
// exchanged units are never refunded, and refunded units are never
// exchanged. It returns the replacement order and its events, and the
// return's events.
//
// Each exchange line takes units of its return line that are neither
// refunded for r nor exchanged, nor found missing or replaced by a wrong
// item, and that its order line has shipped and not refunded (a claim
// included), exchanged in any return of o, or replaced for a claim
// ([Account.Replace]). An id that is the replacement order of a claim
// recorded in a fails with a *[fulfill.FieldError] of kind
// [ErrInvalidReturn]. Asking for more fails with a
// *[QuantityError] naming the line ("return line 1" or "order line 2")
// with the units it can still exchange (Available) and those asked
// (Requested), and changes nothing: not r, not a, and no order is placed.
//
// On success both r and a changed: save them together. Save a first, since
// its version is what stops a refund of the same units issued meanwhile
// from another process, then r and the replacement order. If a save fails,
// read r and a again and retry with the same replacement order id: should
// a hold the exchange already while r does not (r's save failed), the retry
// replaces that exchange in a instead of adding to it.
func (r *Return) Exchange(now time.Time, o *order.Order, a *Account, id fulfill.OrderID, req ExchangeRequest) (*order.Order, []order.Event, []Event, error) {
	if err := r.Can(ActionExchange); err != nil {
		return nil, nil, nil, err
	}
	if o == nil || o.ID() != r.order || o.Owner() != r.owner {
		return nil, nil, nil, invalid("order", "", "not the return's order")
	}
	if a == nil || a.order != r.order || a.owner != r.owner {
		return nil, nil, nil, invalid("account", "", "not the refund account of the return's order")
	}
	if len(req.Lines) == 0 {
		return nil, nil, nil, invalid("lines", "", "at least one line required")
	}
	if slices.ContainsFunc(a.replacements, func(x ReplacementRecord) bool { return x.Replacement == id }) {
		return nil, nil, nil, invalid("replacement", id.String(), "already the replacement order of a claim")
	}
	if req.CrossShip && !req.HoldUntil.After(now) {
		return nil, nil, nil, invalid("hold_until", req.HoldUntil.String(), "a cross-ship needs a deadline after now")
	}
	c, ac := r.Clone(), a.Clone()
	if !slices.Contains(r.exchanges, id) {
		ac.forgetExchange(r.id, id) // a retry after the return's save failed
	}
	var lines []ReplacementLine
	amount := zero(r.currency)
	for i, el := range req.Lines {
		f := "lines[" + strconv.Itoa(i) + "]"
		l, err := c.linePtr(f, el.Line)
		if err != nil {
			return nil, nil, nil, err
		}
		if n := ac.unsettled(r.id, *l); el.Quantity <= 0 || el.Quantity > n {
			return nil, nil, nil, &QuantityError{Line: "return line " + strconv.Itoa(l.No),
				What: "exchange of units not yet refunded, exchanged, missing or replaced by a wrong item", Available: n, Requested: el.Quantity}
		}
		ol, ok := o.Line(l.OrderLine)
		if !ok {
			return nil, nil, nil, invalid(f+".line", strconv.Itoa(l.No), "its order line is not in the order")
		}
		if n := max(0, ol.Shipped-ac.taken(ol.ID)); el.Quantity > n {
			return nil, nil, nil, &QuantityError{Line: "order line " + ol.ID.String(),
				What: "exchange of shipped units not yet refunded, exchanged or replaced", Available: n, Requested: el.Quantity}
		}
		if el.SKU != "" {
			if err := el.SKU.Validate(); err != nil {
				return nil, nil, nil, err
			}
		}
		l.Exchanged += el.Quantity
		ac.recordExchange(ExchangeRecord{Return: r.id, Line: ol.ID, Quantity: el.Quantity, Replacement: id, At: now})
		lines = append(lines, ReplacementLine{OrderLine: l.OrderLine, Quantity: el.Quantity, SKU: el.SKU})
		v, err := o.ValueOfUnits(l.OrderLine, ol.Ordered-el.Quantity, el.Quantity)
		if err != nil {
			return nil, nil, nil, err
		}
		if amount, err = amount.Add(v); err != nil {
			return nil, nil, nil, err
		}
	}
	var hold *order.Hold
	if req.CrossShip {
		if r.hold != nil && r.hold.State == HoldActive {
			return nil, nil, nil, invalid("cross_ship", "true", "the return already has an active cross-ship hold")
		}
		c.hold = &Hold{Order: id, Amount: amount, Until: req.HoldUntil, State: HoldActive}
	} else {
		hold = &order.Hold{ID: HoldID(r.id), Kind: order.HoldCustomerRequest, Source: "returns", Note: "awaiting return " + string(r.id)}
	}
	no, oevents, err := Replacement(now, o, id, lines, hold)
	if err != nil {
		return nil, nil, nil, err
	}
	c.exchanges = append(c.exchanges, id)
	note := "replacement order " + id.String()
	if req.CrossShip {
		note += fmt.Sprintf(", cross-ship hold %s until %s", amount, req.HoldUntil.UTC().Format(time.RFC3339))
	}
	e := c.event(now, EventExchanged, r.status, c.status, note)
	c.updated = now
	*r, *a = *c, *ac
	return no, oevents, []Event{e}, nil
}

// ReleaseReplacement returns the order command that releases the hold of
// replacement order id once the exchanged units are received, and false
// while they are not (or if id is not a replacement of r placed on hold).
func (r *Return) ReleaseReplacement(id fulfill.OrderID) (order.ReleaseRequest, bool) {
	if !slices.Contains(r.exchanges, id) || (r.hold != nil && r.hold.Order == id) || !r.exchangedReceived() {
		return order.ReleaseRequest{}, false
	}
	return order.ReleaseRequest{Holds: []string{HoldID(r.id)}}, true
}
