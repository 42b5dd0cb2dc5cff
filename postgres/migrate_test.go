package postgres

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMigrateConcurrent runs Migrate from several pools at once on an empty
// schema: all succeed, each version is applied once, and running it again
// changes nothing.
func TestMigrateConcurrent(t *testing.T) {
	t.Parallel()
	schema := testSchema(t)
	ctx := context.Background()
	const n = 8
	dbs := make([]*DB, n)
	for i := range dbs {
		dbs[i] = openSchema(t, schema, &Options{MaxConns: 2})
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "replica %d", i)
	}
	versions := func() []int {
		var vs []int
		require.NoError(t, dbs[0].withConn(ctx, func(c *pgx.Conn) error {
			rows, _ := c.Query(ctx, `SELECT version FROM fulfill_migrations ORDER BY version`)
			var err error
			vs, err = pgx.CollectRows(rows, pgx.RowTo[int])
			return err
		}))
		return vs
	}
	want := []int{}
	for v := 1; v <= SchemaVersion(); v++ {
		want = append(want, v)
	}
	assert.Equal(t, want, versions())
	require.NoError(t, dbs[1].Migrate(ctx))
	assert.Equal(t, want, versions())

	// A database migrated by a newer package is refused.
	require.NoError(t, dbs[0].withConn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO fulfill_migrations (version, name) VALUES (9999, 'future')`)
		return err
	}))
	assert.ErrorIs(t, dbs[2].Migrate(ctx), ErrSchemaTooNew)
}

func TestMigrationsEmbedded(t *testing.T) {
	t.Parallel()
	ms, err := migrations()
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	for i, m := range ms {
		assert.Equal(t, i+1, m.version, "versions are 1, 2, 3, ... without gaps")
		assert.NotEmpty(t, m.sql)
	}
	assert.Equal(t, len(ms), SchemaVersion())
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := Open(ctx, "postgres://%zz", nil)
	assert.ErrorIs(t, err, ErrConfig)
	_, err = OpenConfig(ctx, nil, nil)
	assert.ErrorIs(t, err, ErrConfig)
	cfg, err := pgx.ParseConfig("postgres://u@127.0.0.1:1/db")
	require.NoError(t, err)
	_, err = OpenConfig(ctx, cfg, &Options{MaxConns: -1})
	assert.ErrorIs(t, err, ErrConfig)
}

func TestClosed(t *testing.T) {
	t.Parallel()
	db := testDB(t)
	db.Close()
	_, err := NewInventoryStore(db, nil).Ledger(context.Background(), inventoryLedgerQuery("acme"))
	assert.ErrorIs(t, err, ErrClosed)
}
