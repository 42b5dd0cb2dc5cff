package carrier_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/carrier/carriertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func simpleReq(t testing.TB) carrier.Request {
	return request(t, "94105", false, pkg(t, "10x10x10in", "1lb"))
}

func TestRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := carriertest.New("FLAKY", "STD", "5.00", "USD", 1)
		f.FailFirst = 2
		r := carrier.NewRetry(f, carrier.RetryOptions{Base: 100 * time.Millisecond, Seed: 1})
		start := time.Now()
		q, err := r.Rate(t.Context(), simpleReq(t))
		require.NoError(t, err)
		assert.Len(t, q, 1)
		assert.Equal(t, 3, f.Calls())
		// Waits within [50, 100] ms then [100, 200] ms.
		el := time.Since(start)
		assert.GreaterOrEqual(t, el, 150*time.Millisecond)
		assert.LessOrEqual(t, el, 300*time.Millisecond)
		assert.Equal(t, "FLAKY", carrier.Name(r), "Name looks through decorators")
	})
}

func TestRetryGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := carriertest.New("DOWN", "STD", "5.00", "USD", 1)
		f.Err = errors.New("503")
		_, err := carrier.NewRetry(f, carrier.RetryOptions{Attempts: 4}).Rate(t.Context(), simpleReq(t))
		assert.EqualError(t, err, "503")
		assert.Equal(t, 4, f.Calls())
	})
}

func TestRetryNotOnPermanentErrors(t *testing.T) {
	tr := acme(t)
	calls := 0
	c := carrier.RateFunc(func(ctx context.Context, req carrier.Request) ([]carrier.Quote, error) {
		calls++
		return tr.Rate(ctx, req)
	})
	req := request(t, "94105", false, pkg(t, "20x20x20in", "160lb"))
	_, err := carrier.NewRetry(c, carrier.RetryOptions{}).Rate(t.Context(), req)
	assert.ErrorIs(t, err, carrier.ErrNoRate)
	assert.Equal(t, 1, calls)
}

func TestRetryStopsAtDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := carriertest.New("DOWN", "STD", "5.00", "USD", 1)
		f.Err = errors.New("503")
		ctx, cancel := context.WithTimeout(t.Context(), 120*time.Millisecond)
		defer cancel()
		_, err := carrier.NewRetry(f, carrier.RetryOptions{Attempts: 10, Base: 100 * time.Millisecond}).Rate(ctx, simpleReq(t))
		assert.Error(t, err)
		assert.Less(t, f.Calls(), 4)
	})
}

func TestRetryNeverRetriesPurchase(t *testing.T) {
	f := carriertest.New("ACME", "STD", "5.00", "USD", 1)
	var c carrier.Carrier = carrier.NewRetry(carrier.NewCache(f, carrier.CacheOptions{}), carrier.RetryOptions{})
	req := carrier.LabelRequest{IdempotencyKey: "order-1", Request: simpleReq(t), Quote: f.Quotes[0]}
	l1, err := carrier.BuyLabel(t.Context(), c, req)
	require.NoError(t, err)
	l2, err := carrier.BuyLabel(t.Context(), c, req)
	require.NoError(t, err)
	assert.Equal(t, l1.ID, l2.ID, "idempotent on the key")
	assert.Equal(t, 1, f.Purchases())
	assert.Len(t, l1.TrackingNumbers, 1)
	require.NoError(t, carrier.VoidLabel(t.Context(), c, l1.ID))
	assert.True(t, f.Voided(l1.ID))
	_, err = carrier.Track(t.Context(), c, l1.TrackingNumbers[0])
	assert.NoError(t, err)

	plain := carrier.RateFunc(func(context.Context, carrier.Request) ([]carrier.Quote, error) { return nil, nil })
	_, err = carrier.BuyLabel(t.Context(), carrier.NewRetry(plain, carrier.RetryOptions{}), req)
	assert.ErrorIs(t, err, carrier.ErrUnsupported)
	_, ok := errors.AsType[*carrier.UnsupportedError](err)
	assert.True(t, ok)
	assert.ErrorIs(t, carrier.VoidLabel(t.Context(), plain, "x"), carrier.ErrUnsupported)
	_, err = carrier.Track(t.Context(), plain, "x")
	assert.ErrorIs(t, err, carrier.ErrUnsupported)
}

func TestHedge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The first call takes 500 ms, the hedge 50 ms.
		var mu sync.Mutex
		n := 0
		slowThenFast := carrier.RateFunc(func(ctx context.Context, req carrier.Request) ([]carrier.Quote, error) {
			mu.Lock()
			n++
			d := 500 * time.Millisecond
			if n > 1 {
				d = 50 * time.Millisecond
			}
			mu.Unlock()
			select {
			case <-time.After(d):
				return []carrier.Quote{carriertest.Quote("H", "STD", "1.00", "USD", 1)}, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		})
		start := time.Now()
		q, err := carrier.NewHedge(slowThenFast, 100*time.Millisecond).Rate(t.Context(), simpleReq(t))
		require.NoError(t, err)
		assert.Len(t, q, 1)
		assert.Equal(t, 150*time.Millisecond, time.Since(start))
		synctest.Wait()
		assert.Equal(t, 2, n)
	})
}

func TestHedgeFastFirstNeedsNoHedge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := carriertest.New("F", "STD", "1.00", "USD", 1)
		f.Latency = 20 * time.Millisecond
		_, err := carrier.NewHedge(f, 100*time.Millisecond).Rate(t.Context(), simpleReq(t))
		require.NoError(t, err)
		assert.Equal(t, 1, f.Calls())
	})
}

func TestHedgeBothFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := carriertest.New("F", "STD", "1.00", "USD", 1)
		f.Err = errors.New("boom")
		_, err := carrier.NewHedge(f, 100*time.Millisecond).Rate(t.Context(), simpleReq(t))
		assert.ErrorContains(t, err, "boom")
		assert.Equal(t, 2, f.Calls(), "a fast failure starts the hedge at once")
	})
}

func TestBreaker(t *testing.T) {
	clock := fulfill.NewFakeClock(shipTime)
	f := carriertest.New("B", "STD", "1.00", "USD", 1)
	f.Err = errors.New("503")
	b := carrier.NewBreaker(f, carrier.BreakerOptions{Failures: 3, Cooldown: time.Minute, Clock: clock})
	ctx := t.Context()
	for range 3 {
		_, err := b.Rate(ctx, simpleReq(t))
		assert.EqualError(t, err, "503")
	}
	assert.Equal(t, carrier.BreakerOpen, b.State())
	_, err := b.Rate(ctx, simpleReq(t))
	assert.ErrorIs(t, err, carrier.ErrCircuitOpen)
	oe, ok := errors.AsType[*carrier.OpenError](err)
	require.True(t, ok)
	assert.Equal(t, shipTime.Add(time.Minute), oe.Until)
	assert.Equal(t, 3, f.Calls(), "open: the carrier is not called")

	clock.Advance(time.Minute)
	assert.Equal(t, carrier.BreakerHalfOpen, b.State())
	_, err = b.Rate(ctx, simpleReq(t)) // trial fails: open again
	assert.EqualError(t, err, "503")
	assert.Equal(t, carrier.BreakerOpen, b.State())

	clock.Advance(time.Minute)
	f.Err = nil
	_, err = b.Rate(ctx, simpleReq(t)) // trial succeeds: closed
	require.NoError(t, err)
	assert.Equal(t, carrier.BreakerClosed, b.State())

	// Request errors do not count.
	tr := carrier.NewBreaker(acme(t), carrier.BreakerOptions{Failures: 1, Clock: clock})
	for range 3 {
		_, err := tr.Rate(ctx, request(t, "94105", false, pkg(t, "20x20x20in", "160lb")))
		assert.ErrorIs(t, err, carrier.ErrNoRate)
	}
	assert.Equal(t, carrier.BreakerClosed, tr.State())
}

func TestCache(t *testing.T) {
	clock := fulfill.NewFakeClock(shipTime)
	f := carriertest.New("C", "STD", "1.00", "USD", 1)
	c := carrier.NewCache(f, carrier.CacheOptions{TTL: time.Minute, Clock: clock})
	req := simpleReq(t)
	_, err := c.Rate(t.Context(), req)
	require.NoError(t, err)

	// The same shipment, turned and renamed, is a hit.
	same := req
	same.Destination.Name = "Someone else"
	same.Destination.PostalCode = " 94105"
	same.Packages = []carrier.Package{{Dimensions: fulfill.Dims(10*fulfill.Inch, 10*fulfill.Inch, 10*fulfill.Inch), Mass: fulfill.Pound}}
	q, err := c.Rate(t.Context(), same)
	require.NoError(t, err)
	require.Len(t, q, 1)
	assert.Equal(t, 1, f.Calls())

	q[0].Explanation = append(q[0].Explanation, carrier.Step{Text: "mine"})
	q2, _ := c.Rate(t.Context(), req)
	assert.Empty(t, q2[0].Explanation, "callers get copies")

	heavier := req
	heavier.Packages = []carrier.Package{pkg(t, "10x10x10in", "2lb")}
	_, _ = c.Rate(t.Context(), heavier)
	assert.Equal(t, 2, f.Calls())

	clock.Advance(time.Minute)
	_, _ = c.Rate(t.Context(), req)
	assert.Equal(t, 3, f.Calls(), "expired after the TTL")
	hits, misses := c.Stats()
	assert.Equal(t, 2, hits)
	assert.Equal(t, 3, misses)

	f.Err = errors.New("down")
	clock.Advance(time.Hour)
	_, err = c.Rate(t.Context(), req)
	assert.Error(t, err)
	f.Err = nil
	_, err = c.Rate(t.Context(), req)
	assert.NoError(t, err, "errors are not cached")
}

func TestCacheEvicts(t *testing.T) {
	clock := fulfill.NewFakeClock(shipTime)
	f := carriertest.New("C", "STD", "1.00", "USD", 1)
	c := carrier.NewCache(f, carrier.CacheOptions{MaxEntries: 2, Clock: clock})
	for _, m := range []string{"1lb", "2lb", "3lb", "1lb"} {
		_, err := c.Rate(t.Context(), request(t, "94105", false, pkg(t, "10x10x10in", m)))
		require.NoError(t, err)
	}
	assert.Equal(t, 4, f.Calls(), "1lb was evicted by 3lb")
}

func TestCacheSharesConcurrentCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := carriertest.New("C", "STD", "1.00", "USD", 1)
		f.Latency = 100 * time.Millisecond
		c := carrier.NewCache(f, carrier.CacheOptions{})
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				q, err := c.Rate(t.Context(), simpleReq(t))
				assert.NoError(t, err)
				assert.Len(t, q, 1)
			})
		}
		wg.Wait()
		assert.Equal(t, 1, f.Calls())
	})
}

func TestFingerprint(t *testing.T) {
	a := simpleReq(t)
	b := a
	b.ShipTime = a.ShipTime.Add(3 * time.Hour) // same day
	assert.Equal(t, carrier.Fingerprint(a), carrier.Fingerprint(b))
	b.ShipTime = a.ShipTime.AddDate(0, 0, 1)
	assert.NotEqual(t, carrier.Fingerprint(a), carrier.Fingerprint(b))
	b = a
	b.Destination.Residential = true
	assert.NotEqual(t, carrier.Fingerprint(a), carrier.Fingerprint(b))
	b = a
	b.Options.Signature = true
	assert.NotEqual(t, carrier.Fingerprint(a), carrier.Fingerprint(b))
}

func TestFallback(t *testing.T) {
	api := carriertest.New("ACME", "GROUND", "9.99", "USD", 1)
	api.Err = errors.New("503 service unavailable")
	fb := carrier.NewFallback(api, acme(t))
	q, err := fb.Rate(t.Context(), simpleReq(t))
	require.NoError(t, err)
	require.Len(t, q, 3)
	assert.Equal(t, carrier.StepFallback, q[0].Explanation[0].Kind)
	assert.Contains(t, q[0].Explanation[0].Text, "503 service unavailable")
	assert.Equal(t, "ACME 2026-01", q[0].Source)

	api.Err = nil
	q, err = fb.Rate(t.Context(), simpleReq(t))
	require.NoError(t, err)
	assert.Equal(t, "9.99 USD", q[0].Price.String())

	_, err = fb.Rate(t.Context(), carrier.Request{})
	assert.ErrorIs(t, err, carrier.ErrInvalidRequest)
}

func TestFallbackPrimaryTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := carriertest.New("ACME", "GROUND", "9.99", "USD", 1)
		api.Hang = true
		fb := carrier.NewFallback(api, acme(t))
		fb.PrimaryTimeout = 300 * time.Millisecond
		s := carrier.NewShopper(fb)
		s.Timeout = time.Second
		start := time.Now()
		res, err := s.Shop(t.Context(), simpleReq(t))
		require.NoError(t, err)
		assert.Len(t, res.Quotes, 3)
		assert.Equal(t, 300*time.Millisecond, time.Since(start))
	})
}
