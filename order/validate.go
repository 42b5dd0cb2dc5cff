package order

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fulfillkit/fulfill"
)

// orZero returns m, or zero in c if m is the zero Money.
func orZero(m fulfill.Money, c fulfill.Currency) fulfill.Money {
	if m.Currency() == "" && m.IsZero() {
		return zero(c)
	}
	return m
}

// checkAmount reports an amount that is negative or in another currency.
func checkAmount(field string, m fulfill.Money, c fulfill.Currency) error {
	m = orZero(m, c)
	switch {
	case m.Currency() != c:
		return &fulfill.FieldError{Field: field, Value: m.String(), Reason: "not in the order currency " + string(c), Kind: fulfill.ErrCurrencyMismatch}
	case m.Sign() < 0:
		return invalid(field, m.String(), "negative")
	}
	return nil
}

// validateNewLine checks one new line.
func validateNewLine(field string, nl NewLine, c fulfill.Currency) error {
	var errs []error
	if err := nl.SKU.Validate(); err != nil {
		errs = append(errs, err)
	}
	if nl.Quantity <= 0 || nl.Quantity > MaxQuantity {
		errs = append(errs, invalid(field+".quantity", fmt.Sprint(nl.Quantity), fmt.Sprintf("must be 1 to %d", MaxQuantity)))
	}
	for _, a := range []struct {
		name string
		m    fulfill.Money
	}{{".unit_price", nl.UnitPrice}, {".unit_discount", nl.UnitDiscount}, {".unit_tax", nl.UnitTax}} {
		if err := checkAmount(field+a.name, a.m, c); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		if cmp, err := orZero(nl.UnitDiscount, c).Cmp(orZero(nl.UnitPrice, c)); err != nil || cmp > 0 {
			errs = append(errs, invalid(field+".unit_discount", nl.UnitDiscount.String(), "greater than the unit price"))
		}
	}
	return errors.Join(errs...)
}

// validatePlaced checks a Placed event's data, reporting every failure.
func validatePlaced(d Placed) error {
	var errs []error
	if strings.TrimSpace(string(d.Channel)) == "" {
		errs = append(errs, invalid("channel", string(d.Channel), "required"))
	}
	if _, ok := d.Currency.MinorUnits(); !ok {
		errs = append(errs, invalid("currency", string(d.Currency), "not an active ISO 4217 code"))
	}
	if err := d.ShipTo.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(d.Lines) == 0 {
		errs = append(errs, invalid("lines", "", "at least one line is required"))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for i, nl := range d.Lines {
		if err := validateNewLine(fmt.Sprintf("lines[%d]", i), nl, d.Currency); err != nil {
			errs = append(errs, err)
		}
	}
	if err := checkAmount("discount", d.Discount, d.Currency); err != nil {
		errs = append(errs, err)
	}
	if err := checkAmount("shipping", d.Shipping, d.Currency); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// validateHold checks one hold.
func validateHold(h Hold) error {
	switch {
	case strings.TrimSpace(h.ID) == "" || len(h.ID) > fulfill.MaxCodeLen:
		return invalid("holds.id", h.ID, "required, at most 128 bytes")
	case strings.TrimSpace(h.Source) == "":
		return invalid("holds.source", h.Source, "required")
	case !h.Kind.Valid():
		return invalid("holds.kind", string(h.Kind), "unknown hold kind")
	case h.Kind == HoldScheduled && h.Until.IsZero():
		return invalid("holds.until", "", "required for a scheduled hold")
	}
	return nil
}

// checkMoney checks that the order-level discount does not exceed what the
// lines are worth, so that no line total is negative.
func (o *Order) checkMoney() error {
	t, err := computeTotals(o.currency, o.lines, o.discount, o.shipping, false)
	if err != nil {
		if errors.Is(err, fulfill.ErrInvalidMoney) {
			return invalid("discount", o.discount.String(), "greater than the value of the lines")
		}
		return err
	}
	for _, lt := range t.Lines {
		if lt.Sign() < 0 {
			return invalid("discount", o.discount.String(), "greater than the value of the lines")
		}
	}
	return nil
}

// CheckInvariants checks the conservation rules listed in the package
// documentation and returns an *[InvariantError] naming the first one
// broken, or nil. Every command and every replayed event runs it; hosts can
// run it on orders they restore by other means.
func (o *Order) CheckInvariants() error {
	fail := func(rule string, line LineID, format string, args ...any) error {
		return &InvariantError{Rule: rule, Line: line, Detail: fmt.Sprintf(format, args...)}
	}
	type sums struct{ allocated, picked, packed, shipped, shipments, delivered int64 }
	per := make(map[LineID]*sums, len(o.lines))
	for _, l := range o.lines {
		q := l.Quantities
		if l.ID == 0 || l.ID > o.nextLine || per[l.ID] != nil {
			return fail("R8 identity", l.ID, "line ID not unique or not below the next ID %d", o.nextLine)
		}
		per[l.ID] = &sums{}
		if q.Ordered <= 0 || q.Ordered > MaxQuantity || q.Cancelled < 0 || q.Backordered < 0 || q.Allocated < 0 ||
			q.Picked < 0 || q.Packed < 0 || q.Shipped < 0 || q.Delivered < 0 || q.ReturnRequested < 0 || q.Returned < 0 {
			return fail("R1 bounds", l.ID, "%s", q)
		}
		if q.Unallocated() < 0 {
			return fail("R2 conservation", l.ID, "ordered %d < cancelled+backordered+allocated+picked+packed+shipped (%s)", q.Ordered, q)
		}
		if q.Delivered > q.Shipped {
			return fail("R3 delivered", l.ID, "delivered %d > shipped %d", q.Delivered, q.Shipped)
		}
		if q.Returned+q.ReturnRequested > q.Shipped {
			return fail("R4 returns", l.ID, "returned %d + return_requested %d > shipped %d", q.Returned, q.ReturnRequested, q.Shipped)
		}
	}
	seenF := map[FulfillmentID]bool{}
	for _, f := range o.fulfillments {
		if f.ID == 0 || f.ID > o.nextFulfillment || seenF[f.ID] {
			return fail("R8 identity", 0, "fulfillment ID %d not unique or not below the next ID %d", f.ID, o.nextFulfillment)
		}
		seenF[f.ID] = true
		for i, fl := range f.Lines {
			if i > 0 && fl.Line <= f.Lines[i-1].Line {
				return fail("R5 fulfillment", fl.Line, "fulfillment %d lists its lines out of order or twice", f.ID)
			}
			s := per[fl.Line]
			if s == nil {
				return fail("R5 fulfillment", fl.Line, "fulfillment %d refers to an unknown line", f.ID)
			}
			if fl.Allocated < 0 || fl.Picked < 0 || fl.Packed < 0 || fl.Shipped < 0 {
				return fail("R5 fulfillment", fl.Line, "fulfillment %d has a negative quantity", f.ID)
			}
			s.allocated += fl.Allocated
			s.picked += fl.Picked
			s.packed += fl.Packed
			s.shipped += fl.Shipped
		}
	}
	seenS := map[string]bool{}
	for _, sh := range o.shipments {
		if sh.ID == "" || seenS[sh.ID] || !seenF[sh.Fulfillment] {
			return fail("R6 shipments", 0, "shipment %q is unnamed, recorded twice or from an unknown fulfillment order %d", sh.ID, sh.Fulfillment)
		}
		seenS[sh.ID] = true
		for _, lq := range sh.Lines {
			s := per[lq.Line]
			if s == nil {
				return fail("R6 shipments", lq.Line, "shipment %q refers to an unknown line", sh.ID)
			}
			s.shipments += lq.Quantity
			if sh.Delivered {
				s.delivered += lq.Quantity
			}
		}
	}
	for _, l := range o.lines {
		s := per[l.ID]
		if s.allocated != l.Allocated || s.picked != l.Picked || s.packed != l.Packed || s.shipped != l.Shipped {
			return fail("R5 fulfillment", l.ID, "line has allocated=%d picked=%d packed=%d shipped=%d, its fulfillment orders %d, %d, %d, %d",
				l.Allocated, l.Picked, l.Packed, l.Shipped, s.allocated, s.picked, s.packed, s.shipped)
		}
		if s.shipments != l.Shipped || s.delivered != l.Delivered {
			return fail("R6 shipments", l.ID, "line has shipped=%d delivered=%d, its shipments %d, %d", l.Shipped, l.Delivered, s.shipments, s.delivered)
		}
	}
	seenH := map[string]bool{}
	for _, h := range o.holds {
		if seenH[h.ID] {
			return fail("R7 holds", 0, "hold %q is active twice", h.ID)
		}
		seenH[h.ID] = true
	}
	if o.closed {
		q := o.Quantities()
		if q.Unallocated()+q.Backordered+q.InFlight() > 0 || q.ReturnRequested > 0 {
			return fail("R9 closed", 0, "closed with units still open (%s)", q)
		}
	}
	return nil
}
