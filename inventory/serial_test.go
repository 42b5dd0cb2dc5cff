package inventory_test

import (
	"errors"
	"testing"

	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestComputeSerialCount pins the rule of SerialCountError on Compute
// directly, including levels that already hold more serial numbers than
// units, which no operation can produce but older stock may hold.
func TestComputeSerialCount(t *testing.T) {
	k := inventory.Key{Owner: "acme", SKU: "PHONE", Location: "WH1"}
	other := k
	other.Location = "WH2"
	state := func(onHand, inTransit, serials int64) inventory.State {
		return inventory.State{
			Levels:       map[inventory.Key]inventory.Level{k: {Key: k, Buckets: inventory.Buckets{OnHand: onHand, InTransit: inTransit}, Version: 1}},
			Serials:      map[inventory.SerialID]inventory.Key{{Owner: "acme", SKU: "PHONE", Serial: "SN1"}: k, {Owner: "acme", SKU: "PHONE", Serial: "SN2"}: k},
			SerialCounts: map[inventory.Key]int64{k: serials},
		}
	}
	txn := func(d inventory.Buckets, sc ...inventory.SerialChange) *inventory.Txn {
		return &inventory.Txn{Owner: "acme", Kind: inventory.KindAdjust, At: t0,
			Changes: []inventory.Change{{Key: k, Delta: d}}, Serials: sc}
	}
	writeOff := inventory.SerialChange{Serial: "SN1", From: k}
	for _, tc := range []struct {
		name                       string
		onHand, inTransit, serials int64
		t                          *inventory.Txn
		refused                    *inventory.SerialCountError
	}{
		{name: "down to the serial numbers", onHand: 3, serials: 2, t: txn(inventory.Buckets{OnHand: -1})},
		{name: "below the serial numbers", onHand: 3, serials: 3, t: txn(inventory.Buckets{OnHand: -1}),
			refused: &inventory.SerialCountError{Key: k, Serials: 3, OnHand: 2}},
		{name: "in-transit units count", onHand: 1, inTransit: 2, serials: 3, t: txn(inventory.Buckets{OnHand: 1, InTransit: -1})},
		{name: "in transit lost", onHand: 1, inTransit: 2, serials: 3, t: txn(inventory.Buckets{InTransit: -1}),
			refused: &inventory.SerialCountError{Key: k, Serials: 3, OnHand: 1, InTransit: 1}},
		{name: "written off by serial number", onHand: 3, serials: 3, t: txn(inventory.Buckets{OnHand: -1}, writeOff)},
		{name: "units added", onHand: 0, serials: 0, t: txn(inventory.Buckets{OnHand: 1})},
		{name: "old gap narrowed", onHand: 1, serials: 3, t: txn(inventory.Buckets{OnHand: -1}, writeOff, inventory.SerialChange{Serial: "SN2", From: k})},
		{name: "old gap kept", onHand: 1, serials: 3, t: txn(inventory.Buckets{OnHand: -1}, writeOff)},
		{name: "old gap widened", onHand: 2, serials: 3, t: txn(inventory.Buckets{OnHand: -1}),
			refused: &inventory.SerialCountError{Key: k, Serials: 3, OnHand: 1}},
		{name: "a serial number without a unit", onHand: 1, serials: 1,
			t: &inventory.Txn{Owner: "acme", Kind: inventory.KindAdjust, At: t0, Touch: []inventory.Key{k},
				Serials: []inventory.SerialChange{{Serial: "SN7", To: k}}},
			refused: &inventory.SerialCountError{Key: k, Serials: 2, OnHand: 1}},
		{name: "moved without its unit", onHand: 1, serials: 1,
			t: &inventory.Txn{Owner: "acme", Kind: inventory.KindAdjust, At: t0, Touch: []inventory.Key{k},
				Serials: []inventory.SerialChange{{Serial: "SN1", From: k, To: other}}},
			refused: &inventory.SerialCountError{Key: other, Serials: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := inventory.Compute(tc.t, state(tc.onHand, tc.inTransit, tc.serials))
			if tc.refused == nil {
				require.NoError(t, err)
				return
			}
			assert.Nil(t, out)
			require.ErrorIs(t, err, inventory.ErrSerialCount)
			se, ok := errors.AsType[*inventory.SerialCountError](err)
			require.True(t, ok)
			assert.Equal(t, tc.refused, se)
		})
	}
}

func TestSerialCountErrorMessage(t *testing.T) {
	e := &inventory.SerialCountError{Key: inventory.Key{Owner: "acme", SKU: "PHONE", Location: "WH1", Lot: "L7"}, Serials: 3, OnHand: 1, InTransit: 1}
	assert.Equal(t, "inventory: acme/PHONE@WH1#L7 would hold 3 serial numbers but only 2 units (1 on hand, 1 in transit)", e.Error())
}

// TestSerialLevels checks which levels a Txn's serial numbers are counted
// on, and that the levels serial numbers move between are locked.
func TestSerialLevels(t *testing.T) {
	a := inventory.Key{Owner: "acme", SKU: "PHONE", Location: "A"}
	b, c, d := a, a, a
	b.Location, c.Location, d.Location = "B", "C", "D"
	tx := &inventory.Txn{Owner: "acme", Kind: inventory.KindTransferOut, At: t0,
		Changes: []inventory.Change{
			{Key: d, Delta: inventory.Buckets{OnHand: 2}},                // units in: not counted
			{Key: c, Delta: inventory.Buckets{OnHand: -1, InTransit: 1}}, // units out: counted
		},
		Steps:   []inventory.Step{{Reservation: "r1", Kind: inventory.KindConsume}, {Reservation: "r2", Kind: inventory.KindRelease}},
		Serials: []inventory.SerialChange{{Serial: "SN1", From: a, To: b}},
	}
	keyOf := func(id string) (inventory.Key, bool) {
		return map[string]inventory.Key{"r1": a, "r2": d}[id], id == "r1" || id == "r2"
	}
	assert.Equal(t, []inventory.Key{a, b, c}, tx.SerialLevels(keyOf))
	assert.Equal(t, []inventory.Key{a, b, c, d}, tx.Keys(func(string) (inventory.Key, bool) { return inventory.Key{}, false }),
		"the levels of serial numbers are locked even without a change there")
}
