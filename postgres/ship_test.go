package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/ship"
	"github.com/fulfillkit/fulfill/ship/shiptest"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShipConformance(t *testing.T) {
	testURL(t)
	t.Parallel()
	shiptest.Run(t, func(t *testing.T) ship.Store {
		return NewShipStore(testDB(t))
	})
}

var shipT0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// shipRevision returns the stored revision of shipment id.
func shipRevision(t *testing.T, db *DB, id ship.ID) int64 {
	t.Helper()
	var rev int64
	require.NoError(t, db.withConn(context.Background(), func(c *pgx.Conn) error {
		return c.QueryRow(context.Background(), `SELECT revision FROM shipments WHERE id = $1`, string(id)).Scan(&rev)
	}))
	return rev
}

// TestShipIngestRace races goroutines over one shipment through
// ship.IngestEvent, each event delivered by two goroutines at once: every
// distinct event lands exactly once, and no caller is told to retry, since
// an Update that loses its optimistic run wins its locked one.
func TestShipIngestRace(t *testing.T) {
	testURL(t)
	t.Parallel()
	db := testDB(t)
	st := NewShipStore(db)
	ctx := context.Background()
	const packages, perPackage = 3, 8
	require.NoError(t, st.Create(ctx, shiptest.Shipment(t, "S1", packages)))
	var wg sync.WaitGroup
	var conflicts, fresh atomic.Int64
	errs := make(chan error, 2*packages*perPackage)
	for p := range packages {
		for i := range perPackage {
			e := ship.Event{ID: fmt.Sprintf("p%d-e%d", p, i), TrackingNumber: fmt.Sprintf("S1-%d", p+1),
				Status: ship.StatusInTransit, At: shipT0.Add(time.Duration(perPackage-i) * time.Hour)}
			if i == 0 {
				e.Status = ship.StatusDelivered // the latest event, sent first
			}
			for range 2 {
				wg.Go(func() {
					for {
						_, c, err := ship.IngestEvent(ctx, st, e)
						if ce, ok := errors.AsType[*ShipConflictError](err); ok {
							if ce.Attempts == 0 {
								errs <- err
								return
							}
							conflicts.Add(1)
							continue
						}
						if err == nil && !c.Duplicate {
							fresh.Add(1)
						}
						errs <- err
						return
					}
				})
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Zero(t, conflicts.Load(), "conflicts returned to callers")
	assert.Empty(t, st.updating, "Updates still recorded as in progress")
	assert.Equal(t, int64(packages*perPackage), fresh.Load(), "each distinct event is new exactly once")
	s, err := st.Shipment(ctx, "S1")
	require.NoError(t, err)
	assert.Equal(t, int64(packages*perPackage), s.Version(), "no write lost")
	assert.Equal(t, ship.StatusDelivered, s.Status())
	for p := range packages {
		tr, ok := s.Tracking(fmt.Sprintf("S1-%d", p+1))
		require.True(t, ok)
		n := 0
		for range tr.Events() {
			n++
		}
		assert.Equal(t, perPackage, n, "events of package %d", p+1)
	}
}

// TestShipUpdateFallback makes the optimistic run of an Update lose the
// race: the closure itself stores another change first, on its first run.
// The second run holds the shipment's row lock and cannot lose: the
// closure runs twice and both writes are kept. A writer that comes while
// the lock is held waits for it and then lands on top.
func TestShipUpdateFallback(t *testing.T) {
	testURL(t)
	t.Parallel()
	db := testDB(t)
	st := NewShipStore(db)
	ctx := context.Background()
	require.NoError(t, st.Create(ctx, shiptest.Shipment(t, "S1", 1)))
	ingest := func(id string, status ship.Status, at time.Duration) func(*ship.Shipment) error {
		return func(s *ship.Shipment) error {
			_, err := s.Ingest(ship.Event{ID: id, TrackingNumber: "S1-1", Status: status, At: shipT0.Add(at)})
			return err
		}
	}
	calls := 0
	waiter := make(chan error, 1)
	err := st.Update(ctx, "S1", func(s *ship.Shipment) error {
		calls++
		switch calls {
		case 1:
			// A concurrent writer gets in between this read and its write.
			require.NoError(t, st.Update(ctx, "S1", ingest("other", ship.StatusInTransit, time.Hour)))
		case 2:
			go func() { waiter <- st.Update(ctx, "S1", ingest("late", ship.StatusDelivered, 48*time.Hour)) }()
			select {
			case err := <-waiter:
				t.Errorf("a writer got past the row lock: %v", err)
			case <-time.After(200 * time.Millisecond):
			}
		}
		return ingest("mine", ship.StatusInTransit, 24*time.Hour)(s)
	})
	require.NoError(t, err)
	assert.Equal(t, 2, calls)
	require.NoError(t, <-waiter)
	s, err := st.Shipment(ctx, "S1")
	require.NoError(t, err)
	assert.Equal(t, int64(3), s.Version(), "every write is kept")
	assert.Equal(t, ship.StatusDelivered, s.Status())
	assert.Equal(t, int64(4), shipRevision(t, db, "S1"))
}

// TestShipUpdateWrites covers what Update stores: nothing for a closure
// that changes nothing or fails, the new snapshot otherwise, and tracking
// numbers that the closure adds or removes.
func TestShipUpdateWrites(t *testing.T) {
	testURL(t)
	t.Parallel()
	db := testDB(t)
	st := NewShipStore(db)
	ctx := context.Background()
	require.NoError(t, st.Create(ctx, shiptest.Shipment(t, "S1", 2)))
	require.NoError(t, st.Create(ctx, shiptest.Shipment(t, "S2", 1)))
	e := ship.Event{ID: "e1", TrackingNumber: "S1-1", Status: ship.StatusInTransit, At: shipT0.Add(time.Hour)}
	_, c, err := ship.IngestEvent(ctx, st, e)
	require.NoError(t, err)
	require.False(t, c.Duplicate)
	assert.Equal(t, int64(2), shipRevision(t, db, "S1"))

	t.Run("duplicate event writes nothing", func(t *testing.T) {
		_, c, err := ship.IngestEvent(ctx, st, e)
		require.NoError(t, err)
		assert.True(t, c.Duplicate)
		assert.Equal(t, int64(2), shipRevision(t, db, "S1"))
	})
	t.Run("the ID cannot change", func(t *testing.T) {
		err := st.Update(ctx, "S1", func(s *ship.Shipment) error {
			*s = *shiptest.Shipment(t, "S9", 1)
			return nil
		})
		assert.ErrorIs(t, err, ship.ErrConflict)
		_, err = st.Shipment(ctx, "S9")
		assert.ErrorIs(t, err, ship.ErrNotFound)
	})
	renumber := func(t *testing.T, numbers ...string) func(*ship.Shipment) error {
		return func(s *ship.Shipment) error {
			snap := s.Snapshot()
			snap.Packages = snap.Packages[:len(numbers)]
			for i, n := range numbers {
				snap.Packages[i].Label.TrackingNumber = n
			}
			snap.Events = nil
			snap.Version++
			r, err := ship.Restore(snap)
			require.NoError(t, err)
			*s = *r
			return nil
		}
	}
	t.Run("a number of another shipment is refused", func(t *testing.T) {
		err := st.Update(ctx, "S1", renumber(t, "S1-1", "S2-1"))
		ce, ok := errors.AsType[*ShipConflictError](err)
		require.True(t, ok, "error %v", err)
		assert.Equal(t, ShipConflictError{Shipment: "S1", TrackingNumber: "S2-1", Holder: "S2"}, *ce)
		assert.Equal(t, `postgres: tracking number "S2-1" of shipment "S1" belongs to shipment "S2"`, err.Error())
		for _, tn := range []string{"S1-1", "S1-2"} {
			id, err := st.ByTrackingNumber(ctx, tn)
			require.NoError(t, err)
			assert.Equal(t, ship.ID("S1"), id)
		}
		assert.Equal(t, int64(2), shipRevision(t, db, "S1"), "nothing written")
	})
	t.Run("numbers move with the shipment", func(t *testing.T) {
		require.NoError(t, st.Update(ctx, "S1", renumber(t, "S1-1", "S1-NEW")))
		_, err := st.ByTrackingNumber(ctx, "S1-2")
		assert.ErrorIs(t, err, ship.ErrNotFound)
		id, err := st.ByTrackingNumber(ctx, "S1-NEW")
		require.NoError(t, err)
		assert.Equal(t, ship.ID("S1"), id)
		// The freed number can be used by a new shipment.
		s3 := shiptest.Shipment(t, "S3", 1).Snapshot()
		s3.Packages[0].Label.TrackingNumber = "S1-2"
		r, err := ship.Restore(s3)
		require.NoError(t, err)
		require.NoError(t, st.Create(ctx, r))
		id, err = st.ByTrackingNumber(ctx, "S1-2")
		require.NoError(t, err)
		assert.Equal(t, ship.ID("S3"), id)
	})
}

// TestShipBadInput: bad input is a typed error and stores nothing;
// lookups of text no shipment can have are not found.
func TestShipBadInput(t *testing.T) {
	testURL(t)
	t.Parallel()
	db := testDB(t)
	st := NewShipStore(db)
	ctx := context.Background()
	assert.ErrorIs(t, st.Create(ctx, nil), ship.ErrInvalidShipment)
	require.NoError(t, st.Create(ctx, shiptest.Shipment(t, "S1", 1)))
	assert.ErrorIs(t, st.Update(ctx, "S1", nil), ship.ErrInvalidShipment)

	// Text no store can keep (a NUL character, bytes that are not UTF-8)
	// is refused by ship's own validation, so it never reaches the store;
	// shiptest holds every store to keeping the rest as given.
	snap := shiptest.Shipment(t, "S2", 1).Snapshot()
	snap.Destination = fulfill.Address{City: "Spring\x00field"}
	_, err := ship.Restore(snap)
	assert.ErrorIs(t, err, ship.ErrInvalidShipment)

	for _, bad := range []string{"S1\x00", "\xff", ""} {
		_, err := st.Shipment(ctx, ship.ID(bad))
		assert.ErrorIs(t, err, ship.ErrNotFound, "%q", bad)
		_, err = st.ByTrackingNumber(ctx, bad)
		assert.ErrorIs(t, err, ship.ErrNotFound, "%q", bad)
		assert.ErrorIs(t, st.Update(ctx, ship.ID(bad), func(*ship.Shipment) error { return nil }), ship.ErrNotFound, "%q", bad)
	}

	// Conflicts on Create are typed and name the holder of a number.
	err = st.Create(ctx, shiptest.Shipment(t, "S1", 2))
	ce, ok := errors.AsType[*ShipConflictError](err)
	require.True(t, ok, "error %v", err)
	assert.Equal(t, ShipConflictError{Shipment: "S1"}, *ce)
	other := shiptest.Shipment(t, "S1", 3).Snapshot()
	other.ID = "S3"
	s3, err := ship.Restore(other)
	require.NoError(t, err)
	err = st.Create(ctx, s3)
	ce, ok = errors.AsType[*ShipConflictError](err)
	require.True(t, ok, "error %v", err)
	assert.Equal(t, ShipConflictError{Shipment: "S3", TrackingNumber: "S1-1", Holder: "S1"}, *ce)
	for _, tn := range []string{"S1-2", "S1-3"} {
		_, err := st.ByTrackingNumber(ctx, tn)
		assert.ErrorIs(t, err, ship.ErrNotFound, "number %s of a refused shipment stored", tn)
	}

	// A row the store cannot decode is reported as corrupt.
	require.NoError(t, db.withConn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `UPDATE shipments SET snapshot = '{"id": 7}' WHERE id = 'S1'`)
		return err
	}))
	_, err = st.Shipment(ctx, "S1")
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.ErrorIs(t, st.Update(ctx, "S1", func(*ship.Shipment) error { return nil }), ErrCorrupt)
}

// TestShipCancelled: a cancelled context is returned as is.
func TestShipCancelled(t *testing.T) {
	testURL(t)
	t.Parallel()
	st := NewShipStore(testDB(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, st.Create(ctx, shiptest.Shipment(t, "S1", 1)), context.Canceled)
	_, err := st.Shipment(ctx, "S1")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = st.ByTrackingNumber(ctx, "S1-1")
	assert.ErrorIs(t, err, context.Canceled)
}

// skipRecorder is a testing.TB whose Skip records its message and stops
// the goroutine, as testing's does, without marking any real test skipped.
type skipRecorder struct {
	testing.TB
	msg string
}

func (r *skipRecorder) Helper() {}

func (r *skipRecorder) Skip(args ...any) {
	r.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

// TestSkipMessage: without a database, the PostgreSQL tests skip with a
// message naming the variable to set. (The message is checked, not
// logged: the CI looks for it in the test output.)
func TestSkipMessage(t *testing.T) {
	t.Setenv(envURL, "")
	r := &skipRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testURL(r)
		r.msg = "not skipped"
	}()
	<-done
	assert.True(t, strings.HasPrefix(r.msg, "FULFILL_TEST_DATABASE_URL is not set"), "skip message %q", r.msg)
}

func TestUnstorableText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   any
		want string
	}{
		{"Köln", ""},
		{"\ufffd", ""}, // a replacement character given as such is kept
		{`\ufffd`, ""}, // a backslash and "ufffd"
		{`\u0000`, ""},
		{"K\xf6ln", "text is not valid UTF-8"},
		{"a\x00b", "text contains a NUL character"},
		{[]string{`\`, "\x00"}, "text contains a NUL character"},
		{"tab\tnewline\n<&>", ""},
	} {
		b, err := json.Marshal(tc.in)
		require.NoError(t, err)
		assert.Equal(t, tc.want, unstorableText(b), "%s", b)
	}
}
