package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/fulfillkit/fulfill"
)

// Checkpoint is what an owner's trimmed ledger entries leave behind: what
// [Replay], [Reconcile] and [Arrivals] need of them to carry on with the
// entries kept ([ReplayFrom], [ReconcileFrom], [ArrivalsFrom]) as if the
// whole ledger were there. A store that trims its ledger folds the entries
// it drops into the owner's checkpoint ([Checkpoint.Fold]) as it drops
// them, and hands it out as a [Checkpointer].
//
// The zero Checkpoint is that of a ledger nothing was trimmed from: the
// functions above given it do what Replay, Reconcile and Arrivals do. A
// Checkpoint is a value: Fold returns a new one and leaves its receiver as
// it was.
type Checkpoint struct {
	// Through is the Seq of the last entry folded in, 0 if none: the
	// entries kept start at Through+1.
	Through int64
	// Levels is the sum of the deltas of the entries folded in, per level:
	// [Replay] of them. A level whose entries sum to zero is listed.
	Levels map[Key]Buckets
	// Arrivals are the arrivals still open after the entries folded in, as
	// [Arrivals] of them lists them: by key, then due date (unknown dates
	// last), then the order they were expected in.
	Arrivals []Arrival
}

// Checkpointer is an optional capability of a [Store] that trims its
// ledger ([LedgerTrimmer]): the checkpoint of an owner's trimmed entries.
// LedgerCheckpoint returns the owner's checkpoint as of its last trim:
// Through is the Seq of the last entry dropped (0 if none), and Levels and
// Arrivals are those of every entry dropped, so that [ReconcileFrom] and
// [ArrivalsFrom] given the checkpoint and the entries kept give exactly
// what [Reconcile] and [Arrivals] gave given the whole ledger.
//
// A store folds the entries it drops into the checkpoint atomically with
// dropping them: no reader ever sees an entry in both or in neither, and
// no crash loses or counts one twice. An owner whose ledger was never
// trimmed has the zero Checkpoint, as has an unknown owner; an invalid
// owner fails with the owner's error. The result is a copy the caller
// owns. LedgerCheckpoint is safe to call while operations run and while
// others trim. Read the ledger first and the checkpoint second, and drop
// the entries the checkpoint covers: a trim in between only moves entries
// from the one to the other ([Inventory.Reconcile] and
// [Inventory.Arrivals] do so). [MemStore] and the postgres package's store
// implement it.
type Checkpointer interface {
	LedgerCheckpoint(ctx context.Context, owner fulfill.OwnerID) (Checkpoint, error)
}

var _ Checkpointer = (*MemStore)(nil)

// Fold returns the checkpoint cp continued with entries, which must be
// the entries after it, numbered cp.Through+1, cp.Through+2, ... It fails
// with [ErrInvalid] if they are not, and with [fulfill.ErrOverflow] if a
// level's sum overflows; cp is never changed. Folding a ledger's first k
// entries into the zero Checkpoint gives the checkpoint of that ledger
// trimmed through k; folding in several steps gives what folding at once
// gives.
func (cp Checkpoint) Fold(entries []Entry) (Checkpoint, error) {
	f := newFolder(cp)
	if err := f.fold(entries); err != nil {
		return cp, err
	}
	return f.checkpoint(), nil
}

// folder is a checkpoint being folded into: what [Checkpoint.Fold] does,
// in place, at a cost that grows with the entries folded and the levels
// they touch rather than with the whole checkpoint, so that [MemStore]
// keeps one per owner. The zero folder is the zero Checkpoint's.
type folder struct {
	through  int64
	levels   map[Key]Buckets
	arrivals arrivals
}

// newFolder returns a folder holding a copy of cp.
func newFolder(cp Checkpoint) *folder {
	f := &folder{through: cp.Through, levels: maps.Clone(cp.Levels)}
	f.arrivals.load(cp.Arrivals)
	return f
}

// fold folds entries in, or fails as [Checkpoint.Fold] does and changes
// nothing.
func (f *folder) fold(entries []Entry) error {
	for i, e := range entries {
		if want := f.through + int64(i) + 1; e.Seq != want {
			return invalid("seq", itoa(e.Seq), "not the next entry, "+itoa(want))
		}
	}
	if len(entries) == 0 {
		return nil
	}
	// The new sums of the levels touched, checked before any is stored.
	sums := make(map[Key]Buckets)
	for _, e := range entries {
		b, ok := sums[e.Key]
		if !ok {
			b = f.levels[e.Key]
		}
		b, err := b.Add(e.Delta)
		if err != nil {
			return fmt.Errorf("inventory: folding entry %d: %w", e.Seq, err)
		}
		sums[e.Key] = b
	}
	if f.levels == nil {
		f.levels = make(map[Key]Buckets, len(sums))
	}
	maps.Copy(f.levels, sums)
	if f.arrivals.byKey == nil {
		f.arrivals.byKey = make(map[Key][]*Arrival)
	}
	for _, e := range entries {
		f.arrivals.add(e)
	}
	f.through = entries[len(entries)-1].Seq
	return nil
}

// checkpoint returns the folder's checkpoint, sharing no memory with it.
func (f *folder) checkpoint() Checkpoint {
	cp := Checkpoint{Through: f.through, Arrivals: f.arrivals.list()}
	if len(f.levels) > 0 {
		cp.Levels = maps.Clone(f.levels)
	}
	return cp
}

// Clone returns a copy of cp sharing no memory with it.
func (cp Checkpoint) Clone() Checkpoint {
	out := Checkpoint{Through: cp.Through, Arrivals: slices.Clone(cp.Arrivals)}
	if cp.Levels != nil {
		out.Levels = maps.Clone(cp.Levels)
	}
	return out
}

// checkpointLevel is one level of a Checkpoint in its JSON form.
type checkpointLevel struct {
	Key   Key     `json:"key"`
	Delta Buckets `json:"delta"`
}

// checkpointJSON is the JSON form of a Checkpoint.
type checkpointJSON struct {
	Through  int64             `json:"through"`
	Levels   []checkpointLevel `json:"levels,omitempty"`
	Arrivals []Arrival         `json:"arrivals,omitempty"`
}

// MarshalJSON encodes cp as an object with "through", "levels" (a list of
// {"key", "delta"} in key order) and "arrivals" (in cp's order).
func (cp Checkpoint) MarshalJSON() ([]byte, error) {
	j := checkpointJSON{Through: cp.Through, Arrivals: cp.Arrivals}
	for _, k := range slices.SortedFunc(maps.Keys(cp.Levels), Key.Compare) {
		j.Levels = append(j.Levels, checkpointLevel{Key: k, Delta: cp.Levels[k]})
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what [Checkpoint.MarshalJSON] encodes. It fails
// with [ErrInvalid] on a negative through, a level listed twice, or an
// arrival of no units, and leaves cp as it was on any error. Missing
// levels and arrivals decode as none.
func (cp *Checkpoint) UnmarshalJSON(b []byte) error {
	var j checkpointJSON
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&j); err != nil {
		return err
	}
	if j.Through < 0 {
		return invalid("through", itoa(j.Through), "negative")
	}
	out := Checkpoint{Through: j.Through}
	if len(j.Levels) > 0 {
		out.Levels = make(map[Key]Buckets, len(j.Levels))
		for _, l := range j.Levels {
			if _, ok := out.Levels[l.Key]; ok {
				return invalid("levels", l.Key.String(), "listed twice")
			}
			out.Levels[l.Key] = l.Delta
		}
	}
	for _, a := range j.Arrivals {
		if a.Quantity <= 0 {
			return invalid("arrivals", a.Key.String(), "quantity "+itoa(a.Quantity)+" not positive")
		}
	}
	out.Arrivals = j.Arrivals
	*cp = out
	return nil
}

// LedgerCheckpoint returns the checkpoint of the owner's ledger entries
// dropped by [MemStore.TrimLedger]: the zero Checkpoint if none were. It
// implements [Checkpointer].
func (s *MemStore) LedgerCheckpoint(ctx context.Context, owner fulfill.OwnerID) (Checkpoint, error) {
	if err := ctx.Err(); err != nil {
		return Checkpoint{}, err
	}
	if err := owner.Validate(); err != nil {
		return Checkpoint{}, err
	}
	o := s.owner(owner)
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.checkpoint.checkpoint(), nil
}
