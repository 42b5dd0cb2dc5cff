package fulfill

import (
	"errors"
	"fmt"
	"strings"
)

// Kinds of error returned by this package. Match them with [errors.Is]; the
// typed errors below carry the details and unwrap to one of these.
var (
	// ErrSyntax reports text that could not be parsed as a value.
	ErrSyntax = errors.New("fulfill: invalid syntax")
	// ErrOverflow reports a result outside the range of its type.
	ErrOverflow = errors.New("fulfill: value out of range")
	// ErrCurrencyMismatch reports arithmetic or comparison on two currencies.
	ErrCurrencyMismatch = errors.New("fulfill: currency mismatch")
	// ErrUnknownCurrency reports a currency code that is not an active ISO 4217 code.
	ErrUnknownCurrency = errors.New("fulfill: unknown currency")
	// ErrInvalidMoney reports an amount that cannot be used as asked, such as
	// a negative ratio passed to [Money.Allocate].
	ErrInvalidMoney = errors.New("fulfill: invalid money")
	// ErrInvalidDimensions reports dimensions that no real item or box has.
	ErrInvalidDimensions = errors.New("fulfill: invalid dimensions")
	// ErrInvalidAddress reports an address that fails validation.
	ErrInvalidAddress = errors.New("fulfill: invalid address")
	// ErrInvalidCode reports an SKU, owner or location code that is empty or
	// contains characters a code may not have.
	ErrInvalidCode = errors.New("fulfill: invalid code")
)

// ParseError records a failed parse of user text: the function, the input
// and what went wrong. It unwraps to [ErrSyntax] or [ErrOverflow].
type ParseError struct {
	Func  string // the function that failed, such as "ParseLength"
	Input string // the text that was given
	Err   error  // the reason, wrapping ErrSyntax or ErrOverflow
}

// Error returns "fulfill: ParseLength \"12 furlongs\": ...".
func (e *ParseError) Error() string {
	return fmt.Sprintf("fulfill: %s %q: %v", e.Func, e.Input, e.Err)
}

// Unwrap returns the underlying reason.
func (e *ParseError) Unwrap() error { return e.Err }

// OverflowError reports an arithmetic operation whose result is out of range.
// It unwraps to [ErrOverflow].
type OverflowError struct {
	Op       string   // the operation, such as "Mass.Mul"
	Operands []string // the operands, formatted
}

// Error names the operation and its operands.
func (e *OverflowError) Error() string {
	return fmt.Sprintf("fulfill: %s(%s) overflows", e.Op, strings.Join(e.Operands, ", "))
}

// Unwrap returns [ErrOverflow].
func (e *OverflowError) Unwrap() error { return ErrOverflow }

// CurrencyMismatchError reports an operation on amounts in two currencies.
// It unwraps to [ErrCurrencyMismatch].
type CurrencyMismatchError struct {
	A, B Currency
}

// Error names both currencies.
func (e *CurrencyMismatchError) Error() string {
	return fmt.Sprintf("fulfill: currency mismatch: %s and %s", e.A, e.B)
}

// Unwrap returns [ErrCurrencyMismatch].
func (e *CurrencyMismatchError) Unwrap() error { return ErrCurrencyMismatch }

// FieldError reports one field of a value that failed validation: which
// field, the value it had, and why it was refused. It unwraps to the kind of
// the value, such as [ErrInvalidAddress].
type FieldError struct {
	Field  string // the field's name as in JSON, such as "postal_code"
	Value  string // the offending value
	Reason string // why it was refused, such as "required"
	Kind   error  // the sentinel this error unwraps to
}

// Error names the field, the value and the reason.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%v: %s %q: %s", e.Kind, e.Field, e.Value, e.Reason)
}

// Unwrap returns the kind of error, such as [ErrInvalidAddress].
func (e *FieldError) Unwrap() error { return e.Kind }
