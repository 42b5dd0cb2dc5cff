package order

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
)

// IdempotencyPruner is an optional capability of a [Store]: dropping an
// owner's idempotency records created before the cutoff before, so that a
// store kept running in a service does not grow with every keyed request.
// PruneIdempotency returns how many records it dropped.
//
// A record is dated by its CreatedAt ([Service] sets it to the request's
// time), compared by wall-clock readings; a record with a zero CreatedAt
// is never dropped. Once a record is dropped, [Store.Idempotency] reports
// its key as not found and a retry under it runs as a new request: a
// retried Place places another order, a retried command runs again on the
// order as it is now. So the cutoff must be older than the host's retry
// window: for a host that promises retries for 24 hours, now minus 24
// hours. Records created at or after the cutoff, other owners' records,
// orders and the event log are kept.
//
// An invalid owner fails with the owner's error. PruneIdempotency is safe
// to call while writes run and while others prune; a record written
// meanwhile with a CreatedAt before the cutoff may be dropped or kept. A
// store may drop the records in several steps, oldest first; if ctx is
// done between two, it returns how many it dropped with the context's
// error. [MemStore] and the postgres package's store implement it.
type IdempotencyPruner interface {
	PruneIdempotency(ctx context.Context, owner fulfill.OwnerID, before time.Time) (int, error)
}

// EventTrimmer is an optional capability of a [Store]: dropping an owner's
// events at positions at or before through, which a consumer (an outbox
// relay, a projection) has processed, so that the event log does not grow
// with every write. TrimEvents returns how many events it dropped.
//
// The events kept keep their positions, and new events number on from the
// last one ever written (trimming never reuses a position).
// [Store.EventsAfter] pages as before: a page whose after is at or before
// the last dropped event starts with the first event kept. Trimming
// through a position already dropped drops nothing and is not an error, so
// a consumer may repeat it; a through past the position of the owner's
// last event written fails with [ErrInvalidOrder], as does a negative one,
// and an invalid owner fails with the owner's error. Orders and
// idempotency records are not touched: a store keeps each order's current
// state, so [Store.Get] and the [Service] never need its events. Only
// [Replay] does; a host that rebuilds orders from the log must keep what
// it replays.
//
// TrimEvents is safe to call while writes run and while others trim. A
// store may drop the events in several steps, oldest first; if ctx is done
// between two, it returns how many it dropped with the context's error,
// the log trimmed through an earlier position. [MemStore] and the postgres
// package's store implement it.
type EventTrimmer interface {
	TrimEvents(ctx context.Context, owner fulfill.OwnerID, through Position) (int, error)
}

var (
	_ IdempotencyPruner = (*MemStore)(nil)
	_ EventTrimmer      = (*MemStore)(nil)
)

// PruneIdempotency drops the owner's idempotency records whose CreatedAt
// is before the cutoff before (and not zero), and returns how many it
// dropped. A retry under a dropped key runs as a new request, so the
// cutoff must be older than the host's retry window. It implements
// [IdempotencyPruner].
func (s *MemStore) PruneIdempotency(ctx context.Context, owner fulfill.OwnerID, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := owner.Validate(); err != nil {
		return 0, err
	}
	before = before.Round(0) // compare wall clocks, as a SQL store does
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := s.idem[owner]
	n := 0
	for k, r := range keys {
		if !r.CreatedAt.IsZero() && r.CreatedAt.Round(0).Before(before) {
			delete(keys, k)
			n++
		}
	}
	if len(keys) == 0 {
		delete(s.idem, owner)
	}
	return n, nil
}

// TrimEvents drops the owner's events at positions at or before through,
// which a consumer has processed, and returns how many it dropped. The
// events kept keep their positions and new events number on; through may
// be any position up to that of the owner's last event, another owner's
// included (a MemStore numbers the events of all owners together). A
// through past the owner's last event, or negative, fails with
// [ErrInvalidOrder]. It implements [EventTrimmer].
func (s *MemStore) TrimEvents(ctx context.Context, owner fulfill.OwnerID, through Position) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := owner.Validate(); err != nil {
		return 0, err
	}
	if through < 0 {
		return 0, invalid("through", strconv.FormatInt(int64(through), 10), "negative")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.logs[owner]
	var last Position
	if l != nil {
		last = l.last
	}
	if through > last {
		return 0, invalid("through", strconv.FormatInt(int64(through), 10), "after the owner's last event, "+strconv.FormatInt(int64(last), 10))
	}
	if l == nil {
		return 0, nil
	}
	n := l.index(through)
	if n == 0 {
		return 0, nil
	}
	// A copy, so that the dropped events' memory is freed.
	l.events = slices.Clone(l.events[n:])
	return n, nil
}
