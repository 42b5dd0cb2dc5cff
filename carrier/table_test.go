package carrier_test

import (
	"os"
	"strings"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/carrier/carriertest"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestMerchantTables(t *testing.T) {
	m, err := carrier.NewMerchant("SHOP",
		carrier.Table{Service: "FLAT", Currency: "USD", Basis: carrier.TableFlat, Flat: dec("4.99"), TransitDays: 5},
		carrier.Table{Service: "WEIGHT", Currency: "USD", Basis: carrier.TableWeight, WeightTiers: []carrier.WeightTier{
			{UpTo: fulfill.Pound, Price: dec("5.00")}, {UpTo: 5 * fulfill.Pound, Price: dec("8.00")}, {UpTo: 20 * fulfill.Pound, Price: dec("15.00")},
		}, MarkupPercent: dec("10"), MarkupAmount: dec("0.50")},
		carrier.Table{Service: "VALUE", Currency: "USD", Basis: carrier.TableValue, ValueTiers: []carrier.ValueTier{
			{From: dec("0"), Price: dec("9.00")}, {From: dec("50"), Price: dec("6.00")},
		}, FreeAbove: dec("100")},
	)
	require.NoError(t, err)
	cases := []struct {
		name  string
		value string
		mass  []string
		want  map[string]string // "" = ineligible
	}{
		// 1 lb + 3 lb = 4 lb -> 8.00 x 1.10 + 0.50 = 9.30
		{"small order", "20", []string{"1lb", "3lb"}, map[string]string{"FLAT": "4.99", "WEIGHT": "9.30", "VALUE": "9.00"}},
		// exactly 1 lb stays in the first tier: 5.00 x 1.1 + 0.5 = 6.00
		{"tier boundary", "50", []string{"1lb"}, map[string]string{"WEIGHT": "6.00", "VALUE": "6.00"}},
		{"free above 100", "100", []string{"1lb"}, map[string]string{"VALUE": "0.00"}},
		{"too heavy", "10", []string{"21lb"}, map[string]string{"WEIGHT": "", "FLAT": "4.99"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := simpleReq(t)
			req.Packages = nil
			for _, ms := range tc.mass {
				req.Packages = append(req.Packages, pkg(t, "10x10x10in", ms))
			}
			req.Options.OrderValue = fulfill.MustMoney(tc.value, "USD")
			qs, err := m.Rate(t.Context(), req)
			require.NoError(t, err)
			for svc, want := range tc.want {
				q, ok := quoteFor(qs, svc)
				if want == "" {
					assert.False(t, ok, svc)
					continue
				}
				require.True(t, ok, svc)
				assert.True(t, q.Price.Equal(fulfill.MustMoney(want, "USD")), "%s: %s want %s\n%s", svc, q.Price, want, q.Explanation)
			}
		})
	}
	_, err = carrier.NewMerchant("BAD", carrier.Table{Service: "X", Currency: "USD", Basis: carrier.TableWeight})
	assert.ErrorIs(t, err, carrier.ErrInvalidCard)
	_, err = carrier.NewMerchant("BAD", carrier.Table{Service: "X", Currency: "USD", Basis: "nope"})
	assert.ErrorIs(t, err, carrier.ErrInvalidCard)

	// Under the lowest value tier: no rate, with the reason.
	only, err := carrier.NewMerchant("SHOP", carrier.Table{Service: "V", Currency: "USD", Basis: carrier.TableValue,
		ValueTiers: []carrier.ValueTier{{From: dec("25"), Price: dec("1")}}})
	require.NoError(t, err)
	req := simpleReq(t)
	req.Options.OrderValue = fulfill.MustMoney("10", "USD")
	_, err = only.Rate(t.Context(), req)
	assert.ErrorIs(t, err, carrier.ErrNoRate)
	assert.ErrorContains(t, err, "under the lowest tier")
}

func TestMarkup(t *testing.T) {
	f := carriertest.New("X", "STD", "10.00", "USD", 1)
	m := carrier.NewMarkup(f, dec("15"), fulfill.MustMoney("1.25", "USD"))
	qs, err := m.Rate(t.Context(), simpleReq(t))
	require.NoError(t, err)
	assert.Equal(t, "12.75 USD", qs[0].Price.String())
	assert.Equal(t, carrier.StepMarkup, qs[0].Explanation[len(qs[0].Explanation)-1].Kind)
	assert.Equal(t, "10.00 USD", f.Quotes[0].Price.String(), "the wrapped carrier's quotes are untouched")

	discount, err := carrier.NewMarkup(f, dec("-200"), fulfill.Money{}).Rate(t.Context(), simpleReq(t))
	require.NoError(t, err)
	assert.Equal(t, "0.00 USD", discount[0].Price.String(), "a discount never goes below zero")

	eur := carrier.NewMarkup(f, dec("0"), fulfill.MustMoney("1", "EUR"))
	_, err = eur.Rate(t.Context(), simpleReq(t))
	assert.ErrorIs(t, err, fulfill.ErrCurrencyMismatch)
}

// TestCSVMatchesJSON: the same card loaded from CSV tables quotes exactly
// what the JSON card quotes.
func TestCSVMatchesJSON(t *testing.T) {
	jc := loadCard(t, "acme-2026.json")
	zf, err := os.Open("testdata/acme-zones.csv")
	require.NoError(t, err)
	defer zf.Close()
	zones, err := carrier.ParseZonesCSV(zf)
	require.NoError(t, err)
	pf, err := os.Open("testdata/acme-ground.csv")
	require.NoError(t, err)
	defer pf.Close()
	prices, err := carrier.ParsePricesCSV(pf)
	require.NoError(t, err)

	cc := loadCard(t, "acme-2026.json")
	cc.Zones = zones
	cc.Services[0].Prices = prices
	a, err := carrier.NewTariff(jc)
	require.NoError(t, err)
	b, err := carrier.NewTariff(cc)
	require.NoError(t, err)
	for _, to := range []string{"94105", "60601", "80202", "97201", "99501"} {
		for _, m := range []string{"0.5lb", "4lb", "19.5lb", "60lb", "149lb"} {
			req := request(t, to, true, pkg(t, "14x10x6in", m))
			qa, _, err := a.Quotes(req)
			require.NoError(t, err)
			qb, _, err := b.Quotes(req)
			require.NoError(t, err)
			require.Equal(t, len(qa), len(qb))
			for i := range qa {
				assert.True(t, qa[i].Price.Equal(qb[i].Price), "%s %s %s", to, m, qa[i].Service)
				assert.Equal(t, qa[i].Explanation.String(), qb[i].Explanation.String())
			}
		}
	}
}

func TestCSVErrors(t *testing.T) {
	cases := []struct {
		name, zones, prices, want string
	}{
		{"zones bad header", "from,to,zone\n", "", "header"},
		{"zones bad range", "origin,destination,zone\n9-1,100,2\n", "", "line 2"},
		{"zones missing zone", "origin,destination,zone\n900,100,\n", "", "zone"},
		{"zones bad exception", "origin,destination,zone,exception\n900,100,2,maybe\n", "", "exception"},
		{"zones ragged", "origin,destination,zone\n900,100\n", "", "columns"},
		{"prices bad header", "", "zone,2\n1lb,1\n", "header"},
		{"prices duplicate zone", "", "weight,2,2\n1lb,1,1\n", "unique"},
		{"prices no unit", "", "weight,2\n1,1\n", "unit"},
		{"prices decreasing", "", "weight,2\n2lb,1\n1lb,1\n", "increase"},
		{"prices bad amount", "", "weight,2\n1lb,abc\n", "amount"},
		{"prices negative", "", "weight,2\n1lb,-1\n", "amount"},
		{"prices empty", "", "weight,2\n", "no weight rows"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.zones != "" {
				_, err = carrier.ParseZonesCSV(strings.NewReader(tc.zones))
			} else {
				_, err = carrier.ParsePricesCSV(strings.NewReader(tc.prices))
			}
			require.ErrorIs(t, err, carrier.ErrInvalidCard)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
