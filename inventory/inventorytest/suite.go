package inventorytest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Options tune [RunWith]. The zero Options means the defaults.
type Options struct {
	// Goroutines is how many goroutines race in the concurrency tests. If 0,
	// 16.
	Goroutines int
	// Steps is the length of each random operation sequence. If 0, 300.
	Steps int
	// Seed seeds the random sequences. If 0, 1.
	Seed uint64
}

// Run runs the conformance suite against stores made by newStore, which
// must return a new, empty store for each call.
func Run(t *testing.T, newStore func(t *testing.T) inventory.Store) {
	RunWith(t, newStore, Options{})
}

// RunWith is [Run] with options.
func RunWith(t *testing.T, newStore func(t *testing.T) inventory.Store, opts Options) {
	if opts.Goroutines <= 0 {
		opts.Goroutines = 16
	}
	if opts.Steps <= 0 {
		opts.Steps = 300
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	s := &suite{newStore: newStore, opts: opts}
	tests := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"Lifecycle", s.lifecycle},
		{"MultiLineAllOrNothing", s.multiLine},
		{"OwnerIsolation", s.ownerIsolation},
		{"Idempotency", s.idempotency},
		{"IdempotencyConcurrent", s.idempotencyConcurrent},
		{"CompareAndSet", s.compareAndSet},
		{"TTL", s.ttl},
		{"TransferMoveCount", s.transferMoveCount},
		{"Lots", s.lots},
		{"Serials", s.serials},
		{"SerialCount", s.serialCount},
		{"CommitCartHold", s.commitCartHold},
		{"LedgerPaging", s.ledgerPaging},
		{"TrimLedger", s.trimLedger},
		{"Prune", s.prune},
		{"RetentionConcurrent", s.retentionConcurrent},
		{"TrimCheckpoint", s.trimCheckpoint},
		{"TrimCheckpointConcurrent", s.trimCheckpointConcurrent},
		{"InvalidInput", s.invalidInput},
		{"RaceLastUnits", s.raceLastUnits},
		{"RandomBatchesNoDeadlock", s.randomBatches},
		{"RandomSequences", s.randomSequences},
		{"ConcurrentMixed", s.concurrentMixed},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.fn)
	}
}

type suite struct {
	newStore func(t *testing.T) inventory.Store
	opts     Options
}

// epoch is the fake clock's start.
var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

const owner fulfill.OwnerID = "acme"

// env is one store with an Inventory over it and a fake clock.
type env struct {
	store inventory.Store
	inv   *inventory.Inventory
	clock *fulfill.FakeClock
}

func (s *suite) env(t *testing.T) *env {
	t.Helper()
	st := s.newStore(t)
	require.NotNil(t, st)
	clk := fulfill.NewFakeClock(epoch)
	return &env{store: st, clock: clk, inv: inventory.New(st, &inventory.Options{
		Clock: clk, Rand: rand.NewChaCha8([32]byte{byte(s.opts.Seed)}),
	})}
}

func key(sku, loc string) inventory.Key {
	return inventory.Key{Owner: owner, SKU: fulfill.SKU(sku), Location: fulfill.LocationID(loc)}
}

func meta(idem string) inventory.Meta {
	return inventory.Meta{Owner: owner, IdempotencyKey: idem}
}

func (e *env) receive(t *testing.T, k inventory.Key, q int64) {
	t.Helper()
	_, err := e.inv.Apply(context.Background(), &inventory.Receive{Meta: inventory.Meta{Owner: k.Owner, Reason: inventory.ReasonReceived}, Key: k, Quantity: q})
	require.NoError(t, err)
}

func (e *env) level(t *testing.T, k inventory.Key) inventory.Level {
	t.Helper()
	l, err := e.inv.Level(context.Background(), k)
	require.NoError(t, err)
	return l
}

// reconciled checks that levels, reservations and ledger agree and that
// replaying the ledger gives the levels.
func (e *env) reconciled(t *testing.T, o fulfill.OwnerID) {
	t.Helper()
	ctx := context.Background()
	d, err := e.inv.Reconcile(ctx, o)
	require.NoError(t, err)
	assert.Empty(t, d, "reconcile differences")
	levels, err := e.store.Levels(ctx, inventory.LevelQuery{Owner: o})
	require.NoError(t, err)
	entries, err := e.store.Ledger(ctx, inventory.LedgerQuery{Owner: o})
	require.NoError(t, err)
	replayed, err := inventory.Replay(entries)
	require.NoError(t, err)
	for _, l := range levels {
		assert.Equal(t, l.Buckets, replayed[l.Key], "replay of %s", l.Key)
		assert.NoError(t, l.Check(), "invariant of %s", l.Key)
	}
}

func (s *suite) lifecycle(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	k := key("TEE", "WH1")
	_, err := e.inv.Apply(ctx, &inventory.Expect{Meta: meta(""), Key: k, Quantity: 10})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: k, Quantity: 8, FromIncoming: 8})
	require.NoError(t, err)
	l := e.level(t, k)
	assert.Equal(t, inventory.Buckets{OnHand: 8, Incoming: 2}, l.Buckets)
	assert.Equal(t, int64(8), l.Available())

	order := fulfill.MustOrderID("018f2b6e-0000-7000-8000-000000000001")
	r, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: owner, Ref: inventory.OrderRef(order)},
		Lines: []inventory.ReserveLine{{Key: k, Quantity: 5, Line: "1"}}})
	require.NoError(t, err)
	require.Len(t, r.Reservations, 1)
	id := r.Reservations[0].ID
	assert.Equal(t, inventory.OrderRef(order), r.Reservations[0].Ref)
	require.Len(t, r.Events, 1)
	assert.Equal(t, inventory.AvailabilityChanged{Key: k, Before: 8, After: 3, At: epoch}, r.Events[0])

	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: id, Quantity: 3}}})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 8, Reserved: 2, Committed: 3, Incoming: 2}, e.level(t, k).Buckets)
	_, err = e.inv.Apply(ctx, &inventory.Consume{Meta: meta(""), Parts: []inventory.Part{{Reservation: id}}})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 5, Reserved: 2, Incoming: 2}, e.level(t, k).Buckets)
	_, err = e.inv.Apply(ctx, &inventory.Consume{Meta: meta(""), Parts: []inventory.Part{{Reservation: id, Quantity: 1}}})
	assert.ErrorIs(t, err, inventory.ErrInsufficientStock, "nothing committed is left to consume")
	_, err = e.inv.Apply(ctx, &inventory.Release{Meta: meta(""), Parts: []inventory.Part{{Reservation: id}}})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 5, Incoming: 2}, e.level(t, k).Buckets)

	res, err := e.inv.Reservations(ctx, inventory.ReservationQuery{Owner: owner, Ref: inventory.OrderRef(order)})
	require.NoError(t, err)
	assert.Empty(t, res, "the reservation is closed")
	res, err = e.inv.Reservations(ctx, inventory.ReservationQuery{Owner: owner, ID: id, IncludeClosed: true})
	require.NoError(t, err)
	require.Len(t, res, 1)
	assert.False(t, res[0].Live())

	// Unreserve gives back held and committed units alike.
	r, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: 4}}})
	require.NoError(t, err)
	id = r.Reservations[0].ID
	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: id, Quantity: 1}}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Unreserve{Meta: meta(""), Reservations: []string{id}})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 5, Incoming: 2}, e.level(t, k).Buckets)

	entries, err := e.inv.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
	require.NoError(t, err)
	kinds := make([]inventory.Kind, len(entries))
	for i, en := range entries {
		kinds[i] = en.Kind
		assert.Equal(t, int64(i+1), en.Seq)
	}
	assert.Equal(t, []inventory.Kind{"expect", "receive", "reserve", "commit", "consume", "release", "reserve", "commit", "unreserve"}, kinds)
	e.reconciled(t, owner)
}

func (s *suite) multiLine(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	a, b, c := key("A", "WH1"), key("B", "WH1"), key("C", "WH1")
	e.receive(t, a, 5)
	e.receive(t, b, 2)
	e.receive(t, c, 9)
	before, err := e.inv.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
	require.NoError(t, err)

	// A appears twice (3 + 3 > 5), B is short, C is fine: nothing applies.
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: meta("order-1"), Lines: []inventory.ReserveLine{
		{Key: a, Quantity: 3}, {Key: b, Quantity: 4}, {Key: c, Quantity: 1}, {Key: a, Quantity: 3},
	}})
	require.ErrorIs(t, err, inventory.ErrInsufficientStock)
	se, ok := errors.AsType[*inventory.InsufficientStockError](err)
	require.True(t, ok)
	assert.Equal(t, []inventory.Shortage{
		{Key: a, Bucket: inventory.BucketAvailable, Wanted: 6, Available: 5},
		{Key: b, Bucket: inventory.BucketAvailable, Wanted: 4, Available: 2},
	}, se.Shortages)
	for _, k := range []inventory.Key{a, b, c} {
		assert.Zero(t, e.level(t, k).Reserved, "%s untouched", k)
	}
	after, err := e.inv.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
	require.NoError(t, err)
	assert.Equal(t, before, after, "no ledger entry for a failed reservation")

	// A failed attempt leaves no idempotency record: the same key succeeds
	// once stock is there.
	e.receive(t, b, 2)
	e.receive(t, a, 1)
	r, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta("order-1"), Lines: []inventory.ReserveLine{
		{Key: a, Quantity: 3}, {Key: b, Quantity: 4}, {Key: c, Quantity: 1}, {Key: a, Quantity: 3},
	}})
	require.NoError(t, err)
	assert.Len(t, r.Reservations, 4)
	assert.Zero(t, e.level(t, a).Available())
	assert.Zero(t, e.level(t, b).Available())
	assert.Equal(t, int64(8), e.level(t, c).Available())
	e.reconciled(t, owner)
}

func (s *suite) ownerIsolation(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	mine := key("TEE", "WH1")
	theirs := mine
	theirs.Owner = "globex"
	e.receive(t, mine, 5)
	e.receive(t, theirs, 7)
	r, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: mine, Quantity: 2}}})
	require.NoError(t, err)
	id := r.Reservations[0].ID

	// Another owner cannot see or touch the reservation.
	g := inventory.Meta{Owner: "globex"}
	_, err = e.inv.Apply(ctx, &inventory.Release{Meta: g, Parts: []inventory.Part{{Reservation: id}}})
	require.ErrorIs(t, err, inventory.ErrNotFound)
	_, err = e.inv.Apply(ctx, &inventory.Consume{Meta: g, Parts: []inventory.Part{{Reservation: id}}})
	require.ErrorIs(t, err, inventory.ErrNotFound)
	// An operation of one owner naming another's level is refused.
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: g, Lines: []inventory.ReserveLine{{Key: mine, Quantity: 1}}})
	require.ErrorIs(t, err, inventory.ErrOwnerMismatch)
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: theirs, Delta: -1})
	require.ErrorIs(t, err, inventory.ErrOwnerMismatch)

	// Same idempotency key, different owners: independent.
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: inventory.Meta{Owner: owner, IdempotencyKey: "k"}, Key: mine, Delta: 1})
	require.NoError(t, err)
	rr, err := e.inv.Apply(ctx, &inventory.Adjust{Meta: inventory.Meta{Owner: "globex", IdempotencyKey: "k"}, Key: theirs, Delta: 1})
	require.NoError(t, err)
	assert.False(t, rr.Replayed)

	ls, err := e.inv.Levels(ctx, inventory.LevelQuery{Owner: "globex"})
	require.NoError(t, err)
	require.Len(t, ls, 1)
	assert.Equal(t, inventory.Buckets{OnHand: 8}, ls[0].Buckets)
	res, err := e.inv.Reservations(ctx, inventory.ReservationQuery{Owner: "globex", IncludeClosed: true})
	require.NoError(t, err)
	assert.Empty(t, res)
	assert.Equal(t, inventory.Buckets{OnHand: 6, Reserved: 2}, e.level(t, mine).Buckets)
	e.reconciled(t, owner)
	e.reconciled(t, "globex")
}

func (s *suite) idempotency(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	k := key("TEE", "WH1")
	op := &inventory.Receive{Meta: meta("po-1"), Key: k, Quantity: 5}
	first, err := e.inv.Apply(ctx, op)
	require.NoError(t, err)
	assert.False(t, first.Replayed)
	e.clock.Advance(time.Minute)
	again, err := e.inv.Apply(ctx, &inventory.Receive{Meta: meta("po-1"), Key: k, Quantity: 5})
	require.NoError(t, err)
	assert.True(t, again.Replayed)
	again.Replayed = false
	assert.Equal(t, first, again, "a retry returns the original receipt")
	assert.Equal(t, int64(5), e.level(t, k).OnHand, "applied once")

	_, err = e.inv.Apply(ctx, &inventory.Receive{Meta: meta("po-1"), Key: k, Quantity: 6})
	require.ErrorIs(t, err, inventory.ErrIdempotencyConflict)
	_, ok := errors.AsType[*inventory.IdempotencyConflictError](err)
	assert.True(t, ok)
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta("po-1"), Key: k, Delta: 5})
	require.ErrorIs(t, err, inventory.ErrIdempotencyConflict, "another kind of operation is another payload")

	// A reservation retried returns the same reservation IDs.
	r1, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta("cart-9"), Lines: []inventory.ReserveLine{{Key: k, Quantity: 2}}, TTL: time.Hour})
	require.NoError(t, err)
	r2, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta("cart-9"), Lines: []inventory.ReserveLine{{Key: k, Quantity: 2}}, TTL: time.Hour})
	require.NoError(t, err)
	assert.Equal(t, r1.Reservations, r2.Reservations)
	assert.Equal(t, int64(2), e.level(t, k).Reserved)
	e.reconciled(t, owner)
}

func (s *suite) idempotencyConcurrent(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	k := key("TEE", "WH1")
	e.receive(t, k, 100)
	var wg sync.WaitGroup
	var replays atomic.Int64
	ids := make([]string, s.opts.Goroutines)
	for i := range s.opts.Goroutines {
		wg.Go(func() {
			r, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta("order-7"), Lines: []inventory.ReserveLine{{Key: k, Quantity: 3, ID: "order-7/1"}}})
			if assert.NoError(t, err) {
				ids[i] = r.Reservations[0].ID
				if r.Replayed {
					replays.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(s.opts.Goroutines-1), replays.Load(), "exactly one attempt applies")
	assert.Equal(t, int64(3), e.level(t, k).Reserved)
	e.reconciled(t, owner)
}

func (s *suite) compareAndSet(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	k := key("TEE", "WH1")
	e.receive(t, k, 10)
	ten, nine := int64(10), int64(9)
	_, err := e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: k, Delta: -1, Expected: &ten})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: k, Delta: -1, Expected: &ten})
	require.ErrorIs(t, err, inventory.ErrConflict, "a stale expected quantity")
	ce, ok := errors.AsType[*inventory.ConflictError](err)
	require.True(t, ok)
	assert.Equal(t, int64(10), ce.Expected)
	assert.Equal(t, int64(9), ce.Actual)
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: k, Delta: 2, Expected: &nine})
	require.NoError(t, err)
	l := e.level(t, k)
	assert.Equal(t, int64(11), l.OnHand)

	// A reservation planned against an old version fails cleanly.
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, IfVersion: l.Version - 1}}})
	require.ErrorIs(t, err, inventory.ErrConflict)
	assert.Zero(t, e.level(t, k).Reserved)
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, IfVersion: l.Version}}})
	require.NoError(t, err)
	assert.Equal(t, l.Version+1, e.level(t, k).Version)

	// Removing more than there is fails and names the bucket.
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: k, Delta: -11})
	require.ErrorIs(t, err, inventory.ErrInsufficientStock)

	// A reservation ID is used once per owner, whatever the level.
	other := key("CAP", "WH2")
	e.receive(t, other, 5)
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: "dup-1"}}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: other, Quantity: 1, ID: "dup-1"}}})
	require.ErrorIs(t, err, inventory.ErrConflict)
	assert.Zero(t, e.level(t, other).Reserved)
	e.reconciled(t, owner)
}

func (s *suite) ttl(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	k := key("TEE", "WH1")
	e.receive(t, k, 3)
	r, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: owner, Ref: inventory.Reference{Type: inventory.RefCart, ID: "c1"}},
		Lines: []inventory.ReserveLine{{Key: k, Quantity: 2}}, TTL: 15 * time.Minute})
	require.NoError(t, err)
	hold := r.Reservations[0]
	assert.Equal(t, epoch.Add(15*time.Minute), hold.ExpiresAt)
	assert.Equal(t, int64(1), e.level(t, k).Available())

	e.clock.Advance(15*time.Minute - time.Nanosecond)
	assert.Equal(t, int64(1), e.level(t, k).Available(), "still held just before expiry")
	e.clock.Advance(time.Nanosecond)
	assert.Equal(t, int64(3), e.level(t, k).Available(), "lapsed at expiry, decided at read time")
	res, err := e.inv.Reservations(ctx, inventory.ReservationQuery{Owner: owner, ID: hold.ID, IncludeClosed: true})
	require.NoError(t, err)
	require.Len(t, res, 1)
	assert.False(t, res[0].Live())

	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: hold.ID}}})
	require.ErrorIs(t, err, inventory.ErrExpired)
	// The lapsed units can be reserved again at once, without a sweep.
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: 3}}})
	require.NoError(t, err)
	assert.Zero(t, e.level(t, k).Available())
	_, err = e.inv.Apply(ctx, &inventory.Release{Meta: meta(""), Parts: []inventory.Part{{Reservation: hold.ID}}})
	require.NoError(t, err, "releasing a lapsed hold is a no-op")

	entries, err := e.inv.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
	require.NoError(t, err)
	var expired []inventory.Entry
	for _, en := range entries {
		if en.Kind == inventory.KindExpire {
			expired = append(expired, en)
		}
	}
	require.Len(t, expired, 1, "the lapsed hold is collected exactly once")
	assert.Equal(t, hold.ExpiresAt, expired[0].At)
	assert.Equal(t, hold.ID, expired[0].Reservation)
	assert.Equal(t, inventory.Buckets{Reserved: -2}, expired[0].Delta)
	e.reconciled(t, owner)

	// A sweep collects holds on levels nobody touched.
	k2 := key("CAP", "WH1")
	e.receive(t, k2, 4)
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k2, Quantity: 4}}, TTL: time.Minute})
	require.NoError(t, err)
	e.clock.Advance(time.Hour)
	if _, ok := e.store.(inventory.Sweeper); ok {
		n, err := e.inv.Sweep(ctx, owner)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		n, err = e.inv.Sweep(ctx, owner)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing left to collect")
		raw, err := e.store.Levels(ctx, inventory.LevelQuery{Owner: owner, SKUs: []fulfill.SKU{"CAP"}})
		require.NoError(t, err)
		require.Len(t, raw, 1)
		assert.Zero(t, raw[0].Reserved, "collected in the stored level")
	}
	assert.Equal(t, int64(4), e.level(t, k2).Available())
	e.reconciled(t, owner)
}

func (s *suite) transferMoveCount(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	wh1, wh2 := key("TEE", "WH1"), key("TEE", "WH2")
	e.receive(t, wh1, 10)
	_, err := e.inv.Apply(ctx, &inventory.Transfer{Meta: meta(""), From: wh1, To: "WH2", Quantity: 4})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 6}, e.level(t, wh1).Buckets)
	assert.Equal(t, inventory.Buckets{InTransit: 4}, e.level(t, wh2).Buckets)
	_, err = e.inv.Apply(ctx, &inventory.Transfer{Meta: meta(""), From: wh1, To: "WH2", Quantity: 7})
	require.ErrorIs(t, err, inventory.ErrInsufficientStock)
	_, err = e.inv.Apply(ctx, &inventory.ReceiveTransfer{Meta: meta(""), Key: wh2, Quantity: 3})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 3, InTransit: 1}, e.level(t, wh2).Buckets)
	// One unit lost in transit.
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: wh2, Bucket: inventory.BucketInTransit, Delta: -1})
	require.NoError(t, err)

	// Damage, quarantine, release from quarantine, safety stock.
	for _, m := range []inventory.Move{
		{From: inventory.BucketAvailable, To: inventory.BucketDamaged, Quantity: 1},
		{From: inventory.BucketAvailable, To: inventory.BucketQuarantine, Quantity: 2},
		{From: inventory.BucketQuarantine, To: inventory.BucketAvailable, Quantity: 1},
		{From: inventory.BucketAvailable, To: inventory.BucketSafety, Quantity: 2},
	} {
		m.Meta, m.Key = meta(""), wh1
		_, err := e.inv.Apply(ctx, &m)
		require.NoError(t, err)
	}
	l := e.level(t, wh1)
	assert.Equal(t, inventory.Buckets{OnHand: 6, Damaged: 1, Quarantine: 1, Safety: 2}, l.Buckets)
	assert.Equal(t, int64(2), l.Available())
	_, err = e.inv.Apply(ctx, &inventory.Move{Meta: meta(""), Key: wh1, From: inventory.BucketAvailable, To: inventory.BucketDamaged, Quantity: 3})
	require.ErrorIs(t, err, inventory.ErrInsufficientStock)
	// Write off the damaged unit; restock a return into quarantine.
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: wh1, Bucket: inventory.BucketDamaged, Delta: -1})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: owner, Reason: inventory.ReasonReturn}, Key: wh1, Quantity: 1, Into: inventory.BucketQuarantine})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 6, Quarantine: 2, Safety: 2}, e.level(t, wh1).Buckets)

	// A cycle count posts the difference to available.
	r, err := e.inv.Apply(ctx, &inventory.Count{Meta: meta(""), Key: wh1, OnHand: 5})
	require.NoError(t, err)
	require.Len(t, r.Entries, 1)
	assert.Equal(t, inventory.Buckets{OnHand: -1}, r.Entries[0].Delta)
	assert.Equal(t, int64(1), e.level(t, wh1).Available())
	_, err = e.inv.Apply(ctx, &inventory.Count{Meta: meta(""), Key: wh1, OnHand: 3})
	require.ErrorIs(t, err, inventory.ErrInsufficientStock, "a count below the set-aside units")
	_, err = e.inv.Apply(ctx, &inventory.Count{Meta: meta(""), Key: key("NEW", "WH1"), OnHand: 2})
	require.NoError(t, err, "a count creates a level")
	assert.Equal(t, int64(2), e.level(t, key("NEW", "WH1")).OnHand)
	e.reconciled(t, owner)
}

func (s *suite) lots(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	lotA := key("MILK", "WH1")
	lotA.Lot = "L1"
	lotB := lotA
	lotB.Lot = "L2"
	exp := epoch.Add(48 * time.Hour)
	_, err := e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: lotA, Quantity: 5, Lot: &inventory.LotInfo{Expires: exp}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: lotB, Quantity: 5})
	require.NoError(t, err)
	l := e.level(t, lotA)
	assert.Equal(t, exp, l.Expires)
	assert.Equal(t, epoch, l.Received)
	// A transferred lot keeps its dates.
	_, err = e.inv.Apply(ctx, &inventory.Transfer{Meta: meta(""), From: lotA, To: "WH2", Quantity: 1})
	require.NoError(t, err)
	at2 := lotA
	at2.Location = "WH2"
	assert.Equal(t, exp, e.level(t, at2).Expires)

	e.clock.Set(exp)
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: lotA, Quantity: 1}}})
	require.ErrorIs(t, err, inventory.ErrExpired, "an expired lot is never reserved")

	// A recall quarantines every available unit of the lot.
	_, err = e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: lotB, Quantity: 2}}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Recall{Meta: meta(""), SKU: "MILK", Lot: "L2"})
	require.NoError(t, err)
	assert.Equal(t, inventory.Buckets{OnHand: 5, Reserved: 2, Quarantine: 3}, e.level(t, lotB).Buckets)
	_, err = e.inv.Apply(ctx, &inventory.Recall{Meta: meta(""), SKU: "MILK", Lot: "L9"})
	require.ErrorIs(t, err, inventory.ErrNotFound)
	e.reconciled(t, owner)
}

func (s *suite) ledgerPaging(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	k := key("TEE", "WH1")
	for range 7 {
		e.receive(t, k, 1)
	}
	var got []int64
	after := int64(0)
	for {
		page, err := e.inv.Ledger(ctx, inventory.LedgerQuery{Owner: owner, After: after, Limit: 3})
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		assert.LessOrEqual(t, len(page), 3)
		for _, en := range page {
			got = append(got, en.Seq)
		}
		after = page[len(page)-1].Seq
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6, 7}, got)
}

func (s *suite) invalidInput(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	k := key("TEE", "WH1")
	e.receive(t, k, 5)
	bad := []inventory.Operation{
		&inventory.Receive{Meta: meta(""), Key: k, Quantity: 0},
		&inventory.Receive{Meta: meta(""), Key: k, Quantity: -3},
		&inventory.Receive{Meta: meta(""), Key: k, Quantity: 3, FromIncoming: 4},
		&inventory.Receive{Meta: meta(""), Key: k, Quantity: 3, Into: inventory.BucketReserved},
		&inventory.Receive{Meta: meta(""), Key: key("", "WH1"), Quantity: 1},
		&inventory.Receive{Meta: meta(""), Key: key("TEE", " WH1"), Quantity: 1},
		&inventory.Adjust{Meta: meta(""), Key: k, Delta: 0},
		&inventory.Move{Meta: meta(""), Key: k, From: inventory.BucketAvailable, To: inventory.BucketAvailable, Quantity: 1},
		&inventory.Move{Meta: meta(""), Key: k, From: inventory.BucketReserved, To: inventory.BucketAvailable, Quantity: 1},
		&inventory.Transfer{Meta: meta(""), From: k, To: "WH1", Quantity: 1},
		&inventory.Reserve{Meta: meta("")},
		&inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: 0}}},
		&inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: "x"}, {Key: k, Quantity: 1, ID: "x"}}},
		&inventory.Release{Meta: meta("")},
		&inventory.Count{Meta: meta(""), Key: k, OnHand: -1},
	}
	for i, op := range bad {
		_, err := e.inv.Apply(ctx, op)
		assert.Error(t, err, "operation %d", i)
		_, isField := errors.AsType[*fulfill.FieldError](err)
		assert.True(t, isField, "operation %d: %v", i, err)
	}
	_, err := e.inv.Apply(ctx, &inventory.Release{Meta: meta(""), Parts: []inventory.Part{{Reservation: "nope"}}})
	assert.ErrorIs(t, err, inventory.ErrNotFound)
	// Overflow is an error, not a wrap-around.
	_, err = e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: k, Quantity: 1<<63 - 1})
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	assert.Equal(t, inventory.Buckets{OnHand: 5}, e.level(t, k).Buckets)
	e.reconciled(t, owner)
}

// raceLastUnits has goroutines race to reserve the last units of one level:
// successes x quantity <= stock, and if any failed, what is left is less than
// its quantity.
func (s *suite) raceLastUnits(t *testing.T) {
	t.Run("mixed_quantities", func(t *testing.T) {
		ctx := context.Background()
		e := s.env(t)
		k := key("HOT", "WH1")
		e.receive(t, k, 11)
		var wg sync.WaitGroup
		var won atomic.Int64
		failed := make([]int64, s.opts.Goroutines) // the quantity of each failed reservation
		start := make(chan struct{})
		for g := range s.opts.Goroutines {
			wg.Go(func() {
				q := int64(1 + g%4)
				<-start
				_, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: q}}})
				switch {
				case err == nil:
					won.Add(q)
				case errors.Is(err, inventory.ErrInsufficientStock):
					failed[g] = q
				default:
					t.Errorf("unexpected error: %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		l := e.level(t, k)
		assert.LessOrEqual(t, won.Load(), int64(11), "oversold")
		assert.Equal(t, won.Load(), l.Reserved)
		for g, q := range failed {
			if q > 0 {
				assert.Less(t, l.Available(), q, "goroutine %d failed to reserve %d while %d were left", g, q, l.Available())
			}
		}
		e.reconciled(t, owner)
	})
	for _, tc := range []struct{ stock, qty int64 }{{1, 1}, {10, 3}, {7, 2}} {
		t.Run(fmt.Sprintf("stock%d_qty%d", tc.stock, tc.qty), func(t *testing.T) {
			ctx := context.Background()
			e := s.env(t)
			k := key("HOT", "WH1")
			e.receive(t, k, tc.stock)
			var ok, short atomic.Int64
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range s.opts.Goroutines {
				wg.Go(func() {
					<-start
					_, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: tc.qty}}})
					switch {
					case err == nil:
						ok.Add(1)
					case errors.Is(err, inventory.ErrInsufficientStock):
						short.Add(1)
					default:
						t.Errorf("unexpected error: %v", err)
					}
				})
			}
			close(start)
			wg.Wait()
			assert.LessOrEqual(t, ok.Load()*tc.qty, tc.stock, "oversold")
			l := e.level(t, k)
			if short.Load() > 0 {
				assert.Less(t, l.Available(), tc.qty, "a reservation failed while stock was left")
			}
			assert.Equal(t, ok.Load()*tc.qty, l.Reserved)
			if tc.stock >= int64(s.opts.Goroutines)*tc.qty {
				assert.Zero(t, short.Load())
			}
			e.reconciled(t, owner)
		})
	}
}

// randomBatches has goroutines reserve and release random multi-SKU batches
// in random line order; it must finish (no deadlock) and reconcile.
func (s *suite) randomBatches(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	var keys []inventory.Key
	for i := range 6 {
		k := key(fmt.Sprintf("SKU%d", i), []string{"WH1", "WH2"}[i%2])
		keys = append(keys, k)
		e.receive(t, k, 40)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for g := range s.opts.Goroutines {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(s.opts.Seed, uint64(g)))
				for range 40 {
					n := 1 + rng.IntN(4)
					lines := make([]inventory.ReserveLine, n)
					for i := range lines {
						lines[i] = inventory.ReserveLine{Key: keys[rng.IntN(len(keys))], Quantity: 1 + rng.Int64N(5)}
					}
					r, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: lines})
					if err != nil {
						if !errors.Is(err, inventory.ErrInsufficientStock) {
							t.Errorf("reserve: %v", err)
						}
						continue
					}
					if rng.IntN(3) > 0 {
						ids := make([]string, len(r.Reservations))
						for i, res := range r.Reservations {
							ids[i] = res.ID
						}
						if _, err := e.inv.Apply(ctx, &inventory.Unreserve{Meta: meta(""), Reservations: ids}); err != nil {
							t.Errorf("unreserve: %v", err)
						}
					}
				}
			})
		}
		wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("random multi-SKU batches did not finish: deadlock?")
	}
	for _, k := range keys {
		l := e.level(t, k)
		assert.NoError(t, l.Check())
		assert.Equal(t, int64(40), l.OnHand)
	}
	e.reconciled(t, owner)
}

// serials checks serial-number tracking, for stores that are an
// [inventory.SerialStore]: a serial number is in stock at most once, moves
// with transfers and leaves when shipped or written off.
func (s *suite) serials(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	if _, ok := e.store.(inventory.SerialStore); !ok {
		t.Skip("the store does not track serial numbers")
	}
	wh1, wh2 := key("PHONE", "WH1"), key("PHONE", "WH2")
	_, err := e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: wh1, Quantity: 3, Serials: []string{"SN1", "SN2", "SN3"}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: wh2, Quantity: 2, Serials: []string{"SN4", "SN2"}})
	require.ErrorIs(t, err, inventory.ErrDuplicateSerial)
	se, ok := errors.AsType[*inventory.SerialError](err)
	require.True(t, ok)
	assert.Equal(t, wh1, se.At)
	assert.Zero(t, e.level(t, wh2).OnHand, "nothing received")
	_, err = e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: wh2, Quantity: 2, Serials: []string{"SN4"}})
	require.ErrorIs(t, err, inventory.ErrInvalid, "one serial number per unit")
	_, err = e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: wh2, Quantity: 2, Serials: []string{"SN4", "SN4"}})
	require.ErrorIs(t, err, inventory.ErrDuplicateSerial, "twice in one receipt")

	// Another owner may use the same serial numbers.
	other := wh1
	other.Owner = "globex"
	_, err = e.inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "globex"}, Key: other, Quantity: 1, Serials: []string{"SN1"}})
	require.NoError(t, err)

	_, err = e.inv.Apply(ctx, &inventory.Transfer{Meta: meta(""), From: wh1, To: "WH2", Quantity: 1, Serials: []string{"SN3"}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Transfer{Meta: meta(""), From: wh1, To: "WH2", Quantity: 1, Serials: []string{"SN3"}})
	require.ErrorIs(t, err, inventory.ErrNotFound, "SN3 has left WH1")

	r, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: wh1, Quantity: 2}}})
	require.NoError(t, err)
	id := r.Reservations[0].ID
	_, err = e.inv.Apply(ctx, &inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: id}}})
	require.NoError(t, err)
	_, err = e.inv.Apply(ctx, &inventory.Consume{Meta: meta(""), Parts: []inventory.Part{{Reservation: id, Quantity: 1, Serials: []string{"SN3"}}}})
	require.ErrorIs(t, err, inventory.ErrNotFound, "SN3 is not at the reservation's level")
	c, err := e.inv.Apply(ctx, &inventory.Consume{Meta: meta(""), Parts: []inventory.Part{{Reservation: id, Quantity: 1, Serials: []string{"SN2"}}}})
	require.NoError(t, err)
	require.Len(t, c.Entries, 1)
	assert.Equal(t, []string{"SN2"}, c.Entries[0].Serials)
	_, err = e.inv.Apply(ctx, &inventory.Adjust{Meta: meta(""), Key: wh1, Bucket: inventory.BucketAvailable, Delta: 1, Serials: []string{"SN2"}})
	require.NoError(t, err, "a shipped serial number can come back")

	sns, err := e.inv.Serials(ctx, owner, "PHONE")
	require.NoError(t, err)
	where := map[string]fulfill.LocationID{}
	for _, sn := range sns {
		where[sn.Serial] = sn.Key.Location
	}
	assert.Equal(t, map[string]fulfill.LocationID{"SN1": "WH1", "SN2": "WH1", "SN3": "WH2"}, where)
	e.reconciled(t, owner)
}

// concurrentMixed runs random operations of every kind from many goroutines
// while the clock moves and holds lapse, receiving and writing off serial
// numbers if the store tracks them. Afterwards every level keeps the
// invariant and holds no more serial numbers than units, the receipts hold
// exactly the ledger (no lost or doubled entry), and replaying it gives the
// levels.
func (s *suite) concurrentMixed(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	keys := []inventory.Key{key("A", "WH1"), key("A", "WH2"), key("B", "WH1"), key("B", "WH2")}
	for _, k := range keys {
		e.receive(t, k, 20)
	}
	base, err := e.inv.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
	require.NoError(t, err)
	var mu sync.Mutex
	entries := append([]inventory.Entry(nil), base...)
	stop := make(chan struct{})
	var ticker sync.WaitGroup
	ticker.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				e.clock.Advance(time.Second)
				time.Sleep(50 * time.Microsecond)
			}
		}
	})
	_, tracking := e.store.(inventory.SerialStore)
	var wg sync.WaitGroup
	for g := range s.opts.Goroutines {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(s.opts.Seed, uint64(100+g)))
			var mine []string
			sns := map[inventory.Key][]string{} // serial numbers this goroutine received, by level
			n := 0
			for range 60 {
				k := keys[rng.IntN(len(keys))]
				q := 1 + rng.Int64N(4)
				var op inventory.Operation
				pick := func() string {
					if len(mine) == 0 {
						return "none"
					}
					return mine[rng.IntN(len(mine))]
				}
				var written string // the serial number an adjustment writes off
				switch rng.IntN(11) {
				case 0:
					rc := &inventory.Receive{Meta: meta(""), Key: k, Quantity: q}
					if tracking && rng.IntN(2) == 0 {
						for range q {
							n++
							rc.Serials = append(rc.Serials, fmt.Sprintf("G%d-%d", g, n))
						}
					}
					op = rc
				case 10:
					if len(sns[k]) == 0 {
						continue
					}
					written = sns[k][len(sns[k])-1]
					op = &inventory.Adjust{Meta: meta(""), Key: k, Delta: -1, Serials: []string{written}}
				case 1, 2:
					op = &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: q}, {Key: keys[rng.IntN(len(keys))], Quantity: 1}},
						TTL: time.Duration(rng.IntN(3)) * 20 * time.Second}
				case 3:
					op = &inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: pick()}}}
				case 4:
					op = &inventory.Consume{Meta: meta(""), Parts: []inventory.Part{{Reservation: pick()}}}
				case 5:
					op = &inventory.Release{Meta: meta(""), Parts: []inventory.Part{{Reservation: pick()}}}
				case 6:
					op = &inventory.Transfer{Meta: meta(""), From: k, To: keys[rng.IntN(len(keys))].Location, Quantity: q}
				case 7:
					op = &inventory.Move{Meta: meta(""), Key: k, From: inventory.BucketAvailable, To: inventory.BucketQuarantine, Quantity: q}
				case 8:
					op = &inventory.Count{Meta: meta(""), Key: k, OnHand: 15 + rng.Int64N(10)}
				case 9:
					if sw, ok := e.store.(inventory.Sweeper); ok {
						if _, err := sw.Sweep(ctx, owner, e.clock.Now()); err != nil {
							t.Errorf("sweep: %v", err)
						}
					}
					continue
				}
				r, err := e.inv.Apply(ctx, op)
				if err != nil {
					if !errors.Is(err, inventory.ErrInsufficientStock) && !errors.Is(err, inventory.ErrExpired) &&
						!errors.Is(err, inventory.ErrConflict) && !errors.Is(err, inventory.ErrNotFound) && !errors.Is(err, inventory.ErrInvalid) &&
						!errors.Is(err, inventory.ErrSerialCount) {
						t.Errorf("%T: %v", op, err)
					}
					continue
				}
				if rc, ok := op.(*inventory.Receive); ok {
					sns[k] = append(sns[k], rc.Serials...)
				}
				if written != "" {
					sns[k] = sns[k][:len(sns[k])-1]
				}
				for _, res := range r.Reservations {
					if res.Version == 1 {
						mine = append(mine, res.ID)
					}
				}
				mu.Lock()
				entries = append(entries, r.Entries...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(stop)
	ticker.Wait()
	// Sweeps' entries are not in any receipt: take them from the ledger.
	ledger, err := e.inv.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
	require.NoError(t, err)
	seen := map[int64]bool{}
	for _, en := range entries {
		require.False(t, seen[en.Seq], "entry %d in two receipts", en.Seq)
		seen[en.Seq] = true
	}
	for i, en := range ledger {
		require.Equal(t, int64(i+1), en.Seq)
		if !seen[en.Seq] {
			require.Equal(t, inventory.KindExpire, en.Kind, "entry %d of no receipt", en.Seq)
		}
	}
	for _, k := range keys {
		assert.NoError(t, e.level(t, k).Check())
	}
	e.serialsWithinUnits(t, owner, "A")
	e.serialsWithinUnits(t, owner, "B")
	e.reconciled(t, owner)
}
