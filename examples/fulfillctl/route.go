package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/pick"
)

const routeDoc = `
route plans a picker's walk through a rectangular warehouse. Input:

  {"layout":{"aisles":10,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3,
             "cross_aisles":2,"cross_aisle_width_m":0,"depot":{"aisle":0,"end":"front"}},
   "picks":[{"aisle":3,"slot":12,"side":"L"}],
   "algorithm":"optimal"}

Aisle i (0-based) lies at x = i * aisle_spacing_m; slot j (0-based) at
y = (j + 0.5) * aisle_length_m / slots_per_aisle from the front cross aisle;
cross aisle c at y = c * aisle_length_m / (cross_aisles - 1). The side ("L"
or "R") and the optional "level" do not change a distance. "cross_aisles"
defaults to 2 and "cross_aisle_width_m" to 0. The depot stands where aisle
"aisle" meets cross aisle "end": "front", "back", or for more than two cross
aisles the cross aisle's index (0 is the front). A positive cross-aisle
width widens every cross aisle, shifting the blocks behind it. Algorithms:
optimal (exact, up to 5 cross aisles), sshape, return, midpoint,
largest-gap, combined, heuristic (nearest neighbour with 2-opt and Or-opt).
Without "algorithm", the exact method wherever it applies. Output:

  {"route":[{"aisle":3,"slot":12,"side":"L"}],"distance_m":43}

The route lists the picks in walking order; the depot is implicit at both
ends. distance_m is the walk from the depot through the picks in order and
back, each leg by the shortest way.`

// routeLayoutJSON is the rectangular layout of route and batch inputs.
type routeLayoutJSON struct {
	Aisles           int             `json:"aisles"`
	SlotsPerAisle    int             `json:"slots_per_aisle"`
	AisleLengthM     float64         `json:"aisle_length_m"`
	AisleSpacingM    float64         `json:"aisle_spacing_m"`
	CrossAisles      int             `json:"cross_aisles"`
	CrossAisleWidthM float64         `json:"cross_aisle_width_m"`
	Depot            *routeDepotJSON `json:"depot"`
}

// routeDepotJSON places the depot.
type routeDepotJSON struct {
	Aisle int             `json:"aisle"`
	End   json.RawMessage `json:"end"`
}

// routePickJSON is one pick location.
type routePickJSON struct {
	Aisle int    `json:"aisle"`
	Slot  int    `json:"slot"`
	Level *int   `json:"level,omitempty"`
	Side  string `json:"side"`
}

// routeInput is the document route reads.
type routeInput struct {
	Layout    *routeLayoutJSON `json:"layout"`
	Picks     []routePickJSON  `json:"picks"`
	Algorithm string           `json:"algorithm"`
}

// routeOutput is the document route writes.
type routeOutput struct {
	Route     []routePickJSON `json:"route"`
	DistanceM float64         `json:"distance_m"`
}

// routeMeters converts a length in metres from the input, naming the field
// on error.
func routeMeters(field string, v float64, zeroOK bool) (fulfill.Length, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (v == 0 && !zeroOK) || v > 10_000 {
		want := "positive"
		if zeroOK {
			want = "zero or positive"
		}
		return 0, fmt.Errorf("field %q: want %s metres, at most 10000, got %v", field, want, v)
	}
	return fulfill.Length(math.Round(v * float64(fulfill.Meter))), nil
}

// routeLayout converts and checks the layout of a route or batch input.
func routeLayout(in *routeLayoutJSON) (*pick.Rect, error) {
	if in == nil {
		return nil, errors.New(`field "layout": required`)
	}
	length, err := routeMeters("layout.aisle_length_m", in.AisleLengthM, false)
	if err != nil {
		return nil, err
	}
	spacing, err := routeMeters("layout.aisle_spacing_m", in.AisleSpacingM, false)
	if err != nil {
		return nil, err
	}
	width, err := routeMeters("layout.cross_aisle_width_m", in.CrossAisleWidthM, true)
	if err != nil {
		return nil, err
	}
	k := in.CrossAisles
	if k == 0 {
		k = 2
	}
	cfg := pick.RectConfig{Aisles: in.Aisles, SlotsPerAisle: in.SlotsPerAisle, AisleLength: length,
		AisleSpacing: spacing, CrossAisles: k, CrossAisleWidth: width}
	if d := in.Depot; d != nil {
		cfg.Depot.Aisle = d.Aisle
		end, err := routeDepotEnd(d.End, k)
		if err != nil {
			return nil, err
		}
		cfg.Depot.CrossAisle = end
	}
	r, err := pick.NewRect(cfg)
	if err != nil {
		var le *pick.LayoutError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("field %q: %s, got %s", "layout."+routeJSONField(le.Field), le.Reason, le.Value)
		}
		return nil, err
	}
	return r, nil
}

// routeJSONField maps a RectConfig field name to the input's.
func routeJSONField(f string) string {
	switch f {
	case "aisle_length":
		return "aisle_length_m"
	case "aisle_spacing":
		return "aisle_spacing_m"
	case "cross_aisle_width":
		return "cross_aisle_width_m"
	case "depot.cross_aisle":
		return "depot.end"
	}
	return f
}

// routeDepotEnd reads "front", "back" or a cross aisle's index.
func routeDepotEnd(raw json.RawMessage, k int) (int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		switch s {
		case "front":
			return 0, nil
		case "back":
			return k - 1, nil
		}
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < k {
			return n, nil
		}
		return 0, fmt.Errorf(`field "layout.depot.end": want "front", "back" or a cross aisle index 0 to %d, got %q`, k-1, s)
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil || n != math.Trunc(n) || n < 0 || n >= float64(k) {
		return 0, fmt.Errorf(`field "layout.depot.end": want "front", "back" or a cross aisle index 0 to %d, got %s`, k-1, raw)
	}
	return int(n), nil
}

// routeBin converts a pick, naming the field on error.
func routeBin(field string, p routePickJSON) (pick.Bin, error) {
	b := pick.Bin{Aisle: p.Aisle, Slot: p.Slot, Side: pick.Side(p.Side)}
	if p.Level != nil {
		b.Level = *p.Level
	}
	if err := b.Validate(); err != nil {
		var be *pick.BinError
		if errors.As(err, &be) {
			return pick.Bin{}, fmt.Errorf("field %q: %s", field, be.Reason)
		}
		return pick.Bin{}, fmt.Errorf("field %q: %v", field, err)
	}
	return b, nil
}

// routeBins converts and locates the picks.
func routeBins(r *pick.Rect, picks []routePickJSON, field string) ([]pick.Bin, error) {
	bins := make([]pick.Bin, len(picks))
	for i, p := range picks {
		b, err := routeLocate(r, fmt.Sprintf("%s[%d]", field, i), p)
		if err != nil {
			return nil, err
		}
		bins[i] = b
	}
	return bins, nil
}

// routeLocate converts a pick and checks the layout has it.
func routeLocate(r *pick.Rect, field string, p routePickJSON) (pick.Bin, error) {
	b, err := routeBin(field, p)
	if err != nil {
		return pick.Bin{}, err
	}
	if _, err := r.Spot(b); err != nil {
		var be *pick.BinError
		if errors.As(err, &be) {
			return pick.Bin{}, fmt.Errorf("field %q: %s", field, be.Reason)
		}
		return pick.Bin{}, fmt.Errorf("field %q: %v", field, err)
	}
	return b, nil
}

// routeRouter maps an algorithm name to a router.
func routeRouter(name string) (pick.Router, error) {
	switch name {
	case "":
		return pick.Auto{}, nil
	case "optimal":
		return pick.Optimal{}, nil
	case "sshape":
		return pick.SShape{}, nil
	case "return":
		return pick.Return{}, nil
	case "midpoint":
		return pick.Midpoint{}, nil
	case "largest-gap":
		return pick.LargestGap{}, nil
	case "combined":
		return pick.Combined{}, nil
	case "heuristic":
		return pick.TwoOpt{}, nil
	}
	return nil, fmt.Errorf(`field "algorithm": want optimal, sshape, return, midpoint, largest-gap, combined or heuristic, got %q`, name)
}

// routeStops lists the picks of a route in walking order.
func routeStops(picks []routePickJSON, r pick.Route) []routePickJSON {
	out := make([]routePickJSON, 0, len(r.Stops))
	for _, i := range r.Stops {
		out = append(out, picks[i])
	}
	return out
}

func runRoute(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("route", routeDoc, stderr)
	svg := fs.String("svg", "", "also draw the layout and the route to the SVG file `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := readInput(fs, stdin)
	if err != nil {
		return err
	}
	var in routeInput
	if err := decodeStrict(data, &in); err != nil {
		return err
	}
	layout, err := routeLayout(in.Layout)
	if err != nil {
		return err
	}
	bins, err := routeBins(layout, in.Picks, "picks")
	if err != nil {
		return err
	}
	router, err := routeRouter(in.Algorithm)
	if err != nil {
		return err
	}
	r, err := router.Route(context.Background(), layout, bins)
	if err != nil {
		if errors.Is(err, pick.ErrUnsupported) {
			return fmt.Errorf(`field "algorithm": %v`, err)
		}
		return err
	}
	if err := pick.Verify(layout, bins, r); err != nil {
		return fmt.Errorf("internal error, the route does not verify: %w", err)
	}
	if *svg != "" {
		var b bytes.Buffer
		if err := pick.SVG(&b, layout, bins, r); err != nil {
			return err
		}
		if err := os.WriteFile(*svg, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return writeJSON(stdout, routeOutput{Route: routeStops(in.Picks, r), DistanceM: r.Length.Meters()})
}

// verifyRoute checks a route output against its request, recomputing the
// walk from the layout alone: every pick visited once, nothing else
// visited, and distance_m equal to the walk (to the micrometre).
func verifyRoute(request, result json.RawMessage) ([]string, error) {
	var in routeInput
	if err := decodeStrict(request, &in); err != nil {
		return nil, fmt.Errorf(`field "request": %v`, err)
	}
	var out routeOutput
	if err := decodeStrict(result, &out); err != nil {
		return nil, fmt.Errorf(`field "result": %v`, err)
	}
	layout, err := routeLayout(in.Layout)
	if err != nil {
		return nil, fmt.Errorf(`field "request": %v`, err)
	}
	bins, err := routeBins(layout, in.Picks, "request.picks")
	if err != nil {
		return nil, err
	}
	var problems []string
	// Match each stop to a pick not yet used.
	left := map[pick.Bin]int{}
	for _, b := range bins {
		left[b]++
	}
	var walk []pick.Spot
	for i, p := range out.Route {
		b, err := routeBin(fmt.Sprintf("result.route[%d]", i), p)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		switch left[b] {
		case 0:
			if _, asked := left[b]; asked {
				problems = append(problems, fmt.Sprintf("route[%d]: pick %s visited more often than requested", i, routeName(p)))
			} else {
				problems = append(problems, fmt.Sprintf("route[%d]: %s is not one of the requested picks", i, routeName(p)))
			}
			continue
		}
		left[b]--
		s, _ := layout.Spot(b)
		walk = append(walk, s)
	}
	for i, p := range in.Picks {
		if b := bins[i]; left[b] > 0 {
			left[b]--
			problems = append(problems, fmt.Sprintf("picks[%d]: %s is skipped by the route", i, routeName(p)))
		}
	}
	if len(problems) == 0 {
		var total fulfill.Length
		prev := layout.Depot()
		for _, s := range walk {
			total += layout.Distance(prev, s)
			prev = s
		}
		total += layout.Distance(prev, layout.Depot())
		if math.Abs(out.DistanceM-total.Meters()) > 1e-6 {
			problems = append(problems, fmt.Sprintf("distance_m %v does not add up: the route walks %v m", out.DistanceM, total.Meters()))
		}
	}
	return problems, nil
}

// routeName names a pick for a problem report.
func routeName(p routePickJSON) string {
	return fmt.Sprintf("aisle %d slot %d side %s", p.Aisle, p.Slot, p.Side)
}
