package inventory

import (
	"context"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Store keeps levels, reservations, the ledger and idempotency records. It
// is declared here, where it is consumed; [MemStore] is the in-memory
// implementation and the postgres package provides a SQL one. Every
// implementation must pass [github.com/fulfillkit/fulfill/inventory/inventorytest.Run].
//
// # Atomicity
//
// Apply applies a whole [Txn] or nothing: its level changes, new and changed
// reservations, ledger entries (numbered per owner from 1, without gaps, in
// apply order) and idempotency record. The decision is [Compute]'s: a store
// either calls Compute on the state it has locked (load, compute, save), or
// does the same with conditional updates, for example reserving in one round
// trip with
//
//	UPDATE levels SET reserved = reserved + $q
//	WHERE key = $k AND on_hand - reserved - committed - damaged - quarantine - safety >= $q
//
// as long as the result is the one Compute would give, errors included.
//
// # Concurrency
//
// Implementations are safe for concurrent use by multiple goroutines (and,
// for shared stores, by multiple processes). Concurrent Txns behave as if
// applied one after the other. A Txn touching several levels locks them in
// ascending [Key.Compare] order ([Txn.Keys] gives that order), so that
// concurrent multi-level Txns never deadlock; a store that locks anything
// else (such as an owner's ledger) locks it after the levels.
//
// # Idempotency
//
// A Txn with an IdempotencyKey already applied for its owner is not applied
// again: Apply returns a copy of the original [Receipt] with Replayed set if
// the Fingerprint matches, and an *[IdempotencyConflictError] if not. A
// concurrent retry waits for the first attempt. A Txn that fails leaves no
// idempotency record.
//
// # Time
//
// A store never reads a clock. Txn.At and the queries' At decide which holds
// have lapsed: a hold whose ExpiresAt is not after At counts as released.
// Apply collects lapsed holds on the levels it touches, with a ledger entry
// of kind [KindExpire] dated at the hold's expiry.
//
// # Ownership and errors
//
// Results are copies the caller owns; a store keeps no reference to a Txn
// after Apply returns. A reservation ID names one reservation per owner,
// whatever its level: a hold whose ID exists fails with a *[ConflictError]. Every query is scoped to one owner, and one owner's
// Txn never reads or changes another owner's levels or reservations.
// Errors are those of Compute ([ErrInsufficientStock], [ErrConflict],
// [ErrNotFound], [ErrExpired], [ErrInvalid], [fulfill.ErrOverflow], and
// for a [SerialStore] [ErrDuplicateSerial] and [ErrSerialCount]),
// [ErrIdempotencyConflict], the context's error, or the store's own.
type Store interface {
	// Apply applies t atomically and returns its receipt.
	Apply(ctx context.Context, t *Txn) (*Receipt, error)
	// Levels returns the owner's levels matching q, sorted by key, as seen
	// at q.At. Levels that were never created are not returned.
	Levels(ctx context.Context, q LevelQuery) ([]Level, error)
	// Reservations returns the owner's reservations matching q, sorted by ID,
	// as seen at q.At (see [Reservation.At]).
	Reservations(ctx context.Context, q ReservationQuery) ([]Reservation, error)
	// Ledger returns the owner's entries with Seq > q.After, in Seq order, at
	// most q.Limit of them (all if Limit is 0).
	Ledger(ctx context.Context, q LedgerQuery) ([]Entry, error)
}

// Sweeper is an optional capability of a [Store]: collecting every hold of
// an owner that lapsed at or before at, returning how many it collected.
// Without it, lapsed holds are collected when their level is next touched;
// either way they stopped counting as reserved when they lapsed.
type Sweeper interface {
	Sweep(ctx context.Context, owner fulfill.OwnerID, at time.Time) (int, error)
}

// LevelQuery selects levels of one owner. Empty filters match everything.
type LevelQuery struct {
	Owner     fulfill.OwnerID
	SKUs      []fulfill.SKU
	Locations []fulfill.LocationID
	// At is the time the levels are seen at; lapsed holds count as
	// available. The zero At treats no hold as lapsed.
	At time.Time
}

// match reports whether k is selected by q.
func (q *LevelQuery) match(k Key) bool {
	if k.Owner != q.Owner {
		return false
	}
	if len(q.SKUs) > 0 && !contains(q.SKUs, k.SKU) {
		return false
	}
	if len(q.Locations) > 0 && !contains(q.Locations, k.Location) {
		return false
	}
	return true
}

// ReservationQuery selects reservations of one owner. Empty filters match
// everything.
type ReservationQuery struct {
	Owner fulfill.OwnerID
	// ID selects one reservation.
	ID string
	// Ref selects the reservations made for one reference.
	Ref Reference
	// SKU selects the reservations of one SKU.
	SKU fulfill.SKU
	// IncludeClosed includes reservations with nothing left reserved or
	// committed (released, consumed, cancelled or lapsed).
	IncludeClosed bool
	// At is the time the reservations are seen at. The zero At treats no
	// hold as lapsed.
	At time.Time
}

// match reports whether r (as seen at q.At) is selected by q.
func (q *ReservationQuery) match(r Reservation) bool {
	switch {
	case r.Key.Owner != q.Owner,
		q.ID != "" && r.ID != q.ID,
		q.Ref != (Reference{}) && r.Ref != q.Ref,
		q.SKU != "" && r.Key.SKU != q.SKU,
		!q.IncludeClosed && !r.Live():
		return false
	}
	return true
}

// LedgerQuery pages through one owner's ledger.
type LedgerQuery struct {
	Owner fulfill.OwnerID
	After int64
	Limit int
}

// contains reports whether s holds v.
func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
