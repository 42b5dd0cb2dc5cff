package order

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/fulfillkit/fulfill"
)

var (
	_ Store   = (*MemStore)(nil)
	_ Expirer = (*MemStore)(nil)
)

// MemStore is an in-memory [Store], [Expirer], [EventTrimmer] and
// [IdempotencyPruner], safe for concurrent use.
// The zero MemStore is empty and ready to use. It keeps deep copies of the
// orders it is given and hands out deep copies.
type MemStore struct {
	mu     sync.Mutex // guards orders, logs, last, idem, expiring
	orders map[fulfill.OrderID]*Order
	// logs holds each owner's events, in position order; an owner that
	// never wrote has no entry.
	logs map[fulfill.OwnerID]*eventLog
	// last is the position of the last event appended, of any owner:
	// positions number the events of all owners together.
	last Position
	// idem holds each owner's idempotency records by key.
	idem map[fulfill.OwnerID]map[string]IdempotencyRecord
	// expiring holds each owner's expirable orders in the order
	// ExpiringBy lists them; an owner with none has no entry.
	expiring map[fulfill.OwnerID]*expiryIndex
	// indexBlock is the block size of new expiry indexes; 0 means
	// defaultBlock. Tests set it small to split and merge blocks often.
	indexBlock int
}

// eventLog is one owner's events in a MemStore.
type eventLog struct {
	// events are the events kept, in position order: those appended and
	// not trimmed.
	events []StoredEvent
	// last is the position of the owner's last event ever appended, which
	// trimming keeps.
	last Position
}

// Get returns a copy of the order, or a *[NotFoundError].
func (s *MemStore) Get(ctx context.Context, owner fulfill.OwnerID, id fulfill.OrderID) (*Order, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok || o.owner != owner {
		return nil, &NotFoundError{Owner: owner, ID: id}
	}
	return o.Clone(), nil
}

// checkChange checks that a change is internally consistent.
func checkChange(c Change) error {
	if c.Order == nil {
		return invalid("order", "", "required")
	}
	if int64(len(c.Events)) != c.Order.version-c.ExpectedVersion || len(c.Events) == 0 {
		return invalid("events", fmt.Sprint(len(c.Events)), fmt.Sprintf("want the events from version %d to %d", c.ExpectedVersion+1, c.Order.version))
	}
	for i, e := range c.Events {
		if e.Version != c.ExpectedVersion+int64(i)+1 || e.OrderID != c.Order.id || e.Owner != c.Order.owner {
			return invalid("events", fmt.Sprint(e.Version), "event does not belong to this change")
		}
	}
	if r := c.Idempotency; r != nil && (r.Owner != c.Order.owner || r.Key == "") {
		return invalid("idempotency", r.Key, "record must have a key and the order's owner")
	}
	return nil
}

// write stores c; the caller holds s.mu and has checked versions.
func (s *MemStore) write(c Change) error {
	if r := c.Idempotency; r != nil {
		if old, ok := s.idem[r.Owner][r.Key]; ok {
			return &IdempotencyError{Key: r.Key, Command: old.Command}
		}
	}
	if s.orders == nil {
		s.orders = map[fulfill.OrderID]*Order{}
		s.logs = map[fulfill.OwnerID]*eventLog{}
		s.idem = map[fulfill.OwnerID]map[string]IdempotencyRecord{}
		s.expiring = map[fulfill.OwnerID]*expiryIndex{}
	}
	old := s.orders[c.Order.id] // nil for a new order
	stored := c.Order.Clone()
	s.orders[c.Order.id] = stored
	s.reindex(old, stored)
	l := s.logs[c.Order.owner]
	if l == nil {
		l = &eventLog{}
		s.logs[c.Order.owner] = l
	}
	for _, e := range c.Events {
		s.last++
		l.events = append(l.events, StoredEvent{Position: s.last, Event: e})
	}
	l.last = s.last
	if r := c.Idempotency; r != nil {
		rec := *r
		rec.Events = slices.Clone(r.Events)
		keys := s.idem[r.Owner]
		if keys == nil {
			keys = map[string]IdempotencyRecord{}
			s.idem[r.Owner] = keys
		}
		keys[r.Key] = rec
	}
	return nil
}

// reindex moves an order's entry in its owner's expiry index from where
// old (nil for a new order) was listed to where o is; the caller holds s.mu.
// old and o have the same owner. The index holds exactly the stored
// expirable orders, so whether old is listed is a lookup; and an order
// without an ExpiresAt is never expirable, which spares deriving its status.
func (s *MemStore) reindex(old, o *Order) {
	x := s.expiring[o.owner]
	key := expiryKeyOf(o)
	in := !o.expiresAt.IsZero() && o.Expirable()
	if old != nil && !old.expiresAt.IsZero() && x != nil {
		oldKey := expiryKeyOf(old)
		if in && oldKey.compare(key) == 0 && x.contains(key) {
			return // listed where it was
		}
		if x.delete(oldKey) && x.n == 0 {
			delete(s.expiring, o.owner)
			x = nil
		}
	}
	if in {
		if x == nil {
			x = &expiryIndex{size: s.indexBlock}
			s.expiring[o.owner] = x
		}
		x.insert(key)
	}
}

// Create stores a new order. See [Store.Create].
func (s *MemStore) Create(ctx context.Context, c Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkChange(c); err != nil {
		return err
	}
	if c.ExpectedVersion != 0 {
		return invalid("expected_version", fmt.Sprint(c.ExpectedVersion), "must be 0 for a new order")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orders[c.Order.id]; ok {
		return fmt.Errorf("%w: order %s", ErrAlreadyExists, c.Order.id)
	}
	return s.write(c)
}

// Save stores a changed order. See [Store.Save].
func (s *MemStore) Save(ctx context.Context, c Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkChange(c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.orders[c.Order.id]
	if !ok || old.owner != c.Order.owner {
		return &NotFoundError{Owner: c.Order.owner, ID: c.Order.id}
	}
	if old.version != c.ExpectedVersion {
		return &ConflictError{ID: c.Order.id, Expected: c.ExpectedVersion, Actual: old.version}
	}
	return s.write(c)
}

// EventsAfter returns the owner's events after a position. See [Store.EventsAfter].
func (s *MemStore) EventsAfter(ctx context.Context, owner fulfill.OwnerID, after Position, limit int) ([]StoredEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.logs[owner]
	if l == nil {
		return nil, nil
	}
	i := l.index(after)
	return slices.Clone(l.events[i : i+min(limit, len(l.events)-i)]), nil
}

// Idempotency returns a stored idempotency record. See [Store.Idempotency].
func (s *MemStore) Idempotency(ctx context.Context, owner fulfill.OwnerID, key string) (IdempotencyRecord, error) {
	if err := ctx.Err(); err != nil {
		return IdempotencyRecord{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.idem[owner][key]
	if !ok {
		return IdempotencyRecord{}, fmt.Errorf("%w: idempotency key %q of owner %q", ErrNotFound, key, owner)
	}
	r.Events = slices.Clone(r.Events)
	return r, nil
}

// ExpiringBy lists the owner's orders whose TTL has passed by the time by.
// See [Expirer]. It reads an index of each owner's expirable orders that
// every write keeps in listing order, so it costs in proportion to the
// orders it lists, not to the orders stored. ExpiresAt and by are compared
// by their wall-clock readings, without any monotonic clock reading (see
// [time.Time]), as in a SQL store.
func (s *MemStore) ExpiringBy(ctx context.Context, owner fulfill.OwnerID, by time.Time, limit int) ([]fulfill.OrderID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.expiring[owner]
	if x == nil {
		return []fulfill.OrderID{}, nil
	}
	return x.due(by, limit, make([]fulfill.OrderID, 0, min(limit, x.n))), nil
}

// index returns the index in l.events of the first event with a position
// greater than after.
func (l *eventLog) index(after Position) int {
	i, _ := slices.BinarySearchFunc(l.events, after, func(e StoredEvent, after Position) int {
		if e.Position <= after {
			return -1
		}
		return 1
	})
	return i
}
