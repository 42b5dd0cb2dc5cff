package inventory_test

import (
	"testing"
	"time"

	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArrivals(t *testing.T) {
	ctx := t.Context()
	inv, _ := newInventory()
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	po := func(id string) inventory.Meta {
		return inventory.Meta{Owner: "acme", Ref: inventory.Reference{Type: inventory.RefPurchaseOrder, ID: id}}
	}
	day := func(d int) time.Time { return t0.AddDate(0, 0, d) }
	for _, e := range []*inventory.Expect{
		{Meta: po("PO-2"), Key: k, Quantity: 10, Due: day(7)},
		{Meta: po("PO-1"), Key: k, Quantity: 5, Due: day(3)},
		{Meta: po("PO-3"), Key: k, Quantity: 4},
	} {
		_, err := inv.Apply(ctx, e)
		require.NoError(t, err)
	}
	// PO-2 arrives in part; an unreferenced receipt settles the earliest due.
	_, err := inv.Apply(ctx, &inventory.Receive{Meta: po("PO-2"), Key: k, Quantity: 6, FromIncoming: 6})
	require.NoError(t, err)
	_, err = inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 2, FromIncoming: 2})
	require.NoError(t, err)
	got, err := inv.Arrivals(ctx, "acme")
	require.NoError(t, err)
	ref := func(id string) inventory.Reference {
		return inventory.Reference{Type: inventory.RefPurchaseOrder, ID: id}
	}
	assert.Equal(t, []inventory.Arrival{
		{Key: k, Due: day(3), Quantity: 3, Ref: ref("PO-1")},
		{Key: k, Due: day(7), Quantity: 4, Ref: ref("PO-2")},
		{Key: k, Quantity: 4, Ref: ref("PO-3")},
	}, got)
	l, err := inv.Level(ctx, k)
	require.NoError(t, err)
	var sum int64
	for _, a := range got {
		sum += a.Quantity
	}
	assert.Equal(t, l.Incoming, sum, "arrivals sum to the incoming bucket")
	// Cancelling PO-3 removes its arrival.
	_, err = inv.Apply(ctx, &inventory.Adjust{Meta: po("PO-3"), Key: k, Bucket: inventory.BucketIncoming, Delta: -4})
	require.NoError(t, err)
	got, err = inv.Arrivals(ctx, "acme")
	require.NoError(t, err)
	assert.Len(t, got, 2)
}
