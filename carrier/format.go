package carrier

import (
	"strconv"
	"strings"

	"github.com/fulfillkit/fulfill"
)

// fmtScaled formats v/unit with at most three decimals, halves up, and no
// trailing zeros, followed by suffix. It is for explanation texts only.
func fmtScaled(v, unit int64, suffix string) string {
	neg := v < 0
	if neg {
		v = -v
	}
	whole, rem := v/unit, v%unit
	frac := (rem*1000 + unit/2) / unit
	if frac == 1000 {
		whole, frac = whole+1, 0
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(strconv.FormatInt(whole, 10))
	if frac != 0 {
		f := strconv.FormatInt(frac+1000, 10)[1:]
		b.WriteByte('.')
		b.WriteString(strings.TrimRight(f, "0"))
	}
	b.WriteString(suffix)
	return b.String()
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
	return fmtScaled(int64(d.Length), unit, "") + "x" + fmtScaled(int64(d.Width), unit, "") + "x" + fmtScaled(int64(d.Height), unit, suffix)
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
