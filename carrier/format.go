package carrier

import (
	"math"
	"math/bits"
	"strconv"
	"unsafe"

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

// lengthUnit, massUnit and volumeUnit return the unit and suffix that
// explanations use for lengths, masses and volumes in a system.
func lengthUnit(u Units) (int64, string) {
	if u == UnitsMetric {
		return int64(fulfill.Centimeter), "cm"
	}
	return int64(fulfill.Inch), "in"
}

func massUnit(u Units) (int64, string) {
	if u == UnitsMetric {
		return int64(fulfill.Kilogram), "kg"
	}
	return int64(fulfill.Pound), "lb"
}

func volumeUnit(u Units) (int64, string) {
	if u == UnitsMetric {
		return int64(fulfill.CubicCentimeter), "cm³"
	}
	return int64(fulfill.CubicInch), "in³"
}

// appendMass appends fmtMass(m, u).
func appendMass(b []byte, m fulfill.Mass, u Units) []byte {
	unit, suffix := massUnit(u)
	return append(appendScaled(b, int64(m), unit), suffix...)
}

// appendLength appends fmtLength(l, u).
func appendLength(b []byte, l fulfill.Length, u Units) []byte {
	unit, suffix := lengthUnit(u)
	return append(appendScaled(b, int64(l), unit), suffix...)
}

// appendVolume appends a volume as explanations write it: "1728in³".
func appendVolume(b []byte, v fulfill.Volume, u Units) []byte {
	unit, suffix := volumeUnit(u)
	return append(appendScaled(b, int64(v), unit), suffix...)
}

// appendDims appends fmtDims(d, u).
func appendDims(b []byte, d fulfill.Dimensions, u Units) []byte {
	unit, suffix := lengthUnit(u)
	b = appendScaled(b, int64(d.Length), unit)
	b = append(b, 'x')
	b = appendScaled(b, int64(d.Width), unit)
	b = append(b, 'x')
	b = appendScaled(b, int64(d.Height), unit)
	return append(b, suffix...)
}

// appendRoundPhrase appends how a value was rounded, to be followed by the
// step: "rounded up to ", "rounded down to " or "rounded to the nearest ".
func appendRoundPhrase(b []byte, m RoundMode) []byte {
	switch m {
	case RoundModeNearest:
		return append(b, "rounded to the nearest "...)
	case RoundModeDown:
		return append(b, "rounded down to "...)
	}
	return append(b, "rounded up to "...)
}

// appendFixed appends v x 10^-places with exactly places decimals, a
// space and the currency: what Money.String writes for such an amount
// when places is at least the currency's minor unit.
func appendFixed(b []byte, v int64, places int32, c fulfill.Currency) []byte {
	if v < 0 {
		b = append(b, '-')
	}
	u := absU64(v)
	unit := uint64(pow10[places])
	b = strconv.AppendUint(b, u/unit, 10)
	if places > 0 {
		b = append(b, '.')
		var fb [24]byte
		frac := strconv.AppendUint(fb[:0], u%unit+unit, 10)
		b = append(b, frac[1:]...)
	}
	b = append(b, ' ')
	return append(b, c...)
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
	var buf [48]byte
	return string(appendMoney(buf[:0], m))
}

// appendMoney appends m.String(), as fmtMoney.
func appendMoney(b []byte, m fulfill.Money) []byte {
	a := m.Amount()
	minor, ok := m.Currency().MinorUnits()
	exp := a.Exponent()
	if !ok || exp > 0 || exp < -18 || a.NumDigits() > 18 {
		return append(b, m.String()...)
	}
	places := max(minor, -exp)
	if places > 18 {
		return append(b, m.String()...)
	}
	c := a.CoefficientInt64()
	shift := places + exp // >= 0: extra zeros to show
	if shift > 18 {
		return append(b, m.String()...)
	}
	if hi, lo := bits.Mul64(absU64(c), uint64(pow10[shift])); hi != 0 || lo > math.MaxInt64 {
		return append(b, m.String()...)
	}
	return appendFixed(b, c*pow10[shift], places, m.Currency())
}

// textArena hands out the strings of one request's explanations carved
// from shared byte buffers, so that the many short texts of a request cost
// an allocation or two instead of one each, and one text may be sliced
// into the shorter values it contains. Its invariant makes the strings
// immutable: bytes are written once, into a buffer's spare capacity,
// before the string covering them is made, and the buffer's length then
// moves past them, so no later write reaches them.
//
// A text is built by appending to the slice open returns and finished by
// close, before the next open; the slice must not be used after close.
type textArena struct {
	buf  []byte
	size int // the capacity of the next buffer, if above textChunk
}

// textChunk is the least size of a buffer, and textRoom the spare
// capacity below which a text starts a new one.
const (
	textChunk = 2048
	textRoom  = 256
)

// open returns an empty slice to append a text to.
func (a *textArena) open() []byte {
	if cap(a.buf)-len(a.buf) < textRoom {
		a.buf = make([]byte, 0, max(a.size, textChunk))
		a.size = 0
	}
	return a.buf[len(a.buf):len(a.buf)]
}

// close returns the text appended to b as a string. If b outgrew the
// buffer, append moved it to an array of its own, which nothing else
// writes to.
func (a *textArena) close(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if rest := a.buf[len(a.buf):cap(a.buf)]; len(rest) >= len(b) && &rest[0] == &b[0] {
		a.buf = a.buf[:len(a.buf)+len(b)]
	}
	return unsafe.String(&b[0], len(b))
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
