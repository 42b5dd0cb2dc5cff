package pick

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Zone is a pick zone: the aisles from FirstAisle to LastAisle, inclusive,
// worked by one picker in pick-and-pass.
type Zone struct {
	Name       string `json:"name"`
	FirstAisle int    `json:"first_aisle"`
	LastAisle  int    `json:"last_aisle"`
}

// zoneOf returns the name of the first zone holding aisle a, or "" for
// none.
func zoneOf(zones []Zone, a int) string {
	for _, z := range zones {
		if a >= z.FirstAisle && a <= z.LastAisle {
			return z.Name
		}
	}
	return ""
}

// validateZones checks that zones have distinct non-empty names and
// ordered aisle ranges.
func validateZones(zones []Zone) error {
	names := map[string]bool{}
	for i, z := range zones {
		switch {
		case z.Name == "":
			return &LayoutError{Field: fmt.Sprintf("zones[%d].name", i), Value: `""`, Reason: "required"}
		case names[z.Name]:
			return &LayoutError{Field: fmt.Sprintf("zones[%d].name", i), Value: z.Name, Reason: "duplicate"}
		case z.FirstAisle < 0 || z.LastAisle < z.FirstAisle:
			return &LayoutError{Field: fmt.Sprintf("zones[%d]", i), Value: fmt.Sprintf("%d-%d", z.FirstAisle, z.LastAisle), Reason: "want 0 <= first_aisle <= last_aisle"}
		}
		names[z.Name] = true
	}
	return nil
}

// zonesOf returns the sorted names of the zones an order's lines lie in;
// a line outside every zone returns an error.
func zonesOf(o Order, zones []Zone) ([]string, error) {
	var out []string
	for j, ln := range o.Lines {
		z := zoneOf(zones, ln.Bin.Aisle)
		if z == "" {
			return nil, &OrderError{Order: o.ID, Reason: fmt.Sprintf("line %d: bin %s is in no zone", j, ln.Bin)}
		}
		if !slices.Contains(out, z) {
			out = append(out, z)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Wave is a group of orders released to the floor together.
type Wave struct {
	// CutOff is the carrier cut-off the wave's orders share; zero for none.
	CutOff time.Time `json:"cut_off,omitzero"`
	// Priority is the orders' priority.
	Priority int `json:"priority"`
	// Zones names the zones the wave's orders pick from, joined by "+"; empty
	// when no zones were given.
	Zones string `json:"zones,omitempty"`
	// Orders holds indexes of the orders given, ascending.
	Orders []int `json:"orders"`
}

// Waves groups orders into waves of equal carrier cut-off, priority and set
// of zones, and sorts the waves so that what is due first is picked first:
// earliest cut-off first (orders without one last), then higher priority,
// then zones by name. With no zones, zones do not split waves. A line in no
// zone returns an *[OrderError]; invalid zones a *[LayoutError].
func Waves(orders []Order, zones []Zone) ([]Wave, error) {
	if err := validateZones(zones); err != nil {
		return nil, err
	}
	type key struct {
		cut   time.Time
		prio  int
		zones string
	}
	index := map[key]int{}
	var waves []Wave
	for i, o := range orders {
		k := key{cut: o.CutOff.UTC(), prio: o.Priority}
		if len(zones) > 0 {
			zs, err := zonesOf(o, zones)
			if err != nil {
				return nil, err
			}
			k.zones = strings.Join(zs, "+")
		}
		w, ok := index[k]
		if !ok {
			w = len(waves)
			index[k] = w
			waves = append(waves, Wave{CutOff: k.cut, Priority: k.prio, Zones: k.zones})
		}
		waves[w].Orders = append(waves[w].Orders, i)
	}
	slices.SortStableFunc(waves, func(a, b Wave) int {
		switch {
		case a.CutOff.IsZero() != b.CutOff.IsZero():
			if a.CutOff.IsZero() {
				return 1
			}
			return -1
		case !a.CutOff.Equal(b.CutOff):
			return a.CutOff.Compare(b.CutOff)
		case a.Priority != b.Priority:
			return cmp.Compare(b.Priority, a.Priority)
		}
		return cmp.Compare(a.Zones, b.Zones)
	})
	return waves, nil
}

// Leg is the part of a tour one zone's picker walks in pick-and-pass.
type Leg struct {
	Zone string `json:"zone"`
	// Stops holds indexes of the tour's bins, in walking order.
	Stops []int `json:"stops"`
}

// SplitZones cuts a route through bins into pick-and-pass legs, one per
// zone the route visits, in the order the route first enters each zone;
// each leg keeps the route's walking order. A bin in no zone returns a
// *[BinError].
func SplitZones(bins []Bin, r Route, zones []Zone) ([]Leg, error) {
	if err := validateZones(zones); err != nil {
		return nil, err
	}
	var legs []Leg
	at := map[string]int{}
	for _, i := range r.Stops {
		if i < 0 || i >= len(bins) {
			return nil, &RouteError{Problems: []string{fmt.Sprintf("stop %d is not one of the %d bins", i, len(bins))}}
		}
		z := zoneOf(zones, bins[i].Aisle)
		if z == "" {
			return nil, &BinError{Bin: bins[i].String(), Reason: "in no zone"}
		}
		n, ok := at[z]
		if !ok {
			n = len(legs)
			at[z] = n
			legs = append(legs, Leg{Zone: z})
		}
		legs[n].Stops = append(legs[n].Stops, i)
	}
	return legs, nil
}

// Consolidation names an order whose lines are picked in several zones and
// must be brought together before packing.
type Consolidation struct {
	Order int      `json:"order"` // index of the order given
	Zones []string `json:"zones"` // the zones it is picked in, sorted
}

// Consolidations lists the orders picked in more than one zone, in the
// order given. A line in no zone returns an *[OrderError].
func Consolidations(orders []Order, zones []Zone) ([]Consolidation, error) {
	if err := validateZones(zones); err != nil {
		return nil, err
	}
	var out []Consolidation
	for i, o := range orders {
		zs, err := zonesOf(o, zones)
		if err != nil {
			return nil, err
		}
		if len(zs) > 1 {
			out = append(out, Consolidation{Order: i, Zones: zs})
		}
	}
	return out, nil
}

// List returns a pick list: lines sorted in the walking order of the route
// router finds through their bins (nil means [Auto]), and that route, whose
// stops index the returned lines in order. Lines in the same bin stay
// together.
func List(ctx context.Context, l Layout, router Router, lines []Line) ([]Line, Route, error) {
	router = orAuto(router)
	bins := make([]Bin, len(lines))
	for i, ln := range lines {
		bins[i] = ln.Bin
	}
	r, err := router.Route(ctx, l, bins)
	if err != nil {
		return nil, Route{}, err
	}
	out := make([]Line, 0, len(lines))
	for _, i := range r.Stops {
		out = append(out, lines[i])
	}
	sorted := Route{Stops: make([]int, len(out)), Length: r.Length}
	for i := range sorted.Stops {
		sorted.Stops[i] = i
	}
	return out, sorted, nil
}

// WaveBatching is the batching of one wave.
type WaveBatching struct {
	Wave Wave `json:"wave"`
	// Batching batches the wave's orders; its batches' Orders index the
	// orders given to [BatchWaves], not the wave.
	Batching Batching `json:"batching"`
}

// BatchWaves groups orders into [Waves] and batches each wave separately
// with b, so that orders due before an earlier cut-off are on earlier carts
// and never wait for later ones. A nil b (or a nil pointer or function)
// means [LocalSearch]. Errors are those of [Waves] and of b.
func BatchWaves(ctx context.Context, l Layout, b Batcher, orders []Order, zones []Zone, c Capacity) ([]WaveBatching, error) {
	if isNil(b) {
		b = LocalSearch{}
	}
	waves, err := Waves(orders, zones)
	if err != nil {
		return nil, err
	}
	out := make([]WaveBatching, 0, len(waves))
	for _, w := range waves {
		sub := make([]Order, len(w.Orders))
		for i, o := range w.Orders {
			sub[i] = orders[o]
		}
		bt, err := b.Batch(ctx, l, sub, c)
		if err != nil {
			return nil, err
		}
		for n := range bt.Batches {
			for i, o := range bt.Batches[n].Orders {
				bt.Batches[n].Orders[i] = w.Orders[o]
			}
		}
		out = append(out, WaveBatching{Wave: w, Batching: bt})
	}
	return out, nil
}
