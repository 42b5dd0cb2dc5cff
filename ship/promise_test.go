package ship

import (
	"errors"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// groundLane is a New York warehouse shipping UPS Ground: Monday to Friday,
// closed on Thanksgiving (2026-11-26), cut-off 15:00 local.
func groundLane(t testing.TB) Lane {
	holidays := []Date{MustDate("2026-11-26"), MustDate("2026-12-25")}
	return Lane{
		Origin: Origin{Location: "WH-EAST", TimeZone: loadLoc(t, "America/New_York"),
			Calendar: MustCalendar("wh-east", nil, holidays...)},
		Service: Service{Carrier: "ups", Service: "ground", Cutoff: 15 * time.Hour,
			Calendar:    MustCalendar("ups", nil, holidays...),
			TransitDays: map[string]int{"2": 1, "5": 3, "8": 5, "local": 0}},
	}
}

func TestPromise(t *testing.T) {
	base := groundLane(t)
	handling := base
	handling.Origin.HandlingDays = 1
	carrierClosed := base // the carrier also closes the day after Thanksgiving
	carrierClosed.Service.Calendar = MustCalendar("ups", nil, MustDate("2026-11-26"), MustDate("2026-11-27"))
	saturday := base
	monSat := MustCalendar("ups-sat", []time.Weekday{1, 2, 3, 4, 5, 6})
	saturday.Service.DeliveryCalendar = &monSat
	noCutoff := base
	noCutoff.Service.Cutoff = 0

	tests := []struct {
		name     string
		lane     Lane
		release  string
		zone     string
		ship     string
		shipBy   string
		delivery string
	}{
		{"before cut-off", base, "2026-11-23T15:00:00Z", "5", "2026-11-23", "2026-11-23T20:00:00Z", "2026-11-27"},
		{"at cut-off", base, "2026-11-23T20:00:00Z", "5", "2026-11-24", "2026-11-24T20:00:00Z", "2026-11-30"},
		{"over the holiday", base, "2026-11-25T19:59:00Z", "2", "2026-11-25", "2026-11-25T20:00:00Z", "2026-11-27"},
		{"on the holiday", base, "2026-11-26T14:00:00Z", "2", "2026-11-27", "2026-11-27T20:00:00Z", "2026-11-30"},
		{"weekend release", base, "2026-11-21T14:00:00Z", "2", "2026-11-23", "2026-11-23T20:00:00Z", "2026-11-24"},
		{"handling day", handling, "2026-11-23T15:00:00Z", "2", "2026-11-24", "2026-11-24T20:00:00Z", "2026-11-25"},
		{"carrier closed", carrierClosed, "2026-11-27T13:00:00Z", "2", "2026-11-30", "2026-11-30T20:00:00Z", "2026-12-01"},
		{"saturday delivery", saturday, "2026-12-03T15:00:00Z", "5", "2026-12-03", "2026-12-03T20:00:00Z", "2026-12-07"},
		{"weekday delivery", base, "2026-12-03T15:00:00Z", "5", "2026-12-03", "2026-12-03T20:00:00Z", "2026-12-08"},
		{"no cut-off", noCutoff, "2026-11-24T04:59:00Z", "local", "2026-11-23", "2026-11-24T05:00:00Z", "2026-11-23"},
		// The same UTC time is 15:30 before daylight saving time ends and
		// 14:30 after: the first misses the cut-off, the second makes it.
		{"daylight saving", base, "2026-10-30T19:30:00Z", "2", "2026-11-02", "2026-11-02T20:00:00Z", "2026-11-03"},
		{"standard time", base, "2026-11-02T19:30:00Z", "2", "2026-11-02", "2026-11-02T20:00:00Z", "2026-11-03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.lane.Promise(ts(tt.release), tt.zone)
			require.NoError(t, err)
			assert.Equal(t, MustDate(tt.ship), p.Ship)
			assert.True(t, ts(tt.shipBy).Equal(p.ShipBy), "ship by %v", p.ShipBy)
			assert.Equal(t, MustDate(tt.delivery), p.Delivery)
			assert.Equal(t, tt.lane.Service.TransitDays[tt.zone], p.TransitDays)
			// The reverse: released just before ShipBy(delivery) still makes it.
			last, err := tt.lane.ShipBy(p.Delivery, tt.zone)
			require.NoError(t, err)
			assert.True(t, ts(tt.release).Before(last))
		})
	}
}

func TestShipBy(t *testing.T) {
	lane := groundLane(t)
	handling := lane
	handling.Origin.HandlingDays = 1
	tests := []struct {
		name     string
		lane     Lane
		promised string
		zone     string
		want     string
	}{
		{"three days to Friday", lane, "2026-11-27", "5", "2026-11-23T20:00:00Z"},
		{"a Sunday is as good as the Friday before", lane, "2026-11-29", "5", "2026-11-23T20:00:00Z"},
		{"one day over the holiday", lane, "2026-11-27", "2", "2026-11-25T20:00:00Z"},
		{"with a handling day", handling, "2026-11-27", "2", "2026-11-24T20:00:00Z"},
		{"same day", lane, "2026-11-24", "local", "2026-11-24T20:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.lane.ShipBy(MustDate(tt.promised), tt.zone)
			require.NoError(t, err)
			assert.True(t, ts(tt.want).Equal(got), "got %v", got)
		})
	}
}

func TestPromiseErrors(t *testing.T) {
	lane := groundLane(t)
	_, err := lane.Promise(ts("2026-11-23T15:00:00Z"), "9")
	ze, ok := errors.AsType[*ZoneError](err)
	require.True(t, ok)
	assert.Equal(t, "9", ze.Zone)
	_, err = lane.ShipBy(MustDate("2026-11-27"), "9")
	assert.ErrorIs(t, err, ErrUnknownZone)
	_, err = lane.ShipBy(Date{2026, 2, 30}, "2")
	assert.ErrorIs(t, err, ErrInvalidCalendar)

	bad := lane
	bad.Origin.HandlingDays = -1
	bad.Service.Cutoff = 25 * time.Hour
	bad.Service.TransitDays = map[string]int{"2": -3}
	err = bad.Validate()
	require.Error(t, err)
	assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), 3)
	_, err = bad.Promise(ts("2026-11-23T15:00:00Z"), "2")
	assert.ErrorIs(t, err, ErrInvalidCalendar)

	// The warehouse works only Mondays and the carrier only Tuesdays.
	apart := lane
	apart.Origin.Calendar = MustCalendar("mon", []time.Weekday{time.Monday})
	apart.Service.Calendar = MustCalendar("tue", []time.Weekday{time.Tuesday})
	_, err = apart.Promise(ts("2026-11-23T15:00:00Z"), "2")
	assert.ErrorIs(t, err, ErrNoBusinessDay)
	_, err = apart.ShipBy(MustDate("2026-11-27"), "2")
	assert.ErrorIs(t, err, ErrNoBusinessDay)
}

func TestPromiseNowCrossesCutoff(t *testing.T) {
	lane := groundLane(t)
	clock := fulfill.NewFakeClock(ts("2026-11-23T19:59:59Z")) // 14:59:59 in New York
	p, err := lane.PromiseNow(clock, "2")
	require.NoError(t, err)
	assert.Equal(t, MustDate("2026-11-24"), p.Delivery)
	clock.Advance(time.Second) // 15:00: the truck has gone
	p, err = lane.PromiseNow(clock, "2")
	require.NoError(t, err)
	assert.Equal(t, MustDate("2026-11-25"), p.Delivery)
}

var zones = []string{"UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo"}

// twins are the reference calendars of a random lane.
type twins struct{ wh, pick, del naiveCalendar }

// randomLane returns a lane over random calendars, time zone, cut-off,
// handling and transit times.
func randomLane(t testing.TB, r *rand.Rand) Lane {
	l, _ := randomLaneTwins(t, r)
	return l
}

func randomLaneTwins(t testing.TB, r *rand.Rand) (Lane, twins) {
	var tw twins
	var wh, pick Calendar
	wh, tw.wh = randomCalendar(r, "wh")
	pick, tw.pick = randomCalendar(r, "pick")
	tw.del = tw.pick
	l := Lane{
		Origin:  Origin{Location: "WH", TimeZone: loadLoc(t, zones[r.IntN(len(zones))]), Calendar: wh, HandlingDays: r.IntN(4)},
		Service: Service{Carrier: "c", Service: "s", Calendar: pick, TransitDays: map[string]int{"z": r.IntN(7)}},
	}
	if r.IntN(4) > 0 {
		l.Service.Cutoff = time.Duration(r.IntN(24*60)) * time.Minute
	}
	if r.IntN(2) == 0 {
		var del Calendar
		del, tw.del = randomCalendar(r, "del")
		l.Service.DeliveryCalendar = &del
	}
	return l, tw
}

// naivePromise is the reference for Lane.Promise: the same rules, one day
// at a time, over the reference calendars.
func naivePromise(l Lane, tw twins, release time.Time, zone string) (ship, delivery Date) {
	day := DateOf(release.In(l.loc()))
	start := day
	if !tw.wh.open(day) || !release.Before(l.cutoffOn(day)) {
		start = tw.wh.add(day, 1)
	}
	ready := start
	if h := l.Origin.HandlingDays; h > 0 {
		ready = tw.wh.add(start, h)
	}
	ship = ready
	for !tw.wh.open(ship) || !tw.pick.open(ship) {
		ship = DateOf(time.Date(ship.Year, ship.Month, ship.Day+1, 12, 0, 0, 0, time.UTC))
	}
	delivery = ship
	if n := l.Service.TransitDays[zone]; n > 0 {
		delivery = tw.del.add(ship, n)
	}
	return ship, delivery
}

// naiveShipBy is the reference for Lane.ShipBy: try each day's cut-off,
// latest first, until one delivers in time.
func naiveShipBy(l Lane, tw twins, promised Date, zone string) time.Time {
	for d := promised; ; d = d.AddDays(-1) {
		c := l.cutoffOn(d)
		if _, del := naivePromise(l, tw, c.Add(-time.Nanosecond), zone); !del.After(promised) {
			return c
		}
	}
}

func TestPromiseAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		lane, tw := randomLaneTwins(t, r)
		release := ts("2026-01-01T00:00:00Z").Add(time.Duration(r.Int64N(int64(500 * 24 * time.Hour))))
		p, err := lane.Promise(release, "z")
		if errors.Is(err, ErrNoBusinessDay) {
			continue
		}
		require.NoError(t, err)
		ship, delivery := naivePromise(lane, tw, release, "z")
		require.Equal(t, ship, p.Ship)
		require.Equal(t, delivery, p.Delivery)
		last, err := lane.ShipBy(p.Delivery, "z")
		require.NoError(t, err)
		require.True(t, naiveShipBy(lane, tw, p.Delivery, "z").Equal(last))
	}
}

// TestPromiseShipByAgree: for random lanes and times, ShipBy is the exact
// boundary of Promise: released a nanosecond before it meets the date,
// released at it does not; and Promise never goes backwards in time.
func TestPromiseShipByAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	checked := 0
	for range 400 {
		lane := randomLane(t, r)
		release := ts("2026-01-01T00:00:00Z").Add(time.Duration(r.Int64N(int64(500 * 24 * time.Hour))))
		p, err := lane.Promise(release, "z")
		if errors.Is(err, ErrNoBusinessDay) {
			continue // calendars with no common day: nothing to promise
		}
		require.NoError(t, err)
		require.False(t, p.Delivery.Before(p.Ship))
		require.False(t, p.Ship.Before(p.Ready))
		require.False(t, p.Ready.Before(p.Start))
		require.True(t, release.Before(p.ShipBy) || p.Ship.After(p.Start), "ship-by %v before release %v", p.ShipBy, release)

		later, err := lane.Promise(release.Add(time.Duration(r.Int64N(int64(72*time.Hour)))), "z")
		require.NoError(t, err)
		require.False(t, later.Delivery.Before(p.Delivery), "promise went backwards")

		for _, promised := range []Date{p.Delivery, p.Delivery.AddDays(r.IntN(10) - 3)} {
			last, err := lane.ShipBy(promised, "z")
			require.NoError(t, err)
			before, err := lane.Promise(last.Add(-time.Nanosecond), "z")
			require.NoError(t, err)
			require.False(t, before.Delivery.After(promised), "released before %v delivers %s after %s", last, before.Delivery, promised)
			at, err := lane.Promise(last, "z")
			require.NoError(t, err)
			require.True(t, at.Delivery.After(promised), "released at %v delivers %s, not after %s", last, at.Delivery, promised)
		}
		last, err := lane.ShipBy(p.Delivery, "z")
		require.NoError(t, err)
		require.True(t, release.Before(last))
		checked++
	}
	assert.Greater(t, checked, 300)
}

func TestPromiseString(t *testing.T) {
	p, err := groundLane(t).Promise(ts("2026-11-25T19:59:00Z"), "2")
	require.NoError(t, err)
	assert.Equal(t, `released 2026-11-25 14:59 EST, counts for Wed 2026-11-25, ready Wed 2026-11-25, ships Wed 2026-11-25 before 15:00 EST, 1 transit days to zone "2", delivered by Fri 2026-11-27`, p.String())
}

// TestPromiseNowSystemClock runs on the system clock (a nil Clock) inside a
// synctest bubble, whose fake time starts at 2000-01-01 00:00 UTC, a
// Saturday: the promise moves as the bubble's clock passes the cut-off.
func TestPromiseNowSystemClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lane := groundLane(t)
		lane.Origin.TimeZone = time.UTC
		lane.Origin.Calendar, lane.Service.Calendar = Calendar{}, Calendar{}
		p, err := lane.PromiseNow(nil, "2")
		require.NoError(t, err)
		assert.Equal(t, MustDate("2000-01-03"), p.Ship, "Saturday: ships Monday")
		time.Sleep(2*24*time.Hour + 14*time.Hour + 59*time.Minute) // Monday 14:59
		p, err = lane.PromiseNow(nil, "2")
		require.NoError(t, err)
		assert.Equal(t, MustDate("2000-01-04"), p.Delivery)
		time.Sleep(time.Minute) // Monday 15:00
		p, err = lane.PromiseNow(nil, "2")
		require.NoError(t, err)
		assert.Equal(t, MustDate("2000-01-05"), p.Delivery)
	})
}
