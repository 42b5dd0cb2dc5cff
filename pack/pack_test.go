package pack

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const mm = fulfill.Millimeter

func dims(l, w, h int64) fulfill.Dimensions {
	return fulfill.Dims(fulfill.Length(l)*mm, fulfill.Length(w)*mm, fulfill.Length(h)*mm)
}

func usd(s string) fulfill.Money { return fulfill.MustMoney(s, "USD") }

// packed runs Pack and Verify and fails the test on any error.
func packed(t *testing.T, req Request, opts *Options) Result {
	t.Helper()
	res, err := Pack(context.Background(), req, opts)
	require.NoError(t, err)
	require.NoError(t, Verify(req, res))
	return res
}

func boxOf(res Result, id string) []string {
	var out []string
	for _, p := range res.Packages {
		for _, pl := range p.Placements {
			if pl.Item == id {
				out = append(out, p.Box)
			}
		}
	}
	return out
}

func TestPackScenarios(t *testing.T) {
	small := Box{ID: "S", Inner: dims(220, 160, 60), MaxContent: 2 * fulfill.Kilogram, Cost: usd("0.32")}
	medium := Box{ID: "M", Inner: dims(300, 250, 200), MaxContent: 15 * fulfill.Kilogram, Tare: 180 * fulfill.Gram, Cost: usd("0.95")}
	large := Box{ID: "L", Inner: dims(450, 350, 300), MaxContent: 25 * fulfill.Kilogram, Tare: 320 * fulfill.Gram, Cost: usd("1.60")}
	catalogue := []Box{small, medium, large}
	tests := []struct {
		name  string
		req   Request
		opts  Options
		check func(t *testing.T, res Result)
	}{
		{"one item, cheapest box", Request{Boxes: catalogue, Items: []Item{{ID: "book", Dimensions: dims(200, 150, 30), Weight: 400 * fulfill.Gram, Quantity: 1}}},
			Options{Objective: ObjectiveCost}, func(t *testing.T, res Result) {
				require.Len(t, res.Packages, 1)
				assert.Equal(t, "S", res.Packages[0].Box)
				assert.True(t, res.Cost.Equal(usd("0.32")))
				assert.Equal(t, 400*fulfill.Gram, res.Packages[0].Gross)
			}},
		{"needs rotation", Request{Boxes: []Box{small}, Items: []Item{{ID: "a", Dimensions: dims(50, 200, 150), Quantity: 1}}},
			Options{}, func(t *testing.T, res Result) {
				require.Len(t, res.Packages, 1)
				assert.Equal(t, dims(200, 150, 50), res.Packages[0].Placements[0].Size)
			}},
		{"upright forbids laying down", Request{Boxes: []Box{small}, Items: []Item{{ID: "a", Dimensions: dims(50, 200, 150), Quantity: 1, Rotation: RotationUpright}}},
			Options{}, func(t *testing.T, res Result) {
				assert.Empty(t, res.Packages)
				require.Len(t, res.Unpacked, 1)
				assert.Equal(t, ReasonTooBig, res.Unpacked[0].Reason)
			}},
		{"upright turns about the vertical", Request{Boxes: []Box{small}, Items: []Item{{ID: "a", Dimensions: dims(150, 200, 50), Quantity: 1, Rotation: RotationUpright}}},
			Options{}, func(t *testing.T, res Result) {
				require.Len(t, res.Packages, 1)
				assert.Equal(t, fulfill.Length(50)*mm, res.Packages[0].Placements[0].Size.Height)
			}},
		{"none keeps the orientation", Request{Boxes: []Box{small}, Items: []Item{{ID: "a", Dimensions: dims(150, 200, 50), Quantity: 1, Rotation: RotationNone}}},
			Options{}, func(t *testing.T, res Result) {
				assert.Empty(t, res.Packages)
				assert.Equal(t, ReasonTooBig, res.Unpacked[0].Reason)
			}},
		{"too heavy", Request{Boxes: []Box{small}, Items: []Item{{ID: "a", Dimensions: dims(10, 10, 10), Weight: 3 * fulfill.Kilogram, Quantity: 2}}},
			Options{}, func(t *testing.T, res Result) {
				require.Len(t, res.Unpacked, 1)
				assert.Equal(t, Unpacked{Item: "a", Quantity: 2, Reason: ReasonTooHeavy, Detail: res.Unpacked[0].Detail}, res.Unpacked[0])
			}},
		{"weight splits boxes", Request{Boxes: []Box{small}, Items: []Item{{ID: "a", Dimensions: dims(10, 10, 10), Weight: 700 * fulfill.Gram, Quantity: 5}}},
			Options{}, func(t *testing.T, res Result) {
				assert.Equal(t, 3, res.Boxes())
				assert.Equal(t, 2, res.LowerBound) // 3.5 kg over 2 kg boxes
			}},
		{"own container", Request{Boxes: []Box{small}, Items: []Item{{ID: "tv", Dimensions: dims(1200, 800, 150), Weight: 9 * fulfill.Kilogram, Quantity: 2, OwnContainer: true}}},
			Options{}, func(t *testing.T, res Result) {
				require.Len(t, res.Packages, 2)
				assert.Equal(t, "", res.Packages[0].Box)
				assert.Equal(t, 0, res.Boxes())
			}},
		{"ship alone", Request{Boxes: []Box{large}, Items: []Item{{ID: "a", Dimensions: dims(10, 10, 10), Quantity: 2, ShipAlone: true}, {ID: "b", Dimensions: dims(10, 10, 10), Quantity: 3}}},
			Options{}, func(t *testing.T, res Result) {
				assert.Equal(t, 3, res.Boxes())
				assert.Equal(t, 2, res.LowerBound) // the units that ship alone
			}},
		{"group ships together", Request{Boxes: []Box{small, large}, Items: []Item{
			{ID: "a", Dimensions: dims(100, 100, 50), Quantity: 1, Group: "set"},
			{ID: "b", Dimensions: dims(100, 100, 50), Quantity: 1, Group: "set"},
			{ID: "c", Dimensions: dims(100, 100, 50), Quantity: 2}}},
			Options{Objective: ObjectiveCost}, func(t *testing.T, res Result) {
				assert.Equal(t, boxOf(res, "a"), boxOf(res, "b"))
			}},
		{"group that fits no box", Request{Boxes: []Box{small}, Items: []Item{
			{ID: "a", Dimensions: dims(200, 150, 50), Quantity: 1, Group: "set"},
			{ID: "b", Dimensions: dims(200, 150, 50), Quantity: 1, Group: "set"}}},
			Options{}, func(t *testing.T, res Result) {
				assert.Empty(t, res.Packages)
				require.Len(t, res.Unpacked, 2)
				assert.Equal(t, ReasonConstraint, res.Unpacked[0].Reason)
			}},
		{"hazmat classes apart", Request{Boxes: []Box{large}, Items: []Item{
			{ID: "acid", Dimensions: dims(50, 50, 50), Quantity: 2, Hazmat: "8"},
			{ID: "gas", Dimensions: dims(50, 50, 50), Quantity: 2, Hazmat: "2.1"},
			{ID: "sock", Dimensions: dims(50, 50, 50), Quantity: 1}}},
			Options{}, func(t *testing.T, res Result) {
				assert.Equal(t, 2, res.Boxes())
			}},
		{"fragile gets nothing on top", Request{Boxes: []Box{{ID: "tower", Inner: dims(100, 100, 200)}}, Items: []Item{
			{ID: "egg", Dimensions: dims(100, 100, 100), Quantity: 1, Fragile: true},
			{ID: "brick", Dimensions: dims(100, 100, 100), Quantity: 1}}},
			Options{}, func(t *testing.T, res Result) {
				require.Equal(t, 1, res.Boxes())
				for _, pl := range res.Packages[0].Placements {
					if pl.Item == "egg" {
						assert.Equal(t, fulfill.Length(100)*mm, pl.Position.Z)
					}
				}
			}},
		{"not stackable stays on the floor", Request{Boxes: []Box{{ID: "tower", Inner: dims(100, 100, 200)}}, Items: []Item{
			{ID: "plant", Dimensions: dims(100, 100, 100), Quantity: 2, NotStackable: true, Rotation: RotationUpright}}},
			Options{}, func(t *testing.T, res Result) {
				assert.Equal(t, 2, res.Boxes())
			}},
		{"supply runs out", Request{Boxes: []Box{{ID: "only", Inner: dims(100, 100, 100), Supply: 1}}, Items: []Item{
			{ID: "a", Dimensions: dims(100, 100, 100), Quantity: 3}}},
			Options{}, func(t *testing.T, res Result) {
				assert.Equal(t, 1, res.Boxes())
				require.Len(t, res.Unpacked, 1)
				assert.Equal(t, Unpacked{Item: "a", Quantity: 2, Reason: ReasonNoSupply, Detail: res.Unpacked[0].Detail}, res.Unpacked[0])
			}},
		{"channel and carrier", Request{Channel: "web", Carrier: "ups", Boxes: []Box{
			{ID: "retail", Inner: dims(100, 100, 100), Channels: []string{"store"}},
			{ID: "web", Inner: dims(200, 200, 200), Channels: []string{"web"}, Carriers: []string{"ups", "dhl"}},
			{ID: "postal", Inner: dims(150, 150, 150), Carriers: []string{"usps"}}},
			Items: []Item{{ID: "a", Dimensions: dims(90, 90, 90), Quantity: 1}}},
			Options{Objective: ObjectiveCost}, func(t *testing.T, res Result) {
				assert.Equal(t, []string{"web"}, boxOf(res, "a"))
			}},
		{"cost beats count", Request{Boxes: []Box{
			{ID: "big", Inner: dims(200, 100, 100), Cost: usd("5")},
			{ID: "small", Inner: dims(100, 100, 100), Cost: usd("1")}},
			Items: []Item{{ID: "a", Dimensions: dims(100, 100, 100), Quantity: 2}}},
			Options{Objective: ObjectiveCost}, func(t *testing.T, res Result) {
				assert.Equal(t, 2, res.Boxes())
				assert.True(t, res.Cost.Equal(usd("2")), res.Cost)
			}},
		{"count beats cost", Request{Boxes: []Box{
			{ID: "big", Inner: dims(200, 100, 100), Cost: usd("5")},
			{ID: "small", Inner: dims(100, 100, 100), Cost: usd("1")}},
			Items: []Item{{ID: "a", Dimensions: dims(100, 100, 100), Quantity: 2}}},
			Options{Objective: ObjectiveBoxes}, func(t *testing.T, res Result) {
				assert.Equal(t, 1, res.Boxes())
			}},
		{"shipping drives the choice", Request{Boxes: []Box{
			{ID: "big", Inner: dims(200, 100, 100), Cost: usd("1.50")},
			{ID: "small", Inner: dims(100, 100, 100), Cost: usd("1")}},
			Items: []Item{{ID: "a", Dimensions: dims(100, 100, 100), Weight: fulfill.Kilogram, Quantity: 2}}},
			Options{Objective: ObjectiveTotalCost, Shipping: func(p Parcel) (fulfill.Money, error) {
				return usd("4.00"), nil // a flat rate per parcel makes one box cheaper
			}}, func(t *testing.T, res Result) {
				assert.Equal(t, []string{"big", "big"}, boxOf(res, "a"))
				assert.True(t, res.Shipping.Equal(usd("4")), res.Shipping)
			}},
		{"many identical units", Request{Boxes: []Box{{ID: "crate", Inner: dims(100, 100, 100)}},
			Items: []Item{{ID: "cube", Dimensions: dims(10, 10, 10), Quantity: 2000}}},
			Options{}, func(t *testing.T, res Result) {
				assert.Equal(t, 2, res.Boxes())
				assert.Equal(t, 2, res.LowerBound)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []Mode{ModeFast, ModeThorough} {
				o := tt.opts
				o.Mode = mode
				o.MaxWork = 50_000_000
				tt.check(t, packed(t, tt.req, &o))
			}
		})
	}
}

func TestPackInvalidRequest(t *testing.T) {
	ok := Box{ID: "B", Inner: dims(10, 10, 10)}
	item := Item{ID: "i", Dimensions: dims(1, 1, 1), Quantity: 1}
	tests := []struct {
		name  string
		req   Request
		opts  Options
		field string
		kind  error
	}{
		{"no item id", Request{Boxes: []Box{ok}, Items: []Item{{Dimensions: dims(1, 1, 1), Quantity: 1}}}, Options{}, "items[0].id", ErrInvalidRequest},
		{"duplicate item", Request{Boxes: []Box{ok}, Items: []Item{item, item}}, Options{}, "items[1].id", ErrInvalidRequest},
		{"zero side", Request{Boxes: []Box{ok}, Items: []Item{{ID: "i", Dimensions: dims(0, 1, 1), Quantity: 1}}}, Options{}, "items[0].dimensions", ErrInvalidRequest},
		{"negative weight", Request{Boxes: []Box{ok}, Items: []Item{{ID: "i", Dimensions: dims(1, 1, 1), Weight: -1, Quantity: 1}}}, Options{}, "items[0].weight", ErrInvalidRequest},
		{"zero quantity", Request{Boxes: []Box{ok}, Items: []Item{{ID: "i", Dimensions: dims(1, 1, 1)}}}, Options{}, "items[0].quantity", ErrInvalidRequest},
		{"too many units", Request{Boxes: []Box{ok}, Items: []Item{{ID: "i", Dimensions: dims(1, 1, 1), Quantity: MaxUnits + 1}}}, Options{}, "items[0].quantity", ErrTooLarge},
		{"bad rotation", Request{Boxes: []Box{ok}, Items: []Item{{ID: "i", Dimensions: dims(1, 1, 1), Quantity: 1, Rotation: 9}}}, Options{}, "items[0].rotation", ErrInvalidRequest},
		{"bad sku", Request{Boxes: []Box{ok}, Items: []Item{{ID: "i", SKU: " x", Dimensions: dims(1, 1, 1), Quantity: 1}}}, Options{}, "items[0].sku", ErrInvalidRequest},
		{"own container in a group", Request{Boxes: []Box{ok}, Items: []Item{{ID: "i", Dimensions: dims(1, 1, 1), Quantity: 1, OwnContainer: true, Group: "g"}}}, Options{}, "items[0].group", ErrInvalidRequest},
		{"duplicate box", Request{Boxes: []Box{ok, ok}, Items: []Item{item}}, Options{}, "boxes[1].id", ErrInvalidRequest},
		{"outer smaller than inner", Request{Boxes: []Box{{ID: "B", Inner: dims(10, 10, 10), Outer: dims(12, 9, 12)}}, Items: []Item{item}}, Options{}, "boxes[0].outer", ErrInvalidRequest},
		{"box without size", Request{Boxes: []Box{{ID: "B"}}, Items: []Item{item}}, Options{}, "boxes[0].inner", ErrInvalidRequest},
		{"negative tare", Request{Boxes: []Box{{ID: "B", Inner: dims(1, 1, 1), Tare: -1}}, Items: []Item{item}}, Options{}, "boxes[0].tare", ErrInvalidRequest},
		{"negative supply", Request{Boxes: []Box{{ID: "B", Inner: dims(1, 1, 1), Supply: -1}}, Items: []Item{item}}, Options{}, "boxes[0].supply", ErrInvalidRequest},
		{"negative cost", Request{Boxes: []Box{{ID: "B", Inner: dims(1, 1, 1), Cost: usd("-1")}}, Items: []Item{item}}, Options{}, "boxes[0].cost", ErrInvalidRequest},
		{"mixed currencies", Request{Boxes: []Box{{ID: "A", Inner: dims(1, 1, 1), Cost: usd("1")},
			{ID: "B", Inner: dims(1, 1, 1), Cost: fulfill.MustMoney("1", "EUR")}}, Items: []Item{item}}, Options{}, "boxes[1].cost", ErrInvalidRequest},
		{"too precise cost", Request{Boxes: []Box{{ID: "B", Inner: dims(1, 1, 1), Cost: usd("0.0000000001")}}, Items: []Item{item}}, Options{}, "boxes[0].cost", ErrInvalidRequest},
		{"total cost without shipping", Request{Boxes: []Box{ok}, Items: []Item{item}}, Options{Objective: ObjectiveTotalCost}, "shipping", ErrInvalidRequest},
		{"unknown objective", Request{Boxes: []Box{ok}, Items: []Item{item}}, Options{Objective: 7}, "objective", ErrInvalidRequest},
		{"unknown mode", Request{Boxes: []Box{ok}, Items: []Item{item}}, Options{Mode: 7}, "mode", ErrInvalidRequest},
		{"negative work", Request{Boxes: []Box{ok}, Items: []Item{item}}, Options{MaxWork: -1}, "max_work", ErrInvalidRequest},
		{"negative support", Request{Boxes: []Box{ok}, Items: []Item{item}, MinSupport: -1}, Options{}, "min_support", ErrInvalidRequest},
		{"support over 100%", Request{Boxes: []Box{ok}, Items: []Item{item}, MinSupport: 101}, Options{}, "min_support", ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Pack(context.Background(), tt.req, &tt.opts)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind)
			fe, ok := errors.AsType[*FieldError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tt.field, fe.Field)
		})
	}
}

func TestPackNoBoxesAtAll(t *testing.T) {
	req := Request{Items: []Item{{ID: "a", Dimensions: dims(1, 1, 1), Quantity: 3}}}
	res := packed(t, req, nil)
	assert.Equal(t, []Unpacked{{Item: "a", Quantity: 3, Reason: ReasonTooBig, Detail: res.Unpacked[0].Detail}}, res.Unpacked)
}

func TestPackShippingError(t *testing.T) {
	req := Request{Boxes: []Box{{ID: "B", Inner: dims(10, 10, 10), Cost: usd("1")}}, Items: []Item{{ID: "a", Dimensions: dims(1, 1, 1), Quantity: 1}}}
	boom := errors.New("rate service down")
	_, err := Pack(context.Background(), req, &Options{Objective: ObjectiveTotalCost,
		Shipping: func(Parcel) (fulfill.Money, error) { return fulfill.Money{}, boom }})
	assert.ErrorIs(t, err, ErrShipping)
	assert.ErrorIs(t, err, boom)
	_, err = Pack(context.Background(), req, &Options{Objective: ObjectiveTotalCost,
		Shipping: func(Parcel) (fulfill.Money, error) { return fulfill.MustMoney("1", "EUR"), nil }})
	assert.ErrorIs(t, err, ErrShipping)
	assert.ErrorIs(t, err, fulfill.ErrCurrencyMismatch)
}

func TestPackCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Pack(ctx, mpvInstance(1, 50, 1), nil)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestPackBoundedWork(t *testing.T) {
	// A tiny budget still gives a valid, complete packing.
	req := mpvInstance(8, 100, 3)
	res := packed(t, req, &Options{Mode: ModeThorough, MaxWork: 1})
	assert.Empty(t, res.Unpacked)
	more := packed(t, req, &Options{Mode: ModeThorough, MaxWork: 20_000_000})
	assert.LessOrEqual(t, more.Boxes(), res.Boxes())
}

func TestPackDeterministic(t *testing.T) {
	for _, mode := range []Mode{ModeFast, ModeThorough} {
		req := packRandomOrder(rand.New(rand.NewPCG(7, 7)))
		o := Options{Mode: mode, Seed: 42, MaxWork: 20_000_000, Objective: ObjectiveCost}
		a := packed(t, req, &o)
		b := packed(t, req, &o)
		assert.Equal(t, fmt.Sprint(a), fmt.Sprint(b))
	}
}

func TestPackerAndFunc(t *testing.T) {
	req := Request{Boxes: []Box{{ID: "B", Inner: dims(10, 10, 10)}}, Items: []Item{{ID: "a", Dimensions: dims(5, 5, 5), Quantity: 8}}}
	for _, c := range []Cartonizer{Packer{}, Packer{Options: Options{Mode: ModeThorough}}, CartonizerFunc(func(ctx context.Context, r Request) (Result, error) {
		return Pack(ctx, r, nil)
	})} {
		res, err := c.Pack(context.Background(), req)
		require.NoError(t, err)
		require.NoError(t, Verify(req, res))
		assert.Equal(t, 1, res.Boxes())
	}
}

// TestPackExactSmall checks that small orders get the cheapest grouping:
// two half-cubes that fit one cheap box together, not two.
func TestPackExactSmall(t *testing.T) {
	req := Request{Boxes: []Box{
		{ID: "tall", Inner: dims(100, 100, 200), Cost: usd("1.10")},
		{ID: "wide", Inner: dims(200, 100, 100), Cost: usd("1.00")},
		{ID: "cube", Inner: dims(100, 100, 100), Cost: usd("0.60")},
	}, Items: []Item{{ID: "a", Dimensions: dims(100, 100, 100), Quantity: 2, Rotation: RotationNone}}}
	res := packed(t, req, &Options{Objective: ObjectiveCost})
	assert.Equal(t, []string{"wide", "wide"}, boxOf(res, "a"))
	res = packed(t, req, &Options{Objective: ObjectiveCost, ExactUnits: -1})
	assert.True(t, res.Cost.Equal(usd("1.00")), "heuristic alone: %v", res.Cost)
}

// packRandomOrder returns an e-commerce order of 1 to 30 units: mostly a
// few lines, items drawn from four size classes (small goods, flat goods such
// as apparel and books, medium and large boxes), a third of them "this way
// up", against an eight-box catalogue with costs.
func packRandomOrder(rng *rand.Rand) Request {
	req := Request{Boxes: packCatalogue()}
	lines := 1 + rng.IntN(3)
	if rng.IntN(3) == 0 {
		lines += rng.IntN(6)
	}
	units := 0
	for i := 0; i < lines && units < 30; i++ {
		q := 1 + rng.IntN(3)
		if rng.IntN(8) == 0 {
			q += rng.IntN(10)
		}
		q = min(q, 30-units)
		units += q
		rot := RotationAny
		if rng.IntN(3) == 0 {
			rot = RotationUpright
		}
		var l, w, h int64
		switch c := rng.IntN(10); {
		case c < 4: // small goods
			l, w, h = 30+rng.Int64N(120), 20+rng.Int64N(80), 10+rng.Int64N(70)
		case c < 7: // flat goods
			l, w, h = 150+rng.Int64N(180), 100+rng.Int64N(150), 5+rng.Int64N(45)
		case c < 9: // medium
			l, w, h = 100+rng.Int64N(150), 80+rng.Int64N(120), 50+rng.Int64N(100)
		default: // large
			l, w, h = 200+rng.Int64N(200), 150+rng.Int64N(150), 100+rng.Int64N(150)
		}
		req.Items = append(req.Items, Item{ID: fmt.Sprintf("item%d", i), Dimensions: dims(l, w, h),
			Weight: fulfill.Mass(20+rng.Int64N(1500)) * fulfill.Gram, Quantity: q, Rotation: rot})
	}
	return req
}

// packCatalogue is a catalogue of eight shipping boxes and mailers.
func packCatalogue() []Box {
	return []Box{
		{ID: "mailer-S", Inner: dims(230, 160, 50), MaxContent: 2 * fulfill.Kilogram, Cost: usd("0.28")},
		{ID: "mailer-L", Inner: dims(350, 250, 80), MaxContent: 4 * fulfill.Kilogram, Cost: usd("0.45")},
		{ID: "box-XS", Inner: dims(160, 120, 100), MaxContent: 5 * fulfill.Kilogram, Tare: 90 * fulfill.Gram, Cost: usd("0.52")},
		{ID: "box-S", Inner: dims(250, 200, 150), MaxContent: 10 * fulfill.Kilogram, Tare: 160 * fulfill.Gram, Cost: usd("0.78")},
		{ID: "box-M", Inner: dims(350, 250, 200), MaxContent: 15 * fulfill.Kilogram, Tare: 240 * fulfill.Gram, Cost: usd("1.10")},
		{ID: "box-L", Inner: dims(450, 350, 300), MaxContent: 20 * fulfill.Kilogram, Tare: 380 * fulfill.Gram, Cost: usd("1.65")},
		{ID: "box-XL", Inner: dims(600, 400, 400), MaxContent: 30 * fulfill.Kilogram, Tare: 560 * fulfill.Gram, Cost: usd("2.40")},
		{ID: "box-flat", Inner: dims(500, 400, 100), MaxContent: 10 * fulfill.Kilogram, Tare: 300 * fulfill.Gram, Cost: usd("1.20")},
	}
}

// TestPackRandomOrders is the property test: random orders with random
// constraints and support shares always give a result that verifies, every
// unit accounted for.
func TestPackRandomOrders(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 100
	if testing.Short() {
		n = 60
	}
	for i := range n {
		req := packRandomOrder(rng)
		for j := range req.Items {
			switch rng.IntN(12) {
			case 0:
				req.Items[j].Fragile = true
			case 1:
				req.Items[j].NotStackable = true
			case 2:
				req.Items[j].ShipAlone = true
			case 3:
				req.Items[j].Hazmat = []string{"3", "8"}[rng.IntN(2)]
			case 4:
				req.Items[j].Group = "g"
			case 5:
				req.Items[j].OwnContainer = true
			case 6:
				req.Items[j].Rotation = RotationNone
			case 7:
				for range 1 + rng.IntN(2) {
					req.Items[j].Boxes = append(req.Items[j].Boxes, req.Boxes[rng.IntN(len(req.Boxes))].ID)
				}
			}
		}
		if rng.IntN(4) == 0 {
			req.Boxes[rng.IntN(len(req.Boxes))].Supply = 1
		}
		req.MinSupport = []int{0, 0, 50, 80, 100}[i%5]
		opts := Options{Objective: Objective(rng.IntN(3)), Mode: Mode(rng.IntN(2)), Seed: uint64(i), MaxWork: 2_000_000,
			Shipping: func(p Parcel) (fulfill.Money, error) {
				return fulfill.MoneyFromMinor(500+int64(p.Gross/fulfill.Gram)/10, "USD")
			}}
		res, err := Pack(context.Background(), req, &opts)
		require.NoError(t, err, "order %d", i)
		require.NoError(t, Verify(req, res), "order %d: %+v", i, req)
	}
}

func TestPackDeadline(t *testing.T) {
	// The improvement phase ends with the context and returns the best
	// packing so far.
	req := mpvInstance(7, 150, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	res, err := Pack(ctx, req, &Options{Mode: ModeThorough, MaxWork: 1 << 60})
	require.NoError(t, err)
	require.NoError(t, Verify(req, res))
	assert.Empty(t, res.Unpacked)
}

// TestPackFixedOrientation is the regression test for packers that turn
// items marked "none" (issue 6): every placement keeps the given axes.
func TestPackFixedOrientation(t *testing.T) {
	for c := 1; c <= 9; c++ {
		req := mpvInstance(c, 40, 11)
		res := packed(t, req, nil)
		for _, p := range res.Packages {
			for _, pl := range p.Placements {
				require.Equal(t, fulfill.RotationLWH, pl.Rotation)
			}
		}
	}
}

// TestPackPerfectFill: pieces cut from three whole boxes go back into three
// boxes, which the constructive heuristics alone do not find.
func TestPackPerfectFill(t *testing.T) {
	req := mpvInstance(9, 30, 1)
	res := packed(t, req, nil)
	assert.Equal(t, 3, res.LowerBound)
	assert.Equal(t, 3, res.Boxes())
}

// TestPackConcurrent runs one Packer from several goroutines: it shares no
// state, so each gets the same result as a lone call.
func TestPackConcurrent(t *testing.T) {
	p := Packer{Options: Options{Objective: ObjectiveCost, Seed: 5}}
	rng := rand.New(rand.NewPCG(9, 9))
	reqs := []Request{packRandomOrder(rng), packRandomOrder(rng), packRandomOrder(rng), mpvInstance(2, 40, 1)}
	want := make([]string, len(reqs))
	for i, r := range reqs {
		res, err := p.Pack(context.Background(), r)
		require.NoError(t, err)
		want[i] = fmt.Sprint(res)
	}
	got := make([]string, 4*len(reqs))
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			res, err := p.Pack(context.Background(), reqs[i%len(reqs)])
			if err == nil {
				got[i] = fmt.Sprint(res)
			}
		})
	}
	wg.Wait()
	for i := range got {
		assert.Equal(t, want[i%len(reqs)], got[i])
	}
}

// TestCostTriesHarderForCheaperBox packs an order whose first packing needs
// the large box but which fits the cheaper one only in a layout the quick
// orderings miss: the cost objective must find the cheaper box.
func TestCostTriesHarderForCheaperBox(t *testing.T) {
	req := Request{
		Boxes: []Box{
			{ID: "L", Inner: dims(450, 350, 300), Cost: usd("1.65")},
			{ID: "XL", Inner: dims(600, 400, 400), Cost: usd("2.40")},
		},
		Items: []Item{
			{ID: "a", Dimensions: dims(348, 176, 230), Weight: 900 * fulfill.Gram, Quantity: 2, Rotation: RotationUpright},
			{ID: "b", Dimensions: dims(177, 125, 44), Weight: 300 * fulfill.Gram, Quantity: 1, Rotation: RotationAny},
			{ID: "c", Dimensions: dims(127, 66, 35), Weight: 100 * fulfill.Gram, Quantity: 3, Rotation: RotationUpright},
			{ID: "d", Dimensions: dims(193, 143, 39), Weight: 200 * fulfill.Gram, Quantity: 2, Rotation: RotationAny},
		},
	}
	res, err := Pack(context.Background(), req, &Options{Objective: ObjectiveCost})
	require.NoError(t, err)
	require.NoError(t, Verify(req, res))
	require.Len(t, res.Packages, 1)
	require.Equal(t, "L", res.Packages[0].Box)
}

// TestCostMergesBoxes: orders whose weight spreads them over poly mailers,
// where any two mailers cost less than a carton but all of them cost more
// than the one carton that takes the whole order.
func TestCostMergesBoxes(t *testing.T) {
	tests := []struct {
		name  string
		boxes []Box
		items []Item
		cost  string // of the one box-M, against three or five mailers
	}{
		{"three mailers (1.18)", packCatalogue(), []Item{
			{ID: "a", Dimensions: dims(167, 162, 27), Weight: 208 * fulfill.Gram, Quantity: 1, Rotation: RotationUpright},
			{ID: "b", Dimensions: dims(280, 214, 27), Weight: 1250 * fulfill.Gram, Quantity: 1, Rotation: RotationAny},
			{ID: "c", Dimensions: dims(91, 92, 13), Weight: 1446 * fulfill.Gram, Quantity: 2, Rotation: RotationAny},
			{ID: "d", Dimensions: dims(170, 139, 19), Weight: 431 * fulfill.Gram, Quantity: 2, Rotation: RotationUpright},
			{ID: "e", Dimensions: dims(173, 221, 15), Weight: 1122 * fulfill.Gram, Quantity: 3, Rotation: RotationAny},
		}, "1.10"},
		{"five mailers (1.10), nine units on edge in the carton", packMailerCatalogue(), []Item{
			{ID: "a", Dimensions: dims(179, 247, 38), Weight: 680 * fulfill.Gram, Quantity: 9, Rotation: RotationAny},
		}, "1.05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Boxes: tt.boxes, Items: tt.items}
			res := packed(t, req, &Options{Objective: ObjectiveCost})
			require.Len(t, res.Packages, 1)
			assert.Equal(t, "box-M", res.Packages[0].Box)
			assert.Equal(t, tt.cost, res.Cost.Amount().StringFixed(2))
		})
	}
}

// TestPackMinSupport: a board as wide as the box rests on a cube over only
// 36% of its base. Asked for at least half, the packer lays the board on
// the floor and the cube on it, in the one box.
// TestPackItemBoxes packs items limited to some boxes: they go only into
// those, the others as before, and a unit none of its boxes takes comes
// back unpacked with the constraint as the reason.
func TestPackItemBoxes(t *testing.T) {
	mailer := Box{ID: "mailer", Inner: dims(300, 250, 60), Cost: usd("0.30")}
	carton := Box{ID: "carton", Inner: dims(300, 250, 200), Cost: usd("0.90")}
	padded := Box{ID: "padded", Inner: dims(200, 200, 200), Cost: usd("2.00")}
	store := Box{ID: "store", Inner: dims(400, 400, 400), Cost: usd("0.10"), Channels: []string{"store"}}
	catalogue := []Box{mailer, carton, padded, store}
	glass := Item{ID: "glass", Dimensions: dims(80, 80, 150), Weight: 300 * fulfill.Gram, Quantity: 2, Rotation: RotationUpright,
		Boxes: []string{"padded"}}
	tee := Item{ID: "tee", Dimensions: dims(280, 220, 30), Weight: 200 * fulfill.Gram, Quantity: 1}
	for _, tc := range []struct {
		name     string
		items    []Item
		want     map[string][]string // item -> its units' boxes
		unpacked []Unpacked
	}{
		{"glass in the padded box, the tee in a mailer", []Item{glass, tee},
			map[string][]string{"glass": {"padded", "padded"}, "tee": {"mailer"}}, nil},
		{"the same glass without the limit shares the carton", []Item{{ID: "glass", Dimensions: glass.Dimensions, Weight: glass.Weight,
			Quantity: 2, Rotation: RotationUpright}, tee},
			map[string][]string{"glass": {"carton", "carton"}, "tee": {"carton"}}, nil},
		{"two boxes allowed: the cheaper one", []Item{{ID: "mug", Dimensions: dims(120, 100, 100), Quantity: 1, Boxes: []string{"padded", "carton"}}},
			map[string][]string{"mug": {"carton"}}, nil},
		{"same size, different limits", []Item{
			{ID: "a", Dimensions: dims(100, 100, 50), Quantity: 1, Boxes: []string{"padded"}},
			{ID: "b", Dimensions: dims(100, 100, 50), Quantity: 1, Boxes: []string{"carton"}}},
			map[string][]string{"a": {"padded"}, "b": {"carton"}}, nil},
		{"too tall for its box", []Item{{ID: "vase", Dimensions: dims(100, 100, 190), Quantity: 2, Rotation: RotationUpright, Boxes: []string{"mailer"}}, tee},
			map[string][]string{"tee": {"mailer"}},
			[]Unpacked{{Item: "vase", Quantity: 2, Reason: ReasonConstraint}}},
		{"its only box not enabled for the channel", []Item{{ID: "poster", Dimensions: dims(280, 240, 50), Quantity: 1, Boxes: []string{"store"}}},
			map[string][]string{}, []Unpacked{{Item: "poster", Quantity: 1, Reason: ReasonConstraint}}},
		{"too big for every box enabled", []Item{{ID: "rug", Dimensions: dims(350, 350, 100), Quantity: 1, Boxes: []string{"store"}}},
			map[string][]string{}, []Unpacked{{Item: "rug", Quantity: 1, Reason: ReasonTooBig}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := Request{Boxes: catalogue, Items: tc.items, Channel: "web"}
			for _, obj := range []Objective{ObjectiveBoxes, ObjectiveCost} {
				for _, mode := range []Mode{ModeFast, ModeThorough} {
					res := packed(t, req, &Options{Objective: obj, Mode: mode, MaxWork: 5_000_000})
					if obj == ObjectiveCost {
						for id, boxes := range tc.want {
							assert.ElementsMatch(t, boxes, boxOf(res, id), "%s, %s: boxes of %s", obj, mode, id)
						}
					}
					var got []Unpacked
					for _, u := range res.Unpacked {
						got = append(got, Unpacked{Item: u.Item, Quantity: u.Quantity, Reason: u.Reason})
					}
					assert.Equal(t, tc.unpacked, got, "%s, %s", obj, mode)
				}
			}
		})
	}
	// A box the catalogue does not have, and a box for an item that ships
	// in its own container, are refused.
	err := Request{Boxes: catalogue, Items: []Item{{ID: "x", Dimensions: dims(10, 10, 10), Quantity: 1, Boxes: []string{"crate"}},
		{ID: "y", Dimensions: dims(10, 10, 10), Quantity: 1, OwnContainer: true, Boxes: []string{"carton"}}}}.Validate()
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.ErrorContains(t, err, `items[0].boxes[0] "crate": no box of the catalogue has this ID`)
	assert.ErrorContains(t, err, "items[1].boxes")
}

func TestPackMinSupport(t *testing.T) {
	req := Request{Boxes: []Box{{ID: "B", Inner: dims(100, 100, 100)}}, Items: []Item{
		{ID: "cube", Dimensions: dims(60, 60, 50), Quantity: 1, Rotation: RotationNone},
		{ID: "board", Dimensions: dims(100, 100, 10), Quantity: 1, Rotation: RotationNone},
	}}
	for _, support := range []int{0, 50, 100} {
		req.MinSupport = support
		res := packed(t, req, nil)
		require.Equal(t, 1, res.Boxes())
		if support > 36 {
			for _, p := range res.Packages[0].Placements {
				if p.Item == "board" {
					assert.Zero(t, p.Position.Z, "support %d", support)
				}
			}
		}
	}
	// The same packing with the board on the cube fails the check.
	req.MinSupport = 50
	bad := Result{Packages: []Package{{Box: "B", Inner: dims(100, 100, 100), Placements: []Placement{
		{Item: "cube", Size: dims(60, 60, 50)},
		{Item: "board", Position: Point{Z: 50 * mm}, Size: dims(100, 100, 10)},
	}}}}
	err := Verify(req, bad)
	require.ErrorIs(t, err, ErrInvalidResult)
	assert.Contains(t, err.Error(), "rests on 36.0% of its base, under the 50% asked")
	req.MinSupport = 30
	assert.NoError(t, Verify(req, bad))
}
