package carrier

import (
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/shopspring/decimal"
)

// ServicePrice is the price of a shipment with one service, without the
// explanation a [Quote] carries: what [Tariff.Prices] gives.
type ServicePrice struct {
	Service Service       `json:"service"` // the carrier and service
	Price   fulfill.Money `json:"price"`   // the total for every package, surcharges and fuel included
	// TransitDays is the number of business days in transit, or 0 if
	// unknown.
	TransitDays int `json:"transit_days,omitempty"`
	// EstimatedDelivery is the day the shipment is expected, or the zero
	// time if unknown.
	EstimatedDelivery time.Time `json:"estimated_delivery,omitzero"`
}

// Prices appends to dst the price of req with every eligible service of
// the card in effect at req.ShipTime, in card order, and returns the
// extended slice. Each is the Service, Price, TransitDays and
// EstimatedDelivery of the quote [Tariff.Quotes] gives for the service,
// to the digit, but no explanation is built and ineligible services are
// left out without a reason, so that pricing many candidate parcels, as a
// shipping estimate for cartonization does, costs little: with a dst of
// enough capacity, a request with one package usually allocates only the
// prices' amounts. Ask Quotes for the explanation of a price or why a
// service is missing.
//
// The error, as that of Quotes, is non-nil only for an invalid request
// ([ErrInvalidRequest]) or a ship time before every card ([ErrNoCard]);
// dst is then returned as it was.
func (t *Tariff) Prices(req Request, dst []ServicePrice) ([]ServicePrice, error) {
	if err := req.Validate(); err != nil {
		return dst, err
	}
	c, err := t.card(req.ShipTime)
	if err != nil {
		return dst, err
	}
	return c.prices(req, dst), nil
}

// prices appends to dst the price of req with every eligible service:
// quote without the explanations and the reasons.
func (c *compiledCard) prices(req Request, dst []ServicePrice) []ServicePrice {
	var st quoteState
	st.init(c, req, false)
	if st.zoneIdx < 0 {
		return dst
	}
	var dv decimal.Decimal
	if d := req.Options.DeclaredValue; !d.IsZero() {
		if d.Currency() != c.currency {
			return dst // every service is ineligible
		}
		dv = d.Amount()
	}
	for i := range c.services {
		s := &c.services[i]
		if s.prices[st.zoneIdx] == nil {
			continue
		}
		price, ok := c.priceService(s, &st, dv)
		if !ok {
			continue
		}
		p := ServicePrice{Service: s.svc, Price: price}
		if days := s.transit[st.zoneIdx]; days >= 0 {
			p.TransitDays = days
			p.EstimatedDelivery, _ = st.transitStep(days)
		}
		dst = append(dst, p)
	}
	return dst
}

// priceService returns the price of the request with service s, as
// quoteService makes it, or ok false if s cannot carry it.
func (c *compiledCard) priceService(s *compiledService, st *quoteState, dv decimal.Decimal) (fulfill.Money, bool) {
	sub, fast, ok := c.subtotal(s, st, dv, nil)
	if !ok {
		return fulfill.Money{}, false
	}
	hasFuel := c.fuel.Sign() > 0
	if fast {
		if !hasFuel {
			return st.money(c, sub, c.scale), true
		}
		f, ok := c.fuel64(sub)
		fu, ok2 := mulInt64(f, pow10[c.scale-c.minor])
		t, ok3 := addInt64(sub, fu)
		if ok && ok2 && ok3 {
			return st.money(c, t, c.scale), true
		}
	}
	// The sum in decimals, amount after amount as quoteService adds
	// them, so that the total is the same to the last digit of its
	// representation.
	var subtotal decimal.Decimal
	c.subtotal(s, st, dv, &subtotal)
	total := c.money(subtotal)
	if hasFuel {
		fuel := c.money(subtotal.Mul(c.fuel)).Round(fulfill.RoundHalfUp)
		total = c.money(subtotal.Add(fuel.Amount()))
	}
	return total, true
}

// subtotal adds up the base prices and surcharges of the request with
// service s, or reports ok false if s cannot carry it. With dec nil, it
// sums in int64 units of 10^-scale while the card is fast and the sum
// fits, and fast says whether sub is that sum; with dec set, it adds
// every amount to *dec instead, in the order of the quote's steps.
func (c *compiledCard) subtotal(s *compiledService, st *quoteState, dv decimal.Decimal, dec *decimal.Decimal) (sub int64, fast, ok bool) {
	fast = c.fast && dec == nil
	add := func(p *priced) {
		switch {
		case dec != nil:
			*dec = dec.Add(p.m.Amount())
		case fast:
			sub, fast = addInt64(sub, p.units)
		}
	}
	zi := st.zoneIdx
	row := s.prices[zi]
	var hitsBuf, keptBuf [8]applied
	for i, p := range st.req.Packages {
		m := st.measure(c, i, s)
		switch l := s.limits; {
		case l.MaxWeight > 0 && p.Mass > l.MaxWeight,
			l.MaxLength > 0 && m.sorted.Length > l.MaxLength,
			l.MaxLengthPlusGirth > 0 && m.lpg > l.MaxLengthPlusGirth:
			return 0, false, false
		}
		billable := m.actual
		if s.dim != nil {
			_, dw, ok := st.dimWeight(c, i, s, m)
			if !ok {
				return 0, false, false
			}
			billable = max(billable, dw)
		}
		hits := hitsBuf[:0]
		for _, idx := range s.surcharges {
			if _, ok := st.hits(c, idx, p.Mass, m); ok {
				hits = append(hits, applied{idx: idx})
			}
		}
		kept := c.unsuperseded(hits, keptBuf[:0])
		for _, a := range kept {
			if sc := &c.surcharges[a.idx]; sc.Kind == SurchargeLargePackage {
				billable = max(billable, sc.MinBillable)
			}
		}
		billable = max(billable, s.minBillable)
		k, _ := slices.BinarySearch(s.weights, billable)
		if k == len(s.weights) {
			return 0, false, false
		}
		add(&row[k])
		for _, a := range kept {
			sc := &c.surcharges[a.idx]
			amt := &sc.amount
			if sc.zoned[zi] {
				amt = &sc.byZone[zi]
			}
			add(amt)
		}
	}
	for _, sc := range c.surcharges {
		if sc.Kind != SurchargeDeclaredValue || dv.Sign() <= 0 || (len(sc.Services) > 0 && !slices.Contains(sc.Services, s.svc.Code)) {
			continue
		}
		over := dv.Sub(sc.Free)
		if over.Sign() <= 0 {
			continue
		}
		fast = false
		if dec != nil {
			*dec = dec.Add(c.money(over.Div(sc.Per).Ceil().Mul(sc.Amount)).Amount())
		}
	}
	return sub, fast, true
}
