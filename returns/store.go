package returns

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/fulfillkit/fulfill"
)

// Store keeps returns and refund accounts per owner, with optimistic
// versions. Implementations must be safe for concurrent use.
//
// Create stores a new return (its Version must be 0) at version 1, or fails
// with [ErrAlreadyExists]. Get returns a copy of the owner's return, or a
// *[NotFoundError] (also for a return of another owner). Save writes r if
// the stored version is still r.Version(), then sets r's version to the
// next; a stale r fails with a *[ConflictError] and writes nothing. ForOrder
// returns copies of an owner's returns of one order, by ID.
//
// Account returns a copy of the refund account of an owner's order, or a
// *[NotFoundError]; SaveAccount creates it (Version 0) or writes it under
// the same optimistic rule as Save.
//
// The store keeps copies: changing a value after a call never changes what
// is stored.
type Store interface {
	Create(ctx context.Context, r *Return) error
	Get(ctx context.Context, owner fulfill.OwnerID, id ID) (*Return, error)
	Save(ctx context.Context, r *Return) error
	ForOrder(ctx context.Context, owner fulfill.OwnerID, o fulfill.OrderID) ([]*Return, error)
	AccountStore
}

// AccountStore keeps refund accounts; see [Store].
type AccountStore interface {
	Account(ctx context.Context, owner fulfill.OwnerID, o fulfill.OrderID) (*Account, error)
	SaveAccount(ctx context.Context, a *Account) error
}

// MemStore is the in-memory [Store]. The zero MemStore is empty and ready
// to use; it is safe for concurrent use.
type MemStore struct {
	mu       sync.Mutex // guards returns and accounts
	returns  map[returnKey]*Return
	accounts map[accountKey]*Account
}

type returnKey struct {
	owner fulfill.OwnerID
	id    ID
}

type accountKey struct {
	owner fulfill.OwnerID
	order fulfill.OrderID
}

var _ Store = (*MemStore)(nil)

// Create implements [Store].
func (s *MemStore) Create(ctx context.Context, r *Return) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r == nil {
		return invalid("return", "", "required")
	}
	if r.version != 0 {
		return &ConflictError{Kind: "return", ID: string(r.id), Expected: r.version, Actual: 0}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := returnKey{r.owner, r.id}
	if _, ok := s.returns[k]; ok {
		return fmt.Errorf("%w: owner %q return %s", ErrAlreadyExists, r.owner, r.id)
	}
	if s.returns == nil {
		s.returns = map[returnKey]*Return{}
	}
	c := r.Clone()
	c.version = 1
	s.returns[k] = c
	r.version = 1
	return nil
}

// Get implements [Store].
func (s *MemStore) Get(ctx context.Context, owner fulfill.OwnerID, id ID) (*Return, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.returns[returnKey{owner, id}]
	if !ok {
		return nil, &NotFoundError{Owner: owner, Kind: "return", ID: string(id)}
	}
	return r.Clone(), nil
}

// Save implements [Store].
func (s *MemStore) Save(ctx context.Context, r *Return) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r == nil {
		return invalid("return", "", "required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := returnKey{r.owner, r.id}
	cur, ok := s.returns[k]
	if !ok {
		return &NotFoundError{Owner: r.owner, Kind: "return", ID: string(r.id)}
	}
	if cur.version != r.version {
		return &ConflictError{Kind: "return", ID: string(r.id), Expected: r.version, Actual: cur.version}
	}
	c := r.Clone()
	c.version++
	s.returns[k] = c
	r.version++
	return nil
}

// ForOrder implements [Store].
func (s *MemStore) ForOrder(ctx context.Context, owner fulfill.OwnerID, o fulfill.OrderID) ([]*Return, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Return
	for k, r := range s.returns {
		if k.owner == owner && r.order == o {
			out = append(out, r.Clone())
		}
	}
	slices.SortFunc(out, func(a, b *Return) int { return strings.Compare(string(a.id), string(b.id)) })
	return out, nil
}

// Account implements [Store].
func (s *MemStore) Account(ctx context.Context, owner fulfill.OwnerID, o fulfill.OrderID) (*Account, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[accountKey{owner, o}]
	if !ok {
		return nil, &NotFoundError{Owner: owner, Kind: "account", ID: o.String()}
	}
	return a.Clone(), nil
}

// SaveAccount implements [Store].
func (s *MemStore) SaveAccount(ctx context.Context, a *Account) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a == nil {
		return invalid("account", "", "required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := accountKey{a.owner, a.order}
	var stored int64
	if cur, ok := s.accounts[k]; ok {
		stored = cur.version
	}
	if stored != a.version {
		return &ConflictError{Kind: "account", ID: a.order.String(), Expected: a.version, Actual: stored}
	}
	if s.accounts == nil {
		s.accounts = map[accountKey]*Account{}
	}
	c := a.Clone()
	c.version++
	s.accounts[k] = c
	a.version++
	return nil
}
