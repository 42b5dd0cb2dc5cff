package pack

import (
	"errors"
	"fmt"
)

// Kinds of error returned by this package, matched with [errors.Is].
var (
	// ErrInvalidRequest reports a request or options that cannot be packed
	// as given, such as an item with no size or two boxes with one ID.
	ErrInvalidRequest = errors.New("pack: invalid request")
	// ErrTooLarge reports a request with more units than [MaxUnits].
	ErrTooLarge = errors.New("pack: request too large")
	// ErrInvalidResult reports a result that [Verify] rejects.
	ErrInvalidResult = errors.New("pack: invalid result")
	// ErrShipping reports a failure of the [ShippingFunc].
	ErrShipping = errors.New("pack: shipping estimate failed")
)

// MaxUnits is the largest number of units (the sum of the quantities) in one
// request.
const MaxUnits = 10_000

// FieldError reports one field of a request that failed validation. It
// unwraps to [ErrInvalidRequest] (or [ErrTooLarge]).
type FieldError struct {
	Field  string // the path of the field, such as "items[2].quantity"
	Value  string // the offending value
	Reason string // why it was refused
	Kind   error  // the kind; nil means ErrInvalidRequest
}

// Error names the field, the value and the reason.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%v: %s %q: %s", e.Unwrap(), e.Field, e.Value, e.Reason)
}

// Unwrap returns the kind of the error.
func (e *FieldError) Unwrap() error {
	if e.Kind == nil {
		return ErrInvalidRequest
	}
	return e.Kind
}

// Problem is one thing [Verify] found wrong with a result. It unwraps to
// [ErrInvalidResult].
type Problem struct {
	Package int    // the index of the package, or -1 when not about one package
	Item    string // the item concerned, if any
	What    string // what is wrong
}

// Error describes the problem.
func (p *Problem) Error() string {
	where := ""
	if p.Package >= 0 {
		where = fmt.Sprintf(" package %d:", p.Package)
	}
	item := ""
	if p.Item != "" {
		item = fmt.Sprintf(" item %q:", p.Item)
	}
	return fmt.Sprintf("%v:%s%s %s", ErrInvalidResult, where, item, p.What)
}

// Unwrap returns [ErrInvalidResult].
func (p *Problem) Unwrap() error { return ErrInvalidResult }

// Problems returns the individual problems in an error returned by [Verify],
// in order; nil for a nil error.
func Problems(err error) []*Problem {
	var out []*Problem
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if p, ok := e.(*Problem); ok {
			out = append(out, p)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, c := range j.Unwrap() {
				walk(c)
			}
			return
		}
		if u := errors.Unwrap(e); u != nil {
			walk(u)
		}
	}
	walk(err)
	return out
}
