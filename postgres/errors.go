package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// Kinds of error returned by this package, besides those of the stores'
// domain packages. Match them with [errors.Is].
var (
	// ErrConfig reports a connection string or option that cannot be used.
	ErrConfig = errors.New("postgres: invalid configuration")
	// ErrClosed reports a call on a closed [DB].
	ErrClosed = errors.New("postgres: database closed")
	// ErrMigration reports a schema migration that could not be applied.
	// The detail is a *[MigrationError].
	ErrMigration = errors.New("postgres: migration failed")
	// ErrSchemaTooNew reports a database whose schema was migrated by a newer
	// version of this package than the running one.
	ErrSchemaTooNew = errors.New("postgres: schema newer than this package")
	// ErrCorrupt reports a row the store cannot decode, such as a stored
	// receipt that is not valid JSON.
	ErrCorrupt = errors.New("postgres: corrupt row")
)

// MigrationError reports the migration that failed and why. It unwraps to
// [ErrMigration] and to the cause.
type MigrationError struct {
	Version int
	Name    string
	Err     error
}

// Error names the migration and the cause.
func (e *MigrationError) Error() string {
	return fmt.Sprintf("postgres: migration %d %s failed: %v", e.Version, e.Name, e.Err)
}

// Unwrap returns [ErrMigration] and the cause.
func (e *MigrationError) Unwrap() []error { return []error{ErrMigration, e.Err} }

// SQLSTATE codes the stores act on.
const (
	codeSerialization   = "40001"
	codeDeadlock        = "40P01"
	codeUniqueViolation = "23505"
	codeCheckViolation  = "23514"
	codeDuplicateTable  = "42P07"
	codeDuplicateObject = "42710"
	codeUndefinedTable  = "42P01"
)

// sqlState returns the SQLSTATE of err, or "".
func sqlState(err error) string {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code
	}
	return ""
}

// retryable reports whether the transaction that failed with err may run
// again: a serialization failure, a deadlock, or a connection that broke
// before the transaction began.
func retryable(err error) bool {
	switch sqlState(err) {
	case codeSerialization, codeDeadlock:
		return true
	}
	if _, ok := errors.AsType[*retryConnError](err); ok {
		return true
	}
	return false
}

// corrupt returns an error wrapping ErrCorrupt and err.
func corrupt(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrCorrupt, what, err)
}
