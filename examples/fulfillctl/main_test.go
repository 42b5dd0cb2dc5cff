package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// runCLI runs fulfillctl with args and stdin, and returns its exit status,
// standard output and standard error.
func runCLI(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	code, _, stderr := runCLI(t, "")
	assert.Equal(t, 2, code, "no command is a usage error")
	for _, c := range []string{"pack", "route", "batch", "rates", "verify"} {
		assert.Contains(t, stderr, c)
	}
	code, _, _ = runCLI(t, "", "-h")
	assert.Equal(t, 0, code)
	code, _, stderr = runCLI(t, "", "ship")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown command "ship"`)
	code, _, stderr = runCLI(t, "", "verify", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "request")
	code, _, stderr = runCLI(t, `{"request":{"neither":1},"result":{}}`, "verify")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, `field "request"`)
}
