package inventorytest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serialCount checks, for stores that are an [inventory.SerialStore], that
// no operation leaves a level with more serial numbers than units (on hand
// plus in transit): each one that would is refused with a
// *[inventory.SerialCountError] and changes nothing.
func (s *suite) serialCount(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	ss, ok := e.store.(inventory.SerialStore)
	if !ok {
		t.Skip("the store does not track serial numbers")
	}
	wh1, wh2 := key("PHONE", "WH1"), key("PHONE", "WH2")
	_, err := e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: wh1, Quantity: 3, Serials: []string{"SN1", "SN2", "SN3"}})
	require.NoError(t, err)
	r, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: wh1, Quantity: 1, ID: "ship-1"}}})
	require.NoError(t, err)
	require.Len(t, r.Reservations, 1)
	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: "ship-1"}}})
	require.NoError(t, err)

	// snapshot is everything an operation could change.
	type snapshot struct {
		levels  []inventory.Level
		res     []inventory.Reservation
		ledger  []inventory.Entry
		serials []inventory.Serial
	}
	snap := func() snapshot {
		t.Helper()
		var sn snapshot
		var err error
		sn.levels, err = e.store.Levels(ctx, inventory.LevelQuery{Owner: owner})
		require.NoError(t, err)
		sn.res, err = e.store.Reservations(ctx, inventory.ReservationQuery{Owner: owner, IncludeClosed: true})
		require.NoError(t, err)
		sn.ledger, err = e.store.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
		require.NoError(t, err)
		sn.serials, err = ss.Serials(ctx, owner, "PHONE")
		require.NoError(t, err)
		return sn
	}
	refused := func(op inventory.Operation, want inventory.SerialCountError, why string) {
		t.Helper()
		before := snap()
		_, err := e.inv.Apply(ctx, op)
		require.ErrorIs(t, err, inventory.ErrSerialCount, why)
		se, ok := errors.AsType[*inventory.SerialCountError](err)
		require.True(t, ok, why)
		assert.Equal(t, want, *se, why)
		assert.Equal(t, before, snap(), "%s: nothing changed", why)
	}
	three := inventory.SerialCountError{Key: wh1, Serials: 3, OnHand: 2}

	// Every way of lowering on hand without naming the units that leave.
	refused(&inventory.Adjust{Meta: meta("write-off"), Key: wh1, Delta: -1}, three, "write-off")
	refused(&inventory.Count{Meta: meta(""), Key: wh1, OnHand: 2}, three, "count")
	refused(&inventory.Transfer{Meta: meta(""), From: wh1, To: "WH2", Quantity: 1}, three, "transfer")
	refused(&inventory.Consume{Meta: meta(""), Parts: []inventory.Part{{Reservation: "ship-1"}}}, three, "consume")
	// A retry of the refused write-off with its idempotency key is refused
	// again: a failed operation leaves no record.
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta("write-off"), Key: wh1, Delta: -1})
	require.ErrorIs(t, err, inventory.ErrSerialCount)
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: wh1, Bucket: inventory.BucketIncoming, Delta: -1, Serials: []string{"SN1"}})
	require.ErrorIs(t, err, inventory.ErrInvalid, "incoming units carry no serial numbers")
	// Serial numbers brought to a level need units to go with them.
	_, err = e.store.Apply(ctx, &inventory.Txn{Owner: owner, Kind: inventory.KindAdjust, At: e.clock.Now(), Touch: []inventory.Key{wh2},
		Serials: []inventory.SerialChange{{Serial: "SN9", To: wh2}}})
	require.ErrorIs(t, err, inventory.ErrSerialCount, "a serial number without a unit")
	se, ok := errors.AsType[*inventory.SerialCountError](err)
	require.True(t, ok)
	assert.Equal(t, inventory.SerialCountError{Key: wh2, Serials: 1}, *se)
	assert.Contains(t, se.Error(), "acme/PHONE@WH2")

	// Naming the serial numbers that leave keeps the count.
	c, err := e.inv.Apply(ctx, &inventory.Consume{Meta: meta(""), Parts: []inventory.Part{{Reservation: "ship-1", Serials: []string{"SN1"}}}})
	require.NoError(t, err)
	assert.Equal(t, []inventory.Serial{{SerialID: inventory.SerialID{Owner: owner, SKU: "PHONE", Serial: "SN1"}, Updated: epoch}}, c.Serials)

	// Units without serial numbers may be lowered as far as they go.
	_, err = e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: wh1, Quantity: 2})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Count{Meta: meta(""), Key: wh1, OnHand: 3})
	require.NoError(t, err, "one unit without a serial number counted away")
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: wh1, Delta: -1})
	require.NoError(t, err, "the last unit without a serial number written off")
	refused(&inventory.Adjust{Meta: meta(""), Key: wh1, Delta: -1}, inventory.SerialCountError{Key: wh1, Serials: 2, OnHand: 1}, "no unit without a serial number is left")

	// In-transit units carry the serial numbers a transfer moved with them.
	_, err = e.inv.Apply(ctx, &inventory.Transfer{Meta: meta(""), From: wh1, To: "WH2", Quantity: 1, Serials: []string{"SN2"}})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{InTransit: 1}, e.level(t, wh2).Buckets)
	refused(&inventory.Adjust{Meta: meta(""), Key: wh2, Bucket: inventory.BucketInTransit, Delta: -1},
		inventory.SerialCountError{Key: wh2, Serials: 1}, "lost in transit without naming it")
	_, err = e.inv.Apply(ctx, &inventory.ReceiveTransfer{Meta: meta(""), Key: wh2, Quantity: 1})
	require.NoError(t, err)
	refused(&inventory.Count{Meta: meta(""), Key: wh2, OnHand: 0}, inventory.SerialCountError{Key: wh2, Serials: 1}, "received, then counted away")
	_, err = e.inv.Apply(ctx, &inventory.Transfer{Meta: meta(""), From: wh2, To: "WH1", Quantity: 1, Serials: []string{"SN2"}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: wh1, Bucket: inventory.BucketInTransit, Delta: -1, Serials: []string{"SN2"}})
	require.NoError(t, err, "written off in transit, by serial number")

	sns, err := ss.Serials(ctx, owner, "PHONE")
	require.NoError(t, err)
	require.Len(t, sns, 1)
	assert.Equal(t, "SN3", sns[0].Serial)
	assert.Equal(t, inventory.Buckets{OnHand: 1}, e.level(t, wh1).Buckets)
	assert.Equal(t, inventory.Buckets{}, e.level(t, wh2).Buckets)
	e.serialsWithinUnits(t, owner, "PHONE")
	e.reconciled(t, owner)
}

// serialsWithinUnits checks that no level of the owner's sku holds more
// serial numbers than units (on hand plus in transit), if the store tracks
// serial numbers, and returns the serial numbers at each level.
func (e *env) serialsWithinUnits(t *testing.T, o fulfill.OwnerID, sku fulfill.SKU) map[inventory.Key][]string {
	t.Helper()
	ss, ok := e.store.(inventory.SerialStore)
	if !ok {
		return nil
	}
	ctx := context.Background()
	sns, err := ss.Serials(ctx, o, sku)
	require.NoError(t, err)
	at := map[inventory.Key][]string{}
	for _, sn := range sns {
		at[sn.Key] = append(at[sn.Key], sn.Serial)
	}
	levels, err := e.store.Levels(ctx, inventory.LevelQuery{Owner: o, SKUs: []fulfill.SKU{sku}})
	require.NoError(t, err)
	units := map[inventory.Key]int64{}
	for _, l := range levels {
		units[l.Key] = l.OnHand + l.InTransit
	}
	for k, ns := range at {
		require.LessOrEqual(t, int64(len(ns)), units[k], "%s holds serial numbers %v", k, ns)
		slices.Sort(ns)
	}
	return at
}
