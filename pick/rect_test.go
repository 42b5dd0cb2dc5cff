package pick

import (
	"context"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRectGeometry pins the geometry contract of RectConfig.
func TestRectGeometry(t *testing.T) {
	r, err := NewRect(RectConfig{Aisles: 10, SlotsPerAisle: 30, AisleLength: 30 * fulfill.Meter,
		AisleSpacing: 3 * fulfill.Meter, CrossAisles: 3, Depot: Depot{Aisle: 2, CrossAisle: 1}})
	require.NoError(t, err)
	assert.Equal(t, 9*fulfill.Meter, r.AisleX(3))
	assert.Equal(t, []fulfill.Length{0, 15 * fulfill.Meter, 30 * fulfill.Meter},
		[]fulfill.Length{r.CrossAisleY(0), r.CrossAisleY(1), r.CrossAisleY(2)})
	assert.Equal(t, 500*fulfill.Millimeter, r.SlotY(0))
	assert.Equal(t, 12500*fulfill.Millimeter, r.SlotY(12))
	assert.Equal(t, fulfill.Length(-1), r.SlotY(30))
	assert.Equal(t, fulfill.Length(-1), r.CrossAisleY(3))
	assert.Equal(t, Spot{X: 2, Y: int64(15 * fulfill.Meter)}, r.Depot())

	spot := func(a, s int) Spot {
		sp, err := r.Spot(Bin{Aisle: a, Slot: s, Side: SideLeft})
		require.NoError(t, err)
		return sp
	}
	tests := []struct {
		name string
		a, b Spot
		want fulfill.Length
	}{
		{"same aisle", spot(3, 2), spot(3, 12), 10 * fulfill.Meter},
		{"same spot", spot(3, 2), spot(3, 2), 0},
		{"front cross aisle", spot(0, 1), spot(2, 2), 1500*fulfill.Millimeter + 6*fulfill.Meter + 2500*fulfill.Millimeter},
		{"middle cross aisle", spot(0, 13), spot(1, 16), 1500*fulfill.Millimeter + 3*fulfill.Meter + 1500*fulfill.Millimeter},
		{"straddling the middle", spot(0, 10), spot(1, 20), 10*fulfill.Meter + 3*fulfill.Meter},
		{"back cross aisle", spot(0, 28), spot(9, 29), 1500*fulfill.Millimeter + 27*fulfill.Meter + 500*fulfill.Millimeter},
		{"from the depot", r.Depot(), spot(2, 14), 500 * fulfill.Millimeter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, r.Distance(tt.a, tt.b))
			assert.Equal(t, tt.want, r.Distance(tt.b, tt.a))
		})
	}
}

func TestRectCrossAisleWidth(t *testing.T) {
	// Two blocks of 10 m racks, cross aisles 2 m wide: centre lines at 0, 12 and 24 m.
	r, err := NewRect(RectConfig{Aisles: 2, SlotsPerAisle: 4, AisleLength: 20 * fulfill.Meter,
		AisleSpacing: 3 * fulfill.Meter, CrossAisles: 3, CrossAisleWidth: 2 * fulfill.Meter})
	require.NoError(t, err)
	assert.Equal(t, 12*fulfill.Meter, r.CrossAisleY(1))
	assert.Equal(t, 24*fulfill.Meter, r.CrossAisleY(2))
	// Slots at rack positions 2.5, 7.5, 12.5, 17.5 m; shifted by 1 m in block 0, 3 m in block 1.
	assert.Equal(t, 3500*fulfill.Millimeter, r.SlotY(0))
	assert.Equal(t, 8500*fulfill.Millimeter, r.SlotY(1))
	assert.Equal(t, 15500*fulfill.Millimeter, r.SlotY(2))
	assert.Equal(t, 20500*fulfill.Millimeter, r.SlotY(3))
}

func TestRectConfigErrors(t *testing.T) {
	ok := RectConfig{Aisles: 3, SlotsPerAisle: 10, AisleLength: 10 * fulfill.Meter, AisleSpacing: 2 * fulfill.Meter}
	tests := []struct {
		field string
		edit  func(*RectConfig)
	}{
		{"aisles", func(c *RectConfig) { c.Aisles = 0 }},
		{"aisles", func(c *RectConfig) { c.Aisles = MaxAisles + 1 }},
		{"slots_per_aisle", func(c *RectConfig) { c.SlotsPerAisle = -1 }},
		{"aisle_length", func(c *RectConfig) { c.AisleLength = 0 }},
		{"aisle_length", func(c *RectConfig) { c.AisleLength = MaxRectDimension + 1 }},
		{"aisle_spacing", func(c *RectConfig) { c.AisleSpacing = -fulfill.Meter }},
		{"cross_aisles", func(c *RectConfig) { c.CrossAisles = 1 }},
		{"cross_aisles", func(c *RectConfig) { c.CrossAisles = MaxCrossAisles + 1 }},
		{"cross_aisle_width", func(c *RectConfig) { c.CrossAisleWidth = -1 }},
		{"depot.aisle", func(c *RectConfig) { c.Depot.Aisle = 3 }},
		{"depot.cross_aisle", func(c *RectConfig) { c.Depot.CrossAisle = 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			_, err := NewRect(cfg)
			require.ErrorIs(t, err, ErrInvalidLayout)
			le, isLE := err.(*LayoutError)
			require.True(t, isLE)
			assert.Equal(t, tt.field, le.Field)
		})
	}
	r, err := NewRect(ok)
	require.NoError(t, err)
	assert.Equal(t, 2, r.Config().CrossAisles, "zero cross aisles means 2")
	_, err = r.Spot(Bin{Aisle: 3, Side: SideLeft})
	assert.ErrorIs(t, err, ErrInvalidBin)
	_, err = r.Spot(Bin{Aisle: 0, Slot: 10, Side: SideLeft})
	assert.ErrorIs(t, err, ErrInvalidBin)
}

func TestOptimalErrors(t *testing.T) {
	r, err := NewRect(RectConfig{Aisles: 3, SlotsPerAisle: 10, AisleLength: 10 * fulfill.Meter, AisleSpacing: 2 * fulfill.Meter, CrossAisles: MaxOptimalCrossAisles + 1})
	require.NoError(t, err)
	_, err = Optimal{}.Route(context.Background(), r, nil)
	assert.ErrorIs(t, err, ErrUnsupported)
	// Auto falls back to an exact or local method.
	bins := []Bin{{Aisle: 2, Slot: 3, Side: SideLeft}, {Aisle: 0, Slot: 9, Side: SideRight}}
	got, err := Auto{}.Route(context.Background(), r, bins)
	require.NoError(t, err)
	require.NoError(t, Verify(r, bins, got))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r2 := benchBlock(t, 2)
	_, err = Optimal{}.Route(ctx, r2, bins)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = Optimal{}.Route(context.Background(), r2, []Bin{{Aisle: 0, Slot: 0, Side: "X"}})
	assert.ErrorIs(t, err, ErrInvalidBin)
	_, err = Optimal{}.Route(context.Background(), nil, bins)
	assert.ErrorIs(t, err, ErrUnsupported)
}

func TestOptimalSmallCases(t *testing.T) {
	r := benchBlock(t, 2) // depot at the front of aisle 0
	ctx := context.Background()
	tests := []struct {
		name string
		bins []Bin
		want fulfill.Length
	}{
		{"nothing", nil, 0},
		{"one pick in the depot aisle", []Bin{{Aisle: 0, Slot: 4, Side: SideLeft}}, 9 * fulfill.Meter},
		{"two sides of one slot", []Bin{{Aisle: 0, Slot: 4, Side: SideLeft}, {Aisle: 0, Slot: 4, Level: 2, Side: SideRight}}, 9 * fulfill.Meter},
		{"one pick far right", []Bin{{Aisle: 9, Slot: 0, Side: SideLeft}}, 2 * (27*fulfill.Meter + 500*fulfill.Millimeter)},
		// Up aisle 0 to the back, across, down aisle 1: a full loop.
		{"loop", []Bin{{Aisle: 0, Slot: 29, Side: SideLeft}, {Aisle: 1, Slot: 29, Side: SideLeft}}, 2*30*fulfill.Meter + 2*3*fulfill.Meter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Optimal{}.Route(ctx, r, tt.bins)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Length)
			require.NoError(t, Verify(r, tt.bins, got))
		})
	}
}

func TestVerifyFindsProblems(t *testing.T) {
	r := benchBlock(t, 2)
	bins := []Bin{{Aisle: 1, Slot: 4, Side: SideLeft}, {Aisle: 3, Slot: 20, Side: SideRight}}
	good, err := Optimal{}.Route(context.Background(), r, bins)
	require.NoError(t, err)
	require.NoError(t, Verify(r, bins, good))
	tests := []struct {
		name  string
		route Route
		want  string
	}{
		{"skipped", Route{Stops: []int{0}, Length: good.Length}, "never visited"},
		{"twice", Route{Stops: []int{0, 1, 0}, Length: good.Length}, "visited twice"},
		{"unknown", Route{Stops: []int{0, 1, 2}, Length: good.Length}, "not one of"},
		{"wrong length", Route{Stops: good.Stops, Length: good.Length + fulfill.Millimeter}, "does not add up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(r, bins, tt.route)
			require.ErrorIs(t, err, ErrInvalidRoute)
			re, ok := err.(*RouteError)
			require.True(t, ok)
			assert.Contains(t, re.Error(), tt.want)
		})
	}
}
