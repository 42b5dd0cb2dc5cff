package pick

import (
	"context"
	"fmt"
	"reflect"

	"github.com/fulfillkit/fulfill"
)

// Router plans the order in which a picker visits bins.
//
// Route returns a [Route] through every bin of bins, starting and ending at
// the layout's depot. Bins at the same [Spot] are picked together. A bin the
// layout does not have returns an error wrapping [ErrInvalidBin]; a layout
// the router cannot handle returns one wrapping [ErrUnsupported]. Route does
// not modify bins. The routers of this package are stateless values, safe for
// concurrent use, and deterministic: the same input gives the same route.
//
// Wherever this package takes a Router, nil means [Auto], as does a nil
// pointer or a nil [RouterFunc].
type Router interface {
	Route(ctx context.Context, l Layout, bins []Bin) (Route, error)
}

// RouterFunc adapts a function to [Router].
type RouterFunc func(ctx context.Context, l Layout, bins []Bin) (Route, error)

// Route calls f.
func (f RouterFunc) Route(ctx context.Context, l Layout, bins []Bin) (Route, error) {
	return f(ctx, l, bins)
}

// Route is a picker's tour: the bins in walking order, from the depot and
// back to it. The zero Route is the empty tour.
type Route struct {
	// Stops holds the indexes of the bins given to the router, each exactly
	// once, in the order they are picked.
	Stops []int `json:"stops"`
	// Length is the walking distance from the depot through the stops in
	// order and back, each leg taken by the shortest way.
	Length fulfill.Length `json:"length"`
}

// Bins returns the bins of r in walking order, given the bins r was made for.
func (r Route) Bins(bins []Bin) []Bin {
	out := make([]Bin, 0, len(r.Stops))
	for _, i := range r.Stops {
		if i >= 0 && i < len(bins) {
			out = append(out, bins[i])
		}
	}
	return out
}

// Verify checks r against the layout and the bins it was made for, without
// trusting the router that made it: every bin is visited exactly once, and
// the stated length equals the walk recomputed from the layout. It returns
// nil or a *[RouteError] listing every problem, wrapping [ErrInvalidRoute];
// a bin the layout does not have returns its *[BinError].
func Verify(l Layout, bins []Bin, r Route) error {
	ss, err := spots(l, bins)
	if err != nil {
		return err
	}
	var problems []string
	seen := make([]bool, len(bins))
	seq := make([]Spot, 0, len(r.Stops))
	for n, i := range r.Stops {
		if i < 0 || i >= len(bins) {
			problems = append(problems, fmt.Sprintf("stop %d: index %d is not one of the %d bins", n, i, len(bins)))
			continue
		}
		if seen[i] {
			problems = append(problems, fmt.Sprintf("stop %d: bin %d (%s) visited twice", n, i, bins[i]))
			continue
		}
		seen[i] = true
		seq = append(seq, ss[i])
	}
	for i, ok := range seen {
		if !ok {
			problems = append(problems, fmt.Sprintf("bin %d (%s) is never visited", i, bins[i]))
		}
	}
	if len(problems) == 0 {
		if got := tourLength(l, seq); got != r.Length {
			problems = append(problems, fmt.Sprintf("length %v does not add up: the stops walk %v", r.Length, got))
		}
	}
	if len(problems) > 0 {
		return &RouteError{Problems: problems}
	}
	return nil
}

// problem is a routing instance reduced to distinct spots.
type problem struct {
	l       Layout
	uniq    []Spot  // distinct spots to visit (the depot's spot included if a bin is there)
	members [][]int // indexes of the bins at each spot
}

// orAuto returns r, or [Auto] if r is nil or holds a nil pointer or
// function, such as (*Auto)(nil) or RouterFunc(nil).
func orAuto(r Router) Router {
	if isNil(r) {
		return Auto{}
	}
	return r
}

// isNil reports whether v is nil or holds a nil pointer or function.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func:
		return rv.IsNil()
	}
	return false
}

// newProblem locates bins and groups them by spot.
func newProblem(l Layout, bins []Bin) (*problem, error) {
	ss, err := spots(l, bins)
	if err != nil {
		return nil, err
	}
	uniq, members := distinct(ss)
	return &problem{l: l, uniq: uniq, members: members}, nil
}

// route turns an order of the distinct spots into a Route.
func (p *problem) route(order []int) Route {
	r := Route{Stops: make([]int, 0, len(order))}
	seq := make([]Spot, len(order))
	for n, u := range order {
		r.Stops = append(r.Stops, p.members[u]...)
		seq[n] = p.uniq[u]
	}
	r.Length = tourLength(p.l, seq)
	return r
}

// matrix returns the distances between the depot (index 0) and the distinct
// spots (index u+1).
func (p *problem) matrix() [][]fulfill.Length {
	n := len(p.uniq) + 1
	pts := make([]Spot, n)
	pts[0] = p.l.Depot()
	copy(pts[1:], p.uniq)
	d := make([][]fulfill.Length, n)
	for i := range d {
		d[i] = make([]fulfill.Length, n)
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := p.l.Distance(pts[i], pts[j])
			d[i][j], d[j][i] = v, v
		}
	}
	return d
}

// Auto is the default [Router]: [Optimal] on a [Rect] with at most
// [MaxOptimalCrossAisles] cross aisles, [Exact] on any other layout when
// there are at most [MaxExactStops] distinct spots, and [TwoOpt] otherwise.
// The zero Auto is ready to use.
type Auto struct{}

var _ Router = Auto{}

// Route routes bins with the best method that applies.
func (Auto) Route(ctx context.Context, l Layout, bins []Bin) (Route, error) {
	if err := checkLayout(l); err != nil {
		return Route{}, err
	}
	if r, ok := l.(*Rect); ok && r.k <= MaxOptimalCrossAisles {
		return Optimal{}.Route(ctx, l, bins)
	}
	p, err := newProblem(l, bins)
	if err != nil {
		return Route{}, err
	}
	if len(p.uniq) <= MaxExactStops {
		return p.route(heldKarp(p.matrix())), nil
	}
	return p.route(localSearch(p.matrix())), nil
}
