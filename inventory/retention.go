package inventory

import (
	"context"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// TrimLedger drops the owner's ledger entries with Seq <= through, which a
// consumer (an outbox relay, a projection) has processed, so that a MemStore
// kept running in a service does not grow with every operation. It returns
// how many entries it dropped.
//
// The entries kept keep their Seq, and new entries number on from the last
// one ever appended: trimming never reuses a number. [MemStore.Ledger]
// pages as before; a page whose After is at or before the last dropped
// entry starts with the first entry kept. Trimming through a Seq already
// dropped drops nothing and is not an error, so a consumer may repeat it;
// a through past the last entry appended fails with ErrInvalid, as does a
// negative one.
//
// The dropped entries are folded into the owner's checkpoint under the
// same lock ([MemStore.LedgerCheckpoint], [Checkpoint.Fold]), so
// [Inventory.Reconcile] and [Inventory.Arrivals] stay exact however much
// is trimmed; if the fold fails (a sum overflows, which a ledger whose
// levels never overflowed cannot cause), TrimLedger drops nothing and
// returns the error. Levels, reservations, serial numbers and idempotency
// records are not touched (see [MemStore.Prune]). It implements
// [LedgerTrimmer] and, with [MemStore.LedgerCheckpoint], [Checkpointer].
func (s *MemStore) TrimLedger(ctx context.Context, owner fulfill.OwnerID, through int64) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := owner.Validate(); err != nil {
		return 0, err
	}
	if through < 0 {
		return 0, invalid("through", itoa(through), "negative")
	}
	o := s.owner(owner)
	o.mu.Lock()
	defer o.mu.Unlock()
	if last := o.trimmed + int64(len(o.entries)); through > last {
		return 0, invalid("through", itoa(through), "after the last entry, "+itoa(last))
	}
	n := through - o.trimmed
	if n <= 0 {
		return 0, nil
	}
	if err := o.checkpoint.fold(o.entries[:n]); err != nil {
		return 0, err
	}
	// A copy, so that the dropped entries' memory is freed.
	o.entries = slices.Clone(o.entries[n:])
	o.trimmed = through
	return int(n), nil
}

// Pruned counts what a [Pruner] such as [MemStore.Prune] dropped.
type Pruned struct {
	// Reservations is how many closed reservations were dropped.
	Reservations int
	// IdempotencyKeys is how many idempotency records were dropped.
	IdempotencyKeys int
}

// Prune drops what a MemStore keeps of the owner's finished work dated
// before the cutoff before, so that a MemStore kept running in a service
// does not grow with every operation (together with
// [MemStore.TrimLedger]). Dates are those of the operations (Txn.At, from
// the Inventory's clock), never the store's own clock. It drops:
//
//   - each closed reservation (nothing reserved or committed) closed by an
//     operation dated before the cutoff. It is no longer listed with
//     ReservationQuery.IncludeClosed, a step naming it fails with
//     [ErrNotFound] (where it did nothing before), and its ID may name a
//     new reservation again. Live reservations are kept, lapsed holds
//     included until they are collected: [MemStore.Sweep] first.
//   - each idempotency record of an operation dated before the cutoff. A
//     retry with its key is then applied again, as a new operation, so
//     the cutoff must be no later than the oldest time a caller may still
//     retry: for a host that promises retries for 24 hours, now minus 24
//     hours. Records of operations still being applied are kept.
//
// Levels, live reservations, serial numbers and the ledger are kept. Prune
// is safe to call while operations run; an operation dated before the
// cutoff that closes a reservation or applies a key as Prune runs may be
// dropped or kept. If ctx is done, Prune stops and returns what it dropped
// so far with the context's error. It implements [Pruner].
func (s *MemStore) Prune(ctx context.Context, owner fulfill.OwnerID, before time.Time) (Pruned, error) {
	var p Pruned
	if err := ctx.Err(); err != nil {
		return p, err
	}
	if err := owner.Validate(); err != nil {
		return p, err
	}
	for _, k := range s.keys(&LevelQuery{Owner: owner}) {
		if err := ctx.Err(); err != nil {
			return p, err
		}
		c := s.cell(k)
		c.mu.Lock()
		for id, cr := range c.closed {
			if cr.at.Before(before) {
				delete(c.closed, id)
				// Only the mapping to this level: a reservation's ID is
				// claimed again only once the mapping is gone.
				s.resKeys.CompareAndDelete(resKey{owner, id}, k)
				p.Reservations++
			}
		}
		c.mu.Unlock()
	}
	s.idem.Range(func(k, v any) bool {
		ik, rec := k.(idemKey), v.(*idemRecord)
		if ik.owner != owner || !rec.at.Before(before) {
			return true
		}
		select {
		case <-rec.done:
			if rec.receipt != nil && s.idem.CompareAndDelete(ik, rec) {
				p.IdempotencyKeys++
			}
		default: // still being applied
		}
		return ctx.Err() == nil
	})
	return p, ctx.Err()
}
