// Package ship records shipments and what happens to them after the label is
// bought: the packages and their labels, tracking events from carriers and
// aggregators folded into a status by a declared state machine, delivery
// promises computed from business-day calendars and cut-offs, and end-of-day
// manifests.
//
// # Shipments
//
// A [Shipment] belongs to one order ([fulfill.OrderID]) of one owner and
// carries one or more packages. Each [Package] has its size and mass, its
// label ([Label]: carrier, service, account, tracking number, cost) and the
// order lines it holds, so that a host can move the order's shipped and
// delivered quantities from [Shipment.Lines] and [Shipment.DeliveredLines].
// Shipments are built with [New], saved with [Shipment.Snapshot] and loaded
// with [Restore].
//
// # Tracking
//
// Tracking statuses ([Status]) form a state machine declared as a
// transition table; [Status.Can], [Status.Next] and [Mermaid] show it.
// Carriers deliver webhooks at least once and in any order, so
// [Shipment.Ingest] is idempotent (an event seen twice changes nothing) and
// derives each package's status from its events ordered by the carrier's
// timestamps, not by arrival. Events that the state machine forbids at their
// place in time are kept and reported by [Tracking.Anomalies] rather than
// applied.
//
// [DecodeEvent] reads a generic JSON tracking event, [DecodeWebhook] the
// native tracking payloads of EasyPost, Shippo and ShipEngine, and
// [MapStatus] translates their status vocabularies into [Status]; [Codes]
// holds a host's own table for a carrier tracked directly.
//
// # Delivery promises
//
// A [Lane] joins a warehouse ([Origin]: time zone, business-day [Calendar],
// handling days) to a carrier service ([Service]: pick-up cut-off, its own
// calendar, transit days by zone). [Lane.Promise] gives the delivery date for
// an order released at a given time, and [Lane.ShipBy] the reverse: the
// latest release time that still meets a promised date. Lanes and calendars
// are data: [DecodeLane] reads them from JSON.
//
// # Storage
//
// A host keeps shipments in a [Store]: load-modify-save through
// [Store.Update], with [MemStore] as the in-memory implementation and
// [github.com/fulfillkit/fulfill/ship/shiptest] as the contract test for
// others. [IngestEvent] is a webhook handler's whole job: find the
// shipment by tracking number and apply the event in one update.
//
// # Manifests
//
// [BuildManifests] groups the day's labels by carrier, account, origin and
// local date into end-of-day manifests, leaving out voided and already
// manifested labels; [ValidateManifests] checks a set of manifests offline.
package ship
