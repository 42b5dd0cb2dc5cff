package ship

import (
	"context"
	"fmt"
	"sync"
)

// Store keeps shipments for a host. Implementations must be safe for
// concurrent use and must never let two writers both apply a change to the
// same version of a shipment.
//
// Shipment returns the shipment with id, or an error wrapping
// [ErrNotFound]. The caller owns the result.
//
// ByTrackingNumber returns the ID of the shipment with a package of
// tracking number tn, or an error wrapping [ErrNotFound]: how webhooks find
// their shipment.
//
// Create stores a new shipment. It fails with an error wrapping
// [ErrConflict] if the ID or any tracking number is already stored.
// A store keeps whatever [New] and the shipment's methods accept, text
// included, exactly: a shipment loads back with the same snapshot, as JSON.
//
// Update loads the shipment with id, calls fn with it, and stores the
// result if fn returns nil, as one atomic step: a concurrent change makes
// Update fail with [ErrConflict] (or retry), never lose a write. If fn
// returns an error, nothing is stored and Update returns that error.
type Store interface {
	Shipment(ctx context.Context, id ID) (*Shipment, error)
	ByTrackingNumber(ctx context.Context, tn string) (ID, error)
	Create(ctx context.Context, s *Shipment) error
	Update(ctx context.Context, id ID, fn func(*Shipment) error) error
}

// MemStore is the in-memory [Store]. The zero MemStore is empty and ready
// to use. It keeps snapshots, so no caller shares a *Shipment with it.
type MemStore struct {
	mu        sync.Mutex // guards shipments and byNumber
	shipments map[ID]Snapshot
	byNumber  map[string]ID
}

var _ Store = (*MemStore)(nil)

// Shipment implements [Store].
func (m *MemStore) Shipment(ctx context.Context, id ID) (*Shipment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	snap, ok := m.shipments[id]
	m.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: shipment %q", ErrNotFound, id)
	}
	return Restore(snap)
}

// ByTrackingNumber implements [Store].
func (m *MemStore) ByTrackingNumber(ctx context.Context, tn string) (ID, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.byNumber[tn]
	if !ok {
		return "", fmt.Errorf("%w: tracking number %q", ErrNotFound, tn)
	}
	return id, nil
}

// Create implements [Store].
func (m *MemStore) Create(ctx context.Context, s *Shipment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	snap := s.Snapshot()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.shipments[snap.ID]; ok {
		return fmt.Errorf("%w: shipment %q exists", ErrConflict, snap.ID)
	}
	for _, p := range snap.Packages {
		if other, ok := m.byNumber[p.Label.TrackingNumber]; ok {
			return fmt.Errorf("%w: tracking number %q belongs to shipment %q", ErrConflict, p.Label.TrackingNumber, other)
		}
	}
	if m.shipments == nil {
		m.shipments, m.byNumber = map[ID]Snapshot{}, map[string]ID{}
	}
	m.shipments[snap.ID] = snap
	for _, p := range snap.Packages {
		m.byNumber[p.Label.TrackingNumber] = snap.ID
	}
	return nil
}

// Update implements [Store]. It holds the store's lock while fn runs, so
// fn must not call the store.
func (m *MemStore) Update(ctx context.Context, id ID, fn func(*Shipment) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	snap, ok := m.shipments[id]
	if !ok {
		return fmt.Errorf("%w: shipment %q", ErrNotFound, id)
	}
	s, err := Restore(snap)
	if err != nil {
		return err
	}
	if err := fn(s); err != nil {
		return err
	}
	if s.id != id {
		return fmt.Errorf("%w: update of %q returned shipment %q", ErrConflict, id, s.id)
	}
	m.shipments[id] = s.Snapshot()
	return nil
}

// IngestEvent routes a tracking event to its shipment in st and applies it
// there in one [Store.Update]: a host's whole webhook handler after
// [DecodeEvent]. It returns the shipment's ID and what changed; an event
// for a tracking number st does not know returns an error wrapping
// [ErrNotFound].
func IngestEvent(ctx context.Context, st Store, e Event) (ID, Change, error) {
	if err := e.Validate(); err != nil {
		return "", Change{}, err
	}
	id, err := st.ByTrackingNumber(ctx, e.TrackingNumber)
	if err != nil {
		return "", Change{}, err
	}
	var c Change
	err = st.Update(ctx, id, func(s *Shipment) error {
		var err error
		c, err = s.Ingest(e)
		return err
	})
	if err != nil {
		return id, Change{}, err
	}
	return id, c, nil
}
