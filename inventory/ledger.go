package inventory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Replay rebuilds the buckets of every level from ledger entries: each
// level's buckets are the sum of its entries' deltas. Replaying an owner's
// whole ledger gives exactly its levels' buckets. It returns an error
// wrapping [fulfill.ErrOverflow] if a sum overflows.
func Replay(entries []Entry) (map[Key]Buckets, error) {
	out := make(map[Key]Buckets)
	for _, e := range entries {
		b, err := out[e.Key].Add(e.Delta)
		if err != nil {
			return nil, fmt.Errorf("inventory: replaying entry %d: %w", e.Seq, err)
		}
		out[e.Key] = b
	}
	return out, nil
}

// Source says what a [Discrepancy] compares a level with.
type Source string

// The sources of a discrepancy.
const (
	// SourceLedger: the level's bucket differs from the replayed ledger.
	SourceLedger Source = "ledger"
	// SourceReservations: the level's reserved or committed units differ
	// from the sum of its live reservations.
	SourceReservations Source = "reservations"
	// SourceInvariant: the level breaks the invariant (a negative bucket).
	SourceInvariant Source = "invariant"
	// SourceSequence: the ledger's sequence numbers are not 1, 2, 3, ...
	SourceSequence Source = "sequence"
)

// Discrepancy is one difference found by [Reconcile]: the bucket of a
// level, the level's quantity and the quantity the source says.
type Discrepancy struct {
	Key    Key    `json:"key"`
	Bucket Bucket `json:"bucket"`
	Source Source `json:"source"`
	Level  int64  `json:"level"`
	Want   int64  `json:"want"`
}

// String describes the discrepancy.
func (d Discrepancy) String() string {
	return fmt.Sprintf("%s %s: level %d, %s %d", d.Key, d.Bucket, d.Level, d.Source, d.Want)
}

// Reconcile compares an owner's levels with its live reservations and its
// ledger, and returns every difference, in key order: each level must equal
// its replayed ledger, hold in Reserved and Committed exactly what its
// reservations hold, and keep the invariant; the ledger must be numbered
// 1, 2, 3, ... Levels and reservations are compared as stored (read with a
// zero At), so that holds lapsed but not yet collected count on both sides.
// An empty result means everything agrees.
func Reconcile(levels []Level, reservations []Reservation, entries []Entry) []Discrepancy {
	var out []Discrepancy
	for i, e := range entries {
		if e.Seq != int64(i)+1 {
			out = append(out, Discrepancy{Key: e.Key, Source: SourceSequence, Level: e.Seq, Want: int64(i) + 1})
			break
		}
	}
	replayed, err := Replay(entries)
	if err != nil {
		replayed = map[Key]Buckets{}
	}
	held := make(map[Key]Buckets)
	for _, r := range reservations {
		if !r.Live() {
			continue
		}
		b := held[r.Key]
		b.Reserved += r.Reserved
		b.Committed += r.Committed
		held[r.Key] = b
	}
	byKey := make(map[Key]Level, len(levels))
	for _, l := range levels {
		byKey[l.Key] = l
	}
	keys := slices.Collect(maps.Keys(byKey))
	for k := range replayed {
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
	}
	for k := range held {
		if _, ok := byKey[k]; !ok {
			if _, ok := replayed[k]; !ok {
				keys = append(keys, k)
			}
		}
	}
	slices.SortFunc(keys, Key.Compare)
	all := [...]Bucket{BucketOnHand, BucketReserved, BucketCommitted, BucketDamaged,
		BucketQuarantine, BucketSafety, BucketIncoming, BucketInTransit}
	for _, k := range keys {
		l := byKey[k]
		r := replayed[k]
		for _, b := range all {
			if lq, rq := l.Quantity(b), r.Quantity(b); lq != rq {
				out = append(out, Discrepancy{Key: k, Bucket: b, Source: SourceLedger, Level: lq, Want: rq})
			}
		}
		h := held[k]
		for _, b := range [...]Bucket{BucketReserved, BucketCommitted} {
			if lq, hq := l.Quantity(b), h.Quantity(b); lq != hq {
				out = append(out, Discrepancy{Key: k, Bucket: b, Source: SourceReservations, Level: lq, Want: hq})
			}
		}
		for _, b := range l.Buckets.violations() {
			out = append(out, Discrepancy{Key: k, Bucket: b, Source: SourceInvariant, Level: l.Quantity(b), Want: 0})
		}
	}
	return out
}

// Reconcile reads every level, live reservation and ledger entry of owner
// from the store and returns [Reconcile]'s differences. Run it while the
// owner's stock is quiet, or on a consistent snapshot: operations applied
// between the reads show up as differences. It needs the owner's whole
// ledger: once trimmed ([MemStore.TrimLedger]), the trimmed entries show up
// as differences too; call [Reconcile] with them instead.
func (inv *Inventory) Reconcile(ctx context.Context, owner fulfill.OwnerID) ([]Discrepancy, error) {
	levels, err := inv.store.Levels(ctx, LevelQuery{Owner: owner})
	if err != nil {
		return nil, err
	}
	res, err := inv.store.Reservations(ctx, ReservationQuery{Owner: owner})
	if err != nil {
		return nil, err
	}
	entries, err := inv.store.Ledger(ctx, LedgerQuery{Owner: owner})
	if err != nil {
		return nil, err
	}
	return Reconcile(levels, res, entries), nil
}

// Arrival is incoming stock still expected at a level: the units of one
// expectation not yet received, and when they are due (zero if unknown).
type Arrival struct {
	Key      Key       `json:"key"`
	Due      time.Time `json:"due,omitzero"`
	Quantity int64     `json:"quantity"`
	Ref      Reference `json:"ref,omitzero"`
}

// Arrivals returns, from an owner's ledger, the incoming stock still
// expected at each level, by key then due date (unknown dates last). Each
// expectation ([KindExpect] entry, or any entry adding to Incoming) is an
// arrival; units leaving Incoming (received or cancelled) settle the
// arrivals with the same reference first, then the earliest due. The
// quantities of a level's arrivals sum to its Incoming bucket.
func Arrivals(entries []Entry) []Arrival {
	byKey := map[Key][]*Arrival{}
	var keys []Key
	for _, e := range entries {
		switch d := e.Delta.Incoming; {
		case d > 0:
			if _, ok := byKey[e.Key]; !ok {
				keys = append(keys, e.Key)
			}
			byKey[e.Key] = append(byKey[e.Key], &Arrival{Key: e.Key, Due: e.Due, Quantity: d, Ref: e.Ref})
		case d < 0:
			as := byKey[e.Key]
			sortArrivals(as)
			left := -d
			for pass := 0; pass < 2 && left > 0; pass++ {
				for _, a := range as {
					if left == 0 {
						break
					}
					if pass == 0 && (e.Ref == (Reference{}) || a.Ref != e.Ref) {
						continue
					}
					q := min(a.Quantity, left)
					a.Quantity -= q
					left -= q
				}
			}
		}
	}
	slices.SortFunc(keys, Key.Compare)
	var out []Arrival
	for _, k := range keys {
		as := byKey[k]
		sortArrivals(as)
		for _, a := range as {
			if a.Quantity > 0 {
				out = append(out, *a)
			}
		}
	}
	return out
}

// sortArrivals orders arrivals by due date, unknown dates last, stably.
func sortArrivals(as []*Arrival) {
	slices.SortStableFunc(as, func(a, b *Arrival) int {
		switch {
		case a.Due.IsZero() && !b.Due.IsZero():
			return 1
		case !a.Due.IsZero() && b.Due.IsZero():
			return -1
		}
		return a.Due.Compare(b.Due)
	})
}

// Arrivals reads the owner's whole ledger and returns [Arrivals]: the
// incoming stock still expected, by level and due date. Once the ledger is
// trimmed ([MemStore.TrimLedger]), expectations in the trimmed entries are
// not listed.
func (inv *Inventory) Arrivals(ctx context.Context, owner fulfill.OwnerID) ([]Arrival, error) {
	entries, err := inv.store.Ledger(ctx, LedgerQuery{Owner: owner})
	if err != nil {
		return nil, err
	}
	return Arrivals(entries), nil
}
