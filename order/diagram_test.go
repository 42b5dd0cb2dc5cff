package order

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden state diagram and the diagram in doc.go")

const (
	diagramGolden = "testdata/states.mmd"
	docBegin      = "//\tstateDiagram-v2\n"
	docEnd        = "//\n// The table behind it"
)

// docDiagram returns the Mermaid text as the package comment indents it.
func docDiagram(m string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(m, "\n") {
		if line != "" {
			b.WriteString("//\t" + line)
		}
	}
	return b.String()
}

// TestStateDiagramIsCurrent checks the golden diagram and the one in the
// package documentation against the transition table. Run with -update to
// rewrite both.
func TestStateDiagramIsCurrent(t *testing.T) {
	m := Mermaid()
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	start := strings.Index(string(doc), docBegin)
	end := strings.Index(string(doc), docEnd)
	require.True(t, start >= 0 && end > start, "doc.go has no diagram block")
	newDoc := string(doc[:start]) + docDiagram(m) + string(doc[end:])
	if *update {
		require.NoError(t, os.WriteFile(diagramGolden, []byte(m), 0o644))
		require.NoError(t, os.WriteFile("doc.go", []byte(newDoc), 0o644))
		doc = []byte(newDoc)
	}
	golden, err := os.ReadFile(diagramGolden)
	require.NoError(t, err)
	assert.Equal(t, string(golden), m, "testdata/states.mmd is stale: go test ./order -run StateDiagram -update")
	assert.Equal(t, string(doc), newDoc, "the diagram in doc.go is stale: go test ./order -run StateDiagram -update")
}

func TestMermaidShape(t *testing.T) {
	m := Mermaid()
	assert.True(t, strings.HasPrefix(m, "stateDiagram-v2\n    [*] --> pending: place\n"))
	assert.Contains(t, m, "    pending --> confirmed: confirm\n")
	assert.Contains(t, m, "    delivered --> closed: close\n")
	assert.Contains(t, m, "    closed --> delivered: reopen\n")
	assert.NotContains(t, m, "pending --> pending", "self loops are not drawn")
	for _, s := range statuses {
		assert.Contains(t, m, " "+string(s), "status %s missing", s)
	}
}
