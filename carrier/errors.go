package carrier

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kinds of error returned by this package. Match them with [errors.Is]; the
// typed errors below carry the details and unwrap to one of these.
var (
	// ErrInvalidRequest reports a shipment request that cannot be rated,
	// such as one without packages or with a package of no size.
	ErrInvalidRequest = errors.New("carrier: invalid request")
	// ErrIneligible reports a service that cannot carry a shipment, such as
	// a package over the service's maximum weight.
	ErrIneligible = errors.New("carrier: service ineligible")
	// ErrNoRate reports a carrier none of whose services could quote.
	ErrNoRate = errors.New("carrier: no rate")
	// ErrInvalidCard reports a rate card or merchant table that is malformed
	// or inconsistent.
	ErrInvalidCard = errors.New("carrier: invalid rate card")
	// ErrNoCard reports a ship time before every version of a tariff.
	ErrNoCard = errors.New("carrier: no rate card in effect")
	// ErrCarrierFailed reports a carrier that returned an error while
	// shopping; the *[CarrierError] says which one and why.
	ErrCarrierFailed = errors.New("carrier: carrier failed")
	// ErrTimeout reports a carrier that did not answer within its deadline.
	ErrTimeout = errors.New("carrier: carrier timed out")
	// ErrCircuitOpen reports a call refused by an open [Breaker].
	ErrCircuitOpen = errors.New("carrier: circuit open")
	// ErrUnsupported reports a capability (label, void, track) that a
	// carrier does not have.
	ErrUnsupported = errors.New("carrier: capability not supported")
	// ErrNoQuote reports that no quote passed a selection's filters and
	// policy.
	ErrNoQuote = errors.New("carrier: no quote matches")
)

// IneligibleError says why a service cannot carry a shipment: the rule
// that failed, its limit and the measured value. It unwraps to
// [ErrIneligible].
type IneligibleError struct {
	Carrier string // the carrier, such as "ACME"
	Service string // the service code, such as "GROUND"
	Package int    // the package (1-based), or 0 for the whole shipment
	Rule    string // the rule, such as "max_weight" or "zone"
	Limit   string // the limit, formatted, such as "150lb", if the rule has one
	Actual  string // the measured value, formatted, if the rule has one
	Reason  string // the failure as a phrase, such as "weight 160lb over the maximum 150lb"
}

// Error names the service, the package and the reason.
func (e *IneligibleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "carrier: %s %s ineligible", e.Carrier, e.Service)
	if e.Package > 0 {
		fmt.Fprintf(&b, ": package %d", e.Package)
	}
	fmt.Fprintf(&b, ": %s", e.Reason)
	return b.String()
}

// Unwrap returns [ErrIneligible].
func (e *IneligibleError) Unwrap() error { return ErrIneligible }

// NoRateError reports a carrier none of whose services could quote a
// shipment, with the reason for each. It unwraps to [ErrNoRate].
type NoRateError struct {
	Carrier string             // the carrier
	Reasons []*IneligibleError // why each service declined, in card order
}

// Error lists every reason.
func (e *NoRateError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "carrier: no rate from %s", e.Carrier)
	for i, r := range e.Reasons {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(r.Service)
		if r.Package > 0 {
			fmt.Fprintf(&b, " package %d", r.Package)
		}
		fmt.Fprintf(&b, ": %s", r.Reason)
	}
	return b.String()
}

// Unwrap returns [ErrNoRate].
func (e *NoRateError) Unwrap() error { return ErrNoRate }

// CardError reports a malformed or inconsistent rate card, merchant table or
// CSV file: which card, where, and why. It unwraps to [ErrInvalidCard].
type CardError struct {
	Card   string // the carrier and version, or table name, if known
	Field  string // the field or CSV column, such as "services[0].prices"
	Line   int    // the CSV line (1-based), or 0
	Value  string // the offending value
	Reason string // why it was refused
}

// Error names the card, the field, the value and the reason.
func (e *CardError) Error() string {
	var b strings.Builder
	b.WriteString("carrier: invalid rate card")
	if e.Card != "" {
		fmt.Fprintf(&b, " %s", e.Card)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	if e.Value != "" {
		fmt.Fprintf(&b, " %q", e.Value)
	}
	fmt.Fprintf(&b, ": %s", e.Reason)
	return b.String()
}

// Unwrap returns [ErrInvalidCard].
func (e *CardError) Unwrap() error { return ErrInvalidCard }

// CarrierError reports one carrier that failed during rate shopping: its
// position among the shopper's carriers, its name, how long it ran and the
// error. It unwraps to both [ErrCarrierFailed] and the carrier's error, so
// errors.Is(err, ErrTimeout) and errors.Is(err, context.DeadlineExceeded)
// work on a timeout.
type CarrierError struct {
	Index   int           // the carrier's position in NewShopper's arguments
	Carrier string        // the carrier's name (see [Name])
	Elapsed time.Duration // how long the shopper waited for it
	Err     error         // what went wrong
}

// Error names the carrier and its error.
func (e *CarrierError) Error() string {
	return fmt.Sprintf("carrier: %s (#%d) failed after %v: %v", e.Carrier, e.Index, e.Elapsed, e.Err)
}

// Unwrap returns [ErrCarrierFailed] and the carrier's error.
func (e *CarrierError) Unwrap() []error { return []error{ErrCarrierFailed, e.Err} }

// TimeoutError reports a carrier call abandoned at its deadline. It unwraps
// to [ErrTimeout] and to the context's error.
type TimeoutError struct {
	Carrier string        // the carrier
	After   time.Duration // the deadline it missed
	Cause   error         // the context's error, such as context.DeadlineExceeded
}

// Error names the carrier and the deadline.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("carrier: %s did not answer within %v: %v", e.Carrier, e.After, e.Cause)
}

// Unwrap returns [ErrTimeout] and the context's error.
func (e *TimeoutError) Unwrap() []error { return []error{ErrTimeout, e.Cause} }

// OpenError reports a call refused by an open circuit breaker until a
// given time. It unwraps to [ErrCircuitOpen] and to the last failure.
type OpenError struct {
	Carrier string    // the carrier behind the breaker
	Until   time.Time // when the breaker lets a trial call through
	Last    error     // the failure that opened the circuit
}

// Error names the carrier and when the circuit half-opens.
func (e *OpenError) Error() string {
	return fmt.Sprintf("carrier: circuit open for %s until %s (last failure: %v)", e.Carrier, e.Until.Format(time.RFC3339), e.Last)
}

// Unwrap returns [ErrCircuitOpen].
func (e *OpenError) Unwrap() error { return ErrCircuitOpen }

// UnsupportedError reports a capability a carrier does not have. It unwraps
// to [ErrUnsupported].
type UnsupportedError struct {
	Carrier    string // the carrier
	Capability string // "label", "void" or "track"
}

// Error names the carrier and the capability.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("carrier: %s does not support %s", e.Carrier, e.Capability)
}

// Unwrap returns [ErrUnsupported].
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }
