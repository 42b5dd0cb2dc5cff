package inventorytest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seqs returns the Seq of each entry.
func seqs(es []inventory.Entry) []int64 {
	var out []int64
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

// trimLedger checks, for stores that are an [inventory.LedgerTrimmer],
// that trimming drops a prefix of one owner's ledger: pages start at the
// first entry kept, kept entries keep their Seq and new ones number on,
// repeated or lower trims drop nothing, a negative through or one past
// the last entry fails with ErrInvalid and drops nothing, and levels and
// other owners' ledgers are untouched.
func (s *suite) trimLedger(t *testing.T) {
	ctx := context.Background()
	if _, ok := s.newStore(t).(inventory.LedgerTrimmer); !ok {
		t.Skip("the store does not trim its ledger (not an inventory.LedgerTrimmer)")
	}
	k := key("MUG", "WH")
	other := inventory.Key{Owner: "globex", SKU: "MUG", Location: "WH"}
	// setup returns an env with five entries for acme and two for globex.
	setup := func(t *testing.T) (*env, inventory.LedgerTrimmer) {
		t.Helper()
		e := s.env(t)
		for i := range 5 {
			e.receive(t, k, int64(i+1))
		}
		for range 2 {
			e.receive(t, other, 1)
		}
		return e, e.store.(inventory.LedgerTrimmer)
	}
	type page struct {
		after int64
		limit int
		want  []int64
	}
	tests := []struct {
		name    string
		trims   []int64 // applied in order; the last one is checked
		dropped int
		err     error
		pages   []page
	}{
		{name: "nothing", trims: []int64{0}, dropped: 0,
			pages: []page{{0, 0, []int64{1, 2, 3, 4, 5}}, {2, 0, []int64{3, 4, 5}}}},
		{name: "a prefix", trims: []int64{3}, dropped: 3,
			pages: []page{{0, 0, []int64{4, 5}}, {2, 0, []int64{4, 5}}, {3, 0, []int64{4, 5}}, {4, 0, []int64{5}},
				{5, 0, nil}, {9, 0, nil}, {0, 1, []int64{4}}, {1, 1, []int64{4}}, {4, 1, []int64{5}}}},
		{name: "everything", trims: []int64{5}, dropped: 5, pages: []page{{0, 0, nil}, {4, 0, nil}, {5, 0, nil}}},
		{name: "in two steps", trims: []int64{2, 4}, dropped: 2, pages: []page{{0, 0, []int64{5}}}},
		{name: "again", trims: []int64{4, 4}, dropped: 0, pages: []page{{0, 0, []int64{5}}}},
		{name: "below the trimmed point", trims: []int64{4, 1}, dropped: 0, pages: []page{{0, 0, []int64{5}}}},
		{name: "negative", trims: []int64{-1}, err: inventory.ErrInvalid, pages: []page{{0, 0, []int64{1, 2, 3, 4, 5}}}},
		{name: "past the last entry", trims: []int64{6}, err: inventory.ErrInvalid, pages: []page{{0, 0, []int64{1, 2, 3, 4, 5}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, tr := setup(t)
			var n int
			var err error
			for _, through := range tc.trims {
				n, err = tr.TrimLedger(ctx, owner, through)
			}
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.dropped, n)
			for _, p := range tc.pages {
				es, err := e.store.Ledger(ctx, inventory.LedgerQuery{Owner: owner, After: p.after, Limit: p.limit})
				require.NoError(t, err)
				assert.Equal(t, p.want, seqs(es), "after %d limit %d", p.after, p.limit)
			}
			// The levels are untouched, new entries number on, and the
			// other owner's ledger is whole.
			assert.Equal(t, int64(15), e.level(t, k).OnHand)
			r, err := e.inv.Apply(ctx, &inventory.Receive{Meta: meta(""), Key: k, Quantity: 1})
			require.NoError(t, err)
			assert.Equal(t, []int64{6}, seqs(r.Entries))
			es, err := e.store.Ledger(ctx, inventory.LedgerQuery{Owner: owner, After: 5})
			require.NoError(t, err)
			assert.Equal(t, []int64{6}, seqs(es))
			es, err = e.store.Ledger(ctx, inventory.LedgerQuery{Owner: "globex"})
			require.NoError(t, err)
			assert.Equal(t, []int64{1, 2}, seqs(es))
		})
	}

	t.Run("bad calls", func(t *testing.T) {
		e, tr := setup(t)
		_, err := tr.TrimLedger(ctx, "", 1)
		assert.ErrorIs(t, err, fulfill.ErrInvalidCode)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = tr.TrimLedger(cancelled, owner, 1)
		assert.ErrorIs(t, err, context.Canceled)
		n, err := tr.TrimLedger(ctx, "nobody", 0)
		require.NoError(t, err)
		assert.Zero(t, n)
		_, err = tr.TrimLedger(ctx, "nobody", 1)
		assert.ErrorIs(t, err, inventory.ErrInvalid)
		es, err := e.store.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
		require.NoError(t, err)
		assert.Len(t, es, 5, "nothing dropped")
	})
}

// prune checks, for stores that are an [inventory.Pruner], that pruning
// drops the closed reservations and idempotency records of operations
// dated before the cutoff (exclusive) and nothing else: live reservations
// and lapsed holds not yet collected are kept, levels and the ledger are
// untouched, other owners keep theirs. A pruned reservation is not found
// and its ID may name a new one; a retry with a pruned key is applied
// anew, one with a kept key replayed.
func (s *suite) prune(t *testing.T) {
	ctx := context.Background()
	if _, ok := s.newStore(t).(inventory.Pruner); !ok {
		t.Skip("the store does not prune (not an inventory.Pruner)")
	}
	k := key("MUG", "WH")
	other := inventory.Key{Owner: "globex", SKU: "MUG", Location: "WH"}
	// The day: at 9:00 r-old is reserved and released, h-old is held for
	// 30 minutes at another location, and an idempotent receipt is
	// applied; at 10:00 r-new is reserved and released, r-live reserved,
	// and another idempotent receipt applied. globex does the same as
	// acme at 9:00.
	setup := func(t *testing.T) (*env, inventory.Pruner) {
		t.Helper()
		e := s.env(t)
		apply := func(op inventory.Operation) {
			t.Helper()
			_, err := e.inv.Apply(ctx, op)
			require.NoError(t, err)
		}
		reserve := func(k inventory.Key, id string, ttl time.Duration) {
			apply(&inventory.Reserve{Meta: inventory.Meta{Owner: k.Owner}, TTL: ttl, Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}})
		}
		for _, k := range []inventory.Key{k, other} {
			apply(&inventory.Receive{Meta: inventory.Meta{Owner: k.Owner}, Key: k, Quantity: 10})
			reserve(k, "r-old", 0)
			apply(&inventory.Release{Meta: inventory.Meta{Owner: k.Owner}, Parts: []inventory.Part{{Reservation: "r-old"}}})
			// The hold is on a level nothing touches at 10:00, so that it
			// is collected only by a sweep.
			hk := k
			hk.Location = "WH2"
			apply(&inventory.Receive{Meta: inventory.Meta{Owner: k.Owner}, Key: hk, Quantity: 1})
			reserve(hk, "h-old", 30*time.Minute)
			apply(&inventory.Receive{Meta: inventory.Meta{Owner: k.Owner, IdempotencyKey: "rcv-old"}, Key: k, Quantity: 1})
		}
		e.clock.Advance(time.Hour)
		reserve(k, "r-new", 0)
		apply(&inventory.Release{Meta: meta(""), Parts: []inventory.Part{{Reservation: "r-new"}}})
		reserve(k, "r-live", 0)
		apply(&inventory.Receive{Meta: meta("rcv-new"), Key: k, Quantity: 1})
		return e, e.store.(inventory.Pruner)
	}
	ids := func(t *testing.T, e *env, o fulfill.OwnerID) []string {
		t.Helper()
		rs, err := e.inv.Reservations(ctx, inventory.ReservationQuery{Owner: o, IncludeClosed: true})
		require.NoError(t, err)
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	tests := []struct {
		name   string
		sweep  bool          // sweep the lapsed hold first
		before time.Duration // the cutoff, after the epoch
		want   inventory.Pruned
		kept   []string // acme's reservations, closed included
		// replayed says which of acme's idempotent receipts a retry replays.
		replayed map[string]bool
	}{
		{name: "before everything", before: 0, kept: []string{"h-old", "r-live", "r-new", "r-old"},
			replayed: map[string]bool{"rcv-old": true, "rcv-new": true}},
		{name: "the first hour", before: 30 * time.Minute, want: inventory.Pruned{Reservations: 1, IdempotencyKeys: 1},
			kept: []string{"h-old", "r-live", "r-new"}, replayed: map[string]bool{"rcv-old": false, "rcv-new": true}},
		{name: "an uncollected lapsed hold is kept", before: 2 * time.Hour, want: inventory.Pruned{Reservations: 2, IdempotencyKeys: 2},
			kept: []string{"h-old", "r-live"}, replayed: map[string]bool{"rcv-old": false, "rcv-new": false}},
		{name: "a collected one is not", sweep: true, before: 2 * time.Hour, want: inventory.Pruned{Reservations: 3, IdempotencyKeys: 2},
			kept: []string{"r-live"}, replayed: map[string]bool{"rcv-old": false, "rcv-new": false}},
		{name: "the cutoff is exclusive", before: time.Hour, want: inventory.Pruned{Reservations: 1, IdempotencyKeys: 1},
			kept: []string{"h-old", "r-live", "r-new"}, replayed: map[string]bool{"rcv-old": false, "rcv-new": true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, pr := setup(t)
			if tc.sweep {
				_, err := e.inv.Sweep(ctx, owner)
				require.NoError(t, err)
			}
			levels, err := e.inv.Levels(ctx, inventory.LevelQuery{Owner: owner})
			require.NoError(t, err)
			ledger, err := e.inv.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
			require.NoError(t, err)

			p, err := pr.Prune(ctx, owner, epoch.Add(tc.before))
			require.NoError(t, err)
			assert.Equal(t, tc.want, p)
			assert.Equal(t, tc.kept, ids(t, e, owner))
			assert.Equal(t, []string{"h-old", "r-old"}, ids(t, e, "globex"), "another owner's are kept")
			after, err := e.inv.Levels(ctx, inventory.LevelQuery{Owner: owner})
			require.NoError(t, err)
			assert.Equal(t, levels, after, "levels are kept")
			afterLedger, err := e.inv.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
			require.NoError(t, err)
			assert.Equal(t, ledger, afterLedger, "the ledger is kept")
			p, err = pr.Prune(ctx, owner, epoch.Add(tc.before))
			require.NoError(t, err)
			assert.Equal(t, inventory.Pruned{}, p, "pruning again finds nothing more")

			// A pruned reservation is not found, and its ID is free again.
			for _, id := range []string{"r-old", "r-new"} {
				_, err := e.inv.Apply(ctx, &inventory.Release{Meta: meta(""), Parts: []inventory.Part{{Reservation: id}}})
				_, err2 := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}})
				if slices.Contains(tc.kept, id) {
					assert.NoError(t, err, id)
					assert.ErrorIs(t, err2, inventory.ErrConflict, id)
				} else {
					assert.ErrorIs(t, err, inventory.ErrNotFound, id)
					assert.NoError(t, err2, id)
				}
			}
			// A retry replays a kept idempotency key and applies a pruned
			// one again.
			for _, key := range []string{"rcv-old", "rcv-new"} {
				replayed := tc.replayed[key]
				l := e.level(t, k)
				r, err := e.inv.Apply(ctx, &inventory.Receive{Meta: meta(key), Key: k, Quantity: 1})
				require.NoError(t, err)
				assert.Equal(t, replayed, r.Replayed, key)
				if replayed {
					assert.Equal(t, l.OnHand, e.level(t, k).OnHand, key)
				} else {
					assert.Equal(t, l.OnHand+1, e.level(t, k).OnHand, key)
				}
			}
			r, err := e.inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "globex", IdempotencyKey: "rcv-old"}, Key: other, Quantity: 1})
			require.NoError(t, err)
			assert.True(t, r.Replayed, "another owner's keys are kept")
		})
	}

	t.Run("bad calls", func(t *testing.T) {
		e, pr := setup(t)
		_, err := pr.Prune(ctx, "", epoch.Add(time.Hour))
		assert.ErrorIs(t, err, fulfill.ErrInvalidCode)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = pr.Prune(cancelled, owner, epoch.Add(2*time.Hour))
		assert.ErrorIs(t, err, context.Canceled)
		p, err := pr.Prune(ctx, owner, time.Time{})
		require.NoError(t, err)
		assert.Equal(t, inventory.Pruned{}, p, "nothing is dated before the zero time")
		assert.Equal(t, []string{"h-old", "r-live", "r-new", "r-old"}, ids(t, e, owner))
		p, err = pr.Prune(ctx, "nobody", epoch.Add(2*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, inventory.Pruned{}, p)
	})
}

// retentionConcurrent runs writers that reserve (with idempotency keys)
// and then release or commit, while a relay pages through the ledger and
// trims what it read and a pruner drops what closed before a moving
// cutoff: no entry is lost or read twice, the entries read reconcile with
// the levels and live reservations, no live reservation is pruned, and a
// last prune leaves only the live ones.
func (s *suite) retentionConcurrent(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	tr, ok := e.store.(inventory.LedgerTrimmer)
	pr, ok2 := e.store.(inventory.Pruner)
	if !ok || !ok2 {
		t.Skip("the store does not trim its ledger and prune (not an inventory.LedgerTrimmer and an inventory.Pruner)")
	}
	writers, perWriter := min(s.opts.Goroutines, 4), max(s.opts.Steps/6, 6)
	keys := []inventory.Key{key("MUG", "WH1"), key("MUG", "WH2")}
	for _, k := range keys {
		e.receive(t, k, int64(writers*perWriter))
	}

	var (
		wg   sync.WaitGroup
		done = make(chan struct{})
		read []inventory.Entry // what the relay read, then trimmed
	)
	for g := range writers {
		wg.Go(func() {
			for i := range perWriter {
				k := keys[(g+i)%len(keys)]
				id := fmt.Sprintf("g%d-%d", g, i)
				if _, err := e.inv.Apply(ctx, &inventory.Reserve{Meta: meta("reserve-" + id), Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}}); err != nil {
					t.Error(err)
					return
				}
				var op inventory.Operation = &inventory.Release{Meta: meta(""), Parts: []inventory.Part{{Reservation: id}}}
				if i%3 == 0 {
					op = &inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: id}}}
				}
				if _, err := e.inv.Apply(ctx, op); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var others sync.WaitGroup
	others.Go(func() { // the relay
		for stop := false; !stop; {
			select {
			case <-done:
				stop = true // one last page after the writers
			default:
			}
			after := int64(0)
			if len(read) > 0 {
				after = read[len(read)-1].Seq
			}
			es, err := e.store.Ledger(ctx, inventory.LedgerQuery{Owner: owner, After: after, Limit: 7})
			if err != nil {
				t.Error(err)
				return
			}
			read = append(read, es...)
			if len(es) > 0 {
				stop = false
				if _, err := tr.TrimLedger(ctx, owner, es[len(es)-1].Seq); err != nil {
					t.Error(err)
					return
				}
			}
		}
	})
	others.Go(func() { // the pruner
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := pr.Prune(ctx, owner, e.clock.Advance(time.Minute)); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
	close(done)
	others.Wait()

	for i, en := range read {
		require.Equal(t, int64(i+1), en.Seq, "read in order, once each")
	}
	rest, err := e.store.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
	require.NoError(t, err)
	assert.Empty(t, rest, "the relay read and trimmed everything")
	levels, err := e.store.Levels(ctx, inventory.LevelQuery{Owner: owner})
	require.NoError(t, err)
	live, err := e.store.Reservations(ctx, inventory.ReservationQuery{Owner: owner})
	require.NoError(t, err)
	assert.Len(t, live, writers*((perWriter+2)/3), "every committed reservation is kept")
	assert.Empty(t, inventory.Reconcile(levels, live, read))
	_, err = pr.Prune(ctx, owner, e.clock.Now().Add(time.Nanosecond))
	require.NoError(t, err)
	all, err := e.store.Reservations(ctx, inventory.ReservationQuery{Owner: owner, IncludeClosed: true})
	require.NoError(t, err)
	assert.Equal(t, live, all, "every closed one is pruned")
}
