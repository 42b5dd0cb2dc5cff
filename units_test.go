package fulfill_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
)

func TestUnitConstantsAreExact(t *testing.T) {
	// The definitions of the imperial units, checked in the base unit.
	assert.Equal(t, 254*fulfill.Millimeter, 10*fulfill.Inch, "1 in = 25.4 mm")
	assert.Equal(t, 3048*fulfill.Millimeter, 10*fulfill.Foot, "1 ft = 304.8 mm")
	assert.Equal(t, fulfill.Mass(45_359_237)*fulfill.Milligram/100, fulfill.Pound, "1 lb = 453.59237 g")
	assert.Equal(t, fulfill.Pound, 16*fulfill.Ounce, "1 lb = 16 oz")
	assert.Equal(t, 1000*fulfill.Gram, fulfill.Kilogram)
	assert.Equal(t, 100*fulfill.Centimeter, fulfill.Meter)
}

var lengthCases = []struct {
	in   string
	want fulfill.Length
	str  string // Length.String of want
}{
	{"12.5in", 12*fulfill.Inch + fulfill.Inch/2, "317.5mm"},
	{"30 cm", 30 * fulfill.Centimeter, "300mm"},
	{"304.8mm", 12 * fulfill.Inch, "304.8mm"},
	{"11.1in", 281_940 * fulfill.Micrometer, "281.94mm"},
	{"1.2m", 1200 * fulfill.Millimeter, "1.2m"},
	{"2ft", 24 * fulfill.Inch, "609.6mm"},
	{"5ft 3in", 63 * fulfill.Inch, "1.6002m"},
	{"12\"", 12 * fulfill.Inch, "304.8mm"},
	{"0.5 MM", 500 * fulfill.Micrometer, "500µm"},
	{"250µm", 250 * fulfill.Micrometer, "250µm"},
	{"3 inches", 3 * fulfill.Inch, "76.2mm"},
	{"-2cm", -2 * fulfill.Centimeter, "-20mm"},
	{"0mm", 0, "0mm"},
	{".5m", fulfill.Meter / 2, "500mm"},
	{"1.00000049mm", 1000 * fulfill.Micrometer, "1mm"}, // rounded to the nearest µm
	{"1.0005mm", 1001 * fulfill.Micrometer, "1.001mm"}, // halves away from zero
	{"9223372036854.775807m", fulfill.MaxLength, "9223372036854.775807m"},
}

func TestParseLength(t *testing.T) {
	for _, tc := range lengthCases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := fulfill.ParseLength(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.str, got.String())
			back, err := fulfill.ParseLength(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, back, "String must parse back exactly")
		})
	}
}

func TestParseLengthErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind error
	}{
		{"", fulfill.ErrSyntax},
		{"12", fulfill.ErrSyntax},
		{"in", fulfill.ErrSyntax},
		{"12 furlongs", fulfill.ErrSyntax},
		{"1.2.3mm", fulfill.ErrSyntax},
		{"--1mm", fulfill.ErrSyntax},
		{"1e3mm", fulfill.ErrSyntax},
		{"9223372036854.775808m", fulfill.ErrOverflow},
		{"99999999999999999999999km", fulfill.ErrOverflow},
		{"9000000000000m 9000000000000m", fulfill.ErrOverflow},
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := fulfill.ParseLength(tc.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			pe, ok := errors.AsType[*fulfill.ParseError](err)
			require.True(t, ok, "want a *ParseError, got %T", err)
			assert.Equal(t, "ParseLength", pe.Func)
			assert.Equal(t, tc.in, pe.Input)
		})
	}
}

func TestParseMass(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want fulfill.Mass
		str  string
	}{
		{"2 lb", 2 * fulfill.Pound, "907.18474g"},
		{"750g", 750 * fulfill.Gram, "750g"},
		{"1.5 kg", 1500 * fulfill.Gram, "1.5kg"},
		{"3oz", 3 * fulfill.Ounce, "85.048569375g"},
		{"2lb 4oz", 36 * fulfill.Ounce, "1.0205828325kg"},
		{"0.5mg", fulfill.Milligram / 2, "0.5mg"},
		{"1 t", fulfill.Tonne, "1000kg"},
		{"16 OUNCES", fulfill.Pound, "453.59237g"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := fulfill.ParseMass(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.str, got.String())
			back, err := fulfill.ParseMass(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, back)
		})
	}
	_, err := fulfill.ParseMass("10000 t")
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	_, err = fulfill.ParseMass("12 stone")
	assert.ErrorIs(t, err, fulfill.ErrSyntax)
}

func TestCeilToWholeInchAndPound(t *testing.T) {
	// The acceptance case: 11.1 in rounds up to 12 in, exactly 304.8 mm.
	l, err := fulfill.ParseLength("11.1in")
	require.NoError(t, err)
	up := l.Ceil(fulfill.Inch)
	assert.Equal(t, 12*fulfill.Inch, up)
	assert.Equal(t, 3048*fulfill.Millimeter/10, up)
	assert.Equal(t, "304.8mm", up.String())

	for _, tc := range []struct {
		name           string
		in, unit       int64
		ceil, floor, r int64
	}{
		{"exact", 12, 4, 12, 12, 12},
		{"above", 13, 4, 16, 12, 12},
		{"half", 14, 4, 16, 12, 16},
		{"negative", -13, 4, -12, -16, -12},
		{"negative half", -14, 4, -12, -16, -16},
		{"zero unit", 13, 0, 13, 13, 13},
		{"saturates", math.MaxInt64 - 1, 4, math.MaxInt64, math.MaxInt64 - 3, math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := fulfill.Length(tc.in)
			assert.Equal(t, fulfill.Length(tc.ceil), l.Ceil(fulfill.Length(tc.unit)), "Ceil")
			assert.Equal(t, fulfill.Length(tc.floor), l.Floor(fulfill.Length(tc.unit)), "Floor")
			assert.Equal(t, fulfill.Length(tc.r), l.Round(fulfill.Length(tc.unit)), "Round")
			m := fulfill.Mass(tc.in)
			assert.Equal(t, fulfill.Mass(tc.ceil), m.Ceil(fulfill.Mass(tc.unit)), "Mass.Ceil")
		})
	}

	w, err := fulfill.ParseMass("2.1 lb")
	require.NoError(t, err)
	assert.Equal(t, 3*fulfill.Pound, w.Ceil(fulfill.Pound))
	assert.InDelta(t, 3.0, w.Ceil(fulfill.Pound).Pounds(), 1e-12)
}

func TestConversionsOut(t *testing.T) {
	assert.InDelta(t, 12.0, (12 * fulfill.Inch).Inches(), 1e-12)
	assert.InDelta(t, 304.8, (12 * fulfill.Inch).Millimeters(), 1e-9)
	assert.InDelta(t, 30.48, fulfill.Foot.Centimeters(), 1e-9)
	assert.InDelta(t, 1.0, fulfill.Foot.Feet(), 1e-12)
	assert.InDelta(t, 0.3048, fulfill.Foot.Meters(), 1e-12)
	assert.InDelta(t, 453.59237, fulfill.Pound.Grams(), 1e-9)
	assert.InDelta(t, 0.45359237, fulfill.Pound.Kilograms(), 1e-12)
	assert.InDelta(t, 16.0, fulfill.Pound.Ounces(), 1e-12)
	assert.InDelta(t, 2.20462262, fulfill.Kilogram.Pounds(), 1e-8)
}

func TestCheckedArithmetic(t *testing.T) {
	_, err := fulfill.MaxLength.Add(1)
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	l, err := fulfill.Inch.Add(fulfill.Foot)
	require.NoError(t, err)
	assert.Equal(t, 13*fulfill.Inch, l)
	_, err = fulfill.Meter.Mul(1 << 50)
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	_, err = fulfill.Length(math.MinInt64).Mul(-1)
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	l, err = fulfill.Length(-4).Mul(-3)
	require.NoError(t, err)
	assert.Equal(t, fulfill.Length(12), l)

	m, err := fulfill.Pound.Mul(3)
	require.NoError(t, err)
	assert.Equal(t, 48*fulfill.Ounce, m)
	_, err = fulfill.Tonne.Mul(10_000)
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	oe, ok := errors.AsType[*fulfill.OverflowError](err)
	require.True(t, ok)
	assert.Equal(t, "Mass.Mul", oe.Op)
	_, err = fulfill.MaxMass.Add(fulfill.Gram)
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
}

func TestUnitsJSONRoundTrip(t *testing.T) {
	type parcel struct {
		Side   fulfill.Length `json:"side"`
		Weight fulfill.Mass   `json:"weight"`
	}
	in := parcel{Side: 11 * fulfill.Inch, Weight: 3 * fulfill.Pound}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"side":"279.4mm","weight":"1.36077711kg"}`, string(b))
	var out parcel
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"side":"3 furlongs"}`), &out), fulfill.ErrSyntax)
}
