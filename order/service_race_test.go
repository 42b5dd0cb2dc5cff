package order

import (
	"context"
	"errors"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// interleavingStore runs between() once, right after the first idempotency
// lookup that finds nothing: the moment a concurrent first attempt commits.
type interleavingStore struct {
	Store
	between func()
}

func (s *interleavingStore) Idempotency(ctx context.Context, owner fulfill.OwnerID, key string) (IdempotencyRecord, error) {
	rec, err := s.Store.Idempotency(ctx, owner, key)
	if errors.Is(err, ErrNotFound) && s.between != nil {
		f := s.between
		s.between = nil
		f()
	}
	return rec, err
}

// TestIssue9RetryRacingItsFirstAttempt: a retry that looked its key up just
// before the first attempt committed then runs on the changed order, where
// the command fails ("hold already active"). It must replay the first
// attempt's result, not report that failure.
func TestIssue9RetryRacingItsFirstAttempt(t *testing.T) {
	ctx := context.Background()
	mem := new(MemStore)
	clock := fulfill.NewFakeClock(t0)
	first := &Service{Store: mem, Clock: clock}
	res, err := first.Place(ctx, owner, "", placeRq)
	require.NoError(t, err)
	id := res.Order.ID()
	hold := HoldRequest{Holds: []Hold{{ID: "pay", Kind: HoldAwaitingPayment, Source: "payments"}}}

	racing := &interleavingStore{Store: mem}
	retry := &Service{Store: racing, Clock: clock}
	var firstErr error
	racing.between = func() { _, firstErr = first.Execute(ctx, owner, id, "hold-1", hold) }
	got, err := retry.Execute(ctx, owner, id, "hold-1", hold)
	require.NoError(t, firstErr)
	require.NoError(t, err, "the retry replays instead of failing on the changed order")
	assert.True(t, got.Replayed)
	assert.Equal(t, StatusOnHold, got.Order.Status())
	require.Len(t, got.Order.Holds(), 1, "the hold is placed once")

	// Without a key the same interleaving is a plain failure, as it should be.
	racing.between = func() { _, _ = first.Execute(ctx, owner, id, "", ReleaseRequest{Holds: []string{"pay"}}) }
	_, err = retry.Execute(ctx, owner, id, "release-1", ReleaseRequest{Holds: []string{"pay"}})
	assert.ErrorIs(t, err, ErrInvalidTransition, "a keyless concurrent release is not this request's result")
}
