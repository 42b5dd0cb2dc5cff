package inventorytest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkpointer returns the store as a trimming [inventory.Checkpointer],
// or skips t.
func (s *suite) checkpointer(t *testing.T, st inventory.Store) (inventory.LedgerTrimmer, inventory.Checkpointer) {
	t.Helper()
	tr, ok := st.(inventory.LedgerTrimmer)
	cp, ok2 := st.(inventory.Checkpointer)
	if !ok || !ok2 {
		t.Skip("the store does not trim its ledger with a checkpoint (not an inventory.LedgerTrimmer and an inventory.Checkpointer)")
	}
	return tr, cp
}

// randomStockOp returns a random operation on keys, with explicit
// reservation IDs (from ids, or a new one added to it) so that two stores
// given the same operations hold the same reservations: expectations due
// on one of a few days or on none (dates tie), receipts and adjustments
// settling them with or without a purchase order's reference,
// reservations with and without a TTL, commits, consumptions, releases,
// other adjustments, transfers and their receipts.
func randomStockOp(rng *rand.Rand, keys []inventory.Key, ids *[]string, n int) inventory.Operation {
	k := keys[rng.IntN(len(keys))]
	q := 1 + rng.Int64N(5)
	m := meta("")
	if c := rng.IntN(4); c > 0 {
		m.Ref = inventory.Reference{Type: inventory.RefPurchaseOrder, ID: fmt.Sprint("PO-", c)}
	}
	anyID := func() string {
		if len(*ids) == 0 {
			return "none"
		}
		return (*ids)[rng.IntN(len(*ids))]
	}
	switch rng.IntN(12) {
	case 0, 1, 2:
		var due time.Time
		if d := rng.IntN(4); d > 0 {
			due = epoch.AddDate(0, 0, d)
		}
		return &inventory.Expect{Meta: m, Key: k, Quantity: q, Due: due}
	case 3, 4:
		return &inventory.Receive{Meta: m, Key: k, Quantity: q, FromIncoming: rng.Int64N(q + 1)}
	case 5:
		return &inventory.Adjust{Meta: m, Key: k, Bucket: inventory.BucketIncoming, Delta: -q}
	case 6:
		return &inventory.Adjust{Meta: meta(""), Key: k, Delta: q - 3}
	case 7:
		id := fmt.Sprint("r", n)
		*ids = append(*ids, id)
		r := &inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: q, ID: id}}}
		if rng.IntN(2) == 0 {
			r.TTL = time.Duration(1+rng.IntN(20)) * time.Minute
		}
		return r
	case 8:
		return &inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: anyID(), Quantity: rng.Int64N(2)}}}
	case 9:
		if rng.IntN(2) == 0 {
			return &inventory.Release{Meta: meta(""), Parts: []inventory.Part{{Reservation: anyID(), Quantity: rng.Int64N(2)}}}
		}
		return &inventory.Consume{Meta: meta(""), Parts: []inventory.Part{{Reservation: anyID(), Quantity: rng.Int64N(2)}}}
	case 10:
		to := keys[rng.IntN(len(keys))]
		if to.SKU != k.SKU || to.Location == k.Location {
			return &inventory.Receive{Meta: meta(""), Key: k, Quantity: q}
		}
		return &inventory.Transfer{Meta: meta(""), From: k, To: to.Location, Quantity: q}
	default:
		return &inventory.ReceiveTransfer{Meta: meta(""), Key: k, Quantity: 1}
	}
}

// trimCheckpoint applies the same random operations to two stores, one of
// which is trimmed at random points, and checks after every trim that the
// trimmed one's Inventory.Reconcile finds no difference, that its
// Inventory.Arrivals are the untrimmed twin's, and that its checkpoint is
// the twin's trimmed entries folded ([inventory.Checkpoint.Fold]), from
// which the entries kept replay to the twin's levels.
func (s *suite) trimCheckpoint(t *testing.T) {
	ctx := context.Background()
	s.checkpointer(t, s.newStore(t))
	for seed := s.opts.Seed; seed < s.opts.Seed+2; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			trimmedStore, twinStore := s.newStore(t), s.newStore(t)
			tr, cpr := s.checkpointer(t, trimmedStore)
			clock := fulfill.NewFakeClock(epoch)
			inv := inventory.New(trimmedStore, &inventory.Options{Clock: clock})
			twin := inventory.New(twinStore, &inventory.Options{Clock: clock})
			rng := rand.New(rand.NewPCG(seed, 17))
			keys := []inventory.Key{key("A", "WH1"), key("A", "WH2"), key("B", "WH1")}
			var (
				ids               []string
				last, trimmed     int64
				trims, open, full int
			)
			check := func(step int) {
				t.Helper()
				d, err := inv.Reconcile(ctx, owner)
				require.NoError(t, err)
				require.Empty(t, d, "step %d: reconcile after trimming through %d of %d", step, trimmed, last)
				want, err := twin.Arrivals(ctx, owner)
				require.NoError(t, err)
				got, err := inv.Arrivals(ctx, owner)
				require.NoError(t, err)
				require.Equal(t, want, got, "step %d: arrivals after trimming through %d of %d", step, trimmed, last)
				open += len(got)

				whole, err := twin.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
				require.NoError(t, err)
				wantCp, err := inventory.Checkpoint{}.Fold(whole[:trimmed])
				require.NoError(t, err)
				cp, err := cpr.LedgerCheckpoint(ctx, owner)
				require.NoError(t, err)
				require.Equal(t, wantCp, cp, "step %d: checkpoint through %d", step, trimmed)
				kept, err := inv.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
				require.NoError(t, err)
				if len(kept) > 0 || trimmed < int64(len(whole)) {
					require.Equal(t, whole[trimmed:], kept, "step %d: entries kept", step)
				}
				replayed, err := inventory.ReplayFrom(cp, kept)
				require.NoError(t, err)
				levels, err := twinStore.Levels(ctx, inventory.LevelQuery{Owner: owner}) // as stored
				require.NoError(t, err)
				for _, l := range levels {
					require.Equal(t, l.Buckets, replayed[l.Key], "step %d: %s replayed from the checkpoint", step, l.Key)
				}
			}
			for step := range s.opts.Steps {
				switch c := rng.IntN(10); {
				case c == 0:
					clock.Advance(time.Duration(rng.IntN(15)) * time.Minute)
				case c == 1:
					n1, err1 := inv.Sweep(ctx, owner)
					n2, err2 := twin.Sweep(ctx, owner)
					require.NoError(t, err1)
					require.NoError(t, err2)
					require.Equal(t, n2, n1, "step %d: sweep", step)
				case c < 4:
					whole, err := twin.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
					require.NoError(t, err)
					last = int64(len(whole))
					through := trimmed + rng.Int64N(last-trimmed+1)
					if rng.IntN(4) == 0 {
						through = last // everything
					}
					n, err := tr.TrimLedger(ctx, owner, through)
					require.NoError(t, err)
					require.Equal(t, int(through-trimmed), n, "step %d: trim through %d", step, through)
					trimmed, trims = through, trims+1
					if through == last {
						full++
					}
					check(step)
				default:
					op := randomStockOp(rng, keys, &ids, step)
					r1, err1 := inv.Apply(ctx, op)
					r2, err2 := twin.Apply(ctx, op)
					require.Equal(t, fmt.Sprint(err2), fmt.Sprint(err1), "step %d: %#v", step, op)
					if err1 == nil {
						require.Equal(t, r2.Entries, r1.Entries, "step %d: %#v", step, op)
					}
				}
			}
			check(s.opts.Steps)
			t.Logf("%d entries, %d trims (%d of everything), %d open arrivals seen after them", last, trims, full, open)
			require.NotZero(t, trimmed, "the sequence trimmed something")
			require.NotZero(t, open, "the sequence checked open arrivals after trimming")
		})
	}
}

// trimCheckpointConcurrent runs writers (expecting, receiving against
// their expectations, reserving, committing, releasing, adjusting) beside
// a relay that pages through the ledger and trims what it read and a
// second trimmer trimming through the relay's position at the same time.
// Between rounds, with the writers quiet and the trimmers still running,
// Inventory.Reconcile finds no difference and every level's arrivals sum
// to its Incoming bucket. At the end the checkpoint is the relay's
// entries folded, each entry once, and Arrivals are those of the relay's
// entries: no trimmed entry was lost or counted twice.
func (s *suite) trimCheckpointConcurrent(t *testing.T) {
	ctx := context.Background()
	e := s.env(t)
	tr, cpr := s.checkpointer(t, e.store)
	writers, perRound, rounds := min(s.opts.Goroutines, 4), max(s.opts.Steps/30, 4), 3
	keys := []inventory.Key{key("MUG", "WH1"), key("MUG", "WH2")}
	for _, k := range keys {
		e.receive(t, k, int64(writers*perRound*rounds))
	}

	var (
		read      []inventory.Entry // what the relay read, then trimmed
		published atomic.Int64      // the last Seq the relay read
		stop      = make(chan struct{})
		trimmers  sync.WaitGroup
	)
	trimmers.Go(func() { // the relay
		for {
			es, err := e.store.Ledger(ctx, inventory.LedgerQuery{Owner: owner, After: published.Load(), Limit: 5})
			if err != nil {
				t.Error(err)
				return
			}
			if len(es) == 0 {
				select {
				case <-stop:
					return
				default:
					time.Sleep(100 * time.Microsecond)
					continue
				}
			}
			read = append(read, es...)
			published.Store(es[len(es)-1].Seq)
			if _, err := tr.TrimLedger(ctx, owner, es[len(es)-1].Seq); err != nil {
				t.Error(err)
				return
			}
		}
	})
	trimmers.Go(func() { // a second trimmer, racing the relay's trims
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := tr.TrimLedger(ctx, owner, published.Load()); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(100 * time.Microsecond)
		}
	})
	for round := range rounds {
		var wg sync.WaitGroup
		for g := range writers {
			wg.Go(func() {
				k := keys[g%len(keys)]
				m := inventory.Meta{Owner: owner, Ref: inventory.Reference{Type: inventory.RefPurchaseOrder, ID: fmt.Sprintf("PO-%d-%d", round, g)}}
				for i := range perRound {
					id := fmt.Sprintf("r%d-%d-%d", round, g, i)
					ops := []inventory.Operation{
						&inventory.Expect{Meta: m, Key: k, Quantity: 3, Due: epoch.AddDate(0, 0, i%3)},
						&inventory.Receive{Meta: m, Key: k, Quantity: 2, FromIncoming: 2},
						&inventory.Reserve{Meta: meta(""), Lines: []inventory.ReserveLine{{Key: k, Quantity: 1, ID: id}}},
						&inventory.Commit{Meta: meta(""), Parts: []inventory.Part{{Reservation: id}}},
						&inventory.Adjust{Meta: meta(""), Key: k, Delta: 1},
					}
					if i%2 == 0 {
						ops[3] = &inventory.Release{Meta: meta(""), Parts: []inventory.Part{{Reservation: id}}}
					}
					for _, op := range ops {
						if _, err := e.inv.Apply(ctx, op); err != nil {
							t.Error(err)
							return
						}
					}
				}
			})
		}
		wg.Wait()
		// A quiet point for the writers; the trimmers run on.
		d, err := e.inv.Reconcile(ctx, owner)
		require.NoError(t, err)
		require.Empty(t, d, "round %d: reconcile", round)
		as, err := e.inv.Arrivals(ctx, owner)
		require.NoError(t, err)
		sums := map[inventory.Key]int64{}
		for _, a := range as {
			sums[a.Key] += a.Quantity
		}
		for _, k := range keys {
			assert.Equal(t, e.level(t, k).Incoming, sums[k], "round %d: arrivals at %s", round, k)
		}
	}
	close(stop)
	trimmers.Wait()

	for i, en := range read {
		require.Equal(t, int64(i+1), en.Seq, "read in order, once each")
	}
	rest, err := e.store.Ledger(ctx, inventory.LedgerQuery{Owner: owner})
	require.NoError(t, err)
	assert.Empty(t, rest, "the relay read and trimmed everything")
	want, err := inventory.Checkpoint{}.Fold(read)
	require.NoError(t, err)
	cp, err := cpr.LedgerCheckpoint(ctx, owner)
	require.NoError(t, err)
	assert.Equal(t, want, cp, "the checkpoint holds every entry trimmed once")
	got, err := e.inv.Arrivals(ctx, owner)
	require.NoError(t, err)
	assert.Equal(t, inventory.Arrivals(read), got)
	assert.NotEmpty(t, got)
	d, err := e.inv.Reconcile(ctx, owner)
	require.NoError(t, err)
	assert.Empty(t, d)
}
