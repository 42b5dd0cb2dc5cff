package pack

import (
	"context"
	"fmt"
	"testing"

	"github.com/fulfillkit/fulfill"
)

// fuzzRequest builds a request from fuzz bytes: a few boxes and items with
// sizes, weights, rules, constraints and a support share taken from the
// data.
func fuzzRequest(data []byte) (Request, Options) {
	pos := 0
	next := func() int64 {
		if pos >= len(data) {
			return 0
		}
		pos++
		return int64(data[pos-1])
	}
	var req Request
	nb := 1 + next()%4
	for i := range nb {
		req.Boxes = append(req.Boxes, Box{ID: fmt.Sprintf("B%d", i),
			Inner:      dims(1+next()%120, 1+next()%120, 1+next()%120),
			MaxContent: fulfill.Mass(next()%50) * 100 * fulfill.Gram,
			Tare:       fulfill.Mass(next()%5) * fulfill.Gram,
			Cost:       usd(fmt.Sprintf("%d.%02d", next()%5, next()%100)),
			Supply:     int(next() % 3)})
	}
	ni := 1 + next()%6
	for i := range ni {
		flags := next()
		it := Item{ID: fmt.Sprintf("i%d", i), Dimensions: dims(1+next()%100, 1+next()%100, 1+next()%100),
			Weight: fulfill.Mass(next()%30) * 100 * fulfill.Gram, Quantity: int(1 + next()%12),
			Rotation: RotationRule(flags % 3), Fragile: flags&8 != 0, NotStackable: flags&16 != 0,
			ShipAlone: flags&32 != 0 && flags&64 != 0, OwnContainer: flags&128 != 0 && flags&64 != 0}
		if flags&4 != 0 {
			it.Hazmat = fmt.Sprint(flags % 2)
		}
		if flags&64 != 0 && flags&32 == 0 && !it.OwnContainer {
			it.Group = "g"
		}
		req.Items = append(req.Items, it)
	}
	o := next()
	req.MinSupport = int(next() % 101)
	opts := Options{Objective: Objective(o % 3), Mode: Mode(o / 3 % 2), Seed: uint64(next()), MaxWork: 300_000,
		Shipping: func(p Parcel) (fulfill.Money, error) {
			return fulfill.MoneyFromMinor(300+int64(p.Gross/fulfill.Gram)/50, "USD")
		}}
	// The last byte limits items to some boxes (read last, so that inputs
	// saved before it existed mean what they meant).
	limit := next()
	for i := range req.Items {
		if it := &req.Items[i]; limit>>i&1 == 1 && !it.OwnContainer {
			it.Boxes = []string{fmt.Sprintf("B%d", (int64(i)+limit>>6)%nb)}
			if limit&32 != 0 {
				it.Boxes = append(it.Boxes, fmt.Sprintf("B%d", (int64(i)+1)%nb))
			}
		}
	}
	return req, opts
}

// FuzzPack checks that every packing of random items and boxes passes Verify,
// with every unit placed or explained.
func FuzzPack(f *testing.F) {
	f.Add([]byte{0, 50, 50, 50, 10, 0, 1, 20, 0, 1, 10, 10, 10, 3, 4, 0, 0})
	f.Add([]byte{3, 100, 100, 100, 0, 0, 0, 0, 0, 30, 30, 30, 1, 2, 3, 2, 60, 60, 60, 9, 9, 9, 200, 5})
	f.Add([]byte{1, 10, 20, 30, 1, 1, 1, 1, 1, 5, 12, 20, 40, 5, 8, 64, 6, 6, 6, 1, 5, 96, 3, 3, 3, 1, 1, 1})
	f.Add([]byte("cartonization with fragile and upright items"))
	// Two boxes, three items, the first two limited to one box each.
	f.Add([]byte{1, 80, 80, 80, 0, 0, 1, 0, 0, 40, 40, 40, 0, 0, 0, 50, 0,
		2, 0, 30, 30, 30, 1, 2, 0, 20, 20, 20, 1, 3, 0, 10, 10, 10, 1, 2, 1, 0, 7, 0b0110_0011})
	f.Fuzz(func(t *testing.T, data []byte) {
		req, opts := fuzzRequest(data)
		res, err := Pack(context.Background(), req, &opts)
		if err != nil {
			t.Fatalf("Pack: %v", err)
		}
		if err := Verify(req, res); err != nil {
			t.Fatalf("Verify: %v\nrequest %+v\nresult %+v", err, req, res)
		}
	})
}

// FuzzVerify checks that Verify never panics on a damaged result and
// rejects every damage it is given.
func FuzzVerify(f *testing.F) {
	f.Add([]byte{0, 50, 50, 50, 10, 0, 1, 20, 0, 1, 10, 10, 10, 3, 4, 0, 0}, uint8(0), int64(5))
	f.Add([]byte{3, 100, 100, 100, 0, 0, 0, 0, 0, 30, 30, 30, 1, 2, 3, 2}, uint8(3), int64(-1))
	f.Fuzz(func(t *testing.T, data []byte, what uint8, delta int64) {
		req, opts := fuzzRequest(data)
		opts.MaxWork = 50_000
		res, err := Pack(context.Background(), req, &opts)
		if err != nil || len(res.Packages) == 0 || delta == 0 {
			return
		}
		p := &res.Packages[int(what)%len(res.Packages)]
		pl := &p.Placements[int(what/4)%len(p.Placements)]
		switch what % 4 {
		case 0:
			pl.Position.X += fulfill.Length(delta)
		case 1:
			pl.Size.Height += fulfill.Length(delta)
		case 2:
			p.Gross += fulfill.Mass(delta)
		case 3:
			p.Placements = append(p.Placements, *pl)
		}
		// Moving a unit may leave a valid packing; the other changes never do.
		if err := Verify(req, res); err == nil && what%4 != 0 {
			t.Fatalf("damage %d by %d not detected", what%4, delta)
		}
	})
}
