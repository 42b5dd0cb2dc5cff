package returns

import (
	"errors"
	"fmt"

	"github.com/fulfillkit/fulfill"
)

// Kinds of error returned by this package. Match them with [errors.Is]; the
// typed errors below carry the details and unwrap to one of these.
var (
	// ErrInvalidTransition reports an action the return's status does not
	// allow. The details are in a *[TransitionError].
	ErrInvalidTransition = errors.New("returns: invalid transition")
	// ErrInvalidReturn reports malformed input, such as a return line
	// without a reason. The details are in *[fulfill.FieldError] values
	// whose Kind is ErrInvalidReturn.
	ErrInvalidReturn = errors.New("returns: invalid input")
	// ErrQuantity reports more units than a line can supply: a return of
	// units not shipped, a refund of units already refunded. The details
	// are in a *[QuantityError].
	ErrQuantity = errors.New("returns: invalid quantity")
	// ErrRefundLimit reports a refund larger than what remains paid for
	// the units or the order. The details are in a *[LimitError].
	ErrRefundLimit = errors.New("returns: refund exceeds what was paid")
	// ErrIdempotencyConflict reports a refund key reused with a different
	// request. The details are in an *[IdempotencyError].
	ErrIdempotencyConflict = errors.New("returns: idempotency key reused with a different request")
	// ErrNotFound reports a return or refund account that does not exist
	// for the owner asked. The details are in a *[NotFoundError].
	ErrNotFound = errors.New("returns: not found")
	// ErrAlreadyExists reports a Create of a return or account already stored.
	ErrAlreadyExists = errors.New("returns: already exists")
	// ErrConflict reports a stale write: the return or account changed
	// since it was read. The details are in a *[ConflictError].
	ErrConflict = errors.New("returns: version conflict")
	// ErrDisposition reports a disposition that inventory refused. The
	// details are in a *[DispositionError], which also unwraps to the
	// inventory error.
	ErrDisposition = errors.New("returns: disposition failed")
)

// TransitionError reports an action refused because of the return's
// status. It unwraps to [ErrInvalidTransition].
type TransitionError struct {
	From   Status // the return's status when the action was refused
	Action Action // the refused action
	Reason string // why, as in the transition table or a precondition
}

// Error names the status, the action and the reason.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("returns: cannot %s when %s: %s", e.Action, e.From, e.Reason)
}

// Unwrap returns [ErrInvalidTransition].
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// QuantityError reports a quantity a line cannot supply. It unwraps to
// [ErrQuantity].
type QuantityError struct {
	Line      string // the line: "order line 2" or "return line 1"
	What      string // what was asked: "return", "receive", "refund", ...
	Available int64  // what the line can supply
	Requested int64  // what was asked
}

// Error names the line, what was asked and both quantities.
func (e *QuantityError) Error() string {
	return fmt.Sprintf("returns: %s: %s: requested %d, available %d", e.Line, e.What, e.Requested, e.Available)
}

// Unwrap returns [ErrQuantity].
func (e *QuantityError) Unwrap() error { return ErrQuantity }

// LimitError reports a refund above what remains refundable. It unwraps to
// [ErrRefundLimit].
type LimitError struct {
	Scope     string        // "order" or "order line 2"
	Requested fulfill.Money // what the refund asked
	Remaining fulfill.Money // what is left to refund
}

// Error names the scope and both amounts.
func (e *LimitError) Error() string {
	return fmt.Sprintf("returns: refund of %s exceeds the %s left refundable on %s", e.Requested, e.Remaining, e.Scope)
}

// Unwrap returns [ErrRefundLimit].
func (e *LimitError) Unwrap() error { return ErrRefundLimit }

// IdempotencyError reports a refund key reused for a different request. It
// unwraps to [ErrIdempotencyConflict].
type IdempotencyError struct {
	Key string
}

// Error names the key.
func (e *IdempotencyError) Error() string {
	return fmt.Sprintf("returns: refund key %q was used for a different request", e.Key)
}

// Unwrap returns [ErrIdempotencyConflict].
func (e *IdempotencyError) Unwrap() error { return ErrIdempotencyConflict }

// NotFoundError reports a return or account missing for an owner. It is
// also returned, deliberately, for one that exists under another owner. It
// unwraps to [ErrNotFound].
type NotFoundError struct {
	Owner fulfill.OwnerID
	Kind  string // "return" or "account"
	ID    string
}

// Error names the owner, the kind and the ID.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("returns: %s not found: owner %q id %s", e.Kind, e.Owner, e.ID)
}

// Unwrap returns [ErrNotFound].
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// ConflictError reports a stale write. It unwraps to [ErrConflict].
type ConflictError struct {
	Kind     string // "return" or "account"
	ID       string
	Expected int64 // the version the writer read
	Actual   int64 // the version stored
}

// Error names the record and both versions.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("returns: version conflict on %s %s: expected version %d, stored %d", e.Kind, e.ID, e.Expected, e.Actual)
}

// Unwrap returns [ErrConflict].
func (e *ConflictError) Unwrap() error { return ErrConflict }

// DispositionError reports an inventory operation that failed while
// applying dispositions. It unwraps to [ErrDisposition] and to the
// inventory error.
type DispositionError struct {
	Disposition Disposition
	SKU         fulfill.SKU
	Location    fulfill.LocationID
	Err         error
}

// Error names the disposition, the stock and the cause.
func (e *DispositionError) Error() string {
	return fmt.Sprintf("returns: %s %s at %s: %v", e.Disposition, e.SKU, e.Location, e.Err)
}

// Unwrap returns [ErrDisposition] and the cause.
func (e *DispositionError) Unwrap() []error { return []error{ErrDisposition, e.Err} }

// invalid returns a *fulfill.FieldError of kind ErrInvalidReturn.
func invalid(field, value, reason string) error {
	return &fulfill.FieldError{Field: field, Value: value, Reason: reason, Kind: ErrInvalidReturn}
}
