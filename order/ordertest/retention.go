package ordertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

// createKeyed places a new order for owner and stores it with an
// idempotency record under key created at at.
func createKeyed(s order.Store, owner fulfill.OwnerID, id fulfill.OrderID, key string, at time.Time) error {
	o, events, err := order.Place(id, owner, t0, place)
	if err != nil {
		return err
	}
	return s.Create(context.Background(), order.Change{Order: o, Events: events, Idempotency: &order.IdempotencyRecord{
		Owner: owner, Key: key, Command: order.CommandPlace, Fingerprint: "f-" + key, OrderID: id, Events: events, CreatedAt: at,
	}})
}

// kept reports which of the owner's keys have a record.
func kept(t *testing.T, s order.Store, owner fulfill.OwnerID, keys ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, k := range keys {
		_, err := s.Idempotency(context.Background(), owner, k)
		switch {
		case err == nil:
			out[k] = true
		case errors.Is(err, order.ErrNotFound):
			out[k] = false
		default:
			t.Fatalf("Idempotency(%s, %s): %v", owner, k, err)
		}
	}
	return out
}

// testPruneIdempotency checks which records PruneIdempotency drops: the
// owner's dated before the cutoff (exclusive, exact to the nanosecond,
// whatever the zones), never a record without a date nor another owner's.
func testPruneIdempotency(t *testing.T, s order.Store) {
	p := capability[order.IdempotencyPruner](t, s)
	ctx, r := context.Background(), seeded(t)
	for _, k := range []struct {
		owner fulfill.OwnerID
		key   string
		at    time.Time
	}{
		{"acme", "k0", t0},
		{"acme", "k1", t0.Add(time.Hour)},
		{"acme", "k2", t0.Add(2 * time.Hour)},
		{"acme", "undated", time.Time{}},
		{"globex", "k0", t0},
	} {
		if err := createKeyed(s, k.owner, newID(t, r), k.key, k.at); err != nil {
			t.Fatalf("Create with key %s of %s: %v", k.key, k.owner, err)
		}
	}
	acme := []string{"k0", "k1", "k2", "undated"}
	prune := func(owner fulfill.OwnerID, before time.Time, want int) {
		t.Helper()
		n, err := p.PruneIdempotency(ctx, owner, before)
		if err != nil || n != want {
			t.Errorf("PruneIdempotency(%s, %s) = %d, %v; want %d", owner, before.Format(time.RFC3339Nano), n, err, want)
		}
	}
	prune("acme", time.Time{}, 0)
	prune("acme", t0, 0) // the cutoff is exclusive
	prune("acme", t0.Add(time.Hour), 1)
	prune("acme", t0.Add(time.Hour), 0) // again: nothing left to drop
	if got := kept(t, s, "acme", acme...); !mapsEqual(got, map[string]bool{"k0": false, "k1": true, "k2": true, "undated": true}) {
		t.Errorf("after pruning before k1, acme's records: %v", got)
	}
	// One nanosecond after k1, given in another zone.
	prune("acme", t0.Add(time.Hour+time.Nanosecond).In(time.FixedZone("EST", -5*60*60)), 1)
	prune("acme", t0.Add(1000*time.Hour), 1)
	if got := kept(t, s, "acme", acme...); !mapsEqual(got, map[string]bool{"k0": false, "k1": false, "k2": false, "undated": true}) {
		t.Errorf("after pruning everything dated, acme's records: %v (a record without a date is kept)", got)
	}
	if got := kept(t, s, "globex", "k0"); !got["k0"] {
		t.Errorf("pruning acme dropped globex's record")
	}
	prune("initech", t0.Add(1000*time.Hour), 0)
	if _, err := p.PruneIdempotency(ctx, "", t0); !errors.Is(err, fulfill.ErrInvalidCode) {
		t.Errorf("PruneIdempotency of an invalid owner: %v, want ErrInvalidCode", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.PruneIdempotency(cancelled, "globex", t0.Add(time.Hour)); !errors.Is(err, context.Canceled) {
		t.Errorf("PruneIdempotency with a cancelled context: %v", err)
	}
	// A pruned key may be used again.
	if err := createKeyed(s, "acme", newID(t, r), "k0", t0.Add(2000*time.Hour)); err != nil {
		t.Errorf("Create under a pruned key: %v", err)
	}
	if err := createKeyed(s, "acme", newID(t, r), "undated", t0); !errors.Is(err, order.ErrIdempotencyConflict) {
		t.Errorf("Create under a kept key: %v, want ErrIdempotencyConflict", err)
	}
}

// mapsEqual reports whether two maps hold the same entries.
func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// testPruneServiceRetries checks what a retry through a Service gets: the
// first result while its record is kept, a new run once it is pruned.
func testPruneServiceRetries(t *testing.T, s order.Store) {
	p := capability[order.IdempotencyPruner](t, s)
	ctx := context.Background()
	clock := fulfill.NewFakeClock(t0)
	svc := &order.Service{Store: s, Clock: clock, Random: seeded(t)}
	first, err := svc.Place(ctx, "acme", "place-1", place)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	id := first.Order.ID()
	confirmed, err := svc.Execute(ctx, "acme", id, "confirm-1", order.ConfirmRequest{})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if n, err := p.PruneIdempotency(ctx, "acme", t0.Add(30*time.Minute)); err != nil || n != 1 {
		t.Fatalf("PruneIdempotency = %d, %v; want 1", n, err)
	}
	again, err := svc.Execute(ctx, "acme", id, "confirm-1", order.ConfirmRequest{})
	if err != nil {
		t.Fatalf("Confirm retried within the retention: %v", err)
	}
	if !again.Replayed || again.Events[0].ID != confirmed.Events[0].ID || again.Order.Version() != 2 {
		t.Errorf("Confirm retried within the retention: replayed %v, version %d; want the first result", again.Replayed, again.Order.Version())
	}
	placed, err := svc.Place(ctx, "acme", "place-1", place)
	if err != nil {
		t.Fatalf("Place retried after its record was pruned: %v", err)
	}
	if placed.Replayed || placed.Order.ID() == id {
		t.Errorf("Place retried after its record was pruned: replayed %v, order %s; want a new order", placed.Replayed, placed.Order.ID())
	}
	if got := get(t, s, "acme", id); got.Version() != 2 {
		t.Errorf("the first order is at version %d after the retries, want 2", got.Version())
	}
	// The new Place's record, taken now, replays.
	again, err = svc.Place(ctx, "acme", "place-1", place)
	if err != nil || !again.Replayed || again.Order.ID() != placed.Order.ID() {
		t.Errorf("Place retried again: %v; want the second order replayed", err)
	}
}

// eventsFrom reads the owner's whole log after a position, in pages of
// two.
func eventsFrom(t *testing.T, s order.Store, owner fulfill.OwnerID, after order.Position) []order.StoredEvent {
	t.Helper()
	var out []order.StoredEvent
	for {
		page, err := s.EventsAfter(context.Background(), owner, after, 2)
		if err != nil {
			t.Fatalf("EventsAfter(%s, %d): %v", owner, after, err)
		}
		if len(page) > 2 {
			t.Fatalf("EventsAfter returned %d events, limit 2", len(page))
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Position
	}
}

// sameEvents reports how got differs from want, by position and event ID,
// or "".
func sameEvents(got, want []order.StoredEvent) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d events, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Position != want[i].Position || got[i].Event.ID != want[i].Event.ID {
			return fmt.Sprintf("event %d at position %d is %s, want %s at %d", i, got[i].Position, got[i].Event.ID, want[i].Event.ID, want[i].Position)
		}
	}
	return ""
}

// testTrimEvents trims an owner's log one event at a time and pages it
// from every position after each trim: a page starts at the first event
// kept, positions never change, other owners' logs are untouched, repeated
// and earlier trims drop nothing, bad ones fail, new events number on and
// the orders stay readable and writable.
func testTrimEvents(t *testing.T, s order.Store) {
	tr := capability[order.EventTrimmer](t, s)
	ctx, r := context.Background(), seeded(t)
	var orders []*order.Order
	for i := range 3 {
		o, _ := create(t, s, "acme", newID(t, r))
		create(t, s, "globex", newID(t, r))
		c := change(t, o, hold(fmt.Sprint("h", i)))
		if err := s.Save(ctx, c); err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	log := eventsFrom(t, s, "acme", 0)
	globex := eventsFrom(t, s, "globex", 0)
	if len(log) != 6 || len(globex) != 3 {
		t.Fatalf("logs of %d and %d events, want 6 and 3", len(log), len(globex))
	}
	trim := func(owner fulfill.OwnerID, through order.Position, want int) {
		t.Helper()
		n, err := tr.TrimEvents(ctx, owner, through)
		if err != nil || n != want {
			t.Fatalf("TrimEvents(%s, %d) = %d, %v; want %d", owner, through, n, err, want)
		}
	}
	positions := []order.Position{0}
	for _, se := range log {
		positions = append(positions, se.Position)
	}
	for i, through := range positions {
		trim("acme", through, min(i, 1))
		trim("acme", through, 0) // again
		trim("acme", 0, 0)       // earlier
		for j, after := range positions {
			want := log[max(i, j):]
			if diff := sameEvents(eventsFrom(t, s, "acme", after), want); diff != "" {
				t.Errorf("trimmed through %d, paging after %d: %s", through, after, diff)
			}
		}
		if diff := sameEvents(eventsFrom(t, s, "globex", 0), globex); diff != "" {
			t.Errorf("trimmed acme through %d, globex's log: %s", through, diff)
		}
	}
	last := log[len(log)-1].Position
	for _, bad := range []order.Position{-1, last + 1} {
		if n, err := tr.TrimEvents(ctx, "acme", bad); n != 0 || !errors.Is(err, order.ErrInvalidOrder) {
			t.Errorf("TrimEvents through %d of %d = %d, %v; want ErrInvalidOrder", bad, last, n, err)
		}
	}
	if n, err := tr.TrimEvents(ctx, "initech", 0); n != 0 || err != nil {
		t.Errorf("TrimEvents of an owner without events through 0 = %d, %v; want 0", n, err)
	}
	if _, err := tr.TrimEvents(ctx, "initech", 1); !errors.Is(err, order.ErrInvalidOrder) {
		t.Errorf("TrimEvents of an owner without events through 1: %v, want ErrInvalidOrder", err)
	}
	if _, err := tr.TrimEvents(ctx, "", 0); !errors.Is(err, fulfill.ErrInvalidCode) {
		t.Errorf("TrimEvents of an invalid owner: %v, want ErrInvalidCode", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := tr.TrimEvents(cancelled, "globex", 0); !errors.Is(err, context.Canceled) {
		t.Errorf("TrimEvents with a cancelled context: %v", err)
	}
	// The orders are whole, and new events number on.
	for _, o := range orders {
		if got := get(t, s, "acme", o.ID()); snap(t, got) != snap(t, o) {
			t.Errorf("order %s changed when its events were trimmed", o.ID())
		}
	}
	c := change(t, orders[0], hold("h-after"))
	if err := s.Save(ctx, c); err != nil {
		t.Fatalf("Save after trimming: %v", err)
	}
	tail := eventsFrom(t, s, "acme", 0)
	if len(tail) != 1 || tail[0].Event.ID != c.Events[0].ID || tail[0].Position <= last {
		t.Fatalf("after trimming everything and saving: %+v, want the new event after position %d", tail, last)
	}
	if got := eventsFrom(t, s, "acme", last); sameEvents(got, tail) != "" {
		t.Errorf("paging after the last trimmed position: %s", sameEvents(got, tail))
	}
	trim("acme", tail[0].Position, 1)
	if diff := sameEvents(eventsFrom(t, s, "globex", 0), globex); diff != "" {
		t.Errorf("globex's log: %s", diff)
	}
}

// testRetentionConcurrent has writers place and change orders under
// idempotency keys dated from a shared counter while a relay follows the
// log and trims what it read and a pruner prunes the records up to half
// the counter. The relay reads every event once, in position order; the
// trims drop each event once; after a last prune exactly the records dated
// before its cutoff are gone, each counted once.
func testRetentionConcurrent(t *testing.T, s order.Store) {
	tr, p := capability[order.EventTrimmer](t, s), capability[order.IdempotencyPruner](t, s)
	ctx, r := context.Background(), seeded(t)
	const writers, rounds = 4, 8
	ids := make([][]fulfill.OrderID, writers)
	for w := range ids {
		for range rounds {
			ids[w] = append(ids[w], newID(t, r))
		}
	}
	var (
		clock   atomic.Int64 // seconds after t0 of the last record dated
		written atomic.Int64 // events written
		dates   sync.Map     // key -> time.Time
		wg      sync.WaitGroup
	)
	date := func(key string) time.Time {
		at := t0.Add(time.Duration(clock.Add(1)) * time.Second)
		dates.Store(key, at)
		return at
	}
	errs := make(chan error, writers+2)
	for w := range writers {
		wg.Go(func() {
			for i, id := range ids[w] {
				key := fmt.Sprint("place-", w, "-", i)
				if err := createKeyed(s, "acme", id, key, date(key)); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				written.Add(1)
				o, err := s.Get(ctx, "acme", id)
				if err != nil {
					errs <- err
					return
				}
				v := o.Version()
				events, err := o.Execute(t0, hold("h"))
				if err != nil {
					errs <- err
					return
				}
				c := order.Change{Order: o, ExpectedVersion: v, Events: events}
				key = fmt.Sprint("hold-", w, "-", i)
				c.Idempotency = &order.IdempotencyRecord{Owner: "acme", Key: key, Command: order.CommandHold, Fingerprint: key, OrderID: id, Events: c.Events, CreatedAt: date(key)}
				if err := s.Save(ctx, c); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				written.Add(int64(len(c.Events)))
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var pruned, trimmed int
	var read []order.StoredEvent
	var relays sync.WaitGroup
	relays.Go(func() { // the pruner
		for {
			select {
			case <-done:
				return
			default:
			}
			n, err := p.PruneIdempotency(ctx, "acme", t0.Add(time.Duration(clock.Load()/2)*time.Second))
			if err != nil {
				errs <- fmt.Errorf("pruner: %w", err)
				return
			}
			pruned += n
		}
	})
	relays.Go(func() { // the relay
		seen := map[string]bool{}
		var after order.Position
		for finished := false; ; {
			select {
			case <-done:
				finished = true
			default:
			}
			page, err := s.EventsAfter(ctx, "acme", after, 3)
			if err != nil {
				errs <- fmt.Errorf("relay: %w", err)
				return
			}
			for _, se := range page {
				if se.Position <= after || seen[se.Event.ID.String()] {
					errs <- fmt.Errorf("relay: event %s at position %d after %d read twice or out of order", se.Event.ID, se.Position, after)
					return
				}
				seen[se.Event.ID.String()] = true
				read = append(read, se)
				after = se.Position
			}
			if len(page) > 0 {
				n, err := tr.TrimEvents(ctx, "acme", after)
				if err != nil {
					errs <- fmt.Errorf("relay: %w", err)
					return
				}
				trimmed += n
			}
			if finished && len(page) == 0 {
				return
			}
		}
	})
	relays.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if int64(len(read)) != written.Load() || int64(trimmed) != written.Load() {
		t.Errorf("%d events written, %d read and %d trimmed", written.Load(), len(read), trimmed)
	}
	if rest := eventsFrom(t, s, "acme", 0); len(rest) != 0 {
		t.Errorf("%d events left after trimming all the relay read", len(rest))
	}
	cutoff := t0.Add(time.Duration(clock.Load()/2) * time.Second)
	n, err := p.PruneIdempotency(ctx, "acme", cutoff)
	if err != nil {
		t.Fatal(err)
	}
	pruned += n
	before := 0
	dates.Range(func(k, v any) bool {
		key, at := k.(string), v.(time.Time)
		if at.Before(cutoff) {
			before++
		}
		if got := kept(t, s, "acme", key)[key]; got != !at.Before(cutoff) {
			t.Errorf("record %s dated %s: kept %v after pruning before %s", key, at.Format(time.RFC3339), got, cutoff.Format(time.RFC3339))
		}
		return true
	})
	if pruned != before {
		t.Errorf("the prunes counted %d records, %d were dated before the cutoff", pruned, before)
	}
}
