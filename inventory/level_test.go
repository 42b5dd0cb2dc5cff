package inventory_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucketsAvailableAndCheck(t *testing.T) {
	tests := []struct {
		name  string
		b     inventory.Buckets
		avail int64
		bad   []inventory.Bucket
	}{
		{"empty", inventory.Buckets{}, 0, nil},
		{"all buckets", inventory.Buckets{OnHand: 20, Reserved: 3, Committed: 4, Damaged: 1, Quarantine: 2, Safety: 5, Incoming: 9, InTransit: 7}, 5, nil},
		{"incoming is not on hand", inventory.Buckets{Incoming: 5}, 0, nil},
		{"oversold", inventory.Buckets{OnHand: 2, Reserved: 3}, -1, []inventory.Bucket{inventory.BucketAvailable}},
		{"negative bucket", inventory.Buckets{OnHand: 2, Damaged: -1}, 3, []inventory.Bucket{inventory.BucketDamaged}},
		{"saturates", inventory.Buckets{OnHand: 0, Reserved: math.MaxInt64, Committed: math.MaxInt64}, math.MinInt64, []inventory.Bucket{inventory.BucketAvailable}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.avail, tc.b.Available())
			err := tc.b.Check()
			if tc.bad == nil {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, inventory.ErrInsufficientStock)
			e, ok := errors.AsType[*inventory.InsufficientStockError](err)
			require.True(t, ok)
			var got []inventory.Bucket
			for _, s := range e.Shortages {
				got = append(got, s.Bucket)
			}
			assert.Equal(t, tc.bad, got)
		})
	}
}

func TestBucketsAddOverflow(t *testing.T) {
	_, err := inventory.Buckets{OnHand: math.MaxInt64}.Add(inventory.Buckets{OnHand: 1})
	require.ErrorIs(t, err, fulfill.ErrOverflow)
	_, err = inventory.Buckets{Reserved: math.MinInt64}.Neg()
	require.ErrorIs(t, err, fulfill.ErrOverflow)
	s, err := inventory.Buckets{OnHand: 3, Safety: 1}.Add(inventory.Buckets{OnHand: -1, Incoming: 2})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 2, Safety: 1, Incoming: 2}, s)
}

func TestKeyCompareIsATotalOrder(t *testing.T) {
	ks := []inventory.Key{
		{Owner: "a", SKU: "x", Location: "1"}, {Owner: "a", SKU: "x", Location: "1", Lot: "L"},
		{Owner: "a", SKU: "x", Location: "2"}, {Owner: "a", SKU: "y", Location: "1"}, {Owner: "b", SKU: "a", Location: "0"},
	}
	for i := range ks {
		for j := range ks {
			assert.Equal(t, compareInts(i, j), ks[i].Compare(ks[j]), "%v vs %v", ks[i], ks[j])
		}
	}
	assert.Equal(t, "a/x@1#L", ks[1].String())
}

func compareInts(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestComputeIsPureAndAllOrNothing(t *testing.T) {
	k := inventory.Key{Owner: "acme", SKU: "A", Location: "WH"}
	k2 := inventory.Key{Owner: "acme", SKU: "B", Location: "WH"}
	st := inventory.State{
		Levels: map[inventory.Key]inventory.Level{
			k:  {Key: k, Buckets: inventory.Buckets{OnHand: 5, Reserved: 2}, Version: 4},
			k2: {Key: k2, Buckets: inventory.Buckets{OnHand: 1}, Version: 1},
		},
		Reservations: map[string]inventory.Reservation{
			"cart": {ID: "cart", Key: k, Reserved: 2, ExpiresAt: t0, Version: 1},
		},
	}
	tx := &inventory.Txn{Owner: "acme", Kind: inventory.KindReserve, At: t0,
		Holds: []inventory.Reservation{{ID: "r1", Key: k, Reserved: 5}, {ID: "r2", Key: k2, Reserved: 1}}}
	out, err := inventory.Compute(tx, st)
	require.NoError(t, err)
	// The lapsed cart hold is collected first, so all 5 units can be held.
	require.Len(t, out.Entries, 3)
	assert.Equal(t, inventory.KindExpire, out.Entries[0].Kind)
	assert.Equal(t, inventory.Buckets{OnHand: 5, Reserved: 5}, out.Levels[0].Buckets)
	assert.Equal(t, int64(5), out.Levels[0].Version)
	assert.Equal(t, []inventory.AvailabilityChanged{{Key: k, Before: 3, After: 0, At: t0}, {Key: k2, Before: 1, After: 0, At: t0}}, out.Events)
	swept, err := inventory.Compute(&inventory.Txn{Owner: "acme", Kind: inventory.KindExpire, At: t0, Touch: []inventory.Key{k}}, st)
	require.NoError(t, err)
	assert.Equal(t, []inventory.AvailabilityChanged{{Key: k, Before: 3, After: 5, At: t0}}, swept.Events, "a sweep raises the event")
	assert.Equal(t, int64(2), st.Levels[k].Reserved, "the state is not modified")

	tx.Holds[1].Reserved = 2
	_, err = inventory.Compute(tx, st)
	e, ok := errors.AsType[*inventory.InsufficientStockError](err)
	require.True(t, ok)
	assert.Equal(t, []inventory.Shortage{{Key: k2, Bucket: inventory.BucketAvailable, Wanted: 2, Available: 1}}, e.Shortages)
	assert.Equal(t, "inventory: insufficient stock: acme/B@WH wanted 2 available 1", err.Error())

	_, err = inventory.Compute(&inventory.Txn{Owner: "acme", Kind: inventory.KindCommit, At: t0, Steps: []inventory.Step{{Reservation: "cart", Kind: inventory.KindCommit}}}, st)
	assert.ErrorIs(t, err, inventory.ErrExpired)
	_, err = inventory.Compute(&inventory.Txn{Owner: "globex", Kind: inventory.KindRelease, At: t0, Steps: []inventory.Step{{Reservation: "cart", Kind: inventory.KindRelease}}}, st)
	assert.ErrorIs(t, err, inventory.ErrNotFound)
	_, err = inventory.Compute(&inventory.Txn{Owner: "acme", Kind: inventory.KindReserve, At: t0, Holds: []inventory.Reservation{{ID: "cart", Key: k, Reserved: 1}}}, st)
	assert.ErrorIs(t, err, inventory.ErrConflict, "a reservation ID is used once")
	_, err = inventory.Compute(&inventory.Txn{Owner: "acme"}, st)
	assert.ErrorIs(t, err, inventory.ErrInvalid)
}

func TestReconcileFindsDrift(t *testing.T) {
	k := inventory.Key{Owner: "acme", SKU: "A", Location: "WH"}
	entries := []inventory.Entry{
		{Seq: 1, Key: k, Kind: inventory.KindReceive, Delta: inventory.Buckets{OnHand: 5}},
		{Seq: 2, Key: k, Kind: inventory.KindReserve, Reservation: "r", Delta: inventory.Buckets{Reserved: 2}},
	}
	res := []inventory.Reservation{{ID: "r", Key: k, Reserved: 2}}
	good := []inventory.Level{{Key: k, Buckets: inventory.Buckets{OnHand: 5, Reserved: 2}, Version: 2}}
	assert.Empty(t, inventory.Reconcile(good, res, entries))

	drifted := []inventory.Level{{Key: k, Buckets: inventory.Buckets{OnHand: 4, Reserved: 2}, Version: 2}}
	assert.Equal(t, []inventory.Discrepancy{{Key: k, Bucket: inventory.BucketOnHand, Source: inventory.SourceLedger, Level: 4, Want: 5}},
		inventory.Reconcile(drifted, res, entries))
	lost := []inventory.Reservation{{ID: "r", Key: k, Reserved: 1}}
	assert.Equal(t, []inventory.Discrepancy{{Key: k, Bucket: inventory.BucketReserved, Source: inventory.SourceReservations, Level: 2, Want: 1}},
		inventory.Reconcile(good, lost, entries))
	gap := []inventory.Entry{entries[0], entries[1], {Seq: 4, Key: k}}
	d := inventory.Reconcile(good, res, gap)
	require.NotEmpty(t, d)
	assert.Equal(t, inventory.SourceSequence, d[0].Source)
	missing := inventory.Reconcile(nil, nil, entries)
	assert.Len(t, missing, 2, "a level the ledger knows but the store lost")
}

func TestChannelPublish(t *testing.T) {
	tests := []struct {
		c     inventory.Channel
		avail int64
		want  int64
	}{
		{inventory.Channel{}, 17, 17},
		{inventory.Channel{Percent: 90}, 100, 90},
		{inventory.Channel{Percent: 90}, 15, 13},
		{inventory.Channel{Percent: 90, Buffer: 5}, 100, 85},
		{inventory.Channel{Buffer: 5}, 3, 0},
		{inventory.Channel{Percent: 50}, math.MaxInt64, math.MaxInt64 / 2},
		{inventory.Channel{Percent: 100}, -4, 0},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.c.Publish(tc.avail), "%+v of %d", tc.c, tc.avail)
	}
	assert.Error(t, inventory.Channel{Percent: 101}.Validate())
	assert.Error(t, inventory.Channel{Buffer: -1}.Validate())
	levels := []inventory.Level{lvl("A", "WH1", 10), lvl("A", "WH2", 10), lvl("B", "WH1", 4), lotLvl("A", "WH1", "OLD", 50, t0, t0)}
	c := inventory.Channel{Name: "market", Locations: []fulfill.LocationID{"WH1"}, Percent: 90, Buffer: 1}
	assert.Equal(t, int64(8), c.Available(levels, "A", t0), "WH1 only, expired lot skipped: 90% of 10 less 1")
	assert.Equal(t, int64(53), c.Available(levels, "A", t0.Add(-time.Hour)), "before the lot expires: 90% of 60 less 1")
}

func TestReceiptJSONRoundTrip(t *testing.T) {
	ctx := t.Context()
	inv, _ := newInventory()
	k := inventory.Key{Owner: "acme", SKU: "MILK", Location: "WH", Lot: "L1"}
	_, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 4, Lot: &inventory.LotInfo{Expires: t0.Add(time.Hour)}, Serials: []string{"a", "b", "c", "d"}})
	require.NoError(t, err)
	r, err := inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: "acme", Ref: inventory.OrderRef(fulfill.MustOrderID("018f2b6e-0000-7000-8000-000000000009"))},
		Lines: []inventory.ReserveLine{{Key: k, Quantity: 2, Line: "7"}}, TTL: time.Minute})
	require.NoError(t, err)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var back inventory.Receipt
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, r.Entries, back.Entries)
	assert.Equal(t, r.Reservations, back.Reservations)
	assert.Equal(t, r.Events, back.Events)
	require.Len(t, back.Levels, 1)
	assert.True(t, r.Levels[0].Expires.Equal(back.Levels[0].Expires))
	assert.Equal(t, r.Levels[0].Buckets, back.Levels[0].Buckets)
	assert.Contains(t, string(b), `"lot":"L1"`)
	var bad inventory.Entry
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"kind":"teleport"}`), &bad), inventory.ErrInvalid)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"bucket":"nowhere"}`), new(inventory.Shortage)), inventory.ErrInvalid)
}
