// Package inventory keeps stock that never oversells and never drifts: levels
// per owner, SKU, location and lot, split into buckets; reservations with
// idempotency keys and optional TTLs; allocation across locations as a pure
// planner; and an append-only ledger that explains every unit.
//
// # Levels and buckets
//
// A [Level] is the stock of one [Key] (owner x SKU x location x lot) in
// integer units: on hand, reserved, committed, damaged, quarantine, safety,
// incoming and in transit. Available is computed:
//
//	Available = OnHand - Reserved - Committed - Damaged - Quarantine - Safety
//
// No bucket is ever negative and Available never is: an operation that
// would break this fails with an *[InsufficientStockError] and changes
// nothing. One owner's stock never mixes with another's.
//
// # Operations
//
// Every change is an [Operation] applied by [Inventory.Apply]: [Expect],
// [Receive], [Adjust] (with an optional compare-and-set), [Move] between
// buckets, [Transfer] and [ReceiveTransfer] through an in-transit state,
// [Count], [Reserve] (all lines or none, optionally with a TTL),
// [Release], [Commit], [Consume], [Unreserve] and [Recall]. Each carries a
// reason, a reference and an idempotency key in its [Meta]. Each becomes
// one [Txn] that a [Store] applies atomically, with its ledger entries.
//
// A cart hold is a [Reserve] with a [RefCart] reference and a TTL. At
// checkout, a [Commit] with the order's reference in its Meta re-points
// the reservation at the order, so that looking up the order's
// reservations finds it and the cart's no longer does; the reservation
// takes the order line its [Part] names in place of the cart's line.
//
// # Stores
//
// A [Store] is four methods; the contract (atomicity, lock order, time,
// idempotency, errors) is in its documentation. [MemStore] keeps everything
// in memory with one lock per level. [Compute] is the pure decision every
// store reuses; the conformance suite in
// [github.com/fulfillkit/fulfill/inventory/inventorytest] checks any store.
//
// # Allocation
//
// [Plan] decides, purely and deterministically, which locations serve an
// order's lines under a [Strategy] ([Priority], [FewestShipments],
// [Closest], [HighestStock], [StoreFirst]), drawing lots first-expired or
// first-in first-out and never from an expired lot, with explicit
// backorders. [Kits.Explode] turns kits and bundles into their components
// first. [Allocation.Reserve] applies a plan with compare-and-set, so a
// stale plan fails with [ErrConflict] and is planned again
// ([Inventory.Allocate] does both).
//
// # Lots and serial numbers
//
// A lot-tracked SKU has one level per lot, carrying the lot's expiry and
// receipt dates. An expired lot is never reserved or planned, a [Recall]
// quarantines a lot everywhere, and [Plan] draws lots first-expired
// first-out ([RemovalFEFO]) or first-in first-out ([RemovalFIFO]).
// Receipts, transfers, adjustments and consumptions may name the serial
// numbers of their units; a store that is a [SerialStore] (as [MemStore]
// is) keeps each serial number in stock at most once per owner and SKU.
//
// Serial numbers are optional, and a level may hold units with and without
// them, but never more serial numbers than units: its on-hand units plus
// its in-transit units, since a [Transfer] moves the serial numbers of the
// units it ships to the destination at once. An operation that lowers a
// level's units or brings serial numbers to it and would leave it with more
// serial numbers than units fails with a *[SerialCountError] and changes
// nothing. So once a level is serialised, shipping, transferring, writing
// off or counting away its units means naming the serial numbers that
// leave (a [Consume] part, a [Transfer] or an [Adjust] with Serials), as
// far as the units without serial numbers do not cover it. A level that
// already holds more (stock recorded before the rule was checked) may not
// get worse; see [SerialCountError] for the exact rule.
//
// # Ledger
//
// Every change appends [Entry] values to the owner's ledger. [Replay]
// rebuilds every level from it, [Reconcile] reports any difference
// between levels, live reservations and the ledger, and [Arrivals] lists
// the incoming stock still expected. A store kept running drops the
// entries its consumer has processed if it is a [LedgerTrimmer]
// ([MemStore.TrimLedger]), and closed reservations and idempotency records
// past the host's retry window if it is a [Pruner] ([MemStore.Prune]).
//
// Trimming keeps reconciliation and arrivals exact: the store folds the
// entries it drops into the owner's [Checkpoint] as it drops them, and
// hands it out as a [Checkpointer]. [ReplayFrom], [ReconcileFrom] and
// [ArrivalsFrom] carry on from a checkpoint with the entries kept and give
// what the whole ledger gives; [Inventory.Reconcile] and
// [Inventory.Arrivals] use the store's checkpoint when it has one.
//
// # Channels
//
// A [Channel] publishes a share of available stock to a sales channel,
// keeping a buffer back; [AvailabilityChanged] events report each change of
// available stock.
package inventory
