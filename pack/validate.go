package pack

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fulfillkit/fulfill"
)

// costScale is the number of decimals costs are kept to inside the search:
// costs are exact integers of 10^-9 currency units.
const costScale = 9

// Validate reports everything wrong with the request, as *[FieldError]
// values joined with [errors.Join]; nil means it can be packed.
func (r Request) Validate() error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &FieldError{Field: field, Value: value, Reason: reason})
	}
	ids := make(map[string]bool, len(r.Items))
	units := 0
	for i, it := range r.Items {
		p := fmt.Sprintf("items[%d]", i)
		switch {
		case it.ID == "":
			bad(p+".id", it.ID, "required")
		case ids[it.ID]:
			bad(p+".id", it.ID, "duplicate item ID")
		}
		ids[it.ID] = true
		if err := it.Dimensions.Validate(); err != nil {
			bad(p+".dimensions", it.Dimensions.String(), "every side must be positive and at most 1 km")
		}
		if it.Weight < 0 {
			bad(p+".weight", it.Weight.String(), "must not be negative")
		}
		if it.Quantity < 1 {
			bad(p+".quantity", strconv.Itoa(it.Quantity), "must be at least 1")
		} else if units += it.Quantity; units > MaxUnits {
			errs = append(errs, &FieldError{Field: p + ".quantity", Value: strconv.Itoa(it.Quantity),
				Reason: fmt.Sprintf("more than %d units in the request", MaxUnits), Kind: ErrTooLarge})
			units = -1 << 40
		}
		if it.OwnContainer && it.Group != "" {
			bad(p+".group", it.Group, "an item in its own container cannot ship in a group")
		}
		if it.OwnContainer && len(it.Boxes) > 0 {
			bad(p+".boxes", strings.Join(it.Boxes, ","), "an item in its own container goes in no box")
		}
		if it.Rotation > RotationNone {
			bad(p+".rotation", it.Rotation.String(), "unknown rotation rule")
		}
		if it.SKU != "" {
			if err := it.SKU.Validate(); err != nil {
				bad(p+".sku", string(it.SKU), "not a valid SKU")
			}
		}
	}
	boxIDs := make(map[string]bool, len(r.Boxes))
	var cur fulfill.Currency
	for i, b := range r.Boxes {
		p := fmt.Sprintf("boxes[%d]", i)
		switch {
		case b.ID == "":
			bad(p+".id", b.ID, "required")
		case boxIDs[b.ID]:
			bad(p+".id", b.ID, "duplicate box ID")
		}
		boxIDs[b.ID] = true
		if err := b.Inner.Validate(); err != nil {
			bad(p+".inner", b.Inner.String(), "every side must be positive and at most 1 km")
		}
		if b.Outer != (fulfill.Dimensions{}) {
			if err := b.Outer.Validate(); err != nil {
				bad(p+".outer", b.Outer.String(), "every side must be positive and at most 1 km")
			} else if b.Outer.Length < b.Inner.Length || b.Outer.Width < b.Inner.Width || b.Outer.Height < b.Inner.Height {
				bad(p+".outer", b.Outer.String(), "smaller than the inner dimensions "+b.Inner.String())
			}
		}
		if b.Tare < 0 {
			bad(p+".tare", b.Tare.String(), "must not be negative")
		}
		if b.MaxContent < 0 {
			bad(p+".max_content", b.MaxContent.String(), "must not be negative")
		}
		if b.Supply < 0 {
			bad(p+".supply", strconv.Itoa(b.Supply), "must not be negative (0 means unlimited)")
		}
		if b.Cost.Sign() < 0 {
			bad(p+".cost", b.Cost.String(), "must not be negative")
		}
		if _, err := costUnits(b.Cost); err != nil {
			bad(p+".cost", b.Cost.String(), err.Error())
		}
		if c := b.Cost.Currency(); c != "" {
			if cur == "" {
				cur = c
			} else if c != cur {
				bad(p+".cost", b.Cost.String(), fmt.Sprintf("currency %s differs from %s of an earlier box", c, cur))
			}
		}
	}
	for i, it := range r.Items {
		for j, id := range it.Boxes {
			if !boxIDs[id] {
				bad(fmt.Sprintf("items[%d].boxes[%d]", i, j), id, "no box of the catalogue has this ID")
			}
		}
	}
	if r.MinSupport < 0 || r.MinSupport > 100 {
		bad("min_support", strconv.Itoa(r.MinSupport), "must be a percentage from 0 to 100")
	}
	return errors.Join(errs...)
}

// costUnits converts a cost to an exact count of 10^-9 currency units.
func costUnits(m fulfill.Money) (int64, error) {
	d := m.Amount().Shift(costScale)
	if !d.IsInteger() {
		return 0, fmt.Errorf("more than %d decimals", costScale)
	}
	v := d.BigInt()
	if !v.IsInt64() || v.Int64() > 1<<60 || v.Int64() < -(1<<60) {
		return 0, errors.New("out of range")
	}
	return v.Int64(), nil
}

// validate checks the options.
func (o *Options) validate() error {
	var errs []error
	if o.Objective > ObjectiveTotalCost {
		errs = append(errs, &FieldError{Field: "objective", Value: o.Objective.String(), Reason: "unknown objective"})
	}
	if o.Objective == ObjectiveTotalCost && o.Shipping == nil {
		errs = append(errs, &FieldError{Field: "shipping", Value: "nil", Reason: "required by the total_cost objective"})
	}
	if o.Mode > ModeThorough {
		errs = append(errs, &FieldError{Field: "mode", Value: o.Mode.String(), Reason: "unknown mode"})
	}
	if o.MaxWork < 0 {
		errs = append(errs, &FieldError{Field: "max_work", Value: strconv.FormatInt(o.MaxWork, 10), Reason: "must not be negative"})
	}
	return errors.Join(errs...)
}
