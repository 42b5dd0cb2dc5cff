package pack

import (
	"slices"

	"github.com/fulfillkit/fulfill"
)

// result turns the best solution into a Result, giving each placed unit the
// ID of an item of its kind.
func (e *engine) result(st *setup, s *sol) (Result, error) {
	req := e.req
	queue := make([][]int, len(e.kinds)) // kind -> item indices, one per unit
	for i, it := range req.Items {
		if k := st.kindOf[i]; k >= 0 {
			for range it.Quantity {
				queue[k] = append(queue[k], i)
			}
		}
	}
	next := func(k int32) int {
		i := queue[k][0]
		queue[k] = queue[k][1:]
		return i
	}
	var res Result
	var total, shipping fulfill.Money
	var err error
	for _, b := range s.bins {
		box := req.Boxes[e.types[b.t].idx]
		p := Package{Box: box.ID, Inner: box.Inner, Outer: box.outer(), Cost: box.Cost,
			Placements: make([]Placement, 0, len(b.pl))}
		for _, c := range settle(b.pl) {
			it := &req.Items[next(c.k)]
			p.Placements = append(p.Placements, Placement{Item: it.ID,
				Position: Point{fulfill.Length(c.p[0]), fulfill.Length(c.p[1]), fulfill.Length(c.p[2])},
				Size:     fulfill.Dims(fulfill.Length(c.s[0]), fulfill.Length(c.s[1]), fulfill.Length(c.s[2])),
				Rotation: c.rot})
			p.Content += it.Weight
		}
		p.Gross = p.Content + box.Tare
		if e.obj == ObjectiveTotalCost {
			_, m, err := e.callShip(b.t, int64(p.Content))
			if err != nil {
				return Result{}, err
			}
			p.Shipping = m
		}
		if total, err = total.Add(p.Cost); err != nil {
			return Result{}, err
		}
		if shipping, err = shipping.Add(p.Shipping); err != nil {
			return Result{}, err
		}
		res.Packages = append(res.Packages, p)
	}
	for _, it := range req.Items {
		if !it.OwnContainer {
			continue
		}
		for range it.Quantity {
			p := Package{Inner: it.Dimensions, Outer: it.Dimensions, Content: it.Weight, Gross: it.Weight,
				Placements: []Placement{{Item: it.ID, Size: it.Dimensions}}}
			if e.obj == ObjectiveTotalCost {
				_, m, err := e.shipParcel(Parcel{Outer: it.Dimensions, Gross: it.Weight}, total.Currency())
				if err != nil {
					return Result{}, err
				}
				p.Shipping = m
				if shipping, err = shipping.Add(p.Shipping); err != nil {
					return Result{}, err
				}
			}
			res.Packages = append(res.Packages, p)
		}
	}
	res.Cost, res.Shipping = total, shipping
	// Unpacked units, merged per item and reason in item order.
	type ir struct {
		item   int
		reason Reason
	}
	counts := map[ir]int{}
	details := map[ir]string{}
	for _, k := range s.noBox {
		key := ir{next(k), ReasonNoSupply}
		counts[key]++
		details[key] = "every box it fits in has run out"
	}
	for _, k := range s.failed {
		key := ir{next(k), ReasonConstraint}
		counts[key]++
		details[key] = "its group fits in no single box"
	}
	byID := map[string]int{}
	for i, it := range req.Items {
		byID[it.ID] = i
	}
	for _, u := range st.reasons {
		key := ir{byID[u.Item], u.Reason}
		counts[key] += u.Quantity
		details[key] = u.Detail
	}
	for i, it := range req.Items {
		for _, r := range []Reason{ReasonTooBig, ReasonTooHeavy, ReasonConstraint, ReasonNoSupply} {
			if n := counts[ir{i, r}]; n > 0 {
				res.Unpacked = append(res.Unpacked, Unpacked{Item: it.ID, Quantity: n, Reason: r, Detail: details[ir{i, r}]})
			}
		}
	}
	res.LowerBound = st.lb
	if len(s.noBox) > 0 || len(s.failed) > 0 {
		var packed []int32
		for _, b := range s.bins {
			for _, c := range b.pl {
				packed = append(packed, c.k)
			}
		}
		res.LowerBound = e.lowerBound(packed)
	}
	return res, nil
}

// settle returns the placements of a box with every unit lowered until it
// stands on the floor or on a unit below it: extreme points can leave a
// unit above a gap, resting on nothing. Units go down in order of height,
// each onto the highest top under its footprint among those already
// settled, so none overlaps another. Nothing is ever above a fragile unit,
// so none lands on one.
func settle(pl []plc) []plc {
	out := slices.Clone(pl)
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpI(out[a].p[2], out[b].p[2]) })
	for n, i := range idx {
		c := &out[i]
		var land int64
		for _, j := range idx[:n] {
			d := &out[j]
			if top := d.p[2] + d.s[2]; top > land && top <= c.p[2] &&
				c.p[0] < d.p[0]+d.s[0] && d.p[0] < c.p[0]+c.s[0] && c.p[1] < d.p[1]+d.s[1] && d.p[1] < c.p[1]+c.s[1] {
				land = top
			}
		}
		c.p[2] = land
	}
	return out
}
