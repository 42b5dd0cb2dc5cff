package fulfill

import (
	"math"
	"math/bits"
)

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
	hi, lo := bits.Mul64(absU64(a), absU64(b))
	negative := (a < 0) != (b < 0)
	if hi != 0 || lo > math.MaxInt64+1 || (lo == math.MaxInt64+1 && !negative) {
		return 0, false
	}
	if negative {
		return int64(-lo), true
	}
	return int64(lo), true
}

// absU64 returns |v| as a uint64, exact even for math.MinInt64.
func absU64(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

// floorTo rounds v down to a multiple of m (m > 0), saturating at MinInt64.
func floorTo(v, m int64) int64 {
	if m <= 0 {
		return v
	}
	r := v % m
	if r == 0 {
		return v
	}
	if r < 0 {
		r += m
	}
	if f, ok := addInt64(v, -r); ok {
		return f
	}
	return math.MinInt64
}

// ceilTo rounds v up to a multiple of m (m > 0), saturating at MaxInt64.
func ceilTo(v, m int64) int64 {
	if m <= 0 {
		return v
	}
	r := v % m
	if r == 0 {
		return v
	}
	if r > 0 {
		r -= m
	}
	if c, ok := addInt64(v, -r); ok {
		return c
	}
	return math.MaxInt64
}

// roundTo rounds v to the nearest multiple of m (m > 0), halves away from
// zero, saturating at the int64 range.
func roundTo(v, m int64) int64 {
	if m <= 0 {
		return v
	}
	r := v % m
	if r == 0 {
		return v
	}
	if v < 0 {
		if absU64(r)*2 >= uint64(m) {
			if c, ok := addInt64(v, -(m + r)); ok {
				return c
			}
			return math.MinInt64
		}
		return v - r
	}
	if uint64(r)*2 >= uint64(m) {
		if c, ok := addInt64(v, m-r); ok {
			return c
		}
		return math.MaxInt64
	}
	return v - r
}
