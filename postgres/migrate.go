package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// migration is one numbered file of schema/.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order.
func migrations() ([]migration, error) {
	files, err := fs.Glob(schemaFS, "schema/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, f := range files {
		base := strings.TrimSuffix(path.Base(f), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, &MigrationError{Name: base, Err: fmt.Errorf("file name not NNNN_name.sql")}
		}
		b, err := schemaFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, &MigrationError{Version: ms[i].version, Name: ms[i].name, Err: fmt.Errorf("duplicate version")}
		}
	}
	return ms, nil
}

// SchemaVersion returns the newest schema version this package knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Migrate brings the schema (in the connections' search_path) to the
// newest version this package knows, applying each missing migration in
// its own transaction. It is idempotent, and safe to run from several
// processes at once: the primary key of the fulfill_migrations table decides
// which process applies a version (a process that finds the version
// recorded by another when it comes to record it rolls its transaction
// back), the migrations themselves are idempotent (CREATE ... IF NOT
// EXISTS), and the races of concurrent CREATE statements are retried. No
// advisory lock is used, and schema changes precede writes in each
// transaction, as distributed PostgreSQL-wire engines require. It fails with
// [ErrSchemaTooNew] if the database was migrated by a newer version of the
// package.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	const create = `CREATE TABLE IF NOT EXISTS fulfill_migrations (
	version    INT         NOT NULL PRIMARY KEY,
	name       TEXT        NOT NULL,
	applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`
	if err := db.migrateStep(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, create)
		return err
	}); err != nil {
		return &MigrationError{Name: "fulfill_migrations", Err: err}
	}
	for _, m := range ms {
		err := db.migrateStep(ctx, func(c *pgx.Conn) error {
			tx, err := c.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(context.WithoutCancel(ctx))
			var applied bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM fulfill_migrations WHERE version = $1)`, m.version).Scan(&applied); err != nil || applied {
				return err
			}
			// The schema changes come first (distributed engines refuse
			// them after a write in the same transaction), then the row
			// whose primary key decides: if another process recorded the
			// version meanwhile, this transaction is rolled back.
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `INSERT INTO fulfill_migrations (version, name) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING`, m.version, m.name)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return nil // applied by another process: roll back
			}
			return tx.Commit(ctx)
		})
		if err != nil {
			return &MigrationError{Version: m.version, Name: m.name, Err: err}
		}
	}
	var newest int
	if err := db.withConn(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM fulfill_migrations`).Scan(&newest)
	}); err != nil {
		return err
	}
	if known := ms[len(ms)-1].version; newest > known {
		return fmt.Errorf("%w: database at version %d, package knows %d", ErrSchemaTooNew, newest, known)
	}
	return nil
}

// migrateStep runs fn, retrying the errors that concurrent migrations
// cause: serialization failures, deadlocks, and the duplicate-object errors
// two concurrent CREATE ... IF NOT EXISTS may raise.
func (db *DB) migrateStep(ctx context.Context, fn func(*pgx.Conn) error) error {
	for attempt := 0; ; attempt++ {
		err := db.withConn(ctx, fn)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch sqlState(err) {
		case codeSerialization, codeDeadlock, codeUniqueViolation, codeDuplicateTable, codeDuplicateObject:
			if attempt < 20 {
				if err := db.backoff(ctx, attempt); err != nil {
					return err
				}
				continue
			}
		}
		return err
	}
}
