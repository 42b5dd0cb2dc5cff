// Package inventorytest checks implementations of [inventory.Store]: Run
// applies the conformance suite every store must pass, in the style of
// testing/fstest and testing/slogtest.
//
// The suite covers the whole life of stock (expect, receive, reserve,
// commit, consume, release, unreserve, transfer, move, count, recall),
// all-or-nothing multi-line reservations that report every short line,
// owner isolation, idempotent retries (sequential and concurrent),
// compare-and-set, holds lapsing at their TTL with a fake clock and being
// swept, lots, ledger paging, typed errors for bad input, goroutines racing
// for the last units, random multi-SKU batches that must not deadlock,
// random operation sequences checked against a reference model, and random
// concurrent operations of every kind. After each, levels must keep the
// invariant and agree with their reservations and with the replayed ledger.
// A cart hold committed with an order's reference must be found by the
// order and no longer by the cart.
// Serial numbers are checked for stores that are an [inventory.SerialStore]
// and skipped otherwise: a serial number is in stock at most once, and no
// operation may leave a level with more serial numbers than units (it is
// refused with [inventory.ErrSerialCount] and changes nothing), which the
// random sequences check after every step and the concurrent ones at the
// end.
// Ledger trimming and pruning are checked for stores that are an
// [inventory.LedgerTrimmer] and an [inventory.Pruner], and skipped
// otherwise: a trimmed ledger pages from its first kept entry and numbers
// on, pruning drops only the closed reservations and idempotency records
// of operations dated before the cutoff, a retry with a pruned key is
// applied anew, and a relay that trims what it reads while a pruner runs
// beside writers loses no entry and prunes nothing live.
// Stores that trim are checked to keep a checkpoint if they are an
// [inventory.Checkpointer] (skipped otherwise): after random operations
// interleaved with trims, Inventory.Reconcile finds no difference and
// Inventory.Arrivals are an untrimmed twin's after every trim, and the
// checkpoint is the trimmed entries folded, also with writers, a relay and
// a second trimmer racing.
package inventorytest
