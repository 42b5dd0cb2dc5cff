package order_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExpireAfterTTL runs a Service on the system clock inside a synctest
// bubble, where time only moves when every goroutine waits.
func TestExpireAfterTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		svc := &order.Service{Store: new(order.MemStore), Random: rand.NewChaCha8([32]byte{3})}
		req := exampleReq
		req.TTL = 30 * time.Minute
		res, err := svc.Place(ctx, "acme", "", req)
		require.NoError(t, err)
		id := res.Order.ID()
		assert.Equal(t, res.Order.CreatedAt().Add(30*time.Minute), res.Order.ExpiresAt())

		time.Sleep(29 * time.Minute)
		_, err = svc.Execute(ctx, "acme", id, "", order.ExpireRequest{})
		assert.ErrorIs(t, err, order.ErrInvalidTransition, "not yet expired")

		time.Sleep(time.Minute)
		res, err = svc.Execute(ctx, "acme", id, "", order.ExpireRequest{})
		require.NoError(t, err)
		assert.Equal(t, order.StatusCancelled, res.Order.Status())
		assert.Equal(t, []order.Command{order.CommandClose}, slices.Collect(res.Order.Allowed()))
	})
}
