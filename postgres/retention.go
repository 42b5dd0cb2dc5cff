package postgres

import (
	"context"
	"math"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/jackc/pgx/v5"
)

// Retention deletes in batches, each committed on its own, so that a
// large backlog never holds its locks or its write-ahead log in one long
// transaction (distributed engines also cap a transaction's size).
const (
	// defaultTrimBatch is how many ledger entries one transaction of
	// TrimLedger deletes at most: one range of the primary key.
	defaultTrimBatch = 10_000
	// defaultPruneBatch is how many rows one statement of Prune deletes,
	// more only if more than one row have the batch's last date.
	defaultPruneBatch = 5_000
)

// TrimLedger drops the owner's ledger entries with Seq <= through, which a
// consumer (an outbox relay, a projection) has processed, and returns how
// many it dropped; see [inventory.LedgerTrimmer]. The owner's sequence in
// inventory_owners is never reset, so new entries number on from the last
// one ever appended, and [InventoryStore.Ledger] pages from the first entry
// kept. A through past the last entry appended (and committed) fails with
// [inventory.ErrInvalid], as does a negative one.
//
// The entries are deleted oldest first, at most 10,000 per transaction,
// and each transaction folds the entries it deletes into the owner's
// checkpoint ([InventoryStore.LedgerCheckpoint]) before it commits: a
// crash or a cancelled ctx never loses a trimmed entry nor counts one
// twice, so [inventory.Inventory.Reconcile] and
// [inventory.Inventory.Arrivals] stay exact. Each transaction first locks
// the owner's checkpoint row, so concurrent trims of one owner, from
// several processes too, take turns; an Apply running meanwhile waits for
// none of them (it only appends entries above through). If ctx is done
// between two transactions, TrimLedger returns how many it dropped with
// the context's error, the ledger trimmed through an earlier Seq; trimming
// again completes it. If folding fails (a sum overflows, which a ledger
// whose levels never overflowed cannot cause: an error wrapping
// [fulfill.ErrOverflow]), the batch is rolled back and the error returned,
// the batches before it kept. A batch reads and writes only the checkpoint's
// rows of the levels its entries touch (their sums, and the arrivals of
// those whose Incoming they change), however many levels and open
// arrivals the checkpoint holds, so a small trim costs little.
//
// Entries dropped under schema version 8, without a checkpoint, are lost
// to it: the checkpoint skips over them (see the migration to version 10),
// and a later trim folds the entries after them onto it.
func (s *InventoryStore) TrimLedger(ctx context.Context, owner fulfill.OwnerID, through int64) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := owner.Validate(); err != nil {
		return 0, err
	}
	if through < 0 {
		return 0, &fulfill.FieldError{Field: "through", Value: itoa(through), Reason: "negative", Kind: inventory.ErrInvalid}
	}
	// The owner's sequence is committed with the entries it numbers, so
	// every entry up to it is stored or trimmed.
	var last, done int64
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT COALESCE((SELECT seq FROM inventory_owners WHERE owner = $1), 0),
			COALESCE((SELECT through FROM inventory_checkpoints WHERE owner = $1), 0)`, string(owner)).Scan(&last, &done)
	})
	if err != nil {
		return 0, err
	}
	if through > last {
		return 0, &fulfill.FieldError{Field: "through", Value: itoa(through), Reason: "after the last entry, " + itoa(last), Kind: inventory.ErrInvalid}
	}
	n := 0
	for through > done {
		var k int
		err := s.db.inTx(ctx, func(tx pgx.Tx) error {
			var err error
			k, done, err = s.trimStep(ctx, tx, owner, through)
			return err
		})
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}

// Statements of Prune: each deletes one batch of the owner's rows dated
// from $2 through $3 (inclusive) and returns the batch's upper date, NULL
// if it reached $3, and how many rows it deleted. The batch ends at the
// date of the $4+1-th row in date order (with every row of that date), so
// that both the bound and the delete are ranges of the version-8 index on
// (owner, date): a batch reads only the rows it deletes. Only closed
// reservations have a date; the delete checks that they are closed again.
const (
	pruneReservationsSQL = `WITH b AS (SELECT (SELECT closed_ns FROM inventory_reservations
			WHERE owner = $1 AND closed_ns >= $2 AND closed_ns <= $3 ORDER BY closed_ns OFFSET $4 LIMIT 1) AS bound),
		d AS (DELETE FROM inventory_reservations
			WHERE owner = $1 AND closed_ns >= $2 AND closed_ns <= COALESCE((SELECT bound FROM b), $3)
				AND reserved = 0 AND committed = 0
			RETURNING 1)
		SELECT (SELECT bound FROM b), (SELECT COUNT(*) FROM d)`
	pruneIdempotencySQL = `WITH b AS (SELECT (SELECT at_ns FROM inventory_idempotency
			WHERE owner = $1 AND at_ns >= $2 AND at_ns <= $3 ORDER BY at_ns OFFSET $4 LIMIT 1) AS bound),
		d AS (DELETE FROM inventory_idempotency
			WHERE owner = $1 AND at_ns >= $2 AND at_ns <= COALESCE((SELECT bound FROM b), $3)
			RETURNING 1)
		SELECT (SELECT bound FROM b), (SELECT COUNT(*) FROM d)`
)

// Prune drops the owner's closed reservations and idempotency records of
// operations dated before the cutoff before, and returns how many it
// dropped; see [inventory.Pruner] for what that means for later
// operations and retries. Dates are the operations' Txn.At: a reservation
// is dated by the operation that closed it (a lapsed hold by the one that
// collected it: [InventoryStore.Sweep] first), an idempotency record by
// its operation. Live reservations, levels, serial numbers and the ledger
// are kept.
//
// Rows written before schema version 8 were dated by the migration: a
// closed reservation by the latest ledger entry naming it (for a lapsed
// hold collected later, its expiry), an idempotency record by the levels
// of its receipt (its operation's date). A record whose receipt changed
// no level has no date and is never pruned, nor is a closed reservation
// without a ledger entry; both are kept rather than risk dropping what a
// caller may still retry.
//
// Rows are deleted oldest first, about 5,000 per statement (more only if
// that many share one date), each statement committed on its own. An
// operation that closes a reservation or records a key while Prune runs
// is not waited for: its rows are pruned by a later call, or by this one
// if they are committed first; a record is visible only once its
// operation is committed, so records of operations still being applied
// are kept. If ctx is done, Prune stops and returns what it dropped so
// far with the context's error. It is safe to call from several processes
// at once.
func (s *InventoryStore) Prune(ctx context.Context, owner fulfill.OwnerID, before time.Time) (inventory.Pruned, error) {
	var p inventory.Pruned
	if err := ctx.Err(); err != nil {
		return p, err
	}
	if err := owner.Validate(); err != nil {
		return p, err
	}
	last, ok := lastBefore(before)
	if !ok {
		return p, nil
	}
	var err error
	p.Reservations, err = s.db.pruneBatches(ctx, pruneReservationsSQL, owner, last, s.pruneBatch)
	if err != nil {
		return p, err
	}
	p.IdempotencyKeys, err = s.db.pruneBatches(ctx, pruneIdempotencySQL, owner, last, s.pruneBatch)
	return p, err
}

// pruneBatches runs the batch statement sql for owner, oldest rows first,
// batch rows at a time (defaultPruneBatch if batch <= 0), until it reaches
// the inclusive cutoff last, and returns how many rows it deleted.
func (db *DB) pruneBatches(ctx context.Context, sql string, owner fulfill.OwnerID, last int64, batch int) (int, error) {
	if batch <= 0 {
		batch = defaultPruneBatch
	}
	n := 0
	for lo := int64(math.MinInt64); ; {
		var (
			bound *int64
			k     int64
		)
		err := db.run(ctx, func(c *pgx.Conn) error {
			return c.QueryRow(ctx, sql, string(owner), lo, last, batch-1).Scan(&bound, &k)
		})
		if err != nil {
			return n, err
		}
		n += int(k)
		if bound == nil || *bound >= last {
			return n, nil
		}
		lo = *bound + 1
	}
}

// lastBefore returns the latest stored time (nanoseconds since the Unix
// epoch) before t, and false if no time the store can hold is before t.
func lastBefore(t time.Time) (int64, bool) {
	switch {
	case !t.After(minTime): // the zero time included
		return 0, false
	case t.After(maxTime):
		return math.MaxInt64, true
	}
	return t.UnixNano() - 1, true
}
