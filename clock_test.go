package fulfill_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/fulfillkit/fulfill"
)

func TestFakeClock(t *testing.T) {
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	c := fulfill.NewFakeClock(start)
	assert.Equal(t, start, c.Now())
	assert.Equal(t, start.Add(time.Hour), c.Advance(time.Hour))
	c.Set(start)
	assert.Equal(t, start, fulfill.Now(c))

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Second)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, start.Add(800*time.Second), c.Now(), "no advance is lost")

	assert.WithinDuration(t, time.Now(), fulfill.Now(nil), time.Minute, "nil means the system clock")
	assert.WithinDuration(t, time.Now(), fulfill.SystemClock{}.Now(), time.Minute)
	assert.Equal(t, start, fulfill.ClockFunc(func() time.Time { return start }).Now())
}
