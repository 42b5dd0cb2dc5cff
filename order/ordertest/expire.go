package ordertest

import (
	"bytes"
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

// capability returns s as a T, one of the optional capabilities of an
// [order.Store], or skips t if s does not have it.
func capability[T any](t *testing.T, s order.Store) T {
	t.Helper()
	c, ok := s.(T)
	if !ok {
		t.Skipf("%T does not implement %v", s, reflect.TypeFor[T]())
	}
	return c
}

// createTTL places a new order for owner with the given TTL and stores it.
func createTTL(t *testing.T, s order.Store, owner fulfill.OwnerID, id fulfill.OrderID, ttl time.Duration) *order.Order {
	t.Helper()
	r := place
	r.TTL = ttl
	o, events, err := order.Place(id, owner, t0, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(context.Background(), order.Change{Order: o, Events: events}); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return o
}

// expiring lists the owner's orders due by by, failing t on an error.
func expiring(t *testing.T, ex order.Expirer, owner fulfill.OwnerID, by time.Time, limit int) []fulfill.OrderID {
	t.Helper()
	ids, err := ex.ExpiringBy(context.Background(), owner, by, limit)
	if err != nil {
		t.Fatalf("ExpiringBy(%s, %s, %d): %v", owner, by.Format(time.RFC3339Nano), limit, err)
	}
	return ids
}

// byID orders two IDs by their bytes, as an Expirer breaks ties.
func byID(a, b fulfill.OrderID) int { return bytes.Compare(a[:], b[:]) }

// testExpiringBy checks what an Expirer lists and in which order: only the
// owner's unconfirmed, uncancelled orders with a TTL, due at or before the
// time asked, oldest first and ties by ID, up to the limit, exact to the
// nanosecond.
func testExpiringBy(t *testing.T, s order.Store) {
	ex := capability[order.Expirer](t, s)
	ctx := context.Background()
	r := seeded(t)
	late := createTTL(t, s, "acme", newID(t, r), 3*time.Hour)
	first := createTTL(t, s, "acme", newID(t, r), time.Hour)
	second := createTTL(t, s, "acme", newID(t, r), time.Hour)
	if byID(first.ID(), second.ID()) > 0 {
		first, second = second, first
	}
	middle := createTTL(t, s, "acme", newID(t, r), 2*time.Hour+time.Nanosecond)
	held := createTTL(t, s, "acme", newID(t, r), 30*time.Minute)
	requireSave(t, s, change(t, held, hold("h1")))
	confirmed := createTTL(t, s, "acme", newID(t, r), time.Minute)
	requireSave(t, s, change(t, confirmed, order.ConfirmRequest{}))
	cancelled := createTTL(t, s, "acme", newID(t, r), time.Minute)
	requireSave(t, s, change(t, cancelled, order.CancelRequest{Reason: "test"}))
	create(t, s, "acme", newID(t, r)) // no TTL
	other := createTTL(t, s, "globex", newID(t, r), time.Hour)

	want := func(os ...*order.Order) []fulfill.OrderID {
		var ids []fulfill.OrderID
		for _, o := range os {
			ids = append(ids, o.ID())
		}
		return ids
	}
	tests := []struct {
		name  string
		owner fulfill.OwnerID
		by    time.Time
		limit int
		want  []fulfill.OrderID
	}{
		{"nothing due yet", "acme", t0.Add(29 * time.Minute), 0, want()},
		{"due exactly at ExpiresAt", "acme", t0.Add(30 * time.Minute), 0, want(held)},
		{"ties in ID order", "acme", t0.Add(time.Hour), 0, want(held, first, second)},
		{"one nanosecond short", "acme", t0.Add(2 * time.Hour), 0, want(held, first, second)},
		{"to the nanosecond", "acme", t0.Add(2*time.Hour + time.Nanosecond), 0, want(held, first, second, middle)},
		{"all due", "acme", t0.Add(24 * time.Hour), 0, want(held, first, second, middle, late)},
		{"limit", "acme", t0.Add(24 * time.Hour), 2, want(held, first)},
		{"other owner", "globex", t0.Add(24 * time.Hour), 0, want(other)},
		{"unknown owner", "initech", t0.Add(24 * time.Hour), 0, want()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := expiring(t, ex, tt.owner, tt.by, tt.limit)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ExpiringBy = %v, want %v", got, tt.want)
			}
		})
	}

	v := first.Version()
	events, err := first.Expire(t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	requireSave(t, s, order.Change{Order: first, ExpectedVersion: v, Events: events})
	requireSave(t, s, change(t, second, order.ConfirmRequest{}))
	if got := expiring(t, ex, "acme", t0.Add(24*time.Hour), 0); !slices.Equal(got, want(held, middle, late)) {
		t.Errorf("after an expiry and a confirmation, ExpiringBy = %v, want %v", got, want(held, middle, late))
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ex.ExpiringBy(cctx, "acme", t0, 0); err == nil {
		t.Error("ExpiringBy with a cancelled context succeeded")
	}
}

// requireSave saves c, failing t on an error.
func requireSave(t *testing.T, s order.Store, c order.Change) {
	t.Helper()
	if err := s.Save(context.Background(), c); err != nil {
		t.Fatalf("Save: %v", err)
	}
}

// testExpiringMatchesBruteForce runs random places, confirmations,
// cancellations, holds and expiries for two owners, and after each step
// compares the listing with a brute-force filter over every order: those
// with a TTL on which an ExpireRequest at the time asked succeeds.
func testExpiringMatchesBruteForce(t *testing.T, s order.Store) {
	ex := capability[order.Expirer](t, s)
	r := seeded(t)
	rng := rand.New(r)
	owners := []fulfill.OwnerID{"acme", "globex"}
	var ids []fulfill.OrderID
	owner := map[fulfill.OrderID]fulfill.OwnerID{}
	requests := []order.Request{order.ConfirmRequest{}, order.CancelRequest{Reason: "test"}, hold("h"), order.ReleaseRequest{Holds: []string{"h"}}, order.ExpireRequest{}}
	for step := range 80 {
		if len(ids) == 0 || rng.IntN(2) == 0 {
			id := newID(t, r)
			w := owners[rng.IntN(len(owners))]
			ttl := time.Duration(rng.IntN(4)) * time.Hour / 2 // zero: no TTL
			createTTL(t, s, w, id, ttl)
			ids, owner[id] = append(ids, id), w
		} else {
			id := ids[rng.IntN(len(ids))]
			o := get(t, s, owner[id], id)
			req := requests[rng.IntN(len(requests))]
			v := o.Version()
			at := t0.Add(time.Duration(rng.IntN(4)) * time.Hour / 2)
			if events, err := o.Execute(at, req); err == nil {
				requireSave(t, s, order.Change{Order: o, ExpectedVersion: v, Events: events})
			}
		}
		by := t0.Add(time.Duration(rng.IntN(5)) * time.Hour / 2)
		for _, w := range owners {
			var want []fulfill.OrderID
			var at []time.Time
			for _, id := range ids {
				if owner[id] != w {
					continue
				}
				o := get(t, s, w, id)
				if o.ExpiresAt().IsZero() {
					continue
				}
				if _, err := o.Clone().Expire(by); err == nil {
					want, at = append(want, id), append(at, o.ExpiresAt())
				}
			}
			sortExpiry(want, at)
			if got := expiring(t, ex, w, by, 1000); !slices.Equal(got, want) {
				t.Fatalf("step %d: ExpiringBy(%s, %s) = %v, want %v", step, w, by.Format(time.RFC3339), got, want)
			}
		}
	}
}

// sortExpiry sorts ids by their times, then by ID bytes.
func sortExpiry(ids []fulfill.OrderID, at []time.Time) {
	idx := make([]int, len(ids))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := at[a].Compare(at[b]); c != 0 {
			return c
		}
		return byID(ids[a], ids[b])
	})
	sorted := make([]fulfill.OrderID, len(ids))
	for i, j := range idx {
		sorted[i] = ids[j]
	}
	copy(ids, sorted)
}

// testServiceExpireDue sweeps the due orders through a Service from n
// goroutines at once: each due order is expired exactly once, the sweepers
// that lose a race skip the order without an error, and orders not due or
// confirmed are left alone.
func testServiceExpireDue(t *testing.T, s order.Store) {
	capability[order.Expirer](t, s)
	ctx := context.Background()
	var now atomic.Int64
	now.Store(t0.UnixNano())
	clock := fulfill.ClockFunc(func() time.Time { return time.Unix(0, now.Load()).UTC() })
	svc := &order.Service{Store: s, Clock: clock, Random: seeded(t)}
	withTTL := place
	withTTL.TTL = time.Hour
	const due = 12
	var dueIDs []fulfill.OrderID
	for range due {
		res, err := svc.Place(ctx, "acme", "", withTTL)
		if err != nil {
			t.Fatal(err)
		}
		dueIDs = append(dueIDs, res.Order.ID())
	}
	confirmed, err := svc.Place(ctx, "acme", "", withTTL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Execute(ctx, "acme", confirmed.Order.ID(), "", order.ConfirmRequest{}); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.ExpireDue(ctx, "acme", 0); n != 0 || err != nil {
		t.Fatalf("ExpireDue before the TTL = %d, %v; want 0, nil", n, err)
	}
	now.Store(t0.Add(time.Hour).UnixNano())
	const sweepers = 4
	var total atomic.Int64
	var wg sync.WaitGroup
	for range sweepers {
		wg.Go(func() {
			for {
				n, err := svc.ExpireDue(ctx, "acme", 5)
				if err != nil {
					t.Errorf("ExpireDue: %v", err)
					return
				}
				if n == 0 {
					return
				}
				total.Add(int64(n))
			}
		})
	}
	wg.Wait()
	if total.Load() != due {
		t.Errorf("the sweepers expired %d orders, want %d", total.Load(), due)
	}
	for _, id := range dueIDs {
		if o := get(t, s, "acme", id); o.Status() != order.StatusCancelled || o.Version() != 2 {
			t.Errorf("order %s is %s at version %d, want cancelled at version 2", id, o.Status(), o.Version())
		}
	}
	if o := get(t, s, "acme", confirmed.Order.ID()); o.Status() != order.StatusConfirmed {
		t.Errorf("the confirmed order is %s, want confirmed", o.Status())
	}
	if n, err := svc.ExpireDue(ctx, "acme", 0); n != 0 || err != nil {
		t.Errorf("ExpireDue after the sweep = %d, %v; want 0, nil", n, err)
	}
}
