package fulfill

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Length is a distance or a size, counted in micrometres (µm) as an int64,
// in the style of [time.Duration]. The base unit makes every metric and
// imperial unit in common use exact: an [Inch] is exactly 25,400 µm, so
// 12 in is exactly 304.8 mm. The representable range is about ±9.2 million km.
//
// The zero value is zero length. Negative lengths are allowed as the result
// of a subtraction; sizes of real things ([Dimensions]) are positive.
type Length int64

// Units of [Length]. To count the units in a Length, divide:
//
//	inches := l / fulfill.Inch // whole inches, truncated
//
// To convert a number of units to a Length, multiply:
//
//	l := 12 * fulfill.Inch
const (
	Micrometer Length = 1
	Millimeter Length = 1000 * Micrometer
	Centimeter Length = 10 * Millimeter
	Meter      Length = 1000 * Millimeter
	Kilometer  Length = 1000 * Meter
	Inch       Length = 25_400 * Micrometer
	Foot       Length = 12 * Inch
	Yard       Length = 3 * Foot
)

// MaxLength is the largest representable [Length].
const MaxLength Length = math.MaxInt64

// Mass is a mass (what carriers call weight), counted in nanograms (ng) as an
// int64, in the style of [time.Duration]. The base unit makes every metric and
// avoirdupois unit exact: a [Pound] is exactly 453.59237 g and an [Ounce]
// exactly 1/16 lb. The representable range is about ±9,200 tonnes.
//
// The zero value is zero mass.
type Mass int64

// Units of [Mass]. Multiply to convert a count to a Mass, divide to count the
// units in a Mass.
const (
	Nanogram  Mass = 1
	Milligram Mass = 1_000_000 * Nanogram
	Gram      Mass = 1000 * Milligram
	Kilogram  Mass = 1000 * Gram
	Tonne     Mass = 1000 * Kilogram
	Ounce     Mass = 28_349_523_125 * Nanogram
	Pound     Mass = 16 * Ounce
)

// MaxMass is the largest representable [Mass].
const MaxMass Mass = math.MaxInt64

// Millimeters returns l as a floating-point number of millimetres.
func (l Length) Millimeters() float64 { return float64(l) / float64(Millimeter) }

// Centimeters returns l as a floating-point number of centimetres.
func (l Length) Centimeters() float64 { return float64(l) / float64(Centimeter) }

// Meters returns l as a floating-point number of metres.
func (l Length) Meters() float64 { return float64(l) / float64(Meter) }

// Inches returns l as a floating-point number of inches.
func (l Length) Inches() float64 { return float64(l) / float64(Inch) }

// Feet returns l as a floating-point number of feet.
func (l Length) Feet() float64 { return float64(l) / float64(Foot) }

// Ceil returns l rounded up (towards positive infinity) to a multiple of m,
// as carriers do when they charge "every fraction of an inch" as a whole inch:
//
//	l.Ceil(fulfill.Inch)
//
// If m <= 0, Ceil returns l unchanged. If the result would overflow, Ceil
// returns [MaxLength], as [time.Duration.Round] saturates.
func (l Length) Ceil(m Length) Length { return Length(ceilTo(int64(l), int64(m))) }

// Floor returns l rounded down (towards negative infinity) to a multiple of m.
// If m <= 0, Floor returns l unchanged; on overflow it returns math.MinInt64.
func (l Length) Floor(m Length) Length { return Length(floorTo(int64(l), int64(m))) }

// Round returns l rounded to the nearest multiple of m, halves away from zero.
// If m <= 0, Round returns l unchanged; on overflow it saturates.
func (l Length) Round(m Length) Length { return Length(roundTo(int64(l), int64(m))) }

// Add returns l+o, or an error wrapping [ErrOverflow] if the sum does not fit.
func (l Length) Add(o Length) (Length, error) {
	s, ok := addInt64(int64(l), int64(o))
	if !ok {
		return 0, &OverflowError{Op: "Length.Add", Operands: []string{l.String(), o.String()}}
	}
	return Length(s), nil
}

// Mul returns l*n, or an error wrapping [ErrOverflow] if the product does not fit.
func (l Length) Mul(n int64) (Length, error) {
	p, ok := mulInt64(int64(l), n)
	if !ok {
		return 0, &OverflowError{Op: "Length.Mul", Operands: []string{l.String(), strconv.FormatInt(n, 10)}}
	}
	return Length(p), nil
}

// String formats l as a decimal number of the largest metric unit that keeps it
// readable, with no trailing zeros: "0mm", "250µm", "304.8mm", "1.25m".
// [ParseLength] reads every such string back to exactly l.
func (l Length) String() string {
	a := absU64(int64(l))
	switch {
	case a == 0:
		return "0mm"
	case a < uint64(Millimeter):
		return formatScaled(int64(l), 1, "µm")
	case a < uint64(Meter):
		return formatScaled(int64(l), uint64(Millimeter), "mm")
	default:
		return formatScaled(int64(l), uint64(Meter), "m")
	}
}

// MarshalText encodes l as its [Length.String] form, so that JSON carries
// lengths as unit-bearing strings such as "304.8mm".
func (l Length) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText decodes a length in any form [ParseLength] accepts.
func (l *Length) UnmarshalText(b []byte) error {
	v, err := ParseLength(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Grams returns m as a floating-point number of grams.
func (m Mass) Grams() float64 { return float64(m) / float64(Gram) }

// Kilograms returns m as a floating-point number of kilograms.
func (m Mass) Kilograms() float64 { return float64(m) / float64(Kilogram) }

// Ounces returns m as a floating-point number of ounces.
func (m Mass) Ounces() float64 { return float64(m) / float64(Ounce) }

// Pounds returns m as a floating-point number of pounds.
func (m Mass) Pounds() float64 { return float64(m) / float64(Pound) }

// Ceil returns m rounded up (towards positive infinity) to a multiple of u, as
// carriers do when they bill "to the next whole pound":
//
//	billable := m.Ceil(fulfill.Pound)
//
// If u <= 0, Ceil returns m unchanged. If the result would overflow, Ceil
// returns [MaxMass].
func (m Mass) Ceil(u Mass) Mass { return Mass(ceilTo(int64(m), int64(u))) }

// Floor returns m rounded down (towards negative infinity) to a multiple of u.
// If u <= 0, Floor returns m unchanged; on overflow it returns math.MinInt64.
func (m Mass) Floor(u Mass) Mass { return Mass(floorTo(int64(m), int64(u))) }

// Round returns m rounded to the nearest multiple of u, halves away from zero.
// If u <= 0, Round returns m unchanged; on overflow it saturates.
func (m Mass) Round(u Mass) Mass { return Mass(roundTo(int64(m), int64(u))) }

// Add returns m+o, or an error wrapping [ErrOverflow] if the sum does not fit.
func (m Mass) Add(o Mass) (Mass, error) {
	s, ok := addInt64(int64(m), int64(o))
	if !ok {
		return 0, &OverflowError{Op: "Mass.Add", Operands: []string{m.String(), o.String()}}
	}
	return Mass(s), nil
}

// Mul returns m*n, for example the mass of n identical units, or an error
// wrapping [ErrOverflow] if the product does not fit.
func (m Mass) Mul(n int64) (Mass, error) {
	p, ok := mulInt64(int64(m), n)
	if !ok {
		return 0, &OverflowError{Op: "Mass.Mul", Operands: []string{m.String(), strconv.FormatInt(n, 10)}}
	}
	return Mass(p), nil
}

// String formats m as a decimal number of the largest metric unit that keeps it
// readable, with no trailing zeros: "0g", "0.5mg", "216g", "2.5kg".
// [ParseMass] reads every such string back to exactly m.
func (m Mass) String() string {
	a := absU64(int64(m))
	switch {
	case a == 0:
		return "0g"
	case a < uint64(Gram):
		return formatScaled(int64(m), uint64(Milligram), "mg")
	case a < uint64(Kilogram):
		return formatScaled(int64(m), uint64(Gram), "g")
	default:
		return formatScaled(int64(m), uint64(Kilogram), "kg")
	}
}

// MarshalText encodes m as its [Mass.String] form, such as "2.5kg".
func (m Mass) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText decodes a mass in any form [ParseMass] accepts.
func (m *Mass) UnmarshalText(b []byte) error {
	v, err := ParseMass(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// lengthUnits maps the unit names ParseLength accepts to their size.
var lengthUnits = map[string]int64{
	"um": int64(Micrometer), "µm": int64(Micrometer), "micrometer": int64(Micrometer), "micrometers": int64(Micrometer),
	"micrometre": int64(Micrometer), "micrometres": int64(Micrometer),
	"mm": int64(Millimeter), "millimeter": int64(Millimeter), "millimeters": int64(Millimeter),
	"millimetre": int64(Millimeter), "millimetres": int64(Millimeter),
	"cm": int64(Centimeter), "centimeter": int64(Centimeter), "centimeters": int64(Centimeter),
	"centimetre": int64(Centimeter), "centimetres": int64(Centimeter),
	"m": int64(Meter), "meter": int64(Meter), "meters": int64(Meter), "metre": int64(Meter), "metres": int64(Meter),
	"km": int64(Kilometer),
	"in": int64(Inch), "inch": int64(Inch), "inches": int64(Inch), `"`: int64(Inch),
	"ft": int64(Foot), "foot": int64(Foot), "feet": int64(Foot), "'": int64(Foot),
	"yd": int64(Yard), "yard": int64(Yard), "yards": int64(Yard),
}

// massUnits maps the unit names ParseMass accepts to their size.
var massUnits = map[string]int64{
	"ng": int64(Nanogram),
	"mg": int64(Milligram), "milligram": int64(Milligram), "milligrams": int64(Milligram),
	"g": int64(Gram), "gram": int64(Gram), "grams": int64(Gram),
	"kg": int64(Kilogram), "kilogram": int64(Kilogram), "kilograms": int64(Kilogram), "kgs": int64(Kilogram),
	"t": int64(Tonne), "tonne": int64(Tonne), "tonnes": int64(Tonne),
	"oz": int64(Ounce), "ounce": int64(Ounce), "ounces": int64(Ounce),
	"lb": int64(Pound), "lbs": int64(Pound), "pound": int64(Pound), "pounds": int64(Pound),
}

// ParseLength parses a length written by a person or another system: a
// decimal number followed by a unit, optionally separated by spaces, such as
// "12.5in", "30 cm", "304.8mm", "1.2m" or "2ft". Several terms add up, so
// "5ft 3in" is 63 inches. Units: µm (or um), mm, cm, m, km, in (or "), ft
// (or '), yd, and their spelled-out names in English, in any case.
//
// The result is rounded to the nearest micrometre, halves away from zero; every
// value with at most three decimals of a millimetre, or written in inches with
// up to four decimals, is exact. A missing or unknown unit, a malformed
// number, and a value outside the range of [Length] return a *[ParseError]
// that wraps [ErrSyntax] or [ErrOverflow].
func ParseLength(s string) (Length, error) {
	v, err := parseQuantity("ParseLength", s, lengthUnits)
	return Length(v), err
}

// ParseMass parses a mass such as "2 lb", "750g", "1.5 kg" or "3oz". Several
// terms add up, so "2lb 4oz" is 36 ounces. Units: ng, mg, g, kg, t, oz, lb
// (or lbs), and their spelled-out names in English, in any case.
//
// The result is rounded to the nearest nanogram, halves away from zero. Errors
// are as for [ParseLength].
func ParseMass(s string) (Mass, error) {
	v, err := parseQuantity("ParseMass", s, massUnits)
	return Mass(v), err
}

// parseQuantity reads one or more "number unit" terms and sums them in the
// base unit, rejecting anything it does not fully understand.
func parseQuantity(fn, s string, units map[string]int64) (int64, error) {
	fail := func(err error) (int64, error) { return 0, &ParseError{Func: fn, Input: s, Err: err} }
	rest := strings.TrimSpace(s)
	if rest == "" {
		return fail(fmt.Errorf("%w: empty input", ErrSyntax))
	}
	var total int64
	negative := false
	if rest[0] == '-' || rest[0] == '+' {
		negative = rest[0] == '-'
		rest = strings.TrimLeft(rest[1:], " ")
	}
	for rest != "" {
		n := 0
		for n < len(rest) && (rest[n] >= '0' && rest[n] <= '9' || rest[n] == '.') {
			n++
		}
		num := rest[:n]
		rest = strings.TrimLeft(rest[n:], " ")
		u := 0
		for u < len(rest) && rest[u] != ' ' && (rest[u] < '0' || rest[u] > '9') && rest[u] != '.' {
			u++
		}
		unit := strings.ToLower(rest[:u])
		rest = strings.TrimLeft(rest[u:], " ")
		if num == "" {
			return fail(fmt.Errorf("%w: missing number before %q", ErrSyntax, unit))
		}
		if unit == "" {
			return fail(fmt.Errorf("%w: missing unit after %q", ErrSyntax, num))
		}
		size, ok := units[unit]
		if !ok {
			return fail(fmt.Errorf("%w: unknown unit %q", ErrSyntax, unit))
		}
		v, err := scaleDecimal(num, size)
		if err != nil {
			return fail(err)
		}
		var sumOK bool
		if total, sumOK = addInt64(total, v); !sumOK {
			return fail(ErrOverflow)
		}
	}
	if negative {
		total = -total
	}
	return total, nil
}

// scaleDecimal returns the decimal number num (digits with at most one point,
// no sign) times size, rounded half away from zero, computed exactly.
func scaleDecimal(num string, size int64) (int64, error) {
	if strings.Count(num, ".") > 1 || num == "." {
		return 0, fmt.Errorf("%w: malformed number %q", ErrSyntax, num)
	}
	d, err := decimal.NewFromString(num)
	if err != nil {
		return 0, fmt.Errorf("%w: malformed number %q", ErrSyntax, num)
	}
	v := d.Mul(decimal.NewFromInt(size)).Round(0).BigInt()
	if !v.IsInt64() {
		return 0, ErrOverflow
	}
	return v.Int64(), nil
}

// formatScaled writes v/unit as an exact decimal without trailing zeros.
func formatScaled(v int64, unit uint64, suffix string) string {
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	a := absU64(v)
	b.WriteString(strconv.FormatUint(a/unit, 10))
	if r := a % unit; r != 0 {
		digits := len(strconv.FormatUint(unit, 10)) - 1
		f := strconv.FormatUint(r, 10)
		b.WriteByte('.')
		b.WriteString(strings.Repeat("0", digits-len(f)))
		b.WriteString(strings.TrimRight(f, "0"))
	}
	b.WriteString(suffix)
	return b.String()
}
