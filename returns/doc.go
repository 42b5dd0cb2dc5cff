// Package returns handles what comes back after an order shipped: return
// authorisations (RMAs) with per-unit reception, inspection and
// disposition into inventory; pluggable eligibility policies with
// explained decisions; refunds decoupled from the physical return, exact to
// the cent and explained line by line; exchanges, cross-ships and claims;
// and return labels.
//
// # Returns
//
// [New] creates a [Return] for units of an [order.Order]: each line is
// bounded by what the order shipped of it and has not returned or had
// requested, and carries a structured [Reason] and a declared [Condition];
// the return has a [Channel] (mail, drop-off, store). Every unit is
// tracked on its own: reception gives it an [Outcome] (received, lost in
// transit, wrong item received, missing), inspection a [Grade], and
// [Return.Dispose] exactly one [Disposition].
//
// # Lifecycle
//
// The transition table is Go data: for every status and every action of
// [Actions], a [Transition] saying whether it is allowed, the statuses it
// can lead to, or why it is refused ([Transitions]). [Return.Can] and
// [AllowedActions] apply it together with preconditions on the units
// (nothing left to receive, a unit without a disposition), so "can this
// return be closed, and why not?" is answered by AllowedActions alone. A
// refused action returns a *[TransitionError].
//
// The diagram below is generated from the table by [Mermaid]; a test fails
// if it is stale. Actions that keep the status are in the table, not drawn.
//
//	stateDiagram-v2
//	    [*] --> requested: request
//	    requested --> approved: approve
//	    requested --> declined: decline
//	    requested --> cancelled: cancel
//	    approved --> label_issued: issue_label
//	    approved --> in_transit: ship
//	    approved --> partially_received: receive
//	    approved --> received: receive
//	    approved --> inspected: receive
//	    approved --> cancelled: cancel
//	    label_issued --> in_transit: ship
//	    label_issued --> partially_received: receive
//	    label_issued --> received: receive
//	    label_issued --> inspected: receive
//	    label_issued --> cancelled: cancel
//	    in_transit --> partially_received: receive
//	    in_transit --> received: receive
//	    in_transit --> inspected: receive
//	    partially_received --> received: receive
//	    partially_received --> inspected: receive
//	    received --> inspected: inspect
//	    inspected --> closed: close
//	    closed --> inspected: reopen
//	    declined --> requested: reopen
//	    cancelled --> [*]
//
// The table behind it is checked by a test that runs every action in every
// status.
//
// # Policy
//
// A [Policy] is a list of [Rule] values evaluated on a [Case] to a
// [Decision]: approve, reject or review, with every [Finding] that explains
// it. The rules shipped are [Window] (from delivery, via the time passed
// in, with per-reason periods), [FinalSale] (SKUs and categories),
// [ConditionRequired], [AutoApproveLimit] and [Exempt] (a rule that does
// not apply to some reasons); [RuleFunc] adapts a function. [Return.Decide]
// applies a decision.
//
// # Dispositions
//
// [Return.Dispose] applies dispositions through the [Inventory] interface,
// which [*inventory.Inventory] satisfies: restock receives units into the
// available stock of the chosen location, quarantine into its quarantine
// bucket, refurbish and return to vendor into its damaged bucket; disposed
// units never enter stock. Each operation carries an idempotency key, and
// the return changes only once inventory accepted every operation.
//
// # Refunds
//
// An [Account] is the refund ledger of one order, separate from its
// returns. [Account.Preview] computes a [Refund] and [Account.Issue]
// records it once per idempotency key. A return refund may be issued before
// or after the units arrive, and a return may close without one; claims
// and goodwill refunds need no return. Each unit refunded is valued at what
// was paid for it ([order.Order.ValueOfUnits]: the line discount, its share
// of the order discount spread with [fulfill.Money.Allocate], and tax), and
// a [RefundPolicy] adds original shipping and takes a restocking fee and
// the return label's cost. Every line's refunds, added to its
// cancellations, never exceed what was paid for it, nor the order's refunds
// what was paid for the order. [Refund.Explain] shows every step.
//
// The account also records the units exchanged ([Account.Exchanges]) and
// those replaced for a claim ([Account.Replacements]), so that no unit is
// paid for twice, whichever comes first: refunds, by return or by claim,
// take only units neither exchanged nor replaced, and exchanges and
// replacements only units neither refunded, exchanged nor replaced. The
// refunded and exchanged units of a return line never exceed its quantity,
// nor the refunded, exchanged and replaced units of an order line what it
// shipped.
//
// # Exchanges and claims
//
// [Return.Exchange] places a replacement order through the order package
// ([Replacement]), either on an order hold released when the exchanged
// units are received ([Return.ReleaseReplacement]), or as a cross-ship
// with a payment [Hold] that [Return.Receive] releases and
// [Return.CaptureHold] captures after its deadline. It takes the order's
// refund [Account] and records the exchange there as well as on the
// return: asking to exchange units already refunded fails with a
// *[QuantityError] naming the line, the units it can still exchange and
// those asked, and changes nothing. Save the account first, then the
// return.
//
// A claim for a missing or wrong item needs no return: a [RefundClaim]
// refund or a replacement, for different units. [Account.Replace] places
// the replacement order ([Replacement]) and records the replaced units in
// the account, so a claim refund never takes them, and it never takes
// units already refunded, exchanged or replaced: asking for more fails
// with a *[QuantityError] naming the order line, and changes nothing.
// Retried with the same replacement order ID, it counts the units once.
// Save the account first, then the replacement order. [Replacement] alone
// records nothing.
//
// [Return.Can] and [AllowedActions] see the return alone: they may offer a
// refund or an exchange of units the account has already refunded,
// exchanged or replaced. [Return.CanWith] and [AllowedActionsWith] take the
// order and its account, and refuse those with a reason as well.
//
// # Labels and tracking
//
// [Return.IssueLabel] buys the return label through a [carrier.Labeler];
// [Return.Track] follows the parcel with the statuses the ship package
// derives.
//
// # Storage
//
// A [Store] keeps returns and accounts per owner with optimistic versions;
// [MemStore] is the in-memory store, and
// [github.com/fulfillkit/fulfill/returns/returnstest] checks any store
// against the contract.
package returns
