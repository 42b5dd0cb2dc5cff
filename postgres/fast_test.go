package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)

func key(sku string) inventory.Key {
	return inventory.Key{Owner: "acme", SKU: fulfill.SKU("SKU-" + sku), Location: "WH1"}
}

func receiveTxn(k inventory.Key, q int64, at time.Time) *inventory.Txn {
	return &inventory.Txn{Owner: k.Owner, Kind: inventory.KindReceive, At: at,
		Changes: []inventory.Change{{Key: k, Delta: inventory.Buckets{OnHand: q}}}}
}

func reserveTxn(id string, k inventory.Key, q int64, at time.Time) *inventory.Txn {
	return &inventory.Txn{Owner: k.Owner, Kind: inventory.KindReserve, Reason: inventory.ReasonOrder, At: at,
		Ref:   inventory.Reference{Type: inventory.RefCart, ID: "c-" + id},
		Holds: []inventory.Reservation{{ID: id, Key: k, Reserved: q, Line: "l1"}}}
}

// canon returns the JSON of v, for comparing receipts across stores.
func canon(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestFastReserveMatchesCompute applies single-line reservations through
// the one-statement path and checks that the receipts, the later reads and
// the replays equal those of the in-memory store fed the same Txns.
func TestFastReserveMatchesCompute(t *testing.T) {
	testURL(t)
	t.Parallel()
	ctx := context.Background()
	for _, shards := range []int{1, 4} {
		t.Run(fmt.Sprint("shards", shards), func(t *testing.T) {
			pg := NewInventoryStore(testDB(t), nil)
			mem := inventory.NewMemStore()
			k := key(fmt.Sprint("fast", shards))
			both := func(tx *inventory.Txn) (*inventory.Receipt, *inventory.Receipt) {
				rm, errm := mem.Apply(ctx, tx)
				rp, errp := pg.Apply(ctx, tx)
				if errm != nil {
					require.Error(t, errp)
					assert.Equal(t, errm.Error(), errp.Error())
					return nil, nil
				}
				require.NoError(t, errp)
				return rm, rp
			}
			both(receiveTxn(k, 10, t0))
			require.NoError(t, pg.Split(ctx, k, shards))

			tx := reserveTxn("r1", k, 3, t0.Add(time.Second))
			rp, err := pg.fastReserve(ctx, tx)
			require.NoError(t, err)
			require.NotNil(t, rp, "the single-statement path served the reservation")
			rm, err := mem.Apply(ctx, tx)
			require.NoError(t, err)
			assert.Equal(t, canon(t, rm), canon(t, rp))

			// With an idempotency key and a TTL; then its replay.
			tx = reserveTxn("r2", k, 2, t0.Add(2*time.Second))
			tx.IdempotencyKey, tx.Fingerprint = "idem-2", "fp"
			tx.Holds[0].ExpiresAt = t0.Add(time.Hour)
			rp, err = pg.fastReserve(ctx, tx)
			require.NoError(t, err)
			require.NotNil(t, rp)
			rm, err = mem.Apply(ctx, tx)
			require.NoError(t, err)
			assert.Equal(t, canon(t, rm), canon(t, rp))
			rm, rp = both(tx)
			assert.True(t, rp.Replayed)
			assert.Equal(t, canon(t, rm), canon(t, rp))
			tx.Fingerprint = "other"
			_, errp := pg.Apply(ctx, tx)
			assert.ErrorIs(t, errp, inventory.ErrIdempotencyConflict)

			// More than any sub-row holds alone but not more than the level:
			// the general path serves it and rebalances.
			rm, rp = both(reserveTxn("r3", k, 5, t0.Add(3*time.Second)))
			assert.Equal(t, canon(t, rm), canon(t, rp))
			// Too much: the same shortage from both.
			both(reserveTxn("r4", k, 1, t0.Add(4*time.Second)))
			// A duplicate reservation ID.
			both(reserveTxn("r1", k, 0+1, t0.Add(5*time.Second)))

			// After the TTL the lapsed hold is collected by the next
			// reservation, which the general path serves.
			rm, rp = both(reserveTxn("r5", k, 2, t0.Add(2*time.Hour)))
			assert.Equal(t, canon(t, rm), canon(t, rp))

			q := inventory.LevelQuery{Owner: "acme", At: t0.Add(3 * time.Hour)}
			lm, err := mem.Levels(ctx, q)
			require.NoError(t, err)
			lp, err := pg.Levels(ctx, q)
			require.NoError(t, err)
			var want []inventory.Level
			for _, l := range lm {
				if l.Key == k {
					want = append(want, l)
				}
			}
			var got []inventory.Level
			for _, l := range lp {
				if l.Key == k {
					got = append(got, l)
				}
			}
			assert.Equal(t, canon(t, want), canon(t, got))
			n, err := pg.Shards(ctx, k)
			require.NoError(t, err)
			assert.Equal(t, shards, n)
		})
	}
}
