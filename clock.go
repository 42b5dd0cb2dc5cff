package fulfill

import (
	"sync"
	"time"
)

// Clock tells the time. Packages take a Clock (or a Now func) instead of
// calling time.Now deep in their logic, so that TTLs, cut-offs and promises
// can be tested. Implementations must be safe for concurrent use.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to [Clock].
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the real [Clock]: it returns time.Now.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Now returns c.Now(), or time.Now() if c is nil: the rule every package uses
// for an optional Clock field.
func Now(c Clock) time.Time {
	if c == nil {
		return time.Now()
	}
	return c.Now()
}

// FakeClock is a [Clock] for tests: it stands still until moved with
// [FakeClock.Advance] or [FakeClock.Set]. It is safe for concurrent use. The
// zero FakeClock reads the zero time.
type FakeClock struct {
	mu  sync.Mutex // guards now
	now time.Time
}

// NewFakeClock returns a FakeClock that reads t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t} }

// Now returns the clock's current time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward if d is negative) and
// returns the new time.
func (c *FakeClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set moves the clock to t.
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
