package order

import (
	"context"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Position is an event's place in a store's event log: positive and
// increasing in the order events were written. The zero Position is before
// the first event.
type Position int64

// StoredEvent is an event with its position in a store's log.
type StoredEvent struct {
	Position Position `json:"position"`
	Event    Event    `json:"event"`
}

// Change is one write to a [Store]: an order's new state, the events that
// led to it from ExpectedVersion, and optionally the idempotency record of
// the request that made it.
type Change struct {
	// Order is the state after the change. The store keeps a copy (a
	// [Snapshot], for a SQL store) and does not retain the pointer.
	Order *Order
	// ExpectedVersion is the version the change was computed from: 0 for
	// [Store.Create], the version read with [Store.Get] for [Store.Save].
	ExpectedVersion int64
	// Events are the new events, versions ExpectedVersion+1 up to
	// Order.Version(), in order.
	Events []Event
	// Idempotency, if not nil, is stored with the change, atomically.
	Idempotency *IdempotencyRecord
}

// IdempotencyRecord remembers a request run under an idempotency key, so
// that a retry gets the original result and a different request under the
// same key is refused.
type IdempotencyRecord struct {
	Owner       fulfill.OwnerID `json:"owner"`
	Key         string          `json:"key"`
	Command     Command         `json:"command"`
	Fingerprint string          `json:"fingerprint"` // hash of the command, the order ID and the request
	OrderID     fulfill.OrderID `json:"order_id"`
	Events      []Event         `json:"events"` // what the request produced
	CreatedAt   time.Time       `json:"created_at"`
}

// Store keeps orders, their events and idempotency records, for many
// owners. Every lookup names the owner: a store never returns one owner's
// order, events or records to another, and reports another owner's order as
// not found.
//
// Writes are optimistic: [Store.Save] succeeds only if the stored version
// is still Change.ExpectedVersion. A write stores the order, appends its
// events to the log and stores the idempotency record all together or not
// at all (one transaction, for a SQL store).
//
// Implementations must be safe for concurrent use, and must hand out and
// keep copies: mutating an order passed to or returned from a store changes
// nothing stored. [github.com/fulfillkit/fulfill/order/ordertest.Run]
// checks this contract.
type Store interface {
	// Get returns a copy of the order, or an error wrapping [ErrNotFound].
	Get(ctx context.Context, owner fulfill.OwnerID, id fulfill.OrderID) (*Order, error)
	// Create stores a new order (Change.ExpectedVersion is 0). It returns an
	// error wrapping [ErrAlreadyExists] if the order ID is stored, under any
	// owner, and one wrapping [ErrIdempotencyConflict] if the record's key
	// is already stored for the owner; either way it writes nothing.
	Create(ctx context.Context, c Change) error
	// Save stores a changed order. It returns a *[ConflictError] (wrapping
	// [ErrConflict]) if the stored version is not Change.ExpectedVersion,
	// one wrapping [ErrNotFound] if the order is not stored for its owner,
	// and one wrapping [ErrIdempotencyConflict] if the record's key is
	// already stored for the owner; in each case it writes nothing.
	Save(ctx context.Context, c Change) error
	// EventsAfter returns up to limit of the owner's events with positions
	// greater than after, in position order (limit <= 0 means 100). A
	// reader that stores the last position it handled reads each event once,
	// outbox style. A SQL store must not let a reader see a position before
	// every lower position of the owner is visible.
	EventsAfter(ctx context.Context, owner fulfill.OwnerID, after Position, limit int) ([]StoredEvent, error)
	// Idempotency returns the record stored under key for owner, or an error
	// wrapping [ErrNotFound].
	Idempotency(ctx context.Context, owner fulfill.OwnerID, key string) (IdempotencyRecord, error)
}
