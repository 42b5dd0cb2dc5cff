package inventory_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func lvl(sku, loc string, avail int64) inventory.Level {
	return inventory.Level{Key: inventory.Key{Owner: "acme", SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc)},
		Buckets: inventory.Buckets{OnHand: avail}, Version: 1}
}

func lotLvl(sku, loc, lot string, avail int64, expires, received time.Time) inventory.Level {
	l := lvl(sku, loc, avail)
	l.Lot, l.Expires, l.Received = inventory.LotID(lot), expires, received
	return l
}

// served sums an allocation per location and SKU.
func served(a *inventory.Allocation) map[string]int64 {
	m := map[string]int64{}
	for _, as := range a.Assignments {
		m[string(as.Key.Location)+":"+string(as.Key.SKU)+lotSuffix(as.Key.Lot)] += as.Quantity
	}
	return m
}

func lotSuffix(l inventory.LotID) string {
	if l == "" {
		return ""
	}
	return "#" + string(l)
}

func TestPlanStrategies(t *testing.T) {
	levels := []inventory.Level{
		lvl("A", "EAST", 5), lvl("B", "EAST", 1),
		lvl("A", "WEST", 3), lvl("B", "WEST", 4),
		lvl("A", "STORE", 2), lvl("B", "STORE", 2),
		lvl("A", "NORTH", 10),
	}
	dist := map[fulfill.LocationID]int64{"EAST": 300, "WEST": 20, "STORE": 5}
	req := inventory.Request{Owner: "acme", Lines: []inventory.Line{{SKU: "A", Quantity: 3}, {SKU: "B", Quantity: 2}}, At: t0}
	tests := []struct {
		name      string
		req       func(r *inventory.Request)
		strategy  inventory.Strategy
		want      map[string]int64
		shipments int
		backorder []inventory.Backorder
	}{
		{name: "fewest shipments finds one location serving all", strategy: inventory.FewestShipments{},
			want: map[string]int64{"WEST:A": 3, "WEST:B": 2}, shipments: 1},
		{name: "fewest shipments greedy", strategy: inventory.FewestShipments{ExactLimit: -1},
			req:  func(r *inventory.Request) { r.Lines[1].Quantity = 5 },
			want: map[string]int64{"WEST:A": 3, "WEST:B": 4, "EAST:B": 1}, shipments: 2},
		{name: "fewest shipments exact", strategy: inventory.FewestShipments{},
			req:  func(r *inventory.Request) { r.Lines[1].Quantity = 5 },
			want: map[string]int64{"EAST:A": 3, "EAST:B": 1, "WEST:B": 4}, shipments: 2},
		{name: "priority list", strategy: inventory.Priority{Locations: []fulfill.LocationID{"EAST", "STORE"}},
			want: map[string]int64{"EAST:A": 3, "EAST:B": 1, "STORE:B": 1}, shipments: 2},
		{name: "priority list leaves others out", strategy: inventory.Priority{Locations: []fulfill.LocationID{"EAST"}},
			want: map[string]int64{"EAST:A": 3, "EAST:B": 1}, shipments: 1,
			backorder: []inventory.Backorder{{Line: 1, SKU: "B", Quantity: 1}}},
		{name: "closest, unreachable excluded", strategy: inventory.Closest{Distance: func(l fulfill.LocationID) (int64, bool) { d, ok := dist[l]; return d, ok }},
			want: map[string]int64{"STORE:A": 2, "WEST:A": 1, "STORE:B": 2}, shipments: 2},
		{name: "highest stock", strategy: inventory.HighestStock{},
			want: map[string]int64{"NORTH:A": 3, "WEST:B": 2}, shipments: 2},
		{name: "store first", strategy: inventory.StoreFirst{Stores: []fulfill.LocationID{"STORE"}},
			req:  func(r *inventory.Request) { r.Lines[1].Quantity = 3 },
			want: map[string]int64{"STORE:A": 2, "STORE:B": 2, "WEST:A": 1, "WEST:B": 1}, shipments: 2},
		{name: "channel eligible locations", strategy: inventory.FewestShipments{},
			req:  func(r *inventory.Request) { r.Locations = []fulfill.LocationID{"EAST"} },
			want: map[string]int64{"EAST:A": 3, "EAST:B": 1}, shipments: 1,
			backorder: []inventory.Backorder{{Line: 1, SKU: "B", Quantity: 1}}},
		{name: "backorder beyond all stock", strategy: nil,
			req:  func(r *inventory.Request) { r.Lines[1].Quantity = 10 },
			want: map[string]int64{"WEST:A": 3, "EAST:B": 1, "WEST:B": 4, "STORE:B": 2}, shipments: 3,
			backorder: []inventory.Backorder{{Line: 1, SKU: "B", Quantity: 3}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := req
			r.Lines = slices.Clone(req.Lines)
			if tc.req != nil {
				tc.req(&r)
			}
			a, err := inventory.Plan(r, levels, tc.strategy)
			require.NoError(t, err)
			assert.Equal(t, tc.want, served(a))
			assert.Len(t, a.Shipments(), tc.shipments)
			assert.Equal(t, tc.backorder, a.Backorders)
			again, err := inventory.Plan(r, slices.Clone(levels), tc.strategy)
			require.NoError(t, err)
			assert.Equal(t, a, again, "deterministic")
		})
	}
}

func TestPlanLots(t *testing.T) {
	early, late := t0.Add(24*time.Hour), t0.Add(72*time.Hour)
	levels := []inventory.Level{
		lotLvl("MILK", "WH", "L-LATE", 4, late, t0.Add(-48*time.Hour)),
		lotLvl("MILK", "WH", "L-EARLY", 4, early, t0.Add(-24*time.Hour)),
		lotLvl("MILK", "WH", "L-NONE", 4, time.Time{}, t0.Add(-72*time.Hour)),
		lotLvl("MILK", "WH", "L-GONE", 9, t0, t0.Add(-96*time.Hour)),
	}
	req := inventory.Request{Owner: "acme", Lines: []inventory.Line{{SKU: "MILK", Quantity: 6}}, At: t0}
	a, err := inventory.Plan(req, levels, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"WH:MILK#L-EARLY": 4, "WH:MILK#L-LATE": 2}, served(a), "FEFO; the lot expiring now is never allocated")
	req.Removal = inventory.RemovalFIFO
	a, err = inventory.Plan(req, levels, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"WH:MILK#L-NONE": 4, "WH:MILK#L-LATE": 2}, served(a), "FIFO by receipt date")
	req.Lines[0].Quantity = 20
	a, err = inventory.Plan(req, levels, nil)
	require.NoError(t, err)
	assert.Equal(t, []inventory.Backorder{{SKU: "MILK", Quantity: 8}}, a.Backorders, "12 unexpired units")
	// Quarantined units are not available, so never allocated.
	q := lotLvl("MILK", "WH", "L-Q", 5, time.Time{}, t0)
	q.Quarantine = 5
	a, err = inventory.Plan(inventory.Request{Owner: "acme", Lines: []inventory.Line{{SKU: "MILK", Quantity: 1}}, At: t0}, []inventory.Level{q}, nil)
	require.NoError(t, err)
	assert.Empty(t, a.Assignments)
}

func TestPlanInvalid(t *testing.T) {
	for _, req := range []inventory.Request{
		{},
		{Owner: "acme"},
		{Owner: "acme", Lines: []inventory.Line{{SKU: "A", Quantity: 0}}},
		{Owner: "acme", Lines: []inventory.Line{{SKU: "", Quantity: 1}}},
		{Owner: "acme", Lines: []inventory.Line{{SKU: "A", Quantity: 1 << 62}, {SKU: "A", Quantity: 1 << 62}, {SKU: "A", Quantity: 1 << 62}}},
		{Owner: "acme", Lines: []inventory.Line{{SKU: "A", Quantity: 1}}, Removal: "lifo"},
	} {
		_, err := inventory.Plan(req, nil, nil)
		assert.Error(t, err, "%+v", req)
	}
}

// TestPlanProperties checks, over random stock, that every plan serves each
// line exactly (assigned + backordered = requested), never takes more than a
// level has, never touches another owner's, an expired or an ineligible
// level, and that FewestShipments never ships from more locations than the
// others when one location could serve everything.
func TestPlanProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	locs := []fulfill.LocationID{"L1", "L2", "L3", "L4", "L5", "L6"}
	skus := []fulfill.SKU{"A", "B", "C"}
	strategies := []inventory.Strategy{
		inventory.FewestShipments{}, inventory.FewestShipments{ExactLimit: -1}, inventory.HighestStock{},
		inventory.Priority{Locations: locs}, inventory.StoreFirst{Stores: []fulfill.LocationID{"L3"}},
		inventory.Closest{Distance: func(l fulfill.LocationID) (int64, bool) { return int64(len(l) * int(l[1])), true }},
	}
	for range 300 {
		var levels []inventory.Level
		for _, l := range locs {
			for _, s := range skus {
				if rng.IntN(3) == 0 {
					continue
				}
				lv := lvl(string(s), string(l), rng.Int64N(8))
				if rng.IntN(5) == 0 {
					lv.Owner = "other"
				}
				if rng.IntN(5) == 0 {
					lv.Lot, lv.Expires = "X", t0.Add(time.Duration(rng.IntN(3)-1)*time.Hour)
				}
				levels = append(levels, lv)
			}
		}
		req := inventory.Request{Owner: "acme", At: t0}
		for range 1 + rng.IntN(3) {
			req.Lines = append(req.Lines, inventory.Line{SKU: skus[rng.IntN(len(skus))], Quantity: 1 + rng.Int64N(10)})
		}
		if rng.IntN(3) == 0 {
			req.Locations = locs[:3]
		}
		fewest := -1
		for _, s := range strategies {
			a, err := inventory.Plan(req, levels, s)
			require.NoError(t, err)
			got := make([]int64, len(req.Lines))
			for _, as := range a.Assignments {
				got[as.Line] += as.Quantity
				assert.Equal(t, req.Lines[as.Line].SKU, as.Key.SKU)
			}
			for _, b := range a.Backorders {
				got[b.Line] += b.Quantity
			}
			for i, l := range req.Lines {
				assert.Equal(t, l.Quantity, got[i], "line %d", i)
			}
			use := map[inventory.Key]int64{}
			for _, as := range a.Assignments {
				use[as.Key] += as.Quantity
			}
			for k, q := range use {
				i := slices.IndexFunc(levels, func(l inventory.Level) bool { return l.Key == k })
				require.GreaterOrEqual(t, i, 0)
				l := levels[i]
				assert.LessOrEqual(t, q, l.Available())
				assert.Equal(t, fulfill.OwnerID("acme"), l.Owner)
				assert.False(t, l.Expired(t0))
				if len(req.Locations) > 0 {
					assert.Contains(t, req.Locations, l.Location)
				}
			}
			if len(a.Backorders) == 0 {
				if fewest < 0 {
					fewest = len(a.Shipments()) // strategies[0] is the exact FewestShipments
				}
				assert.LessOrEqual(t, fewest, len(a.Shipments()), "%T ships from fewer locations than FewestShipments", s)
			}
		}
	}
}

func TestAllocateReplansStalePlan(t *testing.T) {
	ctx := context.Background()
	clk := fulfill.NewFakeClock(t0)
	store := new(inventory.MemStore)
	inv := inventory.New(store, &inventory.Options{Clock: clk, Rand: rand.NewChaCha8([32]byte{1})})
	for _, l := range []struct {
		loc string
		q   int64
	}{{"EAST", 4}, {"WEST", 4}} {
		_, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: inventory.Key{Owner: "acme", SKU: "A", Location: fulfill.LocationID(l.loc)}, Quantity: l.q})
		require.NoError(t, err)
	}
	req := inventory.Request{Lines: []inventory.Line{{SKU: "A", Quantity: 3, Line: "1"}}}
	plan, err := inventory.Plan(inventory.Request{Owner: "acme", Lines: req.Lines, At: t0}, mustLevels(t, inv), inventory.Priority{Locations: []fulfill.LocationID{"EAST", "WEST"}})
	require.NoError(t, err)
	// Stock moves under the plan: applying it now fails cleanly.
	_, err = inv.Apply(ctx, &inventory.Adjust{Meta: inventory.Meta{Owner: "acme"}, Key: inventory.Key{Owner: "acme", SKU: "A", Location: "EAST"}, Delta: -2})
	require.NoError(t, err)
	_, err = inv.Apply(ctx, plan.Reserve(inventory.Meta{Owner: "acme"}, 0))
	require.ErrorIs(t, err, inventory.ErrConflict)

	m := inventory.Meta{Owner: "acme", IdempotencyKey: "order-1"}
	a, r, err := inv.Allocate(ctx, req, inventory.Priority{Locations: []fulfill.LocationID{"EAST", "WEST"}}, m, 0)
	require.NoError(t, err)
	require.NotNil(t, r)
	assert.Equal(t, map[string]int64{"EAST:A": 2, "WEST:A": 1}, served(a))
	// A retry returns the same reservations and the same allocation.
	a2, r2, err := inv.Allocate(ctx, req, inventory.Priority{Locations: []fulfill.LocationID{"EAST", "WEST"}}, m, 0)
	require.NoError(t, err)
	assert.True(t, r2.Replayed)
	assert.Equal(t, r.Reservations, r2.Reservations)
	a.Assignments[0].Version, a.Assignments[1].Version = 0, 0
	assert.Equal(t, a, a2)
	_, _, err = inv.Allocate(ctx, inventory.Request{Lines: []inventory.Line{{SKU: "A", Quantity: 4}}}, nil, m, 0)
	assert.ErrorIs(t, err, inventory.ErrIdempotencyConflict)

	// Everything backordered reserves nothing.
	a, r, err = inv.Allocate(ctx, inventory.Request{Lines: []inventory.Line{{SKU: "ZZZ", Quantity: 2}}}, nil, inventory.Meta{Owner: "acme"}, 0)
	require.NoError(t, err)
	assert.Nil(t, r)
	assert.Equal(t, []inventory.Backorder{{SKU: "ZZZ", Quantity: 2}}, a.Backorders)
	_, _, err = inv.Allocate(ctx, inventory.Request{Owner: "other", Lines: req.Lines}, nil, inventory.Meta{Owner: "acme"}, 0)
	assert.True(t, errors.Is(err, inventory.ErrOwnerMismatch))
}

func mustLevels(t *testing.T, inv *inventory.Inventory) []inventory.Level {
	t.Helper()
	ls, err := inv.Levels(context.Background(), inventory.LevelQuery{Owner: "acme"})
	require.NoError(t, err)
	return ls
}
