// Package picktest checks implementations of the interfaces of package
// [github.com/fulfillkit/fulfill/pick]: [Router] runs a conformance suite on
// a router of one's own, [Batcher] on a batcher, both against the exact
// methods and the independent verifier of package pick.
package picktest
