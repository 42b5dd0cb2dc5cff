package carrier_test

import (
	"encoding/json"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/stretchr/testify/require"
)

var zips = []string{"94105", "90210", "60601", "80202", "97201", "99501", "10001", "96001"}

func randomPackage(rng interface{ Int64N(int64) int64 }) carrier.Package {
	side := func() fulfill.Length { return fulfill.Length(1 + rng.Int64N(int64(60*fulfill.Inch))) }
	return carrier.Package{
		Dimensions: fulfill.Dims(side(), side(), side()),
		Mass:       fulfill.Mass(1 + rng.Int64N(int64(160*fulfill.Pound))),
	}
}

func massOf(t testing.TB, s string) fulfill.Mass {
	m, err := fulfill.ParseMass(s)
	require.NoError(t, err)
	return m
}

// TestPropertyBillableAtLeastActual: the billable weight is never below
// the actual weight, and every quote's steps add up to its price.
func TestPropertyBillableAtLeastActual(t *testing.T) {
	tr := acme(t)
	rng := newRand(1)
	for range 2000 {
		p := randomPackage(rng)
		req := request(t, zips[rng.IntN(len(zips))], rng.IntN(2) == 0, p)
		qs, _, err := tr.Quotes(req)
		require.NoError(t, err)
		for _, q := range qs {
			b := massOf(t, billable(q, 1))
			require.GreaterOrEqual(t, b, p.Mass.Ceil(fulfill.Pound), "%v %v", p, q.Explanation)
			var sum fulfill.Money
			for _, s := range q.Explanation {
				if s.Kind == carrier.StepBasePrice || s.Kind == carrier.StepSurcharge || s.Kind == carrier.StepFuel {
					sum, err = sum.Add(s.Amount)
					require.NoError(t, err)
				}
			}
			require.True(t, sum.Equal(q.Price))
		}
	}
}

// TestPropertyMonotoneInWeight: in a zone, with the same box, a heavier
// package never costs less with the same service.
func TestPropertyMonotoneInWeight(t *testing.T) {
	tr := acme(t)
	rng := newRand(2)
	for range 1000 {
		p := randomPackage(rng)
		heavier := p
		heavier.Mass += fulfill.Mass(rng.Int64N(int64(20 * fulfill.Pound)))
		to := zips[rng.IntN(len(zips))]
		res := rng.IntN(2) == 0
		a, _, err := tr.Quotes(request(t, to, res, p))
		require.NoError(t, err)
		b, _, err := tr.Quotes(request(t, to, res, heavier))
		require.NoError(t, err)
		for _, qa := range a {
			if qb, ok := quoteFor(b, qa.Service.Code); ok {
				c, err := qa.Price.Cmp(qb.Price)
				require.NoError(t, err)
				require.LessOrEqual(t, c, 0, "%v -> %v: %s then %s", p, heavier, qa.Price, qb.Price)
			}
		}
	}
}

// TestPropertyRoundingIdempotent: quoting the already-rounded package
// gives the same price and billable weight as the original.
func TestPropertyRoundingIdempotent(t *testing.T) {
	tr := acme(t)
	rng := newRand(3)
	for range 1000 {
		p := randomPackage(rng)
		r := carrier.Package{
			Dimensions: fulfill.Dims(p.Dimensions.Length.Ceil(fulfill.Inch), p.Dimensions.Width.Ceil(fulfill.Inch), p.Dimensions.Height.Ceil(fulfill.Inch)),
			Mass:       p.Mass.Ceil(fulfill.Pound),
		}
		to := zips[rng.IntN(len(zips))]
		a, ia, err := tr.Quotes(request(t, to, false, p))
		require.NoError(t, err)
		b, _, err := tr.Quotes(request(t, to, false, r))
		require.NoError(t, err)
		// Weight limits apply to the actual weight, so rounding it up may
		// cross one; compare only services eligible both ways.
		for _, qa := range a {
			if qb, ok := quoteFor(b, qa.Service.Code); ok {
				require.True(t, qa.Price.Equal(qb.Price), "%v vs %v", p, r)
				require.Equal(t, billable(qa, 1), billable(qb, 1))
			}
		}
		_ = ia
	}
}

// TestRateCardJSONRoundTrip: a card marshals to JSON and parses back to
// the same card.
func TestRateCardJSONRoundTrip(t *testing.T) {
	c := loadCard(t, "acme-2026.json")
	a, err := json.Marshal(c)
	require.NoError(t, err)
	back, err := carrier.ParseRateCard(a)
	require.NoError(t, err)
	b, err := json.Marshal(back)
	require.NoError(t, err)
	require.JSONEq(t, string(a), string(b))
}

// TestQuoteJSONRoundTrip: quotes, as the ship package and hosts store
// them, decode back to the same values.
func TestQuoteJSONRoundTrip(t *testing.T) {
	qs, _, err := acme(t).Quotes(request(t, "60601", true, pkg(t, "50x20x10in", "30lb")))
	require.NoError(t, err)
	data, err := json.Marshal(qs)
	require.NoError(t, err)
	var back []carrier.Quote
	require.NoError(t, json.Unmarshal(data, &back))
	require.Len(t, back, len(qs))
	for i := range qs {
		require.True(t, qs[i].Price.Equal(back[i].Price))
		require.True(t, qs[i].EstimatedDelivery.Equal(back[i].EstimatedDelivery))
		require.Equal(t, qs[i].Explanation.String(), back[i].Explanation.String())
		require.Equal(t, qs[i].Service, back[i].Service)
	}
}
