package carrier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fulfillkit/fulfill"
	"github.com/shopspring/decimal"
)

// TableBasis says what a merchant [Table] prices by.
type TableBasis string

// The bases of a merchant table.
const (
	TableFlat   TableBasis = "flat"        // one price for every order
	TableWeight TableBasis = "weight"      // by the total actual weight of the packages
	TableValue  TableBasis = "order_value" // by the order's merchandise value (Options.OrderValue)
)

// WeightTier prices shipments up to a total weight: a weight w takes the
// first tier whose UpTo is >= w.
type WeightTier struct {
	UpTo  fulfill.Mass    `json:"up_to"` // the heaviest total weight of the tier
	Price decimal.Decimal `json:"price"` // the tier's price
}

// ValueTier prices orders worth at least From: a value v takes the last
// tier whose From is <= v.
type ValueTier struct {
	From  decimal.Decimal `json:"from"`  // the least order value of the tier
	Price decimal.Decimal `json:"price"` // the tier's price
}

// Table is a merchant's own shipping rate, the way shop platforms do it:
// a flat price, or a price by weight or order-value tier, then markups, then
// free shipping above an order value. Amounts are in Currency.
type Table struct {
	Service  string           `json:"service"`        // the service code shown to buyers, such as "STANDARD"
	Name     string           `json:"name,omitempty"` // display name, such as "Standard shipping"
	Currency fulfill.Currency `json:"currency"`       // of every amount
	Basis    TableBasis       `json:"basis"`          // what it prices by
	// Flat is the price of a flat table.
	Flat        decimal.Decimal `json:"flat,omitzero"`
	WeightTiers []WeightTier    `json:"weight_tiers,omitempty"` // increasing UpTo
	ValueTiers  []ValueTier     `json:"value_tiers,omitempty"`  // increasing From
	// MarkupPercent and MarkupAmount raise the tier price: price x (1 +
	// percent/100) + amount, rounded half up to the minor unit. Zero means
	// no markup; negative values give a discount, never below zero.
	MarkupPercent decimal.Decimal `json:"markup_percent,omitzero"`
	MarkupAmount  decimal.Decimal `json:"markup_amount,omitzero"` // added after the percentage
	// FreeAbove makes shipping free for orders worth at least this much.
	// Zero means never free.
	FreeAbove decimal.Decimal `json:"free_above,omitzero"`
	// TransitDays is the promised business days in transit; zero means
	// unknown.
	TransitDays int `json:"transit_days,omitempty"`
	// Units is the system weights are written in in explanations; empty
	// means imperial.
	Units Units `json:"units,omitempty"`
}

// Validate reports every problem with t as *[CardError] values joined with
// [errors.Join]: a missing service, an unknown currency or basis, tiers that
// are missing, negative or out of order.
func (t Table) Validate() error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &CardError{Card: "table " + t.Service, Field: field, Value: value, Reason: reason})
	}
	if strings.TrimSpace(t.Service) == "" {
		bad("service", t.Service, "required")
	}
	if !validText(t.Service) || !validText(t.Name) {
		bad("service", t.Service, "not valid UTF-8 text")
	}
	if _, ok := t.Currency.MinorUnits(); !ok {
		bad("currency", string(t.Currency), "not an active ISO 4217 code")
	}
	switch t.Basis {
	case TableFlat:
		if t.Flat.Sign() < 0 {
			bad("flat", t.Flat.String(), "must not be negative")
		}
	case TableWeight:
		if len(t.WeightTiers) == 0 {
			bad("weight_tiers", "", "at least one tier required")
		}
		for i, w := range t.WeightTiers {
			if w.UpTo <= 0 || (i > 0 && w.UpTo <= t.WeightTiers[i-1].UpTo) {
				bad(fmt.Sprintf("weight_tiers[%d].up_to", i), w.UpTo.String(), "must be positive and increasing")
			}
			if w.Price.Sign() < 0 {
				bad(fmt.Sprintf("weight_tiers[%d].price", i), w.Price.String(), "must not be negative")
			}
		}
	case TableValue:
		if len(t.ValueTiers) == 0 {
			bad("value_tiers", "", "at least one tier required")
		}
		for i, v := range t.ValueTiers {
			if v.From.Sign() < 0 || (i > 0 && v.From.LessThanOrEqual(t.ValueTiers[i-1].From)) {
				bad(fmt.Sprintf("value_tiers[%d].from", i), v.From.String(), "must be non-negative and increasing")
			}
			if v.Price.Sign() < 0 {
				bad(fmt.Sprintf("value_tiers[%d].price", i), v.Price.String(), "must not be negative")
			}
		}
	default:
		bad("basis", string(t.Basis), `want "flat", "weight" or "order_value"`)
	}
	if t.FreeAbove.Sign() < 0 {
		bad("free_above", t.FreeAbove.String(), "must not be negative")
	}
	if t.Units != "" && t.Units != UnitsImperial && t.Units != UnitsMetric {
		bad("units", string(t.Units), `want "imperial" or "metric"`)
	}
	if t.TransitDays < 0 || t.TransitDays > 365 {
		bad("transit_days", fmt.Sprint(t.TransitDays), "want 0 to 365")
	}
	return errors.Join(errs...)
}

// Merchant is a [Carrier] quoting a merchant's own [Table] rates, one
// quote per table. It is immutable and safe for concurrent use.
type Merchant struct {
	name   string
	tables []Table
}

var _ Carrier = (*Merchant)(nil)

// NewMerchant validates tables and returns a Merchant named name. Service
// codes must be unique. Errors wrap [ErrInvalidCard].
func NewMerchant(name string, tables ...Table) (*Merchant, error) {
	var errs []error
	seen := map[string]bool{}
	m := &Merchant{name: name}
	for _, t := range tables {
		if err := t.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[t.Service] {
			errs = append(errs, &CardError{Card: "table " + t.Service, Field: "service", Value: t.Service, Reason: "duplicate service"})
		}
		seen[t.Service] = true
		t.WeightTiers = slices.Clone(t.WeightTiers)
		t.ValueTiers = slices.Clone(t.ValueTiers)
		m.tables = append(m.tables, t)
	}
	if len(tables) == 0 {
		errs = append(errs, &CardError{Card: name, Reason: "at least one table required"})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// Name returns the merchant's name.
func (m *Merchant) Name() string { return m.name }

// Rate quotes every table that can price req; if none can, it returns a
// *[NoRateError] with the reasons.
func (m *Merchant) Rate(ctx context.Context, req Request) ([]Quote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var quotes []Quote
	var inel []*IneligibleError
	for _, t := range m.tables {
		q, e := t.quote(m.name, req)
		if e != nil {
			inel = append(inel, e)
			continue
		}
		quotes = append(quotes, q)
	}
	if len(quotes) == 0 {
		return nil, &NoRateError{Carrier: m.name, Reasons: inel}
	}
	return quotes, nil
}

func (t Table) quote(carrierName string, req Request) (Quote, *IneligibleError) {
	fail := func(rule, limit, actual, reason string) (Quote, *IneligibleError) {
		return Quote{}, &IneligibleError{Carrier: carrierName, Service: t.Service, Rule: rule, Limit: limit, Actual: actual, Reason: reason}
	}
	money := func(d decimal.Decimal) fulfill.Money {
		m, _ := fulfill.NewMoney(d, t.Currency) // currency validated by NewMerchant
		return m
	}
	value := req.Options.OrderValue
	if !value.IsZero() && value.Currency() != t.Currency {
		return fail("currency", string(t.Currency), string(value.Currency()), "order value in "+string(value.Currency())+", table in "+string(t.Currency))
	}
	var steps Explanation
	var price decimal.Decimal
	switch t.Basis {
	case TableFlat:
		price = t.Flat
		steps = append(steps, Step{Kind: StepTable, Rule: "flat", Amount: money(price), Text: "flat rate: " + money(price).String()})
	case TableWeight:
		var total fulfill.Mass
		for _, p := range req.Packages {
			s, err := total.Add(p.Mass)
			if err != nil {
				return fail("weight", "", "", "total weight out of range")
			}
			total = s
		}
		i := 0
		for i < len(t.WeightTiers) && t.WeightTiers[i].UpTo < total {
			i++
		}
		if i == len(t.WeightTiers) {
			last := t.WeightTiers[len(t.WeightTiers)-1].UpTo
			return fail("max_weight", fmtMass(last, t.Units), fmtMass(total, t.Units), "total weight "+fmtMass(total, t.Units)+" over the heaviest tier "+fmtMass(last, t.Units))
		}
		price = t.WeightTiers[i].Price
		up := fmtMass(t.WeightTiers[i].UpTo, t.Units)
		steps = append(steps, Step{Kind: StepTable, Rule: "weight", Threshold: up, Value: fmtMass(total, t.Units), Amount: money(price),
			Text: "total weight " + fmtMass(total, t.Units) + ", tier up to " + up + ": " + money(price).String()})
	case TableValue:
		v := value.Amount()
		i := -1
		for j, tier := range t.ValueTiers {
			if tier.From.LessThanOrEqual(v) {
				i = j
			}
		}
		if i < 0 {
			return fail("min_value", t.ValueTiers[0].From.String(), v.String(), "order value "+money(v).String()+" under the lowest tier "+money(t.ValueTiers[0].From).String())
		}
		price = t.ValueTiers[i].Price
		steps = append(steps, Step{Kind: StepTable, Rule: "order_value", Threshold: t.ValueTiers[i].From.String(), Value: money(v).String(), Amount: money(price),
			Text: "order value " + money(v).String() + ", tier from " + money(t.ValueTiers[i].From).String() + ": " + money(price).String()})
	}
	if !t.MarkupPercent.IsZero() || !t.MarkupAmount.IsZero() {
		marked := money(price.Mul(decimal.NewFromInt(1).Add(t.MarkupPercent.Shift(-2))).Add(t.MarkupAmount)).Round(fulfill.RoundHalfUp)
		if marked.Sign() < 0 {
			marked = money(decimal.Zero)
		}
		delta := marked.Amount().Sub(price)
		price = marked.Amount()
		steps = append(steps, Step{Kind: StepMarkup, Rule: "markup", Threshold: t.MarkupPercent.String() + "% + " + t.MarkupAmount.String(), Amount: money(delta),
			Text: "markup " + t.MarkupPercent.String() + "% + " + money(t.MarkupAmount).String() + ": " + marked.String()})
	}
	if t.FreeAbove.Sign() > 0 && value.Amount().GreaterThanOrEqual(t.FreeAbove) {
		steps = append(steps, Step{Kind: StepMarkup, Rule: "free_above", Threshold: t.FreeAbove.String(), Amount: money(price.Neg()),
			Text: "free shipping on orders of " + money(t.FreeAbove).String() + " or more"})
		price = decimal.Zero
	}
	q := Quote{Service: Service{Carrier: carrierName, Code: t.Service, Name: t.Name}, Price: money(price), Source: "table " + t.Service}
	if t.TransitDays > 0 {
		q.TransitDays = t.TransitDays
		q.EstimatedDelivery = addBusinessDays(req.ShipTime, t.TransitDays)
	}
	steps = append(steps, Step{Kind: StepTotal, Amount: q.Price, Text: "total " + q.Price.String()})
	q.Explanation = steps
	return q, nil
}

// Markup is a [Carrier] that raises every quote of a wrapped carrier by a
// percentage and an amount, as merchants do to carrier-calculated rates,
// rounded half up to the minor unit. It is safe for concurrent use if the
// wrapped carrier is.
type Markup struct {
	c       Carrier
	percent decimal.Decimal
	amount  fulfill.Money
}

// NewMarkup wraps c: each price becomes price x (1 + percent/100) +
// amount, never below zero. The zero amount adds nothing in any currency;
// a negative percentage or amount is a discount.
func NewMarkup(c Carrier, percent decimal.Decimal, amount fulfill.Money) *Markup {
	return &Markup{c: c, percent: percent, amount: amount}
}

// Unwrap returns the wrapped carrier.
func (m *Markup) Unwrap() Carrier { return m.c }

// Rate implements [Carrier]. A quote in another currency than a non-zero
// amount is an error.
func (m *Markup) Rate(ctx context.Context, req Request) ([]Quote, error) {
	qs, err := m.c.Rate(ctx, req)
	if err != nil {
		return nil, err
	}
	factor := decimal.NewFromInt(1).Add(m.percent.Shift(-2))
	out := cloneQuotes(qs)
	for i, q := range out {
		p, err := q.Price.MulDecimal(factor).Add(m.amount)
		if err != nil {
			return nil, err
		}
		p = p.Round(fulfill.RoundHalfUp)
		if p.Sign() < 0 {
			p = q.Price.MulDecimal(decimal.Zero)
		}
		delta, _ := p.Sub(q.Price)
		out[i].Price = p
		out[i].Explanation = append(out[i].Explanation, Step{Kind: StepMarkup, Rule: "markup", Threshold: m.percent.String() + "%", Amount: delta,
			Text: "markup " + m.percent.String() + "% + " + m.amount.String() + ": " + p.String()})
	}
	return out, nil
}

var _ Carrier = (*Markup)(nil)
