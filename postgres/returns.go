package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/returns"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ReturnStore is the PostgreSQL [returns.Store]: each return and refund
// account is a snapshot with a version, written only if the stored version
// is the one read (a stale write fails with a *[returns.ConflictError] and
// writes nothing). It is safe for concurrent use by many goroutines and
// processes.
type ReturnStore struct {
	db *DB
}

var _ returns.Store = (*ReturnStore)(nil)

// NewReturnStore returns the returns store over db. Run [DB.Migrate] once
// before using it.
func NewReturnStore(db *DB) *ReturnStore { return &ReturnStore{db: db} }

// returnInvalid returns a *fulfill.FieldError of kind returns.ErrInvalidReturn.
func returnInvalid(field, reason string) error {
	return &fulfill.FieldError{Field: field, Reason: reason, Kind: returns.ErrInvalidReturn}
}

// bumpReturn sets r's version to v, through a snapshot (the store cannot
// set it otherwise).
func bumpReturn(r *returns.Return, snap returns.Snapshot, v int64) error {
	snap.Version = v
	nr, err := returns.Restore(snap)
	if err != nil {
		return err
	}
	*r = *nr
	return nil
}

// Create stores a new return at version 1; see [returns.Store].
func (s *ReturnStore) Create(ctx context.Context, r *returns.Return) error {
	if r == nil {
		return returnInvalid("return", "required")
	}
	if r.Version() != 0 {
		return &returns.ConflictError{Kind: "return", ID: string(r.ID()), Expected: r.Version(), Actual: 0}
	}
	snap := r.Snapshot()
	snap.Version = 1
	b, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	var n int64
	err = s.db.run(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `INSERT INTO returns (owner, id, order_id, status, version, snapshot)
			VALUES ($1, $2, $3::uuid, $4, 1, $5::jsonb) ON CONFLICT (owner, id) DO NOTHING`,
			string(snap.Owner), string(snap.ID), snap.Order.String(), string(snap.Status), string(b))
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: owner %q return %s", returns.ErrAlreadyExists, snap.Owner, snap.ID)
	}
	return bumpReturn(r, r.Snapshot(), 1)
}

// Get returns a copy of the owner's return; see [returns.Store].
func (s *ReturnStore) Get(ctx context.Context, owner fulfill.OwnerID, id returns.ID) (*returns.Return, error) {
	var b []byte
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT snapshot FROM returns WHERE owner = $1 AND id = $2`, string(owner), string(id)).Scan(&b)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &returns.NotFoundError{Owner: owner, Kind: "return", ID: string(id)}
	}
	if err != nil {
		return nil, err
	}
	return decodeReturn(b)
}

// decodeReturn restores a stored return.
func decodeReturn(b []byte) (*returns.Return, error) {
	var snap returns.Snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return nil, corrupt("return snapshot", err)
	}
	r, err := returns.Restore(snap)
	if err != nil {
		return nil, corrupt("return snapshot", err)
	}
	return r, nil
}

// Save writes r if the stored version is r.Version(), then sets r's version
// to the next; see [returns.Store].
func (s *ReturnStore) Save(ctx context.Context, r *returns.Return) error {
	if r == nil {
		return returnInvalid("return", "required")
	}
	snap := r.Snapshot()
	next := snap.Version + 1
	stored := snap
	stored.Version = next
	b, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	var n int64
	err = s.db.run(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `UPDATE returns SET status = $3, version = $4, snapshot = $5::jsonb
			WHERE owner = $1 AND id = $2 AND version = $6`,
			string(snap.Owner), string(snap.ID), string(snap.Status), next, string(b), snap.Version)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	if n == 1 {
		return bumpReturn(r, snap, next)
	}
	var actual int64
	err = s.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT version FROM returns WHERE owner = $1 AND id = $2`, string(snap.Owner), string(snap.ID)).Scan(&actual)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return &returns.NotFoundError{Owner: snap.Owner, Kind: "return", ID: string(snap.ID)}
	}
	if err != nil {
		return err
	}
	return &returns.ConflictError{Kind: "return", ID: string(snap.ID), Expected: snap.Version, Actual: actual}
}

// ForOrder returns copies of the owner's returns of order o, by ID; see
// [returns.Store].
func (s *ReturnStore) ForOrder(ctx context.Context, owner fulfill.OwnerID, o fulfill.OrderID) ([]*returns.Return, error) {
	var out []*returns.Return
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		out = out[:0]
		rows, _ := c.Query(ctx, `SELECT snapshot FROM returns WHERE owner = $1 AND order_id = $2::uuid`, string(owner), o.String())
		var b []byte
		_, err := pgx.ForEachRow(rows, []any{&b}, func() error {
			r, err := decodeReturn(b)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *returns.Return) int { return strings.Compare(string(a.ID()), string(b.ID())) })
	return out, nil
}

// Account returns a copy of the refund account of the owner's order o;
// see [returns.Store].
func (s *ReturnStore) Account(ctx context.Context, owner fulfill.OwnerID, o fulfill.OrderID) (*returns.Account, error) {
	var b []byte
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT snapshot FROM return_accounts WHERE owner = $1 AND order_id = $2::uuid`, string(owner), o.String()).Scan(&b)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &returns.NotFoundError{Owner: owner, Kind: "account", ID: o.String()}
	}
	if err != nil {
		return nil, err
	}
	var snap returns.AccountSnapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return nil, corrupt("refund account snapshot", err)
	}
	a, err := returns.RestoreAccount(snap)
	if err != nil {
		return nil, corrupt("refund account snapshot", err)
	}
	return a, nil
}

// SaveAccount creates the account (version 0) or writes it if the stored
// version is a.Version(), then sets a's version to the next; see
// [returns.Store].
func (s *ReturnStore) SaveAccount(ctx context.Context, a *returns.Account) error {
	if a == nil {
		return returnInvalid("account", "required")
	}
	snap := a.Snapshot()
	next := snap.Version + 1
	stored := snap
	stored.Version = next
	b, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	var n int64
	err = s.db.run(ctx, func(c *pgx.Conn) error {
		var tag pgconn.CommandTag
		var err error
		if snap.Version == 0 {
			tag, err = c.Exec(ctx, `INSERT INTO return_accounts (owner, order_id, version, snapshot)
				VALUES ($1, $2::uuid, 1, $3::jsonb) ON CONFLICT (owner, order_id) DO NOTHING`,
				string(snap.Owner), snap.Order.String(), string(b))
		} else {
			tag, err = c.Exec(ctx, `UPDATE return_accounts SET version = $3, snapshot = $4::jsonb
				WHERE owner = $1 AND order_id = $2::uuid AND version = $5`,
				string(snap.Owner), snap.Order.String(), next, string(b), snap.Version)
		}
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	if n == 1 {
		snap.Version = next
		na, err := returns.RestoreAccount(snap)
		if err != nil {
			return err
		}
		*a = *na
		return nil
	}
	var actual int64
	err = s.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT version FROM return_accounts WHERE owner = $1 AND order_id = $2::uuid`,
			string(snap.Owner), snap.Order.String()).Scan(&actual)
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	return &returns.ConflictError{Kind: "account", ID: snap.Order.String(), Expected: snap.Version, Actual: actual}
}
