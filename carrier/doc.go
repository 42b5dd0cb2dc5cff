// Package carrier quotes shipping rates: the [Carrier] interface that every
// carrier integration implements, rate cards that price a shipment offline
// and explain every step of the price, merchant rate tables, and a [Shopper]
// that asks many carriers at once and picks a quote by a [Policy].
//
// # Carriers and capabilities
//
// A [Carrier] only rates. Buying a label ([Labeler]), voiding one ([Voider])
// and tracking ([Tracker]) are optional capabilities discovered by type
// assertion, in the style of [net/http.Flusher]. The helpers [BuyLabel],
// [VoidLabel] and [Track] look through decorators (anything with an
// Unwrap() Carrier method) to find them, so wrapping a carrier in [Retry] or
// [Cache] never hides its labels, and never retries a purchase.
//
// # Rate cards
//
// A [RateCard] is one effective-dated version of a carrier's published
// rules: a zone chart keyed on ZIP3 ranges with exceptions, a price grid by
// zone and billable-weight break, dimensional weight with a divisor and an
// optional volume threshold, rounding rules, minimum billable weights,
// surcharges, fuel and per-package limits. A [Tariff] holds the versions of
// one carrier and rates with the version in effect at the ship time. Every
// [Quote] carries an [Explanation]: each step as data and as text. A service
// that cannot carry a package is reported with an *[IneligibleError] that
// says which limit was exceeded. Where only the prices matter, as when a
// cartonization weighs each candidate box's postage, [Tariff.Prices] gives
// each eligible service's price, to the digit that of its quote, without
// building explanations. Zone charts and price grids can also be
// loaded from CSV with [ParseZonesCSV] and [ParsePricesCSV], and a card kept
// as JSON and CSV files read with [ParseRateCardFS].
//
// # Merchant rate tables
//
// A [Merchant] quotes a merchant's own [Table] rates the way shop platforms
// do: flat, by weight tier or order-value tier, with markups and free
// shipping above a threshold. [Markup] raises any carrier's quotes.
//
// # Rate shopping
//
// [NewShopper] fans a [Request] out to every carrier, each in its own
// goroutine under its own deadline, and returns every good quote together
// with one *[CarrierError] per carrier that failed or timed out. A [Policy]
// ([Cheapest], [Fastest], [ArriveBy], [BestValue]) then picks one quote.
// Decorators wrap any carrier: [Retry], [Hedge], [Breaker], [Cache] and
// [Fallback].
//
// The [github.com/fulfillkit/fulfill/carrier/carriertest] package provides a
// configurable carrier with latency, failures and hangs for tests, and a
// conformance test that any carrier integration can run.
package carrier
