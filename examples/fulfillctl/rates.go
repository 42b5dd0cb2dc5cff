package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
)

const ratesDoc = `
rates quotes a shipment with rate cards and merchant tables, offline, and
explains every price. Input:

  {
    "cards":    [<rate card>, ...],   versions of one or more carriers
    "merchant": {"name": "SHOP", "tables": [<table>, ...]},   optional
    "request":  {"origin": {...}, "destination": {...},
                 "packages": [{"dimensions": {"length": "12in", "width": "10in",
                               "height": "8in"}, "mass": "5.2lb"}],
                 "ship_time": "2026-03-02T10:00:00Z", "options": {...}},
    "policy":   "cheapest" | "fastest" | "arrive_by" | "best_value",  optional
    "arrive_by": "2026-03-05",                                optional
    "per_day":  {"amount": "5.00", "currency": "USD"},        optional
    "services": ["ACME/GROUND", "EXPRESS"]                     optional filter
  }

A rate card has carrier, version, effective, currency, units, rounding,
zones, services (prices, dim, limits, transit), surcharges and fuel_percent;
cards of the same carrier are versions, the one in effect at ship_time is
used. Output:

  {"quotes": [{"service": ..., "price": ..., "transit_days": ...,
               "estimated_delivery": ..., "explanation": [...],
               "explanation_text": "..."}],
   "ineligible": [{"carrier": ..., "service": ..., "rule": ..., "reason": ...}],
   "chosen": <quote chosen by the policy, if one was asked for>}

Every quote's explanation lists each step (zone, rounded dimensions,
dimensional weight, billable weight, base price, surcharges, fuel) as data
and as text; every ineligible service says why.`

// ratesInput is the document rates reads.
type ratesInput struct {
	Cards    []json.RawMessage `json:"cards"`
	Merchant *ratesMerchant    `json:"merchant,omitempty"`
	Request  *carrier.Request  `json:"request"`
	Policy   string            `json:"policy,omitempty"`
	ArriveBy string            `json:"arrive_by,omitempty"`
	PerDay   fulfill.Money     `json:"per_day,omitzero"`
	Services []string          `json:"services,omitempty"`
}

// ratesMerchant is a merchant's own rate tables.
type ratesMerchant struct {
	Name   string          `json:"name"`
	Tables []carrier.Table `json:"tables"`
}

// ratesQuote is a quote with its explanation rendered as text.
type ratesQuote struct {
	carrier.Quote
	Text string `json:"explanation_text"`
}

// ratesIneligible is a service that could not quote, and why.
type ratesIneligible struct {
	Carrier string `json:"carrier"`
	Service string `json:"service"`
	Package int    `json:"package,omitempty"`
	Rule    string `json:"rule"`
	Limit   string `json:"limit,omitempty"`
	Actual  string `json:"actual,omitempty"`
	Reason  string `json:"reason"`
}

// ratesOutput is the document rates writes.
type ratesOutput struct {
	Quotes     []ratesQuote      `json:"quotes"`
	Ineligible []ratesIneligible `json:"ineligible"`
	Chosen     *ratesQuote       `json:"chosen,omitempty"`
}

func runRates(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("rates", ratesDoc, stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := readInput(fs, stdin)
	if err != nil {
		return err
	}
	out, err := ratesCompute(data)
	if err != nil {
		return err
	}
	return writeJSON(stdout, out)
}

// ratesCompute turns an input document into the output document.
func ratesCompute(data []byte) (*ratesOutput, error) {
	var in ratesInput
	if err := decodeStrict(data, &in); err != nil {
		return nil, err
	}
	if in.Request == nil {
		return nil, errors.New(`field "request": required`)
	}
	if len(in.Cards) == 0 && in.Merchant == nil {
		return nil, errors.New(`field "cards": at least one rate card or a "merchant" required`)
	}
	policy, err := ratesPolicy(in)
	if err != nil {
		return nil, err
	}
	if err := in.Request.Validate(); err != nil {
		return nil, fmt.Errorf(`field "request": %w`, err)
	}

	// Group the cards by carrier, in order of first appearance.
	var order []string
	byCarrier := map[string][]*carrier.RateCard{}
	for i, raw := range in.Cards {
		c, err := carrier.ParseRateCard(raw)
		if err != nil {
			return nil, fmt.Errorf(`field "cards[%d]": %w`, i, err)
		}
		if _, ok := byCarrier[c.Carrier]; !ok {
			order = append(order, c.Carrier)
		}
		byCarrier[c.Carrier] = append(byCarrier[c.Carrier], c)
	}
	out := &ratesOutput{Quotes: []ratesQuote{}, Ineligible: []ratesIneligible{}}
	var quotes []carrier.Quote
	addIneligible := func(es []*carrier.IneligibleError) {
		for _, e := range es {
			out.Ineligible = append(out.Ineligible, ratesIneligible{Carrier: e.Carrier, Service: e.Service, Package: e.Package,
				Rule: e.Rule, Limit: e.Limit, Actual: e.Actual, Reason: e.Reason})
		}
	}
	for _, name := range order {
		t, err := carrier.NewTariff(byCarrier[name]...)
		if err != nil {
			return nil, fmt.Errorf(`field "cards": %w`, err)
		}
		qs, inel, err := t.Quotes(*in.Request)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		quotes = append(quotes, qs...)
		addIneligible(inel)
	}
	if in.Merchant != nil {
		m, err := carrier.NewMerchant(in.Merchant.Name, in.Merchant.Tables...)
		if err != nil {
			return nil, fmt.Errorf(`field "merchant": %w`, err)
		}
		qs, err := m.Rate(context.Background(), *in.Request)
		var nr *carrier.NoRateError
		switch {
		case errors.As(err, &nr):
			addIneligible(nr.Reasons)
		case err != nil:
			return nil, fmt.Errorf(`field "merchant": %w`, err)
		}
		quotes = append(quotes, qs...)
	}
	var filters []carrier.Filter
	if len(in.Services) > 0 {
		filters = append(filters, carrier.Services(in.Services...))
	}
	for _, q := range quotes {
		keep := true
		for _, f := range filters {
			keep = keep && f(q)
		}
		if keep {
			out.Quotes = append(out.Quotes, ratesQuote{Quote: q, Text: q.Explanation.String()})
		}
	}
	if policy != nil && len(out.Quotes) > 0 {
		q, err := carrier.Select(quotes, policy, filters...)
		switch {
		case errors.Is(err, carrier.ErrNoQuote):
		case err != nil:
			return nil, err
		default:
			out.Chosen = &ratesQuote{Quote: q, Text: q.Explanation.String()}
		}
	}
	return out, nil
}

// ratesPolicy returns the policy the input asks for, or nil.
func ratesPolicy(in ratesInput) (carrier.Policy, error) {
	switch in.Policy {
	case "":
		return nil, nil
	case "cheapest":
		return carrier.Cheapest{}, nil
	case "fastest":
		return carrier.Fastest{}, nil
	case "arrive_by":
		d, err := time.Parse(time.DateOnly, in.ArriveBy)
		if err != nil {
			return nil, fmt.Errorf(`field "arrive_by": want a date such as 2026-03-05, got %q`, in.ArriveBy)
		}
		return carrier.ArriveBy{Date: d}, nil
	case "best_value":
		if in.PerDay.Currency() == "" {
			return nil, errors.New(`field "per_day": required with policy "best_value"`)
		}
		return carrier.BestValue{PerDay: in.PerDay}, nil
	}
	return nil, fmt.Errorf(`field "policy": want "cheapest", "fastest", "arrive_by" or "best_value", got %q`, in.Policy)
}
