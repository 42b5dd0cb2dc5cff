package pick

import (
	"fmt"

	"github.com/fulfillkit/fulfill"
)

// Spot is a walkable position in a [Layout]. Two bins at the same Spot are
// picked without a step between them. The layout that made a Spot gives its
// fields their meaning: for a [Rect], X is the aisle and Y the distance in
// micrometres from the front cross aisle's centre line; for a [Graph], X is
// the node's index and Y is zero. Spot is comparable and usable as a map key.
type Spot struct {
	X, Y int64
}

// Layout is a warehouse a picker walks. Implementations must be immutable
// after construction and safe for concurrent use; [Rect] and [Graph] are.
//
// Spot locates a bin, returning an error wrapping [ErrInvalidBin] if the
// layout has no such bin. Depot is where every tour starts and ends.
// Distance is the shortest walking distance between two spots the layout
// made; it is symmetric, zero from a spot to itself, and obeys the triangle
// inequality.
type Layout interface {
	Spot(b Bin) (Spot, error)
	Depot() Spot
	Distance(a, b Spot) fulfill.Length
}

// checkLayout returns an error wrapping [ErrUnsupported] for a nil layout,
// a nil *[Rect] or *[Graph], or one not made by [NewRect] or [NewGraph].
func checkLayout(l Layout) error {
	var bad bool
	switch v := l.(type) {
	case nil:
		bad = true
	case *Rect:
		bad = v == nil || v.k == 0
	case *Graph:
		bad = v == nil || v.dist == nil
	}
	if bad {
		return fmt.Errorf("%w: %T layout not made by NewRect or NewGraph", ErrUnsupported, l)
	}
	return nil
}

// spots locates every bin, returning the first error.
func spots(l Layout, bins []Bin) ([]Spot, error) {
	if err := checkLayout(l); err != nil {
		return nil, err
	}
	out := make([]Spot, len(bins))
	for i, b := range bins {
		s, err := l.Spot(b)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// distinct returns the distinct spots among ss in order of first appearance
// and, for each of them, the indexes of ss at that spot.
func distinct(ss []Spot) ([]Spot, [][]int) {
	var uniq []Spot
	var members [][]int
	var index map[Spot]int // for long lists; short ones are searched
	for i, s := range ss {
		j := -1
		if index != nil {
			if v, ok := index[s]; ok {
				j = v
			}
		} else {
			for u, v := range uniq {
				if v == s {
					j = u
					break
				}
			}
		}
		if j < 0 {
			j = len(uniq)
			uniq = append(uniq, s)
			members = append(members, nil)
			if index != nil {
				index[s] = j
			} else if len(uniq) > 32 {
				index = make(map[Spot]int, len(ss))
				for u, v := range uniq {
					index[v] = u
				}
			}
		}
		members[j] = append(members[j], i)
	}
	return uniq, members
}

// tourLength is the length of walking from the depot through seq (spots, in
// order) and back to the depot.
func tourLength(l Layout, seq []Spot) fulfill.Length {
	if len(seq) == 0 {
		return 0
	}
	d := l.Depot()
	total := l.Distance(d, seq[0])
	for i := 1; i < len(seq); i++ {
		total += l.Distance(seq[i-1], seq[i])
	}
	return total + l.Distance(seq[len(seq)-1], d)
}
