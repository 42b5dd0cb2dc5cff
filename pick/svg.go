package pick

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"github.com/fulfillkit/fulfill"
)

// SVG draws l with the route r through bins on it, as a standalone SVG
// document: racks, aisles and cross aisles, the depot (a square), each
// picked spot (a circle numbered in walking order) and the walk itself (a
// polyline from the depot and back). On a [Rect] the polyline follows the
// aisles exactly, so its length is the route's length; on a [Graph] it
// joins the stops' nodes by straight lines. Elements carry the classes
// "rack", "aisle", "cross-aisle", "depot", "pick", "route" and "edge" for
// styling. A route that does not fit bins returns its *[RouteError]; a bin
// the layout does not have, its *[BinError]; a layout other than these two,
// an error wrapping [ErrUnsupported].
func SVG(w io.Writer, l Layout, bins []Bin, r Route) error {
	ss, err := spots(l, bins)
	if err != nil {
		return err
	}
	for n, i := range r.Stops {
		if i < 0 || i >= len(bins) {
			return &RouteError{Problems: []string{fmt.Sprintf("stop %d: index %d is not one of the %d bins", n, i, len(bins))}}
		}
	}
	var seq []Spot
	for _, i := range r.Stops {
		if len(seq) == 0 || seq[len(seq)-1] != ss[i] {
			seq = append(seq, ss[i])
		}
	}
	bw := bufio.NewWriter(w)
	switch l := l.(type) {
	case *Rect:
		drawRect(bw, l, seq, bins, r)
	case *Graph:
		drawGraph(bw, l, seq, bins, r)
	default:
		return fmt.Errorf("%w: SVG draws a *Rect or a *Graph, got %T", ErrUnsupported, l)
	}
	return bw.Flush()
}

// m formats a length in metres for SVG coordinates.
func m(v fulfill.Length) string {
	return strconv.FormatFloat(v.Meters(), 'f', -1, 64)
}

// pt is a drawing point in micrometres.
type pt struct{ x, y fulfill.Length }

func header(w *bufio.Writer, minX, minY, width, height fulfill.Length, title string) {
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="%s %s %s %s" width="%.0f" height="%.0f">`+"\n",
		m(minX), m(minY), m(width), m(height), 20*width.Meters(), 20*height.Meters())
	fmt.Fprintf(w, "<title>%s</title>\n", html.EscapeString(title))
	fmt.Fprintln(w, `<style>.rack{fill:#d9d2c5}.aisle,.edge{stroke:#bbb;stroke-width:0.05}.cross-aisle{stroke:#bbb;stroke-width:0.1}.depot{fill:#2a7}.pick{fill:#c33}.route{fill:none;stroke:#24c;stroke-width:0.12}text{font-size:0.6px;font-family:sans-serif}</style>`)
}

func polyline(w *bufio.Writer, pts []pt) {
	var b strings.Builder
	for i, p := range pts {
		if i > 0 && p == pts[i-1] {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(m(p.x) + "," + m(p.y))
	}
	fmt.Fprintf(w, `<polyline class="route" points="%s"/>`+"\n", b.String())
}

// picks draws each stop's spot once, numbered in walking order, with the
// bins picked there in its data-bins attribute.
func picks(w *bufio.Writer, at func(Spot) pt, l Layout, bins []Bin, r Route) {
	order := map[Spot]int{}
	var spotsInOrder []Spot
	names := map[Spot][]string{}
	for _, i := range r.Stops {
		s, _ := l.Spot(bins[i])
		if _, ok := order[s]; !ok {
			order[s] = len(spotsInOrder) + 1
			spotsInOrder = append(spotsInOrder, s)
		}
		names[s] = append(names[s], bins[i].String())
	}
	for _, s := range spotsInOrder {
		p := at(s)
		fmt.Fprintf(w, `<circle class="pick" cx="%s" cy="%s" r="0.35" data-order="%d" data-bins="%s"/>`+"\n",
			m(p.x), m(p.y), order[s], strings.Join(names[s], " "))
		fmt.Fprintf(w, `<text x="%s" y="%s">%d</text>`+"\n", m(p.x+fulfill.Meter/2), m(p.y), order[s])
	}
}

func drawRect(w *bufio.Writer, l *Rect, seq []Spot, bins []Bin, r Route) {
	cfg := l.cfg
	depth := l.crossY[l.k-1]
	width := l.AisleX(cfg.Aisles - 1)
	margin := cfg.AisleSpacing
	// Draw y growing upwards: the front cross aisle at the bottom.
	at := func(s Spot) pt { return pt{l.AisleX(int(s.X)), depth - fulfill.Length(s.Y)} }
	header(w, -margin, -margin, width+2*margin, depth+2*margin,
		fmt.Sprintf("%d aisles, %d cross aisles, route of %d picks, %s", cfg.Aisles, l.k, len(r.Stops), r.Length))
	rackW := cfg.AisleSpacing / 4
	for a := range cfg.Aisles {
		x := l.AisleX(a)
		for c := 0; c+1 < l.k; c++ {
			y0, y1 := l.crossY[c]+cfg.CrossAisleWidth/2, l.crossY[c+1]-cfg.CrossAisleWidth/2
			for _, rx := range []fulfill.Length{x - cfg.AisleSpacing/2, x + cfg.AisleSpacing/2 - rackW} {
				fmt.Fprintf(w, `<rect class="rack" x="%s" y="%s" width="%s" height="%s"/>`+"\n", m(rx), m(depth-y1), m(rackW), m(y1-y0))
			}
		}
		fmt.Fprintf(w, `<line class="aisle" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", m(x), m(0), m(x), m(depth))
	}
	for c := range l.k {
		y := depth - l.crossY[c]
		fmt.Fprintf(w, `<line class="cross-aisle" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", m(-margin/2), m(y), m(width+margin/2), m(y))
	}
	d := at(l.Depot())
	fmt.Fprintf(w, `<rect class="depot" x="%s" y="%s" width="%s" height="%s"/>`+"\n",
		m(d.x-fulfill.Meter/2), m(d.y-fulfill.Meter/2), m(fulfill.Meter), m(fulfill.Meter))
	// The walk: each leg goes along the aisle or by the best cross aisle.
	path := []pt{d}
	prev := l.Depot()
	for _, s := range append(seq, l.Depot()) {
		if s.X != prev.X {
			best, bestV := 0, int64(-1)
			for c, y := range l.crossY {
				v := abs64(prev.Y-int64(y)) + abs64(s.Y-int64(y))
				if bestV < 0 || v < bestV {
					best, bestV = c, v
				}
			}
			y := l.crossY[best]
			path = append(path, at(Spot{prev.X, int64(y)}), at(Spot{s.X, int64(y)}))
		}
		path = append(path, at(s))
		prev = s
	}
	polyline(w, path)
	picks(w, at, l, bins, r)
	fmt.Fprintln(w, "</svg>")
}

func drawGraph(w *bufio.Writer, g *Graph, seq []Spot, bins []Bin, r Route) {
	nodes := g.cfg.Nodes
	minX, minY, maxX, maxY := nodes[0].X, nodes[0].Y, nodes[0].X, nodes[0].Y
	for _, n := range nodes {
		minX, minY, maxX, maxY = min(minX, n.X), min(minY, n.Y), max(maxX, n.X), max(maxY, n.Y)
	}
	margin := 2 * fulfill.Meter
	at := func(s Spot) pt { n := g.node(s); return pt{n.X, n.Y} }
	header(w, minX-margin, minY-margin, maxX-minX+2*margin, maxY-minY+2*margin,
		fmt.Sprintf("graph of %d nodes, route of %d picks, %s", len(nodes), len(r.Stops), r.Length))
	index := map[string]Node{}
	for _, n := range nodes {
		index[n.Name] = n
	}
	for _, e := range g.cfg.Edges {
		a, b := index[e.From], index[e.To]
		fmt.Fprintf(w, `<line class="edge" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", m(a.X), m(a.Y), m(b.X), m(b.Y))
	}
	d := at(g.Depot())
	fmt.Fprintf(w, `<rect class="depot" x="%s" y="%s" width="%s" height="%s"/>`+"\n",
		m(d.x-fulfill.Meter/2), m(d.y-fulfill.Meter/2), m(fulfill.Meter), m(fulfill.Meter))
	path := []pt{d}
	for _, s := range seq {
		path = append(path, at(s))
	}
	polyline(w, append(path, d))
	picks(w, at, g, bins, r)
	fmt.Fprintln(w, "</svg>")
}
