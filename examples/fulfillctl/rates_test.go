package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var ratesUpdate = flag.Bool("rates-update", false, "rewrite testdata/rates_out_*.json")

// ratesSample reads a sample input.
func ratesSample(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(data, &v))
	return v
}

// TestRatesSamples runs every sample input and compares the output with its
// golden file (rewritten with -rates-update).
func TestRatesSamples(t *testing.T) {
	files, err := filepath.Glob("testdata/rates_in_*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, out, stderr := runCLI(t, "", "rates", f)
			require.Equal(t, 0, code, stderr)
			golden := strings.Replace(f, "rates_in_", "rates_out_", 1)
			if *ratesUpdate {
				require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), out)
			var res ratesOutput
			require.NoError(t, decodeStrict([]byte(out), &res), "the output decodes strictly")
			in, err := os.ReadFile(f)
			require.NoError(t, err)
			code, again, _ := runCLI(t, string(in), "rates")
			require.Equal(t, 0, code)
			assert.Equal(t, out, again, "stdin gives the same output")
		})
	}
}

func TestRatesExampleFigures(t *testing.T) {
	code, out, stderr := runCLI(t, "", "rates", "testdata/rates_in_example.json")
	require.Equal(t, 0, code, stderr)
	var res ratesOutput
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	prices := map[string]string{}
	for _, q := range res.Quotes {
		prices[q.Service.String()] = q.Price.String()
		assert.NotEmpty(t, q.Text)
		assert.Equal(t, q.Explanation.String(), q.Text)
	}
	// ACME GROUND, zone 5: 9 lb (19.00) + 1 lb (10.00) + 2 x 5.00 residential = 39.00 + 10% = 42.90.
	assert.Equal(t, "42.90 USD", prices["ACME/GROUND"])
	// PARCELCO: 1144 in³ is not above 1728: 6 lb -> 10 lb break 13.50, 1 lb 7.25,
	// 2 x 3.95 residential = 28.65 + 8.5% = 2.43525 -> 2.44; 31.09.
	assert.Equal(t, "31.09 USD", prices["PARCELCO/SAVER"])
	require.NotNil(t, res.Chosen)
	// best value at 1.50 a day: GROUND 42.90 + 6.00, RETAIL 36.30 + 7.50, SAVER 31.09 + 9.00, EXPRESS 107.80 + 1.50.
	assert.Equal(t, "PARCELCO/SAVER", res.Chosen.Service.String())
}

func TestRatesIneligibleSaysWhy(t *testing.T) {
	code, out, stderr := runCLI(t, "", "rates", "testdata/rates_in_oversize.json")
	require.Equal(t, 0, code, stderr)
	var res ratesOutput
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Len(t, res.Ineligible, 1)
	assert.Equal(t, ratesIneligible{Carrier: "ACME", Service: "EXPRESS", Package: 1, Rule: "max_billable", Limit: "70lb", Actual: "72lb",
		Reason: "billable weight 72lb over the heaviest price break 70lb"}, res.Ineligible[0])
	require.NotNil(t, res.Chosen)
	assert.Equal(t, "ACME/GROUND", res.Chosen.Service.String(), "RETAIL arrives 2026-03-09, after the date")
}

func TestRatesBadInput(t *testing.T) {
	sample := ratesSample(t, "rates_in_example.json")
	with := func(mut func(m map[string]any)) string {
		var c map[string]any
		b, _ := json.Marshal(sample)
		_ = json.Unmarshal(b, &c)
		mut(c)
		out, _ := json.Marshal(c)
		return string(out)
	}
	tests := []struct {
		name, in, want string
	}{
		{"not JSON", "{", "unexpected EOF"},
		{"bad JSON", "{]", "malformed JSON"},
		{"unknown field", with(func(m map[string]any) { m["bogus"] = 1 }), "bogus"},
		{"no request", with(func(m map[string]any) { delete(m, "request") }), `"request": required`},
		{"no cards", with(func(m map[string]any) { delete(m, "cards") }), `"cards"`},
		{"bad policy", with(func(m map[string]any) { m["policy"] = "random" }), `"policy"`},
		{"best value without per_day", with(func(m map[string]any) { delete(m, "per_day") }), `"per_day"`},
		{"bad arrive_by", with(func(m map[string]any) { m["policy"], m["arrive_by"] = "arrive_by", "soon" }), `"arrive_by"`},
		{"bad card", with(func(m map[string]any) {
			m["cards"].([]any)[0].(map[string]any)["currency"] = "XXX"
		}), `cards[0]`},
		{"unknown card field", with(func(m map[string]any) {
			m["cards"].([]any)[1].(map[string]any)["extra"] = true
		}), `cards[1]`},
		{"no packages", with(func(m map[string]any) {
			m["request"].(map[string]any)["packages"] = []any{}
		}), `packages`},
		{"mass without unit", with(func(m map[string]any) {
			m["request"].(map[string]any)["packages"].([]any)[0].(map[string]any)["mass"] = "5"
		}), `unit`},
		{"money as float", with(func(m map[string]any) {
			m["per_day"] = map[string]any{"amount": 1.5, "currency": "USD"}
		}), `amount`},
		{"two files", "", "at most one input file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"rates"}
			if tc.name == "two files" {
				args = append(args, "a.json", "b.json")
			}
			code, out, stderr := runCLI(t, tc.in, args...)
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

func TestRatesHelp(t *testing.T) {
	code, _, stderr := runCLI(t, "", "rates", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "explanation")
}

func FuzzRates(f *testing.F) {
	for _, name := range []string{"rates_in_example.json", "rates_in_merchant.json", "rates_in_oversize.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"cards":[],"request":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := ratesCompute(data)
		if err != nil {
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("output does not encode: %v", err)
		}
	})
}
