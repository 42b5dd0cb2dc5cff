package picktest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/pick"
)

// Instances is the number of random instances each suite runs.
const Instances = 200

// layout returns a random small rectangular layout with k cross aisles.
func layout(t testing.TB, rng *rand.Rand, k int) *pick.Rect {
	t.Helper()
	cfg := pick.RectConfig{
		Aisles:        1 + rng.IntN(8),
		SlotsPerAisle: 1 + rng.IntN(25),
		AisleLength:   fulfill.Length(4+rng.IntN(40)) * fulfill.Meter / 2,
		AisleSpacing:  fulfill.Length(2+rng.IntN(6)) * fulfill.Meter / 2,
		CrossAisles:   k,
	}
	cfg.Depot = pick.Depot{Aisle: rng.IntN(cfg.Aisles), CrossAisle: rng.IntN(k)}
	r, err := pick.NewRect(cfg)
	if err != nil {
		t.Fatalf("picktest: %v", err)
	}
	return r
}

// bins returns n random bins of r.
func bins(rng *rand.Rand, r *pick.Rect, n int) []pick.Bin {
	cfg := r.Config()
	out := make([]pick.Bin, n)
	for i := range out {
		side := pick.SideLeft
		if rng.IntN(2) == 1 {
			side = pick.SideRight
		}
		out[i] = pick.Bin{Aisle: rng.IntN(cfg.Aisles), Slot: rng.IntN(cfg.SlotsPerAisle), Level: rng.IntN(2), Side: side}
	}
	return out
}

// Router checks r on [Instances] random rectangular layouts with 2 to 4
// cross aisles and up to 12 bins: every route visits each bin exactly once
// and states its true length ([pick.Verify]), is never shorter than the
// exact optimum, and is the same when asked twice; and a bin outside the
// layout is refused with an error wrapping [pick.ErrInvalidBin].
func Router(t *testing.T, r pick.Router) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2026, 5))
	for i := range Instances {
		l := layout(t, rng, 2+i%3)
		bs := bins(rng, l, rng.IntN(13))
		got, err := r.Route(ctx, l, bs)
		if err != nil {
			t.Fatalf("instance %d: Route: %v", i, err)
		}
		if err := pick.Verify(l, bs, got); err != nil {
			t.Fatalf("instance %d (%+v, bins %v): %v", i, l.Config(), bs, err)
		}
		best, err := pick.Exact{}.Route(ctx, l, bs)
		if err != nil {
			t.Fatalf("instance %d: Exact: %v", i, err)
		}
		if got.Length < best.Length {
			t.Fatalf("instance %d: length %v is below the optimum %v", i, got.Length, best.Length)
		}
		again, err := r.Route(ctx, l, bs)
		if err != nil || fmt.Sprint(again) != fmt.Sprint(got) {
			t.Fatalf("instance %d: a second call gave %v, %v; the first %v", i, again, err, got)
		}
	}
	l := layout(t, rng, 2)
	outside := pick.Bin{Aisle: l.Config().Aisles, Side: pick.SideLeft}
	if _, err := r.Route(ctx, l, []pick.Bin{outside}); !errors.Is(err, pick.ErrInvalidBin) {
		t.Fatalf("a bin outside the layout: got error %v, want one wrapping pick.ErrInvalidBin", err)
	}
}

// Batcher checks b on random instances: every order in exactly one batch,
// every batch within capacity with its bins in order and a route that
// [pick.Verify] accepts, the total length the sum of the batches'; and an
// order too big for an empty cart is refused with an error wrapping
// [pick.ErrInvalidOrder].
func Batcher(t *testing.T, b pick.Batcher) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2026, 6))
	for i := range Instances / 10 {
		l := layout(t, rng, 2+i%2)
		var orders []pick.Order
		for n := range 1 + rng.IntN(25) {
			o := pick.Order{ID: fmt.Sprintf("o%d", n), Totes: rng.IntN(2)}
			for _, bin := range bins(rng, l, 1+rng.IntN(4)) {
				o.Lines = append(o.Lines, pick.Line{Bin: bin, Quantity: 1 + rng.Int64N(3)})
			}
			orders = append(orders, o)
		}
		c := pick.Capacity{Lines: 4 + rng.IntN(8), Units: int64(12 + rng.IntN(10)), Totes: 3 + rng.IntN(3)}
		got, err := b.Batch(ctx, l, orders, c)
		if err != nil {
			t.Fatalf("instance %d: Batch: %v", i, err)
		}
		seen := make([]int, len(orders))
		var total fulfill.Length
		for n, bt := range got.Batches {
			lines, units, totes := 0, int64(0), 0
			var want []pick.Bin
			for _, o := range bt.Orders {
				if o < 0 || o >= len(orders) {
					t.Fatalf("instance %d batch %d: order index %d out of range", i, n, o)
				}
				seen[o]++
				totes += max(orders[o].Totes, 1)
				for _, ln := range orders[o].Lines {
					lines++
					units += ln.Quantity
					want = append(want, ln.Bin)
				}
			}
			if lines > c.Lines || units > c.Units || totes > c.Totes {
				t.Fatalf("instance %d batch %d: %d lines, %d units, %d totes exceed %+v", i, n, lines, units, totes, c)
			}
			if fmt.Sprint(want) != fmt.Sprint(bt.Bins) {
				t.Fatalf("instance %d batch %d: bins %v, want %v", i, n, bt.Bins, want)
			}
			if err := pick.Verify(l, bt.Bins, bt.Route); err != nil {
				t.Fatalf("instance %d batch %d: %v", i, n, err)
			}
			total += bt.Route.Length
		}
		for o, k := range seen {
			if k != 1 {
				t.Fatalf("instance %d: order %d is in %d batches", i, o, k)
			}
		}
		if total != got.Length {
			t.Fatalf("instance %d: Length %v, the batches add up to %v", i, got.Length, total)
		}
	}
	l := layout(t, rng, 2)
	line := pick.Line{Bin: pick.Bin{Side: pick.SideLeft}, Quantity: 1}
	big := []pick.Order{{ID: "big", Lines: []pick.Line{line, line, line}}}
	if _, err := b.Batch(ctx, l, big, pick.Capacity{Lines: 2}); !errors.Is(err, pick.ErrInvalidOrder) {
		t.Fatalf("an order too big for a cart: got error %v, want one wrapping pick.ErrInvalidOrder", err)
	}
}
