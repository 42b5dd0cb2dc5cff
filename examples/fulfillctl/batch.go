package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/pick"
)

const batchDoc = `
batch groups orders into pick-cart tours and routes each tour. Input:

  {"layout":{"aisles":10,"slots_per_aisle":30,"aisle_length_m":30,"aisle_spacing_m":3,
             "cross_aisles":2,"depot":{"aisle":0,"end":"front"}},
   "orders":[{"id":"o1","lines":[{"aisle":1,"slot":4,"side":"R","quantity":2}]}],
   "capacity":{"lines":10}}

The layout is as for route. A cart's "capacity" may limit "lines", "units",
"volume_l", "weight_kg" and "totes"; an absent or zero limit is no limit.
Optional line fields: "level", "volume_l" and "weight_kg" (of the whole
line); optional order field: "totes" (default 1). Optional request fields:
"algorithm" (fcfs, seed, savings, or local, the default: local search from
the savings batching), "seed" (of the local search) and "time_limit_ms" (0:
no limit but the local search's rounds). Each tour is routed exactly where
the layout allows (at most 5 cross aisles). Output:

  {"batches":[{"orders":["o1"],"route":[{"aisle":1,"slot":4,"side":"R"}],"distance_m":15}],
   "total_distance_m":15}

A route lists the picks of its orders' lines in walking order, the depot
implicit at both ends; distance_m is its walk.`

// batchLineJSON is one order line.
type batchLineJSON struct {
	Aisle    int     `json:"aisle"`
	Slot     int     `json:"slot"`
	Level    *int    `json:"level,omitempty"`
	Side     string  `json:"side"`
	Quantity int64   `json:"quantity"`
	VolumeL  float64 `json:"volume_l"`
	WeightKG float64 `json:"weight_kg"`
}

// batchOrderJSON is one order.
type batchOrderJSON struct {
	ID    string          `json:"id"`
	Lines []batchLineJSON `json:"lines"`
	Totes int             `json:"totes"`
}

// batchCapacityJSON is a cart's capacity.
type batchCapacityJSON struct {
	Lines    int     `json:"lines"`
	Units    int64   `json:"units"`
	VolumeL  float64 `json:"volume_l"`
	WeightKG float64 `json:"weight_kg"`
	Totes    int     `json:"totes"`
}

// batchInput is the document batch reads.
type batchInput struct {
	Layout      *routeLayoutJSON  `json:"layout"`
	Orders      []batchOrderJSON  `json:"orders"`
	Capacity    batchCapacityJSON `json:"capacity"`
	Algorithm   string            `json:"algorithm"`
	Seed        uint64            `json:"seed"`
	TimeLimitMS int64             `json:"time_limit_ms"`
}

// batchJSON is one batch of the output.
type batchJSON struct {
	Orders    []string        `json:"orders"`
	Route     []routePickJSON `json:"route"`
	DistanceM float64         `json:"distance_m"`
}

// batchOutput is the document batch writes.
type batchOutput struct {
	Batches        []batchJSON `json:"batches"`
	TotalDistanceM float64     `json:"total_distance_m"`
}

// batchAmount converts a non-negative decimal amount of unit to integer
// base units, naming the field on error.
func batchAmount(field string, v, unit, limit float64) (int64, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > limit {
		return 0, fmt.Errorf("field %q: want 0 to %v, got %v", field, limit, v)
	}
	return int64(math.Round(v * unit)), nil
}

// batchOrders converts and checks the orders.
func batchOrders(layout *pick.Rect, in []batchOrderJSON) ([]pick.Order, [][]routePickJSON, error) {
	orders := make([]pick.Order, len(in))
	picks := make([][]routePickJSON, len(in))
	for i, o := range in {
		f := fmt.Sprintf("orders[%d]", i)
		if o.ID == "" {
			return nil, nil, fmt.Errorf("field %q: required", f+".id")
		}
		if len(o.Lines) == 0 {
			return nil, nil, fmt.Errorf("field %q: want at least one line", f+".lines")
		}
		if o.Totes < 0 {
			return nil, nil, fmt.Errorf("field %q: must not be negative, got %d", f+".totes", o.Totes)
		}
		orders[i] = pick.Order{ID: o.ID, Totes: o.Totes}
		for j, ln := range o.Lines {
			lf := fmt.Sprintf("%s.lines[%d]", f, j)
			p := routePickJSON{Aisle: ln.Aisle, Slot: ln.Slot, Level: ln.Level, Side: ln.Side}
			bin, err := routeLocate(layout, lf, p)
			if err != nil {
				return nil, nil, err
			}
			if ln.Quantity < 1 {
				return nil, nil, fmt.Errorf("field %q: want at least 1, got %d", lf+".quantity", ln.Quantity)
			}
			vol, err := batchAmount(lf+".volume_l", ln.VolumeL, float64(fulfill.Liter), 1000)
			if err != nil {
				return nil, nil, err
			}
			wt, err := batchAmount(lf+".weight_kg", ln.WeightKG, float64(fulfill.Kilogram), 10_000)
			if err != nil {
				return nil, nil, err
			}
			orders[i].Lines = append(orders[i].Lines, pick.Line{Bin: bin, Quantity: ln.Quantity,
				Volume: fulfill.Volume(vol), Weight: fulfill.Mass(wt)})
			picks[i] = append(picks[i], p)
		}
	}
	return orders, picks, nil
}

// batchCapacity converts the cart's capacity.
func batchCapacity(in batchCapacityJSON) (pick.Capacity, error) {
	if in.Lines < 0 || in.Units < 0 || in.Totes < 0 {
		return pick.Capacity{}, errors.New(`field "capacity": lines, units and totes must not be negative`)
	}
	vol, err := batchAmount("capacity.volume_l", in.VolumeL, float64(fulfill.Liter), 9000)
	if err != nil {
		return pick.Capacity{}, err
	}
	wt, err := batchAmount("capacity.weight_kg", in.WeightKG, float64(fulfill.Kilogram), 1_000_000)
	if err != nil {
		return pick.Capacity{}, err
	}
	return pick.Capacity{Lines: in.Lines, Units: in.Units, Volume: fulfill.Volume(vol), Weight: fulfill.Mass(wt), Totes: in.Totes}, nil
}

func runBatch(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("batch", batchDoc, stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := readInput(fs, stdin)
	if err != nil {
		return err
	}
	var in batchInput
	if err := decodeStrict(data, &in); err != nil {
		return err
	}
	layout, err := routeLayout(in.Layout)
	if err != nil {
		return err
	}
	orders, picks, err := batchOrders(layout, in.Orders)
	if err != nil {
		return err
	}
	c, err := batchCapacity(in.Capacity)
	if err != nil {
		return err
	}
	var b pick.Batcher
	switch in.Algorithm {
	case "", "local":
		b = pick.LocalSearch{Seed: in.Seed}
	case "fcfs":
		b = pick.FCFS{}
	case "seed":
		b = pick.SeedBatcher{}
	case "savings":
		b = pick.Savings{}
	default:
		return fmt.Errorf(`field "algorithm": want fcfs, seed, savings or local, got %q`, in.Algorithm)
	}
	if in.TimeLimitMS < 0 {
		return fmt.Errorf(`field "time_limit_ms": must not be negative, got %d`, in.TimeLimitMS)
	}
	ctx := context.Background()
	if in.TimeLimitMS > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(in.TimeLimitMS)*time.Millisecond)
		defer cancel()
	}
	res, err := b.Batch(ctx, layout, orders, c)
	if err != nil {
		var oe *pick.OrderError
		if errors.As(err, &oe) {
			return fmt.Errorf("order %q: %s", oe.Order, oe.Reason)
		}
		return err
	}
	out := batchOutput{Batches: []batchJSON{}}
	for _, bt := range res.Batches {
		if err := pick.Verify(layout, bt.Bins, bt.Route); err != nil {
			return fmt.Errorf("internal error, a route does not verify: %w", err)
		}
		var all []routePickJSON
		j := batchJSON{}
		for _, o := range bt.Orders {
			j.Orders = append(j.Orders, orders[o].ID)
			all = append(all, picks[o]...)
		}
		j.Route = routeStops(all, bt.Route)
		j.DistanceM = bt.Route.Length.Meters()
		out.Batches = append(out.Batches, j)
	}
	out.TotalDistanceM = res.Length.Meters()
	return writeJSON(stdout, out)
}
