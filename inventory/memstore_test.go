package inventory_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/inventory/inventorytest"
)

func TestMemStoreConformance(t *testing.T) {
	inventorytest.Run(t, func(*testing.T) inventory.Store { return new(inventory.MemStore) })
}

// TestTTLInSyncTestBubble lets a cart hold lapse in real (bubble) time,
// with the system clock: time.Now inside a synctest bubble is fake, so the
// test runs instantly and exactly.
func TestTTLInSyncTestBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store := new(inventory.MemStore)
		inv := inventory.New(store, &inventory.Options{Clock: fulfill.SystemClock{}})
		k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
		_, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 1})
		require.NoError(t, err)
		r, err := inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: "acme"}, Lines: []inventory.ReserveLine{{Key: k, Quantity: 1}}, TTL: 10 * time.Minute})
		require.NoError(t, err)

		// A sweeper loop running every minute collects the hold once it lapses.
		swept := make(chan int, 1)
		go func() {
			total := 0
			for range 12 {
				time.Sleep(time.Minute)
				n, err := inv.Sweep(ctx, "acme")
				if err != nil {
					t.Error(err)
				}
				total += n
			}
			swept <- total
		}()
		time.Sleep(10*time.Minute - time.Second)
		l, err := inv.Level(ctx, k)
		require.NoError(t, err)
		assert.Zero(t, l.Available(), "held until the TTL")
		time.Sleep(time.Second)
		l, err = inv.Level(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, int64(1), l.Available(), "lapsed at the TTL, before any sweep")
		assert.Equal(t, 1, <-swept)
		entries, err := inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme", After: 2})
		require.NoError(t, err)
		require.Len(t, entries, 1)
		assert.Equal(t, r.Reservations[0].ExpiresAt, entries[0].At)
	})
}

func TestNewDefaults(t *testing.T) {
	inv := inventory.New(nil, nil)
	_, ok := inv.Store().(*inventory.MemStore)
	require.True(t, ok)
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	r, err := inv.Apply(context.Background(), &inventory.Reserve{Meta: inventory.Meta{Owner: "acme"}, Lines: []inventory.ReserveLine{{Key: k, Quantity: 1}}})
	require.ErrorIs(t, err, inventory.ErrInsufficientStock)
	assert.Nil(t, r)
	_, err = inv.Apply(context.Background(), nil)
	assert.ErrorIs(t, err, inventory.ErrInvalid)
	_, err = inv.Apply(context.Background(), (*inventory.Receive)(nil))
	assert.ErrorIs(t, err, inventory.ErrInvalid)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 1})
	assert.ErrorIs(t, err, context.Canceled)
}
