package main

import (
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var routeUpdate = flag.Bool("route-update", false, "rewrite testdata/route_out_*.json and batch_out_*.json")

// routeGolden runs every testdata/<cmd>_in_*.json sample and compares the
// output with its golden file, rewritten with -route-update; the output
// must also decode strictly into out and be the same from standard input.
func routeGolden(t *testing.T, cmd string, out any) {
	files, err := filepath.Glob("testdata/" + cmd + "_in_*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, got, stderr := runCLI(t, "", cmd, f)
			require.Equal(t, 0, code, stderr)
			golden := strings.Replace(f, "_in_", "_out_", 1)
			if *routeUpdate {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), got)
			require.NoError(t, decodeStrict([]byte(got), out))
			in, err := os.ReadFile(f)
			require.NoError(t, err)
			code, again, _ := runCLI(t, string(in), cmd)
			require.Equal(t, 0, code)
			assert.Equal(t, got, again, "stdin gives the same output")
		})
	}
}

func TestRouteSamples(t *testing.T) {
	routeGolden(t, "route", &routeOutput{})
	// Every sample's output verifies against its input.
	files, _ := filepath.Glob("testdata/route_in_*.json")
	for _, f := range files {
		req, err := os.ReadFile(f)
		require.NoError(t, err)
		res, err := os.ReadFile(strings.Replace(f, "_in_", "_out_", 1))
		require.NoError(t, err)
		problems, err := verifyRoute(req, res)
		require.NoError(t, err)
		assert.Empty(t, problems, f)
	}
}

// TestRouteContract runs the input of the format and checks the
// output by hand: the depot at the front of aisle 0, one pick at slot 12 of
// aisle 3 (y = 12.5 m, x = 9 m): 9 + 12.5 there and the same back.
func TestRouteContract(t *testing.T) {
	in := `{"layout":{"aisles":10,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3,"cross_aisles":2,"depot":{"aisle":0,"end":"front"}},"picks":[{"aisle":3,"slot":12,"side":"L"}],"algorithm":"optimal"}`
	code, out, stderr := runCLI(t, in, "route")
	require.Equal(t, 0, code, stderr)
	assert.JSONEq(t, `{"route":[{"aisle":3,"slot":12,"side":"L"}],"distance_m":43}`, out)

	// The same pick with the depot at the back: 9 + 17.5, twice.
	back := strings.Replace(in, `"front"`, `"back"`, 1)
	code, out, stderr = runCLI(t, back, "route")
	require.Equal(t, 0, code, stderr)
	var res routeOutput
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, 53.0, res.DistanceM)
}

// TestRouteAlgorithms runs every algorithm on one sample: all verify, none
// beats the optimum, and the exact one is the default.
func TestRouteAlgorithms(t *testing.T) {
	data, err := os.ReadFile("testdata/route_in_example.json")
	require.NoError(t, err)
	var in map[string]any
	require.NoError(t, json.Unmarshal(data, &in))
	dist := map[string]float64{}
	for _, alg := range []string{"", "optimal", "sshape", "return", "midpoint", "largest-gap", "combined", "heuristic"} {
		in["algorithm"] = alg
		req, _ := json.Marshal(in)
		code, out, stderr := runCLI(t, string(req), "route")
		require.Equal(t, 0, code, "%s: %s", alg, stderr)
		problems, err := verifyRoute(req, []byte(out))
		require.NoError(t, err)
		require.Empty(t, problems, alg)
		var res routeOutput
		require.NoError(t, json.Unmarshal([]byte(out), &res))
		dist[alg] = res.DistanceM
	}
	for alg, d := range dist {
		assert.GreaterOrEqual(t, d, dist["optimal"], alg)
	}
	assert.Equal(t, dist["optimal"], dist[""])
	assert.Greater(t, dist["sshape"], dist["optimal"])
}

func TestRouteBadInput(t *testing.T) {
	layout := `"layout":{"aisles":10,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3}`
	tests := []struct {
		name, in, want string
	}{
		{"not json", `{`, "unexpected EOF"},
		{"bad json", `{"layout":}`, "malformed JSON"},
		{"unknown field", `{` + layout + `,"picks":[],"colour":1}`, "colour"},
		{"no layout", `{"picks":[]}`, `"layout": required`},
		{"no aisles", `{"layout":{"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3},"picks":[]}`, `"layout.aisles"`},
		{"negative spacing", `{"layout":{"aisles":3,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":-3},"picks":[]}`, `"layout.aisle_spacing_m"`},
		{"bad end", `{"layout":{"aisles":3,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3,"depot":{"aisle":0,"end":"middle"}},"picks":[]}`, `"layout.depot.end"`},
		{"end out of range", `{"layout":{"aisles":3,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3,"cross_aisles":3,"depot":{"aisle":0,"end":3}},"picks":[]}`, `"layout.depot.end"`},
		{"depot aisle", `{"layout":{"aisles":3,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3,"depot":{"aisle":3,"end":"front"}},"picks":[]}`, `"layout.depot.aisle"`},
		{"bad side", `{` + layout + `,"picks":[{"aisle":1,"slot":1,"side":"M"}]}`, `"picks[0]"`},
		{"slot outside", `{` + layout + `,"picks":[{"aisle":1,"slot":1,"side":"L"},{"aisle":1,"slot":30,"side":"L"}]}`, `"picks[1]"`},
		{"aisle outside", `{` + layout + `,"picks":[{"aisle":10,"slot":1,"side":"L"}]}`, `"picks[0]"`},
		{"bad algorithm", `{` + layout + `,"picks":[],"algorithm":"fastest"}`, `"algorithm"`},
		{"optimal beyond reach", `{"layout":{"aisles":3,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3,"cross_aisles":7},"picks":[],"algorithm":"optimal"}`, `"algorithm"`},
		{"string aisles", `{"layout":{"aisles":"3"}}`, `"layout.aisles"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, tt.in, "route")
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			assert.Contains(t, stderr, tt.want)
		})
	}
}

func TestRouteHelpAndSVG(t *testing.T) {
	code, _, stderr := runCLI(t, "", "route", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "distance_m")
	code, _, stderr = runCLI(t, "", "batch", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "total_distance_m")

	file := filepath.Join(t.TempDir(), "route.svg")
	code, _, stderr = runCLI(t, "", "route", "-svg", file, "testdata/route_in_blocks.json")
	require.Equal(t, 0, code, stderr)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Circles []struct {
			Class string `xml:"class,attr"`
		} `xml:"circle"`
	}
	require.NoError(t, xml.Unmarshal(data, &doc))
	assert.Len(t, doc.Circles, 8)
}

func TestVerifyRouteSamples(t *testing.T) {
	tests := []struct {
		file     string
		code     int
		problems []string
	}{
		{"verify_route_ok.json", 0, nil},
		{"verify_route_bad.json", 1, []string{"route[6]: aisle 9 slot 9 side L is not one of the requested picks", "picks[3]: aisle 5 slot 2 side L is skipped by the route"}},
		{"verify_route_distance.json", 1, []string{"distance_m 118.5 does not add up: the route walks 119 m"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			code, out, _ := runCLI(t, "", "verify", "testdata/"+tt.file)
			assert.Equal(t, tt.code, code)
			var res verifyOutput
			require.NoError(t, json.Unmarshal([]byte(out), &res))
			assert.Equal(t, "route", res.Kind)
			assert.Equal(t, tt.code == 0, res.Valid)
			if tt.problems == nil {
				assert.Empty(t, res.Problems)
			} else {
				assert.Equal(t, tt.problems, res.Problems)
			}
		})
	}
}

func TestVerifyRouteDuplicates(t *testing.T) {
	req := []byte(`{"layout":{"aisles":4,"slots_per_aisle":10,"aisle_length_m":10,"aisle_spacing_m":2},"picks":[{"aisle":1,"slot":1,"side":"L"},{"aisle":1,"slot":1,"side":"L"}]}`)
	code, out, stderr := runCLI(t, string(req), "route")
	require.Equal(t, 0, code, stderr)
	problems, err := verifyRoute(req, []byte(out))
	require.NoError(t, err)
	assert.Empty(t, problems)
	var res routeOutput
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Len(t, res.Route, 2)
	res.Route = append(res.Route, res.Route[0])
	tripled, _ := json.Marshal(res)
	problems, err = verifyRoute(req, tripled)
	require.NoError(t, err)
	assert.Equal(t, []string{"route[2]: pick aisle 1 slot 1 side L visited more often than requested"}, problems)
	_, err = verifyRoute(req, []byte(`{"route":[],"distance_m":0,"extra":1}`))
	assert.Error(t, err)
}

// FuzzRouteInput feeds arbitrary documents to route: it never panics,
// fails only with status 1, and whatever it prints verifies.
func FuzzRouteInput(f *testing.F) {
	files, _ := filepath.Glob("testdata/route_in_*.json")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(data)
	}
	f.Add([]byte(`{"layout":{"aisles":2,"slots_per_aisle":1,"aisle_length_m":0.001,"aisle_spacing_m":10000,"cross_aisles":5,"depot":{"aisle":1,"end":"4"}},"picks":[{"aisle":1,"slot":0,"side":"R"}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var probe routeInput
		if json.Unmarshal(in, &probe) == nil && (len(probe.Picks) > 40 || probe.Layout != nil && (probe.Layout.Aisles > 200 || probe.Layout.CrossAisles > 4)) {
			return // keep each run fast
		}
		code, out, _ := runCLI(t, string(in), "route")
		require.Contains(t, []int{0, 1}, code)
		if code == 0 {
			problems, err := verifyRoute(in, []byte(out))
			require.NoError(t, err)
			require.Empty(t, problems)
		}
	})
}
