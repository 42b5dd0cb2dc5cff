package inventory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill/inventory"
)

var retentionEpoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

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
