package ship

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// MaxDays is the most handling or transit days a [Lane] accepts.
const MaxDays = 365

// Origin is a warehouse as delivery promises see it.
type Origin struct {
	// Location names the warehouse.
	Location fulfill.LocationID
	// TimeZone is the warehouse's time zone, in which its days and the
	// carrier's cut-off are reckoned. Nil means UTC.
	TimeZone *time.Location
	// Calendar gives the warehouse's working days. The zero Calendar works
	// Monday to Friday.
	Calendar Calendar
	// HandlingDays is how many warehouse business days an order takes to
	// be ready after its release day; 0 means it can leave on the day it is
	// released (before the cut-off).
	HandlingDays int
}

// Service is a carrier service as delivery promises see it.
type Service struct {
	// Carrier and Service are the carrier's codes.
	Carrier, Service string
	// Cutoff is the carrier's pick-up cut-off at the warehouse, as wall-clock
	// time after local midnight in the origin's time zone: 15*time.Hour is
	// 15:00. An order released before the cut-off on a working day counts
	// as released that day, one released at or after it as released the
	// next working day. Zero means no cut-off (the end of the day).
	Cutoff time.Duration
	// Calendar gives the days the carrier picks up. The zero Calendar is
	// Monday to Friday.
	Calendar Calendar
	// DeliveryCalendar gives the days the carrier moves and delivers
	// parcels, over which transit days are counted. Nil means Calendar.
	DeliveryCalendar *Calendar
	// TransitDays gives the business days in transit by zone, as the
	// carrier publishes them: {"2": 1, "3": 2, ...}. The zone is the
	// caller's (a rate card's zone, a country code, "local").
	TransitDays map[string]int
}

// Lane is a carrier service from a warehouse: what a delivery promise is
// computed over. A Lane is a value; it is safe for concurrent use once
// built, as long as TransitDays is not modified.
type Lane struct {
	Origin  Origin
	Service Service
}

// Validate reports every problem of the lane: handling days outside 0 to
// [MaxDays], a cut-off outside 0 to 24 hours, a transit time outside 0 to
// [MaxDays]. The errors wrap [ErrInvalidCalendar].
func (l Lane) Validate() error {
	var errs []error
	if l.Origin.HandlingDays < 0 || l.Origin.HandlingDays > MaxDays {
		errs = append(errs, fmt.Errorf("%w: handling days %d not in 0..%d", ErrInvalidCalendar, l.Origin.HandlingDays, MaxDays))
	}
	if l.Service.Cutoff < 0 || l.Service.Cutoff >= 24*time.Hour {
		errs = append(errs, fmt.Errorf("%w: cut-off %v not in [0, 24h)", ErrInvalidCalendar, l.Service.Cutoff))
	}
	for _, d := range l.Service.TransitDays {
		if d < 0 || d > MaxDays {
			// Report every bad zone, in order (sorting only on this path).
			for _, z := range slices.Sorted(maps.Keys(l.Service.TransitDays)) {
				if d := l.Service.TransitDays[z]; d < 0 || d > MaxDays {
					errs = append(errs, fmt.Errorf("%w: zone %q: transit days %d not in 0..%d", ErrInvalidCalendar, z, d, MaxDays))
				}
			}
			break
		}
	}
	return errors.Join(errs...)
}

// Promise is the answer of [Lane.Promise]: when an order released at
// Release leaves and arrives.
type Promise struct {
	Release time.Time // when the order was released to the warehouse
	// Start is the working day the release counts for, after the cut-off
	// and the warehouse calendar.
	Start Date
	// Ready is Start plus the handling days.
	Ready Date
	// Ship is the first day on or after Ready that the warehouse works and
	// the carrier picks up.
	Ship Date
	// ShipBy is the carrier's cut-off on Ship: the package must be handed
	// over before it.
	ShipBy time.Time
	// Zone and TransitDays are the zone asked for and its transit time.
	Zone        string
	TransitDays int
	// Delivery is the promised delivery date: Ship plus the transit days on
	// the carrier's delivery calendar.
	Delivery Date
}

// loc returns the origin's time zone, UTC if nil.
func (l Lane) loc() *time.Location {
	if l.Origin.TimeZone == nil {
		return time.UTC
	}
	return l.Origin.TimeZone
}

// cutoffOn returns the cut-off instant on day d.
func (l Lane) cutoffOn(d Date) time.Time {
	if l.Service.Cutoff == 0 {
		return d.AddDays(1).At(0, l.loc())
	}
	return d.At(l.Service.Cutoff, l.loc())
}

func (l Lane) deliveryCalendar() Calendar {
	if l.Service.DeliveryCalendar != nil {
		return *l.Service.DeliveryCalendar
	}
	return l.Service.Calendar
}

// transit checks what a promise to zone needs (the handling days, the
// cut-off and the zone's transit days; the other zones are not looked at)
// and returns the zone's transit days.
func (l Lane) transit(zone string) (int, error) {
	if h := l.Origin.HandlingDays; h < 0 || h > MaxDays || l.Service.Cutoff < 0 || l.Service.Cutoff >= 24*time.Hour {
		return 0, l.Validate()
	}
	t, ok := l.Service.TransitDays[zone]
	if !ok {
		return 0, &ZoneError{Carrier: l.Service.Carrier, Service: l.Service.Service, Zone: zone}
	}
	if t < 0 || t > MaxDays {
		return 0, fmt.Errorf("%w: zone %q: transit days %d not in 0..%d", ErrInvalidCalendar, zone, t, MaxDays)
	}
	return t, nil
}

// Promise returns when an order released at release ships and is
// delivered to zone:
//
//  1. The release counts for its own day if that day is a warehouse
//     business day and release is before the cut-off; otherwise for the
//     next warehouse business day (Start).
//  2. Handling adds HandlingDays warehouse business days (Ready).
//  3. The package ships on the first day on or after Ready that is a
//     business day of both the warehouse and the carrier's pick-up
//     calendar (Ship), before that day's cut-off (ShipBy).
//  4. Delivery is Ship plus the zone's transit days on the carrier's
//     delivery calendar.
//
// Days are reckoned in the origin's time zone. Errors: an invalid lane or
// zone transit time ([ErrInvalidCalendar]; other zones are not checked, see
// [Lane.Validate]), an unknown zone (*[ZoneError]), calendars with no common
// business day in reach ([ErrNoBusinessDay]).
func (l Lane) Promise(release time.Time, zone string) (Promise, error) {
	t, err := l.transit(zone)
	if err != nil {
		return Promise{}, err
	}
	p := Promise{Release: release, Zone: zone, TransitDays: t}
	wh := l.Origin.Calendar
	day := DateOf(release.In(l.loc()))
	z := day.days()
	if !wh.open(z) || !release.Before(l.cutoffOn(day)) {
		if z, err = wh.add(z, 1); err != nil {
			return Promise{}, l.noDay(err, day)
		}
	}
	p.Start = fromDays(z)
	if z, err = wh.add(z, l.Origin.HandlingDays); err != nil {
		return Promise{}, l.noDay(err, p.Start)
	}
	p.Ready = fromDays(z)
	if z, err = l.firstShipDay(z); err != nil {
		return Promise{}, l.noDay(err, p.Ready)
	}
	p.Ship = fromDays(z)
	p.ShipBy = l.cutoffOn(p.Ship)
	if z, err = l.deliveryCalendar().add(z, t); err != nil {
		return Promise{}, l.noDay(err, p.Ship)
	}
	p.Delivery = fromDays(z)
	return p, nil
}

// noDay wraps a failed business-day search with the lane and the day.
func (l Lane) noDay(err error, from Date) error {
	return fmt.Errorf("%w: warehouse %q, %s %s, from %s", err, l.Origin.Location, l.Service.Carrier, l.Service.Service, from)
}

// firstShipDay returns the first day on or after day number z open at both
// the warehouse and the carrier.
func (l Lane) firstShipDay(z int64) (int64, error) {
	return l.bothOpen(z, l.Origin.Calendar.onOrAfter, l.Service.Calendar.onOrAfter)
}

// lastShipDay returns the last day on or before z open at both.
func (l Lane) lastShipDay(z int64) (int64, error) {
	return l.bothOpen(z, l.Origin.Calendar.onOrBefore, l.Service.Calendar.onOrBefore)
}

// bothOpen alternates two searches until they agree on a day.
func (l Lane) bothOpen(z int64, a, b func(int64) (int64, error)) (int64, error) {
	start := z
	for {
		w, err := a(z)
		if err != nil {
			return 0, err
		}
		c, err := b(w)
		if err != nil {
			return 0, err
		}
		if c == w {
			return c, nil
		}
		if d := c - start; d > MaxSearchDays || d < -MaxSearchDays {
			return 0, ErrNoBusinessDay
		}
		z = c
	}
}

// ShipBy returns the latest release time that still meets promised: an
// order released strictly before the returned instant gets a
// [Lane.Promise] delivering on or before promised, and one released at or
// after it does not. It is the inverse of [Lane.Promise], with the same
// errors.
func (l Lane) ShipBy(promised Date, zone string) (time.Time, error) {
	if !promised.Valid() {
		return time.Time{}, fmt.Errorf("%w: promised date %s is not a valid date", ErrInvalidCalendar, promised)
	}
	t, err := l.transit(zone)
	if err != nil {
		return time.Time{}, err
	}
	// Delivery after t days is on or before promised exactly when at least
	// t delivery days lie in (ship day, promised]: when the ship day is
	// before x, the t-th delivery day counting back from promised itself.
	last := promised.days()
	if t > 0 {
		x, err := l.deliveryCalendar().add(last+1, -t)
		if err != nil {
			return time.Time{}, l.noDay(err, promised)
		}
		last = x - 1
	}
	s, err := l.lastShipDay(last)
	if err != nil {
		return time.Time{}, l.noDay(err, promised)
	}
	// The latest start day whose handling is done by s: s is a warehouse
	// business day, so step back the handling days.
	start, err := l.Origin.Calendar.add(s, -l.Origin.HandlingDays)
	if err != nil {
		return time.Time{}, l.noDay(err, promised)
	}
	return l.cutoffOn(fromDays(start)), nil
}

// PromiseNow is [Lane.Promise] for an order released now by clock c (nil
// means the system clock): what a storefront shows at checkout.
func (l Lane) PromiseNow(c fulfill.Clock, zone string) (Promise, error) {
	return l.Promise(fulfill.Now(c), zone)
}

// String explains the promise in one line, with times in the origin's time
// zone:
//
//	released 2026-11-23 14:59 EST, counts for Mon 2026-11-23, ready Mon 2026-11-23, ships Mon 2026-11-23 before 15:00 EST, 3 transit days to zone "5", delivered by Fri 2026-11-27
func (p Promise) String() string {
	day := func(d Date) string { return d.Weekday().String()[:3] + " " + d.String() }
	loc := p.ShipBy.Location()
	return fmt.Sprintf("released %s, counts for %s, ready %s, ships %s before %s, %d transit days to zone %q, delivered by %s",
		p.Release.In(loc).Format("2006-01-02 15:04 MST"), day(p.Start), day(p.Ready), day(p.Ship),
		p.ShipBy.Format("15:04 MST"), p.TransitDays, p.Zone, day(p.Delivery))
}
