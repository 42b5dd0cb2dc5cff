// Package returnstest checks implementations of [returns.Store] against
// the contract: owner isolation, optimistic versions, copies in and out,
// and racing writers of which exactly one wins.
package returnstest
