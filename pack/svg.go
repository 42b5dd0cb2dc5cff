package pack

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
)

// WriteSVG draws p as an isometric picture for packing-station screens: the
// box as a wireframe and each unit as a shaded cuboid, with the units drawn
// back to front, labelled by item ID in a tooltip. Each unit is an SVG
// group of class "unit" with a data-item attribute; the picture is width
// pixels wide (640 if width <= 0).
func WriteSVG(w io.Writer, p Package, width int) error {
	if width <= 0 {
		width = 640
	}
	L, W, H := p.Inner.Length.Millimeters(), p.Inner.Width.Millimeters(), p.Inner.Height.Millimeters()
	proj := func(x, y, z float64) (float64, float64) {
		return (x - y) * 0.8660254037844386, (x+y)*0.5 - z
	}
	// The extent of the box's picture.
	minX, maxX, minY, maxY := 0.0, 0.0, 0.0, 0.0
	for _, c := range [8][3]float64{{0, 0, 0}, {L, 0, 0}, {0, W, 0}, {L, W, 0}, {0, 0, H}, {L, 0, H}, {0, W, H}, {L, W, H}} {
		x, y := proj(c[0], c[1], c[2])
		minX, maxX, minY, maxY = min(minX, x), max(maxX, x), min(minY, y), max(maxY, y)
	}
	spanX, spanY := maxX-minX, maxY-minY
	if spanX <= 0 || spanY <= 0 {
		spanX, spanY = 1, 1
	}
	scale := float64(width-20) / spanX
	height := int(spanY*scale) + 20
	pt := func(x, y, z float64) string {
		sx, sy := proj(x, y, z)
		return fmt.Sprintf("%.1f,%.1f", (sx-minX)*scale+10, (sy-minY)*scale+10)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n", width, height, width, height)
	b.WriteString("<title>")
	xml.EscapeText(&b, []byte(fmt.Sprintf("box %s, %v, %d units, %.0f%% full", p.Box, p.Inner, len(p.Placements), 100*p.Fill())))
	b.WriteString("</title>\n")
	// Back edges of the box first.
	edge := func(a, c [3]float64, dash bool) {
		style := `stroke="#555" stroke-width="1"`
		if dash {
			style += ` stroke-dasharray="4 3"`
		}
		fmt.Fprintf(&b, `<polyline class="box" points="%s %s" fill="none" %s/>`+"\n", pt(a[0], a[1], a[2]), pt(c[0], c[1], c[2]), style)
	}
	o := [3]float64{0, 0, 0}
	edge(o, [3]float64{L, 0, 0}, true)
	edge(o, [3]float64{0, W, 0}, true)
	edge(o, [3]float64{0, 0, H}, true)
	order := make([]int, len(p.Placements))
	for i := range order {
		order[i] = i
	}
	depth := func(i int) float64 {
		q := p.Placements[i]
		return q.Position.X.Millimeters() + q.Position.Y.Millimeters() + q.Position.Z.Millimeters() +
			(q.Size.Length.Millimeters()+q.Size.Width.Millimeters()+q.Size.Height.Millimeters())/2
	}
	slices.SortStableFunc(order, func(a, c int) int { return cmpF(depth(a), depth(c)) })
	for _, i := range order {
		q := p.Placements[i]
		x0, y0, z0 := q.Position.X.Millimeters(), q.Position.Y.Millimeters(), q.Position.Z.Millimeters()
		x1, y1, z1 := x0+q.Size.Length.Millimeters(), y0+q.Size.Width.Millimeters(), z0+q.Size.Height.Millimeters()
		hue := itemHue(q.Item)
		b.WriteString(`<g class="unit" data-item="`)
		xml.EscapeText(&b, []byte(q.Item))
		b.WriteString(`"><title>`)
		xml.EscapeText(&b, []byte(fmt.Sprintf("%s at %v,%v,%v, %v", q.Item, q.Position.X, q.Position.Y, q.Position.Z, q.Size)))
		b.WriteString("</title>\n")
		face := func(light int, pts ...string) {
			fmt.Fprintf(&b, `<polygon points="%s %s %s %s" fill="hsl(%d,60%%,%d%%)" stroke="#222" stroke-width="0.5"/>`+"\n",
				pts[0], pts[1], pts[2], pts[3], hue, light)
		}
		face(70, pt(x0, y0, z1), pt(x1, y0, z1), pt(x1, y1, z1), pt(x0, y1, z1)) // top
		face(55, pt(x1, y0, z0), pt(x1, y1, z0), pt(x1, y1, z1), pt(x1, y0, z1)) // +x side
		face(45, pt(x0, y1, z0), pt(x1, y1, z0), pt(x1, y1, z1), pt(x0, y1, z1)) // +y side
		b.WriteString("</g>\n")
	}
	// Front edges of the box last.
	for _, e := range [][2][3]float64{
		{{L, 0, 0}, {L, W, 0}}, {{0, W, 0}, {L, W, 0}}, {{L, W, 0}, {L, W, H}},
		{{L, 0, 0}, {L, 0, H}}, {{0, W, 0}, {0, W, H}},
		{{0, 0, H}, {L, 0, H}}, {{0, 0, H}, {0, W, H}}, {{L, 0, H}, {L, W, H}}, {{0, W, H}, {L, W, H}},
	} {
		edge(e[0], e[1], false)
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// itemHue gives each item ID a stable colour.
func itemHue(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % 360)
}
