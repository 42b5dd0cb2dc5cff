package fulfill_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
)

func TestDimensionsMeasures(t *testing.T) {
	d := fulfill.Dims(10*fulfill.Inch, 30*fulfill.Inch, 20*fulfill.Inch)
	assert.Equal(t, fulfill.Dims(30*fulfill.Inch, 20*fulfill.Inch, 10*fulfill.Inch), d.Sorted())
	assert.Equal(t, 30*fulfill.Inch, d.Longest())
	assert.Equal(t, 60*fulfill.Inch, d.Girth(), "2x20 + 2x10")
	assert.Equal(t, 90*fulfill.Inch, d.LengthPlusGirth())
	v, err := d.Volume()
	require.NoError(t, err)
	assert.Equal(t, 6000*fulfill.CubicInch, v)
	assert.InDelta(t, 6000.0, v.CubicInches(), 1e-9)

	v, err = fulfill.Dims(fulfill.Meter, fulfill.Meter, fulfill.Meter).Volume()
	require.NoError(t, err)
	assert.Equal(t, fulfill.CubicMeter, v)
	assert.Equal(t, "1000l", v.String())
	assert.InDelta(t, 1.0, v.CubicMeters(), 1e-12)
	assert.InDelta(t, 1000.0, v.Liters(), 1e-9)

	_, err = fulfill.Dims(3*fulfill.Meter, 3*fulfill.Meter, 3*fulfill.Meter).Volume()
	assert.ErrorIs(t, err, fulfill.ErrOverflow, "27 m³ is beyond the range of Volume")
	_, err = fulfill.Dims(fulfill.MaxLength, fulfill.MaxLength, 2).Volume()
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	_, err = fulfill.Dims(-1, 2, 3).Volume()
	assert.ErrorIs(t, err, fulfill.ErrInvalidDimensions)
	assert.Equal(t, fulfill.MaxLength, fulfill.Dims(fulfill.MaxLength, fulfill.MaxLength, 1).LengthPlusGirth(), "saturates")
}

func TestDimensionsOrientations(t *testing.T) {
	brick := fulfill.Dims(3, 2, 1)
	all := brick.Orientations()
	assert.Len(t, all, 6)
	seen := map[fulfill.Dimensions]bool{}
	for _, r := range fulfill.Rotations {
		o := brick.Rotate(r)
		assert.Equal(t, brick.Sorted(), o.Sorted(), "rotation %s keeps the sides", r)
		seen[o] = true
		if r.Upright() {
			assert.Equal(t, brick.Height, o.Height, "upright rotation %s keeps the height", r)
		}
	}
	assert.Len(t, seen, 6, "the six rotations are distinct on a brick")
	assert.Len(t, fulfill.Dims(2, 2, 1).Orientations(), 3)
	assert.Len(t, fulfill.Dims(5, 5, 5).Orientations(), 1)
	assert.Equal(t, "Rotation(9)", fulfill.Rotation(9).String())
	assert.Equal(t, brick, brick.Rotate(fulfill.Rotation(9)))
}

func TestDimensionsFits(t *testing.T) {
	box := fulfill.Dims(30, 20, 10)
	for _, tc := range []struct {
		item          fulfill.Dimensions
		fits, upright bool
	}{
		{fulfill.Dims(30, 20, 10), true, true},
		{fulfill.Dims(10, 20, 30), true, false}, // fits on its side only
		{fulfill.Dims(20, 30, 10), true, true},  // turned about the vertical axis
		{fulfill.Dims(31, 1, 1), false, false},
		{fulfill.Dims(25, 25, 5), false, false},
		{fulfill.Dims(15, 15, 15), false, false},
	} {
		assert.Equal(t, tc.fits, tc.item.Fits(box), "%v in %v", tc.item, box)
		assert.Equal(t, tc.upright, tc.item.FitsUpright(box), "%v upright in %v", tc.item, box)
	}
}

func TestDimensionsValidate(t *testing.T) {
	require.NoError(t, fulfill.Dims(1, 1, 1).Validate())
	err := fulfill.Dims(0, -5, 2*fulfill.Kilometer).Validate()
	require.ErrorIs(t, err, fulfill.ErrInvalidDimensions)
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		fe, ok := errors.AsType[*fulfill.FieldError](e)
		require.True(t, ok)
		fields = append(fields, fe.Field)
	}
	assert.Equal(t, []string{"length", "width", "height"}, fields, "every bad side is reported")
}

func TestParseDimensions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want fulfill.Dimensions
	}{
		{"12x10x8 in", fulfill.Dims(12*fulfill.Inch, 10*fulfill.Inch, 8*fulfill.Inch)},
		{"300 x 230 x 30mm", fulfill.Dims(300*fulfill.Millimeter, 230*fulfill.Millimeter, 30*fulfill.Millimeter)},
		{"30cmx20cmx1.5in", fulfill.Dims(30*fulfill.Centimeter, 20*fulfill.Centimeter, 3*fulfill.Inch/2)},
	} {
		got, err := fulfill.ParseDimensions(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		back, err := fulfill.ParseDimensions(got.String())
		require.NoError(t, err)
		assert.Equal(t, got, back)
	}
	for _, bad := range []string{"", "12x10", "12x10x8", "axbxc", "1x2x3x4 cm", "12 furlongs x 1in x 1in"} {
		_, err := fulfill.ParseDimensions(bad)
		assert.ErrorIs(t, err, fulfill.ErrSyntax, bad)
	}
}

func TestDimensionsJSON(t *testing.T) {
	d := fulfill.Dims(12*fulfill.Inch, 300*fulfill.Millimeter, 1500*fulfill.Micrometer)
	b, err := json.Marshal(d)
	require.NoError(t, err)
	assert.JSONEq(t, `{"length":"304.8mm","width":"300mm","height":"1.5mm"}`, string(b))
	var back fulfill.Dimensions
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, d, back)
}
