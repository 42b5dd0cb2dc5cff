package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill/inventory"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faultEnv is a migrated schema with a store whose connections carry an
// application name of their own, so that the test can find its backends,
// and a separate connection to hold locks with.
type faultEnv struct {
	store *InventoryStore
	app   string
	admin *pgx.Conn
	k     inventory.Key
}

func newFaultEnv(t *testing.T) *faultEnv {
	t.Helper()
	ctx := context.Background()
	schema := testSchema(t)
	cfg, err := pgx.ParseConfig(testURL(t))
	require.NoError(t, err)
	app := "fulfill_" + schema
	if len(app) > 60 {
		app = app[:60]
	}
	cfg.RuntimeParams["application_name"] = app
	db, err := OpenConfig(ctx, cfg, &Options{SearchPath: schema})
	require.NoError(t, err)
	t.Cleanup(db.Close)
	require.NoError(t, db.Migrate(ctx))
	admin, err := pgx.Connect(ctx, testURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { admin.Close(ctx) })
	_, err = admin.Exec(ctx, "SET search_path TO "+pgx.Identifier{schema}.Sanitize())
	require.NoError(t, err)
	e := &faultEnv{store: NewInventoryStore(db, nil), app: app, admin: admin, k: key("fault")}
	_, err = e.store.Apply(ctx, receiveTxn(e.k, 10, t0))
	require.NoError(t, err)
	return e
}

// lock locks the level's rows from the admin connection until the
// returned function is called.
func (e *faultEnv) lock(t *testing.T) (unlock func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := e.admin.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT 1 FROM inventory_levels WHERE owner = $1 AND sku = $2 FOR UPDATE`, string(e.k.Owner), string(e.k.SKU))
	require.NoError(t, err)
	return func() { require.NoError(t, tx.Rollback(ctx)) }
}

// waiter returns the backend of the store that waits for a lock.
func (e *faultEnv) waiter(t *testing.T) uint32 {
	t.Helper()
	c, err := pgx.Connect(context.Background(), testURL(t))
	require.NoError(t, err)
	defer c.Close(context.Background())
	for range 500 {
		var pid uint32
		err := c.QueryRow(context.Background(), `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, e.app).Scan(&pid)
		if err == nil {
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no backend of the store is waiting for the lock")
	return 0
}

// state returns the ledger length, the level and the number of
// reservations and idempotency records.
func (e *faultEnv) state(t *testing.T) (int, inventory.Level, int, int) {
	t.Helper()
	ctx := context.Background()
	entries, err := e.store.Ledger(ctx, inventory.LedgerQuery{Owner: e.k.Owner})
	require.NoError(t, err)
	ls, err := e.store.Levels(ctx, inventory.LevelQuery{Owner: e.k.Owner})
	require.NoError(t, err)
	require.Len(t, ls, 1)
	rs, err := e.store.Reservations(ctx, inventory.ReservationQuery{Owner: e.k.Owner, IncludeClosed: true})
	require.NoError(t, err)
	var idem int
	require.NoError(t, e.admin.QueryRow(ctx, `SELECT COUNT(*) FROM inventory_idempotency`).Scan(&idem))
	levels, err := e.store.Levels(ctx, inventory.LevelQuery{Owner: e.k.Owner})
	require.NoError(t, err)
	assert.Empty(t, inventory.Reconcile(levels, rs, entries), "levels, reservations and ledger agree")
	return len(entries), ls[0], len(rs), idem
}

// faultTxns are a Txn of each path: a single-line reservation (one
// statement) and an adjustment (a transaction of several statements).
func faultTxns() map[string]*inventory.Txn {
	res := reserveTxn("res-1", key("fault"), 4, t0.Add(time.Second))
	res.IdempotencyKey, res.Fingerprint = "k-res", "f"
	adj := &inventory.Txn{Owner: "acme", Kind: inventory.KindAdjust, At: t0.Add(time.Second), IdempotencyKey: "k-adj", Fingerprint: "f",
		Changes: []inventory.Change{{Key: key("fault"), Delta: inventory.Buckets{OnHand: -3}}}}
	return map[string]*inventory.Txn{"reserve": res, "adjust": adj}
}

// TestCancelMidTransaction cancels Applys blocked inside their transaction:
// they return the context's error and leave nothing behind, and a retry
// applies once.
func TestCancelMidTransaction(t *testing.T) {
	testURL(t)
	t.Parallel()
	for name, tx := range faultTxns() {
		t.Run(name, func(t *testing.T) {
			e := newFaultEnv(t)
			n0, l0, r0, i0 := e.state(t)
			unlock := e.lock(t)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := e.store.Apply(ctx, tx)
				done <- err
			}()
			e.waiter(t)
			cancel()
			err := <-done
			assert.True(t, errors.Is(err, context.Canceled), "Apply returned %v", err)
			unlock()
			n1, l1, r1, i1 := e.state(t)
			assert.Equal(t, []int{n0, r0, i0}, []int{n1, r1, i1}, "no entry, reservation or record")
			assert.Equal(t, l0, l1)

			r, err := e.store.Apply(context.Background(), tx)
			require.NoError(t, err)
			assert.False(t, r.Replayed)
			n2, _, _, i2 := e.state(t)
			assert.Equal(t, n0+1, n2)
			assert.Equal(t, i0+1, i2)
		})
	}
}

// TestConnectionDroppedMidTransaction terminates the backend of Applys
// blocked inside their transaction. A multi-statement transaction is run
// again on a new connection and applies once; a single statement whose
// connection broke reports the error (its outcome is the server's to
// decide), leaves nothing, and a retry with its key applies once.
func TestConnectionDroppedMidTransaction(t *testing.T) {
	testURL(t)
	t.Parallel()
	for name, tx := range faultTxns() {
		t.Run(name, func(t *testing.T) {
			e := newFaultEnv(t)
			n0, _, _, i0 := e.state(t)
			unlock := e.lock(t)
			done := make(chan error, 1)
			go func() {
				_, err := e.store.Apply(context.Background(), tx)
				done <- err
			}()
			pid := e.waiter(t)
			var ok bool
			require.NoError(t, e.admin.QueryRow(context.Background(), `SELECT pg_terminate_backend($1)`, pid).Scan(&ok))
			require.True(t, ok)
			if name == "adjust" {
				// The retry waits for the lock again.
				e.waiter(t)
			}
			unlock()
			err := <-done
			if name == "reserve" {
				require.Error(t, err)
				n1, _, r1, i1 := e.state(t)
				assert.Equal(t, []int{n0, 0, i0}, []int{n1, r1, i1}, "nothing applied")
				_, err = e.store.Apply(context.Background(), tx)
			}
			require.NoError(t, err)
			n2, _, _, i2 := e.state(t)
			assert.Equal(t, n0+1, n2, "applied exactly once")
			assert.Equal(t, i0+1, i2)
			r, err := e.store.Apply(context.Background(), tx)
			require.NoError(t, err)
			assert.True(t, r.Replayed)
		})
	}
}
