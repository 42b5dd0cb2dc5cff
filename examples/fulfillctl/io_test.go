package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecodeStrict(t *testing.T) {
	type doc struct {
		A int `json:"a"`
	}
	for _, tc := range []struct {
		in, err string
	}{
		{`{"a":1}`, ""},
		{" {\"a\":1}\n\t", ""},
		{`{"a":1}]`, "unexpected data after the JSON document"},
		{`{"a":1}}`, "unexpected data after the JSON document"},
		{`{"a":1} {"a":2}`, "unexpected data after the JSON document"},
		{`{"a":"1"}`, `field "a": want int`},
		{`{"b":1}`, `unknown field "b"`},
		{`{"a":`, "input: unexpected EOF"},
		{`{"a" 1}`, "malformed JSON at byte"},
	} {
		var d doc
		err := decodeStrict([]byte(tc.in), &d)
		if tc.err == "" {
			assert.NoError(t, err, tc.in)
			assert.Equal(t, 1, d.A)
			continue
		}
		if assert.Error(t, err, tc.in) {
			assert.Contains(t, err.Error(), tc.err, tc.in)
		}
	}
}
