package inventory

import (
	"cmp"
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
// wrapping [fulfill.ErrOverflow] if a sum overflows. Replay(entries) is
// [ReplayFrom] the zero [Checkpoint].
func Replay(entries []Entry) (map[Key]Buckets, error) {
	return ReplayFrom(Checkpoint{}, entries)
}

// ReplayFrom is [Replay] continued from a checkpoint: the sums of cp.Levels
// plus the deltas of entries, the entries after cp.Through. Replaying an
// owner's kept entries from its [Checkpointer]'s checkpoint gives exactly
// its levels' buckets, however much of the ledger was trimmed.
func ReplayFrom(cp Checkpoint, entries []Entry) (map[Key]Buckets, error) {
	out := make(map[Key]Buckets, len(cp.Levels))
	maps.Copy(out, cp.Levels)
	if err := replayInto(out, entries); err != nil {
		return nil, err
	}
	return out, nil
}

// replayInto adds the deltas of entries to sums.
func replayInto(sums map[Key]Buckets, entries []Entry) error {
	for _, e := range entries {
		b, err := sums[e.Key].Add(e.Delta)
		if err != nil {
			return fmt.Errorf("inventory: replaying entry %d: %w", e.Seq, err)
		}
		sums[e.Key] = b
	}
	return nil
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
// An empty result means everything agrees. Reconcile(levels,
// reservations, entries) is [ReconcileFrom] the zero [Checkpoint].
func Reconcile(levels []Level, reservations []Reservation, entries []Entry) []Discrepancy {
	return ReconcileFrom(Checkpoint{}, levels, reservations, entries)
}

// ReconcileFrom is [Reconcile] continued from a checkpoint, for a ledger
// trimmed through cp.Through: each level must equal cp.Levels plus its
// replayed entries ([ReplayFrom]), and the entries must be numbered
// cp.Through+1, cp.Through+2, ... Given an owner's [Checkpointer]
// checkpoint and the entries kept, it returns exactly what [Reconcile]
// returns given the whole ledger.
func ReconcileFrom(cp Checkpoint, levels []Level, reservations []Reservation, entries []Entry) []Discrepancy {
	var out []Discrepancy
	for i, e := range entries {
		if want := cp.Through + int64(i) + 1; e.Seq != want {
			out = append(out, Discrepancy{Key: e.Key, Source: SourceSequence, Level: e.Seq, Want: want})
			break
		}
	}
	replayed, err := ReplayFrom(cp, entries)
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
// between the reads show up as differences. Trimming the ledger while it
// runs does not. If the store is a [Checkpointer] (as [MemStore] and the
// postgres package's store are), it reconciles from the owner's checkpoint
// and the entries kept ([ReconcileFrom]), which gives exactly what the
// whole ledger gives: a store that trims its ledger ([LedgerTrimmer])
// keeps Reconcile exact. With a store that trims and is not a
// Checkpointer, the trimmed entries show up as differences.
func (inv *Inventory) Reconcile(ctx context.Context, owner fulfill.OwnerID) ([]Discrepancy, error) {
	levels, err := inv.store.Levels(ctx, LevelQuery{Owner: owner})
	if err != nil {
		return nil, err
	}
	res, err := inv.store.Reservations(ctx, ReservationQuery{Owner: owner})
	if err != nil {
		return nil, err
	}
	cp, entries, err := inv.ledgerFrom(ctx, owner)
	if err != nil {
		return nil, err
	}
	return ReconcileFrom(cp, levels, res, entries), nil
}

// ledgerFrom reads the owner's ledger and then, if the store is a
// [Checkpointer], its checkpoint, and returns the checkpoint and the
// entries after it. Reading the entries first makes the two agree even if
// the ledger is trimmed meanwhile: a trim only moves entries from the
// ledger into the checkpoint, so the entries the checkpoint now covers
// are dropped, and the rest follow it without a gap.
func (inv *Inventory) ledgerFrom(ctx context.Context, owner fulfill.OwnerID) (Checkpoint, []Entry, error) {
	entries, err := inv.store.Ledger(ctx, LedgerQuery{Owner: owner})
	if err != nil {
		return Checkpoint{}, nil, err
	}
	c, ok := inv.store.(Checkpointer)
	if !ok {
		return Checkpoint{}, entries, nil
	}
	cp, err := c.LedgerCheckpoint(ctx, owner)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	i, _ := slices.BinarySearchFunc(entries, cp.Through, func(e Entry, through int64) int { return cmp.Compare(e.Seq, through+1) })
	return cp, entries[i:], nil
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
// Arrivals(entries) is [ArrivalsFrom] the zero [Checkpoint].
func Arrivals(entries []Entry) []Arrival {
	return ArrivalsFrom(Checkpoint{}, entries)
}

// ArrivalsFrom is [Arrivals] continued from a checkpoint: the arrivals
// still open after the entries folded into cp (cp.Arrivals), settled and
// added to by entries, the entries after cp.Through. Given an owner's
// [Checkpointer] checkpoint and the entries kept, it returns exactly what
// [Arrivals] returns given the whole ledger.
func ArrivalsFrom(cp Checkpoint, entries []Entry) []Arrival {
	var st arrivals
	st.load(cp.Arrivals)
	for _, e := range entries {
		st.add(e)
	}
	return st.list()
}

// arrivals is the state of [Arrivals] between entries: the open arrivals
// of each level, in the order they were added and last sorted in.
//
// That order matters only through the stable sort by due date that comes
// before every use of it (settling units, listing), and a stable sort of
// a list whose head is already stably sorted gives what sorting the
// original list gives: ties keep the order they were added in either way.
// So the state may be saved sorted, as [arrivals.list] gives it, and
// settled arrivals (quantity 0) may be dropped, since they settle and list
// nothing and dropping them leaves the others' order as it is.
type arrivals struct {
	byKey map[Key][]*Arrival
}

// load starts from the open arrivals as, in the order of [arrivals.list].
func (s *arrivals) load(as []Arrival) {
	s.byKey = make(map[Key][]*Arrival)
	for _, a := range as {
		s.byKey[a.Key] = append(s.byKey[a.Key], &a)
	}
}

// add processes one ledger entry: an expectation adds an arrival, units
// leaving Incoming settle arrivals.
func (s *arrivals) add(e Entry) {
	switch d := e.Delta.Incoming; {
	case d > 0:
		s.byKey[e.Key] = append(s.byKey[e.Key], &Arrival{Key: e.Key, Due: e.Due, Quantity: d, Ref: e.Ref})
	case d < 0:
		as := s.byKey[e.Key]
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
		if as = slices.DeleteFunc(as, func(a *Arrival) bool { return a.Quantity == 0 }); len(as) > 0 {
			s.byKey[e.Key] = as
		} else {
			delete(s.byKey, e.Key)
		}
	}
}

// list returns the open arrivals by key, then due date, unknown dates
// last, then the order they were added in.
func (s *arrivals) list() []Arrival {
	keys := slices.SortedFunc(maps.Keys(s.byKey), Key.Compare)
	var out []Arrival
	for _, k := range keys {
		as := s.byKey[k]
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

// Arrivals reads the owner's ledger and returns [Arrivals]: the incoming
// stock still expected, by level and due date. If the store is a
// [Checkpointer], it continues from the owner's checkpoint with the
// entries kept ([ArrivalsFrom]), which gives exactly what the whole ledger
// gives, so that trimming the ledger ([LedgerTrimmer]) loses no
// expectation; with a store that trims and is not a Checkpointer,
// expectations in the trimmed entries are not listed.
func (inv *Inventory) Arrivals(ctx context.Context, owner fulfill.OwnerID) ([]Arrival, error) {
	cp, entries, err := inv.ledgerFrom(ctx, owner)
	if err != nil {
		return nil, err
	}
	return ArrivalsFrom(cp, entries), nil
}
