package carrier_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// pinnedCards returns rate cards that between them reach every pricing
// path: the test card, ten services, other rounding modes and an odd fuel
// percentage, a metric card with sub-cent amounts, a card in a currency
// without minor units, and cards whose amounts do not fit the integer sums
// (too many decimals, too large).
func pinnedCards(t testing.TB) map[string]*carrier.Tariff {
	out := map[string]*carrier.Tariff{}
	for name, c := range pinnedRateCards(t) {
		tr, err := carrier.NewTariff(c)
		require.NoError(t, err, name)
		out[name] = tr
	}
	return out
}

// pinnedRateCards returns the cards of pinnedCards.
func pinnedRateCards(t testing.TB) map[string]*carrier.RateCard {
	out := map[string]*carrier.RateCard{}
	add := func(name string, c *carrier.RateCard) { out[name] = c }
	add("acme", loadCard(t, "acme-2026.json"))
	add("ten", tenServiceCard(t))

	odd := loadCard(t, "acme-2026.json")
	odd.FuelPercent = decimal.RequireFromString("12.375")
	odd.Rounding = carrier.Rounding{Length: fulfill.Inch / 2, LengthMode: carrier.RoundModeNearest, Weight: fulfill.Ounce * 4, WeightMode: carrier.RoundModeDown}
	odd.Services[1].Rounding = &carrier.Rounding{Length: fulfill.Inch, Weight: fulfill.Pound, WeightMode: carrier.RoundModeNearest}
	odd.Services[2].MinBillable = 3 * fulfill.Pound
	odd.Services[0].Dim = &carrier.DimRule{Divisor: decimal.RequireFromString("139.5"), Above: decimal.NewFromInt(500)}
	odd.Surcharges[0].ByZone = map[string]decimal.Decimal{"5": decimal.RequireFromString("5.125")}
	add("odd", odd)

	metric := &carrier.RateCard{
		Carrier: "EUPOST", Version: "1", Effective: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Currency: "EUR",
		Units:    carrier.UnitsMetric,
		Rounding: carrier.Rounding{Length: fulfill.Centimeter, Weight: fulfill.Kilogram / 2},
		Zones: carrier.ZoneChart{Ranges: []carrier.ZoneRange{
			{Origin: carrier.ZIPRange{From: "000", To: "999"}, Destination: carrier.ZIPRange{From: "000", To: "499"}, Zone: "1"},
			{Origin: carrier.ZIPRange{From: "000", To: "999"}, Destination: carrier.ZIPRange{From: "500", To: "899"}, Zone: "2"},
		}},
		Services: []carrier.ServiceRule{{
			Code: "PARCEL", Dim: &carrier.DimRule{Divisor: decimal.NewFromInt(5000)},
			Prices: carrier.PriceTable{
				Weights: []fulfill.Mass{2 * fulfill.Kilogram, 5 * fulfill.Kilogram, 10 * fulfill.Kilogram, 31500 * fulfill.Gram},
				Zones: map[string][]decimal.Decimal{
					"1": {decimal.RequireFromString("5.90"), decimal.RequireFromString("8.90"), decimal.RequireFromString("12.90"), decimal.RequireFromString("19.9")},
					"2": {decimal.RequireFromString("6.95"), decimal.RequireFromString("9.95"), decimal.RequireFromString("14.95"), decimal.RequireFromString("24.5")},
				},
			},
			Transit: map[string]int{"1": 2},
			Limits:  carrier.Limits{MaxWeight: 31500 * fulfill.Gram, MaxLength: 120 * fulfill.Centimeter},
		}, {
			Code: "IMPERIAL_DIM", Dim: &carrier.DimRule{Divisor: decimal.NewFromInt(166), Units: carrier.UnitsImperial, Above: decimal.NewFromInt(1728)},
			Rounding: &carrier.Rounding{},
			Prices: carrier.PriceTable{
				Weights: []fulfill.Mass{10 * fulfill.Kilogram, 70 * fulfill.Kilogram},
				Zones:   map[string][]decimal.Decimal{"1": {decimal.RequireFromString("9.999"), decimal.RequireFromString("30")}},
			},
		}},
		Surcharges: []carrier.Surcharge{
			{Name: "sig", Kind: carrier.SurchargeSignature, Amount: decimal.RequireFromString("0.125")},
			{Name: "heavy", Kind: carrier.SurchargeHandling, Amount: decimal.RequireFromString("4"), WeightOver: 20 * fulfill.Kilogram, LengthPlusGirthOver: 250 * fulfill.Centimeter},
			{Name: "dv", Kind: carrier.SurchargeDeclaredValue, Amount: decimal.RequireFromString("0.5"), Per: decimal.NewFromInt(50)},
		},
		FuelPercent: decimal.RequireFromString("7.5"),
	}
	add("metric", metric)

	yen := loadCard(t, "acme-2026.json")
	yen.Currency = "JPY"
	yen.FuelPercent = decimal.RequireFromString("10.5")
	add("yen", yen)

	tiny := loadCard(t, "acme-2026.json")
	tiny.Surcharges[5].Amount = decimal.RequireFromString("6.0000000000001")
	add("tiny", tiny)

	huge := loadCard(t, "acme-2026.json")
	huge.Services[0].Prices.Zones["5"][3] = decimal.RequireFromString("9000000000000000000")
	add("huge", huge)
	return out
}

// pinnedRequests returns n random requests from a fixed seed: one to
// three packages, destinations in every zone, out of every zone and
// malformed, options and declared values in and out of the card's
// currency, ship times on every day of the week.
func pinnedRequests(n int) []carrier.Request {
	rng := newRand(77)
	dests := []string{"94105", "90210", "60601", "80202", "97201", "99501", "10001", "96001", "99999", "00501", "1000", "ABCDE"}
	var out []carrier.Request
	for range n {
		var pkgs []carrier.Package
		for range 1 + rng.IntN(3) {
			side := func() fulfill.Length {
				switch rng.IntN(10) {
				case 0:
					return fulfill.Length(1 + rng.Int64N(int64(110*fulfill.Inch)))
				case 1, 2:
					return fulfill.Length(1+rng.Int64N(80)) * fulfill.Inch / 2
				}
				return fulfill.Length(1 + rng.Int64N(int64(30*fulfill.Inch)))
			}
			var m fulfill.Mass
			switch rng.IntN(10) {
			case 0:
				m = fulfill.Mass(1 + rng.Int64N(int64(170*fulfill.Pound)))
			case 1, 2:
				m = fulfill.Mass(1+rng.Int64N(40)) * fulfill.Pound / 4
			default:
				m = fulfill.Mass(1 + rng.Int64N(int64(40*fulfill.Pound)))
			}
			pkgs = append(pkgs, carrier.Package{Dimensions: fulfill.Dims(side(), side(), side()), Mass: m})
		}
		req := carrier.Request{
			Origin:      addr([]string{"90210", "94105", "90210", "10001"}[rng.IntN(4)], false),
			Destination: addr(dests[rng.IntN(len(dests))], rng.IntN(2) == 0),
			Packages:    pkgs,
			ShipTime:    shipTime.Add(time.Duration(rng.Int64N(int64(400 * time.Hour)))),
			Options:     carrier.Options{Signature: rng.IntN(2) == 0, SaturdayDelivery: rng.IntN(5) == 0},
		}
		switch rng.IntN(5) {
		case 0:
			req.Options.DeclaredValue = fulfill.MustMoney(fmt.Sprintf("%d.%02d", rng.IntN(2000), rng.IntN(100)), "USD")
		case 1:
			req.Options.DeclaredValue = fulfill.MustMoney(fmt.Sprintf("%d", rng.IntN(900)), "EUR")
		}
		out = append(out, req)
	}
	return out
}

// money renders m with its exact representation (coefficient and
// exponent), which Money.String would hide.
func pinMoney(m fulfill.Money) string {
	if m.Currency() == "" && m.IsZero() {
		return "-"
	}
	a := m.Amount()
	return fmt.Sprintf("%se%d %s", a.Coefficient(), a.Exponent(), m.Currency())
}

// renderQuotes writes every field of quotes and ineligible reasons.
func renderQuotes(b *strings.Builder, qs []carrier.Quote, inel []*carrier.IneligibleError, err error) {
	if err != nil {
		fmt.Fprintf(b, "error %q\n", err)
		return
	}
	for _, q := range qs {
		fmt.Fprintf(b, "quote %q %q %q price=%s days=%d eta=%q source=%q\n", q.Service.Carrier, q.Service.Code, q.Service.Name,
			pinMoney(q.Price), q.TransitDays, q.EstimatedDelivery.Format(time.RFC3339Nano), q.Source)
		for _, s := range q.Explanation {
			fmt.Fprintf(b, "  %s p%d rule=%q thr=%q val=%q amt=%s %q\n", s.Kind, s.Package, s.Rule, s.Threshold, s.Value, pinMoney(s.Amount), s.Text)
		}
	}
	for _, e := range inel {
		fmt.Fprintf(b, "ineligible %+v %q\n", *e, e.Error())
	}
}

// renderPinned renders the quotes of reqs with every card of pinnedCards.
func renderPinned(t testing.TB, reqs []carrier.Request) string {
	cards := pinnedCards(t)
	var b strings.Builder
	for _, name := range []string{"acme", "ten", "odd", "metric", "yen", "tiny", "huge"} {
		tr := cards[name]
		for i, req := range reqs {
			fmt.Fprintf(&b, "== %s %d\n", name, i)
			qs, inel, err := tr.Quotes(req)
			renderQuotes(&b, qs, inel, err)
		}
	}
	return b.String()
}

// TestQuotesPinned pins the quotes and explanations of seeded random
// requests with every card of pinnedCards, field by field and byte for
// byte: faster pricing must not change a single quote. The first 15
// requests are pinned as text in testdata/quotes-pinned.golden, to show
// what changed; all 600 by the SHA-256 of their rendering in
// testdata/quotes-pinned.sha256.
func TestQuotesPinned(t *testing.T) {
	reqs := pinnedRequests(600)
	got := renderPinned(t, reqs[:15])
	all := renderPinned(t, reqs)
	sum := fmt.Sprintf("%x\n", sha256.Sum256([]byte(all)))
	const golden, hash = "testdata/quotes-pinned.golden", "testdata/quotes-pinned.sha256"
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
		require.NoError(t, os.WriteFile(hash, []byte(sum), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	if got != string(want) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := range min(len(wl), len(gl)) {
			if wl[i] != gl[i] {
				t.Fatalf("line %d differs:\nwant %s\n got %s", i+1, wl[i], gl[i])
			}
		}
		t.Fatalf("output has %d lines, golden %d", len(gl), len(wl))
	}
	wantSum, err := os.ReadFile(hash)
	require.NoError(t, err)
	require.Equal(t, string(wantSum), sum, "quotes of the 600 pinned requests changed")
}

// TestQuotesMatchPrevious: every pinned card and request gets the same
// quotes and reasons, rendered field by field, from the Tariff as from the
// previous pricing code.
func TestQuotesMatchPrevious(t *testing.T) {
	reqs := pinnedRequests(300)
	for name, card := range pinnedRateCards(t) {
		tr, err := carrier.NewTariff(card)
		require.NoError(t, err)
		prev := carrier.PreviousQuoter(card)
		for i, req := range reqs {
			var a, b strings.Builder
			qs, inel, err := tr.Quotes(req)
			renderQuotes(&a, qs, inel, err)
			qs, inel, err = prev(req)
			renderQuotes(&b, qs, inel, err)
			require.Equal(t, b.String(), a.String(), "card %s request %d", name, i)
		}
	}
}

// TestExplanationsIndependent: the quotes of one request share buffers
// for their steps and texts, yet each explanation is the caller's own:
// appending to one or changing its steps leaves the others as they were,
// and so does pricing more requests.
func TestExplanationsIndependent(t *testing.T) {
	tr, err := carrier.NewTariff(tenServiceCard(t))
	require.NoError(t, err)
	req := request(t, "60601", true, pkg(t, "14.2x10x6in", "4.3lb"), pkg(t, "30x20x12in", "22lb"))
	req.Options.Signature = true
	qs, _, err := tr.Quotes(req)
	require.NoError(t, err)
	require.Len(t, qs, 10)
	var want []string
	for _, q := range qs {
		want = append(want, q.Explanation.String())
	}
	for i := range qs {
		qs[i].Explanation = append(qs[i].Explanation, carrier.Step{Kind: carrier.StepMarkup, Text: "extra"})
		qs[i].Explanation[0].Text = "changed"
		for k := i + 1; k < len(qs); k++ {
			require.Equal(t, want[k], qs[k].Explanation.String(), "quote %d after changing quote %d", k, i)
		}
		for range 3 {
			_, _, err := tr.Quotes(request(t, "10001", false, pkg(t, "9x9x9in", "3lb")))
			require.NoError(t, err)
		}
	}
	for i, q := range qs {
		require.Equal(t, "changed", q.Explanation[0].Text)
		require.Equal(t, "extra", q.Explanation[len(q.Explanation)-1].Text)
		require.Equal(t, want[i][strings.Index(want[i], "\n"):], q.Explanation[:len(q.Explanation)-1].String()[len("changed"):])
	}
}

// TestQuotesConcurrent: one Tariff quoting from several goroutines at
// once gives every goroutine the quotes it gets alone.
func TestQuotesConcurrent(t *testing.T) {
	tr, err := carrier.NewTariff(tenServiceCard(t))
	require.NoError(t, err)
	reqs := pinnedRequests(60)
	render := func() string {
		var b strings.Builder
		for _, req := range reqs {
			qs, inel, err := tr.Quotes(req)
			renderQuotes(&b, qs, inel, err)
		}
		return b.String()
	}
	sameAcrossGoroutines(t, render)
}

// sameAcrossGoroutines checks that render gives the same text from four
// goroutines at once as it gives alone.
func sameAcrossGoroutines(t *testing.T, render func() string) {
	t.Helper()
	want := render()
	got := make([]string, 4)
	var wg sync.WaitGroup
	for g := range got {
		wg.Go(func() { got[g] = render() })
	}
	wg.Wait()
	for g := range got {
		require.Equal(t, want, got[g], "goroutine %d", g)
	}
}
