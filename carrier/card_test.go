package carrier_test

import (
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// billable returns the billable weight step's value for package n.
func billable(q carrier.Quote, n int) string {
	for _, s := range q.Explanation {
		if s.Kind == carrier.StepBillable && s.Package == n {
			return s.Value
		}
	}
	return ""
}

func quoteFor(qs []carrier.Quote, code string) (carrier.Quote, bool) {
	for _, q := range qs {
		if q.Service.Code == code {
			return q, true
		}
	}
	return carrier.Quote{}, false
}

// TestGoldenPrices checks billable weight and price against cases computed
// by hand from testdata/acme-2026.json; the arithmetic is in each comment.
func TestGoldenPrices(t *testing.T) {
	tr := acme(t)
	type want struct {
		billable, price string // "" price: ineligible with rule
		rule            string
	}
	cases := []struct {
		name string
		req  carrier.Request
		want map[string]want
	}{
		{
			// 12.2x10.1x8 -> 13x11x8 = 1144 in³. /139 = 8.23 -> 9 lb; actual 5.2 -> 6 lb.
			// GROUND z2 10 lb break 14.00 + 10% fuel = 15.40; EXPRESS 40.00 + 4.00 = 44.00;
			// RETAIL: 1144 <= 1728, no dim, 6 lb -> 16.50 + 1.65 = 18.15.
			name: "dim weight and retail threshold",
			req:  request(t, "94105", false, pkg(t, "12.2x10.1x8in", "5.2lb")),
			want: map[string]want{"GROUND": {"9lb", "15.40", ""}, "EXPRESS": {"9lb", "44.00", ""}, "RETAIL": {"6lb", "18.15", ""}},
		},
		{
			// 50x20x10 = 10000 in³ /139 = 71.94 -> 72 lb, z5 150 lb break 135.00, residential 5.00,
			// longest 50 > 48 in: 15.00; 155.00 + 15.50 fuel = 170.50. EXPRESS: 72 lb above its 70 lb break.
			// RETAIL: /166 = 60.24 -> 61 lb, 72.00 + 7.20 = 79.20 (no residential on RETAIL).
			name: "residential and additional handling by longest side",
			req:  request(t, "60601", true, pkg(t, "50x20x10in", "30lb")),
			want: map[string]want{"GROUND": {"72lb", "170.50", ""}, "EXPRESS": {"", "", "max_billable"}, "RETAIL": {"61lb", "79.20", ""}},
		},
		{
			// 97x12x6 = 6984 in³ /139 = 50.24 -> 51 lb; longest 97 > 96: large package, minimum 90 lb,
			// which supersedes additional handling. z4 150 lb break 120.00 + 100.00 = 220.00 + 22.00 = 242.00.
			// EXPRESS: 97 in over its 96 in maximum. RETAIL: 97+24+12 = 133 in over its 130 in length plus girth.
			name: "large package minimum supersedes additional handling",
			req:  request(t, "80202", false, pkg(t, "97x12x6in", "20lb")),
			want: map[string]want{"GROUND": {"90lb", "242.00", ""}, "EXPRESS": {"", "", "max_length"}, "RETAIL": {"", "", "max_length_plus_girth"}},
		},
		{
			// Zone exception 995 -> zone 9 (the range says 8). 10x8x6 = 480/139 = 3.45 -> 4 lb;
			// z9 5 lb break 30.00 + delivery area 3.50 = 33.50 + 3.35 = 36.85. EXPRESS and RETAIL don't serve zone 9.
			name: "zone exception and delivery area",
			req:  request(t, "99501", false, pkg(t, "10x8x6in", "3lb")),
			want: map[string]want{"GROUND": {"4lb", "36.85", ""}, "EXPRESS": {"", "", "zone"}, "RETAIL": {"", "", "zone"}},
		},
		{
			// 6x4x2 = 48 in³ -> 0.35 -> 1 lb; actual 0.3 -> 1 lb. EXPRESS minimum 2 lb: 24.00 + 2.40 = 26.40.
			// GROUND 1 lb: 8.00 + 0.80 = 8.80; RETAIL 9.50 + 0.95 = 10.45.
			name: "service minimum billable weight",
			req:  request(t, "94105", false, pkg(t, "6x4x2in", "0.3lb")),
			want: map[string]want{"GROUND": {"1lb", "8.80", ""}, "EXPRESS": {"2lb", "26.40", ""}, "RETAIL": {"1lb", "10.45", ""}},
		},
		{
			// Two packages, signature and 350 USD declared: GROUND z2: 1144 in³ -> 9 lb (14.00) and
			// 6x4x2 -> 1 lb (8.00), 2 x 6.00 signature, 3 x 1.00 declared value (250 above 100):
			// 37.00 + 3.70 = 40.70.
			name: "two packages with signature and declared value",
			req: func() carrier.Request {
				r := request(t, "94105", false, pkg(t, "12.2x10.1x8in", "5.2lb"), pkg(t, "6x4x2in", "0.3lb"))
				r.Options = carrier.Options{Signature: true, DeclaredValue: fulfill.MustMoney("350", "USD")}
				return r
			}(),
			want: map[string]want{"GROUND": {"9lb", "40.70", ""}},
		},
		{
			// 30 lb over 150 lb? no: 160 lb actual is over GROUND's 150 lb maximum weight.
			name: "over maximum weight",
			req:  request(t, "94105", false, pkg(t, "20x20x20in", "160lb")),
			want: map[string]want{"GROUND": {"", "", "max_weight"}, "EXPRESS": {"", "", "max_weight"}, "RETAIL": {"", "", "max_weight"}},
		},
		{
			// 30x20x10 at 55 lb: weight over 50 lb. 6000/139 = 43.17 -> 44 lb; actual 55 lb; z8 70 lb
			// break 85.00, ahs_weight 20.00 = 105.00 + 10.50 = 115.50.
			name: "additional handling by weight",
			req:  request(t, "97201", false, pkg(t, "30x20x10in", "55lb")),
			want: map[string]want{"GROUND": {"55lb", "115.50", ""}},
		},
		{
			// Second side 31 > 30 in, zone 8 amount 18.00: 40x31x10 = 12400/139 = 89.21 -> 90 lb;
			// z8 150 lb break 170.00 + 18.00 = 188.00 + 18.80 = 206.80.
			name: "additional handling by second side, zone amount",
			req:  request(t, "97201", false, pkg(t, "40x31x10in", "20lb")),
			want: map[string]want{"GROUND": {"90lb", "206.80", ""}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			quotes, inel, err := tr.Quotes(tc.req)
			require.NoError(t, err)
			for code, w := range tc.want {
				q, ok := quoteFor(quotes, code)
				if w.rule != "" {
					require.False(t, ok, "%s should be ineligible", code)
					found := false
					for _, e := range inel {
						if e.Service == code {
							found = true
							assert.Equal(t, w.rule, e.Rule, e.Error())
							assert.ErrorIs(t, e, carrier.ErrIneligible)
						}
					}
					assert.True(t, found, "no reason for %s", code)
					continue
				}
				require.True(t, ok, "%s missing; ineligible: %v", code, inel)
				assert.True(t, q.Price.Equal(fulfill.MustMoney(w.price, "USD")), "%s price %s, want %s\n%s", code, q.Price, w.price, q.Explanation)
				assert.Equal(t, w.billable, billable(q, 1), "%s billable", code)
				// The explanation's amounts add up to the price.
				var sum fulfill.Money
				for _, s := range q.Explanation {
					if s.Kind == carrier.StepBasePrice || s.Kind == carrier.StepSurcharge || s.Kind == carrier.StepFuel {
						sum, err = sum.Add(s.Amount)
						require.NoError(t, err)
					}
				}
				assert.True(t, sum.Equal(q.Price), "%s steps add to %s, price %s", code, sum, q.Price)
			}
		})
	}
}

// TestRoundingRuleChange: the 2025 card rounds sides to the nearest inch,
// the 2026 card every fraction up; the tariff picks by ship time.
func TestRoundingRuleChange(t *testing.T) {
	c2026 := loadCard(t, "acme-2026.json")
	c2025 := loadCard(t, "acme-2026.json")
	c2025.Version = "2025-01"
	c2025.Effective = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c2025.Rounding.LengthMode = carrier.RoundModeNearest
	c2025.FuelPercent = decimal.NewFromInt(8)
	tr, err := carrier.NewTariff(c2026, c2025)
	require.NoError(t, err)

	p := pkg(t, "10.4x8.4x8.4in", "2lb")
	cases := []struct {
		ship            time.Time
		version         string
		billable, price string
		dims            string
	}{
		// nearest: 10x8x8 = 640/139 = 4.60 -> 5 lb -> 11.00 + 8% = 11.88
		{time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC), "2025-01", "5lb", "11.88", "10x8x8in"},
		// up: 11x9x9 = 891/139 = 6.41 -> 7 lb -> 10 lb break 14.00 + 10% = 15.40
		{shipTime, "2026-01", "7lb", "15.40", "11x9x9in"},
		// the first instant of 2026 is already the new card
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026-01", "7lb", "15.40", "11x9x9in"},
	}
	for _, tc := range cases {
		req := request(t, "94105", false, p)
		req.ShipTime = tc.ship
		quotes, _, err := tr.Quotes(req)
		require.NoError(t, err)
		q, ok := quoteFor(quotes, "GROUND")
		require.True(t, ok)
		assert.Equal(t, "ACME "+tc.version, q.Source)
		assert.Equal(t, tc.billable, billable(q, 1))
		assert.True(t, q.Price.Equal(fulfill.MustMoney(tc.price, "USD")), "price %s want %s", q.Price, tc.price)
		assert.Equal(t, tc.dims, q.Explanation[1].Value)
	}
	req := request(t, "94105", false, p)
	req.ShipTime = time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	_, _, err = tr.Quotes(req)
	assert.ErrorIs(t, err, carrier.ErrNoCard)
}

func TestMetricCard(t *testing.T) {
	c := &carrier.RateCard{
		Carrier: "EUPOST", Version: "1", Effective: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Currency: "EUR",
		Units:    carrier.UnitsMetric,
		Rounding: carrier.Rounding{Length: fulfill.Centimeter, Weight: fulfill.Kilogram / 2},
		Zones:    carrier.ZoneChart{Ranges: []carrier.ZoneRange{{Origin: carrier.ZIPRange{From: "000", To: "999"}, Destination: carrier.ZIPRange{From: "000", To: "999"}, Zone: "1"}}},
		Services: []carrier.ServiceRule{{
			Code: "PARCEL", Dim: &carrier.DimRule{Divisor: decimal.NewFromInt(5000)},
			Prices: carrier.PriceTable{
				Weights: []fulfill.Mass{2 * fulfill.Kilogram, 5 * fulfill.Kilogram, 10 * fulfill.Kilogram},
				Zones:   map[string][]decimal.Decimal{"1": {decimal.RequireFromString("5.90"), decimal.RequireFromString("8.90"), decimal.RequireFromString("12.90")}},
			},
		}},
	}
	tr, err := carrier.NewTariff(c)
	require.NoError(t, err)
	// 40x30x20.2 cm -> 40x30x21 = 25200 cm³ / 5000 = 5.04 kg -> 5.5 kg -> 10 kg break 12.90.
	quotes, _, err := tr.Quotes(request(t, "94105", false, pkg(t, "40x30x20.2cm", "3kg")))
	require.NoError(t, err)
	require.Len(t, quotes, 1)
	assert.Equal(t, "5.5kg", billable(quotes[0], 1))
	assert.True(t, quotes[0].Price.Equal(fulfill.MustMoney("12.90", "EUR")), quotes[0].Price.String())
}

func TestExplanationGolden(t *testing.T) {
	tr := acme(t)
	req := request(t, "60601", true, pkg(t, "50x20x10in", "30lb"))
	quotes, inel, err := tr.Quotes(req)
	require.NoError(t, err)
	var b strings.Builder
	for _, q := range quotes {
		b.WriteString(q.Service.String() + " " + q.Price.String() + "\n" + q.Explanation.String() + "\n\n")
	}
	for _, e := range inel {
		b.WriteString(e.Error() + "\n")
	}
	const golden = "testdata/explanation.golden"
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())
}

func TestNoRate(t *testing.T) {
	tr := acme(t)
	req := request(t, "94105", false, pkg(t, "20x20x20in", "160lb"))
	_, err := tr.Rate(t.Context(), req)
	var nr *carrier.NoRateError
	require.True(t, errors.As(err, &nr))
	assert.ErrorIs(t, err, carrier.ErrNoRate)
	assert.Len(t, nr.Reasons, 3)
	assert.Contains(t, err.Error(), "weight 160lb over the maximum 150lb")

	// A non-US destination has no zone.
	req.Destination = fulfill.Address{Line1: "1 Rue", City: "Paris", PostalCode: "75001", Country: "FR"}
	req.Packages = []carrier.Package{pkg(t, "10x10x10in", "1lb")}
	_, err = tr.Rate(t.Context(), req)
	require.ErrorAs(t, err, &nr)
	assert.Equal(t, "zone", nr.Reasons[0].Rule)
}

func TestInvalidRequest(t *testing.T) {
	tr := acme(t)
	_, err := tr.Rate(t.Context(), carrier.Request{})
	require.ErrorIs(t, err, carrier.ErrInvalidRequest)
	fe, ok := errors.AsType[*fulfill.FieldError](err)
	require.True(t, ok)
	assert.NotEmpty(t, fe.Field)
	for _, f := range []string{"origin.country", "destination.country", "packages", "ship_time"} {
		assert.Contains(t, err.Error(), f)
	}
}

func TestCardValidation(t *testing.T) {
	cases := []struct {
		name, json, field string
	}{
		{"unknown field", `{"carrier":"X","bogus":1}`, "malformed JSON"},
		{"missing everything", `{}`, "carrier"},
		{"bad currency", `{"carrier":"X","version":"1","effective":"2026-01-01T00:00:00Z","currency":"XXX","services":[]}`, "currency"},
		{"weights decrease", `{"carrier":"X","version":"1","effective":"2026-01-01T00:00:00Z","currency":"USD","zones":{"ranges":[]},
			"services":[{"code":"A","prices":{"weights":["2lb","1lb"],"zones":{"1":["1","2"]}}}]}`, "weights must increase"},
		{"ragged grid", `{"carrier":"X","version":"1","effective":"2026-01-01T00:00:00Z","currency":"USD","zones":{"ranges":[]},
			"services":[{"code":"A","prices":{"weights":["1lb","2lb"],"zones":{"1":["1"]}}}]}`, "want 2 prices"},
		{"bad zip range", `{"carrier":"X","version":"1","effective":"2026-01-01T00:00:00Z","currency":"USD","zones":{"ranges":[{"origin":"9x0","destination":"100","zone":"1"}]},
			"services":[{"code":"A","prices":{"weights":["1lb"],"zones":{"1":["1"]}}}]}`, "ZIP"},
		{"handling without threshold", `{"carrier":"X","version":"1","effective":"2026-01-01T00:00:00Z","currency":"USD","zones":{"ranges":[]},
			"services":[{"code":"A","prices":{"weights":["1lb"],"zones":{"1":["1"]}}}],
			"surcharges":[{"name":"ah","kind":"additional_handling","amount":"1"}]}`, "threshold"},
		{"negative price", `{"carrier":"X","version":"1","effective":"2026-01-01T00:00:00Z","currency":"USD","zones":{"ranges":[]},
			"services":[{"code":"A","prices":{"weights":["1lb"],"zones":{"1":["-1"]}}}]}`, "negative"},
		{"zero divisor", `{"carrier":"X","version":"1","effective":"2026-01-01T00:00:00Z","currency":"USD","zones":{"ranges":[]},
			"services":[{"code":"A","dim":{"divisor":"0"},"prices":{"weights":["1lb"],"zones":{"1":["1"]}}}]}`, "divisor"},
		{"unknown supersedes", `{"carrier":"X","version":"1","effective":"2026-01-01T00:00:00Z","currency":"USD","zones":{"ranges":[]},
			"services":[{"code":"A","prices":{"weights":["1lb"],"zones":{"1":["1"]}}}],
			"surcharges":[{"name":"r","kind":"residential","amount":"1","supersedes":["nope"]}]}`, "supersedes"},
		{"trailing data", `{"carrier":"X"} {}`, "unexpected data"},
		{"control character in code", `{"carrier":"X","version":"1","effective":"2026-01-01T00:00:00Z","currency":"USD","zones":{"ranges":[]},
			"services":[{"code":"A\u0000","prices":{"weights":["1lb"],"zones":{"1":["1"]}}}]}`, "UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := carrier.ParseRateCard([]byte(tc.json))
			require.Error(t, err)
			assert.ErrorIs(t, err, carrier.ErrInvalidCard)
			_, ok := errors.AsType[*carrier.CardError](err)
			assert.True(t, ok)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
}

func TestCardRejectsInvalidText(t *testing.T) {
	c := loadCard(t, "acme-2026.json")
	c.Services[0].Prices.Zones["\xff"] = c.Services[0].Prices.Zones["2"]
	assert.ErrorContains(t, c.Validate(), "not valid UTF-8 text")
}

func TestTariffValidation(t *testing.T) {
	a := loadCard(t, "acme-2026.json")
	b := loadCard(t, "acme-2026.json")
	_, err := carrier.NewTariff(a, b)
	assert.ErrorIs(t, err, carrier.ErrInvalidCard, "same effective time")
	b.Carrier = "OTHER"
	b.Effective = b.Effective.AddDate(1, 0, 0)
	_, err = carrier.NewTariff(a, b)
	assert.ErrorIs(t, err, carrier.ErrInvalidCard, "two carriers")
	_, err = carrier.NewTariff()
	assert.ErrorIs(t, err, carrier.ErrInvalidCard)
}

// TestTariffIsolated: changing a card after building a tariff does not
// change the tariff's prices.
func TestTariffIsolated(t *testing.T) {
	c := loadCard(t, "acme-2026.json")
	tr, err := carrier.NewTariff(c)
	require.NoError(t, err)
	req := request(t, "94105", false, pkg(t, "6x4x2in", "0.3lb"))
	before, _, err := tr.Quotes(req)
	require.NoError(t, err)
	c.Services[0].Prices.Zones["2"][0] = decimal.NewFromInt(999)
	c.Surcharges[0].Services[0] = "X"
	after, _, err := tr.Quotes(req)
	require.NoError(t, err)
	assert.True(t, before[0].Price.Equal(after[0].Price))
}
