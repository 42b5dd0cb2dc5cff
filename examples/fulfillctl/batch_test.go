package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBatchSamples(t *testing.T) {
	routeGolden(t, "batch", &batchOutput{})
	files, _ := filepath.Glob("testdata/batch_in_*.json")
	for _, f := range files {
		in, err := os.ReadFile(f)
		require.NoError(t, err)
		out, err := os.ReadFile(strings.Replace(f, "_in_", "_out_", 1))
		require.NoError(t, err)
		batchCheck(t, in, out)
	}
}

// batchCheck verifies a batch output against its input independently:
// every order on exactly one cart, every cart within its line and unit
// capacity, every route a valid route (checked by verifyRoute on a route
// request made of the cart's lines), and the total adding up.
func batchCheck(t *testing.T, in, out []byte) {
	t.Helper()
	var req batchInput
	require.NoError(t, decodeStrict(in, &req))
	var res batchOutput
	require.NoError(t, decodeStrict(out, &res))
	byID := map[string]batchOrderJSON{}
	for _, o := range req.Orders {
		byID[o.ID] = o
	}
	seen := map[string]int{}
	total := 0.0
	for n, b := range res.Batches {
		var picks []routePickJSON
		lines, units := 0, int64(0)
		for _, id := range b.Orders {
			seen[id]++
			o, ok := byID[id]
			require.True(t, ok, "batch %d: unknown order %q", n, id)
			for _, ln := range o.Lines {
				picks = append(picks, routePickJSON{Aisle: ln.Aisle, Slot: ln.Slot, Level: ln.Level, Side: ln.Side})
				lines++
				units += ln.Quantity
			}
		}
		if c := req.Capacity.Lines; c > 0 {
			assert.LessOrEqual(t, lines, c, "batch %d lines", n)
		}
		if c := req.Capacity.Units; c > 0 {
			assert.LessOrEqual(t, units, c, "batch %d units", n)
		}
		rreq, err := json.Marshal(routeInput{Layout: req.Layout, Picks: picks})
		require.NoError(t, err)
		rres, err := json.Marshal(routeOutput{Route: b.Route, DistanceM: b.DistanceM})
		require.NoError(t, err)
		problems, err := verifyRoute(rreq, rres)
		require.NoError(t, err)
		require.Empty(t, problems, "batch %d", n)
		total += b.DistanceM
	}
	for id := range byID {
		assert.Equal(t, 1, seen[id], "order %q", id)
	}
	assert.InDelta(t, total, res.TotalDistanceM, 1e-6)
}

// TestBatchContract checks the format on a hand-made case: two
// orders in aisle 1 share a cart, the far one rides alone.
func TestBatchContract(t *testing.T) {
	in := `{"layout":{"aisles":10,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3,"cross_aisles":2,"depot":{"aisle":0,"end":"front"}},
	"orders":[{"id":"o1","lines":[{"aisle":1,"slot":4,"side":"R","quantity":2}]},
	          {"id":"o9","lines":[{"aisle":9,"slot":29,"side":"L","quantity":1},{"aisle":9,"slot":28,"side":"L","quantity":1}]},
	          {"id":"o7","lines":[{"aisle":1,"slot":9,"side":"L","quantity":1}]}],
	"capacity":{"lines":2}}`
	code, out, stderr := runCLI(t, in, "batch")
	require.Equal(t, 0, code, stderr)
	// o1 and o7: 3 m across, 9.5 m up, and back: 25 m. o9: 27 + 29.5, twice: 113 m.
	assert.JSONEq(t, `{"batches":[
		{"orders":["o1","o7"],"route":[{"aisle":1,"slot":4,"side":"R"},{"aisle":1,"slot":9,"side":"L"}],"distance_m":25},
		{"orders":["o9"],"route":[{"aisle":9,"slot":28,"side":"L"},{"aisle":9,"slot":29,"side":"L"}],"distance_m":113}],
		"total_distance_m":138}`, out)
	batchCheck(t, []byte(in), []byte(out))
	units := strings.Replace(in, `{"lines":2}`, `{"units":2}`, 1)
	code, out, stderr = runCLI(t, units, "batch")
	require.Equal(t, 0, code, stderr)
	batchCheck(t, []byte(units), []byte(out))
}

func TestBatchAlgorithms(t *testing.T) {
	data, err := os.ReadFile("testdata/batch_in_day.json")
	require.NoError(t, err)
	var in map[string]any
	require.NoError(t, json.Unmarshal(data, &in))
	total := map[string]float64{}
	for _, alg := range []string{"fcfs", "seed", "savings", "local"} {
		in["algorithm"] = alg
		req, _ := json.Marshal(in)
		code, out, stderr := runCLI(t, string(req), "batch")
		require.Equal(t, 0, code, "%s: %s", alg, stderr)
		batchCheck(t, req, []byte(out))
		var res batchOutput
		require.NoError(t, json.Unmarshal([]byte(out), &res))
		total[alg] = res.TotalDistanceM
	}
	assert.Less(t, total["savings"], total["fcfs"])
	assert.LessOrEqual(t, total["local"], total["savings"])
}

func TestBatchBadInput(t *testing.T) {
	layout := `"layout":{"aisles":10,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3}`
	line := `{"aisle":1,"slot":4,"side":"R","quantity":2}`
	tests := []struct {
		name, in, want string
	}{
		{"unknown field", `{` + layout + `,"orders":[],"capacity":{"lines":3,"pallets":1}}`, "pallets"},
		{"no id", `{` + layout + `,"orders":[{"lines":[` + line + `]}]}`, `"orders[0].id"`},
		{"no lines", `{` + layout + `,"orders":[{"id":"a","lines":[]}]}`, `"orders[0].lines"`},
		{"zero quantity", `{` + layout + `,"orders":[{"id":"a","lines":[{"aisle":1,"slot":4,"side":"R","quantity":0}]}]}`, `"orders[0].lines[0].quantity"`},
		{"bin outside", `{` + layout + `,"orders":[{"id":"a","lines":[{"aisle":1,"slot":40,"side":"R","quantity":1}]}]}`, `"orders[0].lines[0]"`},
		{"negative weight", `{` + layout + `,"orders":[{"id":"a","lines":[{"aisle":1,"slot":4,"side":"R","quantity":1,"weight_kg":-1}]}]}`, `"orders[0].lines[0].weight_kg"`},
		{"negative capacity", `{` + layout + `,"orders":[],"capacity":{"lines":-1}}`, `"capacity"`},
		{"order too big", `{` + layout + `,"orders":[{"id":"a","lines":[` + line + `,` + line + `]}],"capacity":{"lines":1}}`, `order "a": does not fit an empty cart`},
		{"duplicate id", `{` + layout + `,"orders":[{"id":"a","lines":[` + line + `]},{"id":"a","lines":[` + line + `]}]}`, `order "a": duplicate id`},
		{"bad algorithm", `{` + layout + `,"orders":[],"algorithm":"magic"}`, `"algorithm"`},
		{"negative time", `{` + layout + `,"orders":[],"time_limit_ms":-5}`, `"time_limit_ms"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, tt.in, "batch")
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			assert.Contains(t, stderr, tt.want)
		})
	}
	code, out, stderr := runCLI(t, `{`+layout+`,"orders":[]}`, "batch")
	require.Equal(t, 0, code, stderr)
	assert.JSONEq(t, `{"batches":[],"total_distance_m":0}`, out)
}

// FuzzBatchInput feeds arbitrary documents to batch: it never panics,
// fails only with status 1, and whatever it prints checks out.
func FuzzBatchInput(f *testing.F) {
	files, _ := filepath.Glob("testdata/batch_in_example.json")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(data)
	}
	f.Add([]byte(`{"layout":{"aisles":3,"slots_per_aisle":2,"aisle_length_m":4,"aisle_spacing_m":1,"cross_aisles":3},"orders":[{"id":"x","lines":[{"aisle":2,"slot":1,"side":"L","quantity":3,"volume_l":1.5}],"totes":2}],"capacity":{"totes":2,"volume_l":2},"algorithm":"seed"}`))
	// Trailing data after the document, and field names in another case.
	f.Add([]byte(`{"lAYout":{"Aisles":10,"slots_per_Aisle":10,"Aisle_length_m":10,"Aisle_spACing_m":1,"depot":{"Aisle":0,"end":"front"}}}]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var probe batchInput
		if json.Unmarshal(in, &probe) == nil && (len(probe.Orders) > 12 || probe.Layout != nil && (probe.Layout.Aisles > 100 || probe.Layout.CrossAisles > 3)) {
			return // keep each run fast
		}
		if probe.TimeLimitMS > 0 {
			return // a deadline makes the result depend on the machine
		}
		code, out, _ := runCLI(t, string(in), "batch")
		require.Contains(t, []int{0, 1}, code)
		if code == 0 {
			batchCheck(t, in, []byte(out))
		}
	})
}
