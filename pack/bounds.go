package pack

import (
	"github.com/fulfillkit/fulfill"
)

// boundGrid is the largest number of grid steps per bin side used by the
// bounds; coarser inputs are rounded conservatively (items down, bin up), so
// a bound computed on the grid is still a valid bound.
const boundGrid = 1 << 16

// BoundL0 returns the continuous lower bound on the number of bins of inner
// size bin needed for items: their total volume divided by the bin's,
// rounded up. Every item must fit in the bin; items are taken as given (a
// rotation does not change the volume, so the bound holds for rotatable
// items too).
func BoundL0(items []fulfill.Dimensions, bin fulfill.Dimensions) int {
	its, b := toGrid(items, bin)
	return l0(its, b)
}

// BoundL2 returns the lower bound L2 of Martello, Pisinger and Vigo (2000)
// on the number of bins of inner size bin needed for items in fixed
// orientation (as given: Length along x, Width along y, Height along z).
// It is never below [BoundL0]. Every item must fit in the bin as given.
func BoundL2(items []fulfill.Dimensions, bin fulfill.Dimensions) int {
	its, b := toGrid(items, bin)
	return l2(its, b)
}

// toGrid converts to integer grid units no finer than needed, rounding
// items down and the bin up when the grid must be coarser than exact.
func toGrid(items []fulfill.Dimensions, bin fulfill.Dimensions) ([][3]int64, [3]int64) {
	g := int64(0)
	mx := int64(0)
	for _, s := range [3]fulfill.Length{bin.Length, bin.Width, bin.Height} {
		g = gcd(g, int64(s))
		mx = max(mx, int64(s))
	}
	for _, d := range items {
		g = gcd(gcd(gcd(g, int64(d.Length)), int64(d.Width)), int64(d.Height))
	}
	if g <= 0 {
		g = 1
	}
	f := g
	if mx/g > boundGrid {
		f = (mx + boundGrid - 1) / boundGrid
	}
	b := [3]int64{ceilDiv(int64(bin.Length), f), ceilDiv(int64(bin.Width), f), ceilDiv(int64(bin.Height), f)}
	its := make([][3]int64, len(items))
	for i, d := range items {
		its[i] = [3]int64{int64(d.Length) / f, int64(d.Width) / f, int64(d.Height) / f}
	}
	return its, b
}

func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// l0 is the volume bound on a grid.
func l0(items [][3]int64, b [3]int64) int {
	var v int64
	for _, d := range items {
		v += d[0] * d[1] * d[2]
	}
	bv := b[0] * b[1] * b[2]
	if bv <= 0 {
		return 0
	}
	return int(ceilDiv(v, bv))
}

// l2 is the Martello-Pisinger-Vigo bound L2 on a grid: the best of the
// three projections.
func l2(items [][3]int64, b [3]int64) int {
	best := l0(items, b)
	// The projections: (a, c) are the face axes, e the stacking axis.
	for _, ax := range [3][3]int{{0, 1, 2}, {0, 2, 1}, {1, 2, 0}} {
		if v := l2face(items, b, ax[0], ax[1], ax[2]); v > best {
			best = v
		}
	}
	return best
}

// l1face is the bound L1 for the face spanned by axes a and c: items larger
// than half the bin along both a and c must be stacked along e.
func l1face(items [][3]int64, b [3]int64, a, c, e int) int {
	W, H, D := b[a], b[c], b[e]
	var J []int64 // extents along e of the items that must be stacked
	for _, d := range items {
		if 2*d[a] > W && 2*d[c] > H {
			J = append(J, d[e])
		}
	}
	if len(J) == 0 {
		return 0
	}
	big := 0
	for _, d := range J {
		if 2*d > D {
			big++
		}
	}
	best := big
	// Critical values of p in [1, D/2].
	ps := make([]int64, 0, 2*len(J)+1)
	ps = append(ps, 1)
	for _, d := range J {
		if d >= 1 && 2*d <= D {
			ps = append(ps, d)
		}
		if q := D - d; q >= 1 && 2*q <= D {
			ps = append(ps, q)
		}
	}
	for _, p := range ps {
		var sumS, sumL, cntS, fitL int64
		for _, d := range J {
			switch {
			case 2*d > D && d <= D-p:
				sumL += D - d
				fitL += (D - d) / p
			case 2*d <= D && d >= p:
				sumS += d
				cntS++
			}
		}
		t1 := ceilDiv(sumS-sumL, D)
		t2 := int64(0)
		if per := D / p; per > 0 {
			t2 = ceilDiv(cntS-fitL, per)
		}
		if v := big + int(max(t1, t2, 0)); v > best {
			best = v
		}
	}
	return best
}

// l2face is the bound L2 for the face spanned by axes a and c.
func l2face(items [][3]int64, b [3]int64, a, c, e int) int {
	W, H, D := b[a], b[c], b[e]
	L1 := int64(l1face(items, b, a, c, e))
	best := L1
	ps := []int64{1}
	qs := []int64{1}
	for _, d := range items {
		if 2*d[a] <= W && d[a] >= 1 {
			ps = append(ps, d[a])
		}
		if x := W - d[a] + 1; x >= 1 && 2*x <= W {
			ps = append(ps, x)
		}
		if 2*d[c] <= H && d[c] >= 1 {
			qs = append(qs, d[c])
		}
		if x := H - d[c] + 1; x >= 1 && 2*x <= H {
			qs = append(qs, x)
		}
	}
	ps, qs = thin(uniq(ps), len(items)), thin(uniq(qs), len(items))
	bv := W * H * D
	for _, p := range ps {
		for _, q := range qs {
			var vol, dv int64
			for _, d := range items {
				switch {
				case d[a] > W-p && d[c] > H-q:
					dv += d[e]
				case 2*d[a] > W && 2*d[c] > H:
					vol += d[0] * d[1] * d[2]
				case d[a] >= p && d[c] >= q:
					vol += d[0] * d[1] * d[2]
				}
			}
			extra := ceilDiv(vol-(D*L1-dv)*W*H, bv)
			if v := L1 + max(extra, 0); v > best {
				best = v
			}
		}
	}
	return int(best)
}

// uniq sorts and deduplicates small slices in place.
func uniq(s []int64) []int64 {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// thin keeps at most about 2,000,000^(1/2)/n^(1/2) evenly spread values, so
// that the double loop of l2face stays bounded; any subset of the critical
// values still gives a valid bound.
func thin(s []int64, n int) []int64 {
	limit := 64
	if n < 100 {
		limit = 160
	}
	if len(s) <= limit {
		return s
	}
	out := make([]int64, 0, limit)
	for i := 0; i < limit; i++ {
		out = append(out, s[i*len(s)/limit])
	}
	return out
}
