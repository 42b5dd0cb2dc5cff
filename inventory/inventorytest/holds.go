package inventorytest

import (
	"context"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// commitCartHold checks that committing a cart hold with an order's
// reference re-points the reservation at the order: looking up the order
// finds it, the cart does not, and the order can consume it.
func (s *suite) commitCartHold(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	k := key("TEE", "WH1")
	e.receive(t, k, 10)
	cart := func(id string) inventory.Reference { return inventory.Reference{Type: inventory.RefCart, ID: id} }
	order := inventory.OrderRef(fulfill.MustOrderID("018f2b6e-0000-7000-8000-0000000000c1"))
	byRef := func(ref inventory.Reference) []string {
		t.Helper()
		rs, err := e.inv.Reservations(ctx, inventory.ReservationQuery{Owner: owner, Ref: ref})
		require.NoError(t, err)
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		return ids
	}
	_, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: owner, Ref: cart("c1")}, TTL: 15 * time.Minute,
		Lines: []inventory.ReserveLine{{Key: k, Quantity: 2, ID: "c1/1"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"c1/1"}, byRef(cart("c1")))

	// Checkout: the whole hold is committed to the order.
	r, err := e.inv.Apply(ctx, &inventory.Commit{Meta: inventory.Meta{Owner: owner, Ref: order}, Parts: []inventory.Part{{Reservation: "c1/1"}}})
	require.NoError(t, err)
	require.Len(t, r.Reservations, 1)
	assert.Equal(t, order, r.Reservations[0].Ref)
	require.Len(t, r.Entries, 1)
	assert.Equal(t, order, r.Entries[0].Ref)
	assert.Empty(t, byRef(cart("c1")), "the cart no longer holds it")
	assert.Equal(t, []string{"c1/1"}, byRef(order), "the order finds it")
	e.clock.Advance(time.Hour)
	assert.Equal(t, []string{"c1/1"}, byRef(order), "committed units never lapse")

	// The order ships what it finds under its reference.
	for _, id := range byRef(order) {
		_, err := e.inv.Apply(ctx, &inventory.Consume{Meta: inventory.Meta{Owner: owner, Ref: order}, Parts: []inventory.Part{{Reservation: id}}})
		require.NoError(t, err)
	}
	assert.Equal(t, inventory.Buckets{OnHand: 8}, e.level(t, k).Buckets)
	rs, err := e.inv.Reservations(ctx, inventory.ReservationQuery{Owner: owner, ID: "c1/1", IncludeClosed: true})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, order, rs[0].Ref, "a closed reservation keeps the order's reference")

	// A partial checkout moves the whole reservation; the rest still lapses.
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: owner, Ref: cart("c2")}, TTL: 15 * time.Minute,
		Lines: []inventory.ReserveLine{{Key: k, Quantity: 3, ID: "c2/1"}}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: inventory.Meta{Owner: owner, Ref: order}, Parts: []inventory.Part{{Reservation: "c2/1", Quantity: 1}}})
	require.NoError(t, err)
	assert.Empty(t, byRef(cart("c2")))
	assert.Equal(t, []string{"c2/1"}, byRef(order))
	assert.Equal(t, inventory.Buckets{OnHand: 8, Reserved: 2, Committed: 1}, e.level(t, k).Buckets)
	e.clock.Advance(15 * time.Minute)
	assert.Equal(t, inventory.Buckets{OnHand: 8, Committed: 1}, e.level(t, k).Buckets, "the uncommitted rest lapsed")
	rs, err = e.inv.Reservations(ctx, inventory.ReservationQuery{Owner: owner, Ref: order})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, int64(0), rs[0].Reserved)
	assert.Equal(t, int64(1), rs[0].Committed)

	// A commit without a reference leaves the reservation's alone.
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: owner, Ref: cart("c3")},
		Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: "c3/1"}}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: "c3/1"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"c3/1"}, byRef(cart("c3")))
	e.reconciled(t, owner)
}
