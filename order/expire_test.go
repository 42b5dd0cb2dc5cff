package order_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpirable(t *testing.T) {
	hold := order.HoldRequest{Holds: []order.Hold{{ID: "h", Kind: order.HoldCustomerRequest, Source: "test"}}}
	tests := []struct {
		name  string
		ttl   time.Duration
		steps []order.Request
		want  bool
	}{
		{"placed with a TTL", time.Hour, nil, true},
		{"placed without a TTL", 0, nil, false},
		{"confirmed", time.Hour, []order.Request{order.ConfirmRequest{}}, false},
		{"cancelled", time.Hour, []order.Request{order.CancelRequest{}}, false},
		{"one line cancelled", time.Hour, []order.Request{order.CancelRequest{Lines: []order.LineQuantity{{Line: 1, Quantity: 3}}}}, true},
		{"on hold", time.Hour, []order.Request{hold}, true},
		{"held after confirmation", time.Hour, []order.Request{order.ConfirmRequest{}, hold}, false},
		{"released", time.Hour, []order.Request{hold, order.ReleaseRequest{Holds: []string{"h"}}}, true},
		{"edited", time.Hour, []order.Request{order.EditRequest{SetQuantity: []order.LineQuantity{{Line: 1, Quantity: 2}}}}, true},
		{"expired", time.Hour, []order.Request{order.ExpireRequest{}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exampleReq
			r.TTL = tt.ttl
			o, _, err := order.Place(fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8057"), "acme", exampleNow, r)
			require.NoError(t, err)
			for _, step := range tt.steps {
				_, err := o.Execute(exampleNow.Add(tt.ttl), step)
				require.NoError(t, err, "%s", step.Command())
			}
			assert.Equal(t, tt.want, o.Expirable())
			// Expirable holds exactly when an expiry once due succeeds; an
			// order placed without a TTL never expires, however late.
			_, err = o.Clone().Expire(o.ExpiresAt())
			assert.Equal(t, tt.want, err == nil, "Expire: %v", err)
			if tt.ttl == 0 {
				_, err = o.Clone().Expire(exampleNow.AddDate(100, 0, 0))
				var te *order.TransitionError
				assert.ErrorAs(t, err, &te)
			}
		})
	}
}

// sweepStore is a MemStore whose listing and saves a test can tamper with.
type sweepStore struct {
	*order.MemStore
	extra   []fulfill.OrderID         // listed after the due orders
	listErr error                     // returned by ExpiringBy
	saveErr map[fulfill.OrderID]error // returned by Save for an order
}

func (s *sweepStore) ExpiringBy(ctx context.Context, owner fulfill.OwnerID, by time.Time, limit int) ([]fulfill.OrderID, error) {
	if s.listErr != nil {
		return nil, s.listErr
	}
	ids, err := s.MemStore.ExpiringBy(ctx, owner, by, limit)
	return append(ids, s.extra...), err
}

func (s *sweepStore) Save(ctx context.Context, c order.Change) error {
	if err := s.saveErr[c.Order.ID()]; err != nil {
		return err
	}
	return s.MemStore.Save(ctx, c)
}

func TestExpireDue(t *testing.T) {
	ctx := context.Background()
	errDown := errors.New("store down")
	tests := []struct {
		name    string
		tamper  func(s *sweepStore, ids []fulfill.OrderID)
		want    int
		wantErr error
	}{
		{"all due", func(*sweepStore, []fulfill.OrderID) {}, 3, nil},
		{"listing fails", func(s *sweepStore, _ []fulfill.OrderID) { s.listErr = errDown }, 0, errDown},
		{"unknown order skipped", func(s *sweepStore, _ []fulfill.OrderID) {
			s.extra = []fulfill.OrderID{fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8000")}
		}, 3, nil},
		{"order not due skipped", func(s *sweepStore, ids []fulfill.OrderID) { s.extra = ids[3:4] }, 3, nil},
		{"confirmed order skipped", func(s *sweepStore, ids []fulfill.OrderID) { s.extra = ids[4:5] }, 3, nil},
		{"conflict skipped", func(s *sweepStore, ids []fulfill.OrderID) {
			s.saveErr = map[fulfill.OrderID]error{ids[0]: &order.ConflictError{ID: ids[0], Expected: 1, Actual: 2}}
		}, 2, nil},
		{"other error stops", func(s *sweepStore, ids []fulfill.OrderID) {
			s.saveErr = map[fulfill.OrderID]error{ids[1]: errDown}
		}, 1, errDown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sweepStore{MemStore: new(order.MemStore)}
			now := exampleNow
			svc := &order.Service{Store: s, Clock: fulfill.ClockFunc(func() time.Time { return now }), Random: rand.NewChaCha8([32]byte{1})}
			// At 3h, ids[0], ids[1] and ids[2] are due and listed in that
			// order; ids[3] is not due yet and ids[4] is confirmed.
			var ids []fulfill.OrderID
			for i, ttl := range []time.Duration{time.Hour, 2 * time.Hour, 150 * time.Minute, 5 * time.Hour, time.Hour} {
				r := exampleReq
				r.TTL = ttl
				res, err := svc.Place(ctx, "acme", "", r)
				require.NoError(t, err)
				ids = append(ids, res.Order.ID())
				if i == 4 {
					_, err := svc.Execute(ctx, "acme", res.Order.ID(), "", order.ConfirmRequest{})
					require.NoError(t, err)
				}
			}
			tt.tamper(s, ids)
			now = exampleNow.Add(3 * time.Hour)
			n, err := svc.ExpireDue(ctx, "acme", 0)
			assert.Equal(t, tt.want, n)
			assert.ErrorIs(t, err, tt.wantErr)
			if tt.wantErr == nil {
				assert.NoError(t, err)
			}
		})
	}
}

func TestExpireDueNeedsAnExpirer(t *testing.T) {
	ctx := context.Background()
	_, err := (&order.Service{}).ExpireDue(ctx, "acme", 0)
	assert.ErrorIs(t, err, order.ErrInvalidOrder)
	plain := struct{ order.Store }{new(order.MemStore)}
	_, err = (&order.Service{Store: plain}).ExpireDue(ctx, "acme", 0)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
}

// TestExpireDueAfterTTL sweeps on the system clock inside a synctest
// bubble: nothing is due a nanosecond before the TTL, the order is at it.
func TestExpireDueAfterTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		svc := &order.Service{Store: new(order.MemStore), Random: rand.NewChaCha8([32]byte{4})}
		r := exampleReq
		r.TTL = time.Hour
		res, err := svc.Place(ctx, "acme", "", r)
		require.NoError(t, err)

		time.Sleep(time.Hour - time.Nanosecond)
		n, err := svc.ExpireDue(ctx, "acme", 0)
		require.NoError(t, err)
		assert.Zero(t, n)

		time.Sleep(time.Nanosecond)
		n, err = svc.ExpireDue(ctx, "acme", 0)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		o, err := svc.Store.Get(ctx, "acme", res.Order.ID())
		require.NoError(t, err)
		assert.Equal(t, order.StatusCancelled, o.Status())
	})
}

// A host sweeps the orders whose TTL has passed now and then; the
// unconfirmed one placed with a TTL is expired, the confirmed one is not.
func ExampleService_ExpireDue() {
	ctx := context.Background()
	now := exampleNow
	svc := &order.Service{
		Store:  new(order.MemStore),
		Clock:  fulfill.ClockFunc(func() time.Time { return now }),
		Random: rand.NewChaCha8([32]byte{5}),
	}
	req := exampleReq
	req.TTL = 30 * time.Minute
	unpaid, err := svc.Place(ctx, "acme", "", req)
	if err != nil {
		panic(err)
	}
	paid, err := svc.Place(ctx, "acme", "", req)
	if err != nil {
		panic(err)
	}
	if _, err := svc.Execute(ctx, "acme", paid.Order.ID(), "", order.ConfirmRequest{}); err != nil {
		panic(err)
	}

	now = now.Add(time.Hour)
	for {
		n, err := svc.ExpireDue(ctx, "acme", 100)
		if err != nil {
			panic(err)
		}
		fmt.Println("expired:", n)
		if n == 0 {
			break
		}
	}
	for _, id := range []fulfill.OrderID{unpaid.Order.ID(), paid.Order.ID()} {
		o, err := svc.Store.Get(ctx, "acme", id)
		if err != nil {
			panic(err)
		}
		fmt.Println(o.Status())
	}
	// Output:
	// expired: 1
	// expired: 0
	// cancelled
	// confirmed
}
