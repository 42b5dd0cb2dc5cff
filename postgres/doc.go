// Package postgres stores inventory and orders in PostgreSQL, so that many
// replicas of a service can share one database safely: reservations never
// oversell and order writes never lose an update, whatever the number of
// processes writing at once.
//
// # Connecting and migrating
//
// [Open] connects a [DB], a small pool of connections made with
// github.com/jackc/pgx/v5. [DB.Migrate] applies the schema embedded in the
// package; it is idempotent and safe to run from several replicas at once.
// The SQL is plain enough for PostgreSQL-wire distributed engines: no
// advisory lock decides anything, a migrations table's primary key does.
//
// # Inventory
//
// [InventoryStore] implements [inventory.Store] and [inventory.Sweeper].
// Every Apply is one transaction that also writes its ledger entries and its
// idempotency record. A single-line reservation is one conditional UPDATE
// sent in one round trip; other operations lock their levels in
// [inventory.Key.Compare] order and reuse [inventory.Compute]. Serialization
// failures and deadlocks (SQLSTATE 40001 and 40P01) are retried inside the
// store, a bounded number of times.
//
// # Hot SKUs
//
// [InventoryStore.Split] spreads a level over several sub-rows, escrow
// style: each sub-row holds a share of the available stock and keeps the
// invariant on its own, so concurrent reservations of one popular SKU update
// different rows instead of queueing on one. Reads sum the sub-rows; any
// operation other than a single-line reservation, or a reservation that no
// sub-row can serve alone, locks every sub-row and rebalances them.
//
// # Orders
//
// [OrderStore] implements the order package's store with optimistic
// versioning, an outbox of events written in the same transaction, and
// idempotency records.
package postgres
