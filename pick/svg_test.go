package pick

import (
	"bytes"
	"context"
	"encoding/xml"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// svgDoc is what the tests read back from a drawing.
type svgDoc struct {
	XMLName xml.Name `xml:"svg"`
	ViewBox string   `xml:"viewBox,attr"`
	Title   string   `xml:"title"`
	Rects   []struct {
		Class string `xml:"class,attr"`
	} `xml:"rect"`
	Circles []struct {
		Class string `xml:"class,attr"`
		CX    string `xml:"cx,attr"`
		CY    string `xml:"cy,attr"`
		Order int    `xml:"data-order,attr"`
		Bins  string `xml:"data-bins,attr"`
	} `xml:"circle"`
	Polylines []struct {
		Class  string `xml:"class,attr"`
		Points string `xml:"points,attr"`
	} `xml:"polyline"`
}

func parsePoints(t *testing.T, s string) [][2]float64 {
	var out [][2]float64
	for _, f := range strings.Fields(s) {
		xy := strings.Split(f, ",")
		require.Len(t, xy, 2)
		x, err := strconv.ParseFloat(xy[0], 64)
		require.NoError(t, err)
		y, err := strconv.ParseFloat(xy[1], 64)
		require.NoError(t, err)
		out = append(out, [2]float64{x, y})
	}
	return out
}

// TestSVGRect draws random routes and reads the picture back: one circle
// per picked spot numbered 1..n, a depot, and a route polyline made of
// horizontal and vertical segments whose length is the route's length.
func TestSVGRect(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for i := range 30 {
		r := randomRect(t, rng, 2+i%3)
		bins := randomBins(rng, r, rng.IntN(20))
		rt, err := Optimal{}.Route(context.Background(), r, bins)
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, SVG(&buf, r, bins, rt))
		var doc svgDoc
		require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc), buf.String())
		p, err := newProblem(r, bins)
		require.NoError(t, err)
		require.Len(t, doc.Circles, len(p.uniq))
		for n, c := range doc.Circles {
			assert.Equal(t, n+1, c.Order)
			assert.Equal(t, "pick", c.Class)
		}
		depots := 0
		for _, rc := range doc.Rects {
			if rc.Class == "depot" {
				depots++
			}
		}
		assert.Equal(t, 1, depots)
		require.Len(t, doc.Polylines, 1)
		pts := parsePoints(t, doc.Polylines[0].Points)
		require.NotEmpty(t, pts)
		assert.Equal(t, pts[0], pts[len(pts)-1], "the walk ends where it starts")
		total := 0.0
		for n := 1; n < len(pts); n++ {
			dx, dy := pts[n][0]-pts[n-1][0], pts[n][1]-pts[n-1][1]
			require.True(t, dx == 0 || dy == 0, "segment %d is not along an aisle", n)
			total += math.Abs(dx) + math.Abs(dy)
		}
		assert.InDelta(t, rt.Length.Meters(), total, 1e-6)
	}
}

func TestSVGGraphAndErrors(t *testing.T) {
	g := lineGraph(t)
	bins := []Bin{{Aisle: 0, Slot: 2, Side: SideLeft}}
	rt, err := Auto{}.Route(context.Background(), g, bins)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, SVG(&buf, g, bins, rt))
	var doc svgDoc
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc))
	assert.Len(t, doc.Circles, 1)
	assert.Equal(t, "0,0 3,0 0,0", doc.Polylines[0].Points)

	err = SVG(&buf, g, bins, Route{Stops: []int{5}})
	assert.ErrorIs(t, err, ErrInvalidRoute)
	err = SVG(&buf, g, []Bin{{Aisle: 7, Side: SideLeft}}, Route{})
	assert.ErrorIs(t, err, ErrInvalidBin)
}
