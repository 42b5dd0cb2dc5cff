// Package order is the order aggregate: an order's lines, a ledger of
// quantities per line with the status derived from it, holds, edits,
// cancellation, fulfillment orders per location, and the events that
// record every change.
//
// An [Order] changes only through its commands. Each command is a method
// ([Order.Confirm], [Order.Allocate], [Order.Cancel], ...) or a request
// passed to [Order.Execute]; it checks the transition table, decides one
// event, applies it to a copy, checks every invariant and only then
// replaces the order. It returns the events, or a typed error and leaves the
// order as it was. [Place] creates an order.
//
// # Quantities
//
// Each line keeps a ledger of units, [Quantities]: ordered, cancelled,
// unallocated (derived), backordered, allocated, picked, packed, shipped,
// delivered, return requested and returned. The in-flight buckets hold the
// units now at that step; shipped, delivered and returned count units ever
// shipped, delivered and returned. [Order.CheckInvariants] checks these
// rules after every command and every replayed event, and names the one
// broken in an [InvariantError]:
//
//   - R1 bounds: every bucket is >= 0, and 1 <= ordered <= [MaxQuantity].
//   - R2 conservation: ordered = cancelled + unallocated + backordered +
//     allocated + picked + packed + shipped, with unallocated >= 0.
//   - R3 delivered: delivered <= shipped.
//   - R4 returns: returned + return_requested <= shipped.
//   - R5 fulfillment: a line's allocated, picked, packed and shipped units
//     are the sums of its units in the fulfillment orders, which list each
//     line once, in line order.
//   - R6 shipments: a line's shipped and delivered units are the sums of
//     its units in the shipments, and in the delivered shipments; each
//     shipment has a unique ID and comes from a known fulfillment order.
//   - R7 holds: no hold ID is active twice.
//   - R8 identity: line and fulfillment IDs are unique and below the next
//     ID to assign.
//   - R9 closed: a closed order has no unit unallocated, backordered,
//     allocated, picked or packed, and no return awaited.
//
// # Status
//
// The [Status] is never stored: [Order.Status] derives it from the summed
// ledger, the confirmation, the holds and whether the order is closed, in
// this order of precedence: closed; cancelled (no live unit); on_hold (any
// active hold); pending (not confirmed); returned / partially_returned (any
// unit returned); delivered / partially_delivered (any unit delivered);
// shipped / partially_shipped (any unit shipped); in_progress (any unit
// picked or packed); allocated / partially_allocated (any unit allocated);
// backordered (any unit backordered); confirmed. "Partially" means that
// some live units have not reached the step.
//
// Along a run of commands the status, holds aside, only moves forward in
// that list, except through three documented commands: Reopen opens a
// closed order; Cancel removes units that had not shipped, and the status
// then reflects the units left (cancelling the only allocated units of a
// partially allocated order leaves it confirmed); Edit adds units, which
// start unallocated, or removes waiting ones (adding a line to an allocated
// order makes it partially allocated; removing the only backordered line
// leaves the order confirmed). The property tests check this after every
// command.
//
// # Commands and transitions
//
// The transition table is Go data: for every status and every command of
// [Commands], a [Rule] saying whether it is allowed, the statuses it can
// lead to, or why it is refused ([Transitions]). [Order.Can] and
// [AllowedActions] apply it, together with preconditions on the quantities
// (nothing left to cancel, no hold to release), so that "can I cancel this
// order now, and why not?" is answered by AllowedActions alone. A refused
// command returns a *[TransitionError] with the status, the command and the
// reason, matching [ErrInvalidTransition].
//
// A hold ([StatusOnHold]) blocks confirm, pick, pack, ship and close;
// other commands still obey the status under the hold. Holds have a kind
// ([HoldAwaitingPayment], [HoldFraudReview], ...), a source and an ID, and
// several may be active at once; each is released by its ID.
//
// The diagram below is generated from the table by [Mermaid]; a test fails
// if it is stale. Commands that keep the status are in the table, not
// drawn.
//
//	stateDiagram-v2
//	    [*] --> pending: place
//	    pending --> confirmed: confirm
//	    pending --> on_hold: hold
//	    pending --> cancelled: cancel, expire
//	    confirmed --> backordered: backorder
//	    confirmed --> partially_allocated: allocate
//	    confirmed --> allocated: allocate
//	    confirmed --> on_hold: hold
//	    confirmed --> cancelled: cancel
//	    backordered --> confirmed: cancel, edit
//	    backordered --> partially_allocated: allocate
//	    backordered --> allocated: allocate
//	    backordered --> on_hold: hold
//	    backordered --> cancelled: cancel
//	    partially_allocated --> confirmed: cancel
//	    partially_allocated --> backordered: cancel
//	    partially_allocated --> allocated: allocate, cancel, edit
//	    partially_allocated --> in_progress: pick, pack
//	    partially_allocated --> partially_shipped: ship
//	    partially_allocated --> on_hold: hold
//	    partially_allocated --> cancelled: cancel
//	    allocated --> partially_allocated: edit
//	    allocated --> in_progress: pick, pack
//	    allocated --> partially_shipped: ship
//	    allocated --> shipped: ship
//	    allocated --> on_hold: hold
//	    allocated --> cancelled: cancel
//	    in_progress --> confirmed: cancel
//	    in_progress --> backordered: cancel
//	    in_progress --> partially_allocated: cancel
//	    in_progress --> allocated: cancel
//	    in_progress --> partially_shipped: ship
//	    in_progress --> shipped: ship
//	    in_progress --> on_hold: hold
//	    in_progress --> cancelled: cancel
//	    partially_shipped --> shipped: ship, cancel, edit
//	    partially_shipped --> partially_delivered: deliver
//	    partially_shipped --> partially_returned: record_return
//	    partially_shipped --> on_hold: hold
//	    shipped --> partially_delivered: deliver
//	    shipped --> delivered: deliver
//	    shipped --> partially_returned: record_return
//	    shipped --> returned: record_return
//	    shipped --> on_hold: hold
//	    partially_delivered --> delivered: deliver, cancel
//	    partially_delivered --> partially_returned: record_return
//	    partially_delivered --> returned: record_return
//	    partially_delivered --> on_hold: hold
//	    delivered --> partially_returned: record_return
//	    delivered --> returned: record_return
//	    delivered --> on_hold: hold
//	    delivered --> closed: close
//	    partially_returned --> returned: cancel, record_return
//	    partially_returned --> on_hold: hold
//	    partially_returned --> closed: close
//	    returned --> on_hold: hold
//	    returned --> closed: close
//	    on_hold --> pending: release
//	    on_hold --> confirmed: release
//	    on_hold --> backordered: release
//	    on_hold --> partially_allocated: release
//	    on_hold --> allocated: release
//	    on_hold --> in_progress: release
//	    on_hold --> partially_shipped: release
//	    on_hold --> shipped: release
//	    on_hold --> partially_delivered: release
//	    on_hold --> delivered: release
//	    on_hold --> partially_returned: release
//	    on_hold --> returned: release
//	    on_hold --> cancelled: cancel, expire
//	    cancelled --> closed: close
//	    closed --> delivered: reopen
//	    closed --> partially_returned: reopen
//	    closed --> returned: reopen
//	    closed --> cancelled: reopen
//
// The table behind it is checked by a test that runs every command in
// every status.
//
// # Fulfillment orders
//
// Allocating units at a location puts them in a [Fulfillment] there: the
// unit of work of one location. Pick, pack and ship name the fulfillment
// order; [Order.Split] moves some of its allocated units to a new one,
// [Order.Move] sends one that has not started to another location, and
// [Order.Merge] folds one that has not started into another at the same
// location. Each reports what it still has to ship with
// [Fulfillment.Remaining].
//
// # Money
//
// Prices are per unit in one currency. [Order.Totals] spreads the
// order-level discount over the lines with [fulfill.Money.Allocate], so no
// cent is lost, and [Order.ValueOfUnits] says what any run of a line's units
// was paid, after every discount: cancellations record it in their events,
// and a returns package can refund with it.
//
// Money a cancellation released is history. An edit can change a line's
// total, by changing its quantity or, through the order discount, the
// other lines; the units not cancelled then share what is left of the new
// total once the released money is taken out, so that for every line
// [Line.CancelledValue] plus the value of its units not cancelled is its
// total, to the cent, and the cancellation of its last unit releases
// exactly the rest. A line cancelled in full keeps the total its
// cancellations released; should an edit of other lines change its share
// of the order discount afterwards, the difference goes to the other lines,
// spread as the discount is. An edit that would lower a line's total below
// what its cancellations released is refused with a *[ReleasedError].
//
// # Events, replay and storage
//
// Every command yields an [Event] with a stable type name ([EventType]), a
// version, and an ID derived from the order and the version, so that a
// retried or re-read event keeps its ID. [Replay] rebuilds an order from
// its events exactly; events and [Snapshot] values encode to JSON without
// loss, and [Restore] checks a snapshot as thoroughly as a command would.
//
// A [Store] keeps orders per owner with optimistic versions, an event log
// read by position (outbox style) and idempotency records, all written
// together. [MemStore] is the in-memory store;
// [github.com/fulfillkit/fulfill/order/ordertest] checks any store against
// the contract. [Service] runs commands through a store with idempotency
// keys: a retry returns the original events, and the same key with another
// request is an [ErrIdempotencyConflict].
//
// An order placed with a TTL may be expired once its [Order.ExpiresAt] has
// passed. A store that also implements [Expirer] lists the orders due, and
// [Service.ExpireDue] expires them, so a host needs no index of its own: it
// calls ExpireDue now and then, from one process or several.
//
// A store kept running would keep every event and every idempotency record
// forever. A store that implements [EventTrimmer] drops the events a
// consumer of the log has processed, and one that implements
// [IdempotencyPruner] drops the records older than the host's retry window;
// orders are stored as they are now, so neither touches them.
package order
