package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// cancelWait is how long a call whose context was cancelled waits for the
// server to answer the cancel request before dropping the connection.
const cancelWait = 5 * time.Second

// Options configure a [DB]. The zero Options (or nil) means the defaults
// below.
type Options struct {
	// MaxConns is the most connections the DB opens at once; callers beyond
	// it wait for a free one. If 0, 16.
	MaxConns int
	// SearchPath, if not empty, is set as the search_path of every
	// connection: the schema the tables live in.
	SearchPath string
	// MaxRetries is how many times a transaction that failed with a
	// serialization failure or a deadlock (SQLSTATE 40001, 40P01) is run
	// again before the error is returned. If 0, 10. [ShipStore.Update] runs
	// its closure again at most once after losing a race to another writer
	// (the second run holds the shipment's row lock), and once more each
	// time that transaction is retried.
	MaxRetries int
	// Seed seeds the jitter of the pauses between retries. If 0, 1.
	Seed uint64
}

// DB is a pool of PostgreSQL connections shared by the stores of this
// package. It is safe for concurrent use. Close it when done.
type DB struct {
	cfg     *pgx.ConnConfig
	retries int
	sem     chan struct{} // one token per open or opening connection in use

	randMu sync.Mutex // guards rand
	rand   *rand.Rand

	mu     sync.Mutex // guards idle and closed
	idle   []*pgx.Conn
	closed bool
}

// Open parses connString (a PostgreSQL URL or key=value string, as
// accepted by pgx.ParseConfig) and returns a DB over it. It connects once
// to check the settings. If opts is nil, defaults apply.
func Open(ctx context.Context, connString string, opts *Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return OpenConfig(ctx, cfg, opts)
}

// OpenConfig returns a DB over cfg, which it copies. It connects once to
// check the settings. If opts is nil, defaults apply.
func OpenConfig(ctx context.Context, cfg *pgx.ConnConfig, opts *Options) (*DB, error) {
	if cfg == nil {
		return nil, fmt.Errorf("%w: nil config", ErrConfig)
	}
	if opts == nil {
		opts = &Options{}
	}
	if opts.MaxConns < 0 || opts.MaxRetries < 0 {
		return nil, fmt.Errorf("%w: negative MaxConns %d or MaxRetries %d", ErrConfig, opts.MaxConns, opts.MaxRetries)
	}
	c := cfg.Copy()
	// A cancelled context sends the server a cancel request and waits for
	// its answer instead of dropping the connection, so that a statement
	// in flight either is cancelled or completes, and the caller learns
	// which.
	c.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: cancelWait}
	}
	if opts.SearchPath != "" {
		if c.RuntimeParams == nil {
			c.RuntimeParams = map[string]string{}
		}
		c.RuntimeParams["search_path"] = opts.SearchPath
	}
	n := opts.MaxConns
	if n == 0 {
		n = 16
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	db := &DB{cfg: c, retries: opts.MaxRetries, sem: make(chan struct{}, n), rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	if db.retries == 0 {
		db.retries = 10
	}
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, err
	}
	db.release(conn)
	return db, nil
}

// Close closes every idle connection; connections in use close when they
// are released. Calls after Close fail with [ErrClosed].
func (db *DB) Close() {
	db.mu.Lock()
	idle := db.idle
	db.idle, db.closed = nil, true
	db.mu.Unlock()
	for _, c := range idle {
		c.Close(context.Background())
	}
}

// acquire returns a connection, waiting for a free slot.
func (db *DB) acquire(ctx context.Context) (*pgx.Conn, error) {
	select {
	case db.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		<-db.sem
		return nil, ErrClosed
	}
	var c *pgx.Conn
	if n := len(db.idle); n > 0 {
		c, db.idle = db.idle[n-1], db.idle[:n-1]
	}
	db.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := pgx.ConnectConfig(ctx, db.cfg)
	if err != nil {
		<-db.sem
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return c, nil
}

// release gives c back to the pool, or closes it if it is broken or still
// inside a transaction.
func (db *DB) release(c *pgx.Conn) {
	defer func() { <-db.sem }()
	pc := c.PgConn()
	if c.IsClosed() || pc.IsBusy() || pc.TxStatus() != 'I' {
		c.Close(context.Background())
		return
	}
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		c.Close(context.Background())
		return
	}
	db.idle = append(db.idle, c)
	db.mu.Unlock()
}

// withConn runs fn on a pooled connection.
func (db *DB) withConn(ctx context.Context, fn func(*pgx.Conn) error) error {
	c, err := db.acquire(ctx)
	if err != nil {
		return err
	}
	defer db.release(c)
	return fn(c)
}

// run runs fn until it succeeds, fails with an error that is not a
// serialization failure or a deadlock, or has been retried db.retries times.
// fn runs on a fresh pooled connection each time. A connection that was
// closed by the server while idle is replaced once without counting.
func (db *DB) run(ctx context.Context, fn func(*pgx.Conn) error) error {
	for attempt := 0; ; attempt++ {
		err := db.withConn(ctx, fn)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !retryable(err) || attempt >= db.retries {
			return err
		}
		if err := db.backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// inTx runs fn in a transaction on a pooled connection, committing if fn
// returns nil and rolling back otherwise, with the retries of run.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return db.run(ctx, func(c *pgx.Conn) error {
		tx, err := begin(ctx, c)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			if c.IsClosed() && ctx.Err() == nil {
				// The connection broke before COMMIT was sent: the server
				// rolled the transaction back, so it may run again.
				return &retryConnError{err: err}
			}
			return err
		}
		return tx.Commit(ctx)
	})
}

// begin starts a transaction on c.
func begin(ctx context.Context, c *pgx.Conn) (pgx.Tx, error) {
	tx, err := c.Begin(ctx)
	if err != nil {
		return nil, &retryConnError{err: err}
	}
	return tx, nil
}

// retryConnError marks a transaction that failed because its connection
// broke before COMMIT was sent: nothing was applied, so the transaction may
// run again on another connection.
type retryConnError struct{ err error }

// Error describes the broken connection.
func (e *retryConnError) Error() string {
	return "postgres: connection lost before commit: " + e.err.Error()
}

// Unwrap returns the connection's error.
func (e *retryConnError) Unwrap() error { return e.err }

// backoff sleeps before retry attempt+1: a random pause of up to
// 1 ms << attempt, at most 64 ms.
func (db *DB) backoff(ctx context.Context, attempt int) error {
	limit := time.Millisecond << min(attempt, 6)
	db.randMu.Lock()
	d := time.Duration(db.rand.Int64N(int64(limit))) + 100*time.Microsecond
	db.randMu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
