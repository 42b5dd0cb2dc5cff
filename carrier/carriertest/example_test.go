package carriertest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/carrier/carriertest"
)

// Fake carriers stand in for real ones in tests: one that answers, one that
// fails, one that hangs past the shopper's deadline.
func ExampleFake() {
	ok := carriertest.New("FAST", "NEXT_DAY", "24.00", "USD", 1)
	down := carriertest.New("DOWN", "GROUND", "5.00", "USD", 3)
	down.Err = errors.New("503 service unavailable")
	stuck := carriertest.New("STUCK", "GROUND", "4.00", "USD", 4)
	stuck.Hang = true

	s := carrier.NewShopper(ok, down, stuck)
	s.Timeout = 50 * time.Millisecond
	res, err := s.Shop(context.Background(), carrier.Request{
		Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
		Destination: fulfill.Address{PostalCode: "10001", Country: "US"},
		Packages:    []carrier.Package{{Dimensions: fulfill.Dims(fulfill.Foot, fulfill.Foot, fulfill.Foot), Mass: fulfill.Pound}},
		ShipTime:    time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	for _, q := range res.Quotes {
		fmt.Println("quote:", q.Service, q.Price)
	}
	for _, e := range res.Errors {
		fmt.Println("failed:", e.Carrier, "timeout:", errors.Is(e, carrier.ErrTimeout))
	}
	fmt.Println("calls:", ok.Calls(), down.Calls(), stuck.Calls())
	// Output:
	// quote: FAST/NEXT_DAY 24.00 USD
	// failed: DOWN timeout: false
	// failed: STUCK timeout: true
	// calls: 1 1 1
}
