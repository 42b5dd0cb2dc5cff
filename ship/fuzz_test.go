package ship

import (
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// FuzzTrackingIngest decodes a list of events and ingests it forwards and
// backwards: errors are fine, panics are not, and both orders must end in
// the same history and status.
func FuzzTrackingIngest(f *testing.F) {
	f.Add([]byte(`[
		{"id":"a","tracking_number":"1","status":"in_transit","occurred_at":"2026-11-20T09:30:00Z"},
		{"id":"b","tracking_number":"1","status":"delivered","occurred_at":"2026-11-21T09:30:00Z"},
		{"id":"c","tracking_number":"1","status":"in_transit","occurred_at":"2026-11-22T09:30:00Z"},
		{"id":"a","tracking_number":"1","status":"in_transit","occurred_at":"2026-11-20T09:30:00Z"}]`))
	f.Add([]byte(`[{"tracking_number":"1","status":"cancelled","occurred_at":"2026-11-20T09:30:00Z"},
		{"tracking_number":"1","source":"shipengine","status":"IT","occurred_at":"2026-11-20T09:30:00Z"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := DecodeEvents(data)
		if err != nil {
			return
		}
		ingest := func(evs []Event) (*Tracking, bool) {
			var tr Tracking
			for _, e := range evs {
				if _, err := tr.Ingest(e); err != nil {
					if !errors.Is(err, ErrEventConflict) {
						t.Fatalf("unexpected error %v", err)
					}
					return nil, false
				}
			}
			return &tr, true
		}
		fwd, ok1 := ingest(evs)
		rev := slices.Clone(evs)
		slices.Reverse(rev)
		back, ok2 := ingest(rev)
		if !ok1 || !ok2 {
			return // conflicting events: which one wins depends on order, by design
		}
		if fwd.Status() != back.Status() || fwd.Len() != back.Len() || len(fwd.Anomalies()) != len(back.Anomalies()) {
			t.Fatalf("order matters: %s/%d vs %s/%d", fwd.Status(), fwd.Len(), back.Status(), back.Len())
		}
	})
}

// zoneLocations loads the test time zones once.
var zoneLocations = sync.OnceValue(func() []*time.Location {
	out := make([]*time.Location, len(zones))
	for i, z := range zones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			panic(err)
		}
		out[i] = loc
	}
	return out
})

// FuzzPromise builds a lane from fuzzed parameters and checks that
// Promise and ShipBy never panic and agree on the boundary.
func FuzzPromise(f *testing.F) {
	f.Add(uint8(0b0111110), uint8(0b0111110), []byte{3, 40, 41}, uint16(900), uint8(1), uint8(3), int64(1795460400), uint8(1))
	f.Add(uint8(0b0000010), uint8(0b0000100), []byte{}, uint16(0), uint8(0), uint8(0), int64(0), uint8(0))
	f.Add(uint8(0b1111111), uint8(0b1000001), []byte{0, 1, 2, 3, 4, 5, 6, 7}, uint16(1439), uint8(9), uint8(200), int64(-62135596800), uint8(3))
	f.Fuzz(func(t *testing.T, whDays, carrierDays uint8, holidays []byte, cutoffMin uint16, handling, transit uint8, release int64, tz uint8) {
		weekdays := func(mask uint8) []time.Weekday {
			out := []time.Weekday{}
			for w := range 7 {
				if mask&(1<<w) != 0 {
					out = append(out, time.Weekday(w))
				}
			}
			return out
		}
		var hs []Date
		for _, b := range holidays {
			hs = append(hs, MustDate("2026-11-01").AddDays(int(b)))
		}
		wh, err := NewCalendar("wh", weekdays(whDays), hs...)
		if err != nil {
			return
		}
		cc, err := NewCalendar("c", weekdays(carrierDays), hs...)
		if err != nil {
			return
		}
		loc := zoneLocations()[int(tz)%len(zones)]
		lane := Lane{
			Origin:  Origin{Location: "WH", TimeZone: loc, Calendar: wh, HandlingDays: int(handling)},
			Service: Service{Carrier: "c", Calendar: cc, Cutoff: time.Duration(cutoffMin) * time.Minute, TransitDays: map[string]int{"z": int(transit)}},
		}
		at := time.Unix(release%(400*365*86400), 0) // within a few centuries of 1970
		p, err := lane.Promise(at, "z")
		if err != nil {
			if !errors.Is(err, ErrInvalidCalendar) && !errors.Is(err, ErrNoBusinessDay) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		last, err := lane.ShipBy(p.Delivery, "z")
		if err != nil {
			if !errors.Is(err, ErrNoBusinessDay) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !at.Before(last) {
			t.Fatalf("released %v delivers %s but ship-by is %v", at, p.Delivery, last)
		}
		if q, err := lane.Promise(last, "z"); err == nil && !q.Delivery.After(p.Delivery) {
			t.Fatalf("released at ship-by %v still delivers %s", last, q.Delivery)
		}
	})
}

// FuzzBuildManifests decodes labels and builds manifests: errors are fine;
// whatever is built validates and conserves the labels.
func FuzzBuildManifests(f *testing.F) {
	f.Add([]byte(`[{"ref":"a","tracking_number":"1","carrier":"ups","origin":"WH","created_at":"2026-11-23T15:00:00Z","cost":{"amount":"1.00","currency":"USD"}},
		{"ref":"b","tracking_number":"2","carrier":"ups","origin":"WH","created_at":"2026-11-23T15:00:00Z","cost":{"amount":"1.00","currency":"USD"},"voided":true}]`), uint8(0))
	f.Add([]byte(`[{"ref":"a","tracking_number":"1","carrier":"ups","origin":"WH","created_at":"2026-11-23T15:00:00Z","cost":{"amount":"0","currency":""}},{"ref":"a"}]`), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, max uint8) {
		var labels []Label
		if json.Unmarshal(data, &labels) != nil {
			return
		}
		opts := ManifestOptions{MaxLabels: int(max % 5)}
		b, err := BuildManifests(labels, opts)
		if err != nil {
			if !errors.Is(err, ErrInvalidManifest) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		n := len(b.Skipped)
		for _, m := range b.Manifests {
			n += len(m.Labels)
		}
		if n != len(labels) {
			t.Fatalf("%d labels in, %d out", len(labels), n)
		}
		if err := ValidateManifests(b.Manifests, opts); err != nil {
			t.Fatalf("built manifests do not validate: %v", err)
		}
	})
}
