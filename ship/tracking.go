package ship

import (
	"cmp"
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"
)

// MaxEvents is the most events one package's [Tracking] keeps; further
// events are refused with an error wrapping [ErrInvalidEvent].
const MaxEvents = 10_000

// Tracking is the tracking history of one package and the status derived
// from it. Events may arrive in any order and more than once: each distinct
// event (by [Event.Key]) is kept once, the history is ordered by the
// carrier's timestamps (ties by progress, then key), and the status is the
// state machine run over that history from [StatusPreTransit]. An event the
// machine forbids at its place (a scan after delivery, say) is kept but not
// applied, and reported by [Tracking.Anomalies]; an "unknown" event after a
// known status is ignored without being an anomaly.
//
// The result depends only on the set of events, never on their arrival
// order. The zero Tracking is an empty history in pre-transit. A Tracking
// does not check tracking numbers ([Shipment.Ingest] routes events by
// them) and is not safe for concurrent use.
type Tracking struct {
	arrived []Event          // distinct events in arrival order
	events  []entry          // the same in carrier-time order
	states  []Status         // states[i]: the status after events[:i+1]
	applied []bool           // applied[i]: whether events[i] moved or kept the status
	keys    map[string]int32 // event key -> index in arrived, for idempotency
}

// entry is what ordering and folding need of an event, computed once, and
// where the event is in arrival order. It is small, so inserting in the
// middle of the history moves little memory.
type entry struct {
	At     time.Time
	Status Status
	rank   int
	key    string
	idx    int32
}

func newEntry(e Event, key string, idx int32) entry {
	return entry{At: e.At, Status: e.Status, rank: e.Status.rank(), key: key, idx: idx}
}

// Change is what one ingested event did to a package: the domain event a
// host can persist or publish.
type Change struct {
	TrackingNumber string
	Key            string // the event's idempotency key
	Duplicate      bool   // the event was seen before; nothing changed
	From, To       Status // the package's status before and after
	At             time.Time
}

// Changed reports whether the package's status moved.
func (c Change) Changed() bool { return c.From != c.To }

// Status returns the current status.
func (t *Tracking) Status() Status {
	if len(t.states) == 0 {
		return StatusPreTransit
	}
	return t.states[len(t.states)-1]
}

// Can reports whether an event reporting status s would be applied now,
// at the end of the history: [Status.Can] from the current status.
func (t *Tracking) Can(s Status) bool { return t.Status().Can(s) }

// Next returns the statuses the package may move to from its current
// status.
func (t *Tracking) Next() iter.Seq[Status] { return t.Status().Next() }

// Len returns the number of distinct events.
func (t *Tracking) Len() int { return len(t.events) }

// Events returns the distinct events in carrier-time order.
func (t *Tracking) Events() iter.Seq[Event] {
	return func(yield func(Event) bool) {
		for _, e := range t.events {
			if !yield(t.arrived[e.idx]) {
				return
			}
		}
	}
}

// StatusAt returns the status as of time at, from the events that happened
// at or before it.
func (t *Tracking) StatusAt(at time.Time) Status {
	i, _ := slices.BinarySearchFunc(t.events, at, func(e entry, at time.Time) int {
		if e.At.After(at) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return StatusPreTransit
	}
	return t.states[i-1]
}

// Since returns when the package entered its current status: the time of
// the event that moved it there, or the zero time in pre-transit with no
// event.
func (t *Tracking) Since() time.Time {
	var at time.Time
	prev := StatusPreTransit
	for i, e := range t.events {
		if t.states[i] != prev {
			at, prev = e.At, t.states[i]
		}
	}
	return at
}

// Anomalies returns the events that were kept but not applied because the
// state machine forbids them where they fall in time, each as a
// *[TransitionError] naming the status they met. Unknown-status events are
// not anomalies.
func (t *Tracking) Anomalies() []*TransitionError {
	var out []*TransitionError
	for i, e := range t.events {
		if t.applied[i] || e.Status == StatusUnknown {
			continue
		}
		from := StatusPreTransit
		if i > 0 {
			from = t.states[i-1]
		}
		out = append(out, &TransitionError{From: from, To: e.Status, Event: e.key, At: e.At})
	}
	return out
}

// Ingest adds e to the history, unless its key was seen before, and
// re-derives the status. A duplicate returns a Change with Duplicate set and
// no error; the same key with different content returns an
// *[EventConflictError]; an invalid event returns the errors of
// [Event.Validate]. On error nothing changes.
func (t *Tracking) Ingest(e Event) (Change, error) {
	if err := e.Validate(); err != nil {
		return Change{}, err
	}
	key := e.Key()
	from := t.Status()
	c := Change{TrackingNumber: e.TrackingNumber, Key: key, From: from, To: from, At: e.At}
	if i, ok := t.keys[key]; ok {
		if old := t.arrived[i]; !old.Same(e) {
			return Change{}, &EventConflictError{Key: key, Stored: old, Given: e}
		}
		c.Duplicate = true
		return c, nil
	}
	if len(t.events) >= MaxEvents {
		return Change{}, fmt.Errorf("%w: package %s already has %d events", ErrInvalidEvent, e.TrackingNumber, MaxEvents)
	}
	if t.keys == nil {
		t.keys = make(map[string]int32)
	}
	idx := int32(len(t.arrived))
	t.keys[key] = idx
	t.arrived = append(t.arrived, e)
	n := newEntry(e, key, idx)
	i, _ := slices.BinarySearchFunc(t.events, n, compareEntries)
	t.events = slices.Insert(t.events, i, n)
	t.states = slices.Insert(t.states, i, StatusPreTransit)
	t.applied = slices.Insert(t.applied, i, false)
	t.fold(i)
	c.To = t.Status()
	return c, nil
}

// fold re-runs the state machine from event i to the end.
func (t *Tracking) fold(i int) {
	cur := StatusPreTransit
	if i > 0 {
		cur = t.states[i-1]
	}
	for ; i < len(t.events); i++ {
		s := t.events[i].Status
		t.applied[i] = cur.Can(s)
		if t.applied[i] {
			cur = s
		}
		t.states[i] = cur
	}
}

// compareEntries orders events by carrier time, then by progress, then by key.
func compareEntries(a, b entry) int {
	return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.rank, b.rank), cmp.Compare(a.key, b.key))
}

// clone returns a deep copy of t.
func (t *Tracking) clone() *Tracking {
	return &Tracking{
		arrived: slices.Clone(t.arrived),
		events:  slices.Clone(t.events),
		states:  slices.Clone(t.states),
		applied: slices.Clone(t.applied),
		keys:    maps.Clone(t.keys),
	}
}
