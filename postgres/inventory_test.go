package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/inventory/inventorytest"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInventoryConformance(t *testing.T) {
	testURL(t)
	t.Parallel()
	inventorytest.Run(t, func(t *testing.T) inventory.Store {
		return NewInventoryStore(testDB(t), nil)
	})
}

// TestInventoryConformanceSplit runs the suite with every level spread
// over three sub-rows.
func TestInventoryConformanceSplit(t *testing.T) {
	testURL(t)
	t.Parallel()
	inventorytest.Run(t, func(t *testing.T) inventory.Store {
		return NewInventoryStore(testDB(t), &InventoryOptions{Shards: func(inventory.Key) int { return 3 }})
	})
}

func inventoryLedgerQuery(owner fulfill.OwnerID) inventory.LedgerQuery {
	return inventory.LedgerQuery{Owner: owner}
}

// TestInventorySerialCountOldGap checks the serial-number rule on a level
// that already holds more serial numbers than units, as stock recorded
// before the rule may: an operation may keep or narrow the gap but not
// widen it, exactly as inventory.Compute decides. Serial numbers at other
// levels of the SKU (another location, another lot) are not counted.
func TestInventorySerialCountOldGap(t *testing.T) {
	testURL(t)
	t.Parallel()
	ctx := context.Background()
	db := testDB(t)
	store := NewInventoryStore(db, nil)
	inv := inventory.New(store, &inventory.Options{Clock: fulfill.NewFakeClock(t0)})
	m := inventory.Meta{Owner: "acme"}
	k := inventory.Key{Owner: "acme", SKU: "PHONE", Location: "WH1"}
	_, err := inv.Apply(ctx, &inventory.Receive{Meta: m, Key: k, Quantity: 1, Serials: []string{"SN1"}})
	require.NoError(t, err)
	_, err = inv.Apply(ctx, &inventory.Receive{Meta: m, Key: k, Quantity: 1})
	require.NoError(t, err)
	// SN2 and SN3 at WH1 without units; SN8 and SN9 at other levels.
	require.NoError(t, db.run(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO inventory_serials (owner, sku, serial, location, lot, updated_ns) VALUES
			('acme', 'PHONE', 'SN2', 'WH1', '', 0), ('acme', 'PHONE', 'SN3', 'WH1', '', 0),
			('acme', 'PHONE', 'SN8', 'WH2', '', 0), ('acme', 'PHONE', 'SN9', 'WH1', 'L1', 0)`)
		return err
	}))

	// 3 serial numbers, 2 units: a gap of 1.
	_, err = inv.Apply(ctx, &inventory.Adjust{Meta: m, Key: k, Delta: -1})
	require.ErrorIs(t, err, inventory.ErrSerialCount, "the gap would widen to 2")
	se, ok := errors.AsType[*inventory.SerialCountError](err)
	require.True(t, ok)
	assert.Equal(t, inventory.SerialCountError{Key: k, Serials: 3, OnHand: 1}, *se)
	_, err = inv.Apply(ctx, &inventory.Adjust{Meta: m, Key: k, Delta: -1, Serials: []string{"SN1"}})
	require.NoError(t, err, "the gap kept at 1")
	_, err = inv.Apply(ctx, &inventory.Receive{Meta: m, Key: k, Quantity: 1, Serials: []string{"SN4"}})
	require.NoError(t, err, "the gap kept at 1")
	_, err = inv.Apply(ctx, &inventory.Receive{Meta: m, Key: k, Quantity: 1})
	require.NoError(t, err, "the gap closed")
	_, err = inv.Apply(ctx, &inventory.Adjust{Meta: m, Key: k, Delta: -1})
	require.ErrorIs(t, err, inventory.ErrSerialCount, "a closed gap stays closed")
	se, ok = errors.AsType[*inventory.SerialCountError](err)
	require.True(t, ok)
	assert.Equal(t, inventory.SerialCountError{Key: k, Serials: 3, OnHand: 2}, *se)
	l, err := inv.Level(ctx, k)
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 3}, l.Buckets)
}
