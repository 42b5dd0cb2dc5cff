package pack

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/require"
)

// Flags for the long benchmark runs that produce the published figures.
var (
	packFigures   = flag.Bool("pack.figures", false, "run the full Martello-Pisinger-Vigo and e-commerce figures")
	packSizes     = flag.String("pack.sizes", "50,100,150,200", "instance sizes for -pack.figures")
	packInstances = flag.Int("pack.instances", 10, "instances per class and size for -pack.figures")
	packThorough  = flag.Duration("pack.thorough", time.Second, "time per instance in thorough mode for -pack.figures (0 skips)")
	packClasses   = flag.String("pack.classes", "1,2,3,4,5,6,7,8,9", "classes to run for -pack.figures")
)

// mpvInstance generates an instance of class c (1-9) with n items, after
// Martello, Pisinger and Vigo (2000); class 9 is the "all-fill" class: three
// bins cut into n pieces by random guillotine cuts, so 3 bins are optimal.
// Items are in millimetres and keep their orientation.
func mpvInstance(c, n int, seed uint64) Request {
	rng := rand.New(rand.NewPCG(seed, uint64(c)*1000+uint64(n)))
	in := func(lo, hi int) int64 { return int64(lo + rng.IntN(hi-lo+1)) }
	W := int64(100)
	var dims [][3]int64
	switch {
	case c >= 1 && c <= 5:
		for range n {
			t := c
			if r := rng.IntN(10); r >= 6 {
				others := []int{}
				for o := 1; o <= 5; o++ {
					if o != c {
						others = append(others, o)
					}
				}
				t = others[r-6]
			}
			var d [3]int64
			switch t {
			case 1:
				d = [3]int64{in(1, 50), in(67, 100), in(67, 100)}
			case 2:
				d = [3]int64{in(67, 100), in(1, 50), in(67, 100)}
			case 3:
				d = [3]int64{in(67, 100), in(67, 100), in(1, 50)}
			case 4:
				d = [3]int64{in(50, 100), in(50, 100), in(50, 100)}
			case 5:
				d = [3]int64{in(1, 50), in(1, 50), in(1, 50)}
			}
			dims = append(dims, d)
		}
	case c == 6:
		W = 10
		for range n {
			dims = append(dims, [3]int64{in(1, 10), in(1, 10), in(1, 10)})
		}
	case c == 7:
		W = 40
		for range n {
			dims = append(dims, [3]int64{in(1, 35), in(1, 35), in(1, 35)})
		}
	case c == 8:
		for range n {
			dims = append(dims, [3]int64{in(1, 100), in(1, 100), in(1, 100)})
		}
	case c == 9:
		for b := range 3 {
			pieces := [][3]int64{{W, W, W}}
			want := n / 3
			if b < n%3 {
				want++
			}
			for len(pieces) < want {
				// Cut the largest piece along its longest side.
				bi := 0
				for i, p := range pieces {
					if p[0]*p[1]*p[2] > pieces[bi][0]*pieces[bi][1]*pieces[bi][2] {
						bi = i
					}
				}
				p := pieces[bi]
				ax := 0
				for a := range 3 {
					if p[a] > p[ax] {
						ax = a
					}
				}
				if p[ax] < 2 {
					break
				}
				cut := in(1, int(p[ax]-1))
				q := p
				p[ax], q[ax] = cut, p[ax]-cut
				pieces[bi] = p
				pieces = append(pieces, q)
			}
			dims = append(dims, pieces...)
		}
	}
	req := Request{Boxes: []Box{{ID: "bin", Inner: fulfill.Dims(fulfill.Length(W)*fulfill.Millimeter,
		fulfill.Length(W)*fulfill.Millimeter, fulfill.Length(W)*fulfill.Millimeter)}}}
	for i, d := range dims {
		req.Items = append(req.Items, Item{ID: fmt.Sprintf("i%d", i), Quantity: 1, Rotation: RotationNone,
			Dimensions: fulfill.Dims(fulfill.Length(d[0])*fulfill.Millimeter, fulfill.Length(d[1])*fulfill.Millimeter,
				fulfill.Length(d[2])*fulfill.Millimeter)})
	}
	return req
}

// packL2 returns the L2 bound of an MPV instance.
func packL2(req Request) int {
	ds := make([]fulfill.Dimensions, len(req.Items))
	for i, it := range req.Items {
		ds[i] = it.Dimensions
	}
	return BoundL2(ds, req.Boxes[0].Inner)
}

func TestMPVSmoke(t *testing.T) {
	for c := 1; c <= 9; c++ {
		req := mpvInstance(c, 30, 1)
		res, err := Pack(context.Background(), req, nil)
		require.NoError(t, err)
		require.NoError(t, Verify(req, res))
		require.Empty(t, res.Unpacked)
		require.GreaterOrEqual(t, res.Boxes(), packL2(req))
		t.Logf("class %d: %d boxes, L2 %d", c, res.Boxes(), packL2(req))
	}
}

func TestMPVFigures(t *testing.T) {
	if !*packFigures {
		t.Skip("run with -pack.figures")
	}
	sizes := splitInts(*packSizes)
	run := map[int]bool{}
	for _, c := range splitInts(*packClasses) {
		run[c] = true
	}
	modes := []Mode{ModeFast}
	if *packThorough > 0 {
		modes = append(modes, ModeThorough)
	}
	for _, mode := range modes {
		var sumBoxes, sumL2 int
		start := time.Now()
		for c := 1; c <= 8; c++ {
			if !run[c] {
				continue
			}
			var cb, cl int
			for _, n := range sizes {
				for inst := range *packInstances {
					req := mpvInstance(c, n, uint64(inst))
					ctx := context.Background()
					if mode == ModeThorough {
						var cancel context.CancelFunc
						ctx, cancel = context.WithTimeout(ctx, *packThorough)
						res, err := Pack(ctx, req, &Options{Mode: mode})
						cancel()
						require.NoError(t, err)
						require.NoError(t, Verify(req, res))
						cb += res.Boxes()
					} else {
						res, err := Pack(ctx, req, &Options{Mode: mode})
						require.NoError(t, err)
						require.NoError(t, Verify(req, res))
						cb += res.Boxes()
					}
					cl += packL2(req)
				}
			}
			t.Logf("%s class %d: boxes %d, L2 %d, gap %+.1f%%", mode, c, cb, cl, 100*float64(cb-cl)/float64(cl))
			sumBoxes += cb
			sumL2 += cl
		}
		t.Logf("%s classes 1-8: boxes %d, L2 %d, gap %+.2f%%, %v", mode, sumBoxes, sumL2,
			100*float64(sumBoxes-sumL2)/float64(sumL2), time.Since(start).Round(time.Millisecond))
		if !run[9] {
			continue
		}
		var c9 int
		var bySize []string
		for _, n := range sizes {
			before := c9
			for inst := range *packInstances {
				req := mpvInstance(9, n, uint64(inst))
				ctx, cancel := context.WithTimeout(context.Background(), max(*packThorough, time.Second))
				res, err := Pack(ctx, req, &Options{Mode: mode})
				cancel()
				require.NoError(t, err)
				require.NoError(t, Verify(req, res))
				c9 += res.Boxes()
			}
			bySize = append(bySize, fmt.Sprintf("n=%d %.2f", n, float64(c9-before)/float64(*packInstances)))
		}
		t.Logf("%s class 9: average %.2f boxes (%s)", mode, float64(c9)/float64(len(sizes)**packInstances), strings.Join(bySize, ", "))
	}
}

func splitInts(s string) []int {
	var out []int
	n, in := 0, false
	for _, r := range s + "," {
		if r >= '0' && r <= '9' {
			n, in = n*10+int(r-'0'), true
		} else if in {
			out = append(out, n)
			n, in = 0, false
		}
	}
	return out
}
