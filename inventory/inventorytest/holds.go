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
// finds it, the cart does not, and the order can consume it. The
// reservation takes the order line the commit names, or none: never the
// cart's line.
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
		Lines: []inventory.ReserveLine{{Key: k, Quantity: 2, ID: "c1/1", Line: "cart-line-1"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"c1/1"}, byRef(cart("c1")))
	assert.Equal(t, "cart-line-1", s.reservation(t, e, "c1/1").Line)

	// Checkout: the whole hold is committed to the order, to its line.
	r, err := e.inv.Apply(ctx, &inventory.Commit{Meta: inventory.Meta{Owner: owner, Ref: order},
		Parts: []inventory.Part{{Reservation: "c1/1", Line: "order-line-1"}}})
	require.NoError(t, err)
	require.Len(t, r.Reservations, 1)
	assert.Equal(t, order, r.Reservations[0].Ref)
	assert.Equal(t, "order-line-1", r.Reservations[0].Line)
	assert.Equal(t, "order-line-1", s.reservation(t, e, "c1/1").Line, "stored with the order's line")
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
	assert.Equal(t, "order-line-1", rs[0].Line, "and the order's line")

	// A partial checkout moves the whole reservation; the rest still lapses.
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: owner, Ref: cart("c2")}, TTL: 15 * time.Minute,
		Lines: []inventory.ReserveLine{{Key: k, Quantity: 3, ID: "c2/1", Line: "cart-line-2"}}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: inventory.Meta{Owner: owner, Ref: order}, Parts: []inventory.Part{{Reservation: "c2/1", Quantity: 1}}})
	require.NoError(t, err)
	assert.Empty(t, byRef(cart("c2")))
	assert.Equal(t, []string{"c2/1"}, byRef(order))
	assert.Empty(t, s.reservation(t, e, "c2/1").Line, "re-pointed without a line: the cart's line is dropped")

	e.clock.Advance(15 * time.Minute)
	assert.Equal(t, inventory.Buckets{OnHand: 8, Committed: 1}, e.level(t, k).Buckets, "the uncommitted rest lapsed")
	rs, err = e.inv.Reservations(ctx, inventory.ReservationQuery{Owner: owner, Ref: order})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, int64(0), rs[0].Reserved)
	assert.Equal(t, int64(1), rs[0].Committed)

	// A line given where it cannot apply is refused, and changes nothing.
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: owner, Ref: cart("c4")}, TTL: 15 * time.Minute,
		Lines: []inventory.ReserveLine{{Key: k, Quantity: 4, ID: "c4/1", Line: "cart-line-4"}}})
	require.NoError(t, err)
	for name, op := range map[string]inventory.Operation{
		"release": &inventory.Release{Meta: meta(""), Parts: []inventory.Part{{Reservation: "c4/1", Line: "order-line-4"}}},
		"two lines": &inventory.Commit{Meta: inventory.Meta{Owner: owner, Ref: order}, Parts: []inventory.Part{
			{Reservation: "c4/1", Quantity: 1, Line: "order-line-4"}, {Reservation: "c4/1", Quantity: 1, Line: "order-line-5"}}},
	} {
		_, err := e.inv.Apply(ctx, op)
		assert.ErrorIs(t, err, inventory.ErrInvalid, name)
		got := s.reservation(t, e, "c4/1")
		assert.Equal(t, cart("c4"), got.Ref, name)
		assert.Equal(t, "cart-line-4", got.Line, name)
		assert.Equal(t, int64(4), got.Reserved, name)
	}
	// The same line twice is one line.
	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: inventory.Meta{Owner: owner, Ref: order}, Parts: []inventory.Part{
		{Reservation: "c4/1", Quantity: 1, Line: "order-line-4"}, {Reservation: "c4/1", Quantity: 1, Line: "order-line-4"}}})
	require.NoError(t, err)
	got := s.reservation(t, e, "c4/1")
	assert.Equal(t, order, got.Ref)
	assert.Equal(t, "order-line-4", got.Line)
	assert.Equal(t, int64(2), got.Committed)
	// A later commit to the same order may name another line; the Ref stays.
	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: inventory.Meta{Owner: owner, Ref: order},
		Parts: []inventory.Part{{Reservation: "c4/1", Quantity: 1, Line: "order-line-5"}}})
	require.NoError(t, err)
	got = s.reservation(t, e, "c4/1")
	assert.Equal(t, order, got.Ref)
	assert.Equal(t, "order-line-5", got.Line)
	// And one without a line keeps it.
	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: inventory.Meta{Owner: owner, Ref: order},
		Parts: []inventory.Part{{Reservation: "c4/1", Quantity: 1}}})
	require.NoError(t, err)
	got = s.reservation(t, e, "c4/1")
	assert.Equal(t, "order-line-5", got.Line)
	assert.Equal(t, int64(4), got.Committed)
	_, err = e.inv.Apply(ctx, &inventory.Unreserve{Meta: meta(""), Reservations: []string{"c4/1"}})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 8, Committed: 1}, e.level(t, k).Buckets)

	// A commit without a reference leaves the reservation's alone.
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: owner, Ref: cart("c3")},
		Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: "c3/1", Line: "cart-line-3"}}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: "c3/1"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"c3/1"}, byRef(cart("c3")))
	assert.Equal(t, "cart-line-3", s.reservation(t, e, "c3/1").Line, "and its line")
	e.reconciled(t, owner)
}

// reservation returns the reservation id, closed or not.
func (s *suite) reservation(t *testing.T, e *env, id string) inventory.Reservation {
	t.Helper()
	rs, err := e.inv.Reservations(context.Background(), inventory.ReservationQuery{Owner: owner, ID: id, IncludeClosed: true})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	return rs[0]
}
