package carrier_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill/carrier"
)

// chainCard has a chain of supersedes: the large-package fee supersedes
// additional handling, which supersedes the residential fee. surcharges
// lists them in the order the card gives.
func chainCard(t *testing.T, surcharges ...string) *carrier.Tariff {
	t.Helper()
	defs := map[string]string{
		"lp":  `{"name": "lp", "kind": "large_package", "amount": "50.00", "longest_over": "10in", "supersedes": ["ahs"]}`,
		"ahs": `{"name": "ahs", "kind": "additional_handling", "amount": "15.00", "longest_over": "10in", "supersedes": ["res"]}`,
		"res": `{"name": "res", "kind": "residential", "amount": "5.00"}`,
	}
	var list []string
	for _, s := range surcharges {
		list = append(list, defs[s])
	}
	card, err := carrier.ParseRateCard([]byte(fmt.Sprintf(`{
		"carrier": "CHAIN", "version": "1", "effective": "2026-01-01T00:00:00Z", "currency": "USD",
		"rounding": {"length": "1in", "length_mode": "up", "weight": "1lb", "weight_mode": "up"},
		"zones": {"ranges": [{"origin": "000-999", "destination": "000-999", "zone": "1"}]},
		"services": [{"code": "GROUND", "prices": {"weights": ["150lb"], "zones": {"1": ["10.00"]}}}],
		"surcharges": [%s]
	}`, strings.Join(list, ","))))
	require.NoError(t, err)
	tr, err := carrier.NewTariff(card)
	require.NoError(t, err)
	return tr
}

// TestSupersedeChainIgnoresCardOrder: a surcharge whose thresholds are hit
// supersedes others even when it is superseded itself, so the price does
// not depend on the order the card lists its surcharges in. Filtering in
// place used to charge the residential fee in one order and not the other.
func TestSupersedeChainIgnoresCardOrder(t *testing.T) {
	req := request(t, "60601", true, pkg(t, "20x5x5in", "2lb"))
	for _, order := range [][]string{{"lp", "ahs", "res"}, {"ahs", "lp", "res"}, {"res", "ahs", "lp"}, {"ahs", "res", "lp"}} {
		quotes, _, err := chainCard(t, order...).Quotes(req)
		require.NoError(t, err, "%v", order)
		require.Len(t, quotes, 1)
		assert.Equal(t, "60.00 USD", quotes[0].Price.String(), "card order %v: base 10.00 + large package 50.00 only", order)
	}
}
