package pack

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// svgNode is a parsed SVG element.
type svgNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []svgNode  `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestWriteSVG(t *testing.T) {
	req := Request{Boxes: []Box{{ID: "B&Q", Inner: dims(300, 200, 150)}}, Items: []Item{
		{ID: "mug <blue>", Dimensions: dims(100, 90, 100), Quantity: 3, Rotation: RotationUpright},
		{ID: "book", Dimensions: dims(200, 140, 30), Quantity: 2},
	}}
	res := packed(t, req, nil)
	require.Len(t, res.Packages, 1)
	var buf bytes.Buffer
	require.NoError(t, WriteSVG(&buf, res.Packages[0], 400))
	var root svgNode
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &root))
	assert.Equal(t, "svg", root.XMLName.Local)
	assert.Equal(t, "400", root.attr("width"))
	assert.NotEmpty(t, root.attr("viewBox"))
	counts := map[string]int{}
	boxEdges := 0
	for _, n := range root.Nodes {
		switch {
		case n.attr("class") == "unit":
			counts[n.attr("data-item")]++
			polys := 0
			for _, c := range n.Nodes {
				if c.XMLName.Local == "polygon" {
					polys++
					assert.Len(t, strings.Fields(c.attr("points")), 4)
				}
			}
			assert.Equal(t, 3, polys, "three visible faces per unit")
		case n.attr("class") == "box":
			boxEdges++
		}
	}
	assert.Equal(t, map[string]int{"mug <blue>": 3, "book": 2}, counts)
	assert.Equal(t, 12, boxEdges)
	assert.Contains(t, buf.String(), "B&amp;Q")
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

func TestWriteSVGError(t *testing.T) {
	res := packed(t, Request{Boxes: []Box{{ID: "B", Inner: dims(10, 10, 10)}},
		Items: []Item{{ID: "a", Dimensions: dims(5, 5, 5), Quantity: 1}}}, nil)
	assert.ErrorIs(t, WriteSVG(failWriter{}, res.Packages[0], 0), io.ErrShortWrite)
}
