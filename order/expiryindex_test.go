package order

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
)

// scanExpiringBy is MemStore.ExpiringBy as it was before the index: a scan
// of every stored order, then a sort. Tests check the index against it and
// benchmarks measure the index against it.
func (s *MemStore) scanExpiringBy(ctx context.Context, owner fulfill.OwnerID, by time.Time, limit int) ([]fulfill.OrderID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*Order
	for _, o := range s.orders {
		if o.owner == owner && !o.expiresAt.After(by) && o.Expirable() {
			due = append(due, o)
		}
	}
	slices.SortFunc(due, func(a, b *Order) int {
		if c := a.expiresAt.Compare(b.expiresAt); c != 0 {
			return c
		}
		return cmp.Compare(string(a.id[:]), string(b.id[:]))
	})
	ids := make([]fulfill.OrderID, 0, min(limit, len(due)))
	for _, o := range due[:min(limit, len(due))] {
		ids = append(ids, o.id)
	}
	return ids, nil
}

// scanStore is a MemStore listing expiring orders with the full scan.
type scanStore struct{ *MemStore }

func (s scanStore) ExpiringBy(ctx context.Context, owner fulfill.OwnerID, by time.Time, limit int) ([]fulfill.OrderID, error) {
	return s.scanExpiringBy(ctx, owner, by, limit)
}

// checkIndex checks x's layout: blocks non-empty and within the block
// size, keys strictly increasing across blocks, neighbours together above a
// quarter of the block size, and the count right.
func checkIndex(t *testing.T, x *expiryIndex) {
	t.Helper()
	n := 0
	var prev *expiryKey
	for i, b := range x.blocks {
		if len(b) == 0 || len(b) > x.blockSize() {
			t.Fatalf("block %d holds %d keys, want 1 to %d", i, len(b), x.blockSize())
		}
		if i > 0 && len(x.blocks[i-1])+len(b) <= x.blockSize()/4 {
			t.Fatalf("blocks %d and %d hold %d and %d keys, together at most a quarter of %d", i-1, i, len(x.blocks[i-1]), len(b), x.blockSize())
		}
		for j := range b {
			if prev != nil && prev.compare(b[j]) >= 0 {
				t.Fatalf("block %d key %d (%v) does not sort after the key before it (%v)", i, j, b[j], *prev)
			}
			if b[j].at != b[j].at.UTC() {
				t.Fatalf("block %d key %d is not in UTC", i, j)
			}
			prev = &b[j]
			n++
		}
	}
	if n != x.n {
		t.Fatalf("the index counts %d keys, its blocks hold %d", x.n, n)
	}
}

// indexKeys returns every key of x in order.
func indexKeys(x *expiryIndex) []expiryKey {
	var keys []expiryKey
	for _, b := range x.blocks {
		keys = append(keys, b...)
	}
	return keys
}

// TestExpiryIndexMatchesSortedSlice inserts and deletes random keys, many
// with equal times, and checks after each step that the index holds what a
// sorted slice holds and lists the same prefix for a random time and limit.
func TestExpiryIndexMatchesSortedSlice(t *testing.T) {
	steps := 4_000
	if raceEnabled {
		steps = 2_000
	}
	for _, size := range []int{0, 1, 2, 3, 4, 5, 8, 64} {
		t.Run(fmt.Sprintf("block=%d", size), func(t *testing.T) {
			rng := newRand(uint64(size) + 1)
			x := &expiryIndex{size: size}
			var want []expiryKey
			randomKey := func() expiryKey {
				var id fulfill.OrderID
				id[0], id[15] = byte(rng.IntN(4)), byte(rng.IntN(256))
				return expiryKey{at: t0.Add(time.Duration(rng.IntN(40)) * time.Minute), id: id}
			}
			for step := range steps {
				k := randomKey()
				if len(want) > 0 && rng.IntN(3) == 0 {
					k = want[rng.IntN(len(want))] // a key that is there
				}
				i, there := slices.BinarySearchFunc(want, k, expiryKey.compare)
				if got := x.contains(k); got != there {
					t.Fatalf("step %d: contains(%v) = %v, want %v", step, k, got, there)
				}
				// Grow to a few hundred keys, then shrink to none, then grow again.
				grow := (step/1500)%2 == 0
				if there || !grow && rng.IntN(4) != 0 {
					if got := x.delete(k); got != there {
						t.Fatalf("step %d: delete(%v) = %v, want %v", step, k, got, there)
					}
					if there {
						want = slices.Delete(want, i, i+1)
					}
				} else {
					x.insert(k)
					want = slices.Insert(want, i, k)
				}
				checkIndex(t, x)
				if got := indexKeys(x); !slices.Equal(got, want) {
					t.Fatalf("step %d: the index holds %v, want %v", step, got, want)
				}
				by := t0.Add(time.Duration(rng.IntN(45)-2) * time.Minute)
				limit := rng.IntN(len(want) + 3)
				var wantIDs []fulfill.OrderID
				for _, k := range want {
					if len(wantIDs) == limit || k.at.After(by) {
						break
					}
					wantIDs = append(wantIDs, k.id)
				}
				if got := x.due(by, limit, nil); !slices.Equal(got, wantIDs) {
					t.Fatalf("step %d: due(%s, %d) = %v, want %v", step, by.Format(time.TimeOnly), limit, got, wantIDs)
				}
			}
		})
	}
}

// expiryFixture places orders into a MemStore and runs commands on them,
// keeping stale copies to write back, so that tests can compare the
// store's index with a scan after every write.
type expiryFixture struct {
	t      *testing.T
	rng    *rand.Rand
	random *rand.ChaCha8 // draws the order IDs
	s      *MemStore
	owners []fulfill.OwnerID
	ids    []fulfill.OrderID
	owner  map[fulfill.OrderID]fulfill.OwnerID
	stale  map[fulfill.OrderID]*Order // an older copy of the order
	keys   []string                   // idempotency keys used so far
}

var tokyo = time.FixedZone("JST", 9*60*60)

// at returns a random time near t0, in UTC or in Tokyo.
func (f *expiryFixture) at() time.Time {
	at := t0.Add(time.Duration(f.rng.IntN(12)) * 15 * time.Minute)
	if f.rng.IntN(3) == 0 {
		at = at.In(tokyo)
	}
	return at
}

// idempotency returns nil or a record for a new or an already used key.
func (f *expiryFixture) idempotency(o *Order) *IdempotencyRecord {
	switch f.rng.IntN(6) {
	case 0:
		key := fmt.Sprint("k", len(f.keys))
		f.keys = append(f.keys, key)
		return &IdempotencyRecord{Owner: o.owner, Key: key, Command: CommandPlace, OrderID: o.id}
	case 1:
		if len(f.keys) > 0 {
			return &IdempotencyRecord{Owner: o.owner, Key: f.keys[f.rng.IntN(len(f.keys))], Command: CommandPlace, OrderID: o.id}
		}
	}
	return nil
}

// step runs one random write and checks its error is one the write may
// give: a conflict for a stale copy, not found for a wrong owner, already
// exists for a stored ID, an idempotency conflict for a used key.
func (f *expiryFixture) step() {
	t, ctx := f.t, context.Background()
	allowed := []error{ErrIdempotencyConflict}
	var err error
	switch op := f.rng.IntN(10); {
	case op < 3 || len(f.ids) == 0: // place, with or without a TTL
		id, idErr := fulfill.NewOrderID(f.random)
		if idErr != nil {
			t.Fatal(idErr)
		}
		r := placeRq
		r.TTL = []time.Duration{0, 30 * time.Minute, time.Hour, time.Hour, 90 * time.Minute}[f.rng.IntN(5)]
		w := f.owners[f.rng.IntN(len(f.owners))]
		o, events, placeErr := Place(id, w, f.at(), r)
		if placeErr != nil {
			t.Fatal(placeErr)
		}
		err = f.s.Create(ctx, Change{Order: o, Events: events, Idempotency: f.idempotency(o)})
		if err == nil {
			f.ids, f.owner[id] = append(f.ids, id), w
			f.stale[id] = o.Clone()
		}
	case op == 3: // place again under a stored ID
		id := f.ids[f.rng.IntN(len(f.ids))]
		o, events, placeErr := Place(id, f.owners[f.rng.IntN(len(f.owners))], f.at(), placeRq)
		if placeErr != nil {
			t.Fatal(placeErr)
		}
		err, allowed = f.s.Create(ctx, Change{Order: o, Events: events}), []error{ErrAlreadyExists}
	default: // a command on the stored order, a stale copy, or under another owner
		id := f.ids[f.rng.IntN(len(f.ids))]
		o, getErr := f.s.Get(ctx, f.owner[id], id)
		if getErr != nil {
			t.Fatal(getErr)
		}
		switch f.rng.IntN(5) {
		case 0:
			o, allowed = f.stale[id].Clone(), append(allowed, ErrConflict)
		case 1:
			f.stale[id] = o.Clone()
		}
		var r Request
		switch f.rng.IntN(8) {
		case 0:
			r = ConfirmRequest{}
		case 1:
			r = ExpireRequest{}
		case 2:
			r = CancelRequest{Reason: "test"}
		default:
			r = randomRequest(o, f.rng)
		}
		v := o.version
		events, execErr := o.Execute(f.at().Add(time.Duration(f.rng.IntN(3))*time.Hour), r)
		if execErr != nil {
			return // refused by the order: nothing to write
		}
		// The store indexes the order it is given, even one whose ExpiresAt
		// moved or appeared, or one that is pending again, which no
		// command does.
		switch f.rng.IntN(20) {
		case 0, 1:
			o.expiresAt = f.at().Add(time.Duration(f.rng.IntN(3)) * 30 * time.Minute)
		case 2:
			r := placeRq
			r.TTL = time.Duration(f.rng.IntN(3)) * 30 * time.Minute
			fresh, _, err := Place(id, o.owner, f.at(), r)
			if err != nil {
				t.Fatal(err)
			}
			fresh.version = o.version
			o = fresh
		}
		c := Change{Order: o, ExpectedVersion: v, Events: events, Idempotency: f.idempotency(o)}
		if f.rng.IntN(20) == 0 {
			wrong := f.owners[(slices.Index(f.owners, f.owner[id])+1)%len(f.owners)]
			c.Order.owner, allowed = wrong, append(allowed, ErrNotFound)
			for i := range c.Events {
				c.Events[i].Owner = wrong
			}
			if c.Idempotency != nil {
				c.Idempotency.Owner = wrong
			}
		}
		err = f.s.Save(ctx, c)
	}
	if err != nil && !slices.ContainsFunc(allowed, func(kind error) bool { return errors.Is(err, kind) }) {
		t.Fatalf("write: %v", err)
	}
}

// check compares, for every owner and one that has no orders, the index
// with the expirable orders stored, and the listing with the scan for a
// random time and limit.
func (f *expiryFixture) check(step int) {
	t, ctx := f.t, context.Background()
	for _, w := range append(f.owners, "initech") {
		var want []expiryKey
		for _, o := range f.s.orders {
			if o.owner == w && o.Expirable() {
				want = append(want, expiryKeyOf(o))
			}
		}
		slices.SortFunc(want, expiryKey.compare)
		x := f.s.expiring[w]
		if x == nil {
			if len(want) > 0 {
				t.Fatalf("step %d: owner %s has %d expirable orders and no index", step, w, len(want))
			}
		} else {
			checkIndex(t, x)
			if got := indexKeys(x); !slices.Equal(got, want) {
				t.Fatalf("step %d: owner %s's index holds %v, want %v", step, w, got, want)
			}
		}
		by := t0.Add(time.Duration(f.rng.IntN(16)-1) * 15 * time.Minute)
		if f.rng.IntN(2) == 0 {
			by = by.In(tokyo)
		}
		limit := f.rng.IntN(len(want)+3) - 1 // -1 and 0 mean 100
		got, err := f.s.ExpiringBy(ctx, w, by, limit)
		if err != nil {
			t.Fatal(err)
		}
		scan, err := f.s.scanExpiringBy(ctx, w, by, limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, scan) {
			t.Fatalf("step %d: ExpiringBy(%s, %s, %d) = %v, the scan lists %v", step, w, by.Format(time.RFC3339), limit, got, scan)
		}
	}
}

// TestMemStoreExpiryIndexMatchesScan runs random writes through MemStores
// with several index block sizes: places with and without a TTL, under new
// and stored IDs; confirmations, expiries, cancellations and the other
// commands, on the stored order, on a stale copy (a conflict) or under
// another owner (not found); idempotency keys new and reused; and orders
// whose ExpiresAt moved or that are pending again. After every
// write the index holds exactly the expirable orders of each owner, and
// ExpiringBy lists what the full scan it replaced lists, for random times
// and limits.
func TestMemStoreExpiryIndexMatchesScan(t *testing.T) {
	steps := 1000
	if raceEnabled {
		steps = 300
	}
	for _, block := range []int{0, 2, 3, 5} {
		for seed := range uint64(3) {
			t.Run(fmt.Sprintf("block=%d/seed=%d", block, seed), func(t *testing.T) {
				f := &expiryFixture{
					t: t, rng: newRand(seed), random: rand.NewChaCha8([32]byte{byte(seed)}), s: &MemStore{indexBlock: block},
					owners: []fulfill.OwnerID{"acme", "globex"},
					owner:  map[fulfill.OrderID]fulfill.OwnerID{}, stale: map[fulfill.OrderID]*Order{},
				}
				for step := range steps {
					f.step()
					f.check(step)
				}
				if len(f.s.expiring) == 0 {
					t.Fatal("no order was expirable at the end; the test checks little")
				}
			})
		}
	}
}

// TestMemStoreExpiringByWallClock lists orders placed at times with a
// monotonic clock reading, and at the same instant in two time zones: the
// listing compares instants, and breaks ties by ID.
func TestMemStoreExpiringByWallClock(t *testing.T) {
	ctx := context.Background()
	s := new(MemStore)
	now := time.Now() // with a monotonic clock reading
	ids := []fulfill.OrderID{
		fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8003"),
		fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8001"),
		fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8002"),
	}
	for i, at := range []time.Time{now, now.In(tokyo), now.Round(0)} {
		o, events, err := Place(ids[i], owner, at, placeRq)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, Change{Order: o, Events: events}); err != nil {
			t.Fatal(err)
		}
	}
	due := now.Add(placeRq.TTL)
	for _, by := range []time.Time{due, due.Round(0), due.In(tokyo)} {
		got, err := s.ExpiringBy(ctx, owner, by, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := []fulfill.OrderID{ids[1], ids[2], ids[0]}; !slices.Equal(got, want) {
			t.Errorf("ExpiringBy(%v) = %v, want %v", by, got, want)
		}
		if got, _ := s.ExpiringBy(ctx, owner, by.Add(-time.Nanosecond), 0); len(got) != 0 {
			t.Errorf("ExpiringBy a nanosecond early = %v, want none", got)
		}
	}
}

// TestMemStoreExpiryIndexConcurrent places orders and confirms, holds or
// cancels some from several goroutines through a Service, while another
// sweeps the due ones with ExpireDue and another lists them: every listing
// is in expiry order without repeats, and at the end the index holds
// exactly the expirable orders and lists what the scan lists.
func TestMemStoreExpiryIndexConcurrent(t *testing.T) {
	ctx := context.Background()
	s := &MemStore{indexBlock: 4}
	at := func(d time.Duration) fulfill.Clock { return fulfill.ClockFunc(func() time.Time { return t0.Add(d) }) }
	const writers, orders = 4, 60
	var writing sync.WaitGroup
	for w := range writers {
		svc := &Service{Store: s, Clock: at(0), Random: rand.NewChaCha8([32]byte{byte(w)})}
		rng := newRand(uint64(w))
		writing.Go(func() {
			for range orders {
				r := placeRq
				r.TTL = time.Duration(rng.IntN(4)) * 30 * time.Minute
				res, err := svc.Place(ctx, owner, "", r)
				if err != nil {
					t.Error(err)
					return
				}
				req := []Request{ConfirmRequest{}, holdRq("h"), CancelRequest{Reason: "test"}, nil}[rng.IntN(4)]
				if req == nil {
					continue
				}
				// The sweeper may have expired the order already, or
				// meanwhile.
				if _, err := svc.Execute(ctx, owner, res.Order.ID(), "", req); err != nil && !errors.Is(err, ErrInvalidTransition) && !errors.Is(err, ErrConflict) {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	sweeper := &Service{Store: s, Clock: at(30 * time.Minute)}
	readers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := sweeper.ExpireDue(ctx, owner, 5); err != nil {
				t.Error(err)
				return
			}
		}
	})
	readers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			ids, err := s.ExpiringBy(ctx, owner, t0.Add(time.Hour), 1000)
			if err != nil {
				t.Error(err)
				return
			}
			// An order's ExpiresAt never changes, so reading it later is
			// reading it as listed.
			var prev expiryKey
			for i, id := range ids {
				o, err := s.Get(ctx, owner, id)
				if err != nil {
					t.Error(err)
					return
				}
				k := expiryKeyOf(o)
				if i > 0 && prev.compare(k) >= 0 {
					t.Errorf("listed %v after %v", k, prev)
					return
				}
				prev = k
			}
		}
	})
	writing.Wait()
	close(done)
	readers.Wait()

	var want []expiryKey
	for _, o := range s.orders {
		if o.Expirable() {
			want = append(want, expiryKeyOf(o))
		}
	}
	slices.SortFunc(want, expiryKey.compare)
	x := s.expiring[owner]
	if x == nil || len(want) == 0 {
		t.Fatalf("%d orders are expirable, the index is %v; want some", len(want), x)
	}
	checkIndex(t, x)
	if got := indexKeys(x); !slices.Equal(got, want) {
		t.Fatalf("the index holds %v, want %v", got, want)
	}
	for _, by := range []time.Time{t0, t0.Add(30 * time.Minute), t0.Add(2 * time.Hour)} {
		got, _ := s.ExpiringBy(ctx, owner, by, 1000)
		scan, _ := s.scanExpiringBy(ctx, owner, by, 1000)
		if !slices.Equal(got, scan) {
			t.Errorf("ExpiringBy(%s) = %v, the scan lists %v", by.Format(time.TimeOnly), got, scan)
		}
	}
}
