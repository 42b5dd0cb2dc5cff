package fulfill

import (
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// SKU is a stock-keeping unit code, as the host's catalogue assigns it:
// "TSHIRT-RED-M". SKUs are compared exactly, case included.
type SKU string

// OwnerID names the merchant or third-party-logistics client that owns orders
// and stock. Every store keeps one owner's data apart from another's.
type OwnerID string

// LocationID names a place that holds stock or ships orders: a warehouse, a
// store, a drop-ship vendor. Bins inside a warehouse are the pick package's
// concern, not locations.
type LocationID string

// MaxCodeLen is the longest SKU, OwnerID or LocationID accepted, in bytes.
const MaxCodeLen = 128

// Validate reports whether s is a usable SKU: 1 to [MaxCodeLen] bytes of valid
// UTF-8 with no control characters and no leading or trailing white space.
// Otherwise it returns a *[FieldError] wrapping [ErrInvalidCode].
func (s SKU) Validate() error { return validateCode("sku", string(s)) }

// Validate reports whether o is a usable owner ID, by the rules of [SKU.Validate].
func (o OwnerID) Validate() error { return validateCode("owner", string(o)) }

// Validate reports whether l is a usable location ID, by the rules of [SKU.Validate].
func (l LocationID) Validate() error { return validateCode("location", string(l)) }

// validateCode accepts 1 to MaxCodeLen bytes of valid UTF-8 with no control
// characters and no leading or trailing white space, and otherwise returns a
// *FieldError wrapping ErrInvalidCode.
func validateCode(field, s string) error {
	reason := ""
	switch {
	case s == "":
		reason = "required"
	case len(s) > MaxCodeLen:
		reason = fmt.Sprintf("longer than %d bytes", MaxCodeLen)
	case !utf8.ValidString(s):
		reason = "not valid UTF-8"
	default:
		first, _ := utf8.DecodeRuneInString(s)
		last, _ := utf8.DecodeLastRuneInString(s)
		if unicode.IsSpace(first) || unicode.IsSpace(last) {
			reason = "has leading or trailing white space"
		}
		for _, r := range s {
			if unicode.IsControl(r) {
				reason = "contains a control character"
				break
			}
		}
	}
	if reason == "" {
		return nil
	}
	return &FieldError{Field: field, Value: s, Reason: reason, Kind: ErrInvalidCode}
}

// OrderID identifies an order across every package: the order package
// creates it, inventory reservations, pick batches, shipments and returns
// refer to it. It is a UUID (version 7 when made by [NewOrderID]); the zero
// OrderID is "no order". OrderIDs are comparable and usable as map keys.
type OrderID uuid.UUID

// NewOrderID returns a new time-ordered (version 7) order ID drawn from
// random, such as crypto/rand.Reader, or a seeded source in tests.
func NewOrderID(random io.Reader) (OrderID, error) {
	u, err := uuid.NewV7FromReader(random)
	return OrderID(u), err
}

// ParseOrderID parses the canonical text form of an order ID. It returns an
// error wrapping [ErrSyntax] for anything else.
func ParseOrderID(s string) (OrderID, error) {
	u, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return OrderID{}, &ParseError{Func: "ParseOrderID", Input: s, Err: fmt.Errorf("%w: not a UUID", ErrSyntax)}
	}
	return OrderID(u), nil
}

// MustOrderID is like [ParseOrderID] but panics on error; for literals in
// tests and examples.
func MustOrderID(s string) OrderID {
	id, err := ParseOrderID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// IsZero reports whether id is the zero OrderID.
func (id OrderID) IsZero() bool { return id == OrderID{} }

// String returns the canonical form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
func (id OrderID) String() string { return uuid.UUID(id).String() }

// MarshalText encodes id in its canonical form.
func (id OrderID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText decodes the canonical form, as [ParseOrderID].
func (id *OrderID) UnmarshalText(b []byte) error {
	v, err := ParseOrderID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
