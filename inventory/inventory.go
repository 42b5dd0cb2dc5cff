package inventory

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/google/uuid"
)

// Options configure an [Inventory]. The zero Options (or nil) means the
// defaults below.
type Options struct {
	// Clock stamps operations and decides which holds have lapsed. If nil,
	// the system clock.
	Clock fulfill.Clock
	// Rand is the source of new reservation IDs (random UUIDs). If nil,
	// crypto/rand. It need not be safe for concurrent use: reads from it
	// are serialised.
	Rand io.Reader
	// Retries is how many times an operation built from a read (a count, a
	// recall, an allocation) is rebuilt after ErrConflict. If 0, 3.
	Retries int
	// OnAvailability, if not nil, is called with every availability change
	// after an operation applies (not on an idempotent replay), in the
	// caller's goroutine, for syncing storefronts and marketplaces.
	OnAvailability func(AvailabilityChanged)
}

// Inventory applies operations to a [Store], stamping them with its clock
// and turning each into one atomic [Txn]. It is safe for concurrent use if
// its Store is.
type Inventory struct {
	store   Store
	clock   fulfill.Clock
	retries int
	notify  func(AvailabilityChanged)

	randMu sync.Mutex // guards reads from rand
	rand   io.Reader  // nil means crypto/rand
}

// New returns an Inventory over store. If store is nil, a new [MemStore];
// if opts is nil, the defaults of [Options].
func New(store Store, opts *Options) *Inventory {
	if store == nil {
		store = new(MemStore)
	}
	if opts == nil {
		opts = &Options{}
	}
	inv := &Inventory{store: store, clock: opts.Clock, retries: opts.Retries, notify: opts.OnAvailability, rand: opts.Rand}
	if inv.retries <= 0 {
		inv.retries = 3
	}
	return inv
}

// Store returns the store the Inventory applies operations to.
func (inv *Inventory) Store() Store { return inv.store }

// newID returns a random reservation ID.
func (inv *Inventory) newID() (string, error) {
	if inv.rand == nil { // crypto/rand is safe for concurrent use
		u, err := uuid.NewRandomFromReader(rand.Reader)
		return u.String(), err
	}
	inv.randMu.Lock()
	defer inv.randMu.Unlock()
	u, err := uuid.NewRandomFromReader(inv.rand)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// Fingerprint returns the fingerprint of op's payload, as stored with its
// idempotency key: a hash of its kind and its JSON encoding.
func Fingerprint(op Operation) string {
	b, err := json.Marshal(op)
	if err != nil {
		return ""
	}
	h := sha256.New()
	h.Write([]byte(op.kind()))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// Apply applies op atomically and returns its receipt. Operations built
// from a read (a [Count] or a [Recall]) are rebuilt and retried when the
// level changed meanwhile. See [Store] for the errors.
func (inv *Inventory) Apply(ctx context.Context, op Operation) (*Receipt, error) {
	if op == nil || reflect.ValueOf(op).IsNil() {
		return nil, invalid("operation", "", "required")
	}
	fp := ""
	if op.meta().IdempotencyKey != "" {
		fp = Fingerprint(op)
	}
	return inv.apply(ctx, op, fp)
}

// apply applies op with the idempotency fingerprint fp.
func (inv *Inventory) apply(ctx context.Context, op Operation, fp string) (*Receipt, error) {
	m := op.meta()
	if err := m.Owner.Validate(); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		now := fulfill.Now(inv.clock)
		b := &builder{
			at: now,
			level: func(k Key) (Level, error) {
				return inv.level(ctx, k, now)
			},
			levels: func(sku fulfill.SKU) ([]Level, error) {
				return inv.store.Levels(ctx, LevelQuery{Owner: m.Owner, SKUs: []fulfill.SKU{sku}, At: now})
			},
			newID: inv.newID,
		}
		t, err := op.build(b)
		if err != nil {
			return nil, err
		}
		t.Fingerprint = fp
		if _, ok := inv.store.(SerialStore); !ok && t.hasSerials() {
			return nil, invalid("serials", "", "the store does not track serial numbers")
		}
		r, err := inv.store.Apply(ctx, t)
		if err != nil {
			if rebuilt(op) && errors.Is(err, ErrConflict) && attempt < inv.retries {
				continue
			}
			return nil, err
		}
		if inv.notify != nil && !r.Replayed {
			for _, e := range r.Events {
				inv.notify(e)
			}
		}
		return r, nil
	}
}

// rebuilt reports whether op is built from a read, and so may be retried
// after a conflict.
func rebuilt(op Operation) bool {
	switch op.(type) {
	case *Count, *Recall:
		return true
	}
	return false
}

// Level returns the level of k as seen now; a level that does not exist is
// returned empty, with Version 0.
func (inv *Inventory) Level(ctx context.Context, k Key) (Level, error) {
	return inv.level(ctx, k, fulfill.Now(inv.clock))
}

// level returns the level of k at now, or an empty one.
func (inv *Inventory) level(ctx context.Context, k Key, now time.Time) (Level, error) {
	if err := k.Validate(); err != nil {
		return Level{}, err
	}
	ls, err := inv.store.Levels(ctx, LevelQuery{Owner: k.Owner, SKUs: []fulfill.SKU{k.SKU}, Locations: []fulfill.LocationID{k.Location}, At: now})
	if err != nil {
		return Level{}, err
	}
	for _, l := range ls {
		if l.Key == k {
			return l, nil
		}
	}
	return Level{Key: k}, nil
}

// Levels returns the levels matching q; a zero q.At means now.
func (inv *Inventory) Levels(ctx context.Context, q LevelQuery) ([]Level, error) {
	if q.At.IsZero() {
		q.At = fulfill.Now(inv.clock)
	}
	return inv.store.Levels(ctx, q)
}

// Reservations returns the reservations matching q; a zero q.At means now.
func (inv *Inventory) Reservations(ctx context.Context, q ReservationQuery) ([]Reservation, error) {
	if q.At.IsZero() {
		q.At = fulfill.Now(inv.clock)
	}
	return inv.store.Reservations(ctx, q)
}

// Ledger returns a page of an owner's ledger.
func (inv *Inventory) Ledger(ctx context.Context, q LedgerQuery) ([]Entry, error) {
	return inv.store.Ledger(ctx, q)
}

// Sweep collects the owner's lapsed holds and returns how many it
// collected; lapsed holds already count as available, so sweeping only
// tidies the store and raises their availability events. It uses the
// store's [Sweeper] if it has one and no OnAvailability callback is set;
// otherwise it finds the lapsed holds and touches their levels, one
// transaction per level.
func (inv *Inventory) Sweep(ctx context.Context, owner fulfill.OwnerID) (int, error) {
	now := fulfill.Now(inv.clock)
	if s, ok := inv.store.(Sweeper); ok && inv.notify == nil {
		return s.Sweep(ctx, owner, now)
	}
	res, err := inv.store.Reservations(ctx, ReservationQuery{Owner: owner})
	if err != nil {
		return 0, err
	}
	var keys []Key
	for _, r := range res {
		if r.Reserved > 0 && r.Expired(now) && !slices.Contains(keys, r.Key) {
			keys = append(keys, r.Key)
		}
	}
	n := 0
	for _, k := range keys {
		r, err := inv.store.Apply(ctx, &Txn{Owner: owner, Kind: KindExpire, Reason: ReasonExpired, At: now, Touch: []Key{k}})
		if err != nil {
			return n, err
		}
		for _, e := range r.Entries {
			if e.Kind == KindExpire {
				n++
			}
		}
		if inv.notify != nil {
			for _, e := range r.Events {
				inv.notify(e)
			}
		}
	}
	return n, nil
}

// Serials returns the owner's serial numbers of sku in stock, if the store
// is a [SerialStore]; otherwise it fails with [ErrInvalid].
func (inv *Inventory) Serials(ctx context.Context, owner fulfill.OwnerID, sku fulfill.SKU) ([]Serial, error) {
	s, ok := inv.store.(SerialStore)
	if !ok {
		return nil, invalid("serials", "", "the store does not track serial numbers")
	}
	return s.Serials(ctx, owner, sku)
}
