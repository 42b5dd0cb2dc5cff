package carrier_test

import (
	"encoding/json"
	"os"
	"testing"
	"testing/fstest"

	"github.com/fulfillkit/fulfill/carrier"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cardFS returns the test card as files: card.json without zones and
// without GROUND's prices, which come from CSV.
func cardFS(t *testing.T) fstest.MapFS {
	var raw map[string]any
	data, err := os.ReadFile("testdata/acme-2026.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &raw))
	delete(raw, "zones")
	delete(raw["services"].([]any)[0].(map[string]any), "prices")
	card, err := json.Marshal(raw)
	require.NoError(t, err)
	zones, err := os.ReadFile("testdata/acme-zones.csv")
	require.NoError(t, err)
	prices, err := os.ReadFile("testdata/acme-ground.csv")
	require.NoError(t, err)
	return fstest.MapFS{
		"acme/card.json":           {Data: card},
		"acme/zones.csv":           {Data: zones},
		"acme/prices-GROUND.csv":   {Data: prices},
		"broken/card.json":         {Data: card},
		"broken/zones.csv":         {Data: zones},
		"broken/prices-GROUND.csv": {Data: []byte("weight,2\n1lb,oops\n")},
	}
}

func TestParseRateCardFS(t *testing.T) {
	fsys := cardFS(t)
	fromFS, err := carrier.ParseRateCardFS(fsys, "acme")
	require.NoError(t, err)
	a, err := carrier.NewTariff(fromFS)
	require.NoError(t, err)
	b := acme(t)
	for _, to := range []string{"94105", "60601", "99501"} {
		req := request(t, to, true, pkg(t, "14x10x6in", "4lb"))
		qa, _, err := a.Quotes(req)
		require.NoError(t, err)
		qb, _, err := b.Quotes(req)
		require.NoError(t, err)
		require.Equal(t, len(qb), len(qa))
		for i := range qa {
			assert.True(t, qa[i].Price.Equal(qb[i].Price))
		}
	}

	_, err = carrier.ParseRateCardFS(fsys, "broken")
	require.ErrorIs(t, err, carrier.ErrInvalidCard)
	assert.ErrorContains(t, err, "prices-GROUND.csv: line 2")

	_, err = carrier.ParseRateCardFS(fsys, "missing")
	assert.Error(t, err)

	delete(fsys, "acme/zones.csv")
	_, err = carrier.ParseRateCardFS(fsys, "acme")
	require.ErrorIs(t, err, carrier.ErrInvalidCard, "without zones.csv the card has no zones")
	assert.ErrorContains(t, err, "zone range required")
}
