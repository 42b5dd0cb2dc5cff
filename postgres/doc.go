// Package postgres stores inventory, orders, shipments and returns in
// PostgreSQL, so that many replicas of a service can share one database
// safely: reservations never oversell and order and shipment writes never
// lose an update, whatever the number of processes writing at once.
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
// [InventoryStore] implements [inventory.Store], [inventory.Sweeper],
// [inventory.SerialStore], [inventory.LedgerTrimmer],
// [inventory.Checkpointer] and [inventory.Pruner]. Every Apply is atomic: its levels, reservations,
// ledger entries (numbered per owner from 1 without gaps) and idempotency
// record are written together or not at all. Operations other than
// single-line reservations run in one transaction that locks their levels
// in [inventory.Key.Compare] order, then the serial numbers, then the
// owner's ledger sequence, and saves [inventory.Compute]'s outcome.
// Serialization failures, deadlocks (SQLSTATE 40001 and 40P01) and
// connections that break before COMMIT is sent are retried inside the
// store, a bounded number of times.
//
// # Reservations
//
// A single-line reservation is a conditional UPDATE of one level row
// (available >= quantity), sent with its inserts as one statement, so
// there is no window between the check and the write. The owner's ledger
// sequence is the one thing every operation of an owner passes through;
// the store therefore combines the single-line reservations that callers
// make at the same moment into one statement that advances the sequence
// once (group commit). Each reservation in it stays atomic on its own; one
// that its row cannot serve is decided on the general path, exactly as
// [inventory.Compute] decides it.
//
// # Hot SKUs
//
// [InventoryStore.Split] spreads a level over several sub-rows, escrow
// style: each sub-row holds a share of the available stock and keeps the
// invariant on its own (a CHECK constraint enforces it), so concurrent
// reservations of one popular SKU update different rows instead of
// queueing on one. Reads sum the sub-rows. An operation a sub-row cannot
// serve alone locks every sub-row of the level, applies the operation to
// the whole, and shares the available stock out again evenly.
//
// # Retention
//
// An owner's ledger, closed reservations and idempotency records grow with
// every operation. [InventoryStore.TrimLedger] deletes the ledger entries
// a consumer has processed, folding them into the owner's checkpoint in
// the same transactions so that reconciliation and arrivals stay exact,
// and [InventoryStore.Prune] the closed reservations and idempotency
// records of operations dated before the host's retry window, both in
// batches that lock nothing an operation waits for (but the rare one that
// reuses the ID or key of a row being deleted at that moment). Schema
// version 8 stores the dates Prune compares (the operation that closed a
// reservation, the operation of an idempotency record) and dates the rows
// written before it; version 10 keeps the ledger checkpoints.
//
// # Cancellation
//
// A cancelled context cancels the statement in flight on the server and
// waits for the server's answer, so that the caller learns the outcome: an
// Apply that returns the context's error applied nothing. Only when the
// connection itself is lost during a single-line reservation is the
// outcome unknown; retry with the same idempotency key to learn it.
//
// # Orders
//
// [OrderStore] implements [order.Store]: each write is one statement that
// stores the order's snapshot if its version is the one read (a stale write
// fails with an *[order.ConflictError]), appends its events to the owner's
// outbox and stores the idempotency record. Events are numbered per owner
// without gaps, and a position becomes visible only after every lower
// position of the owner, so a reader that keeps its last position reads
// each event once ([OrderStore.EventsAfter]). It also implements
// [order.EventTrimmer] and [order.IdempotencyPruner]:
// [OrderStore.TrimEvents] deletes the events a consumer has processed and
// [OrderStore.PruneIdempotency] the idempotency records created before the
// host's retry window, in batches as for the inventory (schema version 9
// dates the records). Orders themselves are kept as snapshots and need no
// events.
//
// # Returns
//
// [ReturnStore] implements [returns.Store]: returns and refund accounts as
// versioned snapshots, written only over the version read.
//
// # Shipments
//
// [ShipStore] implements [ship.Store]: each shipment is a JSONB snapshot
// with a revision counting the store's writes, and its tracking numbers
// sit in a table whose primary key keeps them unique across shipments, so
// that routing a carrier event ([ship.IngestEvent]) is one index lookup.
// Create writes the shipment and its numbers in one statement, or nothing
// if the ID or a number is taken. Update is optimistic first: it runs its
// closure with no transaction open and writes only over the revision it
// read. When another writer came first, it runs the closure again under
// the shipment's row lock (SELECT ... FOR UPDATE), where it cannot lose;
// an Update that starts while the store is updating the same shipment
// queues for the lock at once instead of racing. A duplicate event, which
// changes nothing, writes nothing. The store keeps every shipment [ship.New] accepts
// exactly as given, as [ship.MemStore] does: ship's validation refuses the
// text the database could not keep (a NUL character, bytes that are not
// UTF-8), and the store checks it again before writing, refusing it as
// invalid.
//
// # Tests
//
// The tests read a connection string from FULFILL_TEST_DATABASE_URL and
// skip without it; each creates a schema of its own.
package postgres
