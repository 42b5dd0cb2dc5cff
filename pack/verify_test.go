package pack

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// verifyBase returns a request and a valid hand-made packing of it.
func verifyBase() (Request, Result) {
	req := Request{Channel: "web", Boxes: []Box{
		{ID: "B", Inner: dims(100, 100, 100), MaxContent: fulfill.Kilogram, Tare: 50 * fulfill.Gram, Cost: usd("1.00"), Supply: 2},
		{ID: "shop", Inner: dims(500, 500, 500), Channels: []string{"store"}},
	}, Items: []Item{
		{ID: "a", Dimensions: dims(50, 40, 30), Weight: 100 * fulfill.Gram, Quantity: 2, Rotation: RotationUpright},
		{ID: "b", Dimensions: dims(30, 30, 30), Weight: 200 * fulfill.Gram, Quantity: 1, Rotation: RotationNone},
		{ID: "tv", Dimensions: dims(900, 600, 100), Weight: 8 * fulfill.Kilogram, Quantity: 1, OwnContainer: true},
		{ID: "crate", Dimensions: dims(400, 400, 400), Quantity: 1},
	}}
	res := Result{LowerBound: 1, Cost: usd("1.00"), Packages: []Package{
		{Box: "B", Inner: dims(100, 100, 100), Content: 400 * fulfill.Gram, Gross: 450 * fulfill.Gram, Cost: usd("1.00"),
			Placements: []Placement{
				{Item: "a", Size: dims(50, 40, 30)},
				{Item: "a", Position: Point{X: 50 * mm}, Size: dims(40, 50, 30), Rotation: fulfill.RotationWLH},
				{Item: "b", Position: Point{Z: 30 * mm}, Size: dims(30, 30, 30)},
			}},
		{Inner: dims(900, 600, 100), Content: 8 * fulfill.Kilogram, Gross: 8 * fulfill.Kilogram,
			Placements: []Placement{{Item: "tv", Size: dims(900, 600, 100)}}},
	}, Unpacked: []Unpacked{{Item: "crate", Quantity: 1, Reason: ReasonTooBig}}}
	return req, res
}

func cloneResult(r Result) Result {
	c := r
	c.Packages = slices.Clone(r.Packages)
	for i := range c.Packages {
		c.Packages[i].Placements = slices.Clone(r.Packages[i].Placements)
	}
	c.Unpacked = slices.Clone(r.Unpacked)
	return c
}

func TestVerifyAcceptsValid(t *testing.T) {
	req, res := verifyBase()
	require.NoError(t, Verify(req, res))
}

func TestVerifyFindsProblems(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(req *Request, res *Result)
		want   string
	}{
		{"unit placed twice", func(_ *Request, r *Result) {
			p := &r.Packages[0]
			p.Placements = append(p.Placements, Placement{Item: "b", Position: Point{X: 60 * mm, Y: 60 * mm}, Size: dims(30, 30, 30)})
			p.Content += 200 * fulfill.Gram
			p.Gross += 200 * fulfill.Gram
		}, "2 units placed or reported unpacked, want exactly 1"},
		{"unit missing", func(_ *Request, r *Result) {
			r.Packages[0].Placements = r.Packages[0].Placements[:2]
			r.Packages[0].Content -= 200 * fulfill.Gram
			r.Packages[0].Gross -= 200 * fulfill.Gram
		}, "0 units placed"},
		{"outside the box", func(_ *Request, r *Result) { r.Packages[0].Placements[2].Position.X = 80 * mm }, "not inside box"},
		{"negative position", func(_ *Request, r *Result) { r.Packages[0].Placements[2].Position.Y = -1 }, "not inside box"},
		{"overlap", func(_ *Request, r *Result) { r.Packages[0].Placements[2].Position.Z = 20 * mm }, "overlaps"},
		{"resting on nothing", func(_ *Request, r *Result) { r.Packages[0].Placements[2].Position.Z = 50 * mm }, "rests on nothing"},
		{"beside the unit under it", func(_ *Request, r *Result) {
			r.Packages[0].Placements[2].Position = Point{X: 50 * mm, Y: 50 * mm, Z: 30 * mm}
		}, "rests on nothing"},
		{"forbidden rotation", func(_ *Request, r *Result) {
			r.Packages[0].Placements[0].Size = dims(50, 30, 40)
			r.Packages[0].Placements[0].Rotation = fulfill.RotationLHW
		}, "forbids"},
		{"wrong size", func(_ *Request, r *Result) { r.Packages[0].Placements[0].Size = dims(50, 40, 20) }, "is not"},
		{"unknown item", func(_ *Request, r *Result) { r.Packages[0].Placements[0].Item = "zz" }, "unknown item"},
		{"unknown box", func(_ *Request, r *Result) { r.Packages[0].Box = "Q" }, `unknown box "Q"`},
		{"box not enabled", func(_ *Request, r *Result) {
			r.Packages[1] = Package{Box: "shop", Inner: dims(500, 500, 500), Placements: []Placement{{Item: "tv", Size: dims(900, 600, 100)}}}
		}, "not enabled"},
		{"too heavy for the box", func(q *Request, _ *Result) { q.Boxes[0].MaxContent = 300 * fulfill.Gram }, "over box"},
		{"content misreported", func(_ *Request, r *Result) { r.Packages[0].Content = 1 }, "content weight reported"},
		{"gross misreported", func(_ *Request, r *Result) { r.Packages[0].Gross = 400 * fulfill.Gram }, "gross weight reported"},
		{"cost misreported", func(_ *Request, r *Result) { r.Packages[0].Cost = usd("0.50") }, "cost"},
		{"total misreported", func(_ *Request, r *Result) { r.Cost = usd("3") }, "total cost"},
		{"supply exceeded", func(q *Request, _ *Result) { q.Boxes[0].Supply = 0; q.Boxes[0].Supply = 1; q.Items[1].Quantity = 2 }, ""},
		{"fragile crushed", func(q *Request, _ *Result) { q.Items[0].Fragile = true }, "fragile"},
		{"not stackable", func(q *Request, _ *Result) { q.Items[1].NotStackable = true }, "not stackable"},
		{"ship alone", func(q *Request, _ *Result) { q.Items[1].ShipAlone = true }, "must ship alone"},
		{"hazmat mixed", func(q *Request, _ *Result) { q.Items[0].Hazmat = "3"; q.Items[1].Hazmat = "8" }, "hazmat"},
		{"group split", func(q *Request, r *Result) {
			q.Items[0].Group = "g"
			q.Items[1].Group = "g"
			b := r.Packages[0].Placements[2]
			r.Packages[0].Placements = r.Packages[0].Placements[:2]
			r.Packages[0].Content -= 200 * fulfill.Gram
			r.Packages[0].Gross -= 200 * fulfill.Gram
			b.Position = Point{}
			r.Packages = append(r.Packages, Package{Box: "B", Inner: dims(100, 100, 100), Cost: usd("1"),
				Content: 200 * fulfill.Gram, Gross: 250 * fulfill.Gram, Placements: []Placement{b}})
			r.Cost = usd("2")
		}, "split"},
		{"own container in a box", func(q *Request, _ *Result) { q.Items[1].OwnContainer = true }, "own container"},
		{"not one of its boxes", func(q *Request, _ *Result) { q.Items[1].Boxes = []string{"shop"} }, `is in box "B", not one of its boxes [shop]`},
		{"boxless package not own container", func(q *Request, _ *Result) { q.Items[2].OwnContainer = false }, "not marked"},
		{"false too big", func(q *Request, _ *Result) { q.Items[3].Dimensions = dims(10, 10, 10) }, "reported too big"},
		{"false too heavy", func(_ *Request, r *Result) { r.Unpacked[0].Reason = ReasonTooHeavy }, "reported too heavy"},
		{"unknown reason", func(_ *Request, r *Result) { r.Unpacked[0].Reason = "lazy" }, "unknown reason"},
		{"unpacked quantity", func(_ *Request, r *Result) { r.Unpacked[0].Quantity = 0 }, "unpacked quantity"},
		{"bound above the boxes", func(_ *Request, r *Result) { r.LowerBound = 2 }, "lower bound"},
		{"empty package", func(_ *Request, r *Result) {
			r.Packages = append(r.Packages, Package{Box: "B", Inner: dims(100, 100, 100), Cost: usd("1"), Gross: 50 * fulfill.Gram})
			r.Cost = usd("2")
		}, "empty package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, res := verifyBase()
			req.Items = slices.Clone(req.Items)
			req.Boxes = slices.Clone(req.Boxes)
			res = cloneResult(res)
			tt.mutate(&req, &res)
			err := Verify(req, res)
			require.Error(t, err)
			if tt.want == "" {
				return
			}
			assert.ErrorIs(t, err, ErrInvalidResult)
			probs := Problems(err)
			require.NotEmpty(t, probs)
			var msgs []string
			for _, p := range probs {
				msgs = append(msgs, p.Error())
			}
			assert.Contains(t, strings.Join(msgs, "\n"), tt.want)
		})
	}
}

func TestVerifySupply(t *testing.T) {
	req, res := verifyBase()
	res = cloneResult(res)
	req.Boxes = slices.Clone(req.Boxes)
	req.Boxes[0].Supply = 1
	res.Packages = append(res.Packages, res.Packages[0])
	err := Verify(req, res)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than its supply")
}

func TestVerifyInvalidRequest(t *testing.T) {
	err := Verify(Request{Items: []Item{{ID: "x"}}}, Result{})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Nil(t, Problems(nil))
	assert.Len(t, Problems(errors.Join(&Problem{Package: -1, What: "x"}, errors.New("other"))), 1)
}
