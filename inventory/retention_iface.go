package inventory

import (
	"context"
	"time"

	"github.com/fulfillkit/fulfill"
)

// LedgerTrimmer is an optional capability of a [Store]: dropping an
// owner's ledger entries with Seq <= through, which a consumer (an outbox
// relay, a projection) has processed, so that the ledger does not grow
// with every operation. TrimLedger returns how many entries it dropped.
//
// The entries kept keep their Seq, new entries number on from the last one
// ever appended (trimming never reuses a number), and [Store.Ledger] pages
// as before: a page whose After is at or before the last dropped entry
// starts with the first entry kept. Trimming through a Seq already dropped
// drops nothing and is not an error, so a consumer may repeat it; a
// through past the last entry appended fails with [ErrInvalid], as does a
// negative one, and an invalid owner fails with the owner's error. Levels,
// reservations, serial numbers and idempotency records are not touched.
//
// TrimLedger is safe to call while operations run and while others trim.
// A store may drop the entries in several steps, oldest first; if ctx is
// done between two, it returns how many it dropped with the context's
// error, the ledger trimmed through an earlier Seq.
//
// A store that trims should also be a [Checkpointer], folding the entries
// it drops into the owner's checkpoint atomically with dropping them, so
// that [Inventory.Reconcile] and [Inventory.Arrivals] stay exact; without
// one, they see only the entries kept. [MemStore] and the postgres
// package's store implement both.
type LedgerTrimmer interface {
	TrimLedger(ctx context.Context, owner fulfill.OwnerID, through int64) (int, error)
}

// Pruner is an optional capability of a [Store]: dropping what it keeps of
// an owner's finished work dated before the cutoff before, so that a store
// does not grow with every operation. Dates are those of the operations
// (Txn.At), never a clock of the store's own. Prune drops:
//
//   - each closed reservation (nothing reserved or committed) closed by an
//     operation dated before the cutoff. It is no longer listed with
//     ReservationQuery.IncludeClosed, a step naming it fails with
//     [ErrNotFound] (where it did nothing before), and its ID may name a
//     new reservation again. Live reservations are kept, lapsed holds
//     included until they are collected (see [Sweeper]).
//   - each idempotency record of an operation dated before the cutoff. A
//     retry with its key is then applied again, as a new operation, so the
//     cutoff must be no later than the oldest time a caller may still
//     retry: for a host that promises retries for 24 hours, now minus 24
//     hours. Records of operations still being applied are kept.
//
// Levels, live reservations, serial numbers and the ledger are kept, and
// one owner's Prune never touches another owner's data. An invalid owner
// fails with the owner's error. Prune is safe to call while operations
// run; an operation dated before the cutoff that closes a reservation or
// applies a key as Prune runs may be dropped or kept. If ctx is done,
// Prune stops and returns what it dropped so far with the context's error.
// [MemStore] and the postgres package's store implement it.
type Pruner interface {
	Prune(ctx context.Context, owner fulfill.OwnerID, before time.Time) (Pruned, error)
}

var (
	_ LedgerTrimmer = (*MemStore)(nil)
	_ Pruner        = (*MemStore)(nil)
)
