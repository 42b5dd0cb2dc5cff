package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/order/ordertest"
)

func TestOrderConformance(t *testing.T) {
	testURL(t)
	t.Parallel()
	ordertest.Run(t, func(t *testing.T) order.Store {
		return NewOrderStore(testDB(t))
	})
}

// TestOutboxReaderMissesNothing has writers append events to many orders
// of one owner while a reader follows the outbox by position: the reader
// sees every event once, at positions 1, 2, 3, ... with none skipped,
// because no position becomes visible before the lower ones.
func TestOutboxReaderMissesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewOrderStore(testDB(t))
	place := order.PlaceRequest{
		Channel:  order.ChannelWeb,
		ShipTo:   fulfill.Address{Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"},
		Currency: "USD",
		Lines:    []order.NewLine{{SKU: "A", Quantity: 3, UnitPrice: fulfill.MustMoney("10.00", "USD")}},
	}
	const writers, holds = 8, 6
	rng := rand.NewChaCha8([32]byte{9})
	var written atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		id, err := fulfill.NewOrderID(rng)
		require.NoError(t, err)
		wg.Go(func() {
			o, events, err := order.Place(id, "acme", t0, place)
			if !assert.NoError(t, err) || !assert.NoError(t, s.Create(ctx, order.Change{Order: o, Events: events})) {
				return
			}
			written.Add(int64(len(events)))
			for i := range holds {
				v := o.Version()
				evs, err := o.Execute(t0.Add(time.Duration(v)*time.Minute), order.HoldRequest{Holds: []order.Hold{
					{ID: fmt.Sprint("h", w, "-", i), Kind: order.HoldCustomerRequest, Source: "test"}}})
				if !assert.NoError(t, err) || !assert.NoError(t, s.Save(ctx, order.Change{Order: o, ExpectedVersion: v, Events: evs})) {
					return
				}
				written.Add(int64(len(evs)))
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var got []order.StoredEvent
	seen := map[string]bool{}
	for finished := false; ; {
		select {
		case <-done:
			finished = true
		default:
		}
		var after order.Position
		if len(got) > 0 {
			after = got[len(got)-1].Position
		}
		page, err := s.EventsAfter(ctx, "acme", after, 5)
		require.NoError(t, err)
		for _, se := range page {
			require.Equal(t, order.Position(len(got)+1), se.Position, "positions are read without gaps")
			require.False(t, seen[se.Event.ID.String()], "event read twice")
			seen[se.Event.ID.String()] = true
			got = append(got, se)
		}
		if finished && len(page) == 0 {
			break
		}
	}
	assert.Equal(t, written.Load(), int64(len(got)), "every event written is read once")
}
