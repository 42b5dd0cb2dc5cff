package pick

import (
	"errors"
	"fmt"
	"strings"
)

// Kinds of error returned by this package. Match them with [errors.Is]; the
// typed errors carry the details and unwrap to one of these.
var (
	// ErrInvalidLayout reports a layout configuration that describes no
	// warehouse, such as zero aisles or a depot outside the building.
	ErrInvalidLayout = errors.New("pick: invalid layout")
	// ErrInvalidBin reports a bin address that cannot be parsed or that lies
	// outside the layout.
	ErrInvalidBin = errors.New("pick: invalid bin")
	// ErrUnsupported reports a router asked to plan on a layout it does not
	// handle, such as [Optimal] on a [Graph], and a nil layout or a [Rect]
	// or [Graph] not made by [NewRect] or [NewGraph].
	ErrUnsupported = errors.New("pick: unsupported layout")
	// ErrTooLarge reports an exact method asked for more stops than it can
	// solve in reasonable time.
	ErrTooLarge = errors.New("pick: problem too large for exact method")
	// ErrInvalidRoute reports a route that skips a pick, visits one twice or
	// states a length that does not add up.
	ErrInvalidRoute = errors.New("pick: invalid route")
	// ErrInvalidOrder reports an order that cannot be batched, such as one
	// with no lines, a negative quantity, or one too big for an empty cart.
	ErrInvalidOrder = errors.New("pick: invalid order")
	// ErrInvalidCapacity reports a cart capacity with a negative limit.
	ErrInvalidCapacity = errors.New("pick: invalid capacity")
)

// LayoutError reports one field of a layout configuration that was refused.
// It unwraps to [ErrInvalidLayout].
type LayoutError struct {
	Field  string // the field, such as "aisles"
	Value  string // the offending value
	Reason string // why it was refused
}

// Error names the field, the value and the reason.
func (e *LayoutError) Error() string {
	return fmt.Sprintf("pick: invalid layout: %s %s: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns [ErrInvalidLayout].
func (e *LayoutError) Unwrap() error { return ErrInvalidLayout }

// BinError reports a bin that cannot be parsed or located. It unwraps to
// [ErrInvalidBin].
type BinError struct {
	Bin    string // the bin as given
	Reason string // why it was refused
}

// Error names the bin and the reason.
func (e *BinError) Error() string {
	return fmt.Sprintf("pick: invalid bin %q: %s", e.Bin, e.Reason)
}

// Unwrap returns [ErrInvalidBin].
func (e *BinError) Unwrap() error { return ErrInvalidBin }

// RouteError lists what is wrong with a route. It unwraps to
// [ErrInvalidRoute].
type RouteError struct {
	Problems []string // one sentence per problem, in the order found
}

// Error joins the problems.
func (e *RouteError) Error() string {
	return "pick: invalid route: " + strings.Join(e.Problems, "; ")
}

// Unwrap returns [ErrInvalidRoute].
func (e *RouteError) Unwrap() error { return ErrInvalidRoute }

// OrderError reports an order that cannot be batched. It unwraps to
// [ErrInvalidOrder].
type OrderError struct {
	Order  string // the order's ID
	Reason string // why it was refused
}

// Error names the order and the reason.
func (e *OrderError) Error() string {
	return fmt.Sprintf("pick: invalid order %q: %s", e.Order, e.Reason)
}

// Unwrap returns [ErrInvalidOrder].
func (e *OrderError) Unwrap() error { return ErrInvalidOrder }
