package ordertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

// Run checks the store that newStore returns against the [order.Store]
// contract: owner isolation, copies in and out, optimistic versions, the
// event log read by position, idempotency records written with their
// change, and racing writers (no lost update, every conflict reported).
// The optional capabilities, [order.Expirer], [order.IdempotencyPruner]
// and [order.EventTrimmer], are checked if the store has them and skipped
// otherwise.
// newStore is called once per subtest and must return an empty store.
func Run(t *testing.T, newStore func(t *testing.T) order.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s order.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"CreateTwice", testCreateTwice},
		{"SaveChecksVersion", testSaveChecksVersion},
		{"SaveChecksOwner", testSaveChecksOwner},
		{"CopiesAreIndependent", testCopies},
		{"EventsAfter", testEventsAfter},
		{"LogReplaysToStoredOrder", testLogReplays},
		{"Idempotency", testIdempotency},
		{"RacingStaleWriters", testRacingStaleWriters},
		{"ConcurrentWritersLoseNothing", testNoLostUpdate},
		{"RaceForTheLastUnits", testRaceForLastUnits},
		{"ServiceRetries", testServiceRetries},
		{"ServiceConcurrentRetries", testServiceConcurrentRetries},
		{"ExpiringBy", testExpiringBy},
		{"ExpiringMatchesBruteForce", testExpiringMatchesBruteForce},
		{"ServiceExpireDue", testServiceExpireDue},
		{"PruneIdempotency", testPruneIdempotency},
		{"PruneThenRetry", testPruneServiceRetries},
		{"TrimEvents", testTrimEvents},
		{"RetentionConcurrent", testRetentionConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

var (
	t0    = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	usd   = fulfill.Currency("USD")
	place = order.PlaceRequest{
		Channel:  order.ChannelWeb,
		ShipTo:   fulfill.Address{Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"},
		Currency: usd,
		Lines: []order.NewLine{
			{SKU: "A", Quantity: 3, UnitPrice: fulfill.MustMoney("10.00", usd)},
			{SKU: "B", Quantity: 1, UnitPrice: fulfill.MustMoney("2.50", usd)},
		},
	}
)

// newID returns a fresh order ID from a seeded source.
func newID(t *testing.T, r *rand.ChaCha8) fulfill.OrderID {
	t.Helper()
	id, err := fulfill.NewOrderID(r)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// seeded returns a random source for IDs, seeded per test.
func seeded(t *testing.T) *rand.ChaCha8 {
	var seed [32]byte
	copy(seed[:], t.Name())
	return rand.NewChaCha8(seed)
}

// create places a new order for owner and stores it.
func create(t *testing.T, s order.Store, owner fulfill.OwnerID, id fulfill.OrderID) (*order.Order, []order.Event) {
	t.Helper()
	o, events, err := order.Place(id, owner, t0, place)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(context.Background(), order.Change{Order: o, Events: events}); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return o, events
}

// change runs r on o and returns the change to save.
func change(t *testing.T, o *order.Order, r order.Request) order.Change {
	t.Helper()
	v := o.Version()
	events, err := o.Execute(t0.Add(time.Duration(v)*time.Minute), r)
	if err != nil {
		t.Fatalf("%s: %v", r.Command(), err)
	}
	return order.Change{Order: o, ExpectedVersion: v, Events: events}
}

// snap returns the JSON of o's snapshot, for comparisons.
func snap(t *testing.T, o *order.Order) string {
	t.Helper()
	b, err := json.Marshal(o.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// get reads an order that must exist.
func get(t *testing.T, s order.Store, owner fulfill.OwnerID, id fulfill.OrderID) *order.Order {
	t.Helper()
	o, err := s.Get(context.Background(), owner, id)
	if err != nil {
		t.Fatalf("Get(%s, %s): %v", owner, id, err)
	}
	return o
}

func hold(id string) order.HoldRequest {
	return order.HoldRequest{Holds: []order.Hold{{ID: id, Kind: order.HoldCustomerRequest, Source: "test"}}}
}

func testCreateAndGet(t *testing.T, s order.Store) {
	ctx, r := context.Background(), seeded(t)
	id := newID(t, r)
	o, _ := create(t, s, "acme", id)
	if got := get(t, s, "acme", id); snap(t, got) != snap(t, o) {
		t.Errorf("Get returned\n%s\nwant\n%s", snap(t, got), snap(t, o))
	}
	if _, err := s.Get(ctx, "globex", id); !errors.Is(err, order.ErrNotFound) {
		t.Errorf("Get by another owner: %v, want ErrNotFound", err)
	}
	if _, err := s.Get(ctx, "acme", newID(t, r)); !errors.Is(err, order.ErrNotFound) {
		t.Errorf("Get of an unknown order: %v, want ErrNotFound", err)
	}
}

func testCreateTwice(t *testing.T, s order.Store) {
	ctx, r := context.Background(), seeded(t)
	id := newID(t, r)
	create(t, s, "acme", id)
	for _, owner := range []fulfill.OwnerID{"acme", "globex"} {
		o, events, err := order.Place(id, owner, t0, place)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, order.Change{Order: o, Events: events}); !errors.Is(err, order.ErrAlreadyExists) {
			t.Errorf("second Create by %s: %v, want ErrAlreadyExists", owner, err)
		}
	}
	if _, err := s.Get(ctx, "globex", id); !errors.Is(err, order.ErrNotFound) {
		t.Errorf("Get by another owner after a refused Create: %v, want ErrNotFound", err)
	}
}

func testSaveChecksVersion(t *testing.T, s order.Store) {
	ctx, r := context.Background(), seeded(t)
	id := newID(t, r)
	create(t, s, "acme", id)
	a, b := get(t, s, "acme", id), get(t, s, "acme", id)
	if err := s.Save(ctx, change(t, a, order.ConfirmRequest{})); err != nil {
		t.Fatalf("Save: %v", err)
	}
	err := s.Save(ctx, change(t, b, hold("h1")))
	if !errors.Is(err, order.ErrConflict) {
		t.Fatalf("stale Save: %v, want ErrConflict", err)
	}
	if ce, ok := errors.AsType[*order.ConflictError](err); ok && (ce.Expected != 1 || ce.Actual != 2) {
		t.Errorf("ConflictError says expected %d, stored %d; want 1 and 2", ce.Expected, ce.Actual)
	}
	got := get(t, s, "acme", id)
	if got.Version() != 2 || len(got.Holds()) != 0 || got.Status() != order.StatusConfirmed {
		t.Errorf("after a stale write: version %d, holds %v, status %s; want 2, none, confirmed", got.Version(), got.Holds(), got.Status())
	}
	if snap(t, got) != snap(t, a) {
		t.Errorf("stored order differs from the one saved")
	}
}

func testSaveChecksOwner(t *testing.T, s order.Store) {
	ctx, r := context.Background(), seeded(t)
	id := newID(t, r)
	create(t, s, "acme", id)
	other, _, err := order.Place(id, "globex", t0, place)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, change(t, other, order.ConfirmRequest{})); !errors.Is(err, order.ErrNotFound) {
		t.Errorf("Save of another owner's order: %v, want ErrNotFound", err)
	}
	if got := get(t, s, "acme", id); got.Confirmed() || got.Owner() != "acme" {
		t.Errorf("another owner's Save changed the order")
	}
}

func testCopies(t *testing.T, s order.Store) {
	ctx, r := context.Background(), seeded(t)
	id := newID(t, r)
	o, _ := create(t, s, "acme", id)
	if _, err := o.Confirm(t0); err != nil {
		t.Fatal(err)
	}
	if get(t, s, "acme", id).Confirmed() {
		t.Errorf("changing the order passed to Create changed the stored order")
	}
	a := get(t, s, "acme", id)
	c := change(t, a, order.ConfirmRequest{})
	if err := s.Save(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Hold(t0, hold("h1")); err != nil {
		t.Fatal(err)
	}
	b := get(t, s, "acme", id)
	if len(b.Holds()) != 0 {
		t.Errorf("changing the order passed to Save changed the stored order")
	}
	if _, err := b.Hold(t0, hold("h2")); err != nil {
		t.Fatal(err)
	}
	if len(get(t, s, "acme", id).Holds()) != 0 {
		t.Errorf("changing an order returned by Get changed the stored order")
	}
}

func testEventsAfter(t *testing.T, s order.Store) {
	ctx, r := context.Background(), seeded(t)
	var want []order.Event
	for i := range 3 {
		o, events := create(t, s, "acme", newID(t, r))
		want = append(want, events...)
		create(t, s, "globex", newID(t, r))
		c := change(t, o, hold(fmt.Sprint("h", i)))
		if err := s.Save(ctx, c); err != nil {
			t.Fatal(err)
		}
		want = append(want, c.Events...)
	}
	var got []order.StoredEvent
	var after order.Position
	for {
		page, err := s.EventsAfter(ctx, "acme", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 2 {
			t.Fatalf("EventsAfter returned %d events, limit 2", len(page))
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		after = page[len(page)-1].Position
	}
	if len(got) != len(want) {
		t.Fatalf("read %d events of acme, want %d", len(got), len(want))
	}
	for i, se := range got {
		if i > 0 && se.Position <= got[i-1].Position {
			t.Errorf("positions not increasing: %d after %d", se.Position, got[i-1].Position)
		}
		if se.Event.Owner != "acme" {
			t.Errorf("event of owner %q in acme's log", se.Event.Owner)
		}
		if se.Event.ID != want[i].ID || se.Event.Type() != want[i].Type() || se.Event.Version != want[i].Version {
			t.Errorf("event %d is %s v%d %s, want %s v%d %s", i, se.Event.ID, se.Event.Version, se.Event.Type(), want[i].ID, want[i].Version, want[i].Type())
		}
	}
	all, err := s.EventsAfter(ctx, "acme", 0, 0)
	if err != nil || len(all) != len(want) {
		t.Errorf("EventsAfter with limit 0 returned %d events (err %v), want %d", len(all), err, len(want))
	}
	if tail, err := s.EventsAfter(ctx, "acme", got[len(got)-1].Position, 10); err != nil || len(tail) != 0 {
		t.Errorf("EventsAfter the last position returned %d events, %v", len(tail), err)
	}
	if none, err := s.EventsAfter(ctx, "initech", 0, 10); err != nil || len(none) != 0 {
		t.Errorf("EventsAfter of an owner without orders returned %d events, %v", len(none), err)
	}
}

func testLogReplays(t *testing.T, s order.Store) {
	ctx, r := context.Background(), seeded(t)
	id := newID(t, r)
	o, _ := create(t, s, "acme", id)
	for _, rq := range []order.Request{
		order.ConfirmRequest{},
		order.AllocateRequest{Location: "WH1", Lines: []order.LineQuantity{{Line: 1, Quantity: 3}, {Line: 2, Quantity: 1}}},
		order.ShipRequest{Shipment: "S1", Fulfillment: 1, Lines: []order.LineQuantity{{Line: 1, Quantity: 2}}},
		order.CancelRequest{Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}},
	} {
		if err := s.Save(ctx, change(t, o, rq)); err != nil {
			t.Fatal(err)
		}
	}
	log, err := s.EventsAfter(ctx, "acme", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var events []order.Event
	for _, se := range log {
		if se.Event.OrderID == id {
			events = append(events, se.Event)
		}
	}
	got, err := order.Replay(events)
	if err != nil {
		t.Fatalf("Replay of the log: %v", err)
	}
	if snap(t, got) != snap(t, get(t, s, "acme", id)) {
		t.Errorf("replaying the log differs from the stored order")
	}
}

func testIdempotency(t *testing.T, s order.Store) {
	ctx, r := context.Background(), seeded(t)
	id := newID(t, r)
	create(t, s, "acme", id)
	o := get(t, s, "acme", id)
	c := change(t, o, order.ConfirmRequest{})
	c.Idempotency = &order.IdempotencyRecord{Owner: "acme", Key: "k1", Command: order.CommandConfirm, Fingerprint: "f1", OrderID: id, Events: c.Events, CreatedAt: t0}
	if err := s.Save(ctx, c); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Idempotency(ctx, "acme", "k1")
	if err != nil {
		t.Fatalf("Idempotency: %v", err)
	}
	if rec.Fingerprint != "f1" || rec.OrderID != id || rec.Command != order.CommandConfirm || len(rec.Events) != 1 || rec.Events[0].ID != c.Events[0].ID {
		t.Errorf("Idempotency returned %+v", rec)
	}
	if _, err := s.Idempotency(ctx, "globex", "k1"); !errors.Is(err, order.ErrNotFound) {
		t.Errorf("another owner's key: %v, want ErrNotFound", err)
	}
	before, _ := s.EventsAfter(ctx, "acme", 0, 1000)
	o = get(t, s, "acme", id)
	c2 := change(t, o, hold("h1"))
	c2.Idempotency = &order.IdempotencyRecord{Owner: "acme", Key: "k1", Command: order.CommandHold, Fingerprint: "f2", OrderID: id, Events: c2.Events, CreatedAt: t0}
	if err := s.Save(ctx, c2); !errors.Is(err, order.ErrIdempotencyConflict) {
		t.Fatalf("Save reusing a key: %v, want ErrIdempotencyConflict", err)
	}
	after, _ := s.EventsAfter(ctx, "acme", 0, 1000)
	if got := get(t, s, "acme", id); got.Version() != 2 || len(got.Holds()) != 0 || len(after) != len(before) {
		t.Errorf("a Save refused for its key wrote something: version %d, %d events (was %d)", got.Version(), len(after), len(before))
	}
	// Keys are per owner.
	oid := newID(t, r)
	create(t, s, "globex", oid)
	g := get(t, s, "globex", oid)
	c3 := change(t, g, order.ConfirmRequest{})
	c3.Idempotency = &order.IdempotencyRecord{Owner: "globex", Key: "k1", Command: order.CommandConfirm, Fingerprint: "f3", OrderID: oid, Events: c3.Events, CreatedAt: t0}
	if err := s.Save(ctx, c3); err != nil {
		t.Errorf("the same key for another owner: %v", err)
	}
}

// testRacingStaleWriters has n goroutines save changes computed from the
// same version: exactly one wins, every other gets ErrConflict.
func testRacingStaleWriters(t *testing.T, s order.Store) {
	ctx, r := context.Background(), seeded(t)
	id := newID(t, r)
	create(t, s, "acme", id)
	const n = 8
	changes := make([]order.Change, n)
	for i := range changes {
		changes[i] = change(t, get(t, s, "acme", id), hold(fmt.Sprint("h", i)))
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.Save(ctx, changes[i]) })
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, order.ErrConflict):
			t.Errorf("writer %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d of %d racing writers won, want exactly 1", wins, n)
	}
	if got := get(t, s, "acme", id); got.Version() != 2 || len(got.Holds()) != 1 {
		t.Errorf("after the race: version %d with %d holds, want 2 and 1", got.Version(), len(got.Holds()))
	}
}

// testNoLostUpdate has n goroutines each add a hold, reading and retrying on
// conflict: every hold is stored, and every failed attempt was reported as a
// conflict.
func testNoLostUpdate(t *testing.T, s order.Store) {
	ctx, r := context.Background(), seeded(t)
	id := newID(t, r)
	create(t, s, "acme", id)
	const n, tries = 8, 200
	var mu sync.Mutex // guards conflicts
	conflicts := 0
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			for range tries {
				o, err := s.Get(ctx, "acme", id)
				if err != nil {
					errs[i] = err
					return
				}
				runtime.Gosched() // let the others read the same version
				v := o.Version()
				events, err := o.Hold(t0, hold(fmt.Sprint("h", i)))
				if err != nil {
					errs[i] = err
					return
				}
				err = s.Save(ctx, order.Change{Order: o, ExpectedVersion: v, Events: events})
				if err == nil {
					return
				}
				if !errors.Is(err, order.ErrConflict) {
					errs[i] = err
					return
				}
				mu.Lock()
				conflicts++
				mu.Unlock()
			}
			errs[i] = fmt.Errorf("no success in %d tries", tries)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	got := get(t, s, "acme", id)
	if got.Version() != 1+n || len(got.Holds()) != n {
		t.Errorf("after %d writers: version %d with %d holds, want %d and %d (lost update)", n, got.Version(), len(got.Holds()), 1+n, n)
	}
	log, err := s.EventsAfter(ctx, "acme", 0, 1000)
	if err != nil || len(log) != 1+n {
		t.Errorf("log holds %d events (err %v), want %d", len(log), err, 1+n)
	}
	t.Logf("%d writers, %d conflicts reported and retried", n, conflicts)
}

// fakeClock is a fixed clock.
type fakeClock struct{}

// Now returns the fixed time of the suite.
func (fakeClock) Now() time.Time { return t0 }

func testServiceRetries(t *testing.T, s order.Store) {
	ctx := context.Background()
	svc := &order.Service{Store: s, Clock: fakeClock{}, Random: seeded(t)}
	first, err := svc.Place(ctx, "acme", "place-1", place)
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.Place(ctx, "acme", "place-1", place)
	if err != nil {
		t.Fatalf("retried Place: %v", err)
	}
	if !again.Replayed || again.Order.ID() != first.Order.ID() || again.Events[0].ID != first.Events[0].ID {
		t.Errorf("retried Place made order %s, want the original %s", again.Order.ID(), first.Order.ID())
	}
	other := place
	other.Customer = "someone else"
	if _, err := svc.Place(ctx, "acme", "place-1", other); !errors.Is(err, order.ErrIdempotencyConflict) {
		t.Errorf("Place with a reused key and another request: %v, want ErrIdempotencyConflict", err)
	}
	id := first.Order.ID()
	res, err := svc.Execute(ctx, "acme", id, "confirm-1", order.ConfirmRequest{})
	if err != nil {
		t.Fatal(err)
	}
	res2, err := svc.Execute(ctx, "acme", id, "confirm-1", order.ConfirmRequest{})
	if err != nil {
		t.Fatalf("retried Confirm: %v", err)
	}
	if !res2.Replayed || res2.Events[0].ID != res.Events[0].ID || res2.Order.Version() != 2 {
		t.Errorf("retried Confirm did not return the original result")
	}
	if _, err := svc.Execute(ctx, "acme", id, "confirm-1", hold("h1")); !errors.Is(err, order.ErrIdempotencyConflict) {
		t.Errorf("Execute with a reused key and another command: %v, want ErrIdempotencyConflict", err)
	}
	if _, err := svc.Execute(ctx, "globex", id, "", order.ConfirmRequest{}); !errors.Is(err, order.ErrNotFound) {
		t.Errorf("Execute by another owner: %v, want ErrNotFound", err)
	}
}

// testServiceConcurrentRetries sends one request under one key from n
// goroutines at once: it is applied once and all get its events.
func testServiceConcurrentRetries(t *testing.T, s order.Store) {
	ctx := context.Background()
	svc := &order.Service{Store: s, Clock: fakeClock{}, Random: seeded(t)}
	res, err := svc.Place(ctx, "acme", "", place)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Order.ID()
	const n = 8
	results := make([]order.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			for range 100 {
				results[i], errs[i] = svc.Execute(ctx, "acme", id, "hold-once", hold("h"))
				if !errors.Is(errs[i], order.ErrConflict) {
					return
				}
			}
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if results[i].Events[0].ID != results[0].Events[0].ID {
			t.Errorf("caller %d got event %s, caller 0 %s", i, results[i].Events[0].ID, results[0].Events[0].ID)
		}
	}
	if got := get(t, s, "acme", id); got.Version() != 2 || len(got.Holds()) != 1 {
		t.Errorf("one request under one key applied %d times", got.Version()-1)
	}
}

// testRaceForLastUnits has n goroutines each allocate one unit of a line
// with fewer units, retrying on conflicts through a Service: exactly as many
// win as there are units, the others are refused for the quantity, and
// nothing is allocated twice.
func testRaceForLastUnits(t *testing.T, s order.Store) {
	ctx := context.Background()
	svc := &order.Service{Store: s, Clock: fakeClock{}, Random: seeded(t)}
	res, err := svc.Place(ctx, "acme", "", place)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Order.ID()
	if _, err := svc.Execute(ctx, "acme", id, "", order.ConfirmRequest{}); err != nil {
		t.Fatal(err)
	}
	const n = 8
	units := place.Lines[0].Quantity
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			r := order.AllocateRequest{Location: fulfill.LocationID(fmt.Sprint("WH", i%2)), Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}}
			for range 200 {
				_, errs[i] = svc.Execute(ctx, "acme", id, "", r)
				if !errors.Is(errs[i], order.ErrConflict) {
					return
				}
				runtime.Gosched()
			}
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, order.ErrQuantity):
		default:
			t.Errorf("caller %d: %v, want nil or ErrQuantity", i, err)
		}
	}
	if int64(wins) != units {
		t.Errorf("%d callers allocated one of %d units", wins, units)
	}
	o := get(t, s, "acme", id)
	l, _ := o.Line(1)
	if l.Allocated != units || l.Unallocated() != 0 {
		t.Errorf("line 1 after the race: %s", l.Quantities)
	}
	if err := o.CheckInvariants(); err != nil {
		t.Error(err)
	}
}
