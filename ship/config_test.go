package ship

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const laneDoc = `{
  "origin": {"location": "WH-EAST", "time_zone": "America/New_York",
             "calendar": {"name": "wh-east", "holidays": ["2026-11-26", "2026-12-25"]}},
  "service": {"carrier": "ups", "service": "ground", "cutoff": "15:00",
              "calendar": {"name": "ups", "workdays": ["Mon","Tue","Wed","Thu","Fri"], "holidays": ["2026-11-26", "2026-12-25"]},
              "transit_days": {"2": 1, "5": 3, "8": 5, "local": 0}}
}`

func TestDecodeLane(t *testing.T) {
	l, err := DecodeLane([]byte(laneDoc))
	require.NoError(t, err)
	want := groundLane(t)
	assert.Equal(t, "America/New_York", l.Origin.TimeZone.String())
	assert.Equal(t, 15*time.Hour, l.Service.Cutoff)
	assert.Equal(t, want.Service.TransitDays, l.Service.TransitDays)
	assert.Equal(t, want.Origin.Calendar.Holidays(), l.Origin.Calendar.Holidays())
	// The decoded lane promises what the lane built in Go does.
	r := rand.New(rand.NewPCG(9, 9))
	for range 200 {
		at := ts("2026-11-01T00:00:00Z").Add(time.Duration(r.Int64N(int64(60 * 24 * time.Hour))))
		a, err := l.Promise(at, "5")
		require.NoError(t, err)
		b, err := want.Promise(at, "5")
		require.NoError(t, err)
		require.Equal(t, b.Delivery, a.Delivery)
		require.True(t, b.ShipBy.Equal(a.ShipBy))
	}
	// Round trip.
	out, err := json.Marshal(l)
	require.NoError(t, err)
	var back Lane
	require.NoError(t, json.Unmarshal(out, &back))
	out2, err := json.Marshal(back)
	require.NoError(t, err)
	assert.JSONEq(t, string(out), string(out2))

	sat := MustCalendar("sat", []time.Weekday{time.Saturday, time.Monday})
	l.Service.DeliveryCalendar = &sat
	l.Service.Cutoff = 13*time.Hour + 30*time.Minute + 15*time.Second
	out, err = json.Marshal(l)
	require.NoError(t, err)
	back, err = DecodeLane(out)
	require.NoError(t, err)
	assert.Equal(t, l.Service.Cutoff, back.Service.Cutoff)
	assert.Equal(t, []time.Weekday{time.Monday, time.Saturday}, back.Service.DeliveryCalendar.Workdays())
}

var badLanes = []struct{ name, in string }{
	{"unknown field", `{"origin":{"location":"W"},"service":{"carrier":"c","transit_days":{"1":1}},"extra":1}`},
	{"bad zone", `{"origin":{"location":"W","time_zone":"Mars/Olympus"},"service":{"carrier":"c","transit_days":{"1":1}}}`},
	{"local zone", `{"origin":{"location":"W","time_zone":"Local"},"service":{"carrier":"c","transit_days":{"1":1}}}`},
	{"path zone", `{"origin":{"location":"W","time_zone":"../../etc/passwd"},"service":{"carrier":"c","transit_days":{"1":1}}}`},
	{"bad cutoff", `{"origin":{"location":"W"},"service":{"carrier":"c","cutoff":"3pm","transit_days":{"1":1}}}`},
	{"bad weekday", `{"origin":{"location":"W","calendar":{"workdays":["Funday"]}},"service":{"carrier":"c","transit_days":{"1":1}}}`},
	{"no workday", `{"origin":{"location":"W","calendar":{"workdays":[]}},"service":{"carrier":"c","transit_days":{"1":1}}}`},
	{"bad holiday", `{"origin":{"location":"W","calendar":{"holidays":["2026-02-30"]}},"service":{"carrier":"c","transit_days":{"1":1}}}`},
	{"no carrier", `{"origin":{"location":"W"},"service":{"transit_days":{"1":1}}}`},
	{"no transit", `{"origin":{"location":"W"},"service":{"carrier":"c"}}`},
	{"negative transit", `{"origin":{"location":"W"},"service":{"carrier":"c","transit_days":{"1":-1}}}`},
	{"negative handling", `{"origin":{"location":"W","handling_days":-2},"service":{"carrier":"c","transit_days":{"1":1}}}`},
	{"trailing", `{"origin":{"location":"W"},"service":{"carrier":"c","transit_days":{"1":1}}} x`},
	{"not json", `lane`},
}

func TestDecodeLaneErrors(t *testing.T) {
	for _, tt := range badLanes {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeLane([]byte(tt.in))
			assert.ErrorIs(t, err, ErrInvalidCalendar)
		})
	}
}

func TestCalendarJSON(t *testing.T) {
	c := MustCalendar("ups", []time.Weekday{time.Monday, time.Saturday}, MustDate("2026-12-25"))
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"ups","workdays":["mon","sat"],"holidays":["2026-12-25"]}`, string(b))
	var back Calendar
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, c, back)
	var zero Calendar
	b, err = json.Marshal(zero)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, zero.Workdays(), back.Workdays())
}

func FuzzDecodeLane(f *testing.F) {
	f.Add([]byte(laneDoc))
	for _, tt := range badLanes {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := DecodeLane(data)
		if err != nil {
			return
		}
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatalf("cannot encode a decoded lane: %v", err)
		}
		back, err := DecodeLane(b)
		if err != nil {
			t.Fatalf("cannot decode %s: %v", b, err)
		}
		for zone := range l.Service.TransitDays {
			at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
			p, err1 := l.Promise(at, zone)
			q, err2 := back.Promise(at, zone)
			if (err1 == nil) != (err2 == nil) || (err1 == nil && p.Delivery != q.Delivery) {
				t.Fatalf("round trip changed the promise: %v/%v %v/%v", p.Delivery, q.Delivery, err1, err2)
			}
			break
		}
	})
}
