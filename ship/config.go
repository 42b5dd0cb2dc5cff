package ship

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/fulfillkit/fulfill"
)

// weekdayNames are the weekday spellings calendars read and write.
var weekdayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// calendarJSON is the wire form of a Calendar.
type calendarJSON struct {
	Name     string   `json:"name,omitempty"`
	Workdays []string `json:"workdays,omitempty"`
	Holidays []Date   `json:"holidays,omitempty"`
}

// MarshalJSON writes c as
//
//	{"name":"ups","workdays":["mon","tue","wed","thu","fri"],"holidays":["2026-11-26"]}
func (c Calendar) MarshalJSON() ([]byte, error) {
	w := calendarJSON{Name: c.name, Holidays: c.Holidays()}
	for _, d := range c.Workdays() {
		w.Workdays = append(w.Workdays, weekdayNames[d])
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the form [Calendar.MarshalJSON] writes. Weekdays are
// three-letter English names in any case; a missing workdays list means
// Monday to Friday. Errors wrap [ErrInvalidCalendar].
func (c *Calendar) UnmarshalJSON(b []byte) error {
	var w calendarJSON
	if err := strictJSON(b, &w); err != nil {
		return fmt.Errorf("%w: calendar: %v", ErrInvalidCalendar, err)
	}
	var days []time.Weekday
	if w.Workdays != nil {
		days = []time.Weekday{}
		for _, n := range w.Workdays {
			i := slices.Index(weekdayNames[:], strings.ToLower(n))
			if i < 0 {
				return fmt.Errorf("%w: calendar %q: weekday %q", ErrInvalidCalendar, w.Name, n)
			}
			days = append(days, time.Weekday(i))
		}
	}
	v, err := NewCalendar(w.Name, days, w.Holidays...)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// laneJSON is the wire form of a Lane.
type laneJSON struct {
	Origin struct {
		Location     fulfill.LocationID `json:"location"`
		TimeZone     string             `json:"time_zone,omitempty"`
		Calendar     *Calendar          `json:"calendar,omitempty"`
		HandlingDays int                `json:"handling_days,omitempty"`
	} `json:"origin"`
	Service struct {
		Carrier          string         `json:"carrier"`
		Service          string         `json:"service,omitempty"`
		Cutoff           string         `json:"cutoff,omitempty"`
		Calendar         *Calendar      `json:"calendar,omitempty"`
		DeliveryCalendar *Calendar      `json:"delivery_calendar,omitempty"`
		TransitDays      map[string]int `json:"transit_days"`
	} `json:"service"`
}

// MarshalJSON writes l in the form [DecodeLane] reads. The time zone is
// written by name; the cut-off as "15:04" (or "15:04:05" with seconds).
func (l Lane) MarshalJSON() ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	var w laneJSON
	w.Origin.Location = l.Origin.Location
	if l.Origin.TimeZone != nil {
		w.Origin.TimeZone = l.Origin.TimeZone.String()
	}
	w.Origin.Calendar = &l.Origin.Calendar
	w.Origin.HandlingDays = l.Origin.HandlingDays
	w.Service.Carrier, w.Service.Service = l.Service.Carrier, l.Service.Service
	if c := l.Service.Cutoff; c != 0 {
		w.Service.Cutoff = fmt.Sprintf("%02d:%02d", int(c/time.Hour), int(c%time.Hour/time.Minute))
		if s := c % time.Minute; s != 0 {
			w.Service.Cutoff += fmt.Sprintf(":%02d", int(s/time.Second))
		}
	}
	w.Service.Calendar = &l.Service.Calendar
	w.Service.DeliveryCalendar = l.Service.DeliveryCalendar
	w.Service.TransitDays = l.Service.TransitDays
	return json.Marshal(w)
}

// DecodeLane reads a lane from JSON, such as a host's shipping
// configuration:
//
//	{
//	  "origin": {"location": "WH-EAST", "time_zone": "America/New_York",
//	             "calendar": {"holidays": ["2026-11-26"]}, "handling_days": 1},
//	  "service": {"carrier": "ups", "service": "ground", "cutoff": "15:00",
//	              "calendar": {"name": "ups", "holidays": ["2026-11-26"]},
//	              "delivery_calendar": {"workdays": ["mon","tue","wed","thu","fri","sat"]},
//	              "transit_days": {"2": 1, "5": 3, "8": 5}}
//	}
//
// The time zone is an IANA name (empty means UTC; "Local" is refused); the cut-off is "HH:MM"
// or "HH:MM:SS" in it (empty means none); a missing calendar is Monday to
// Friday. Unknown fields and trailing data are refused. Errors wrap
// [ErrInvalidCalendar]; DecodeLane never panics.
func DecodeLane(data []byte) (Lane, error) {
	var w laneJSON
	if err := strictJSON(data, &w); err != nil {
		if errors.Is(err, ErrInvalidCalendar) {
			return Lane{}, err
		}
		return Lane{}, fmt.Errorf("%w: lane: %v", ErrInvalidCalendar, err)
	}
	var l Lane
	l.Origin.Location = w.Origin.Location
	if w.Origin.TimeZone != "" {
		// LoadLocation also reads files by relative path; accept only zone names.
		// "Local" would depend on the machine.
		if strings.Contains(w.Origin.TimeZone, "..") || strings.HasPrefix(w.Origin.TimeZone, "/") || w.Origin.TimeZone == "Local" {
			return Lane{}, fmt.Errorf("%w: time zone %q", ErrInvalidCalendar, w.Origin.TimeZone)
		}
		loc, err := time.LoadLocation(w.Origin.TimeZone)
		if err != nil {
			return Lane{}, fmt.Errorf("%w: time zone %q: %v", ErrInvalidCalendar, w.Origin.TimeZone, err)
		}
		l.Origin.TimeZone = loc
	}
	if w.Origin.Calendar != nil {
		l.Origin.Calendar = *w.Origin.Calendar
	}
	l.Origin.HandlingDays = w.Origin.HandlingDays
	l.Service.Carrier, l.Service.Service = w.Service.Carrier, w.Service.Service
	if w.Service.Cutoff != "" {
		c, err := parseClock(w.Service.Cutoff)
		if err != nil {
			return Lane{}, err
		}
		l.Service.Cutoff = c
	}
	if w.Service.Calendar != nil {
		l.Service.Calendar = *w.Service.Calendar
	}
	l.Service.DeliveryCalendar = w.Service.DeliveryCalendar
	l.Service.TransitDays = w.Service.TransitDays
	if l.Service.Carrier == "" {
		return Lane{}, fmt.Errorf("%w: lane: service.carrier is required", ErrInvalidCalendar)
	}
	if len(l.Service.TransitDays) == 0 {
		return Lane{}, fmt.Errorf("%w: lane: service.transit_days is required", ErrInvalidCalendar)
	}
	if err := l.Validate(); err != nil {
		return Lane{}, err
	}
	return l, nil
}

// UnmarshalJSON decodes a lane as [DecodeLane] does.
func (l *Lane) UnmarshalJSON(b []byte) error {
	v, err := DecodeLane(b)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// parseClock reads "HH:MM" or "HH:MM:SS" as a wall-clock offset after
// midnight, below 24:00.
func parseClock(s string) (time.Duration, error) {
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second, nil
		}
	}
	return 0, fmt.Errorf("%w: cut-off %q is not HH:MM", ErrInvalidCalendar, s)
}

// strictJSON decodes one JSON value into v, refusing unknown fields and
// trailing data.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the value")
	}
	return nil
}
