package carrier_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// renderPrices writes every field of prices, with each amount's exact
// representation, as renderQuotePrices writes those of quotes.
func renderPrices(b *strings.Builder, ps []carrier.ServicePrice, err error) {
	if err != nil {
		fmt.Fprintf(b, "error %q\n", err)
		return
	}
	for _, p := range ps {
		fmt.Fprintf(b, "%q %q %q price=%s days=%d eta=%q\n", p.Service.Carrier, p.Service.Code, p.Service.Name,
			pinMoney(p.Price), p.TransitDays, p.EstimatedDelivery.Format(time.RFC3339Nano))
	}
}

// renderQuotePrices writes the fields of quotes that a ServicePrice has.
func renderQuotePrices(b *strings.Builder, qs []carrier.Quote, err error) {
	if err != nil {
		fmt.Fprintf(b, "error %q\n", err)
		return
	}
	for _, q := range qs {
		fmt.Fprintf(b, "%q %q %q price=%s days=%d eta=%q\n", q.Service.Carrier, q.Service.Code, q.Service.Name,
			pinMoney(q.Price), q.TransitDays, q.EstimatedDelivery.Format(time.RFC3339Nano))
	}
}

// samePrices fails t unless tr.Prices gives for req, appended to a slice
// already holding a price, exactly the services, prices (to the
// representation), transit days and deliveries of tr.Quotes, in the same
// order, or the same error with the slice as it was.
func samePrices(t testing.TB, tr *carrier.Tariff, req carrier.Request) {
	t.Helper()
	qs, _, qerr := tr.Quotes(req)
	var want strings.Builder
	renderQuotePrices(&want, qs, qerr)

	first := carrier.ServicePrice{Service: carrier.Service{Carrier: "KEEP", Code: "ME"}, Price: fulfill.MustMoney("1.23", "USD")}
	dst := append(make([]carrier.ServicePrice, 0, 4), first)
	ps, err := tr.Prices(req, dst)
	require.NotEmpty(t, ps, "the price already in dst was dropped")
	if ps[0].Service != first.Service || !ps[0].Price.Equal(first.Price) {
		t.Fatalf("the price already in dst was changed to %+v", ps[0])
	}
	if err != nil {
		require.Len(t, ps, 1, "an error must leave dst as it was")
	}
	var got strings.Builder
	renderPrices(&got, ps[1:], err)
	if got.String() != want.String() {
		t.Fatalf("Prices differs from Quotes for %+v:\n%s\nQuotes:\n%s", req, got.String(), want.String())
	}
}

// TestPricesMatchQuotes: for seeded random requests (one to three
// packages, destinations in, out of and between zones, options, declared
// values in and out of the card's currency) over every card of
// pinnedCards, which between them reach every pricing path, Prices gives
// the services Quotes finds eligible, in its order, with the same prices
// to the digit, transit days and estimated deliveries.
func TestPricesMatchQuotes(t *testing.T) {
	reqs := pinnedRequests(500)
	// Requests with more packages than the memos' arrays hold.
	rng := newRand(5)
	for range 20 {
		req := request(t, zips[rng.IntN(len(zips))], rng.IntN(2) == 0)
		for range 3 + rng.IntN(5) {
			req.Packages = append(req.Packages, randomPackage(rng))
		}
		req.Options.Signature = rng.IntN(2) == 0
		reqs = append(reqs, req)
	}
	for name, tr := range pinnedCards(t) {
		n := 0
		for i, req := range reqs {
			t.Run(fmt.Sprint(name, "/", i), func(t *testing.T) { samePrices(t, tr, req) })
			if qs, _, _ := tr.Quotes(req); len(qs) > 0 {
				n++
			}
		}
		// Not vacuous: many requests price with some service.
		assert.Greater(t, n, len(reqs)/10, "card %s priced only %d of %d requests", name, n, len(reqs))
	}
}

// TestPricesErrors: Prices refuses what Quotes refuses, with the same
// errors, and leaves dst as it was.
func TestPricesErrors(t *testing.T) {
	tr := acme(t)
	good := request(t, "60601", true, pkg(t, "12x10x8in", "5lb"))
	tests := []struct {
		name   string
		modify func(*carrier.Request)
		kind   error
	}{
		{"no packages", func(r *carrier.Request) { r.Packages = nil }, carrier.ErrInvalidRequest},
		{"zero mass", func(r *carrier.Request) { r.Packages[0].Mass = 0 }, carrier.ErrInvalidRequest},
		{"negative side", func(r *carrier.Request) { r.Packages[0].Dimensions.Width = -1 }, carrier.ErrInvalidRequest},
		{"no ship time", func(r *carrier.Request) { r.ShipTime = time.Time{} }, carrier.ErrInvalidRequest},
		{"bad country", func(r *carrier.Request) { r.Destination.Country = "usa" }, carrier.ErrInvalidRequest},
		{"too many packages", func(r *carrier.Request) {
			r.Packages = make([]carrier.Package, carrier.MaxPackages+1)
			for i := range r.Packages {
				r.Packages[i] = good.Packages[0]
			}
		}, carrier.ErrInvalidRequest},
		{"before every card", func(r *carrier.Request) { r.ShipTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) }, carrier.ErrNoCard},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := good
			req.Packages = append([]carrier.Package(nil), good.Packages...)
			tt.modify(&req)
			_, _, qerr := tr.Quotes(req)
			require.ErrorIs(t, qerr, tt.kind)
			dst := make([]carrier.ServicePrice, 2, 5)
			got, err := tr.Prices(req, dst)
			require.ErrorIs(t, err, tt.kind)
			assert.Equal(t, qerr.Error(), err.Error())
			assert.Len(t, got, 2)
			samePrices(t, tr, req)
		})
	}
}

// TestPricesIneligible: services that cannot carry a package are left out,
// as from Quotes; with none eligible Prices returns dst and no error.
func TestPricesIneligible(t *testing.T) {
	tr := acme(t)
	tests := []struct {
		name string
		req  carrier.Request
		want []string
	}{
		{"all", request(t, "60601", false, pkg(t, "12x10x8in", "5lb")), []string{"GROUND", "EXPRESS", "RETAIL"}},
		{"heavier than EXPRESS's heaviest break", request(t, "60601", true, pkg(t, "50x20x10in", "30lb")), []string{"GROUND", "RETAIL"}},
		{"no zone", request(t, "ABCDE", false, pkg(t, "12x10x8in", "5lb")), nil},
		{"declared value in another currency", func() carrier.Request {
			r := request(t, "60601", false, pkg(t, "12x10x8in", "5lb"))
			r.Options.DeclaredValue = fulfill.MustMoney("100", "EUR")
			return r
		}(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := tr.Prices(tt.req, nil)
			require.NoError(t, err)
			var got []string
			for _, p := range ps {
				got = append(got, p.Service.Code)
			}
			assert.Equal(t, tt.want, got)
			samePrices(t, tr, tt.req)
		})
	}
}

// TestPricesAllocations: with a dst to reuse, pricing one package with
// the ten-service card allocates only the amounts of its distinct prices
// (a big.Int and its digits each), less than half of what Quotes
// allocates.
func TestPricesAllocations(t *testing.T) {
	tr, err := carrier.NewTariff(tenServiceCard(t))
	require.NoError(t, err)
	req := request(t, "60601", true, pkg(t, "14.2x10x6in", "4.3lb"))
	dst, err := tr.Prices(req, nil)
	require.NoError(t, err)
	require.Len(t, dst, 10)
	var distinct []fulfill.Money
	for _, p := range dst {
		if !slices.ContainsFunc(distinct, p.Price.Equal) {
			distinct = append(distinct, p.Price)
		}
	}
	prices := testing.AllocsPerRun(50, func() {
		if dst, err = tr.Prices(req, dst[:0]); err != nil {
			t.Fatal(err)
		}
	})
	quotes := testing.AllocsPerRun(50, func() {
		if _, _, err := tr.Quotes(req); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocations: Prices %v for %d distinct prices, Quotes %v", prices, len(distinct), quotes)
	assert.LessOrEqual(t, prices, float64(2*len(distinct)))
	assert.Less(t, 2*prices, quotes)
}

// TestPricesConcurrent: one Tariff pricing from several goroutines at
// once gives every goroutine the prices it gets alone.
func TestPricesConcurrent(t *testing.T) {
	tr, err := carrier.NewTariff(tenServiceCard(t))
	require.NoError(t, err)
	reqs := pinnedRequests(60)
	render := func() string {
		var b strings.Builder
		var ps []carrier.ServicePrice
		for _, req := range reqs {
			var err error
			ps, err = tr.Prices(req, ps[:0])
			renderPrices(&b, ps, err)
		}
		return b.String()
	}
	sameAcrossGoroutines(t, render)
}
