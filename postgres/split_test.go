package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSplit spreads a level over sub-rows and back: quantities and version
// are unchanged, every sub-row keeps the invariant, and reads sum them.
func TestSplit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testDB(t)
	s := NewInventoryStore(db, nil)
	k := key("split")
	_, err := s.Apply(ctx, receiveTxn(k, 103, t0))
	require.NoError(t, err)
	_, err = s.Apply(ctx, reserveTxn("r1", k, 10, t0))
	require.NoError(t, err)
	before, err := s.Levels(ctx, inventory.LevelQuery{Owner: k.Owner})
	require.NoError(t, err)
	for _, n := range []int{8, 3, 16, 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			require.NoError(t, s.Split(ctx, k, n))
			got, err := s.Shards(ctx, k)
			require.NoError(t, err)
			assert.Equal(t, n, got)
			after, err := s.Levels(ctx, inventory.LevelQuery{Owner: k.Owner})
			require.NoError(t, err)
			assert.Equal(t, canon(t, before), canon(t, after), "the level reads the same")
			rows, err := db.acquire(ctx)
			require.NoError(t, err)
			defer db.release(rows)
			var bad int
			require.NoError(t, rows.QueryRow(ctx, `SELECT COUNT(*) FROM inventory_levels WHERE on_hand - reserved - committed - damaged - quarantine - safety < 0`).Scan(&bad))
			assert.Zero(t, bad)
		})
	}
	for _, n := range []int{0, -1, MaxShards + 1} {
		assert.ErrorIs(t, s.Split(ctx, k, n), inventory.ErrInvalid, "%d sub-rows", n)
	}
	assert.ErrorIs(t, s.Split(ctx, inventory.Key{Owner: "acme"}, 2), fulfill.ErrInvalidCode)

	// A level split before it exists stays invisible until stock arrives.
	k2 := key("later")
	require.NoError(t, s.Split(ctx, k2, 4))
	ls, err := s.Levels(ctx, inventory.LevelQuery{Owner: k.Owner, SKUs: []fulfill.SKU{k2.SKU}})
	require.NoError(t, err)
	assert.Empty(t, ls)
	_, err = s.Apply(ctx, receiveTxn(k2, 8, t0))
	require.NoError(t, err)
	ls, err = s.Levels(ctx, inventory.LevelQuery{Owner: k.Owner, SKUs: []fulfill.SKU{k2.SKU}})
	require.NoError(t, err)
	require.Len(t, ls, 1)
	assert.Equal(t, int64(8), ls[0].Available())
	assert.Equal(t, int64(1), ls[0].Version)
}

// TestSplitRebalances drains a split level with reservations larger than
// any one sub-row holds, concurrently: every unit is reserved exactly once
// and nothing is oversold.
func TestSplitRebalances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewInventoryStore(testDB(t), nil)
	k := key("rebalance")
	_, err := s.Apply(ctx, receiveTxn(k, 100, t0))
	require.NoError(t, err)
	require.NoError(t, s.Split(ctx, k, 8))
	var mu sync.Mutex
	total := int64(0)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				q := int64(1 + (g+i)%20) // up to 20 units, more than a sub-row's 12 or 13
				_, err := s.Apply(ctx, reserveTxn(fmt.Sprintf("g%d-%d", g, i), k, q, t0))
				if err != nil {
					assert.ErrorIs(t, err, inventory.ErrInsufficientStock)
					if q == 1 {
						return
					}
					continue
				}
				mu.Lock()
				total += q
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	ls, err := s.Levels(ctx, inventory.LevelQuery{Owner: k.Owner})
	require.NoError(t, err)
	require.Len(t, ls, 1)
	assert.Equal(t, int64(100), ls[0].Reserved)
	assert.Equal(t, int64(100), total)
	rs, err := s.Reservations(ctx, inventory.ReservationQuery{Owner: k.Owner})
	require.NoError(t, err)
	es, err := s.Ledger(ctx, inventory.LedgerQuery{Owner: k.Owner})
	require.NoError(t, err)
	assert.Empty(t, inventory.Reconcile(ls, rs, es))
}
