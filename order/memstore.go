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

// MemStore is an in-memory [Store], safe for concurrent use. The zero
// MemStore is empty and ready to use. It keeps deep copies of the orders it
// is given and hands out deep copies.
type MemStore struct {
	mu     sync.Mutex // guards orders, log, idem
	orders map[fulfill.OrderID]*Order
	log    []StoredEvent
	idem   map[idemKey]IdempotencyRecord
}

// idemKey is the key of an idempotency record.
type idemKey struct {
	owner fulfill.OwnerID
	key   string
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
		if old, ok := s.idem[idemKey{r.Owner, r.Key}]; ok {
			return &IdempotencyError{Key: r.Key, Command: old.Command}
		}
	}
	if s.orders == nil {
		s.orders = map[fulfill.OrderID]*Order{}
		s.idem = map[idemKey]IdempotencyRecord{}
	}
	s.orders[c.Order.id] = c.Order.Clone()
	next := Position(len(s.log))
	for _, e := range c.Events {
		next++
		s.log = append(s.log, StoredEvent{Position: next, Event: e})
	}
	if r := c.Idempotency; r != nil {
		rec := *r
		rec.Events = slices.Clone(r.Events)
		s.idem[idemKey{r.Owner, r.Key}] = rec
	}
	return nil
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
	var out []StoredEvent
	start := max(int(after), 0) // positions are 1-based indexes into log
	for i := start; i < len(s.log) && len(out) < limit; i++ {
		if s.log[i].Event.Owner == owner {
			out = append(out, s.log[i])
		}
	}
	return out, nil
}

// Idempotency returns a stored idempotency record. See [Store.Idempotency].
func (s *MemStore) Idempotency(ctx context.Context, owner fulfill.OwnerID, key string) (IdempotencyRecord, error) {
	if err := ctx.Err(); err != nil {
		return IdempotencyRecord{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.idem[idemKey{owner, key}]
	if !ok {
		return IdempotencyRecord{}, fmt.Errorf("%w: idempotency key %q of owner %q", ErrNotFound, key, owner)
	}
	r.Events = slices.Clone(r.Events)
	return r, nil
}

// ExpiringBy lists the owner's orders whose TTL has passed by the time by.
// See [Expirer]. It scans every stored order.
func (s *MemStore) ExpiringBy(ctx context.Context, owner fulfill.OwnerID, by time.Time, limit int) ([]fulfill.OrderID, error) {
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
	slices.SortFunc(due, compareExpiry)
	ids := make([]fulfill.OrderID, 0, min(limit, len(due)))
	for _, o := range due[:min(limit, len(due))] {
		ids = append(ids, o.id)
	}
	return ids, nil
}
