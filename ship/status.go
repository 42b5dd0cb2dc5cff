package ship

import (
	"fmt"
	"iter"
	"slices"
	"strings"
)

// Status is where a package is on its way to the recipient, in a vocabulary
// common to every carrier. It is a string so that it is stable in storage;
// [Status.UnmarshalText] rejects names that are not one of the constants.
//
// The zero Status is not a status; a package with a label and no tracking
// event yet is [StatusPreTransit].
type Status string

// The tracking statuses. Each lists the statuses it may move to; the table
// is [Status.Next] and is drawn by [Mermaid].
const (
	// StatusPreTransit: a label exists and the carrier has not scanned the
	// package yet. The initial status. Exits: every other status.
	StatusPreTransit Status = "pre_transit"
	// StatusInTransit: the carrier has the package. Exits: out for delivery,
	// available for pickup, delivered, delivery exception, returned to sender.
	StatusInTransit Status = "in_transit"
	// StatusOutForDelivery: on the vehicle for delivery today. Exits: in
	// transit (taken back to the depot), available for pickup, delivered,
	// delivery exception, returned to sender.
	StatusOutForDelivery Status = "out_for_delivery"
	// StatusAvailableForPickup: waiting at a pick-up point or locker. Exits:
	// in transit, delivered (collected), delivery exception, returned to
	// sender.
	StatusAvailableForPickup Status = "available_for_pickup"
	// StatusDelivered: delivered or collected. Terminal.
	StatusDelivered Status = "delivered"
	// StatusDeliveryException: a failed attempt, damage, an address problem
	// or a hold; the carrier may still deliver. Exits: in transit, out for
	// delivery, available for pickup, delivered, returned to sender.
	StatusDeliveryException Status = "delivery_exception"
	// StatusReturnedToSender: on its way back, or back, to the shipper; the
	// outbound delivery has ended. Terminal.
	StatusReturnedToSender Status = "returned_to_sender"
	// StatusCancelled: the label was voided before the carrier had the
	// package. Terminal.
	StatusCancelled Status = "cancelled"
	// StatusUnknown: the carrier reports nothing usable. Reachable only from
	// pre-transit (an event saying "unknown" never hides a known status).
	// Exits: every status but pre-transit.
	StatusUnknown Status = "unknown"
)

// Statuses returns every [Status] in the order of a package's progress.
func Statuses() []Status { return slices.Clone(statuses[:]) }

// statuses lists every status in the order of progress.
var statuses = [...]Status{
	StatusPreTransit, StatusUnknown, StatusInTransit, StatusDeliveryException, StatusOutForDelivery,
	StatusAvailableForPickup, StatusDelivered, StatusReturnedToSender, StatusCancelled,
}

// transitions is the tracking state machine: the statuses each status may
// move to. A status reported again (a second in-transit scan) is not a
// transition and is always accepted. A status with no exits is terminal.
var transitions = map[Status][]Status{
	StatusPreTransit: {StatusInTransit, StatusOutForDelivery, StatusAvailableForPickup, StatusDelivered,
		StatusDeliveryException, StatusReturnedToSender, StatusCancelled, StatusUnknown},
	StatusUnknown: {StatusInTransit, StatusOutForDelivery, StatusAvailableForPickup, StatusDelivered,
		StatusDeliveryException, StatusReturnedToSender, StatusCancelled},
	StatusInTransit: {StatusOutForDelivery, StatusAvailableForPickup, StatusDelivered,
		StatusDeliveryException, StatusReturnedToSender},
	StatusOutForDelivery: {StatusInTransit, StatusAvailableForPickup, StatusDelivered,
		StatusDeliveryException, StatusReturnedToSender},
	StatusAvailableForPickup: {StatusInTransit, StatusDelivered, StatusDeliveryException, StatusReturnedToSender},
	StatusDeliveryException: {StatusInTransit, StatusOutForDelivery, StatusAvailableForPickup, StatusDelivered,
		StatusReturnedToSender},
	StatusDelivered:        nil,
	StatusReturnedToSender: nil,
	StatusCancelled:        nil,
}

// rank orders statuses by progress, for ties between events with the same
// timestamp and for a shipment's overall status.
func (s Status) rank() int { return slices.Index(statuses[:], s) }

// Valid reports whether s is one of the declared statuses.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// Terminal reports whether s has no exits: delivered, returned to sender or
// cancelled.
func (s Status) Terminal() bool { return s.Valid() && len(transitions[s]) == 0 }

// Can reports whether a package in status s may move to status to. Reporting
// the same status again is always allowed; an invalid status can do nothing.
func (s Status) Can(to Status) bool {
	if !s.Valid() || !to.Valid() {
		return false
	}
	return s == to || slices.Contains(transitions[s], to)
}

// Next returns the statuses s may move to, in the order of [Statuses].
func (s Status) Next() iter.Seq[Status] {
	return func(yield func(Status) bool) {
		for _, t := range statuses {
			if t != s && slices.Contains(transitions[s], t) && !yield(t) {
				return
			}
		}
	}
}

// Transition returns nil if s may move to to, and otherwise a
// *[TransitionError] (or an error wrapping [ErrInvalidStatus] for a status
// that is not declared).
func (s Status) Transition(to Status) error {
	for _, v := range []Status{s, to} {
		if !v.Valid() {
			return fmt.Errorf("%w: %q", ErrInvalidStatus, string(v))
		}
	}
	if !s.Can(to) {
		return &TransitionError{From: s, To: to}
	}
	return nil
}

// String returns the status name, such as "in_transit".
func (s Status) String() string { return string(s) }

// MarshalText returns the status name; it fails for an undeclared status.
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("%w: %q", ErrInvalidStatus, string(s))
	}
	return []byte(s), nil
}

// UnmarshalText accepts exactly the names of the declared statuses.
func (s *Status) UnmarshalText(b []byte) error {
	v := Status(b)
	if !v.Valid() {
		return fmt.Errorf("%w: %q", ErrInvalidStatus, string(b))
	}
	*s = v
	return nil
}

// ParseStatus returns the status named s, or an error wrapping
// [ErrInvalidStatus].
func ParseStatus(s string) (Status, error) {
	var v Status
	err := v.UnmarshalText([]byte(s))
	return v, err
}

// Mermaid renders the tracking state machine as a Mermaid state diagram,
// generated from the transition table: one line per allowed change, and an
// end marker for each terminal status.
func Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s\n", StatusPreTransit)
	for _, s := range statuses {
		for t := range s.Next() {
			fmt.Fprintf(&b, "    %s --> %s\n", s, t)
		}
	}
	for _, s := range statuses {
		if s.Terminal() {
			fmt.Fprintf(&b, "    %s --> [*]\n", s)
		}
	}
	return b.String()
}
