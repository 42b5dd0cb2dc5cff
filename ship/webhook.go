package ship

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DecodeWebhook reads a tracking update in the native JSON of src and
// returns one [Event] per entry of its tracking history, statuses mapped by
// [MapStatus]. It accepts, for each source, the webhook envelope or the
// bare tracking object:
//
//   - EasyPost: an Event whose result is a Tracker, or a Tracker: its
//     tracking_code, carrier and tracking_details (status, status_detail,
//     datetime, message, tracking_location).
//   - Shippo: a track_updated webhook whose data is a Track, or a Track:
//     its tracking_number, carrier, tracking_history and tracking_status
//     (object_id, status, substatus.code, status_date, status_details,
//     location). The object_id is the event ID.
//   - ShipEngine: an API_TRACK webhook whose data is the tracking
//     information, or that information: tracking_number, carrier_code,
//     status_code and events (occurred_at in UTC, status_code,
//     status_detail_code, description, city_locality, ...). An event with
//     no status code of its own takes the tracker's status if it is the
//     latest, and is left out otherwise.
//
// Other fields are ignored. Free text is cleaned (control characters become
// spaces) and cut to [MaxTextLen] bytes. Errors wrap [ErrInvalidEvent]
// (and [ErrUnmappedStatus] for a code with no mapping); DecodeWebhook never
// panics.
func DecodeWebhook(src Source, data []byte) ([]Event, error) {
	var evs []Event
	var err error
	switch src {
	case SourceEasyPost:
		evs, err = decodeEasyPost(data)
	case SourceShippo:
		evs, err = decodeShippo(data)
	case SourceShipEngine:
		evs, err = decodeShipEngine(data)
	default:
		return nil, fmt.Errorf("%w: %w", ErrInvalidEvent, &UnmappedError{Source: src})
	}
	if err != nil {
		return nil, err
	}
	for i, e := range evs {
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("%s event %d: %w", src, i, err)
		}
	}
	return evs, nil
}

// text is a JSON value read as text: a string, a number (postal codes come
// as both), or null.
type text string

// UnmarshalJSON accepts a string, a number, a boolean or null.
func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
		return nil
	}
	if string(b) == "null" {
		*t = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*t = text(n.String())
		return nil
	}
	var v bool
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("not text: %.40s", b)
	}
	*t = text(fmt.Sprint(v))
	return nil
}

// clean turns control characters into spaces, trims, and cuts s to max
// bytes on a character boundary.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	for len(s) > max {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}

// place joins the non-empty parts of a location.
func place(parts ...text) string {
	var ps []string
	for _, p := range parts {
		if s := strings.TrimSpace(string(p)); s != "" {
			ps = append(ps, s)
		}
	}
	return clean(strings.Join(ps, ", "), MaxTextLen)
}

// parseTime reads an RFC 3339 time from a webhook.
func parseTime(field string, s text) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, string(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s %q is not an RFC 3339 time", ErrInvalidEvent, field, string(s))
	}
	return t, nil
}

func decodeLenient(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidEvent, err)
	}
	return nil
}

type easyPostTracker struct {
	Object       string `json:"object"`
	TrackingCode text   `json:"tracking_code"`
	Carrier      text   `json:"carrier"`
	Details      []struct {
		Status       text `json:"status"`
		StatusDetail text `json:"status_detail"`
		Datetime     text `json:"datetime"`
		Message      text `json:"message"`
		Description  text `json:"description"`
		Location     *struct {
			City, State, Zip, Country text
		} `json:"tracking_location"`
	} `json:"tracking_details"`
}

func decodeEasyPost(data []byte) ([]Event, error) {
	var env struct {
		Object string          `json:"object"`
		Result json.RawMessage `json:"result"`
	}
	if err := decodeLenient(data, &env); err != nil {
		return nil, err
	}
	body := data
	if env.Object == "Event" {
		body = env.Result
	}
	var tr easyPostTracker
	if err := decodeLenient(body, &tr); err != nil {
		return nil, err
	}
	var out []Event
	for _, d := range tr.Details {
		s, err := MapStatus(SourceEasyPost, string(d.Status), string(d.StatusDetail))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidEvent, err)
		}
		at, err := parseTime("datetime", d.Datetime)
		if err != nil {
			return nil, err
		}
		msg := d.Message
		if msg == "" {
			msg = d.Description
		}
		e := Event{TrackingNumber: string(tr.TrackingCode), Carrier: clean(string(tr.Carrier), MaxCodeLen), Status: s,
			Detail: clean(string(d.StatusDetail), MaxCodeLen), At: at, Message: clean(string(msg), MaxTextLen)}
		if l := d.Location; l != nil {
			e.Location = place(l.City, l.State, l.Zip, l.Country)
		}
		out = append(out, e)
	}
	return out, nil
}

type shippoStatus struct {
	ObjectID   text `json:"object_id"`
	Status     text `json:"status"`
	StatusDate text `json:"status_date"`
	Details    text `json:"status_details"`
	Substatus  *struct {
		Code text `json:"code"`
	} `json:"substatus"`
	Location *struct {
		City, State, Zip, Country text
	} `json:"location"`
}

func decodeShippo(data []byte) ([]Event, error) {
	var env struct {
		Event string          `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if err := decodeLenient(data, &env); err != nil {
		return nil, err
	}
	body := data
	if env.Event != "" {
		body = env.Data
	}
	var tr struct {
		TrackingNumber text           `json:"tracking_number"`
		Carrier        text           `json:"carrier"`
		Status         *shippoStatus  `json:"tracking_status"`
		History        []shippoStatus `json:"tracking_history"`
	}
	if err := decodeLenient(body, &tr); err != nil {
		return nil, err
	}
	entries := tr.History
	if tr.Status != nil {
		entries = append(entries, *tr.Status)
	}
	var out []Event
	seen := map[text]bool{}
	for _, h := range entries {
		if h.ObjectID != "" && seen[h.ObjectID] {
			continue // the current status is usually the last history entry too
		}
		seen[h.ObjectID] = true
		detail := text("")
		if h.Substatus != nil {
			detail = h.Substatus.Code
		}
		s, err := MapStatus(SourceShippo, string(h.Status), string(detail))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidEvent, err)
		}
		at, err := parseTime("status_date", h.StatusDate)
		if err != nil {
			return nil, err
		}
		e := Event{ID: clean(string(h.ObjectID), MaxCodeLen), TrackingNumber: string(tr.TrackingNumber),
			Carrier: clean(string(tr.Carrier), MaxCodeLen), Status: s, Detail: clean(string(detail), MaxCodeLen), At: at,
			Message: clean(string(h.Details), MaxTextLen)}
		if l := h.Location; l != nil {
			e.Location = place(l.City, l.State, l.Zip, l.Country)
		}
		out = append(out, e)
	}
	return out, nil
}

func decodeShipEngine(data []byte) ([]Event, error) {
	var env struct {
		ResourceType string          `json:"resource_type"`
		Data         json.RawMessage `json:"data"`
	}
	if err := decodeLenient(data, &env); err != nil {
		return nil, err
	}
	body := data
	if env.ResourceType != "" {
		body = env.Data
	}
	var tr struct {
		TrackingNumber text `json:"tracking_number"`
		CarrierCode    text `json:"carrier_code"`
		StatusCode     text `json:"status_code"`
		Events         []struct {
			OccurredAt       text `json:"occurred_at"`
			Description      text `json:"description"`
			City             text `json:"city_locality"`
			State            text `json:"state_province"`
			Postal           text `json:"postal_code"`
			Country          text `json:"country_code"`
			StatusCode       text `json:"status_code"`
			StatusDetailCode text `json:"status_detail_code"`
			EventCode        text `json:"event_code"`
		} `json:"events"`
	}
	if err := decodeLenient(body, &tr); err != nil {
		return nil, err
	}
	var out []Event
	latest := -1
	var latestAt time.Time
	times := make([]time.Time, len(tr.Events))
	for i, ev := range tr.Events {
		at, err := parseTime("occurred_at", ev.OccurredAt)
		if err != nil {
			return nil, err
		}
		times[i] = at
		if latest < 0 || at.After(latestAt) {
			latest, latestAt = i, at
		}
	}
	for i, ev := range tr.Events {
		code := ev.StatusCode
		if code == "" {
			if i != latest || tr.StatusCode == "" {
				continue
			}
			code = tr.StatusCode
		}
		s, err := MapStatus(SourceShipEngine, string(code), string(ev.StatusDetailCode))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidEvent, err)
		}
		detail := ev.StatusDetailCode
		if detail == "" {
			detail = ev.EventCode
		}
		out = append(out, Event{TrackingNumber: string(tr.TrackingNumber), Carrier: clean(string(tr.CarrierCode), MaxCodeLen),
			Status: s, Detail: clean(string(detail), MaxCodeLen), At: times[i], Message: clean(string(ev.Description), MaxTextLen),
			Location: place(ev.City, ev.State, ev.Postal, ev.Country)})
	}
	return out, nil
}
