package fulfill

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// Volume is a volume counted in cubic micrometres (µm³) as an int64, so that
// the volume of any [Dimensions] is exact. The representable range is about
// 9.2 m³ (325 ft³): room for any parcel, pallet or shipping box;
// [Dimensions.Volume] reports anything larger as an overflow.
type Volume int64

// Units of [Volume].
const (
	CubicMillimeter Volume = 1_000_000_000
	CubicCentimeter Volume = 1000 * CubicMillimeter
	Liter           Volume = 1000 * CubicCentimeter
	CubicMeter      Volume = 1000 * Liter
	CubicInch       Volume = 16_387_064_000_000 // 25,400³ µm³
	CubicFoot       Volume = 1728 * CubicInch
)

// Liters returns v as a floating-point number of litres.
func (v Volume) Liters() float64 { return float64(v) / float64(Liter) }

// CubicInches returns v as a floating-point number of cubic inches.
func (v Volume) CubicInches() float64 { return float64(v) / float64(CubicInch) }

// CubicMeters returns v as a floating-point number of cubic metres.
func (v Volume) CubicMeters() float64 { return float64(v) / float64(CubicMeter) }

// String formats v in litres, exactly: "1.5l", "0.000001l".
func (v Volume) String() string {
	if v == 0 {
		return "0l"
	}
	return formatScaled(int64(v), uint64(Liter), "l")
}

// MaxSide is the longest side [Dimensions.Validate] accepts: 1 km, far beyond
// any real package, so that sums such as length plus girth never overflow.
const MaxSide = Kilometer

// Dimensions are the outer (or, for a box, inner) sizes of a cuboid: Length
// along x, Width along y, Height vertical (z). "This way up" keeps Height
// vertical. Dimensions is an immutable value; the zero value has no size.
type Dimensions struct {
	Length Length `json:"length"`
	Width  Length `json:"width"`
	Height Length `json:"height"`
}

// Dims returns Dimensions{l, w, h}; a shorthand for literals.
func Dims(l, w, h Length) Dimensions { return Dimensions{Length: l, Width: w, Height: h} }

// Validate reports whether every side is positive and at most [MaxSide]. It
// returns *[FieldError] values joined with [errors.Join], each unwrapping to
// [ErrInvalidDimensions].
func (d Dimensions) Validate() error {
	var errs []error
	for _, s := range []struct {
		name string
		v    Length
	}{{"length", d.Length}, {"width", d.Width}, {"height", d.Height}} {
		switch {
		case s.v <= 0:
			errs = append(errs, &FieldError{Field: s.name, Value: s.v.String(), Reason: "must be positive", Kind: ErrInvalidDimensions})
		case s.v > MaxSide:
			errs = append(errs, &FieldError{Field: s.name, Value: s.v.String(), Reason: "longer than 1 km", Kind: ErrInvalidDimensions})
		}
	}
	return errors.Join(errs...)
}

// Volume returns Length x Width x Height exactly, or an error wrapping
// [ErrOverflow] if the product is beyond the range of [Volume] or a side is
// negative.
func (d Dimensions) Volume() (Volume, error) {
	if d.Length < 0 || d.Width < 0 || d.Height < 0 {
		return 0, fmt.Errorf("%w: volume of %v: negative side", ErrInvalidDimensions, d)
	}
	hi, lw := bits.Mul64(uint64(d.Length), uint64(d.Width))
	if hi == 0 {
		var lo uint64
		hi, lo = bits.Mul64(lw, uint64(d.Height))
		if hi == 0 && lo <= math.MaxInt64 {
			return Volume(lo), nil
		}
	}
	return 0, &OverflowError{Op: "Dimensions.Volume", Operands: []string{d.String()}}
}

// Sorted returns d with its sides in decreasing order: Length >= Width >= Height.
func (d Dimensions) Sorted() Dimensions {
	a, b, c := d.Length, d.Width, d.Height
	if a < b {
		a, b = b, a
	}
	if b < c {
		b, c = c, b
	}
	if a < b {
		a, b = b, a
	}
	return Dimensions{Length: a, Width: b, Height: c}
}

// Longest returns the longest side.
func (d Dimensions) Longest() Length { return d.Sorted().Length }

// Girth returns the distance around the package measured perpendicular to its
// longest side: twice the second side plus twice the shortest, as carriers
// define it. It saturates at [MaxLength] rather than overflow.
func (d Dimensions) Girth() Length {
	s := d.Sorted()
	return satSum(s.Width, s.Width, s.Height, s.Height)
}

// LengthPlusGirth returns the longest side plus [Dimensions.Girth], the
// measure carriers limit (for example 165 in) and surcharge.
func (d Dimensions) LengthPlusGirth() Length {
	s := d.Sorted()
	return satSum(s.Length, s.Width, s.Width, s.Height, s.Height)
}

// satSum adds lengths, saturating at the int64 range.
func satSum(ls ...Length) Length {
	var t int64
	for _, l := range ls {
		s, ok := addInt64(t, int64(l))
		if !ok {
			if l > 0 {
				return MaxLength
			}
			return math.MinInt64
		}
		t = s
	}
	return Length(t)
}

// Rotation names one of the six ways to place a cuboid with its sides along
// the axes: which original side ends up along x, y and z. The zero value,
// [RotationLWH], leaves it as it is.
type Rotation uint8

// The six rotations, named by the original sides that end up along x, y, z.
const (
	RotationLWH Rotation = iota // as given
	RotationWLH                 // turned a quarter about the vertical axis
	RotationLHW                 // laid on its side
	RotationHLW
	RotationWHL
	RotationHWL
)

// Rotations lists every [Rotation], the upright ones first.
var Rotations = [6]Rotation{RotationLWH, RotationWLH, RotationLHW, RotationHLW, RotationWHL, RotationHWL}

// Upright reports whether r keeps the original height vertical ("this way up").
func (r Rotation) Upright() bool { return r == RotationLWH || r == RotationWLH }

// String returns the rotation's name such as "LWH".
func (r Rotation) String() string {
	if int(r) < len(rotationNames) {
		return rotationNames[r]
	}
	return fmt.Sprintf("Rotation(%d)", uint8(r))
}

var rotationNames = [...]string{"LWH", "WLH", "LHW", "HLW", "WHL", "HWL"}

// Rotate returns d turned by r. An unknown r returns d unchanged.
func (d Dimensions) Rotate(r Rotation) Dimensions {
	l, w, h := d.Length, d.Width, d.Height
	switch r {
	case RotationWLH:
		return Dimensions{w, l, h}
	case RotationLHW:
		return Dimensions{l, h, w}
	case RotationHLW:
		return Dimensions{h, l, w}
	case RotationWHL:
		return Dimensions{w, h, l}
	case RotationHWL:
		return Dimensions{h, w, l}
	}
	return d
}

// Orientations returns the distinct results of turning d by each [Rotation],
// in the order of [Rotations]: six for a brick, three for a square rod, one
// for a cube.
func (d Dimensions) Orientations() []Dimensions {
	out := make([]Dimensions, 0, 6)
	for _, r := range Rotations {
		o := d.Rotate(r)
		seen := false
		for _, p := range out {
			seen = seen || p == o
		}
		if !seen {
			out = append(out, o)
		}
	}
	return out
}

// Fits reports whether d fits inside the space inside in some orientation,
// allowing any rotation: true exactly when each side of d, sorted, is no
// longer than the matching side of inside, sorted.
func (d Dimensions) Fits(inside Dimensions) bool {
	a, b := d.Sorted(), inside.Sorted()
	return a.Length <= b.Length && a.Width <= b.Width && a.Height <= b.Height
}

// FitsUpright reports whether d fits inside with its height kept vertical,
// turning it about the vertical axis if needed.
func (d Dimensions) FitsUpright(inside Dimensions) bool {
	if d.Height > inside.Height {
		return false
	}
	return (d.Length <= inside.Length && d.Width <= inside.Width) ||
		(d.Width <= inside.Length && d.Length <= inside.Width)
}

// String returns "LxWxH" with each side in its [Length.String] form, such as
// "300mmx230mmx30mm".
func (d Dimensions) String() string {
	return d.Length.String() + "x" + d.Width.String() + "x" + d.Height.String()
}

// ParseDimensions parses "LxWxH" with a unit on each side ("30cmx20cmx10cm")
// or one unit for all three after the last ("12x10x8 in", "300 x 230 x 30mm").
// Errors are *[ParseError] values wrapping [ErrSyntax] or [ErrOverflow].
func ParseDimensions(s string) (Dimensions, error) {
	fail := func(err error) (Dimensions, error) {
		return Dimensions{}, &ParseError{Func: "ParseDimensions", Input: s, Err: err}
	}
	parts := strings.Split(strings.ToLower(s), "x")
	if len(parts) != 3 {
		return fail(fmt.Errorf("%w: want three sides separated by x", ErrSyntax))
	}
	last := strings.TrimSpace(parts[2])
	unit := strings.TrimLeft(last, "0123456789. ")
	var sides [3]Length
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if i < 2 && strings.TrimLeft(p, "0123456789. ") == "" {
			p += unit // a bare number takes the unit written after the last side
		}
		l, err := ParseLength(p)
		if err != nil {
			return fail(err.(*ParseError).Err)
		}
		sides[i] = l
	}
	return Dimensions{Length: sides[0], Width: sides[1], Height: sides[2]}, nil
}
