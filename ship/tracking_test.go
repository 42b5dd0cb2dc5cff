package ship

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ev(id string, s Status, at string) Event {
	return Event{ID: id, TrackingNumber: "1Z1", Carrier: "ups", Status: s, At: ts(at)}
}

func TestTrackingInOrder(t *testing.T) {
	var tr Tracking
	assert.Equal(t, StatusPreTransit, tr.Status())
	assert.True(t, tr.Since().IsZero())
	steps := []struct {
		e    Event
		want Status
	}{
		{ev("a", StatusInTransit, "2026-11-20T10:00:00Z"), StatusInTransit},
		{ev("b", StatusInTransit, "2026-11-20T18:00:00Z"), StatusInTransit},
		{ev("c", StatusOutForDelivery, "2026-11-21T07:00:00Z"), StatusOutForDelivery},
		{ev("d", StatusDelivered, "2026-11-21T12:00:00Z"), StatusDelivered},
	}
	for _, s := range steps {
		c, err := tr.Ingest(s.e)
		require.NoError(t, err)
		assert.False(t, c.Duplicate)
		assert.Equal(t, s.want, c.To)
		assert.Equal(t, s.want, tr.Status())
	}
	assert.Equal(t, 4, tr.Len())
	assert.Empty(t, tr.Anomalies())
	assert.False(t, tr.Can(StatusInTransit), "delivered is terminal")
	assert.True(t, tr.Can(StatusDelivered))
	assert.Empty(t, slices.Collect(tr.Next()))
	var fresh Tracking
	assert.Equal(t, slices.Collect(StatusPreTransit.Next()), slices.Collect(fresh.Next()))
	assert.Equal(t, ts("2026-11-21T12:00:00Z"), tr.Since())
	assert.Equal(t, StatusInTransit, tr.StatusAt(ts("2026-11-20T23:00:00Z")))
	assert.Equal(t, StatusPreTransit, tr.StatusAt(ts("2026-11-20T09:59:59Z")))
	assert.Equal(t, StatusInTransit, tr.StatusAt(ts("2026-11-20T10:00:00Z")))
	assert.Equal(t, StatusDelivered, tr.StatusAt(ts("2030-01-01T00:00:00Z")))
}

func TestTrackingDuplicateAndOutOfOrder(t *testing.T) {
	var tr Tracking
	delivered := ev("d", StatusDelivered, "2026-11-21T12:00:00Z")
	c, err := tr.Ingest(delivered)
	require.NoError(t, err)
	assert.Equal(t, Change{TrackingNumber: "1Z1", Key: "id:d", From: StatusPreTransit, To: StatusDelivered, At: delivered.At}, c)

	// The in-transit scan arrives late: it slots in before delivery and
	// changes nothing.
	c, err = tr.Ingest(ev("a", StatusInTransit, "2026-11-20T10:00:00Z"))
	require.NoError(t, err)
	assert.False(t, c.Changed())
	assert.Equal(t, StatusDelivered, tr.Status())

	// The webhook is delivered again.
	c, err = tr.Ingest(delivered)
	require.NoError(t, err)
	assert.True(t, c.Duplicate)
	assert.Equal(t, 2, tr.Len())

	// Same ID, different content: a conflict, and nothing changes.
	changed := delivered
	changed.Status = StatusDeliveryException
	_, err = tr.Ingest(changed)
	require.ErrorIs(t, err, ErrEventConflict)
	ce, ok := errors.AsType[*EventConflictError](err)
	require.True(t, ok)
	assert.Equal(t, "id:d", ce.Key)
	assert.Equal(t, 2, tr.Len())

	got := slices.Collect(tr.Events())
	assert.Equal(t, []string{"a", "d"}, []string{got[0].ID, got[1].ID})
}

func TestTrackingAnomalies(t *testing.T) {
	var tr Tracking
	for _, e := range []Event{
		ev("a", StatusInTransit, "2026-11-20T10:00:00Z"),
		ev("b", StatusDelivered, "2026-11-21T12:00:00Z"),
		ev("c", StatusInTransit, "2026-11-21T13:00:00Z"), // a scan after delivery
		ev("u", StatusUnknown, "2026-11-20T11:00:00Z"),   // unknown after a known status
	} {
		_, err := tr.Ingest(e)
		require.NoError(t, err)
	}
	assert.Equal(t, StatusDelivered, tr.Status())
	an := tr.Anomalies()
	require.Len(t, an, 1)
	assert.Equal(t, &TransitionError{From: StatusDelivered, To: StatusInTransit, Event: "id:c", At: ts("2026-11-21T13:00:00Z")}, an[0])
	assert.ErrorIs(t, an[0], ErrInvalidTransition)

	// Same timestamp: progress order decides, whatever the arrival order.
	var a, b Tracking
	x, y := ev("x", StatusDelivered, "2026-11-21T12:00:00Z"), ev("y", StatusOutForDelivery, "2026-11-21T12:00:00Z")
	_, _ = a.Ingest(x)
	_, _ = a.Ingest(y)
	_, _ = b.Ingest(y)
	_, _ = b.Ingest(x)
	assert.Equal(t, StatusDelivered, a.Status())
	assert.Equal(t, StatusDelivered, b.Status())
}

func TestTrackingInvalidEvent(t *testing.T) {
	var tr Tracking
	_, err := tr.Ingest(Event{TrackingNumber: "1", Status: "lost", At: ts("2026-11-20T10:00:00Z")})
	assert.ErrorIs(t, err, ErrInvalidEvent)
	_, err = tr.Ingest(Event{TrackingNumber: "1", Status: StatusInTransit})
	assert.ErrorIs(t, err, ErrInvalidEvent)
	assert.Equal(t, 0, tr.Len())
}

// foldAll is the reference: sort the distinct events and run the machine.
func foldAll(events []Event) (Status, []string, int) {
	seen := map[string]bool{}
	var es []entry
	for _, e := range events {
		if k := e.Key(); !seen[k] {
			seen[k] = true
			es = append(es, newEntry(e, k, 0))
		}
	}
	slices.SortFunc(es, compareEntries)
	cur, anomalies := StatusPreTransit, 0
	var keys []string
	for _, e := range es {
		keys = append(keys, e.key)
		if cur.Can(e.Status) {
			cur = e.Status
		} else if e.Status != StatusUnknown {
			anomalies++
		}
	}
	return cur, keys, anomalies
}

// randomEvents returns n events of one package with random statuses and
// times (some equal), some without IDs.
func randomEvents(r *rand.Rand, n int) []Event {
	base := ts("2026-11-20T00:00:00Z")
	out := make([]Event, n)
	for i := range out {
		out[i] = Event{TrackingNumber: "1Z1", Status: statuses[r.IntN(len(statuses))],
			At: base.Add(time.Duration(r.IntN(3*n)) * time.Hour)}
		if r.IntN(3) > 0 {
			out[i].ID = fmt.Sprintf("e%d", i)
		} else {
			out[i].Message = fmt.Sprintf("scan %d", i)
		}
	}
	return out
}

// TestTrackingOrderIndependent: whatever the arrival order and however many
// duplicates, the history and status are those of the sorted distinct set.
func TestTrackingOrderIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for round := range 300 {
		events := randomEvents(r, 1+r.IntN(25))
		wantStatus, wantKeys, wantAnomalies := foldAll(events)
		stream := slices.Clone(events)
		for range r.IntN(len(events) + 1) { // at-least-once delivery
			stream = append(stream, events[r.IntN(len(events))])
		}
		r.Shuffle(len(stream), func(i, j int) { stream[i], stream[j] = stream[j], stream[i] })
		var tr Tracking
		dups := 0
		for _, e := range stream {
			c, err := tr.Ingest(e)
			require.NoError(t, err)
			if c.Duplicate {
				dups++
			}
			require.Equal(t, tr.Status(), c.To)
		}
		require.Equal(t, len(stream)-len(wantKeys), dups, "round %d", round)
		require.Equal(t, wantStatus, tr.Status(), "round %d", round)
		var keys []string
		for e := range tr.Events() {
			keys = append(keys, e.Key())
		}
		require.Equal(t, wantKeys, keys, "round %d", round)
		require.Len(t, tr.Anomalies(), wantAnomalies, "round %d", round)
	}
}
