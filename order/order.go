package order

import (
	"iter"
	"slices"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/shopspring/decimal"
)

// Channel is where an order came from. The set is open: hosts may use their
// own values; the constants name the common ones.
type Channel string

// Common channels.
const (
	ChannelWeb         Channel = "web"
	ChannelMarketplace Channel = "marketplace"
	ChannelB2B         Channel = "b2b"
	ChannelRetail      Channel = "retail"
	ChannelPhone       Channel = "phone"
)

// LineID identifies a line within its order. IDs are assigned 1, 2, 3, ...
// in the order lines are added and never reused, not even after a line is
// removed by an edit.
type LineID uint32

// String returns the decimal form.
func (id LineID) String() string { return strconv.FormatUint(uint64(id), 10) }

// MaxQuantity is the largest quantity a line may order, so that sums of
// buckets never overflow.
const MaxQuantity = 1_000_000_000

// Line is one order line: a SKU, its prices and its quantity ledger. It is
// a value; the order hands out copies.
//
// Prices are per unit: UnitDiscount is the line-level discount per unit and
// UnitTax the tax per unit, both in the order's currency. The order-level
// discount is spread across lines by [Order.Totals].
type Line struct {
	ID           LineID        `json:"id"`
	SKU          fulfill.SKU   `json:"sku"`
	UnitPrice    fulfill.Money `json:"unit_price"`
	UnitDiscount fulfill.Money `json:"unit_discount"`
	UnitTax      fulfill.Money `json:"unit_tax"`
	// CancelledValue is the money released by cancelling units of this line,
	// the sum of the amounts in its [Cancelled] and [Expired] events. It is
	// never more than the line's total: CancelledValue plus the value of
	// the units not cancelled ([Order.ValueOfUnits]) is the total.
	CancelledValue fulfill.Money `json:"cancelled_value"`
	Quantities     `json:"quantities"`
}

// HoldKind says why an order is held.
type HoldKind string

// Kinds of hold.
const (
	HoldAwaitingPayment HoldKind = "awaiting_payment"
	HoldFraudReview     HoldKind = "fraud_review"
	HoldAddressCheck    HoldKind = "address_check"
	HoldCustomerRequest HoldKind = "customer_request"
	HoldOutOfStock      HoldKind = "out_of_stock"
	// HoldScheduled holds the order until Hold.Until; [ReleaseRequest.Due]
	// releases it once that time has come.
	HoldScheduled HoldKind = "scheduled"
)

// Valid reports whether k is one of the hold kinds of this package.
func (k HoldKind) Valid() bool {
	switch k {
	case HoldAwaitingPayment, HoldFraudReview, HoldAddressCheck, HoldCustomerRequest, HoldOutOfStock, HoldScheduled:
		return true
	}
	return false
}

// Hold is one active reason to stop an order. Several holds may be active
// at once; each is released by its ID.
type Hold struct {
	ID     string    `json:"id"`             // chosen by the host, unique among the order's active holds
	Kind   HoldKind  `json:"kind"`           // why
	Source string    `json:"source"`         // who placed it, required: "payments", "fraud-service", an agent's name
	Note   string    `json:"note,omitempty"` // free text
	Until  time.Time `json:"until,omitzero"` // for HoldScheduled: when it may be released
	Since  time.Time `json:"since,omitzero"` // when it was placed
}

// FulfillmentID identifies a fulfillment order within its order, assigned
// 1, 2, 3, ... and never reused.
type FulfillmentID uint32

// String returns the decimal form.
func (id FulfillmentID) String() string { return strconv.FormatUint(uint64(id), 10) }

// Fulfillment is a fulfillment order: the part of an order that one
// location works on. Allocating units at a location puts them in the open
// fulfillment order there; it can be split, moved to another location and
// merged with another at the same location.
type Fulfillment struct {
	ID       FulfillmentID      `json:"id"`
	Location fulfill.LocationID `json:"location"`
	Lines    []FulfillmentLine  `json:"lines"`
}

// FulfillmentLine is a line's quantities within one fulfillment order.
type FulfillmentLine struct {
	Line      LineID `json:"line"`
	Allocated int64  `json:"allocated"`
	Picked    int64  `json:"picked"`
	Packed    int64  `json:"packed"`
	Shipped   int64  `json:"shipped"`
}

// Remaining returns the units the fulfillment order still has to ship.
func (f Fulfillment) Remaining() int64 {
	var n int64
	for _, l := range f.Lines {
		n += l.Allocated + l.Picked + l.Packed
	}
	return n
}

// started reports whether any unit of f was picked, packed or shipped.
func (f Fulfillment) started() bool {
	for _, l := range f.Lines {
		if l.Picked+l.Packed+l.Shipped > 0 {
			return true
		}
	}
	return false
}

// line returns the index of line id in f, or -1.
func (f *Fulfillment) line(id LineID) int {
	for i := range f.Lines {
		if f.Lines[i].Line == id {
			return i
		}
	}
	return -1
}

// lineFor returns f's entry for line id, adding it in line order if absent.
func (f *Fulfillment) lineFor(id LineID) *FulfillmentLine {
	if i := f.line(id); i >= 0 {
		return &f.Lines[i]
	}
	i, _ := slices.BinarySearchFunc(f.Lines, id, func(l FulfillmentLine, id LineID) int { return int(l.Line) - int(id) })
	f.Lines = slices.Insert(f.Lines, i, FulfillmentLine{Line: id})
	return &f.Lines[i]
}

// LineQuantity is a quantity of one line.
type LineQuantity struct {
	Line     LineID `json:"line"`
	Quantity int64  `json:"quantity"`
}

// Shipment records units that left a fulfillment order together.
type Shipment struct {
	ID          string         `json:"id"` // chosen by the host, such as a tracking number
	Fulfillment FulfillmentID  `json:"fulfillment"`
	Lines       []LineQuantity `json:"lines"`
	ShippedAt   time.Time      `json:"shipped_at"`
	Delivered   bool           `json:"delivered,omitempty"`
	DeliveredAt time.Time      `json:"delivered_at,omitzero"`
}

// Order is the order aggregate. Its fields are unexported; it changes only
// through its commands, each of which returns the events it applied and
// leaves the order untouched on error. An Order is not safe for concurrent
// use; stores hand each caller its own copy.
type Order struct {
	id        fulfill.OrderID
	owner     fulfill.OwnerID
	channel   Channel
	customer  string
	shipTo    fulfill.Address
	currency  fulfill.Currency
	discount  fulfill.Money // order-level discount
	shipping  fulfill.Money
	service   string
	shipBy    time.Time
	promised  time.Time
	priority  int
	expiresAt time.Time
	confirmed bool
	closed    bool

	lines        []Line
	holds        []Hold
	fulfillments []Fulfillment
	shipments    []Shipment

	nextLine        LineID
	nextFulfillment FulfillmentID
	version         int64
	created         time.Time
	updated         time.Time
}

// ID returns the order's ID.
func (o *Order) ID() fulfill.OrderID { return o.id }

// Owner returns the merchant or client the order belongs to.
func (o *Order) Owner() fulfill.OwnerID { return o.owner }

// Channel returns where the order came from.
func (o *Order) Channel() Channel { return o.channel }

// Customer returns the host's customer reference.
func (o *Order) Customer() string { return o.customer }

// ShipTo returns the delivery address.
func (o *Order) ShipTo() fulfill.Address { return o.shipTo }

// Currency returns the currency of every amount in the order.
func (o *Order) Currency() fulfill.Currency { return o.currency }

// ServiceLevel returns the requested service level, such as "standard".
func (o *Order) ServiceLevel() string { return o.service }

// ShipBy returns when the order must ship; zero if unset.
func (o *Order) ShipBy() time.Time { return o.shipBy }

// PromisedBy returns the delivery date promised to the customer; zero if unset.
func (o *Order) PromisedBy() time.Time { return o.promised }

// Priority returns the order's priority; higher goes first. Zero is normal.
func (o *Order) Priority() int { return o.priority }

// ExpiresAt returns when an unconfirmed order may be expired; zero if never.
func (o *Order) ExpiresAt() time.Time { return o.expiresAt }

// Confirmed reports whether the order passed its confirmation gate.
func (o *Order) Confirmed() bool { return o.confirmed }

// Version returns the number of events applied to the order: 1 after
// placing, +1 per command.
func (o *Order) Version() int64 { return o.version }

// CreatedAt returns when the order was placed.
func (o *Order) CreatedAt() time.Time { return o.created }

// UpdatedAt returns when the last event was applied.
func (o *Order) UpdatedAt() time.Time { return o.updated }

// Lines returns the order's lines, in ID order.
func (o *Order) Lines() iter.Seq[Line] {
	return func(yield func(Line) bool) {
		for _, l := range o.lines {
			if !yield(l) {
				return
			}
		}
	}
}

// Line returns line id and whether the order has it.
func (o *Order) Line(id LineID) (Line, bool) {
	if i := o.lineIndex(id); i >= 0 {
		return o.lines[i], true
	}
	return Line{}, false
}

// lineIndex returns the index of line id, or -1.
func (o *Order) lineIndex(id LineID) int {
	for i := range o.lines {
		if o.lines[i].ID == id {
			return i
		}
	}
	return -1
}

// Holds returns the active holds, in the order they were placed.
func (o *Order) Holds() []Hold { return slices.Clone(o.holds) }

// Fulfillments returns the fulfillment orders, in ID order.
func (o *Order) Fulfillments() []Fulfillment {
	out := make([]Fulfillment, len(o.fulfillments))
	for i, f := range o.fulfillments {
		out[i] = Fulfillment{ID: f.ID, Location: f.Location, Lines: slices.Clone(f.Lines)}
	}
	return out
}

// Shipments returns the shipments, in the order they were made.
func (o *Order) Shipments() []Shipment {
	out := make([]Shipment, len(o.shipments))
	for i, s := range o.shipments {
		out[i] = s
		out[i].Lines = slices.Clone(s.Lines)
	}
	return out
}

// fulfillmentIndex returns the index of fulfillment id, or -1.
func (o *Order) fulfillmentIndex(id FulfillmentID) int {
	for i := range o.fulfillments {
		if o.fulfillments[i].ID == id {
			return i
		}
	}
	return -1
}

// Quantities returns the sum of every line's ledger.
func (o *Order) Quantities() Quantities {
	var q Quantities
	for _, l := range o.lines {
		q = q.add(l.Quantities)
	}
	return q
}

// Status derives the order's status from its ledger, its confirmation, its
// holds and whether it is closed. See the package documentation for the rules.
func (o *Order) Status() Status {
	return deriveStatus(o.Quantities(), o.confirmed, o.closed, len(o.holds) > 0)
}

// Clone returns a deep copy of o.
func (o *Order) Clone() *Order {
	c := *o
	c.lines = slices.Clone(o.lines)
	c.holds = slices.Clone(o.holds)
	c.fulfillments = make([]Fulfillment, len(o.fulfillments))
	for i, f := range o.fulfillments {
		c.fulfillments[i] = Fulfillment{ID: f.ID, Location: f.Location, Lines: slices.Clone(f.Lines)}
	}
	c.shipments = make([]Shipment, len(o.shipments))
	for i, s := range o.shipments {
		c.shipments[i] = s
		c.shipments[i].Lines = slices.Clone(s.Lines)
	}
	return &c
}

// Totals is the money of an order, every amount in the order's currency.
type Totals struct {
	Subtotal  fulfill.Money `json:"subtotal"`  // unit prices times quantities ordered
	Discount  fulfill.Money `json:"discount"`  // line discounts plus the order discount
	Tax       fulfill.Money `json:"tax"`       // unit taxes times quantities ordered
	Shipping  fulfill.Money `json:"shipping"`  // the shipping charge
	Total     fulfill.Money `json:"total"`     // Subtotal - Discount + Tax + Shipping
	Cancelled fulfill.Money `json:"cancelled"` // released by cancellations, shipping included once the whole order is cancelled before shipping
	Due       fulfill.Money `json:"due"`       // Total - Cancelled
	// Lines holds each line's total (net of every discount, tax included),
	// in line order; they add up to Total - Shipping exactly.
	Lines []fulfill.Money `json:"lines"`
}

// Totals computes the order's money. The order-level discount is spread
// over the lines in proportion to their discounted value with
// [fulfill.Money.Allocate], so no cent is lost. A line cancelled in full is
// worth the money its cancellations released; if an edit of other lines
// changed its share of the order discount afterwards, the difference is
// spread over the other lines the same way (see [Order.ValueOfUnits]).
func (o *Order) Totals() (Totals, error) {
	q := o.Quantities()
	return computeTotals(o.currency, o.lines, o.discount, o.shipping, q.Live() == 0 && q.Shipped == 0)
}

// zero returns zero in currency c.
func zero(c fulfill.Currency) fulfill.Money {
	m, _ := fulfill.NewMoney(decimal.Zero, c)
	return m
}

// computeTotals does the work of Totals.
func computeTotals(c fulfill.Currency, lines []Line, discount, shipping fulfill.Money, shippingCancelled bool) (Totals, error) {
	t := Totals{Subtotal: zero(c), Discount: zero(c), Tax: zero(c), Shipping: shipping, Cancelled: zero(c), Lines: make([]fulfill.Money, len(lines))}
	shares, err := discountShares(c, lines, discount)
	if err != nil {
		return Totals{}, err
	}
	var errs [8]error
	for i, l := range lines {
		gross := l.UnitPrice.Mul(l.Ordered)
		lineDisc := l.UnitDiscount.Mul(l.Ordered)
		tax := l.UnitTax.Mul(l.Ordered)
		t.Subtotal, errs[0] = t.Subtotal.Add(gross)
		t.Discount, errs[1] = t.Discount.Add(lineDisc)
		t.Tax, errs[2] = t.Tax.Add(tax)
		t.Cancelled, errs[3] = t.Cancelled.Add(l.CancelledValue)
		lt, e1 := gross.Sub(lineDisc)
		lt, e2 := lt.Sub(shares[i])
		lt, e3 := lt.Add(tax)
		t.Lines[i] = lt
		if err := firstErr(errs[0], errs[1], errs[2], errs[3], e1, e2, e3); err != nil {
			return Totals{}, err
		}
	}
	if err := settleCancelledLines(lines, t.Lines); err != nil {
		return Totals{}, err
	}
	if t.Discount, err = t.Discount.Add(discount); err != nil {
		return Totals{}, err
	}
	if shippingCancelled {
		if t.Cancelled, err = t.Cancelled.Add(shipping); err != nil {
			return Totals{}, err
		}
	}
	total, e1 := t.Subtotal.Sub(t.Discount)
	total, e2 := total.Add(t.Tax)
	total, e3 := total.Add(shipping)
	due, e4 := total.Sub(t.Cancelled)
	if err := firstErr(e1, e2, e3, e4); err != nil {
		return Totals{}, err
	}
	t.Total, t.Due = total, due
	return t, nil
}

// discountShares spreads the order discount over lines in proportion to
// their discounted value.
func discountShares(c fulfill.Currency, lines []Line, discount fulfill.Money) ([]fulfill.Money, error) {
	shares := make([]fulfill.Money, len(lines))
	if discount.IsZero() || len(lines) == 0 {
		for i := range shares {
			shares[i] = zero(c)
		}
		return shares, nil
	}
	ratios := make([]decimal.Decimal, len(lines))
	for i, l := range lines {
		r, err := l.ratio()
		if err != nil {
			return nil, err
		}
		ratios[i] = r
	}
	return discount.Allocate(ratios...)
}

// ratio returns the line's discounted value, by which the order discount
// is spread.
func (l Line) ratio() (decimal.Decimal, error) {
	net, err := l.UnitPrice.Sub(l.UnitDiscount)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return net.Amount().Mul(decimal.NewFromInt(l.Ordered)), nil
}

// settleCancelledLines makes the total of every line cancelled in full the
// money its cancellations released, and spreads the difference from the
// totals the order discount gave them over the other lines in proportion to
// their discounted value (by count of lines if they have none), so that the
// totals still add up. The difference is zero unless an edit changed a
// line's share of the order discount after it was cancelled in full. If
// every line is cancelled in full and the difference is not zero, which no
// command leads to (Replay and Restore accept it), totals stays as it is.
func settleCancelledLines(lines []Line, totals []fulfill.Money) error {
	var moved fulfill.Money
	var settle bool
	open := 0
	for i, l := range lines {
		if l.Cancelled < l.Ordered {
			open++
			continue
		}
		released := orZero(l.CancelledValue, totals[i].Currency())
		if released.Equal(totals[i]) {
			continue
		}
		d, err := totals[i].Sub(released)
		if err != nil {
			return err
		}
		if moved, err = moved.Add(d); err != nil {
			return err
		}
		settle = true
	}
	if !settle || (open == 0 && !moved.IsZero()) {
		return nil
	}
	ratios := make([]decimal.Decimal, 0, open)
	positive := false
	for _, l := range lines {
		if l.Cancelled < l.Ordered {
			r, err := l.ratio()
			if err != nil {
				return err
			}
			ratios = append(ratios, r)
			positive = positive || r.Sign() > 0
		}
	}
	if !positive {
		for i := range ratios {
			ratios[i] = decimal.NewFromInt(1)
		}
	}
	var parts []fulfill.Money
	if open > 0 {
		var err error
		if parts, err = moved.Allocate(ratios...); err != nil {
			return err
		}
	}
	j := 0
	for i, l := range lines {
		if l.Cancelled == l.Ordered {
			totals[i] = orZero(l.CancelledValue, totals[i].Currency())
			continue
		}
		var err error
		if totals[i], err = totals[i].Add(parts[j]); err != nil {
			return err
		}
		j++
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// ValueOfUnits returns what the customer pays for units from+1 .. from+n of
// line id, after every discount and with tax. It is additive:
// ValueOfUnits(id, 0, a) + ValueOfUnits(id, a, b) = ValueOfUnits(id, 0, a+b);
// no run of units is worth less than zero; ValueOfUnits(id, 0, Ordered) is
// the line's total in [Order.Totals] and ValueOfUnits(id, 0, Cancelled) its
// [Line.CancelledValue]. Cancellations take the first units not yet
// cancelled; a refund for returned units should take the last units not yet
// refunded, so that everything cancelled and refunded adds up to the line's
// total.
//
// The line's total (net of line and order discounts, tax included) is split
// over its ordered units without losing a cent ([fulfill.Money.Allocate]),
// and the first k units are worth their share of it, except that money a
// cancellation released is history: an edit that changes the line's total
// (its quantity, or its share of the order discount when other lines
// change) does not change what earlier cancellations released. So the first
// Cancelled units are worth exactly CancelledValue, and the first k units
// are worth their share but not more than CancelledValue if k < Cancelled,
// and not less if k > Cancelled. The units not cancelled share the rest of
// the total, so that at every point CancelledValue +
// ValueOfUnits(id, Cancelled, Ordered-Cancelled) is the line's total, to the
// cent: if an edit raised the cancelled units' share, the next units
// cancelled also release the difference; if it lowered it, the next units
// are worth nothing until their share reaches what was released. Without
// such an edit, every run of units is worth its share.
//
// A line cancelled in full is worth its CancelledValue: if an edit of other
// lines changes its share of the order discount, [Order.Totals] moves the
// difference to the other lines. An edit may not lower
// a line's total below its CancelledValue (it is refused with a
// *[ReleasedError]). Should a line have released more than its total anyway
// (no command leads there, but [Replay] and [Restore] accept it), its units
// not cancelled are worth zero.
func (o *Order) ValueOfUnits(id LineID, from, n int64) (fulfill.Money, error) {
	i := o.lineIndex(id)
	if i < 0 {
		return fulfill.Money{}, &ReferenceError{Kind: "line", ID: id.String()}
	}
	t, err := computeTotals(o.currency, o.lines, o.discount, o.shipping, false)
	if err != nil {
		return fulfill.Money{}, err
	}
	return valueOfUnits(t.Lines[i], o.lines[i], from, n)
}

// valueOfUnits returns the value of units from+1 .. from+n of line l, whose
// total is total, as [Order.ValueOfUnits] defines it.
func valueOfUnits(total fulfill.Money, l Line, from, n int64) (fulfill.Money, error) {
	ordered := l.Ordered
	if from < 0 || n < 0 || from+n > ordered {
		return fulfill.Money{}, &QuantityError{Line: l.ID, Bucket: BucketOrdered, Available: ordered - max(from, 0), Requested: n}
	}
	if n == 0 {
		return zero(total.Currency()), nil
	}
	released := orZero(l.CancelledValue, total.Currency())
	// share returns the first k units' share of total.
	share := func(k int64) (fulfill.Money, error) {
		switch k {
		case 0:
			return zero(total.Currency()), nil
		case ordered:
			return total, nil
		}
		parts, err := total.Allocate(decimal.NewFromInt(k), decimal.NewFromInt(ordered-k))
		if err != nil {
			return fulfill.Money{}, err
		}
		return parts[0], nil
	}
	// upTo returns the value of the first k units: their share, held at or
	// below what was released for the cancelled units and at or above it
	// past them.
	upTo := func(k int64) (fulfill.Money, error) {
		if k == l.Cancelled {
			return released, nil
		}
		s, err := share(k)
		if err != nil {
			return fulfill.Money{}, err
		}
		c, err := s.Cmp(released)
		if err != nil {
			return fulfill.Money{}, err
		}
		if (k < l.Cancelled && c > 0) || (k > l.Cancelled && c < 0) {
			return released, nil
		}
		return s, nil
	}
	a, err := upTo(from)
	if err != nil {
		return fulfill.Money{}, err
	}
	b, err := upTo(from + n)
	if err != nil {
		return fulfill.Money{}, err
	}
	return b.Sub(a)
}
