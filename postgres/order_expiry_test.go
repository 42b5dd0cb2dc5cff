package postgres

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

// TestOrderExpiryMigration takes a database back to before the expiry
// column, as one written by an older version of the package, and migrates
// it again: the backfill from the snapshots gives every order the value a
// write would have given it, exact to the nanosecond and whatever the zone
// the time was written in.
func TestOrderExpiryMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testDB(t)
	s := NewOrderStore(db)
	rng := rand.NewChaCha8([32]byte{6})
	berlin := time.FixedZone("CET", 3600)
	placed := []struct {
		at   time.Time
		ttl  time.Duration
		then order.Request
	}{
		{t0, time.Hour, nil},
		{t0.In(berlin), 90*time.Minute + 123456789*time.Nanosecond, nil},
		{t0, time.Hour + 999999999*time.Nanosecond, nil},
		{t0, 3 * time.Hour, order.HoldRequest{Holds: []order.Hold{{ID: "h", Kind: order.HoldCustomerRequest, Source: "test"}}}},
		{t0, time.Hour, order.ConfirmRequest{}},
		{t0, time.Hour, order.CancelRequest{Reason: "test"}},
		{t0, 0, nil},
		{time.Date(1969, 12, 31, 23, 59, 59, 500, time.UTC), time.Nanosecond, nil},
	}
	for _, p := range placed {
		id, err := fulfill.NewOrderID(rng)
		require.NoError(t, err)
		r := order.PlaceRequest{
			Channel:  order.ChannelWeb,
			ShipTo:   fulfill.Address{Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"},
			Currency: "USD",
			Lines:    []order.NewLine{{SKU: "A", Quantity: 1, UnitPrice: fulfill.MustMoney("10.00", "USD")}},
			TTL:      p.ttl,
		}
		o, events, err := order.Place(id, "acme", p.at, r)
		require.NoError(t, err)
		require.NoError(t, s.Create(ctx, order.Change{Order: o, Events: events}))
		if p.then != nil {
			events, err := o.Execute(p.at, p.then)
			require.NoError(t, err)
			require.NoError(t, s.Save(ctx, order.Change{Order: o, ExpectedVersion: 1, Events: events}))
		}
	}
	column := func() map[string]*int64 {
		m := map[string]*int64{}
		require.NoError(t, db.withConn(ctx, func(c *pgx.Conn) error {
			rows, _ := c.Query(ctx, `SELECT id::text, expires_ns FROM orders`)
			var id string
			var ns *int64
			_, err := pgx.ForEachRow(rows, []any{&id, &ns}, func() error {
				m[id] = ns
				return nil
			})
			return err
		}))
		return m
	}
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	written := column()
	listed, err := s.ExpiringBy(ctx, "acme", far, 0)
	require.NoError(t, err)
	require.Len(t, listed, 5)

	require.NoError(t, db.withConn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `ALTER TABLE orders DROP COLUMN expires_ns; DELETE FROM fulfill_migrations WHERE version = 6`)
		return err
	}))
	require.NoError(t, db.Migrate(ctx))

	backfilled := column()
	require.Len(t, backfilled, len(written))
	for id, want := range written {
		got := backfilled[id]
		if want == nil || got == nil {
			assert.Equal(t, want == nil, got == nil, "order %s: backfilled %v, written %v", id, got, want)
			continue
		}
		assert.Equal(t, *want, *got, "order %s", id)
	}
	again, err := s.ExpiringBy(ctx, "acme", far, 0)
	require.NoError(t, err)
	assert.Equal(t, listed, again)
}

// TestOrderExpiringByTimeRange checks times outside what the store can
// hold: nothing is due before its range, everything due after it.
func TestOrderExpiringByTimeRange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewOrderStore(testDB(t))
	id, err := fulfill.NewOrderID(rand.NewChaCha8([32]byte{7}))
	require.NoError(t, err)
	o, events, err := order.Place(id, "acme", t0, order.PlaceRequest{
		Channel:  order.ChannelWeb,
		ShipTo:   fulfill.Address{Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"},
		Currency: "USD",
		Lines:    []order.NewLine{{SKU: "A", Quantity: 1, UnitPrice: fulfill.MustMoney("10.00", "USD")}},
		TTL:      time.Hour,
	})
	require.NoError(t, err)
	require.NoError(t, s.Create(ctx, order.Change{Order: o, Events: events}))
	early, err := s.ExpiringBy(ctx, "acme", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	require.NoError(t, err)
	assert.Empty(t, early)
	late, err := s.ExpiringBy(ctx, "acme", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	require.NoError(t, err)
	assert.Equal(t, []fulfill.OrderID{id}, late)
}
