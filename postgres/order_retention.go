package postgres

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/jackc/pgx/v5"
)

var (
	_ order.IdempotencyPruner = (*OrderStore)(nil)
	_ order.EventTrimmer      = (*OrderStore)(nil)
)

// clampedNs returns t in nanoseconds since the Unix epoch, clamped to the
// times a BIGINT holds (the years 1678 to 2262), and nil for the zero time.
func clampedNs(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	var ns int64
	switch {
	case t.Before(minTime):
		ns = math.MinInt64
	case t.After(maxTime):
		ns = math.MaxInt64
	default:
		ns = t.UnixNano()
	}
	return &ns
}

// TrimEvents drops the owner's events at positions at or before through,
// which a consumer (an outbox relay, a projection) has processed, and
// returns how many it dropped; see [order.EventTrimmer]. The owner's
// position in order_owners is never reset, so new events number on from
// the last one ever written, and [OrderStore.EventsAfter] pages from the
// first event kept. A through past the owner's last event written (and
// committed) fails with [order.ErrInvalidOrder], as does a negative one.
//
// The events are deleted oldest first, at most 10,000 per statement, each
// statement committed on its own: a write running meanwhile waits for
// none of them (it only appends events above through). If ctx is done
// between two statements, TrimEvents returns how many it dropped with the
// context's error, the log trimmed through an earlier position; trimming
// again completes it. It is safe to call from several processes at once.
func (s *OrderStore) TrimEvents(ctx context.Context, owner fulfill.OwnerID, through order.Position) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := owner.Validate(); err != nil {
		return 0, err
	}
	if through < 0 {
		return 0, orderInvalid("through", strconv.FormatInt(int64(through), 10), "negative")
	}
	// The owner's position is committed with the events it numbers, so
	// every event up to it is stored; the first event kept bounds the
	// ranges to delete.
	var (
		last  int64
		first *int64
	)
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT COALESCE((SELECT position FROM order_owners WHERE owner = $1), 0),
			(SELECT position FROM order_events WHERE owner = $1 ORDER BY position LIMIT 1)`, string(owner)).Scan(&last, &first)
	})
	if err != nil {
		return 0, err
	}
	if int64(through) > last {
		return 0, orderInvalid("through", strconv.FormatInt(int64(through), 10), "after the owner's last event, "+strconv.FormatInt(last, 10))
	}
	if first == nil {
		return 0, nil
	}
	batch := int64(s.trimBatch)
	if batch <= 0 {
		batch = defaultTrimBatch
	}
	n := 0
	for lo := *first; lo <= int64(through); {
		hi := min(lo+batch, int64(through)+1) // exclusive
		var k int64
		err := s.db.run(ctx, func(c *pgx.Conn) error {
			tag, err := c.Exec(ctx, `DELETE FROM order_events WHERE owner = $1 AND position >= $2 AND position < $3`,
				string(owner), lo, hi)
			k = tag.RowsAffected()
			return err
		})
		if err != nil {
			return n, err
		}
		n += int(k)
		lo = hi
	}
	return n, nil
}

// pruneOrderIdempotencySQL deletes one batch of the owner's idempotency
// records created from $2 through $3 (inclusive) and returns the batch's
// upper date, NULL if it reached $3, and how many records it deleted. The
// batch ends at the date of the $4+1-th record in date order (with every
// record of that date), so that both the bound and the delete are ranges
// of the version-9 index on (owner, created_ns): a batch reads only the
// records it deletes.
const pruneOrderIdempotencySQL = `WITH b AS (SELECT (SELECT created_ns FROM order_idempotency
		WHERE owner = $1 AND created_ns >= $2 AND created_ns <= $3 ORDER BY created_ns OFFSET $4 LIMIT 1) AS bound),
	d AS (DELETE FROM order_idempotency
		WHERE owner = $1 AND created_ns >= $2 AND created_ns <= COALESCE((SELECT bound FROM b), $3)
		RETURNING 1)
	SELECT (SELECT bound FROM b), (SELECT COUNT(*) FROM d)`

// PruneIdempotency drops the owner's idempotency records created before
// the cutoff before, and returns how many it dropped; see
// [order.IdempotencyPruner] for what that means for retries. A record is
// dated by its CreatedAt, stored with it in nanoseconds (a CreatedAt
// outside the years 1678 to 2262 as the nearest time that fits); a record
// with a zero CreatedAt is never pruned. Records written before schema
// version 9 were dated by the migration from the created_at of their JSON.
//
// Records are deleted oldest first, about 5,000 per statement (more only
// if that many share one date), each statement committed on its own. A
// write that stores a record while PruneIdempotency runs is not waited
// for: its record is pruned by a later call, or by this one if it is
// committed first. If ctx is done, PruneIdempotency stops and returns what
// it dropped so far with the context's error. It is safe to call from
// several processes at once.
func (s *OrderStore) PruneIdempotency(ctx context.Context, owner fulfill.OwnerID, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := owner.Validate(); err != nil {
		return 0, err
	}
	last, ok := lastBefore(before)
	if !ok {
		return 0, nil
	}
	return s.db.pruneBatches(ctx, pruneOrderIdempotencySQL, owner, last, s.pruneBatch)
}
