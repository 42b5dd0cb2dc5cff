package order

import (
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Snapshot is the complete state of an order as plain data, for storage:
// it encodes to JSON and back without loss (a SQL store can keep it in a
// JSONB column), and [Restore] turns it back into an [Order].
type Snapshot struct {
	ID              fulfill.OrderID  `json:"id"`
	Owner           fulfill.OwnerID  `json:"owner"`
	Version         int64            `json:"version"`
	Channel         Channel          `json:"channel"`
	Customer        string           `json:"customer,omitempty"`
	ShipTo          fulfill.Address  `json:"ship_to"`
	Currency        fulfill.Currency `json:"currency"`
	Discount        fulfill.Money    `json:"discount"`
	Shipping        fulfill.Money    `json:"shipping"`
	ServiceLevel    string           `json:"service_level,omitempty"`
	ShipBy          time.Time        `json:"ship_by,omitzero"`
	PromisedBy      time.Time        `json:"promised_by,omitzero"`
	ExpiresAt       time.Time        `json:"expires_at,omitzero"`
	Priority        int              `json:"priority,omitempty"`
	Confirmed       bool             `json:"confirmed,omitempty"`
	Closed          bool             `json:"closed,omitempty"`
	Lines           []Line           `json:"lines"`
	Holds           []Hold           `json:"holds,omitempty"`
	Fulfillments    []Fulfillment    `json:"fulfillments,omitempty"`
	Shipments       []Shipment       `json:"shipments,omitempty"`
	NextLine        LineID           `json:"next_line"`
	NextFulfillment FulfillmentID    `json:"next_fulfillment,omitempty"`
	CreatedAt       time.Time        `json:"created_at"`
	UpdatedAt       time.Time        `json:"updated_at"`
	// Status is derived, written for readers of the stored form (a SQL
	// store may index it). [Restore] checks it against the ledger.
	Status Status `json:"status"`
}

// Snapshot returns the order's state. The result shares nothing with o.
func (o *Order) Snapshot() Snapshot {
	c := o.Clone()
	return Snapshot{
		ID: c.id, Owner: c.owner, Version: c.version, Channel: c.channel, Customer: c.customer, ShipTo: c.shipTo,
		Currency: c.currency, Discount: c.discount, Shipping: c.shipping, ServiceLevel: c.service, ShipBy: c.shipBy,
		PromisedBy: c.promised, ExpiresAt: c.expiresAt, Priority: c.priority, Confirmed: c.confirmed, Closed: c.closed,
		Lines: c.lines, Holds: c.holds, Fulfillments: c.fulfillments, Shipments: c.shipments, NextLine: c.nextLine,
		NextFulfillment: c.nextFulfillment, CreatedAt: c.created, UpdatedAt: c.updated, Status: o.Status(),
	}
}

// Restore rebuilds an order from a snapshot, checking it as a command
// would: identity, currency, money and every ledger invariant. A snapshot
// that fails returns an error (an *[InvariantError] or *[fulfill.FieldError]
// values) and no order. The order shares nothing with s.
func Restore(s Snapshot) (*Order, error) {
	o := &Order{
		id: s.ID, owner: s.Owner, version: s.Version, channel: s.Channel, customer: s.Customer, shipTo: s.ShipTo,
		currency: s.Currency, discount: orZero(s.Discount, s.Currency), shipping: orZero(s.Shipping, s.Currency),
		service: s.ServiceLevel, shipBy: s.ShipBy, promised: s.PromisedBy, expiresAt: s.ExpiresAt, priority: s.Priority,
		confirmed: s.Confirmed, closed: s.Closed, lines: slices.Clone(s.Lines), holds: slices.Clone(s.Holds),
		nextLine: s.NextLine, nextFulfillment: s.NextFulfillment, created: s.CreatedAt, updated: s.UpdatedAt,
	}
	for _, f := range s.Fulfillments {
		o.fulfillments = append(o.fulfillments, Fulfillment{ID: f.ID, Location: f.Location, Lines: slices.Clone(f.Lines)})
	}
	for _, sh := range s.Shipments {
		sh.Lines = slices.Clone(sh.Lines)
		o.shipments = append(o.shipments, sh)
	}
	if s.ID.IsZero() {
		return nil, invalid("id", "", "required")
	}
	if err := s.Owner.Validate(); err != nil {
		return nil, err
	}
	if s.Version < 1 {
		return nil, invalid("version", "", "must be at least 1")
	}
	nls := make([]NewLine, len(o.lines))
	for i, l := range o.lines {
		nls[i] = NewLine{SKU: l.SKU, Quantity: l.Ordered, UnitPrice: l.UnitPrice, UnitDiscount: l.UnitDiscount, UnitTax: l.UnitTax}
		if err := checkAmount("cancelled_value", l.CancelledValue, s.Currency); err != nil {
			return nil, err
		}
		o.lines[i].CancelledValue = orZero(l.CancelledValue, s.Currency)
	}
	if err := validatePlaced(Placed{Channel: s.Channel, ShipTo: s.ShipTo, Currency: s.Currency, Lines: nls, Discount: s.Discount, Shipping: s.Shipping}); err != nil {
		return nil, err
	}
	for _, h := range o.holds {
		if err := validateHold(h); err != nil {
			return nil, err
		}
	}
	for _, f := range o.fulfillments {
		if err := f.Location.Validate(); err != nil {
			return nil, err
		}
	}
	if err := o.checkMoney(); err != nil {
		return nil, err
	}
	if err := o.CheckInvariants(); err != nil {
		return nil, err
	}
	if s.Status != "" && s.Status != o.Status() {
		return nil, invalid("status", string(s.Status), "does not match the ledger, which says "+string(o.Status()))
	}
	return o, nil
}
