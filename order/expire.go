package order

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Expirer is an optional capability of a [Store]: listing the orders whose
// TTL has passed, so that a host can expire them without keeping an index
// of its own. [Service.ExpireDue] finds it by type assertion.
// Implementations must be safe for concurrent use.
type Expirer interface {
	// ExpiringBy returns the IDs of up to limit of the owner's expirable
	// orders (see [Order.Expirable]) whose ExpiresAt is at or before by,
	// oldest ExpiresAt first and, for equal times, in the byte order of
	// the IDs; limit <= 0 means 100. It never lists another owner's
	// orders, orders placed without a TTL, or orders confirmed, cancelled
	// or closed. The listing reflects every write that has returned.
	//
	// There is no cursor: an order leaves the listing once it is expired
	// or changes so that it no longer can be, so a host drains a backlog by
	// expiring what it got and calling again.
	ExpiringBy(ctx context.Context, owner fulfill.OwnerID, by time.Time, limit int) ([]fulfill.OrderID, error)
}

// Expirable reports whether o has a TTL and is in a state an
// [ExpireRequest] cancels once o.ExpiresAt has passed: unconfirmed, not
// cancelled and not closed. A hold does not stop an expiry. The transition
// table decides it, the TTL included.
func (o *Order) Expirable() bool { return o.Can(CommandExpire) == nil }

// ExpireDue expires up to limit of the owner's orders whose TTL has passed
// by the Service's clock (limit <= 0 means 100) and returns how many it
// expired. It needs a Store that implements [Expirer]; with another it
// returns an error wrapping [errors.ErrUnsupported].
//
// Each listed order is expired on its own, as by [Service.Execute] with an
// [ExpireRequest] and no idempotency key. An order changed since it was
// listed (a *[ConflictError], a [TransitionError] because it was confirmed
// or cancelled meanwhile, or [ErrNotFound]) is skipped and the sweep goes
// on. Any other error stops the sweep and is returned with the count of the
// orders expired before it. Calling ExpireDue until it returns 0 expires
// every order due.
func (s *Service) ExpireDue(ctx context.Context, owner fulfill.OwnerID, limit int) (int, error) {
	if s.Store == nil {
		return 0, invalid("store", "", "a Service needs a Store")
	}
	ex, ok := s.Store.(Expirer)
	if !ok {
		return 0, fmt.Errorf("order: store %T cannot list expiring orders: %w", s.Store, errors.ErrUnsupported)
	}
	now := fulfill.Now(s.Clock)
	ids, err := ex.ExpiringBy(ctx, owner, now, limit)
	if err != nil {
		return 0, err
	}
	expired := 0
	for _, id := range ids {
		_, err := s.execute(ctx, owner, id, "", ExpireRequest{}, now)
		switch {
		case err == nil:
			expired++
		case errors.Is(err, ErrConflict), errors.Is(err, ErrInvalidTransition), errors.Is(err, ErrNotFound):
			// Changed since it was listed: no longer this sweep's business.
		default:
			return expired, err
		}
	}
	return expired, nil
}
