package order_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

// jsonStore is a Store that keeps everything as JSON, the way a SQL store
// keeps a snapshot in a JSONB column: every read decodes and restores, every
// write encodes. It is the naive baseline of the benchmarks, and a second
// implementation for the conformance suite.
type jsonStore struct {
	mu     sync.Mutex // guards orders, log, idem
	orders map[fulfill.OrderID]jsonRow
	log    [][]byte // JSON of StoredEvent
	idem   map[string][]byte
}

type jsonRow struct {
	owner    fulfill.OwnerID
	version  int64
	snapshot []byte
}

var _ order.Store = (*jsonStore)(nil)

func newJSONStore() *jsonStore {
	return &jsonStore{orders: map[fulfill.OrderID]jsonRow{}, idem: map[string][]byte{}}
}

func (s *jsonStore) Get(ctx context.Context, owner fulfill.OwnerID, id fulfill.OrderID) (*order.Order, error) {
	s.mu.Lock()
	row, ok := s.orders[id]
	s.mu.Unlock()
	if !ok || row.owner != owner {
		return nil, &order.NotFoundError{Owner: owner, ID: id}
	}
	var snap order.Snapshot
	if err := json.Unmarshal(row.snapshot, &snap); err != nil {
		return nil, err
	}
	return order.Restore(snap)
}

func (s *jsonStore) write(c order.Change) error {
	if r := c.Idempotency; r != nil {
		k := string(r.Owner) + "\x00" + r.Key
		if old, ok := s.idem[k]; ok {
			var rec order.IdempotencyRecord
			if err := json.Unmarshal(old, &rec); err != nil {
				return err
			}
			return &order.IdempotencyError{Key: r.Key, Command: rec.Command}
		}
	}
	snap, err := json.Marshal(c.Order.Snapshot())
	if err != nil {
		return err
	}
	var rows [][]byte
	for i, e := range c.Events {
		b, err := json.Marshal(order.StoredEvent{Position: order.Position(len(s.log) + i + 1), Event: e})
		if err != nil {
			return err
		}
		rows = append(rows, b)
	}
	if r := c.Idempotency; r != nil {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		s.idem[string(r.Owner)+"\x00"+r.Key] = b
	}
	s.orders[c.Order.ID()] = jsonRow{owner: c.Order.Owner(), version: c.Order.Version(), snapshot: snap}
	s.log = append(s.log, rows...)
	return nil
}

func (s *jsonStore) Create(ctx context.Context, c order.Change) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orders[c.Order.ID()]; ok {
		return fmt.Errorf("%w: %s", order.ErrAlreadyExists, c.Order.ID())
	}
	return s.write(c)
}

func (s *jsonStore) Save(ctx context.Context, c order.Change) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	row, ok := s.orders[c.Order.ID()]
	if !ok || row.owner != c.Order.Owner() {
		return &order.NotFoundError{Owner: c.Order.Owner(), ID: c.Order.ID()}
	}
	if row.version != c.ExpectedVersion {
		return &order.ConflictError{ID: c.Order.ID(), Expected: c.ExpectedVersion, Actual: row.version}
	}
	return s.write(c)
}

func (s *jsonStore) EventsAfter(ctx context.Context, owner fulfill.OwnerID, after order.Position, limit int) ([]order.StoredEvent, error) {
	if limit <= 0 {
		limit = 100
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []order.StoredEvent
	for i := max(int(after), 0); i < len(s.log) && len(out) < limit; i++ {
		var se order.StoredEvent
		if err := json.Unmarshal(s.log[i], &se); err != nil {
			return nil, err
		}
		if se.Event.Owner == owner {
			out = append(out, se)
		}
	}
	return out, nil
}

func (s *jsonStore) Idempotency(ctx context.Context, owner fulfill.OwnerID, key string) (order.IdempotencyRecord, error) {
	s.mu.Lock()
	b, ok := s.idem[string(owner)+"\x00"+key]
	s.mu.Unlock()
	if !ok {
		return order.IdempotencyRecord{}, fmt.Errorf("%w: key %q", order.ErrNotFound, key)
	}
	var rec order.IdempotencyRecord
	err := json.Unmarshal(b, &rec)
	return rec, err
}
