// Package fulfill is the shared vocabulary of an order-fulfillment library:
// exact units of length and mass, package dimensions, money in a currency,
// postal addresses, SKUs and identifiers, and the clock every package reads.
//
// The packages below it do the work, each pure logic behind small interfaces
// that a host application wires to its own storage and carriers:
//
//   - [github.com/fulfillkit/fulfill/order]: the order aggregate, a ledger of
//     quantities per line with a status derived from it, holds, edits, cancellation and events.
//   - [github.com/fulfillkit/fulfill/inventory]: stock by owner, SKU and location; reservations that
//     never oversell; allocation across locations; lots; an append-only ledger.
//   - [github.com/fulfillkit/fulfill/pick]: warehouse layouts, exact and heuristic pick routing, order
//     batching, waves and zones.
//   - [github.com/fulfillkit/fulfill/pack]: cartonization into a box catalogue with verified placements.
//   - [github.com/fulfillkit/fulfill/carrier]: carriers, rate cards that explain their prices, and
//     concurrent rate shopping.
//   - [github.com/fulfillkit/fulfill/ship]: shipments, tracking events, cut-offs and delivery promises.
//   - [github.com/fulfillkit/fulfill/returns]: return authorisations, inspection, disposition back into
//     inventory, and refunds.
//   - [github.com/fulfillkit/fulfill/postgres]: PostgreSQL implementations of the stores.
//
// # How an order flows
//
// An order is placed; inventory plans which locations serve it and reserves
// the stock; the reservations become pick tasks, which pick batches into tours
// and routes; the picked items are cartonized by pack; carrier rate-shops the
// packages; ship records labels and tracking until delivery, moving the
// order's line quantities along; returns brings units back into inventory and
// computes the refund. The packages never import one another (beyond ship and
// returns using a few value types); they talk through the IDs and values of
// this package, and the host maps one to the other.
//
// # Units
//
// [Length] and [Mass] are integers in the style of [time.Duration], counting
// micrometres and nanograms, so that an inch (25,400 µm), a pound
// (453,592,370,000 ng) and an ounce are exact. Rounding is always explicit:
//
//	l, _ := fulfill.ParseLength("11.1in")
//	l = l.Ceil(fulfill.Inch) // exactly 12 in, 304.8mm
//
// Sums and products that could leave the int64 range return an error wrapping
// [ErrOverflow] instead of wrapping around.
//
// # Money
//
// [Money] is an exact decimal amount and an ISO 4217 [Currency]. Mixing
// currencies is a *[CurrencyMismatchError]; rounding names its mode; and
// [Money.Allocate] splits an amount across lines without losing a cent.
//
// # Errors
//
// Errors are kinds ([ErrSyntax], [ErrOverflow], [ErrCurrencyMismatch],
// [ErrInvalidAddress], ...) matched with [errors.Is], carried by typed errors
// ([ParseError], [FieldError], [CurrencyMismatchError], [OverflowError])
// that say where, matched with [errors.As]. No function panics on bad input;
// only the Must functions, meant for literals, do.
package fulfill
