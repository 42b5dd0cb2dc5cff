package ship

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// MaxSearchDays bounds every search for a business day: a calendar that
// has no business day within this many days of where a search starts
// returns an error wrapping [ErrNoBusinessDay] instead of looping.
const MaxSearchDays = 3660

// Calendar says which days are business days for a warehouse or a carrier:
// its working weekdays minus its holidays. It is an immutable value.
//
// The zero Calendar works Monday to Friday and has no holidays.
type Calendar struct {
	name     string
	set      bool    // built by NewCalendar; the zero Calendar closes on weekends
	closed   [7]bool // closed[w]: weekday w is not a working day
	perWeek  int     // working weekdays per week
	holidays []int64 // day numbers of holidays on working weekdays, sorted, distinct
	all      []Date  // the holidays as given, sorted, distinct
}

// NewCalendar returns a calendar named name whose working weekdays are
// workdays (nil means Monday to Friday) and whose holidays are the given
// dates. It returns an error wrapping [ErrInvalidCalendar] if workdays is
// empty but not nil, names an invalid weekday, or a holiday is not a valid
// date.
func NewCalendar(name string, workdays []time.Weekday, holidays ...Date) (Calendar, error) {
	c := Calendar{name: name, set: true}
	if workdays != nil {
		if len(workdays) == 0 {
			return Calendar{}, fmt.Errorf("%w: calendar %q has no working weekday", ErrInvalidCalendar, name)
		}
		c.closed = [7]bool{true, true, true, true, true, true, true}
		for _, w := range workdays {
			if w < time.Sunday || w > time.Saturday {
				return Calendar{}, fmt.Errorf("%w: calendar %q: weekday %d", ErrInvalidCalendar, name, int(w))
			}
			c.closed[w] = false
		}
	} else {
		c.closed[time.Saturday], c.closed[time.Sunday] = true, true
	}
	for _, h := range holidays {
		if !h.Valid() {
			return Calendar{}, fmt.Errorf("%w: calendar %q: holiday %s is not a valid date", ErrInvalidCalendar, name, h)
		}
		c.all = append(c.all, h)
		if z := h.days(); !c.closed[weekdayOf(z)] {
			c.holidays = append(c.holidays, z)
		}
	}
	for _, cl := range c.closed {
		if !cl {
			c.perWeek++
		}
	}
	slices.SortFunc(c.all, Date.Compare)
	c.all = slices.Compact(c.all)
	slices.Sort(c.holidays)
	c.holidays = slices.Compact(c.holidays)
	return c, nil
}

// MustCalendar is like [NewCalendar] but panics on error; for literals in
// tests and examples.
func MustCalendar(name string, workdays []time.Weekday, holidays ...Date) Calendar {
	c, err := NewCalendar(name, workdays, holidays...)
	if err != nil {
		panic(err)
	}
	return c
}

// Name returns the calendar's name.
func (c Calendar) Name() string { return c.name }

// Holidays returns the holidays, sorted.
func (c Calendar) Holidays() []Date { return slices.Clone(c.all) }

// Workdays returns the working weekdays, Sunday first.
func (c Calendar) Workdays() []time.Weekday {
	var out []time.Weekday
	for w := time.Sunday; w <= time.Saturday; w++ {
		if !c.closedOn(w) {
			out = append(out, w)
		}
	}
	return out
}

// closedOn reports whether weekday w is not a working day; the zero
// Calendar closes on weekends.
func (c Calendar) closedOn(w time.Weekday) bool {
	if !c.set {
		return w == time.Saturday || w == time.Sunday
	}
	return c.closed[w]
}

// open reports whether day number z is a business day.
func (c Calendar) open(z int64) bool {
	if c.closedOn(weekdayOf(z)) {
		return false
	}
	_, found := slices.BinarySearch(c.holidays, z)
	return !found
}

// IsBusinessDay reports whether d is a working weekday and not a holiday.
func (c Calendar) IsBusinessDay(d Date) bool { return c.open(d.days()) }

// AddBusinessDays returns the n-th business day after d (before d if n is
// negative); d itself does not count, so from a Friday, 1 is the next
// Monday in a Monday-to-Friday calendar. n == 0 returns d. It returns an
// error wrapping [ErrNoBusinessDay] if the answer is more than
// [MaxSearchDays] away.
func (c Calendar) AddBusinessDays(d Date, n int) (Date, error) {
	z, err := c.add(d.days(), n)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %d business days from %s in calendar %q", err, n, d, c.name)
	}
	return fromDays(z), nil
}

// OnOrAfter returns the first business day on or after d.
func (c Calendar) OnOrAfter(d Date) (Date, error) { return c.AddBusinessDays(d.AddDays(-1), 1) }

// OnOrBefore returns the last business day on or before d.
func (c Calendar) OnOrBefore(d Date) (Date, error) { return c.AddBusinessDays(d.AddDays(1), -1) }

// onOrAfter is OnOrAfter on day numbers.
func (c Calendar) onOrAfter(z int64) (int64, error) {
	if c.open(z) {
		return z, nil
	}
	return c.add(z, 1)
}

// onOrBefore is OnOrBefore on day numbers.
func (c Calendar) onOrBefore(z int64) (int64, error) {
	if c.open(z) {
		return z, nil
	}
	return c.add(z, -1)
}

// add steps n business days from day number z. It jumps whole weeks of
// working weekdays, then counts the holidays it jumped over and steps that
// many more, until no holiday is left behind.
func (c Calendar) add(z int64, n int) (int64, error) {
	if n == 0 {
		return z, nil
	}
	if n == math.MinInt {
		return 0, ErrNoBusinessDay
	}
	dir := int64(1)
	if n < 0 {
		dir, n = -1, -n
	}
	perWeek := c.perWeek
	if !c.set {
		perWeek = 5
	}
	if perWeek == 0 {
		return 0, ErrNoBusinessDay
	}
	start := z
	for n > 0 {
		if n/perWeek > MaxSearchDays/7+1 {
			return 0, ErrNoBusinessDay
		}
		from := z
		// Jump the whole weeks, leaving 1..perWeek working weekdays to step.
		weeks := (n - 1) / perWeek
		z += dir * 7 * int64(weeks)
		left := n - weeks*perWeek
		for left > 0 {
			z += dir
			if !c.closedOn(weekdayOf(z)) {
				left--
			}
		}
		// Holidays passed over in (from, z] (or [z, from)) need as many more days.
		lo, hi := from+1, z
		if dir < 0 {
			lo, hi = z, from-1
		}
		i, _ := slices.BinarySearch(c.holidays, lo)
		j, _ := slices.BinarySearch(c.holidays, hi+1)
		n = j - i
		if (z-start)*dir > MaxSearchDays {
			return 0, ErrNoBusinessDay
		}
	}
	return z, nil
}
