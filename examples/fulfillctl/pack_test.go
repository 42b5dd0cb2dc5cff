package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPackSamples(t *testing.T) {
	files, err := filepath.Glob("testdata/pack_*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			require.NoError(t, err)
			code, out, stderr := runCLI(t, "", "pack", f)
			require.Equal(t, 0, code, stderr)
			var res packOutput
			require.NoError(t, decodeStrict([]byte(out), &res))
			problems, err := verifyPack(in, json.RawMessage(out))
			require.NoError(t, err)
			assert.Empty(t, problems)
			// The same input on stdin gives the same output (deterministic).
			code, again, _ := runCLI(t, string(in), "pack")
			require.Equal(t, 0, code)
			assert.Equal(t, out, again)
		})
	}
}

func TestPackExampleContract(t *testing.T) {
	// The item of the documented example is larger than its only box.
	code, out, _ := runCLI(t, "", "pack", "testdata/pack_example.json")
	require.Equal(t, 0, code)
	var res packOutput
	require.NoError(t, decodeStrict([]byte(out), &res))
	assert.Empty(t, res.Packages)
	require.Len(t, res.Unpacked, 1)
	assert.Equal(t, packUnpackedJSON{Item: "i1", Quantity: 1, Reason: "too_big",
		Detail: res.Unpacked[0].Detail}, res.Unpacked[0])
	// With a box that takes it, one placement per unit in the contract's fields.
	in := `{"boxes":[{"id":"B2","length_mm":320,"width_mm":240,"height_mm":60,"max_weight_g":2000,"cost":"0.32","count":0}],
		"items":[{"id":"i1","sku":"tshirt","length_mm":300,"width_mm":230,"height_mm":30,"weight_g":216,"quantity":2,"rotation":"any"}],
		"objective":"cost","time_limit_ms":1000}`
	code, out, stderr := runCLI(t, in, "pack")
	require.Equal(t, 0, code, stderr)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	want := map[string]any{
		"packages": []any{map[string]any{"box": "B2", "weight_g": 432.0, "cost": "0.32", "placements": []any{
			map[string]any{"item": "i1", "x_mm": 0.0, "y_mm": 0.0, "z_mm": 0.0, "length_mm": 300.0, "width_mm": 230.0, "height_mm": 30.0},
			map[string]any{"item": "i1", "x_mm": 0.0, "y_mm": 0.0, "z_mm": 30.0, "length_mm": 300.0, "width_mm": 230.0, "height_mm": 30.0},
		}}},
		"unpacked":          []any{},
		"lower_bound_boxes": 1.0,
	}
	assert.Equal(t, want, got)
}

func TestPackBadInput(t *testing.T) {
	box := `{"id":"B","length_mm":100,"width_mm":100,"height_mm":100,"cost":"1"}`
	item := `{"id":"i","length_mm":10,"width_mm":10,"height_mm":10,"weight_g":5,"quantity":1}`
	tests := []struct {
		name, in, want string
	}{
		{"truncated", `{"boxes":[`, "unexpected EOF"},
		{"malformed", `{"boxes":[}`, "malformed JSON"},
		{"unknown field", `{"boxes":[` + box + `],"items":[` + item + `],"colour":"red"}`, `unknown field "colour"`},
		{"wrong type", `{"boxes":[` + box + `],"items":[{"id":"i","length_mm":"ten"}]}`, `field "items.length_mm"`},
		{"no boxes", `{"boxes":[],"items":[` + item + `]}`, `field "boxes"`},
		{"zero length", `{"boxes":[{"id":"B","length_mm":0,"width_mm":1,"height_mm":1}],"items":[` + item + `]}`, `boxes[0].length_mm`},
		{"huge length", `{"boxes":[` + box + `],"items":[{"id":"i","length_mm":99999999999,"width_mm":1,"height_mm":1,"quantity":1}]}`, `items[0].length_mm`},
		{"negative weight", `{"boxes":[` + box + `],"items":[{"id":"i","length_mm":1,"width_mm":1,"height_mm":1,"weight_g":-1,"quantity":1}]}`, `items[0].weight_g`},
		{"bad cost", `{"boxes":[{"id":"B","length_mm":1,"width_mm":1,"height_mm":1,"cost":"1e3"}],"items":[` + item + `]}`, `boxes[0].cost`},
		{"bad rotation", `{"boxes":[` + box + `],"items":[{"id":"i","length_mm":1,"width_mm":1,"height_mm":1,"quantity":1,"rotation":"sideways"}]}`, `items[0].rotation`},
		{"zero quantity", `{"boxes":[` + box + `],"items":[{"id":"i","length_mm":1,"width_mm":1,"height_mm":1}]}`, `items[0].quantity`},
		{"duplicate item", `{"boxes":[` + box + `],"items":[` + item + `,` + item + `]}`, `duplicate item ID`},
		{"bad objective", `{"boxes":[` + box + `],"items":[` + item + `],"objective":"speed"}`, `field "objective"`},
		{"bad mode", `{"boxes":[` + box + `],"items":[` + item + `],"mode":"slow"}`, `field "mode"`},
		{"bad currency", `{"boxes":[` + box + `],"items":[` + item + `],"currency":"ZZZ"}`, `field "currency"`},
		{"negative count", `{"boxes":[{"id":"B","length_mm":1,"width_mm":1,"height_mm":1,"count":-1}],"items":[` + item + `]}`, `boxes[0].count`},
		{"negative time", `{"boxes":[` + box + `],"items":[` + item + `],"time_limit_ms":-5}`, `time_limit_ms`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, tt.in, "pack")
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			assert.Contains(t, stderr, tt.want)
		})
	}
}

func TestPackHelp(t *testing.T) {
	code, _, stderr := runCLI(t, "", "pack", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "lower_bound_boxes")
}

func TestPackSVGFlag(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "box")
	code, _, stderr := runCLI(t, "", "pack", "-svg", prefix, "testdata/pack_ecommerce.json")
	require.Equal(t, 0, code, stderr)
	b, err := os.ReadFile(prefix + "-1.svg")
	require.NoError(t, err)
	assert.Contains(t, string(b), `class="unit"`)
}

func TestVerifyPackSamples(t *testing.T) {
	code, out, _ := runCLI(t, "", "verify", "testdata/verify_pack_ok.json")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, `"valid": true`)

	code, out, _ = runCLI(t, "", "verify", "testdata/verify_pack_bad.json")
	require.Equal(t, 1, code)
	var v verifyOutput
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	assert.False(t, v.Valid)
	joined := strings.Join(v.Problems, "\n")
	for _, want := range []string{"overlaps", "not inside box", "forbids", "over box", "3 units placed", "gross weight"} {
		assert.Contains(t, joined, want)
	}
}

func TestVerifyPackBadDocuments(t *testing.T) {
	req := json.RawMessage(`{"boxes":[{"id":"B","length_mm":10,"width_mm":10,"height_mm":10}],"items":[]}`)
	_, err := verifyPack(req, json.RawMessage(`{"packages":[],"unknown":1}`))
	assert.ErrorContains(t, err, "result")
	_, err = verifyPack(json.RawMessage(`{"boxes":[]}`), json.RawMessage(`{}`))
	assert.ErrorContains(t, err, "request")
	// A result that skips a unit.
	req = json.RawMessage(`{"boxes":[{"id":"B","length_mm":10,"width_mm":10,"height_mm":10}],
		"items":[{"id":"i","length_mm":1,"width_mm":1,"height_mm":1,"quantity":2}]}`)
	problems, err := verifyPack(req, json.RawMessage(`{"packages":[{"box":"B","weight_g":0,"cost":"0","placements":[
		{"item":"i","x_mm":0,"y_mm":0,"z_mm":0,"length_mm":1,"width_mm":1,"height_mm":1}]}],"unpacked":[],"lower_bound_boxes":1}`))
	require.NoError(t, err)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "1 units placed")
}

// FuzzPackCommand feeds arbitrary documents to pack: it must answer with an
// error or with a packing that verify accepts, never panic.
func FuzzPackCommand(f *testing.F) {
	files, _ := filepath.Glob("testdata/pack_*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"boxes":[{"id":"B","length_mm":10,"width_mm":10,"height_mm":10}],"items":[{"id":"i","length_mm":5,"width_mm":5,"height_mm":5,"quantity":9,"rotation":"upright","fragile":true}]}`))
	f.Add([]byte(`{"boxes":[{"id":"B","length_mm":1,"width_mm":1,"height_mm":1,"count":1}],"items":[{"id":"i","length_mm":1,"width_mm":1,"height_mm":1,"quantity":3,"group":"g"}],"objective":"cost"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var probe packInput
		if decodeStrict(in, &probe) == nil {
			units := 0
			for _, it := range probe.Items {
				if it.Quantity > 0 {
					units += it.Quantity
				}
			}
			if units > 200 || probe.Mode == "thorough" || probe.TimeLimitMS > 0 {
				return // keep each run short
			}
		}
		var out, errb bytes.Buffer
		if run([]string{"pack"}, bytes.NewReader(in), &out, &errb) != 0 {
			return
		}
		problems, err := verifyPack(in, json.RawMessage(out.Bytes()))
		if err != nil || len(problems) > 0 {
			t.Fatalf("pack output does not verify: %v %v\ninput %s\noutput %s", err, problems, in, out.String())
		}
	})
}
