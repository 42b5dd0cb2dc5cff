package pick

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/require"
)

// fuzzBytes hands out small numbers from fuzz input, zero when it runs out.
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) next(n int) int {
	if len(f.b) == 0 || n <= 0 {
		return 0
	}
	v := int(f.b[0]) % n
	f.b = f.b[1:]
	return v
}

// fuzzInstance builds a small layout and pick list from fuzz input.
func fuzzInstance(data []byte) (*Rect, []Bin, error) {
	f := &fuzzBytes{data}
	k := 2 + f.next(3)
	cfg := RectConfig{
		Aisles:          1 + f.next(8),
		SlotsPerAisle:   1 + f.next(20),
		AisleLength:     fulfill.Length(1+f.next(60)) * fulfill.Meter / 2,
		AisleSpacing:    fulfill.Length(1+f.next(10)) * fulfill.Meter / 3,
		CrossAisles:     k,
		CrossAisleWidth: fulfill.Length(f.next(4)) * 333 * fulfill.Millimeter,
	}
	cfg.Depot = Depot{Aisle: f.next(cfg.Aisles), CrossAisle: f.next(k)}
	r, err := NewRect(cfg)
	if err != nil {
		return nil, nil, err
	}
	var bins []Bin
	for range f.next(11) {
		bins = append(bins, Bin{Aisle: f.next(cfg.Aisles + 1), Slot: f.next(cfg.SlotsPerAisle + 1), Level: f.next(3), Side: []Side{SideLeft, SideRight, "?"}[f.next(3)]})
	}
	return r, bins, nil
}

// FuzzRoute checks on fuzzed instances that the sweep equals Held-Karp,
// that Optimal's route is the one the sweep and rebuild kept as the
// reference give, that every router's route verifies, and that bad bins
// are refused with ErrInvalidBin rather than a panic.
func FuzzRoute(f *testing.F) {
	f.Add([]byte{0, 3, 10, 20, 2, 1, 0, 1, 5, 1, 3, 0, 0, 2, 8, 1, 1})
	f.Add([]byte{2, 7, 19, 59, 9, 3, 4, 2, 10, 7, 19, 2, 1, 0, 0, 0, 0, 3, 3, 1, 0})
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, bins, err := fuzzInstance(data)
		require.NoError(t, err)
		ctx := context.Background()
		opt, err := Optimal{}.Route(ctx, r, bins)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidBin)
			return
		}
		ex, err := Exact{}.Route(ctx, r, bins)
		require.NoError(t, err)
		require.Equal(t, ex.Length, opt.Length)
		ref, err := legacyOptimalRoute(ctx, r, bins)
		require.NoError(t, err)
		require.Equal(t, ref, opt)
		for _, rt := range allRouters {
			got, err := rt.r.Route(ctx, r, bins)
			require.NoError(t, err)
			require.NoError(t, Verify(r, bins, got), rt.name)
			require.GreaterOrEqual(t, got.Length, opt.Length, rt.name)
		}
	})
}

// FuzzNewRect checks that any configuration is refused with a typed error
// or gives a layout whose distances are a metric.
func FuzzNewRect(f *testing.F) {
	f.Add(10, 30, int64(30_000_000), int64(3_000_000), 2, int64(0), 0, 0)
	f.Add(3, 7, int64(10_000_001), int64(1), 5, int64(999), 2, 4)
	f.Add(0, -1, int64(-5), int64(1<<62), 99, int64(-1), -3, 7)
	f.Fuzz(func(t *testing.T, aisles, slots int, length, spacing int64, k int, width int64, da, dc int) {
		cfg := RectConfig{Aisles: aisles, SlotsPerAisle: slots, AisleLength: fulfill.Length(length),
			AisleSpacing: fulfill.Length(spacing), CrossAisles: k, CrossAisleWidth: fulfill.Length(width),
			Depot: Depot{Aisle: da, CrossAisle: dc}}
		r, err := NewRect(cfg)
		if err != nil {
			var le *LayoutError
			require.True(t, errors.As(err, &le))
			require.ErrorIs(t, err, ErrInvalidLayout)
			return
		}
		// Cross aisles and slots are in order from the front.
		for c := 1; c < r.CrossAisles(); c++ {
			require.Less(t, r.CrossAisleY(c-1), r.CrossAisleY(c))
		}
		for j := 1; j < r.Config().SlotsPerAisle && j < 50; j++ {
			require.LessOrEqual(t, r.SlotY(j-1), r.SlotY(j))
		}
		var ss []Spot
		for _, b := range []Bin{{Side: SideLeft}, {Aisle: aisles - 1, Slot: slots - 1, Side: SideRight}, {Aisle: aisles / 2, Slot: slots / 3, Side: SideLeft}} {
			s, err := r.Spot(b)
			require.NoError(t, err, fmt.Sprint(b))
			ss = append(ss, s)
		}
		ss = append(ss, r.Depot())
		for _, a := range ss {
			require.Equal(t, fulfill.Length(0), r.Distance(a, a))
			for _, b := range ss {
				require.Equal(t, r.Distance(a, b), r.Distance(b, a))
				require.GreaterOrEqual(t, r.Distance(a, b), fulfill.Length(0))
				for _, c := range ss {
					require.LessOrEqual(t, r.Distance(a, c), r.Distance(a, b)+r.Distance(b, c))
				}
			}
		}
	})
}

// FuzzBatch checks every batcher on fuzzed orders: a valid batching or a
// typed error, never a panic; and that LocalSearch returns what the
// baseline copy of it returns.
func FuzzBatch(f *testing.F) {
	f.Add([]byte{0, 3, 10, 20, 2, 1, 0, 1, 5, 1, 3, 0, 0, 2, 8, 1, 1}, 4, int64(6), 2)
	f.Add([]byte{2, 7, 19, 59, 9, 3, 4, 2, 10, 7, 19, 2, 1, 0, 0, 0, 0, 3, 3, 1, 0, 9, 9, 9, 9, 9, 9}, 1, int64(0), 0)
	f.Fuzz(func(t *testing.T, data []byte, lines int, units int64, totes int) {
		r, bins, err := fuzzInstance(data)
		require.NoError(t, err)
		var orders []Order
		for i := 0; i < len(bins); i += 2 {
			o := Order{ID: fmt.Sprint("o", i), Totes: i % 3}
			for _, b := range bins[i:min(i+2, len(bins))] {
				o.Lines = append(o.Lines, Line{Bin: b, Quantity: int64(1 + b.Level)})
			}
			orders = append(orders, o)
		}
		c := Capacity{Lines: lines, Units: units, Totes: totes}
		for _, bt := range allBatchers(7) {
			got, err := bt.b.Batch(context.Background(), r, orders, c)
			if err != nil {
				require.True(t, errors.Is(err, ErrInvalidOrder) || errors.Is(err, ErrInvalidBin) || errors.Is(err, ErrInvalidCapacity), "%s: %v", bt.name, err)
				continue
			}
			checkBatching(t, r, orders, c, got)
		}
		// The search batches exactly as the baseline copy of it does.
		ls := LocalSearch{Seed: uint64(len(data)), Rounds: 3}
		want, errWant := legacyBatch(ls, context.Background(), r, orders, c)
		got, err := ls.Batch(context.Background(), r, orders, c)
		require.Equal(t, errWant, err)
		require.Equal(t, want, got)
	})
}
