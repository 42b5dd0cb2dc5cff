package ship

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kinds of error returned by this package. Match them with [errors.Is]; the
// typed errors below carry the details and unwrap to one of these.
var (
	// ErrInvalidShipment reports a shipment, package, label or line that
	// fails validation.
	ErrInvalidShipment = errors.New("ship: invalid shipment")
	// ErrInvalidStatus reports a tracking status name that is not a [Status].
	ErrInvalidStatus = errors.New("ship: invalid status")
	// ErrInvalidTransition reports a status change the state machine forbids.
	ErrInvalidTransition = errors.New("ship: invalid status transition")
	// ErrInvalidEvent reports a tracking event that cannot be used: a missing
	// field, an unknown status code, a malformed document.
	ErrInvalidEvent = errors.New("ship: invalid tracking event")
	// ErrUnknownTrackingNumber reports an event for a tracking number that
	// no package of the shipment has.
	ErrUnknownTrackingNumber = errors.New("ship: unknown tracking number")
	// ErrEventConflict reports an event whose key was seen before with
	// different content.
	ErrEventConflict = errors.New("ship: conflicting tracking event")
	// ErrUnmappedStatus reports a carrier or aggregator status code that has
	// no mapping to a [Status].
	ErrUnmappedStatus = errors.New("ship: unmapped status code")
	// ErrInvalidCalendar reports a calendar, cut-off or lane that cannot be
	// used, such as a week with no business day.
	ErrInvalidCalendar = errors.New("ship: invalid calendar")
	// ErrNoBusinessDay reports a search for a business day that found none
	// within [MaxSearchDays].
	ErrNoBusinessDay = errors.New("ship: no business day in range")
	// ErrUnknownZone reports a zone that a service has no transit time for.
	ErrUnknownZone = errors.New("ship: no transit time for zone")
	// ErrInvalidManifest reports a label set or manifest that breaks the
	// manifest rules.
	ErrInvalidManifest = errors.New("ship: invalid manifest")
	// ErrNotFound reports a shipment or tracking number a [Store] does not
	// have.
	ErrNotFound = errors.New("ship: not found")
	// ErrConflict reports a write a [Store] refuses: a shipment ID or
	// tracking number already taken, or a stale version.
	ErrConflict = errors.New("ship: conflict")
)

// TransitionError reports a status change the tracking state machine
// forbids. It unwraps to [ErrInvalidTransition].
type TransitionError struct {
	From, To Status // the current status and the one the event reports
	Event    string // the key of the event, empty if none
	At       time.Time
}

// Error names both statuses and the event.
func (e *TransitionError) Error() string {
	if e.Event == "" {
		return fmt.Sprintf("ship: cannot go from %s to %s", e.From, e.To)
	}
	return fmt.Sprintf("ship: event %q at %s: cannot go from %s to %s", e.Event, e.At.UTC().Format(time.RFC3339), e.From, e.To)
}

// Unwrap returns [ErrInvalidTransition].
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// EventConflictError reports two events with the same key and different
// content. It unwraps to [ErrEventConflict].
type EventConflictError struct {
	Key           string
	Stored, Given Event
}

// Error names the key and what differs.
func (e *EventConflictError) Error() string {
	return fmt.Sprintf("ship: event %q was seen before with different content (stored %s at %s, given %s at %s)",
		e.Key, e.Stored.Status, e.Stored.At.UTC().Format(time.RFC3339), e.Given.Status, e.Given.At.UTC().Format(time.RFC3339))
}

// Unwrap returns [ErrEventConflict].
func (e *EventConflictError) Unwrap() error { return ErrEventConflict }

// UnmappedError reports a status code of a source vocabulary that
// [MapStatus] cannot translate. It unwraps to [ErrUnmappedStatus].
type UnmappedError struct {
	Source Source
	Status string
	Detail string
}

// Error names the source and the codes.
func (e *UnmappedError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("ship: %s status %q has no mapping", e.Source, e.Status)
	}
	return fmt.Sprintf("ship: %s status %q (detail %q) has no mapping", e.Source, e.Status, e.Detail)
}

// Unwrap returns [ErrUnmappedStatus].
func (e *UnmappedError) Unwrap() error { return ErrUnmappedStatus }

// ZoneError reports a zone a service has no transit time for. It unwraps to
// [ErrUnknownZone].
type ZoneError struct {
	Carrier, Service, Zone string
}

// Error names the service and the zone.
func (e *ZoneError) Error() string {
	return fmt.Sprintf("ship: %s %s has no transit time for zone %q", e.Carrier, e.Service, e.Zone)
}

// Unwrap returns [ErrUnknownZone].
func (e *ZoneError) Unwrap() error { return ErrUnknownZone }

// ManifestError reports a label that breaks a manifest rule. It unwraps to
// [ErrInvalidManifest].
type ManifestError struct {
	Manifest       string // the manifest ID, empty for input errors
	Label          string // the label reference
	TrackingNumber string // the package's tracking number, if known
	Reason         string
}

// Error names the manifest, the label, the package and the rule.
func (e *ManifestError) Error() string {
	var b strings.Builder
	b.WriteString("ship: ")
	if e.Manifest != "" {
		fmt.Fprintf(&b, "manifest %q: ", e.Manifest)
	}
	fmt.Fprintf(&b, "label %q", e.Label)
	if e.TrackingNumber != "" {
		fmt.Fprintf(&b, " (%s)", e.TrackingNumber)
	}
	b.WriteString(": " + e.Reason)
	return b.String()
}

// Unwrap returns [ErrInvalidManifest].
func (e *ManifestError) Unwrap() error { return ErrInvalidManifest }
