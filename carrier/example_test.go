package carrier_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/carrier/carriertest"
)

// A rate card prices a package offline and explains every step.
func Example() {
	data, _ := os.ReadFile("testdata/acme-2026.json")
	card, err := carrier.ParseRateCard(data)
	if err != nil {
		panic(err)
	}
	acme, err := carrier.NewTariff(card)
	if err != nil {
		panic(err)
	}
	req := carrier.Request{
		Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
		Destination: fulfill.Address{PostalCode: "60601", Country: "US", Residential: true},
		Packages: []carrier.Package{{
			Dimensions: fulfill.Dims(50*fulfill.Inch, 20*fulfill.Inch, 10*fulfill.Inch),
			Mass:       30 * fulfill.Pound,
		}},
		ShipTime: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
	quotes, ineligible, err := acme.Quotes(req)
	if err != nil {
		panic(err)
	}
	fmt.Println(quotes[0].Service, quotes[0].Price)
	fmt.Println(quotes[0].Explanation)
	for _, e := range ineligible {
		fmt.Println(e)
	}
	// Output:
	// ACME/GROUND 170.50 USD
	// zone 5: origin 90210, destination 60601 (900-961 to 000-799)
	// package 1: dimensions 50x20x10in rounded up to 1in: 50x20x10in
	// package 1: actual weight 30lb rounded up to 1lb: 30lb
	// package 1: dimensional weight 10000in³ / 139 = 71.942lb, rounded up to 1lb: 72lb
	// package 1: billable weight 72lb (dimensional weight)
	// package 1: base price zone 5, up to 150lb: 135.00 USD
	// package 1: residential (residential destination): 5.00 USD
	// package 1: ahs_dimensions (longest side 50in over 48in): 15.00 USD
	// fuel 10% of 155.00 USD: 15.50 USD
	// 4 business days in zone 5: delivery expected Fri 2026-03-06
	// total 170.50 USD
	// carrier: ACME EXPRESS ineligible: package 1: billable weight 72lb over the heaviest price break 70lb
}

// Prices gives the price of every eligible service without building
// explanations, for a caller that prices many candidate parcels, such as
// a cartonization weighing boxes against postage. It appends to a slice
// the caller can reuse, and leaves out a service that cannot carry the
// parcel, as EXPRESS, whose heaviest price break is 70lb, for the large
// box that bills 72lb of dimensional weight.
func ExampleTariff_Prices() {
	data, _ := os.ReadFile("testdata/acme-2026.json")
	card, err := carrier.ParseRateCard(data)
	if err != nil {
		panic(err)
	}
	acme, err := carrier.NewTariff(card)
	if err != nil {
		panic(err)
	}
	req := carrier.Request{
		Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
		Destination: fulfill.Address{PostalCode: "60601", Country: "US", Residential: true},
		ShipTime:    time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
	var prices []carrier.ServicePrice
	for _, box := range []string{"12x10x8in", "50x20x10in"} {
		dims, err := fulfill.ParseDimensions(box)
		if err != nil {
			panic(err)
		}
		req.Packages = []carrier.Package{{Dimensions: dims, Mass: 30 * fulfill.Pound}}
		prices, err = acme.Prices(req, prices[:0])
		if err != nil {
			panic(err)
		}
		fmt.Println("30lb in", box)
		for _, p := range prices {
			fmt.Printf("  %-12s %10s, business days: %d\n", p.Service, p.Price, p.TransitDays)
		}
	}
	// Output:
	// 30lb in 12x10x8in
	//   ACME/GROUND   60.50 USD, business days: 4
	//   ACME/EXPRESS 146.30 USD, business days: 1
	//   ACME/RETAIL   60.50 USD, business days: 5
	// 30lb in 50x20x10in
	//   ACME/GROUND  170.50 USD, business days: 4
	//   ACME/RETAIL   79.20 USD, business days: 5
}

// Shopping asks every carrier at once; a failing carrier costs only its
// own quotes.
func ExampleShopper_Shop() {
	fast := carriertest.New("FAST", "NEXT_DAY", "24.00", "USD", 1)
	cheap := carriertest.New("CHEAP", "GROUND", "7.50", "USD", 5)
	down := carriertest.New("DOWN", "GROUND", "5.00", "USD", 3)
	down.Err = errors.New("503 service unavailable")

	s := carrier.NewShopper(fast, cheap, down)
	s.Timeout = 2 * time.Second
	req := carrier.Request{
		Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
		Destination: fulfill.Address{PostalCode: "10001", Country: "US"},
		Packages:    []carrier.Package{{Dimensions: fulfill.Dims(fulfill.Foot, fulfill.Foot, fulfill.Foot), Mass: 2 * fulfill.Pound}},
		ShipTime:    time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
	res, err := s.Shop(context.Background(), req)
	if err != nil {
		panic(err)
	}
	for _, e := range res.Errors {
		fmt.Println("failed:", e.Carrier, errors.Is(e, carrier.ErrCarrierFailed))
	}
	cheapest, _ := res.Select(carrier.Cheapest{})
	fastest, _ := res.Select(carrier.Fastest{})
	byThursday, _ := res.Select(carrier.ArriveBy{Date: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)})
	// A day sooner is worth 5.00: CHEAP scores 7.50 + 25.00, FAST 24.00 + 5.00.
	value, _ := res.Select(carrier.BestValue{PerDay: fulfill.MustMoney("5", "USD")})
	fmt.Println("cheapest:", cheapest.Service, cheapest.Price)
	fmt.Println("fastest:", fastest.Service, fastest.Price)
	fmt.Println("by Thursday:", byThursday.Service)
	fmt.Println("best value:", value.Service)
	// Output:
	// failed: DOWN true
	// cheapest: CHEAP/GROUND 7.50 USD
	// fastest: FAST/NEXT_DAY 24.00 USD
	// by Thursday: FAST/NEXT_DAY
	// best value: FAST/NEXT_DAY
}

// A carrier integration is a type with a Rate method, or a RateFunc. This
// one charges a flat 4.00 per package.
func ExampleRateFunc() {
	flat := carrier.RateFunc(func(ctx context.Context, req carrier.Request) ([]carrier.Quote, error) {
		if err := req.Validate(); err != nil {
			return nil, err
		}
		price := fulfill.MustMoney("4.00", "USD").Mul(int64(len(req.Packages)))
		return []carrier.Quote{{Service: carrier.Service{Carrier: "LOCAL", Code: "COURIER"}, Price: price}}, nil
	})
	req := carrier.Request{
		Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
		Destination: fulfill.Address{PostalCode: "90211", Country: "US"},
		Packages: []carrier.Package{
			{Dimensions: fulfill.Dims(fulfill.Foot, fulfill.Foot, fulfill.Foot), Mass: fulfill.Pound},
			{Dimensions: fulfill.Dims(fulfill.Foot, fulfill.Foot, fulfill.Foot), Mass: fulfill.Pound},
		},
		ShipTime: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
	quotes, _ := flat.Rate(context.Background(), req)
	fmt.Println(quotes[0].Service, quotes[0].Price)
	_, err := carrier.BuyLabel(context.Background(), flat, carrier.LabelRequest{IdempotencyKey: "k", Request: req, Quote: quotes[0]})
	fmt.Println(err)
	// Output:
	// LOCAL/COURIER 8.00 USD
	// carrier: carrier.RateFunc does not support label
}

// Merchant tables price shipping the way shop platforms do.
func ExampleMerchant() {
	m, err := carrier.NewMerchant("SHOP", carrier.Table{
		Service: "STANDARD", Currency: "USD", Basis: carrier.TableWeight,
		WeightTiers: []carrier.WeightTier{
			{UpTo: 2 * fulfill.Pound, Price: dec("5.00")},
			{UpTo: 10 * fulfill.Pound, Price: dec("9.00")},
		},
		MarkupPercent: dec("10"),
		FreeAbove:     dec("75"),
	})
	if err != nil {
		panic(err)
	}
	req := carrier.Request{
		Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
		Destination: fulfill.Address{PostalCode: "10001", Country: "US"},
		Packages:    []carrier.Package{{Dimensions: fulfill.Dims(fulfill.Foot, fulfill.Foot, fulfill.Foot), Mass: 3 * fulfill.Pound}},
		ShipTime:    time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
		Options:     carrier.Options{OrderValue: fulfill.MustMoney("40", "USD")},
	}
	q, _ := m.Rate(context.Background(), req)
	fmt.Println(q[0].Explanation)
	req.Options.OrderValue = fulfill.MustMoney("80", "USD")
	q, _ = m.Rate(context.Background(), req)
	fmt.Println(q[0].Price)
	// Output:
	// total weight 3lb, tier up to 10lb: 9.00 USD
	// markup 10% + 0.00 USD: 9.90 USD
	// total 9.90 USD
	// 0.00 USD
}

// A quote cache answers repeated shipments without calling the carrier.
func ExampleCache() {
	api := carriertest.New("API", "GROUND", "9.00", "USD", 2)
	clock := fulfill.NewFakeClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	c := carrier.NewCache(carrier.NewRetry(api, carrier.RetryOptions{}), carrier.CacheOptions{TTL: 10 * time.Minute, Clock: clock})
	req := carrier.Request{
		Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
		Destination: fulfill.Address{PostalCode: "10001", Country: "US"},
		Packages:    []carrier.Package{{Dimensions: fulfill.Dims(fulfill.Foot, fulfill.Foot, fulfill.Foot), Mass: 2 * fulfill.Pound}},
		ShipTime:    clock.Now(),
	}
	for range 3 {
		c.Rate(context.Background(), req)
	}
	clock.Advance(11 * time.Minute)
	c.Rate(context.Background(), req)
	hits, misses := c.Stats()
	fmt.Println("carrier calls:", api.Calls(), "hits:", hits, "misses:", misses)
	// Output:
	// carrier calls: 2 hits: 2 misses: 2
}

// When a carrier's API is down, its published rate card still prices the
// shipment, and the explanation says so.
func ExampleFallback() {
	api := carriertest.New("ACME", "GROUND", "14.10", "USD", 1)
	api.Err = errors.New("503 service unavailable")
	data, _ := os.ReadFile("testdata/acme-2026.json")
	card, _ := carrier.ParseRateCard(data)
	published, _ := carrier.NewTariff(card)

	acme := carrier.NewFallback(carrier.NewBreaker(api, carrier.BreakerOptions{}), published)
	req := carrier.Request{
		Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
		Destination: fulfill.Address{PostalCode: "94105", Country: "US"},
		Packages:    []carrier.Package{{Dimensions: fulfill.Dims(6*fulfill.Inch, 4*fulfill.Inch, 2*fulfill.Inch), Mass: fulfill.Pound / 2}},
		ShipTime:    time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
	quotes, err := acme.Rate(context.Background(), req)
	if err != nil {
		panic(err)
	}
	fmt.Println(quotes[0].Service, quotes[0].Price, quotes[0].Source)
	fmt.Println(quotes[0].Explanation[0].Text)
	// Output:
	// ACME/GROUND 8.80 USD ACME 2026-01
	// ACME failed (503 service unavailable): quoted from ACME 2026-01
}
