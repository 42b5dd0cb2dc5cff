package pick

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWaves(t *testing.T) {
	noon := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	line := func(a int) Line { return Line{Bin: Bin{Aisle: a, Slot: 1, Side: SideLeft}, Quantity: 1} }
	orders := []Order{
		{ID: "late", Lines: []Line{line(1)}, CutOff: noon.Add(4 * time.Hour)},
		{ID: "none", Lines: []Line{line(1)}},
		{ID: "noon", Lines: []Line{line(1)}, CutOff: noon},
		{ID: "noon-rush", Lines: []Line{line(1)}, CutOff: noon, Priority: 5},
		{ID: "noon-2", Lines: []Line{line(2)}, CutOff: noon.In(time.FixedZone("x", 3600))},
		{ID: "noon-b", Lines: []Line{line(6)}, CutOff: noon},
		{ID: "noon-ab", Lines: []Line{line(6), line(0)}, CutOff: noon},
	}
	waves, err := Waves(orders, nil)
	require.NoError(t, err)
	var got [][]int
	for _, w := range waves {
		got = append(got, w.Orders)
	}
	assert.Equal(t, [][]int{{3}, {2, 4, 5, 6}, {0}, {1}}, got)

	zones := []Zone{{Name: "A", FirstAisle: 0, LastAisle: 4}, {Name: "B", FirstAisle: 5, LastAisle: 9}}
	waves, err = Waves(orders, zones)
	require.NoError(t, err)
	got = nil
	var names []string
	for _, w := range waves {
		got = append(got, w.Orders)
		names = append(names, w.Zones)
	}
	assert.Equal(t, [][]int{{3}, {2, 4}, {6}, {5}, {0}, {1}}, got)
	assert.Equal(t, []string{"A", "A", "A+B", "B", "A", "A"}, names)

	cons, err := Consolidations(orders, zones)
	require.NoError(t, err)
	assert.Equal(t, []Consolidation{{Order: 6, Zones: []string{"A", "B"}}}, cons)

	_, err = Waves([]Order{{ID: "x", Lines: []Line{line(20)}}}, zones)
	assert.ErrorIs(t, err, ErrInvalidOrder)
	_, err = Waves(orders, []Zone{{Name: "A", FirstAisle: 3, LastAisle: 1}})
	assert.ErrorIs(t, err, ErrInvalidLayout)
	_, err = Waves(orders, []Zone{{Name: "A"}, {Name: "A"}})
	assert.ErrorIs(t, err, ErrInvalidLayout)
}

func TestSplitZonesAndList(t *testing.T) {
	r := benchBlock(t, 2)
	lines := []Line{
		{Bin: Bin{Aisle: 8, Slot: 3, Side: SideLeft}, SKU: "C", Quantity: 1},
		{Bin: Bin{Aisle: 1, Slot: 20, Side: SideRight}, SKU: "A", Quantity: 2},
		{Bin: Bin{Aisle: 4, Slot: 5, Side: SideLeft}, SKU: "B", Quantity: 1},
		{Bin: Bin{Aisle: 1, Slot: 20, Side: SideLeft}, SKU: "A2", Quantity: 1},
	}
	sorted, rt, err := List(context.Background(), r, nil, lines)
	require.NoError(t, err)
	bins := make([]Bin, len(sorted))
	for i, ln := range sorted {
		bins[i] = ln.Bin
	}
	require.NoError(t, Verify(r, bins, rt))
	assert.Equal(t, []int{0, 1, 2, 3}, rt.Stops)
	// The two lines in the same slot are picked one after the other.
	var skus []string
	for _, ln := range sorted {
		skus = append(skus, string(ln.SKU))
	}
	assert.Contains(t, []string{"A A2 B C", "A2 A B C", "C B A A2", "C B A2 A"}, skus[0]+" "+skus[1]+" "+skus[2]+" "+skus[3])

	zones := []Zone{{Name: "front", FirstAisle: 0, LastAisle: 2}, {Name: "back", FirstAisle: 3, LastAisle: 9}}
	legs, err := SplitZones(bins, rt, zones)
	require.NoError(t, err)
	require.Len(t, legs, 2)
	total := 0
	for _, leg := range legs {
		for _, s := range leg.Stops {
			assert.Equal(t, leg.Zone, zoneOf(zones, bins[s].Aisle))
		}
		total += len(leg.Stops)
	}
	assert.Equal(t, len(bins), total)
	_, err = SplitZones(bins, rt, zones[:1])
	assert.ErrorIs(t, err, ErrInvalidBin)
}

func TestBatchWaves(t *testing.T) {
	r := benchBlock(t, 2)
	noon := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	line := func(a int) Line { return Line{Bin: Bin{Aisle: a, Slot: 1, Side: SideLeft}, Quantity: 1} }
	orders := []Order{
		{ID: "a", Lines: []Line{line(1)}},
		{ID: "b", Lines: []Line{line(1)}, CutOff: noon},
		{ID: "c", Lines: []Line{line(2)}},
		{ID: "d", Lines: []Line{line(2)}, CutOff: noon},
	}
	got, err := BatchWaves(context.Background(), r, Savings{}, orders, nil, Capacity{Lines: 4})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, []int{1, 3}, got[0].Batching.Batches[0].Orders)
	assert.Equal(t, []int{0, 2}, got[1].Batching.Batches[0].Orders)
}
