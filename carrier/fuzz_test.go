package carrier_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
)

func FuzzParseRateCard(f *testing.F) {
	data, err := os.ReadFile("testdata/acme-2026.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"carrier":"X","version":"1","effective":"2026-01-01T00:00:00Z","currency":"USD","zones":{"ranges":[{"origin":"000-999","destination":"000-999","zone":"1"}]},
		"services":[{"code":"A","dim":{"divisor":"0.5","above":"1e3"},"prices":{"weights":["1lb"],"zones":{"1":["1"]}}}]}`))
	req := carrier.Request{
		Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
		Destination: fulfill.Address{PostalCode: "99501", Country: "US", Residential: true},
		Packages:    []carrier.Package{{Dimensions: fulfill.Dims(30*fulfill.Inch, 20*fulfill.Inch, 10*fulfill.Inch), Mass: 12 * fulfill.Pound}},
		ShipTime:    time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		Options:     carrier.Options{Signature: true, DeclaredValue: fulfill.MustMoney("500", "USD")},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := carrier.ParseRateCard(data)
		if err != nil {
			return
		}
		tr, err := carrier.NewTariff(c)
		if err != nil {
			t.Fatalf("a valid card must make a tariff: %v", err)
		}
		qs, inel, err := tr.Quotes(req)
		if err != nil && !strings.Contains(err.Error(), "no rate card in effect") {
			t.Fatalf("quote: %v", err)
		}
		if err == nil {
			samePrevious(t, carrier.PreviousQuoter(c), req, qs, inel)
		}
		samePrices(t, tr, req)
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := carrier.ParseRateCard(out)
		if err != nil {
			t.Fatalf("round trip: %v\n%s", err, out)
		}
		again, _ := json.Marshal(back)
		if !bytes.Equal(out, again) {
			t.Fatalf("round trip changed the card:\n%s\n%s", out, again)
		}
	})
}

func FuzzZonesCSV(f *testing.F) {
	data, err := os.ReadFile("testdata/acme-zones.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("origin,destination,zone\n900,100,2\n")
	f.Add("origin,destination,zone,exception\n900-901,10001-10002,2,true\n")
	f.Fuzz(func(t *testing.T, s string) {
		z, err := carrier.ParseZonesCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		a := fulfill.Address{PostalCode: "90210", Country: "US"}
		z.Zone(a, a)
	})
}

func FuzzPricesCSV(f *testing.F) {
	data, err := os.ReadFile("testdata/acme-ground.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("weight,1\n1kg,0.5\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := carrier.ParsePricesCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		for z, row := range p.Zones {
			if len(row) != len(p.Weights) {
				t.Fatalf("zone %s: %d prices for %d weights", z, len(row), len(p.Weights))
			}
		}
		for i := 1; i < len(p.Weights); i++ {
			if p.Weights[i] <= p.Weights[i-1] {
				t.Fatal("weights not increasing")
			}
		}
	})
}

// samePrevious fails t unless the previous pricing code gives the same
// quotes and reasons for req, field by field.
func samePrevious(t *testing.T, prev func(carrier.Request) ([]carrier.Quote, []*carrier.IneligibleError, error), req carrier.Request, qs []carrier.Quote, inel []*carrier.IneligibleError) {
	t.Helper()
	var a, b strings.Builder
	renderQuotes(&a, qs, inel, nil)
	pq, pi, err := prev(req)
	renderQuotes(&b, pq, pi, err)
	if a.String() != b.String() {
		t.Fatalf("quotes differ from the previous pricing code:\n%s\nprevious:\n%s", a.String(), b.String())
	}
}

// FuzzQuote rates arbitrary packages and addresses with the test card:
// no panic, every quote's billable weight is at least its actual weight,
// the quotes are those of the previous pricing code, and Prices gives
// their services and prices.
func FuzzQuote(f *testing.F) {
	data, err := os.ReadFile("testdata/acme-2026.json")
	if err != nil {
		f.Fatal(err)
	}
	c, err := carrier.ParseRateCard(data)
	if err != nil {
		f.Fatal(err)
	}
	tr, err := carrier.NewTariff(c)
	if err != nil {
		f.Fatal(err)
	}
	prev := carrier.PreviousQuoter(c)
	f.Add("94105", int64(12*fulfill.Inch), int64(10*fulfill.Inch), int64(8*fulfill.Inch), int64(5*fulfill.Pound), true, "350")
	f.Add("99501", int64(97*fulfill.Inch), int64(12*fulfill.Inch), int64(6*fulfill.Inch), int64(20*fulfill.Pound), false, "0")
	f.Add("1", int64(-1), int64(0), int64(1<<62), int64(-5), false, "-1")
	f.Fuzz(func(t *testing.T, zip string, l, w, h, m int64, res bool, value string) {
		req := carrier.Request{
			Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
			Destination: fulfill.Address{PostalCode: zip, Country: "US", Residential: res},
			Packages:    []carrier.Package{{Dimensions: fulfill.Dims(fulfill.Length(l), fulfill.Length(w), fulfill.Length(h)), Mass: fulfill.Mass(m)}},
			ShipTime:    time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		}
		if dv, err := fulfill.ParseMoney(value, "USD"); err == nil {
			req.Options.DeclaredValue = dv
		}
		samePrices(t, tr, req)
		qs, inel, err := tr.Quotes(req)
		if err != nil {
			return
		}
		samePrevious(t, prev, req, qs, inel)
		for _, q := range qs {
			if q.Price.Sign() < 0 {
				t.Fatalf("negative price %s", q.Price)
			}
			b, err := fulfill.ParseMass(billable(q, 1))
			if err != nil {
				t.Fatalf("billable step: %v", err)
			}
			// The explanation rounds to 0.001 lb; billable weights are whole pounds here.
			if b < fulfill.Mass(m).Ceil(fulfill.Pound) {
				t.Fatalf("billable %v below actual %v", b, fulfill.Mass(m))
			}
		}
	})
}
