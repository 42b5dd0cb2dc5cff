// Package inventorytest checks implementations of [inventory.Store]: Run
// applies the conformance suite every store must pass, in the style of
// testing/fstest and testing/slogtest. It covers the invariants after
// random operation sequences, all-or-nothing reservations, owner isolation,
// idempotent retries, compare-and-set, lapsing holds, ledger replay and
// goroutines racing for the last units.
package inventorytest
