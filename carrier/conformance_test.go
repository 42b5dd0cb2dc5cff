package carrier_test

import (
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/carrier/carriertest"
)

// TestConformance runs the carrier contract over every carrier and
// decorator of the package.
func TestConformance(t *testing.T) {
	req := request(t, "60601", true, pkg(t, "12x10x8in", "5lb"), pkg(t, "6x4x2in", "1lb"))
	merchant, err := carrier.NewMerchant("SHOP", carrier.Table{Service: "FLAT", Currency: "USD", Basis: carrier.TableFlat, Flat: dec("5")})
	if err != nil {
		t.Fatal(err)
	}
	fake := func() *carriertest.Fake { return carriertest.New("FAKE", "STD", "9.00", "USD", 2) }
	cases := map[string]carrier.Carrier{
		"tariff":   acme(t),
		"merchant": merchant,
		"fake":     fake(),
		"retry":    carrier.NewRetry(fake(), carrier.RetryOptions{Base: time.Millisecond}),
		"hedge":    carrier.NewHedge(fake(), time.Second),
		"breaker":  carrier.NewBreaker(fake(), carrier.BreakerOptions{}),
		"cache":    carrier.NewCache(acme(t), carrier.CacheOptions{Clock: fulfill.NewFakeClock(shipTime)}),
		"fallback": carrier.NewFallback(fake(), acme(t)),
		"markup":   carrier.NewMarkup(acme(t), dec("10"), fulfill.Money{}),
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { carriertest.Conformance(t, c, req) })
	}
}
