package pack

import (
	"errors"
	"fmt"
	"slices"

	"github.com/fulfillkit/fulfill"
)

// Verify checks res against req independently of how it was produced, and
// returns nil if it is a valid packing. Otherwise it returns every
// *[Problem] found, joined with [errors.Join] (list them with [Problems]);
// each unwraps to [ErrInvalidResult]. An invalid request returns its
// validation error instead.
//
// It checks that each unit of each item is placed or reported unpacked
// exactly once; that every package uses a known box enabled for the
// request's channel and carrier, within its supply; that every placement
// has the item's dimensions in an orientation its rotation rule allows, lies
// inside the box, overlaps no other placement and stands on the box's floor
// or on the tops of units under it, over at least the request's MinSupport
// share of its base; that content and gross
// weights are reported correctly and within the box's limit; that costs add
// up; that fragile, not-stackable, own-container, ship-alone, group,
// hazmat and allowed-box constraints hold; that "too big" and "too heavy" explanations are
// true; and that the lower bound does not exceed the boxes used.
// Shipping estimates are not checked.
func Verify(req Request, res Result) error {
	if err := req.Validate(); err != nil {
		return err
	}
	var probs []error
	add := func(pkg int, item, format string, args ...any) {
		probs = append(probs, &Problem{Package: pkg, Item: item, What: fmt.Sprintf(format, args...)})
	}
	items := make(map[string]*Item, len(req.Items))
	for i := range req.Items {
		items[req.Items[i].ID] = &req.Items[i]
	}
	boxes := make(map[string]*Box, len(req.Boxes))
	for i := range req.Boxes {
		boxes[req.Boxes[i].ID] = &req.Boxes[i]
	}
	count := make(map[string]int, len(items))
	used := make(map[string]int)
	groupPkg := make(map[string]int)
	var total fulfill.Money
	for pi, p := range res.Packages {
		var box *Box
		if p.Box == "" {
			if len(p.Placements) != 1 {
				add(pi, "", "a package without a box holds %d units, want one item in its own container", len(p.Placements))
			}
		} else if box = boxes[p.Box]; box == nil {
			add(pi, "", "unknown box %q", p.Box)
		} else {
			if !box.usable(req.Channel, req.Carrier) {
				add(pi, "", "box %q is not enabled for channel %q and carrier %q", p.Box, req.Channel, req.Carrier)
			}
			used[p.Box]++
			if box.Supply > 0 && used[p.Box] == box.Supply+1 {
				add(pi, "", "box %q used more than its supply of %d", p.Box, box.Supply)
			}
			if p.Inner != box.Inner {
				add(pi, "", "inner dimensions %v differ from box %q's %v", p.Inner, p.Box, box.Inner)
			}
			if !p.Cost.Equal(box.Cost) {
				add(pi, "", "cost %v differs from box %q's %v", p.Cost, p.Box, box.Cost)
			}
		}
		if len(p.Placements) == 0 {
			add(pi, "", "empty package")
		}
		var content fulfill.Mass
		hazmat := ""
		for _, pl := range p.Placements {
			it := items[pl.Item]
			if it == nil {
				add(pi, pl.Item, "unknown item")
				continue
			}
			count[it.ID]++
			content += it.Weight
			switch {
			case int(pl.Rotation) >= len(fulfill.Rotations) || it.Dimensions.Rotate(pl.Rotation) != pl.Size:
				add(pi, it.ID, "size %v is not %v turned by %v", pl.Size, it.Dimensions, pl.Rotation)
			case !it.Rotation.Allows(pl.Rotation):
				add(pi, it.ID, "turned %v, which its rotation rule %q forbids", pl.Rotation, it.Rotation)
			}
			if it.Group != "" {
				if g, ok := groupPkg[it.Group]; ok && g != pi {
					add(pi, it.ID, "group %q is split across packages %d and %d", it.Group, g, pi)
				}
				groupPkg[it.Group] = pi
			}
			if box == nil {
				if !it.OwnContainer {
					add(pi, it.ID, "placed without a box but not marked to ship in its own container")
				}
				if pl.Position != (Point{}) || p.Inner != pl.Size {
					add(pi, it.ID, "an item in its own container must sit at the origin of its own dimensions")
				}
				continue
			}
			if it.OwnContainer {
				add(pi, it.ID, "ships in its own container but is in box %q", p.Box)
			}
			if !it.allows(p.Box) {
				add(pi, it.ID, "is in box %q, not one of its boxes %v", p.Box, it.Boxes)
			}
			if pl.Position.X < 0 || pl.Position.Y < 0 || pl.Position.Z < 0 ||
				pl.Position.X+pl.Size.Length > box.Inner.Length ||
				pl.Position.Y+pl.Size.Width > box.Inner.Width ||
				pl.Position.Z+pl.Size.Height > box.Inner.Height {
				add(pi, it.ID, "at %v size %v is not inside box %q of %v", pl.Position, pl.Size, p.Box, box.Inner)
			}
			if it.NotStackable && pl.Position.Z != 0 {
				add(pi, it.ID, "not stackable but stands at height %v", pl.Position.Z)
			}
			if it.ShipAlone && len(p.Placements) != 1 {
				add(pi, it.ID, "must ship alone but shares its box with %d other units", len(p.Placements)-1)
			}
			if it.Hazmat != "" {
				if hazmat != "" && hazmat != it.Hazmat {
					add(pi, it.ID, "hazmat class %q shares a box with class %q", it.Hazmat, hazmat)
				}
				hazmat = it.Hazmat
			}
		}
		if box != nil {
			verifyGeometry(p, items, req.MinSupport, func(item, format string, args ...any) { add(pi, item, format, args...) })
			if box.MaxContent > 0 && content > box.MaxContent {
				add(pi, "", "content %v is over box %q's limit of %v", content, p.Box, box.MaxContent)
			}
		}
		tare := fulfill.Mass(0)
		if box != nil {
			tare = box.Tare
		}
		if p.Content != content {
			add(pi, "", "content weight reported as %v, the units weigh %v", p.Content, content)
		}
		if p.Gross != content+tare {
			add(pi, "", "gross weight reported as %v, want %v", p.Gross, content+tare)
		}
		var err error
		if total, err = total.Add(p.Cost); err != nil {
			add(pi, "", "cost: %v", err)
		}
	}
	if !res.Cost.Equal(total) {
		add(-1, "", "total cost reported as %v, the packages cost %v", res.Cost, total)
	}
	for _, u := range res.Unpacked {
		it := items[u.Item]
		if it == nil {
			add(-1, u.Item, "unknown item reported unpacked")
			continue
		}
		if u.Quantity < 1 {
			add(-1, u.Item, "unpacked quantity %d", u.Quantity)
			continue
		}
		count[it.ID] += u.Quantity
		switch u.Reason {
		case ReasonTooBig:
			for _, b := range req.Boxes {
				if b.usable(req.Channel, req.Carrier) && fitsRule(it.Dimensions, it.Rotation, b.Inner) {
					add(-1, u.Item, "reported too big, but fits in box %q", b.ID)
					break
				}
			}
		case ReasonTooHeavy:
			fits := false
			for _, b := range req.Boxes {
				fits = fits || b.usable(req.Channel, req.Carrier) && it.allows(b.ID) && fitsRule(it.Dimensions, it.Rotation, b.Inner)
			}
			if !fits {
				add(-1, u.Item, "reported too heavy, but fits in none of its boxes")
			}
			for _, b := range req.Boxes {
				if b.usable(req.Channel, req.Carrier) && it.allows(b.ID) && fitsRule(it.Dimensions, it.Rotation, b.Inner) &&
					(b.MaxContent == 0 || it.Weight <= b.MaxContent) {
					add(-1, u.Item, "reported too heavy, but box %q can carry it", b.ID)
					break
				}
			}
		case ReasonConstraint, ReasonNoSupply:
		default:
			add(-1, u.Item, "unknown reason %q", u.Reason)
		}
	}
	for _, it := range req.Items {
		if c := count[it.ID]; c != it.Quantity {
			add(-1, it.ID, "%d units placed or reported unpacked, want exactly %d", c, it.Quantity)
		}
	}
	if res.LowerBound > res.Boxes() {
		add(-1, "", "lower bound %d exceeds the %d boxes used", res.LowerBound, res.Boxes())
	}
	return errors.Join(probs...)
}

// verifyGeometry reports overlapping placements, units resting on nothing
// or on less than minSupport percent of their base, and units above
// fragile ones in package p.
func verifyGeometry(p Package, items map[string]*Item, minSupport int, add func(item, format string, args ...any)) {
	idx := make([]int, len(p.Placements))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpLen(p.Placements[a].Position.X, p.Placements[b].Position.X) })
	for ai, a := range idx {
		pa := p.Placements[a]
		for _, b := range idx[ai+1:] {
			pb := p.Placements[b]
			if pb.Position.X >= pa.Position.X+pa.Size.Length {
				break
			}
			if overlap1(pa.Position.Y, pa.Size.Width, pb.Position.Y, pb.Size.Width) &&
				overlap1(pa.Position.Z, pa.Size.Height, pb.Position.Z, pb.Size.Height) {
				add(pa.Item, "at %v size %v overlaps %q at %v size %v", pa.Position, pa.Size, pb.Item, pb.Position, pb.Size)
			}
		}
	}
	// Every unit stands on the floor or on a unit: some top at its base's
	// height under part of its footprint.
	for _, a := range p.Placements {
		if a.Position.Z == 0 {
			continue
		}
		var under float64
		for _, o := range p.Placements {
			if o.Position.Z+o.Size.Height == a.Position.Z &&
				overlap1(a.Position.X, a.Size.Length, o.Position.X, o.Size.Length) &&
				overlap1(a.Position.Y, a.Size.Width, o.Position.Y, o.Size.Width) {
				under += float64(min(a.Position.X+a.Size.Length, o.Position.X+o.Size.Length)-max(a.Position.X, o.Position.X)) *
					float64(min(a.Position.Y+a.Size.Width, o.Position.Y+o.Size.Width)-max(a.Position.Y, o.Position.Y))
			}
		}
		base := float64(a.Size.Length) * float64(a.Size.Width)
		switch {
		case under == 0:
			add(a.Item, "at %v rests on nothing: no unit's top is under it", a.Position)
		case under*100 < float64(minSupport)*base*(1-1e-12):
			add(a.Item, "at %v rests on %.1f%% of its base, under the %d%% asked", a.Position, 100*under/base, minSupport)
		}
	}
	// Fragile units: nothing above their footprint.
	for _, f := range p.Placements {
		if it := items[f.Item]; it == nil || !it.Fragile {
			continue
		}
		top := f.Position.Z + f.Size.Height
		for _, o := range p.Placements {
			if o.Position.Z >= top && overlap1(f.Position.X, f.Size.Length, o.Position.X, o.Size.Length) &&
				overlap1(f.Position.Y, f.Size.Width, o.Position.Y, o.Size.Width) {
				add(f.Item, "fragile, but %q at %v is above it", o.Item, o.Position)
			}
		}
	}
}

// overlap1 reports whether [a, a+la) and [b, b+lb) intersect.
func overlap1(a, la, b, lb fulfill.Length) bool { return a < b+lb && b < a+la }

func cmpLen(a, b fulfill.Length) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fitsRule reports whether d fits inside in an orientation rule allows.
func fitsRule(d fulfill.Dimensions, rule RotationRule, inside fulfill.Dimensions) bool {
	switch rule {
	case RotationNone:
		return d.Length <= inside.Length && d.Width <= inside.Width && d.Height <= inside.Height
	case RotationUpright:
		return d.FitsUpright(inside)
	}
	return d.Fits(inside)
}
