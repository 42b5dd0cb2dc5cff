package order

import (
	"errors"
	"fmt"

	"github.com/fulfillkit/fulfill"
)

// Kinds of error returned by this package. Match them with [errors.Is]; the
// typed errors below carry the details and unwrap to one of these.
var (
	// ErrInvalidTransition reports a command the order's status does not
	// allow. The details are in a *[TransitionError].
	ErrInvalidTransition = errors.New("order: invalid transition")
	// ErrConflict reports a stale write: the order changed since it was read.
	// The details are in a *[ConflictError].
	ErrConflict = errors.New("order: version conflict")
	// ErrNotFound reports an order that does not exist for the owner asked.
	ErrNotFound = errors.New("order: not found")
	// ErrAlreadyExists reports a Create of an order ID that is already stored.
	ErrAlreadyExists = errors.New("order: already exists")
	// ErrQuantity reports a quantity a line's ledger cannot supply, such as
	// picking more than is allocated. The details are in a *[QuantityError].
	ErrQuantity = errors.New("order: invalid quantity")
	// ErrUnknownReference reports a line, fulfillment, hold or shipment ID
	// the order does not have. The details are in a *[ReferenceError].
	ErrUnknownReference = errors.New("order: unknown reference")
	// ErrInvalidOrder reports malformed input, such as a line without a SKU
	// or a price in the wrong currency. The details are in *[fulfill.FieldError]
	// values whose Kind is ErrInvalidOrder, or in a *[ReleasedError] for an
	// edit that would price a line below what its cancellations released.
	ErrInvalidOrder = errors.New("order: invalid input")
	// ErrInvariant reports a ledger that breaks one of the conservation rules
	// listed in the package documentation. The details are in an *[InvariantError].
	ErrInvariant = errors.New("order: invariant violated")
	// ErrIdempotencyConflict reports an idempotency key reused with a
	// different command or payload. The details are in an *[IdempotencyError].
	ErrIdempotencyConflict = errors.New("order: idempotency key reused with a different request")
	// ErrInvalidEvent reports an event that cannot be applied or decoded,
	// such as an event out of sequence in [Replay].
	ErrInvalidEvent = errors.New("order: invalid event")
)

// TransitionError reports a command refused because of the order's status.
// It unwraps to [ErrInvalidTransition].
type TransitionError struct {
	From    Status  // the order's status when the command was refused
	Command Command // the refused command
	Reason  string  // why, as in the transition table or a precondition
}

// Error names the status, the command and the reason.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("order: cannot %s when %s: %s", e.Command, e.From, e.Reason)
}

// Unwrap returns [ErrInvalidTransition].
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// ConflictError reports a stale write of an order. It unwraps to [ErrConflict].
type ConflictError struct {
	ID       fulfill.OrderID
	Expected int64 // the version the writer read
	Actual   int64 // the version stored
}

// Error names the order and both versions.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("order: version conflict on %s: expected version %d, stored %d", e.ID, e.Expected, e.Actual)
}

// Unwrap returns [ErrConflict].
func (e *ConflictError) Unwrap() error { return ErrConflict }

// NotFoundError reports an order missing for an owner. It unwraps to
// [ErrNotFound]. It is also returned, deliberately, for an order that exists
// under another owner.
type NotFoundError struct {
	Owner fulfill.OwnerID
	ID    fulfill.OrderID
}

// Error names the owner and the order.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("order: not found: owner %q order %s", e.Owner, e.ID)
}

// Unwrap returns [ErrNotFound].
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// QuantityError reports a quantity that a line's ledger bucket cannot
// supply or accept. It unwraps to [ErrQuantity].
type QuantityError struct {
	Line      LineID
	Bucket    Bucket // the bucket that is short or would overflow
	Available int64  // what the bucket can supply or accept
	Requested int64  // what was asked
}

// Error names the line, the bucket and both quantities.
func (e *QuantityError) Error() string {
	return fmt.Sprintf("order: line %d: %s: requested %d, available %d", e.Line, e.Bucket, e.Requested, e.Available)
}

// Unwrap returns [ErrQuantity].
func (e *QuantityError) Unwrap() error { return ErrQuantity }

// ReferenceError reports an ID the order does not know. It unwraps to
// [ErrUnknownReference].
type ReferenceError struct {
	Kind string // "line", "fulfillment", "hold" or "shipment"
	ID   string
}

// Error names the kind and the ID.
func (e *ReferenceError) Error() string {
	return fmt.Sprintf("order: unknown %s %q", e.Kind, e.ID)
}

// Unwrap returns [ErrUnknownReference].
func (e *ReferenceError) Unwrap() error { return ErrUnknownReference }

// ReleasedError reports an edit refused because it would lower a line's
// total below the money its cancellations already released
// ([Line.CancelledValue]), which is history and cannot be taken back. It
// happens when the order-level discount is spread anew, such as when
// another line is removed or shrinks, so that a partly cancelled line
// carries more of it. It unwraps to [ErrInvalidOrder].
type ReleasedError struct {
	Line     LineID
	Total    fulfill.Money // the line's total after the edit
	Released fulfill.Money // what its cancellations released
}

// Error names the line and both amounts.
func (e *ReleasedError) Error() string {
	return fmt.Sprintf("order: line %d: the edit would make its total %s, below the %s its cancellations released", e.Line, e.Total, e.Released)
}

// Unwrap returns [ErrInvalidOrder].
func (e *ReleasedError) Unwrap() error { return ErrInvalidOrder }

// InvariantError reports a broken conservation rule. It unwraps to
// [ErrInvariant].
type InvariantError struct {
	Rule   string // the rule's name as in the package documentation, such as "R1 conservation"
	Line   LineID // the line concerned, or 0 for an order-wide rule
	Detail string // the quantities that break it
}

// Error names the rule, the line and the quantities.
func (e *InvariantError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("order: invariant %s: %s", e.Rule, e.Detail)
	}
	return fmt.Sprintf("order: invariant %s: line %d: %s", e.Rule, e.Line, e.Detail)
}

// Unwrap returns [ErrInvariant].
func (e *InvariantError) Unwrap() error { return ErrInvariant }

// IdempotencyError reports an idempotency key reused for a different
// request. It unwraps to [ErrIdempotencyConflict].
type IdempotencyError struct {
	Key     string
	Command Command // the command first recorded under Key
}

// Error names the key and the command first recorded under it.
func (e *IdempotencyError) Error() string {
	return fmt.Sprintf("order: idempotency key %q was used for a different %s request", e.Key, e.Command)
}

// Unwrap returns [ErrIdempotencyConflict].
func (e *IdempotencyError) Unwrap() error { return ErrIdempotencyConflict }

// EventError reports an event that cannot be applied or decoded. It unwraps
// to [ErrInvalidEvent] and, through Err, to the cause.
type EventError struct {
	Version int64     // the event's version
	Type    EventType // the event's type
	Err     error     // the cause
}

// Error names the event and the cause.
func (e *EventError) Error() string {
	return fmt.Sprintf("order: event %d (%s): %v", e.Version, e.Type, e.Err)
}

// Unwrap returns [ErrInvalidEvent] and the cause.
func (e *EventError) Unwrap() []error { return []error{ErrInvalidEvent, e.Err} }

// invalid returns a *fulfill.FieldError of kind ErrInvalidOrder.
func invalid(field, value, reason string) error {
	return &fulfill.FieldError{Field: field, Value: value, Reason: reason, Kind: ErrInvalidOrder}
}
