package inventory

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fulfillkit/fulfill"
)

// Kinds of error returned by this package. Match them with [errors.Is]; the
// typed errors below carry the details and unwrap to one of these.
var (
	// ErrInsufficientStock reports an operation that would take more units
	// out of a bucket than it holds. The detail is an *[InsufficientStockError].
	ErrInsufficientStock = errors.New("inventory: insufficient stock")
	// ErrIdempotencyConflict reports an idempotency key reused with a
	// different payload. The detail is an *[IdempotencyConflictError].
	ErrIdempotencyConflict = errors.New("inventory: idempotency key reused with a different payload")
	// ErrConflict reports a compare-and-set that failed because the level
	// changed since it was read: an expected quantity or version that no
	// longer holds. Read again (or re-plan) and retry. The detail is a
	// *[ConflictError].
	ErrConflict = errors.New("inventory: conflict")
	// ErrNotFound reports a reservation or level that does not exist for the
	// owner. The detail is a *[NotFoundError].
	ErrNotFound = errors.New("inventory: not found")
	// ErrInvalid reports a malformed operation, such as a zero quantity or a
	// missing owner. The detail is a *[fulfill.FieldError].
	ErrInvalid = errors.New("inventory: invalid operation")
	// ErrExpired reports an operation on a hold whose TTL has passed, or a
	// reservation of a lot past its expiry date. The detail is an *[ExpiredError].
	ErrExpired = errors.New("inventory: expired")
	// ErrOwnerMismatch reports an operation that names two owners, such as a
	// reservation line whose key belongs to another owner than the operation.
	ErrOwnerMismatch = errors.New("inventory: owner mismatch")
)

// Shortage is one line of an [InsufficientStockError]: the level, the
// bucket that would have gone negative, how many units the operation wanted
// from it and how many it had.
type Shortage struct {
	Key       Key    `json:"key"`
	Bucket    Bucket `json:"bucket"`
	Wanted    int64  `json:"wanted"`
	Available int64  `json:"available"`
}

// String returns "sku@location wanted 5 available 3".
func (s Shortage) String() string {
	b := ""
	if s.Bucket != BucketAvailable {
		b = " " + string(s.Bucket)
	}
	return fmt.Sprintf("%s%s wanted %d available %d", s.Key, b, s.Wanted, s.Available)
}

// InsufficientStockError lists every level an operation was short on, so
// that a multi-line reservation reports all its short lines at once. It
// unwraps to [ErrInsufficientStock].
type InsufficientStockError struct {
	Shortages []Shortage
}

// Error lists the shortages.
func (e *InsufficientStockError) Error() string {
	parts := make([]string, len(e.Shortages))
	for i, s := range e.Shortages {
		parts[i] = s.String()
	}
	return "inventory: insufficient stock: " + strings.Join(parts, "; ")
}

// Unwrap returns [ErrInsufficientStock].
func (e *InsufficientStockError) Unwrap() error { return ErrInsufficientStock }

// IdempotencyConflictError reports an idempotency key already used by an
// operation with another payload. It unwraps to [ErrIdempotencyConflict].
type IdempotencyConflictError struct {
	Owner fulfill.OwnerID
	Key   string
}

// Error names the owner and the key.
func (e *IdempotencyConflictError) Error() string {
	return fmt.Sprintf("inventory: idempotency key %q of owner %q reused with a different payload", e.Key, e.Owner)
}

// Unwrap returns [ErrIdempotencyConflict].
func (e *IdempotencyConflictError) Unwrap() error { return ErrIdempotencyConflict }

// ConflictError reports a failed compare-and-set on a level: what was
// expected and what was found. It unwraps to [ErrConflict].
type ConflictError struct {
	Key      Key
	Field    string // "version" or a bucket name
	Expected int64
	Actual   int64
}

// Error names the level, the field and both values.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("inventory: conflict on %s: %s is %d, expected %d", e.Key, e.Field, e.Actual, e.Expected)
}

// Unwrap returns [ErrConflict].
func (e *ConflictError) Unwrap() error { return ErrConflict }

// NotFoundError reports a reservation, or a lot of a SKU, unknown to the
// owner. It unwraps to [ErrNotFound].
type NotFoundError struct {
	Owner       fulfill.OwnerID
	Reservation string      // the reservation, if one was not found
	SKU         fulfill.SKU // the SKU of the lot, if a lot was not found
	Lot         LotID       // the lot, if a lot was not found
}

// Error names the owner and what was not found.
func (e *NotFoundError) Error() string {
	if e.Lot != "" {
		return fmt.Sprintf("inventory: lot %q of %s of owner %q not found", e.Lot, e.SKU, e.Owner)
	}
	return fmt.Sprintf("inventory: reservation %q of owner %q not found", e.Reservation, e.Owner)
}

// Unwrap returns [ErrNotFound].
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// ExpiredError reports a hold past its TTL or a lot past its expiry date.
// It unwraps to [ErrExpired].
type ExpiredError struct {
	Key         Key
	Reservation string // empty for an expired lot
	Expired     string // the expiry time, RFC 3339
}

// Error names what expired and when.
func (e *ExpiredError) Error() string {
	if e.Reservation != "" {
		return fmt.Sprintf("inventory: reservation %q on %s expired at %s", e.Reservation, e.Key, e.Expired)
	}
	return fmt.Sprintf("inventory: lot %s expired at %s", e.Key, e.Expired)
}

// Unwrap returns [ErrExpired].
func (e *ExpiredError) Unwrap() error { return ErrExpired }

// invalid returns a *fulfill.FieldError wrapping ErrInvalid.
func invalid(field, value, reason string) error {
	return &fulfill.FieldError{Field: field, Value: value, Reason: reason, Kind: ErrInvalid}
}

// overflow returns a *fulfill.OverflowError wrapping fulfill.ErrOverflow.
func overflow(op string, operands ...int64) error {
	s := make([]string, len(operands))
	for i, o := range operands {
		s[i] = fmt.Sprint(o)
	}
	return &fulfill.OverflowError{Op: op, Operands: s}
}
