// Package carriertest provides a configurable [carrier.Carrier] for tests
// and examples: fixed quotes, latency, failures, hangs, and idempotent label
// purchase, void and tracking, with call counters.
package carriertest
