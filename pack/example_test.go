package pack_test

import (
	"context"
	"fmt"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/pack"
)

func mm(l, w, h int64) fulfill.Dimensions {
	return fulfill.Dims(fulfill.Length(l)*fulfill.Millimeter, fulfill.Length(w)*fulfill.Millimeter, fulfill.Length(h)*fulfill.Millimeter)
}

func Example() {
	req := pack.Request{
		Boxes: []pack.Box{
			{ID: "mailer", Inner: mm(220, 160, 60), MaxContent: 2 * fulfill.Kilogram, Cost: fulfill.MustMoney("0.32", "USD")},
			{ID: "box-M", Inner: mm(300, 250, 200), Tare: 180 * fulfill.Gram, Cost: fulfill.MustMoney("0.95", "USD")},
		},
		Items: []pack.Item{
			{ID: "tee", Dimensions: mm(200, 150, 25), Weight: 216 * fulfill.Gram, Quantity: 2},
			{ID: "mug", Dimensions: mm(120, 90, 100), Weight: 350 * fulfill.Gram, Quantity: 1,
				Rotation: pack.RotationUpright, Fragile: true},
		},
	}
	res, err := pack.Pack(context.Background(), req, &pack.Options{Objective: pack.ObjectiveCost})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := pack.Verify(req, res); err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Packages {
		fmt.Printf("%s: %d units, %v, %.0f%% full, %v\n", p.Box, len(p.Placements), p.Gross, 100*p.Fill(), p.Cost)
	}
	fmt.Println("total", res.Cost, "lower bound", res.LowerBound)
	// The mug stands too tall for the mailer, and a mailer for the tees
	// plus box-M for the mug would cost more than box-M alone.
	// Output:
	// box-M: 3 units, 962g, 17% full, 0.95 USD
	// total 0.95 USD lower bound 1
}

func ExamplePack_unpacked() {
	req := pack.Request{
		Boxes: []pack.Box{{ID: "mailer", Inner: mm(220, 160, 60), MaxContent: 2 * fulfill.Kilogram}},
		Items: []pack.Item{
			{ID: "rug", Dimensions: mm(1200, 200, 200), Weight: 3 * fulfill.Kilogram, Quantity: 1},
			{ID: "dumbbell", Dimensions: mm(200, 80, 50), Weight: 5 * fulfill.Kilogram, Quantity: 2},
		},
	}
	res, _ := pack.Pack(context.Background(), req, nil)
	for _, u := range res.Unpacked {
		fmt.Println(u.Item, u.Quantity, u.Reason)
	}
	// Output:
	// rug 1 too_big
	// dumbbell 2 too_heavy
}

func ExampleVerify() {
	req := pack.Request{
		Boxes: []pack.Box{{ID: "B", Inner: mm(100, 100, 100)}},
		Items: []pack.Item{{ID: "a", Dimensions: mm(60, 60, 60), Quantity: 2}},
	}
	// Two units placed into each other, the second above the floor with
	// no unit's top under it.
	res := pack.Result{Packages: []pack.Package{{Box: "B", Inner: mm(100, 100, 100), Placements: []pack.Placement{
		{Item: "a", Size: mm(60, 60, 60)},
		{Item: "a", Position: pack.Point{Z: 30 * fulfill.Millimeter}, Size: mm(60, 60, 60)},
	}}}}
	for _, p := range pack.Problems(pack.Verify(req, res)) {
		fmt.Println(p)
	}
	// Output:
	// pack: invalid result: package 0: item "a": at {0mm 0mm 0mm} size 60mmx60mmx60mm overlaps "a" at {0mm 0mm 30mm} size 60mmx60mmx60mm
	// pack: invalid result: package 0: item "a": at {0mm 0mm 30mm} rests on nothing: no unit's top is under it
}

func ExampleBoundL2() {
	bin := mm(100, 100, 100)
	items := []fulfill.Dimensions{mm(60, 60, 60), mm(60, 60, 60), mm(60, 60, 60)}
	fmt.Println(pack.BoundL0(items, bin), pack.BoundL2(items, bin))
	// Output: 1 3
}

func ExamplePack_shipping() {
	req := pack.Request{
		Boxes: []pack.Box{
			{ID: "small", Inner: mm(100, 100, 100), Cost: fulfill.MustMoney("0.70", "USD")},
			{ID: "double", Inner: mm(200, 100, 100), Cost: fulfill.MustMoney("1.50", "USD")},
		},
		Items: []pack.Item{{ID: "a", Dimensions: mm(100, 100, 100), Weight: fulfill.Kilogram, Quantity: 2}},
	}
	// A rate of 3 USD per parcel plus 1 USD per kilogram makes one parcel cheaper.
	shipping := func(p pack.Parcel) (fulfill.Money, error) {
		return fulfill.MoneyFromMinor(300+100*int64(p.Gross/fulfill.Kilogram), "USD")
	}
	for _, o := range []pack.Objective{pack.ObjectiveCost, pack.ObjectiveTotalCost} {
		res, _ := pack.Pack(context.Background(), req, &pack.Options{Objective: o, Shipping: shipping})
		fmt.Println(o, res.Boxes(), "boxes, boxes cost", res.Cost, "shipping", res.Shipping)
	}
	// Output:
	// cost 2 boxes, boxes cost 1.40 USD shipping 0
	// total_cost 1 boxes, boxes cost 1.50 USD shipping 5.00 USD
}
