package inventory_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAvailabilityEvents(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var got []inventory.AvailabilityChanged
	clk := fulfill.NewFakeClock(t0)
	inv := inventory.New(new(inventory.MemStore), &inventory.Options{Clock: clk, Rand: rand.NewChaCha8([32]byte{}),
		OnAvailability: func(e inventory.AvailabilityChanged) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, e)
		}})
	wh1 := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH1"}
	wh2 := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH2"}
	m := inventory.Meta{Owner: "acme", IdempotencyKey: "po-1"}
	_, err := inv.Apply(ctx, &inventory.Receive{Meta: m, Key: wh1, Quantity: 100})
	require.NoError(t, err)
	_, err = inv.Apply(ctx, &inventory.Receive{Meta: m, Key: wh1, Quantity: 100})
	require.NoError(t, err)
	_, err = inv.Apply(ctx, &inventory.Expect{Meta: inventory.Meta{Owner: "acme"}, Key: wh1, Quantity: 5})
	require.NoError(t, err)
	_, err = inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: wh2, Quantity: 20})
	require.NoError(t, err)
	r, err := inv.Apply(ctx, &inventory.Transfer{Meta: inventory.Meta{Owner: "acme"}, From: wh1, To: "WH2", Quantity: 10})
	require.NoError(t, err)
	assert.Equal(t, []inventory.AvailabilityChanged{
		{Key: wh1, Before: 0, After: 100, At: t0},
		{Key: wh2, Before: 0, After: 20, At: t0},
		{Key: wh1, Before: 100, After: 90, At: t0},
	}, got, "one event per change of available stock; none for a replay or for incoming stock")

	channels := []inventory.Channel{
		{Name: "web"},
		{Name: "marketplace", Percent: 90, Buffer: 5},
		{Name: "wh2-only", Locations: []fulfill.LocationID{"WH2"}},
	}
	cc, err := inv.ChannelChanges(ctx, r, channels)
	require.NoError(t, err)
	assert.Equal(t, []inventory.ChannelChanged{
		{Channel: "web", Owner: "acme", SKU: "MUG", Before: 120, After: 110, At: t0},
		{Channel: "marketplace", Owner: "acme", SKU: "MUG", Before: 103, After: 94, At: t0},
	}, cc, "WH2's channel did not change: in-transit units are not available")
	n, err := inv.ChannelAvailable(ctx, "acme", "MUG", channels[1])
	require.NoError(t, err)
	assert.Equal(t, int64(94), n)
	_, err = inv.ChannelAvailable(ctx, "acme", "MUG", inventory.Channel{Percent: 200})
	assert.ErrorIs(t, err, inventory.ErrInvalid)
}

func TestSweepRaisesAvailabilityEvents(t *testing.T) {
	ctx := context.Background()
	var got []inventory.AvailabilityChanged
	clk := fulfill.NewFakeClock(t0)
	for _, withCallback := range []bool{true, false} {
		got = nil
		opts := &inventory.Options{Clock: clk}
		if withCallback {
			opts.OnAvailability = func(e inventory.AvailabilityChanged) { got = append(got, e) }
		}
		inv := inventory.New(new(inventory.MemStore), opts)
		k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
		_, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 3})
		require.NoError(t, err)
		_, err = inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: "acme"}, Lines: []inventory.ReserveLine{{Key: k, Quantity: 2}}, TTL: time.Minute})
		require.NoError(t, err)
		clk.Advance(time.Hour)
		n, err := inv.Sweep(ctx, "acme")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		n, err = inv.Sweep(ctx, "acme")
		require.NoError(t, err)
		assert.Zero(t, n)
		if withCallback {
			require.Len(t, got, 3)
			assert.Equal(t, inventory.AvailabilityChanged{Key: k, Before: 1, After: 3, At: clk.Now()}, got[2])
		}
		d, err := inv.Reconcile(ctx, "acme")
		require.NoError(t, err)
		assert.Empty(t, d)
		clk.Set(t0)
	}
}
