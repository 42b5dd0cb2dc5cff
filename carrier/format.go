package carrier

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/fulfillkit/fulfill"
)

// fmtScaled formats v/unit with at most three decimals, halves up, and no
// trailing zeros, followed by suffix. It is for explanation texts only.
func fmtScaled(v, unit int64, suffix string) string {
	var buf [48]byte
	b := appendScaled(buf[:0], v, unit)
	b = append(b, suffix...)
	return string(b)
}

func appendScaled(b []byte, v, unit int64) []byte {
	neg := v < 0
	if neg {
		v = -v
	}
	whole, rem := v/unit, v%unit
	frac := (rem*1000 + unit/2) / unit
	if frac == 1000 {
		whole, frac = whole+1, 0
	}
	if neg {
		b = append(b, '-')
	}
	b = strconv.AppendInt(b, whole, 10)
	if frac != 0 {
		d := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
		n := 3
		for n > 0 && d[n-1] == '0' {
			n--
		}
		b = append(b, '.')
		b = append(b, d[:n]...)
	}
	return b
}

func fmtMass(m fulfill.Mass, u Units) string {
	if u == UnitsMetric {
		return fmtScaled(int64(m), int64(fulfill.Kilogram), "kg")
	}
	return fmtScaled(int64(m), int64(fulfill.Pound), "lb")
}

func fmtLength(l fulfill.Length, u Units) string {
	if u == UnitsMetric {
		return fmtScaled(int64(l), int64(fulfill.Centimeter), "cm")
	}
	return fmtScaled(int64(l), int64(fulfill.Inch), "in")
}

func fmtDims(d fulfill.Dimensions, u Units) string {
	unit, suffix := int64(fulfill.Inch), "in"
	if u == UnitsMetric {
		unit, suffix = int64(fulfill.Centimeter), "cm"
	}
	var buf [96]byte
	b := appendScaled(buf[:0], int64(d.Length), unit)
	b = append(b, 'x')
	b = appendScaled(b, int64(d.Width), unit)
	b = append(b, 'x')
	b = appendScaled(b, int64(d.Height), unit)
	return string(append(b, suffix...))
}

func cubicSuffix(u Units) string {
	if u == UnitsMetric {
		return "cm³"
	}
	return "in³"
}

func fmtVolume(v fulfill.Volume, u Units) string {
	if u == UnitsMetric {
		return fmtScaled(int64(v), int64(fulfill.CubicCentimeter), "cm³")
	}
	return fmtScaled(int64(v), int64(fulfill.CubicInch), "in³")
}

// pow10 holds 10^0 to 10^18.
var pow10 = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// fmtMoney returns exactly m.String(), without the allocations of the
// general decimal formatting when the amount fits in an int64 at its
// currency's scale.
func fmtMoney(m fulfill.Money) string {
	a := m.Amount()
	minor, ok := m.Currency().MinorUnits()
	exp := a.Exponent()
	if !ok || exp > 0 || exp < -18 || a.NumDigits() > 18 {
		return m.String()
	}
	places := max(minor, -exp)
	if places > 18 {
		return m.String()
	}
	c := a.CoefficientInt64()
	shift := places + exp // >= 0: extra zeros to show
	if shift > 18 {
		return m.String()
	}
	if hi, lo := bits.Mul64(absU64(c), uint64(pow10[shift])); hi != 0 || lo > math.MaxInt64 {
		return m.String()
	}
	c *= pow10[shift]
	var buf [48]byte
	b := buf[:0]
	if c < 0 {
		b = append(b, '-')
	}
	u := absU64(c)
	unit := uint64(pow10[places])
	b = strconv.AppendUint(b, u/unit, 10)
	if places > 0 {
		b = append(b, '.')
		var fb [24]byte
		frac := strconv.AppendUint(fb[:0], u%unit+unit, 10)
		b = append(b, frac[1:]...)
	}
	b = append(b, ' ')
	b = append(b, m.Currency()...)
	return string(b)
}

// addInt64 returns a+b and whether it fits in an int64.
func addInt64(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

// mulInt64 returns a*b and whether it fits in an int64.
func mulInt64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	return p, p/b == a && !(a == -1 && b == math.MinInt64) && !(b == -1 && a == math.MinInt64)
}

func absU64(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}
