package carrier_test

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/stretchr/testify/require"
)

// shipTime is a Monday.
var shipTime = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func loadCard(t testing.TB, name string) *carrier.RateCard {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	c, err := carrier.ParseRateCard(data)
	require.NoError(t, err)
	return c
}

func acme(t testing.TB) *carrier.Tariff {
	t.Helper()
	tr, err := carrier.NewTariff(loadCard(t, "acme-2026.json"))
	require.NoError(t, err)
	return tr
}

func addr(zip string, residential bool) fulfill.Address {
	return fulfill.Address{Line1: "1 Main St", City: "Town", Region: "CA", PostalCode: zip, Country: "US", Residential: residential}
}

func pkg(t testing.TB, dims, mass string) carrier.Package {
	t.Helper()
	d, err := fulfill.ParseDimensions(dims)
	require.NoError(t, err)
	m, err := fulfill.ParseMass(mass)
	require.NoError(t, err)
	return carrier.Package{Dimensions: d, Mass: m}
}

func request(t testing.TB, to string, residential bool, pkgs ...carrier.Package) carrier.Request {
	return carrier.Request{Origin: addr("90210", false), Destination: addr(to, residential), Packages: pkgs, ShipTime: shipTime}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
