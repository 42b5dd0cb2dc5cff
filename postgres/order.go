package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// OrderStore is the PostgreSQL [order.Store]. Each write is one SQL
// statement, so one implicit transaction: the order's snapshot guarded by
// its version (a stale write fails with an *[order.ConflictError]), its
// events appended to the owner's outbox, and the idempotency record. Event
// positions are numbered per owner from 1 without gaps, and a position
// becomes visible only after every lower one of the owner. It is safe for
// concurrent use by many goroutines and processes. It is an
// [order.Expirer] too: each write also stores when the order may be
// expired, in an indexed column. And it is an [order.EventTrimmer] and an
// [order.IdempotencyPruner], which delete the events a consumer has
// processed and the records past a retry window in batches: a trimmed log
// starts at the first event kept, its positions unchanged.
type OrderStore struct {
	db *DB
	// trimBatch and pruneBatch are how many rows one statement of
	// TrimEvents and PruneIdempotency deletes; 0 means the defaults of
	// the inventory store's retention. Tests set them small.
	trimBatch, pruneBatch int
}

var (
	_ order.Store   = (*OrderStore)(nil)
	_ order.Expirer = (*OrderStore)(nil)
)

// NewOrderStore returns the order store over db. Run [DB.Migrate] once
// before using it.
func NewOrderStore(db *DB) *OrderStore { return &OrderStore{db: db} }

// orderInvalid returns a *fulfill.FieldError of kind order.ErrInvalidOrder.
func orderInvalid(field, value, reason string) error {
	return &fulfill.FieldError{Field: field, Value: value, Reason: reason, Kind: order.ErrInvalidOrder}
}

// checkChange checks that c is internally consistent.
func checkChange(c order.Change) error {
	if c.Order == nil {
		return orderInvalid("order", "", "required")
	}
	o := c.Order
	if int64(len(c.Events)) != o.Version()-c.ExpectedVersion || len(c.Events) == 0 {
		return orderInvalid("events", fmt.Sprint(len(c.Events)), fmt.Sprintf("want the events from version %d to %d", c.ExpectedVersion+1, o.Version()))
	}
	for i, e := range c.Events {
		if e.Version != c.ExpectedVersion+int64(i)+1 || e.OrderID != o.ID() || e.Owner != o.Owner() {
			return orderInvalid("events", fmt.Sprint(e.Version), "event does not belong to this change")
		}
	}
	if r := c.Idempotency; r != nil && (r.Owner != o.Owner() || r.Key == "") {
		return orderInvalid("idempotency", r.Key, "record must have a key and the order's owner")
	}
	return nil
}

// orderArgs are the encoded parts of a change.
type orderArgs struct {
	id, owner        string
	snapshot         []byte
	status           string
	created, update  *int64
	expires          *int64 // ExpiresAt of an expirable order, else nil
	events           []string
	versions         []int64
	types            []string
	idemKey, idemCmd string
	idem             []byte
	idemCreated      *int64 // the record's CreatedAt, nil for none or the zero time
}

// encode encodes c for the write statements.
func encodeChange(c order.Change) (*orderArgs, error) {
	o := c.Order
	snap := o.Snapshot()
	a := &orderArgs{id: o.ID().String(), owner: string(o.Owner()), status: string(snap.Status)}
	var err error
	if a.snapshot, err = json.Marshal(snap); err != nil {
		return nil, err
	}
	if a.created, err = nsOf("created_at", snap.CreatedAt, order.ErrInvalidOrder); err != nil {
		return nil, err
	}
	if a.update, err = nsOf("updated_at", snap.UpdatedAt, order.ErrInvalidOrder); err != nil {
		return nil, err
	}
	if o.Expirable() {
		if a.expires, err = nsOf("expires_at", snap.ExpiresAt, order.ErrInvalidOrder); err != nil {
			return nil, err
		}
	}
	for _, e := range c.Events {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		a.events = append(a.events, string(b))
		a.versions = append(a.versions, e.Version)
		a.types = append(a.types, string(e.Type()))
	}
	if r := c.Idempotency; r != nil {
		a.idemKey, a.idemCmd = r.Key, string(r.Command)
		if a.idem, err = json.Marshal(r); err != nil {
			return nil, err
		}
		a.idemCreated = clampedNs(r.CreatedAt)
	}
	return a, nil
}

// appendSQL is the tail of both write statements: from the CTE "w" (the
// order written, one row or none) it appends the events to the owner's
// outbox and stores the idempotency record.
const appendSQL = `, pos AS (
	INSERT INTO order_owners (owner, position) SELECT $2, $7 FROM w
	ON CONFLICT (owner) DO UPDATE SET position = order_owners.position + $7
	RETURNING position
), ev AS (
	INSERT INTO order_events (owner, position, order_id, version, type, event)
	SELECT $2, pos.position - $7 + e.ord, $1::uuid, e.version, e.type, e.event
	FROM pos, unnest($8::jsonb[], $9::bigint[], $10::text[]) WITH ORDINALITY AS e(event, version, type, ord)
), idem AS (
	INSERT INTO order_idempotency (owner, key, command, record, created_ns)
	SELECT $2, $11, $12, $13::jsonb, $15 FROM pos WHERE $11 <> ''
)
SELECT position FROM pos`

// createSQL inserts a new order.
const createSQL = `WITH w AS (
	INSERT INTO orders (id, owner, version, status, snapshot, created_ns, updated_ns, expires_ns)
	VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6, $6, $14)
	RETURNING id
)` + appendSQL

// saveSQL updates an order if its stored version is $16.
const saveSQL = `WITH w AS (
	UPDATE orders SET version = $3, status = $4, snapshot = $5::jsonb, updated_ns = $6, expires_ns = $14
	WHERE id = $1::uuid AND owner = $2 AND version = $16
	RETURNING id
)` + appendSQL

// write runs a write statement and returns whether it wrote a row.
func (s *OrderStore) write(ctx context.Context, q string, a *orderArgs, extra ...any) (bool, error) {
	var idem *string
	if a.idem != nil {
		v := string(a.idem)
		idem = &v
	}
	upd := a.update
	if q == createSQL {
		upd = a.created
	}
	args := append([]any{a.id, a.owner, a.versions[len(a.versions)-1], a.status, string(a.snapshot), upd,
		int64(len(a.events)), a.events, a.versions, a.types, a.idemKey, a.idemCmd, idem, a.expires, a.idemCreated}, extra...)
	wrote := false
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		var pos int64
		err := c.QueryRow(ctx, q, args...).Scan(&pos)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		wrote = err == nil
		return err
	})
	return wrote, err
}

// idemError returns the error of a write refused because its idempotency
// key is taken.
func (s *OrderStore) idemError(ctx context.Context, owner fulfill.OwnerID, key string) error {
	rec, err := s.Idempotency(ctx, owner, key)
	if err != nil {
		return err
	}
	return &order.IdempotencyError{Key: key, Command: rec.Command}
}

// constraint returns the constraint a unique violation names, or "".
func constraint(err error) string {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == codeUniqueViolation {
		return pe.ConstraintName
	}
	return ""
}

// Create stores a new order; see [order.Store].
func (s *OrderStore) Create(ctx context.Context, c order.Change) error {
	if err := checkChange(c); err != nil {
		return err
	}
	if c.ExpectedVersion != 0 {
		return orderInvalid("expected_version", fmt.Sprint(c.ExpectedVersion), "must be 0 for a new order")
	}
	a, err := encodeChange(c)
	if err != nil {
		return err
	}
	_, err = s.write(ctx, createSQL, a)
	switch constraint(err) {
	case "orders_pkey":
		return fmt.Errorf("%w: order %s", order.ErrAlreadyExists, c.Order.ID())
	case "order_idempotency_pkey":
		return s.idemError(ctx, c.Order.Owner(), a.idemKey)
	}
	return err
}

// Save stores a changed order; see [order.Store].
func (s *OrderStore) Save(ctx context.Context, c order.Change) error {
	if err := checkChange(c); err != nil {
		return err
	}
	a, err := encodeChange(c)
	if err != nil {
		return err
	}
	wrote, err := s.write(ctx, saveSQL, a, c.ExpectedVersion)
	if constraint(err) == "order_idempotency_pkey" {
		return s.idemError(ctx, c.Order.Owner(), a.idemKey)
	}
	if err != nil || wrote {
		return err
	}
	// Nothing written: say why.
	var owner string
	var version int64
	err = s.db.run(ctx, func(conn *pgx.Conn) error {
		return conn.QueryRow(ctx, `SELECT owner, version FROM orders WHERE id = $1::uuid`, a.id).Scan(&owner, &version)
	})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && owner != a.owner) {
		return &order.NotFoundError{Owner: c.Order.Owner(), ID: c.Order.ID()}
	}
	if err != nil {
		return err
	}
	return &order.ConflictError{ID: c.Order.ID(), Expected: c.ExpectedVersion, Actual: version}
}

// Get returns the stored order; see [order.Store].
func (s *OrderStore) Get(ctx context.Context, owner fulfill.OwnerID, id fulfill.OrderID) (*order.Order, error) {
	var b []byte
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT snapshot FROM orders WHERE id = $1::uuid AND owner = $2`, id.String(), string(owner)).Scan(&b)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &order.NotFoundError{Owner: owner, ID: id}
	}
	if err != nil {
		return nil, err
	}
	var snap order.Snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return nil, corrupt("order snapshot", err)
	}
	o, err := order.Restore(snap)
	if err != nil {
		return nil, corrupt("order snapshot", err)
	}
	return o, nil
}

// EventsAfter returns the owner's events after a position; see
// [order.Store].
func (s *OrderStore) EventsAfter(ctx context.Context, owner fulfill.OwnerID, after order.Position, limit int) ([]order.StoredEvent, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []order.StoredEvent
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		out = out[:0]
		rows, _ := c.Query(ctx, `SELECT position, event FROM order_events WHERE owner = $1 AND position > $2 ORDER BY position LIMIT $3`,
			string(owner), int64(after), limit)
		var pos int64
		var b []byte
		_, err := pgx.ForEachRow(rows, []any{&pos, &b}, func() error {
			se := order.StoredEvent{Position: order.Position(pos)}
			if err := json.Unmarshal(b, &se.Event); err != nil {
				return corrupt("order event", err)
			}
			out = append(out, se)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Idempotency returns a stored idempotency record; see [order.Store].
func (s *OrderStore) Idempotency(ctx context.Context, owner fulfill.OwnerID, key string) (order.IdempotencyRecord, error) {
	var b []byte
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT record FROM order_idempotency WHERE owner = $1 AND key = $2`, string(owner), key).Scan(&b)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return order.IdempotencyRecord{}, fmt.Errorf("%w: idempotency key %q of owner %q", order.ErrNotFound, key, owner)
	}
	if err != nil {
		return order.IdempotencyRecord{}, err
	}
	var r order.IdempotencyRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return order.IdempotencyRecord{}, corrupt("order idempotency record", err)
	}
	return r, nil
}

// ExpiringBy lists the owner's orders whose TTL has passed by the time by;
// see [order.Expirer]. It reads the partial index orders_expiring, which
// every write keeps in step with the snapshot in the same statement.
func (s *OrderStore) ExpiringBy(ctx context.Context, owner fulfill.OwnerID, by time.Time, limit int) ([]fulfill.OrderID, error) {
	if limit <= 0 {
		limit = 100
	}
	var cut int64
	switch {
	case by.Before(minTime):
		return nil, nil
	case by.After(maxTime):
		cut = math.MaxInt64
	default:
		cut = by.UnixNano()
	}
	var out []fulfill.OrderID
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		out = out[:0]
		// The ORDER BY names the table's columns, not the text output
		// column "id", so that the index yields the rows already sorted.
		rows, _ := c.Query(ctx, `SELECT id::text FROM orders WHERE owner = $1 AND expires_ns <= $2 ORDER BY orders.expires_ns, orders.id LIMIT $3`,
			string(owner), cut, limit)
		var id string
		_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
			oid, err := fulfill.ParseOrderID(id)
			if err != nil {
				return corrupt("order id", err)
			}
			out = append(out, oid)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
