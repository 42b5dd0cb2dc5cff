package inventory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill/inventory"
)

var retentionEpoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// seqs returns the Seq of each entry.
func seqs(es []inventory.Entry) []int64 {
	var out []int64
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

func TestMemStoreTrimLedger(t *testing.T) {
	ctx := context.Background()
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	other := inventory.Key{Owner: "globex", SKU: "MUG", Location: "WH"}
	// setup returns a store with five entries for acme and two for globex.
	setup := func(t *testing.T) (*inventory.MemStore, *inventory.Inventory) {
		t.Helper()
		store := new(inventory.MemStore)
		inv := inventory.New(store, &inventory.Options{Clock: fulfill.NewFakeClock(retentionEpoch)})
		for i := range 5 {
			_, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: int64(i + 1)})
			require.NoError(t, err)
		}
		for range 2 {
			_, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "globex"}, Key: other, Quantity: 1})
			require.NoError(t, err)
		}
		return store, inv
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
			store, inv := setup(t)
			var n int
			var err error
			for _, through := range tc.trims {
				n, err = store.TrimLedger(ctx, "acme", through)
			}
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.dropped, n)
			for _, p := range tc.pages {
				es, err := store.Ledger(ctx, inventory.LedgerQuery{Owner: "acme", After: p.after, Limit: p.limit})
				require.NoError(t, err)
				assert.Equal(t, p.want, seqs(es), "after %d limit %d", p.after, p.limit)
			}
			// The levels are untouched, new entries number on, and the
			// other owner's ledger is whole.
			l, err := inv.Level(ctx, k)
			require.NoError(t, err)
			assert.Equal(t, int64(15), l.OnHand)
			r, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 1})
			require.NoError(t, err)
			assert.Equal(t, []int64{6}, seqs(r.Entries))
			es, err := store.Ledger(ctx, inventory.LedgerQuery{Owner: "acme", After: 5})
			require.NoError(t, err)
			assert.Equal(t, []int64{6}, seqs(es))
			es, err = store.Ledger(ctx, inventory.LedgerQuery{Owner: "globex"})
			require.NoError(t, err)
			assert.Equal(t, []int64{1, 2}, seqs(es))
		})
	}

	t.Run("bad calls", func(t *testing.T) {
		store, _ := setup(t)
		_, err := store.TrimLedger(ctx, "", 1)
		assert.ErrorIs(t, err, fulfill.ErrInvalidCode)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = store.TrimLedger(cancelled, "acme", 1)
		assert.ErrorIs(t, err, context.Canceled)
		n, err := store.TrimLedger(ctx, "nobody", 0)
		require.NoError(t, err)
		assert.Zero(t, n)
		_, err = store.TrimLedger(ctx, "nobody", 1)
		assert.ErrorIs(t, err, inventory.ErrInvalid)
		es, err := store.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
		require.NoError(t, err)
		assert.Len(t, es, 5, "nothing dropped")
	})
}

func TestMemStorePrune(t *testing.T) {
	ctx := context.Background()
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	other := inventory.Key{Owner: "globex", SKU: "MUG", Location: "WH"}
	// The day: at 9:00 r-old is reserved and released, h-old is held for
	// 30 minutes at another location, and an idempotent receipt is applied; at 10:00 r-new is
	// reserved and released, r-live reserved, and another idempotent
	// receipt applied. globex does the same as acme at 9:00.
	type day struct {
		store *inventory.MemStore
		inv   *inventory.Inventory
		clock *fulfill.FakeClock
	}
	setup := func(t *testing.T) day {
		t.Helper()
		clock := fulfill.NewFakeClock(retentionEpoch)
		store := new(inventory.MemStore)
		d := day{store, inventory.New(store, &inventory.Options{Clock: clock}), clock}
		apply := func(op inventory.Operation) {
			t.Helper()
			_, err := d.inv.Apply(ctx, op)
			require.NoError(t, err)
		}
		reserve := func(k inventory.Key, id string, ttl time.Duration) {
			apply(&inventory.Reserve{Meta: inventory.Meta{Owner: k.Owner}, TTL: ttl, Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}})
		}
		for _, k := range []inventory.Key{k, other} {
			apply(&inventory.Receive{Meta: inventory.Meta{Owner: k.Owner}, Key: k, Quantity: 10})
			reserve(k, "r-old", 0)
			apply(&inventory.Release{Meta: inventory.Meta{Owner: k.Owner}, Parts: []inventory.Part{{Reservation: "r-old"}}})
			// The hold is on a level nothing touches at 10:00, so that it is
			// collected only by a sweep.
			hk := k
			hk.Location = "WH2"
			apply(&inventory.Receive{Meta: inventory.Meta{Owner: k.Owner}, Key: hk, Quantity: 1})
			reserve(hk, "h-old", 30*time.Minute)
			apply(&inventory.Receive{Meta: inventory.Meta{Owner: k.Owner, IdempotencyKey: "rcv-old"}, Key: k, Quantity: 1})
		}
		clock.Advance(time.Hour)
		reserve(k, "r-new", 0)
		apply(&inventory.Release{Meta: inventory.Meta{Owner: "acme"}, Parts: []inventory.Part{{Reservation: "r-new"}}})
		reserve(k, "r-live", 0)
		apply(&inventory.Receive{Meta: inventory.Meta{Owner: "acme", IdempotencyKey: "rcv-new"}, Key: k, Quantity: 1})
		return d
	}
	ids := func(t *testing.T, d day, owner fulfill.OwnerID) []string {
		t.Helper()
		rs, err := d.inv.Reservations(ctx, inventory.ReservationQuery{Owner: owner, IncludeClosed: true})
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
			d := setup(t)
			if tc.sweep {
				_, err := d.inv.Sweep(ctx, "acme")
				require.NoError(t, err)
			}
			levels, err := d.inv.Levels(ctx, inventory.LevelQuery{Owner: "acme"})
			require.NoError(t, err)
			ledger, err := d.inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
			require.NoError(t, err)

			p, err := d.store.Prune(ctx, "acme", retentionEpoch.Add(tc.before))
			require.NoError(t, err)
			assert.Equal(t, tc.want, p)
			assert.Equal(t, tc.kept, ids(t, d, "acme"))
			assert.Equal(t, []string{"h-old", "r-old"}, ids(t, d, "globex"), "another owner's are kept")
			after, err := d.inv.Levels(ctx, inventory.LevelQuery{Owner: "acme"})
			require.NoError(t, err)
			assert.Equal(t, levels, after, "levels are kept")
			afterLedger, err := d.inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
			require.NoError(t, err)
			assert.Equal(t, ledger, afterLedger, "the ledger is kept")

			// A pruned reservation is not found, and its ID is free again.
			for _, id := range []string{"r-old", "r-new"} {
				_, err := d.inv.Apply(ctx, &inventory.Release{Meta: inventory.Meta{Owner: "acme"}, Parts: []inventory.Part{{Reservation: id}}})
				_, err2 := d.inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: "acme"}, Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}})
				if contains(tc.kept, id) {
					assert.NoError(t, err, id)
					assert.ErrorIs(t, err2, inventory.ErrConflict, id)
				} else {
					assert.ErrorIs(t, err, inventory.ErrNotFound, id)
					assert.NoError(t, err2, id)
				}
			}
			// A retry replays a kept idempotency key and applies a pruned one again.
			for key, replayed := range tc.replayed {
				l, err := d.inv.Level(ctx, k)
				require.NoError(t, err)
				r, err := d.inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme", IdempotencyKey: key}, Key: k, Quantity: 1})
				require.NoError(t, err)
				assert.Equal(t, replayed, r.Replayed, key)
				l2, err := d.inv.Level(ctx, k)
				require.NoError(t, err)
				if replayed {
					assert.Equal(t, l.OnHand, l2.OnHand, key)
				} else {
					assert.Equal(t, l.OnHand+1, l2.OnHand, key)
				}
			}
			r, err := d.inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "globex", IdempotencyKey: "rcv-old"}, Key: other, Quantity: 1})
			require.NoError(t, err)
			assert.True(t, r.Replayed, "another owner's keys are kept")
		})
	}

	t.Run("bad calls", func(t *testing.T) {
		d := setup(t)
		_, err := d.store.Prune(ctx, "", retentionEpoch.Add(time.Hour))
		assert.ErrorIs(t, err, fulfill.ErrInvalidCode)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = d.store.Prune(cancelled, "acme", retentionEpoch.Add(2*time.Hour))
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, []string{"h-old", "r-live", "r-new", "r-old"}, ids(t, d, "acme"))
	})
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestMemStoreRetentionProperty applies the same random operations to three
// stores: a twin that keeps everything, one whose ledger is trimmed now and
// then, and one that is also pruned with a 15-minute retry window, retries
// coming inside the window. Both must give the twin's receipts and errors
// and hold its levels, and their ledgers must be the twin's without the
// trimmed prefix, paged from anywhere. The trimmed store holds the twin's
// reservations; the pruned one those not closed before its last cutoff.
func TestMemStoreRetentionProperty(t *testing.T) {
	const (
		owner  fulfill.OwnerID = "acme"
		window                 = 15 * time.Minute
	)
	ctx := context.Background()
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			clock := fulfill.NewFakeClock(retentionEpoch)
			twinStore, trimStore, pruneStore := new(inventory.MemStore), new(inventory.MemStore), new(inventory.MemStore)
			stores := []*inventory.MemStore{twinStore, trimStore, pruneStore}
			invs := make([]*inventory.Inventory, len(stores))
			for i, s := range stores {
				invs[i] = inventory.New(s, &inventory.Options{Clock: clock})
			}
			var keys []inventory.Key
			for _, sku := range []fulfill.SKU{"MUG", "TEE"} {
				for _, loc := range []fulfill.LocationID{"WH1", "WH2"} {
					keys = append(keys, inventory.Key{Owner: owner, SKU: sku, Location: loc})
				}
			}
			type sent struct {
				op inventory.Operation
				at time.Time
			}
			var (
				resIDs            []string
				keyed             []sent    // operations sent with an idempotency key
				cutoff            time.Time // the last cutoff the pruned store was pruned with
				trimmed           = make([]int64, len(stores))
				pruned            inventory.Pruned // in all
				applied, replayed int
			)
			anyKey := func() inventory.Key { return keys[rng.IntN(len(keys))] }
			// anyRes picks a reservation the pruned store still has (a step
			// on one it pruned fails there, where the twin does nothing; the
			// table test checks that).
			anyRes := func() string {
				if len(resIDs) == 0 {
					return "none"
				}
				id := resIDs[rng.IntN(len(resIDs))]
				rs, err := pruneStore.Reservations(ctx, inventory.ReservationQuery{Owner: owner, ID: id, IncludeClosed: true})
				require.NoError(t, err)
				if len(rs) == 0 {
					return "none"
				}
				return id
			}
			meta := func() inventory.Meta {
				m := inventory.Meta{Owner: owner}
				if rng.IntN(3) == 0 {
					m.IdempotencyKey = fmt.Sprint("k", rng.Uint32())
				}
				return m
			}
			lastSeq := func() int64 {
				es, err := twinStore.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
				require.NoError(t, err)
				if len(es) == 0 {
					return 0
				}
				return es[len(es)-1].Seq
			}
			// noteClosed records when each of the twin's reservations
			// closed as stored (a lapsed hold when collected): at the time
			// of the operation before it is called.
			closedAt := map[string]time.Time{}
			noteClosed := func() {
				rs, err := twinStore.Reservations(ctx, inventory.ReservationQuery{Owner: owner, IncludeClosed: true})
				require.NoError(t, err)
				for _, r := range rs {
					if _, ok := closedAt[r.ID]; !ok && !r.Live() {
						closedAt[r.ID] = clock.Now()
					}
				}
			}
			check := func(step int) {
				t.Helper()
				noteClosed()
				want, err := twinStore.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
				require.NoError(t, err)
				wantLevels, err := invs[0].Levels(ctx, inventory.LevelQuery{Owner: owner})
				require.NoError(t, err)
				wantRes, err := invs[0].Reservations(ctx, inventory.ReservationQuery{Owner: owner, IncludeClosed: true})
				require.NoError(t, err)
				for i := 1; i < len(stores); i++ {
					levels, err := invs[i].Levels(ctx, inventory.LevelQuery{Owner: owner})
					require.NoError(t, err)
					require.Equal(t, wantLevels, levels, "step %d store %d: levels", step, i)
					res, err := invs[i].Reservations(ctx, inventory.ReservationQuery{Owner: owner, IncludeClosed: true})
					require.NoError(t, err)
					if i == 1 {
						require.Equal(t, wantRes, res, "step %d: reservations", step)
					} else {
						// Those closed before the last cutoff are pruned.
						var kept []inventory.Reservation
						for _, r := range wantRes {
							if at, ok := closedAt[r.ID]; !ok || !at.Before(cutoff) {
								kept = append(kept, r)
							}
						}
						require.Equal(t, kept, res, "step %d: reservations", step)
					}
					// Pages from anywhere are the twin's entries after both
					// the page start and the trimmed point.
					for _, after := range []int64{0, trimmed[i] - 1, trimmed[i], trimmed[i] + 1, rng.Int64N(lastSeq() + 2)} {
						if after < 0 {
							continue
						}
						limit := rng.IntN(4)
						var page []inventory.Entry
						for _, e := range want {
							if e.Seq > after && e.Seq > trimmed[i] && (limit == 0 || len(page) < limit) {
								page = append(page, e)
							}
						}
						got, err := stores[i].Ledger(ctx, inventory.LedgerQuery{Owner: owner, After: after, Limit: limit})
						require.NoError(t, err)
						require.Equal(t, page, got, "step %d store %d: ledger after %d limit %d", step, i, after, limit)
					}
				}
			}

			for step := range 400 {
				noteClosed() // the clock has not moved since the last operation
				var op inventory.Operation
				switch c := rng.IntN(20); {
				case c < 3:
					op = &inventory.Receive{Meta: meta(), Key: anyKey(), Quantity: 1 + rng.Int64N(5)}
				case c < 4:
					d := rng.Int64N(5) - 2
					if d == 0 {
						d = -3
					}
					op = &inventory.Adjust{Meta: meta(), Key: anyKey(), Delta: d}
				case c < 7:
					var lines []inventory.ReserveLine
					for i := range 1 + rng.IntN(2) {
						id := fmt.Sprintf("r%d-%d", step, i)
						resIDs = append(resIDs, id)
						lines = append(lines, inventory.ReserveLine{Key: anyKey(), Quantity: 1 + rng.Int64N(2), ID: id, Line: "cart-line"})
					}
					r := &inventory.Reserve{Meta: meta(), Lines: lines}
					if rng.IntN(2) == 0 {
						r.TTL = time.Duration(1+rng.IntN(20)) * time.Minute
						r.Ref = inventory.Reference{Type: inventory.RefCart, ID: "c"}
					}
					op = r
				case c < 9:
					m := meta()
					if rng.IntN(2) == 0 {
						m.Ref = inventory.OrderRef(fulfill.MustOrderID("018f2b6e-0000-7000-8000-0000000000c1"))
					}
					p := inventory.Part{Reservation: anyRes(), Quantity: rng.Int64N(2)}
					if rng.IntN(2) == 0 {
						p.Line = fmt.Sprint("line", rng.IntN(3))
					}
					op = &inventory.Commit{Meta: m, Parts: []inventory.Part{p}}
				case c < 11:
					op = &inventory.Consume{Meta: meta(), Parts: []inventory.Part{{Reservation: anyRes(), Quantity: rng.Int64N(2)}}}
				case c < 12:
					op = &inventory.Release{Meta: meta(), Parts: []inventory.Part{{Reservation: anyRes(), Quantity: rng.Int64N(2)}}}
				case c < 13:
					op = &inventory.Unreserve{Meta: meta(), Reservations: []string{anyRes()}}
				case c < 14:
					// A retry of an operation still inside the retry window.
					var recent []inventory.Operation
					for _, s := range keyed {
						if !s.at.Before(cutoff) && !s.at.Before(clock.Now().Add(-window)) {
							recent = append(recent, s.op)
						}
					}
					if len(recent) > 0 {
						op = recent[rng.IntN(len(recent))]
					}
				case c < 15:
					for _, inv := range invs {
						_, err := inv.Sweep(ctx, owner)
						require.NoError(t, err)
					}
				case c < 17:
					clock.Advance(time.Duration(rng.IntN(300)) * time.Second)
				case c < 19:
					// A consumer trims what it has processed.
					last := lastSeq()
					for i := 1; i < len(stores); i++ {
						through := trimmed[i] + rng.Int64N(last-trimmed[i]+1)
						if rng.IntN(5) == 0 {
							through = rng.Int64N(trimmed[i] + 1) // repeated, or below
						}
						n, err := stores[i].TrimLedger(ctx, owner, through)
						require.NoError(t, err)
						require.Equal(t, int(max(through-trimmed[i], 0)), n)
						trimmed[i] = max(trimmed[i], through)
					}
					_, err := stores[1].TrimLedger(ctx, owner, last+1)
					require.ErrorIs(t, err, inventory.ErrInvalid)
				default:
					cutoff = clock.Now().Add(-window)
					p, err := pruneStore.Prune(ctx, owner, cutoff)
					require.NoError(t, err)
					pruned.Reservations += p.Reservations
					pruned.IdempotencyKeys += p.IdempotencyKeys
				}
				if op == nil {
					continue
				}
				var (
					rs   = make([]*inventory.Receipt, len(invs))
					errs = make([]error, len(invs))
				)
				for i, inv := range invs {
					rs[i], errs[i] = inv.Apply(ctx, op)
				}
				for i := 1; i < len(invs); i++ {
					require.Equal(t, errs[0], errs[i], "step %d store %d: %T", step, i, op)
					require.Equal(t, rs[0], rs[i], "step %d store %d: %T", step, i, op)
				}
				if errs[0] == nil {
					applied++
					if rs[0].Replayed {
						replayed++
					}
				}
				if errs[0] == nil && !rs[0].Replayed && keyedOp(op) {
					keyed = append(keyed, sent{op, clock.Now()})
				}
				if step%25 == 0 {
					check(step)
				}
			}
			check(400)
			t.Logf("%d operations applied (%d replayed), ledger trimmed through %d and %d of %d, %d reservations and %d idempotency keys pruned",
				applied, replayed, trimmed[1], trimmed[2], lastSeq(), pruned.Reservations, pruned.IdempotencyKeys)
			require.NotZero(t, trimmed[1], "the sequence trimmed something")
			require.NotZero(t, replayed, "the sequence replayed something")
			require.NotZero(t, pruned.Reservations, "the sequence pruned a reservation")
			require.NotZero(t, pruned.IdempotencyKeys, "the sequence pruned an idempotency key")
		})
	}
}

// keyedOp reports whether op carries an idempotency key.
func keyedOp(op inventory.Operation) bool {
	switch o := op.(type) {
	case *inventory.Receive:
		return o.IdempotencyKey != ""
	case *inventory.Adjust:
		return o.IdempotencyKey != ""
	case *inventory.Reserve:
		return o.IdempotencyKey != ""
	case *inventory.Commit:
		return o.IdempotencyKey != ""
	case *inventory.Consume:
		return o.IdempotencyKey != ""
	case *inventory.Release:
		return o.IdempotencyKey != ""
	case *inventory.Unreserve:
		return o.IdempotencyKey != ""
	}
	return false
}

// TestMemStoreRetentionConcurrent runs writers while a relay pages through
// the ledger, trimming what it read, and a pruner drops closed
// reservations and idempotency records: no entry is lost or read twice, the
// relay's entries plus the rest reconcile with the levels and reservations,
// and nothing live is pruned.
func TestMemStoreRetentionConcurrent(t *testing.T) {
	const owner fulfill.OwnerID = "acme"
	ctx := context.Background()
	clock := fulfill.NewFakeClock(retentionEpoch)
	store := new(inventory.MemStore)
	inv := inventory.New(store, &inventory.Options{Clock: clock})
	keys := []inventory.Key{{Owner: owner, SKU: "MUG", Location: "WH1"}, {Owner: owner, SKU: "MUG", Location: "WH2"}}
	for _, k := range keys {
		_, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: owner}, Key: k, Quantity: 1000})
		require.NoError(t, err)
	}

	var (
		writers sync.WaitGroup
		done    = make(chan struct{})
		read    []inventory.Entry // what the relay read, then trimmed
	)
	for g := range 4 {
		writers.Go(func() {
			for i := range 100 {
				k := keys[(g+i)%len(keys)]
				id := fmt.Sprintf("g%d-%d", g, i)
				m := inventory.Meta{Owner: owner, IdempotencyKey: "reserve-" + id}
				if _, err := inv.Apply(ctx, &inventory.Reserve{Meta: m, Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}}); err != nil {
					t.Error(err)
					return
				}
				var op inventory.Operation = &inventory.Release{Meta: inventory.Meta{Owner: owner}, Parts: []inventory.Part{{Reservation: id}}}
				if i%3 == 0 {
					op = &inventory.Commit{Meta: inventory.Meta{Owner: owner}, Parts: []inventory.Part{{Reservation: id}}}
				}
				if _, err := inv.Apply(ctx, op); err != nil {
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
			es, err := store.Ledger(ctx, inventory.LedgerQuery{Owner: owner, After: after, Limit: 7})
			if err != nil {
				t.Error(err)
				return
			}
			read = append(read, es...)
			if len(es) > 0 {
				stop = false
				if _, err := store.TrimLedger(ctx, owner, es[len(es)-1].Seq); err != nil {
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
			if _, err := store.Prune(ctx, owner, clock.Advance(time.Minute)); err != nil {
				t.Error(err)
				return
			}
		}
	})
	writers.Wait()
	close(done)
	others.Wait()

	for i, e := range read {
		require.Equal(t, int64(i+1), e.Seq, "read in order, once each")
	}
	rest, err := store.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
	require.NoError(t, err)
	assert.Empty(t, rest, "the relay read and trimmed everything")
	levels, err := store.Levels(ctx, inventory.LevelQuery{Owner: owner})
	require.NoError(t, err)
	live, err := store.Reservations(ctx, inventory.ReservationQuery{Owner: owner})
	require.NoError(t, err)
	assert.Len(t, live, 4*34, "every committed reservation is kept")
	assert.Empty(t, inventory.Reconcile(levels, live, read))
	_, err = store.Prune(ctx, owner, clock.Now().Add(time.Nanosecond))
	require.NoError(t, err)
	all, err := store.Reservations(ctx, inventory.ReservationQuery{Owner: owner, IncludeClosed: true})
	require.NoError(t, err)
	assert.Equal(t, live, all, "every closed one is pruned")
}
