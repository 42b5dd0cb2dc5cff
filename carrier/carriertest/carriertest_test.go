package carriertest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/carrier/carriertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testRequest() carrier.Request {
	return carrier.Request{
		Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
		Destination: fulfill.Address{PostalCode: "10001", Country: "US"},
		Packages:    []carrier.Package{{Dimensions: fulfill.Dims(fulfill.Foot, fulfill.Foot, fulfill.Foot), Mass: fulfill.Pound}},
		ShipTime:    time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
}

func TestFakeConformance(t *testing.T) {
	carriertest.Conformance(t, carriertest.New("FAKE", "STD", "5.00", "USD", 2), testRequest())
}

func TestFakeBehaviours(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := carriertest.New("F", "STD", "5.00", "USD", 2)
		f.Latency = 50 * time.Millisecond
		f.FailFirst = 1
		start := time.Now()
		_, err := f.Rate(t.Context(), testRequest())
		assert.ErrorIs(t, err, carriertest.ErrFailure)
		q, err := f.Rate(t.Context(), testRequest())
		require.NoError(t, err)
		assert.Equal(t, 100*time.Millisecond, time.Since(start))
		assert.Equal(t, time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), q[0].EstimatedDelivery)
		assert.Equal(t, 2, f.Calls())

		// Latency honours the context unless told not to.
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel()
		_, err = f.Rate(ctx, testRequest())
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		f.IgnoreContext = true
		ctx2, cancel2 := context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel2()
		start = time.Now()
		_, err = f.Rate(ctx2, testRequest())
		assert.NoError(t, err)
		assert.Equal(t, 50*time.Millisecond, time.Since(start))

		h := &carriertest.Fake{ID: "H", Hang: true}
		ctx3, cancel3 := context.WithTimeout(t.Context(), time.Second)
		defer cancel3()
		_, err = h.Rate(ctx3, testRequest())
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestFakeLabels(t *testing.T) {
	f := carriertest.New("F", "STD", "5.00", "USD", 2)
	f.Events = []carrier.TrackingEvent{{Code: "IT", Time: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)}}
	_, err := f.BuyLabel(t.Context(), carrier.LabelRequest{Request: testRequest()})
	assert.ErrorIs(t, err, carrier.ErrInvalidRequest, "an idempotency key is required")
	l, err := f.BuyLabel(t.Context(), carrier.LabelRequest{IdempotencyKey: "k", Request: testRequest(), Quote: f.Quotes[0]})
	require.NoError(t, err)
	assert.Equal(t, "5.00 USD", l.Cost.String())
	assert.ErrorIs(t, f.VoidLabel(t.Context(), "nope"), carrier.ErrInvalidRequest)
	require.NoError(t, f.VoidLabel(t.Context(), l.ID))
	require.NoError(t, f.VoidLabel(t.Context(), l.ID), "voiding twice is not an error")
	ev, err := f.Track(t.Context(), l.TrackingNumbers[0])
	require.NoError(t, err)
	assert.Equal(t, l.TrackingNumbers[0], ev[0].TrackingNumber)
	assert.Empty(t, f.Events[0].TrackingNumber, "the fake's events are not modified")
	f.Err = errors.New("x")
	_, err = f.Rate(t.Context(), testRequest())
	assert.EqualError(t, err, "x")
}
