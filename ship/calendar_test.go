package ship

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDate(t *testing.T) {
	// days and fromDays agree with the time package across four centuries.
	start := time.Date(1900, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 200_000; i += 7 {
		tm := start.AddDate(0, 0, i)
		d := DateOf(tm)
		require.Equal(t, d, fromDays(d.days()))
		require.Equal(t, tm.Weekday(), d.Weekday(), d)
		require.Equal(t, time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix()/86400, d.days(), d)
		require.Equal(t, DateOf(tm.AddDate(0, 0, 45)), d.AddDays(45))
	}
	d, err := ParseDate("2026-11-26")
	require.NoError(t, err)
	assert.Equal(t, Date{2026, time.November, 26}, d)
	assert.Equal(t, time.Thursday, d.Weekday())
	assert.Equal(t, "2026-11-26", d.String())
	for _, bad := range []string{"2026-02-30", "26-11-2026", "", "2026-11-26T00:00:00Z"} {
		_, err := ParseDate(bad)
		assert.ErrorIs(t, err, ErrInvalidCalendar, bad)
	}
	assert.False(t, Date{2026, 2, 29}.Valid())
	assert.True(t, Date{2028, 2, 29}.Valid())
	assert.True(t, Date{}.IsZero())
	assert.True(t, d.Before(d.AddDays(1)))
	assert.True(t, d.After(d.AddDays(-1)))
	assert.Equal(t, 0, d.Compare(MustDate("2026-11-26")))

	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	assert.True(t, ts("2026-11-26T20:00:00Z").Equal(d.At(15*time.Hour, ny)))
	assert.True(t, ts("2026-07-01T19:00:00Z").Equal(MustDate("2026-07-01").At(15*time.Hour, ny)), "daylight saving time")
	assert.Equal(t, ts("2026-11-27T00:00:00Z"), d.At(24*time.Hour, nil))

	var back Date
	b, _ := d.MarshalText()
	require.NoError(t, back.UnmarshalText(b))
	assert.Equal(t, d, back)
}

// naiveCalendar is the reference implementation: a weekday set and a
// holiday list, stepping one day at a time with the time package.
type naiveCalendar struct {
	workdays []time.Weekday
	holidays []Date
}

func (n naiveCalendar) open(d Date) bool {
	wd := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
	return slices.Contains(n.workdays, wd) && !slices.Contains(n.holidays, d)
}

func (n naiveCalendar) add(d Date, k int) Date {
	step := 1
	if k < 0 {
		step, k = -1, -k
	}
	t := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	for k > 0 {
		t = t.AddDate(0, 0, step)
		if n.open(DateOf(t)) {
			k--
		}
	}
	return DateOf(t)
}

// randomCalendar returns a calendar and its reference twin.
func randomCalendar(r *rand.Rand, name string) (Calendar, naiveCalendar) {
	var n naiveCalendar
	for w := time.Sunday; w <= time.Saturday; w++ {
		if r.IntN(10) < 7 {
			n.workdays = append(n.workdays, w)
		}
	}
	if len(n.workdays) == 0 {
		n.workdays = []time.Weekday{time.Weekday(r.IntN(7))}
	}
	for range r.IntN(30) {
		n.holidays = append(n.holidays, MustDate("2026-01-01").AddDays(r.IntN(800)))
	}
	return MustCalendar(name, n.workdays, n.holidays...), n
}

func TestCalendarAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		c, n := randomCalendar(r, "x")
		for range 20 {
			d := MustDate("2026-01-01").AddDays(r.IntN(700))
			k := r.IntN(40) - 20
			got, err := c.AddBusinessDays(d, k)
			require.NoError(t, err)
			want := d
			if k != 0 {
				want = n.add(d, k)
			}
			require.Equal(t, want, got, "add %d to %s in %v", k, d, n)
			require.Equal(t, n.open(d), c.IsBusinessDay(d))
			on, err := c.OnOrAfter(d)
			require.NoError(t, err)
			assert.True(t, c.IsBusinessDay(on) && !on.Before(d))
			before, err := c.OnOrBefore(d)
			require.NoError(t, err)
			assert.True(t, c.IsBusinessDay(before) && !before.After(d))
		}
	}
}

func TestCalendarRules(t *testing.T) {
	thanksgiving := MustDate("2026-11-26")
	var zero Calendar
	assert.Equal(t, []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, zero.Workdays())
	assert.True(t, zero.IsBusinessDay(thanksgiving))
	assert.False(t, zero.IsBusinessDay(MustDate("2026-11-28")))

	us := MustCalendar("us", nil, thanksgiving, MustDate("2026-12-25"), thanksgiving)
	assert.Equal(t, "us", us.Name())
	assert.Equal(t, []Date{thanksgiving, MustDate("2026-12-25")}, us.Holidays())
	assert.False(t, us.IsBusinessDay(thanksgiving))
	got, err := us.AddBusinessDays(MustDate("2026-11-25"), 1)
	require.NoError(t, err)
	assert.Equal(t, MustDate("2026-11-27"), got)
	got, err = us.AddBusinessDays(MustDate("2026-11-27"), -1)
	require.NoError(t, err)
	assert.Equal(t, MustDate("2026-11-25"), got)
	got, err = us.AddBusinessDays(MustDate("2026-11-20"), 5) // Friday + 5, over Thanksgiving
	require.NoError(t, err)
	assert.Equal(t, MustDate("2026-11-30"), got)

	all := MustCalendar("every day", []time.Weekday{0, 1, 2, 3, 4, 5, 6})
	assert.True(t, all.IsBusinessDay(MustDate("2026-11-29")))

	_, err = NewCalendar("none", []time.Weekday{})
	assert.ErrorIs(t, err, ErrInvalidCalendar)
	_, err = NewCalendar("bad", []time.Weekday{9})
	assert.ErrorIs(t, err, ErrInvalidCalendar)
	_, err = NewCalendar("bad holiday", nil, Date{2026, 2, 30})
	assert.ErrorIs(t, err, ErrInvalidCalendar)

	// Mondays only, and every Monday for twelve years a holiday: no answer.
	var mondays []Date
	for d := MustDate("2026-11-23"); d.Year < 2039; d = d.AddDays(7) {
		mondays = append(mondays, d)
	}
	closed := MustCalendar("closed", []time.Weekday{time.Monday}, mondays...)
	_, err = closed.AddBusinessDays(MustDate("2026-11-20"), 1)
	assert.ErrorIs(t, err, ErrNoBusinessDay)
	_, err = zero.AddBusinessDays(MustDate("2026-11-20"), 1<<40)
	assert.ErrorIs(t, err, ErrNoBusinessDay)
	_, err = zero.AddBusinessDays(MustDate("2026-11-20"), math.MinInt)
	assert.ErrorIs(t, err, ErrNoBusinessDay)
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-26", "2026-02-30", "0000-01-01", "9999-12-31", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if !d.Valid() {
			t.Fatalf("ParseDate(%q) = %v, not valid", s, d)
		}
		back, err := ParseDate(d.String())
		if err != nil || back != d {
			t.Fatalf("round trip of %v: %v, %v", d, back, err)
		}
	})
}
