package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seqReader is a deterministic byte source for reservation IDs.
type seqReader struct{ r *rand.ChaCha8 }

func (s seqReader) Read(p []byte) (int, error) { return s.r.Read(p) }

// randomOp returns a random operation over a few levels, naming earlier
// reservations and serial numbers (some of which are elsewhere or gone).
func randomOp(rng *rand.Rand, res []string, serial *int) inventory.Operation {
	skus := []fulfill.SKU{"A", "B", "HOT"}
	locs := []fulfill.LocationID{"WH1", "WH2"}
	k := func() inventory.Key {
		return inventory.Key{Owner: "acme", SKU: skus[rng.IntN(len(skus))], Location: locs[rng.IntN(len(locs))]}
	}
	m := func() inventory.Meta {
		m := inventory.Meta{Owner: "acme", Reason: inventory.ReasonOrder}
		if rng.IntN(4) == 0 {
			m.IdempotencyKey = fmt.Sprint("k", rng.IntN(40))
		}
		return m
	}
	q := func() int64 { return 1 + rng.Int64N(4) }
	part := func() []inventory.Part {
		if len(res) == 0 {
			return []inventory.Part{{Reservation: "none"}}
		}
		p := inventory.Part{Reservation: res[rng.IntN(len(res))]}
		if rng.IntN(2) == 0 {
			p.Quantity = q()
		}
		return []inventory.Part{p}
	}
	sn := func() []string { return []string{fmt.Sprint("SN", rng.IntN(7))} }
	switch rng.IntN(19) {
	case 0:
		return &inventory.Expect{Meta: m(), Key: k(), Quantity: q() * 3, Due: t0.Add(time.Duration(rng.IntN(9)) * 24 * time.Hour)}
	case 1, 2:
		return &inventory.Receive{Meta: m(), Key: k(), Quantity: q() * 3}
	case 3:
		*serial++
		return &inventory.Receive{Meta: m(), Key: k(), Quantity: 1, Serials: []string{fmt.Sprint("SN", *serial%7)}}
	case 4, 5, 6:
		n := 1 + rng.IntN(2)
		op := &inventory.Reserve{Meta: m()}
		for range n {
			op.Lines = append(op.Lines, inventory.ReserveLine{Key: k(), Quantity: q()})
		}
		if rng.IntN(3) == 0 {
			op.TTL = time.Duration(1+rng.IntN(30)) * time.Minute
		}
		return op
	case 7:
		return &inventory.Release{Meta: m(), Parts: part()}
	case 8:
		return &inventory.Commit{Meta: m(), Parts: part()}
	case 9:
		return &inventory.Consume{Meta: m(), Parts: part()}
	case 10:
		return &inventory.Adjust{Meta: m(), Key: k(), Delta: q() - 3}
	case 11:
		from := k()
		return &inventory.Transfer{Meta: m(), From: from, To: locs[rng.IntN(len(locs))], Quantity: q()}
	case 12:
		return &inventory.ReceiveTransfer{Meta: m(), Key: k(), Quantity: q()}
	case 13:
		if len(res) == 0 {
			return &inventory.Unreserve{Meta: m(), Reservations: []string{"none"}}
		}
		return &inventory.Unreserve{Meta: m(), Reservations: []string{res[rng.IntN(len(res))]}}
	case 14:
		return &inventory.Move{Meta: m(), Key: k(), From: inventory.BucketAvailable, To: inventory.BucketDamaged, Quantity: q()}
	case 16:
		return &inventory.Adjust{Meta: m(), Key: k(), Delta: -1, Serials: sn()}
	case 17:
		return &inventory.Transfer{Meta: m(), From: k(), To: locs[rng.IntN(len(locs))], Quantity: 1, Serials: sn()}
	case 18:
		p := part()
		p[0].Quantity, p[0].Serials = 1, sn()
		return &inventory.Consume{Meta: m(), Parts: p}
	default:
		return &inventory.Count{Meta: m(), Key: k(), OnHand: rng.Int64N(12)}
	}
}

// TestMatchesMemStore applies the same random operations, clock and IDs
// to the in-memory store and to this one (with the HOT SKU's levels split
// into sub-rows) and checks that every receipt, error, level, reservation,
// serial number and ledger entry is the same.
func TestMatchesMemStore(t *testing.T) {
	testURL(t)
	t.Parallel()
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			ctx := context.Background()
			pgStore := NewInventoryStore(testDB(t), &InventoryOptions{Shards: func(k inventory.Key) int {
				if k.SKU == "HOT" {
					return 4
				}
				return 1
			}})
			mem := inventory.NewMemStore()
			clkM, clkP := fulfill.NewFakeClock(t0), fulfill.NewFakeClock(t0)
			invM := inventory.New(mem, &inventory.Options{Clock: clkM, Rand: seqReader{rand.NewChaCha8([32]byte{byte(seed)})}})
			invP := inventory.New(pgStore, &inventory.Options{Clock: clkP, Rand: seqReader{rand.NewChaCha8([32]byte{byte(seed)})}})
			rng := rand.New(rand.NewPCG(seed, 7))
			var res []string
			serial := 0
			applied := map[string]int{}
			serialCount := 0 // operations refused for leaving more serial numbers than units
			steps := 150
			if testing.Short() {
				steps = 40
			}
			for i := range steps {
				op := randomOp(rng, res, &serial)
				rm, errM := invM.Apply(ctx, op)
				rp, errP := invP.Apply(ctx, op)
				if errM != nil {
					if errors.Is(errM, inventory.ErrSerialCount) {
						serialCount++
					}
					require.Error(t, errP, "step %d %T: memory failed with %v", i, op, errM)
					require.Equal(t, errM.Error(), errP.Error(), "step %d %T", i, op)
				} else {
					require.NoError(t, errP, "step %d %T", i, op)
					require.Equal(t, canon(t, rm), canon(t, rp), "step %d %T", i, op)
					applied[fmt.Sprintf("%T", op)]++
					for _, r := range rm.Reservations {
						res = append(res, r.ID)
					}
				}
				d := time.Duration(rng.IntN(5)) * time.Minute
				clkM.Advance(d)
				clkP.Advance(d)
			}
			t.Logf("applied: %v; %d refused for leaving more serial numbers than units", applied, serialCount)
			assert.GreaterOrEqual(t, len(applied), 8, "most kinds of operation applied at least once")
			at := clkM.Now()
			lm, err := mem.Levels(ctx, inventory.LevelQuery{Owner: "acme", At: at})
			require.NoError(t, err)
			lp, err := pgStore.Levels(ctx, inventory.LevelQuery{Owner: "acme", At: at})
			require.NoError(t, err)
			assert.Equal(t, canon(t, lm), canon(t, lp))
			rsm, err := mem.Reservations(ctx, inventory.ReservationQuery{Owner: "acme", IncludeClosed: true, At: at})
			require.NoError(t, err)
			rsp, err := pgStore.Reservations(ctx, inventory.ReservationQuery{Owner: "acme", IncludeClosed: true, At: at})
			require.NoError(t, err)
			assert.Equal(t, canon(t, rsm), canon(t, rsp))
			em, err := mem.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
			require.NoError(t, err)
			ep, err := pgStore.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
			require.NoError(t, err)
			assert.Equal(t, canon(t, em), canon(t, ep))
			var due, serials bool
			for _, e := range ep {
				due = due || !e.Due.IsZero()
				serials = serials || len(e.Serials) > 0
			}
			assert.True(t, due && serials, "the ledger holds due dates and serial numbers")
			units := map[inventory.Key]int64{}
			for _, l := range lp {
				units[l.Key] = l.OnHand + l.InTransit
			}
			for _, sku := range []fulfill.SKU{"A", "B", "HOT"} {
				sm, err := mem.Serials(ctx, "acme", sku)
				require.NoError(t, err)
				sp, err := pgStore.Serials(ctx, "acme", sku)
				require.NoError(t, err)
				assert.Equal(t, canon(t, sm), canon(t, sp))
				at := map[inventory.Key]int64{}
				for _, s := range sp {
					at[s.Key]++
				}
				for k, n := range at {
					assert.LessOrEqual(t, n, units[k], "serial numbers at %s", k)
				}
			}
			nm, err := mem.Sweep(ctx, "acme", at)
			require.NoError(t, err)
			np, err := pgStore.Sweep(ctx, "acme", at)
			require.NoError(t, err)
			assert.Equal(t, nm, np)
			lp, err = pgStore.Levels(ctx, inventory.LevelQuery{Owner: "acme"})
			require.NoError(t, err)
			rsp, err = pgStore.Reservations(ctx, inventory.ReservationQuery{Owner: "acme"})
			require.NoError(t, err)
			ep, err = pgStore.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
			require.NoError(t, err)
			assert.Empty(t, inventory.Reconcile(lp, rsp, ep))
		})
	}
}
