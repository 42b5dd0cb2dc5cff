package postgres

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestMain runs the worker processes of the multi-process tests when the
// test binary is started as one.
func TestMain(m *testing.M) {
	if mode := os.Getenv(envWorker); mode != "" {
		os.Exit(worker(mode))
	}
	os.Exit(m.Run())
}

// envURL names the variable holding the test database's connection string.
const envURL = "FULFILL_TEST_DATABASE_URL"

// testURL returns the test database's connection string, or skips t.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		t.Skip(envURL + " is not set: skipping the PostgreSQL tests")
	}
	return u
}

var schemaSeq atomic.Int64

var nonWord = regexp.MustCompile(`[^a-z0-9_]+`)

// testSchema creates a schema of its own for t, dropped when t ends, and
// returns its name.
func testSchema(t testing.TB) string {
	t.Helper()
	url := testURL(t)
	name := strings.ToLower(t.Name())
	name = nonWord.ReplaceAllString(name, "_")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	name = fmt.Sprintf("t%d_%d_%s", os.Getpid(), schemaSeq.Add(1), name)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize())
	require.NoError(t, err)
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return name
}

// openSchema opens a DB on schema, closed when t ends.
func openSchema(t testing.TB, schema string, opts *Options) *DB {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	o := *opts
	o.SearchPath = schema
	db, err := Open(context.Background(), testURL(t), &o)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	return db
}

// testDB returns a migrated DB on a schema of its own.
func testDB(t testing.TB) *DB {
	t.Helper()
	db := openSchema(t, testSchema(t), nil)
	require.NoError(t, db.Migrate(context.Background()))
	return db
}
