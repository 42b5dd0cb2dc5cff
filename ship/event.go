package ship

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fulfillkit/fulfill"
)

// Limits on the text fields of an [Event] and a [Label], in bytes.
const (
	MaxCodeLen = 128  // identifiers: tracking numbers, event IDs, carrier codes
	MaxTextLen = 1024 // free text: messages, locations
)

// Event is one tracking update for one package, as a carrier or an
// aggregator reports it, in the common vocabulary. Events are values.
type Event struct {
	// ID is the source's identifier for this update. When present it is the
	// idempotency key; otherwise the key is a fingerprint of the content
	// (see [Event.Key]).
	ID string
	// TrackingNumber names the package.
	TrackingNumber string
	// Carrier is the carrier's code, such as "ups"; informational.
	Carrier string
	// Status is the status the update reports.
	Status Status
	// Detail is the source's own status or detail code, kept for display
	// and audit.
	Detail string
	// At is when the carrier says it happened. Events are ordered by At,
	// not by when they arrive.
	At time.Time
	// Location and Message are free text from the carrier.
	Location, Message string
}

// Key returns the idempotency key of e: "id:" and the ID if e has one,
// otherwise "fp:" and a hash of every field, so that the same update
// delivered twice has the same key.
func (e Event) Key() string {
	if e.ID != "" {
		return "id:" + e.ID
	}
	h := sha256.New()
	for _, f := range []string{e.TrackingNumber, e.Carrier, string(e.Status), e.Detail,
		strconv.FormatInt(e.At.Unix(), 10) + "." + strconv.Itoa(e.At.Nanosecond()), e.Location, e.Message} {
		// Length-prefix every field so that no two field lists collide.
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return "fp:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Same reports whether e and o carry the same update: equal fields, with
// times compared by [time.Time.Equal].
func (e Event) Same(o Event) bool {
	return e.ID == o.ID && e.TrackingNumber == o.TrackingNumber && e.Carrier == o.Carrier &&
		e.Status == o.Status && e.Detail == o.Detail && e.At.Equal(o.At) &&
		e.Location == o.Location && e.Message == o.Message
}

// Validate reports every field of e that cannot be used: the tracking number
// is required, the status must be declared, the time must be set (in years
// 1 to 9999, so that it has an RFC 3339 form), and text
// fields must be valid UTF-8 within [MaxCodeLen] or [MaxTextLen] bytes with
// no control characters. The result joins *[fulfill.FieldError] values
// wrapping [ErrInvalidEvent].
func (e Event) Validate() error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &fulfill.FieldError{Field: field, Value: value, Reason: reason, Kind: ErrInvalidEvent})
	}
	if e.TrackingNumber == "" {
		bad("tracking_number", "", "required")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"id", e.ID, MaxCodeLen}, {"tracking_number", e.TrackingNumber, MaxCodeLen}, {"carrier", e.Carrier, MaxCodeLen},
		{"detail", e.Detail, MaxCodeLen}, {"location", e.Location, MaxTextLen}, {"message", e.Message, MaxTextLen},
	} {
		if r := textProblem(f.v, f.max); r != "" {
			bad(f.name, f.v, r)
		}
	}
	if !e.Status.Valid() {
		bad("status", string(e.Status), "not a tracking status")
	}
	if e.At.IsZero() {
		bad("occurred_at", "", "required")
	} else if y := e.At.Year(); y < 1 || y > 9999 {
		bad("occurred_at", e.At.String(), "year outside 1 to 9999")
	}
	return errors.Join(errs...)
}

// textProblem returns why s is not acceptable text of at most max bytes, or "".
func textProblem(s string, max int) string {
	if len(s) > max {
		return fmt.Sprintf("longer than %d bytes", max)
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return "contains a control character"
		case c >= 0x80:
			ascii = false
		}
	}
	if ascii {
		return ""
	}
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "contains a control character"
		}
	}
	return ""
}

// freeTextProblem returns why s cannot be kept as free text that a person
// typed, such as an address line, or "": it must be valid UTF-8 and hold no
// NUL character, which no store can keep as given. Other control
// characters, such as a line break, are kept.
func freeTextProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL character"
	}
	return ""
}

// eventJSON is the wire form of a tracking event.
type eventJSON struct {
	ID             string  `json:"id,omitempty"`
	TrackingNumber string  `json:"tracking_number"`
	Carrier        string  `json:"carrier,omitempty"`
	Source         Source  `json:"source,omitempty"`
	Status         string  `json:"status"`
	Detail         string  `json:"detail,omitempty"`
	OccurredAt     *string `json:"occurred_at"`
	Location       string  `json:"location,omitempty"`
	Message        string  `json:"message,omitempty"`
}

// MarshalJSON writes e in the generic form [DecodeEvent] reads, with the
// status in the common vocabulary and the time in RFC 3339 with its offset:
//
//	{"id":"evt_1","tracking_number":"1Z999","status":"in_transit","occurred_at":"2026-11-20T09:30:00-05:00"}
func (e Event) MarshalJSON() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	at := e.At.Format(time.RFC3339Nano)
	return json.Marshal(eventJSON{ID: e.ID, TrackingNumber: e.TrackingNumber, Carrier: e.Carrier,
		Status: string(e.Status), Detail: e.Detail, OccurredAt: &at, Location: e.Location, Message: e.Message})
}

// UnmarshalJSON decodes one event as [DecodeEvent] does.
func (e *Event) UnmarshalJSON(b []byte) error {
	v, err := DecodeEvent(b)
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// DecodeEvent reads one tracking event in the generic JSON form:
//
//	{
//	  "id": "evt_123",               // optional; the idempotency key
//	  "tracking_number": "1Z999AA10123456784",
//	  "carrier": "ups",              // optional
//	  "source": "shippo",            // optional: easypost, shippo or shipengine
//	  "status": "TRANSIT",           // a Status, or the source's code
//	  "detail": "out_for_delivery",  // optional: the source's detail code
//	  "occurred_at": "2026-11-20T09:30:00-05:00",
//	  "location": "Memphis, TN US",  // optional
//	  "message": "Out for delivery"  // optional
//	}
//
// Without a source, status must be a [Status] name; with one, status and
// detail are translated by [MapStatus]. Unknown fields, trailing data, a
// time that is not RFC 3339 and every failure of [Event.Validate] are errors
// wrapping [ErrInvalidEvent] (an unmapped code wraps [ErrUnmappedStatus]
// too). DecodeEvent never panics.
func DecodeEvent(data []byte) (Event, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w eventJSON
	if err := dec.Decode(&w); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrInvalidEvent, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Event{}, fmt.Errorf("%w: data after the event", ErrInvalidEvent)
	}
	return w.event()
}

// DecodeEvents reads a JSON array of events in the form of [DecodeEvent]
// and returns them in order, or the first error, naming the index.
func DecodeEvents(data []byte) ([]Event, error) {
	var raws []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raws); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidEvent, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the events", ErrInvalidEvent)
	}
	out := make([]Event, 0, len(raws))
	for i, r := range raws {
		e, err := DecodeEvent(r)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// event converts the wire form to an Event and validates it.
func (w eventJSON) event() (Event, error) {
	e := Event{ID: w.ID, TrackingNumber: w.TrackingNumber, Carrier: w.Carrier, Detail: w.Detail,
		Location: w.Location, Message: w.Message}
	if w.Source == "" {
		s, err := ParseStatus(w.Status)
		if err != nil {
			return Event{}, &fulfill.FieldError{Field: "status", Value: w.Status, Reason: "not a tracking status (give a source to map carrier codes)", Kind: ErrInvalidEvent}
		}
		e.Status = s
	} else {
		s, err := MapStatus(w.Source, w.Status, w.Detail)
		if err != nil {
			return Event{}, fmt.Errorf("%w: %w", ErrInvalidEvent, err)
		}
		e.Status = s
	}
	if w.OccurredAt == nil {
		return Event{}, &fulfill.FieldError{Field: "occurred_at", Reason: "required", Kind: ErrInvalidEvent}
	}
	at, err := time.Parse(time.RFC3339Nano, *w.OccurredAt)
	if err != nil {
		return Event{}, &fulfill.FieldError{Field: "occurred_at", Value: *w.OccurredAt, Reason: "not an RFC 3339 time", Kind: ErrInvalidEvent}
	}
	e.At = at
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}
