package pack

import (
	"fmt"
	"slices"

	"github.com/fulfillkit/fulfill"
)

// RotationRule says how an item may be turned in its box. The zero value is
// [RotationAny].
type RotationRule uint8

// Rotation rules.
const (
	// RotationAny allows all six orientations.
	RotationAny RotationRule = iota
	// RotationUpright keeps the item's height vertical ("this way up"): it
	// may only be turned about the vertical axis.
	RotationUpright
	// RotationNone keeps the item exactly as given: length along x, width
	// along y, height vertical.
	RotationNone
)

// String returns "any", "upright" or "none".
func (r RotationRule) String() string {
	switch r {
	case RotationAny:
		return "any"
	case RotationUpright:
		return "upright"
	case RotationNone:
		return "none"
	}
	return fmt.Sprintf("RotationRule(%d)", uint8(r))
}

// ParseRotationRule reads "any", "upright" or "none" (and "" as "any").
func ParseRotationRule(s string) (RotationRule, error) {
	switch s {
	case "", "any":
		return RotationAny, nil
	case "upright":
		return RotationUpright, nil
	case "none":
		return RotationNone, nil
	}
	return 0, &FieldError{Field: "rotation", Value: s, Reason: `want "any", "upright" or "none"`}
}

// Allows reports whether the rule permits placing an item turned by r.
func (r RotationRule) Allows(rot fulfill.Rotation) bool {
	switch r {
	case RotationAny:
		return int(rot) < len(fulfill.Rotations)
	case RotationUpright:
		return rot.Upright()
	case RotationNone:
		return rot == fulfill.RotationLWH
	}
	return false
}

// Item is one line of things to pack: Quantity identical units.
type Item struct {
	// ID names the item in placements and errors; it must be unique in a
	// request.
	ID string
	// SKU is the host's product code; optional, informative.
	SKU fulfill.SKU
	// Dimensions are the outer sizes of one unit.
	Dimensions fulfill.Dimensions
	// Weight is the mass of one unit; it may be zero.
	Weight fulfill.Mass
	// Quantity is the number of units, at least 1.
	Quantity int
	// Rotation says how a unit may be turned. The zero value allows any
	// orientation.
	Rotation RotationRule
	// Fragile means nothing may be placed above a unit: no other item may
	// overlap its footprint higher up in the box.
	Fragile bool
	// NotStackable means a unit must stand on the floor of its box, never
	// on top of another item.
	NotStackable bool
	// OwnContainer means a unit ships in its own packaging, without a box:
	// it becomes a package of its own with an empty Box.
	OwnContainer bool
	// ShipAlone means a unit must be the only thing in its box.
	ShipAlone bool
	// Group, if not empty, makes every unit of every item with the same
	// Group ship in one box (items that must travel together).
	Group string
	// Hazmat, if not empty, is a segregation class: items whose non-empty
	// classes differ never share a box. Items of the same class, and items
	// without a class, may share.
	Hazmat string
	// Boxes, if not empty, restricts the item to these box types, by
	// [Box.ID]: a padded box for glassware, a leak-proof one for
	// liquids. A unit that fits none of them comes back unpacked with
	// [ReasonConstraint].
	Boxes []string
}

// allows reports whether the item may be packed in box type id.
func (it *Item) allows(id string) bool {
	return len(it.Boxes) == 0 || slices.Contains(it.Boxes, id)
}

// Box is one type of shipping box in the catalogue.
type Box struct {
	// ID names the box type in results; it must be unique in a request.
	ID string
	// Inner are the usable inside dimensions: x along Length, y along
	// Width, z vertical along Height.
	Inner fulfill.Dimensions
	// Outer are the outside dimensions, used for shipping estimates; the
	// zero value means the same as Inner.
	Outer fulfill.Dimensions
	// Tare is the mass of the empty box.
	Tare fulfill.Mass
	// MaxContent is the largest total mass of the items in one box; zero
	// means no limit.
	MaxContent fulfill.Mass
	// Cost is the price of one box. The zero Money means free. All costs
	// of a request must share one currency.
	Cost fulfill.Money
	// Supply is how many boxes of this type may be used; zero means
	// unlimited.
	Supply int
	// Channels, if not empty, restricts the box to requests whose Channel
	// is in the list.
	Channels []string
	// Carriers, if not empty, restricts the box to requests whose Carrier
	// is in the list.
	Carriers []string
}

// outer returns the outside dimensions, defaulting to the inner ones.
func (b Box) outer() fulfill.Dimensions {
	if b.Outer == (fulfill.Dimensions{}) {
		return b.Inner
	}
	return b.Outer
}

// usable reports whether the box may be used for a request on channel and
// carrier.
func (b Box) usable(channel, carrier string) bool {
	return allowed(b.Channels, channel) && allowed(b.Carriers, carrier)
}

func allowed(list []string, v string) bool {
	if len(list) == 0 {
		return true
	}
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Request is what to pack and into which boxes.
type Request struct {
	// Items to pack. Their IDs must be unique.
	Items []Item
	// Boxes is the catalogue. Box IDs must be unique.
	Boxes []Box
	// Channel selects the boxes enabled for a sales channel; boxes with
	// an empty Channels list are enabled everywhere.
	Channel string
	// Carrier selects the boxes enabled for a carrier, in the same way.
	Carrier string
	// MinSupport is the least share of the base of a unit above the box's
	// floor, in percent (0 to 100), that must rest on the tops of units
	// under it, so that packings stay stable when the box is moved: 100
	// asks for full support. With 0 a unit only has to touch a unit under
	// it.
	MinSupport int
}

// Objective is what the packer minimises. The zero value is
// [ObjectiveBoxes].
type Objective uint8

// Objectives.
const (
	// ObjectiveBoxes minimises the number of boxes, then their total cost.
	ObjectiveBoxes Objective = iota
	// ObjectiveCost minimises the total cost of the boxes, then their number.
	// It ignores postage: where each parcel is charged, splitting an order
	// over more, cheaper boxes can cost more to send than it saves. Use
	// [ObjectiveTotalCost] with a rate estimate there.
	ObjectiveCost
	// ObjectiveTotalCost minimises the cost of the boxes plus the shipping
	// cost [Options.Shipping] estimates for each package.
	ObjectiveTotalCost
)

// String returns "boxes", "cost" or "total_cost".
func (o Objective) String() string {
	switch o {
	case ObjectiveBoxes:
		return "boxes"
	case ObjectiveCost:
		return "cost"
	case ObjectiveTotalCost:
		return "total_cost"
	}
	return fmt.Sprintf("Objective(%d)", uint8(o))
}

// Mode trades time for quality. The zero value is [ModeFast].
type Mode uint8

// Modes.
const (
	// ModeFast does a few constructions and a short improvement phase:
	// milliseconds for an ordinary order.
	ModeFast Mode = iota
	// ModeThorough does many constructions and improves until its work
	// budget is spent, the lower bound is met, or the context ends: give it
	// a deadline (about a second for a large order).
	ModeThorough
)

// String returns "fast" or "thorough".
func (m Mode) String() string {
	switch m {
	case ModeFast:
		return "fast"
	case ModeThorough:
		return "thorough"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Parcel describes one package to a [ShippingFunc].
type Parcel struct {
	Box   string             // the box ID, empty for an item in its own container
	Outer fulfill.Dimensions // the outside dimensions
	Gross fulfill.Mass       // the contents plus the tare
}

// ShippingFunc estimates the cost of shipping one parcel, for
// [ObjectiveTotalCost]. It is called many times during a search with the
// same arguments and must be fast and deterministic; its results must be in
// the currency of the box costs. An error stops [Pack] and is returned.
type ShippingFunc func(p Parcel) (fulfill.Money, error)

// Options tune [Pack]. The zero value packs for the fewest boxes in fast
// mode with seed 0.
type Options struct {
	// Objective is what to minimise; see [Objective].
	Objective Objective
	// Mode trades time for quality; see [Mode].
	Mode Mode
	// Seed makes the randomised parts of the search reproducible: the same
	// request, options and seed give the same result when the work budget,
	// not the context, ends the search.
	Seed uint64
	// MaxWork bounds the search, counted in candidate placements examined
	// times the units already in the box. Zero means a default of the mode
	// (30 million in fast mode, 3 billion in thorough mode, where the
	// context's deadline usually ends the search first). The first
	// packing always completes, whatever the budget.
	MaxWork int64
	// ExactUnits is the largest number of units solved by exhaustive search
	// over groupings and box types. Zero means 6 in fast mode and 8 in
	// thorough mode; a negative value turns the exact search off.
	ExactUnits int
	// Shipping estimates shipping costs; required by
	// [ObjectiveTotalCost] and ignored otherwise.
	Shipping ShippingFunc
}

// Point is a position inside a box, from its inner corner at the origin:
// X along the length, Y along the width, Z up.
type Point struct {
	X, Y, Z fulfill.Length
}

// Placement is where one unit sits in its box.
type Placement struct {
	// Item is the ID of the unit's item.
	Item string
	// Position is the corner of the unit nearest the origin.
	Position Point
	// Size is the unit's dimensions as placed: Length along x, Width along
	// y, Height along z.
	Size fulfill.Dimensions
	// Rotation is how the unit was turned from its item's dimensions.
	Rotation fulfill.Rotation
}

// Package is one box and what goes into it.
type Package struct {
	// Box is the box type's ID, or empty for an item that ships in its
	// own container.
	Box string
	// Inner are the inside dimensions of the box (of the item itself for
	// its own container).
	Inner fulfill.Dimensions
	// Outer are the outside dimensions.
	Outer fulfill.Dimensions
	// Placements has one entry per unit in the box.
	Placements []Placement
	// Content is the mass of the units; Gross adds the box's tare.
	Content, Gross fulfill.Mass
	// Cost is the cost of the box.
	Cost fulfill.Money
	// Shipping is the estimated shipping cost under [ObjectiveTotalCost],
	// and the zero Money otherwise.
	Shipping fulfill.Money
}

// Fill returns the share of the box's inner volume taken by its units,
// between 0 and 1, for display.
func (p Package) Fill() float64 {
	var used float64
	for _, pl := range p.Placements {
		used += pl.Size.Length.Millimeters() * pl.Size.Width.Millimeters() * pl.Size.Height.Millimeters()
	}
	total := p.Inner.Length.Millimeters() * p.Inner.Width.Millimeters() * p.Inner.Height.Millimeters()
	if total <= 0 {
		return 0
	}
	return used / total
}

// Reason says why a unit could not be packed.
type Reason string

// Reasons for unpacked units.
const (
	// ReasonTooBig: the unit fits in no enabled box in any allowed
	// orientation.
	ReasonTooBig Reason = "too_big"
	// ReasonTooHeavy: the unit fits in some box but is heavier than each
	// such box may carry.
	ReasonTooHeavy Reason = "too_heavy"
	// ReasonConstraint: the unit's constraints cannot be met, such as a
	// group that fits in no single box.
	ReasonConstraint Reason = "constraint"
	// ReasonNoSupply: the boxes it fits in have run out.
	ReasonNoSupply Reason = "no_supply"
)

// Unpacked reports units of an item that are not in any package.
type Unpacked struct {
	Item     string // the item's ID
	Quantity int    // how many of its units
	Reason   Reason // why
	Detail   string // a sentence for people, such as "300mmx230mmx30mm fits in no box"
}

// Result is a packing.
type Result struct {
	// Packages lists the boxes used, each with its placements.
	Packages []Package
	// Unpacked lists the units that could not be packed, and why.
	Unpacked []Unpacked
	// LowerBound is a proven lower bound on the number of boxes needed for
	// the packed units (not counting items in their own containers); a
	// result with that many boxes is optimal in box count.
	LowerBound int
	// Cost is the total cost of the boxes.
	Cost fulfill.Money
	// Shipping is the total estimated shipping cost under
	// [ObjectiveTotalCost], and the zero Money otherwise.
	Shipping fulfill.Money
}

// Boxes returns the number of packages that use a box.
func (r Result) Boxes() int {
	n := 0
	for _, p := range r.Packages {
		if p.Box != "" {
			n++
		}
	}
	return n
}
