package pick

import (
	"context"
	"fmt"
	"math"

	"github.com/fulfillkit/fulfill"
)

// MaxExactStops is the largest number of distinct spots [Exact] accepts:
// its time grows as 2^n * n^2.
const MaxExactStops = 13

// Exact is an exact [Router] for any [Layout]: the Held-Karp dynamic
// programme over the layout's shortest-path distances. It returns an error
// wrapping [ErrTooLarge] for more than [MaxExactStops] distinct spots. The
// zero Exact is ready to use.
type Exact struct{}

var _ Router = Exact{}

// Route returns a shortest route through bins.
func (Exact) Route(ctx context.Context, l Layout, bins []Bin) (Route, error) {
	p, err := newProblem(l, bins)
	if err != nil {
		return Route{}, err
	}
	if len(p.uniq) > MaxExactStops {
		return Route{}, fmt.Errorf("%w: %d distinct spots, Exact handles at most %d", ErrTooLarge, len(p.uniq), MaxExactStops)
	}
	if err := ctx.Err(); err != nil {
		return Route{}, err
	}
	return p.route(heldKarp(p.matrix())), nil
}

// TwoOpt is a heuristic [Router] for any [Layout] and any number of bins: a
// nearest-neighbour tour from the depot, improved by 2-opt and Or-opt moves
// until none shortens it. The zero TwoOpt is ready to use.
type TwoOpt struct{}

var _ Router = TwoOpt{}

// Route returns a short route through bins.
func (TwoOpt) Route(ctx context.Context, l Layout, bins []Bin) (Route, error) {
	p, err := newProblem(l, bins)
	if err != nil {
		return Route{}, err
	}
	if err := ctx.Err(); err != nil {
		return Route{}, err
	}
	return p.route(localSearch(p.matrix())), nil
}

// heldKarp returns the order of spots 1..n-1 of the distance matrix d (0 is
// the depot) of a shortest closed tour, as indexes 0..n-2.
func heldKarp(d [][]fulfill.Length) []int {
	n := len(d) - 1
	if n == 0 {
		return nil
	}
	full := 1 << n
	dp := make([]int64, full*n)
	from := make([]int8, full*n)
	for i := range dp {
		dp[i] = math.MaxInt64
	}
	for j := range n {
		dp[(1<<j)*n+j] = int64(d[0][j+1])
	}
	for set := 1; set < full; set++ {
		for j := range n {
			cur := dp[set*n+j]
			if set&(1<<j) == 0 || cur == math.MaxInt64 {
				continue
			}
			for nx := range n {
				if set&(1<<nx) != 0 {
					continue
				}
				ns := set | 1<<nx
				if v := cur + int64(d[j+1][nx+1]); v < dp[ns*n+nx] {
					dp[ns*n+nx] = v
					from[ns*n+nx] = int8(j)
				}
			}
		}
	}
	best, last := int64(math.MaxInt64), 0
	for j := range n {
		if v := dp[(full-1)*n+j] + int64(d[j+1][0]); v < best {
			best, last = v, j
		}
	}
	order := make([]int, n)
	set := full - 1
	for i := n - 1; i >= 0; i-- {
		order[i] = last
		prev := int(from[set*n+last])
		set &^= 1 << last
		last = prev
	}
	return order
}

// localSearch returns a short tour over the distance matrix d (0 is the
// depot): nearest neighbour, then 2-opt and Or-opt to a local optimum. The
// result holds indexes 0..n-2 of the spots.
func localSearch(d [][]fulfill.Length) []int {
	n := len(d) - 1
	if n == 0 {
		return nil
	}
	// Nearest neighbour from the depot; ties go to the lower index.
	t := make([]int, 0, n+2)
	t = append(t, 0)
	used := make([]bool, n+1)
	used[0] = true
	cur := 0
	for range n {
		best, bd := -1, fulfill.Length(math.MaxInt64)
		for j := 1; j <= n; j++ {
			if !used[j] && d[cur][j] < bd {
				best, bd = j, d[cur][j]
			}
		}
		used[best] = true
		t = append(t, best)
		cur = best
	}
	t = append(t, 0) // closed: t[0] = t[n+1] = depot
	D := func(a, b int) int64 { return int64(d[t[a]][t[b]]) }
	for improved := true; improved; {
		improved = false
		// 2-opt: reverse t[i..j].
		for i := 1; i < n; i++ {
			for j := i + 1; j <= n; j++ {
				delta := int64(d[t[i-1]][t[j]]) + int64(d[t[i]][t[j+1]]) - D(i-1, i) - D(j, j+1)
				if delta < 0 {
					for a, b := i, j; a < b; a, b = a+1, b-1 {
						t[a], t[b] = t[b], t[a]
					}
					improved = true
				}
			}
		}
		// Or-opt: move a segment of 1 to 3 spots elsewhere, possibly reversed.
		for seg := 1; seg <= 3; seg++ {
			for i := 1; i+seg-1 <= n; i++ {
				j := i + seg - 1
				remove := D(i-1, i) + D(j, j+1) - D(i-1, j+1)
				for p := 0; p <= n; p++ {
					if p >= i-1 && p <= j {
						continue
					}
					// insert between t[p] and t[p+1]
					a, b := t[p], t[p+1]
					fwd := int64(d[a][t[i]]) + int64(d[t[j]][b]) - int64(d[a][b])
					rev := int64(d[a][t[j]]) + int64(d[t[i]][b]) - int64(d[a][b])
					if fwd < remove || rev < remove {
						segment := append([]int(nil), t[i:j+1]...)
						if rev < fwd {
							for x, y := 0, len(segment)-1; x < y; x, y = x+1, y-1 {
								segment[x], segment[y] = segment[y], segment[x]
							}
						}
						rest := append(append([]int(nil), t[:i]...), t[j+1:]...)
						ins := p + 1
						if p > j {
							ins = p + 1 - seg
						}
						nt := append(append(append([]int(nil), rest[:ins]...), segment...), rest[ins:]...)
						copy(t, nt)
						improved = true
						break
					}
				}
			}
		}
	}
	out := make([]int, n)
	for i := range n {
		out[i] = t[i+1] - 1
	}
	return out
}
