// Package shiptest checks implementations of [ship.Store]: call [Run] from
// a test of every store, in memory or in a database, so that they all keep
// the same contract, concurrent writers included.
package shiptest
