package inventory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomLedger returns n entries numbered from 1 over a few levels: mostly
// expectations (due on one of a few days, or unknown, so that dates tie)
// and units leaving Incoming with or without a purchase order's reference,
// sometimes more than is expected, among changes of the other buckets.
func randomLedger(rng *rand.Rand, n int) []inventory.Entry {
	keys := []inventory.Key{
		{Owner: "acme", SKU: "MUG", Location: "WH1"},
		{Owner: "acme", SKU: "MUG", Location: "WH2"},
		{Owner: "acme", SKU: "TEE", Location: "WH1", Lot: "L1"},
	}
	refs := []inventory.Reference{{}, {Type: inventory.RefPurchaseOrder, ID: "PO-1"}, {Type: inventory.RefPurchaseOrder, ID: "PO-2"}}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	out := make([]inventory.Entry, n)
	for i := range out {
		e := inventory.Entry{Seq: int64(i + 1), At: at.Add(time.Duration(i) * time.Minute), Key: keys[rng.IntN(len(keys))], Ref: refs[rng.IntN(len(refs))]}
		q := 1 + rng.Int64N(6)
		switch rng.IntN(6) {
		case 0, 1:
			e.Kind = inventory.KindExpect
			e.Delta.Incoming = q
			if d := rng.IntN(4); d > 0 {
				e.Due = at.AddDate(0, 0, d)
			}
		case 2, 3:
			e.Kind = inventory.KindReceive
			e.Delta = inventory.Buckets{OnHand: q, Incoming: -q}
		case 4:
			e.Kind = inventory.KindAdjust
			e.Delta.Incoming = -q
		default:
			e.Kind = inventory.KindReserve
			e.Delta = inventory.Buckets{OnHand: q, Reserved: rng.Int64N(q + 1)}
		}
		out[i] = e
	}
	return out
}

// TestCheckpointSplits checks, for random ledgers and every split point k,
// that the checkpoint of the first k entries carries on with the rest
// exactly: ArrivalsFrom, ReplayFrom and ReconcileFrom give what Arrivals,
// Replay and Reconcile give on the whole ledger, folding in two steps
// gives what folding at once gives, and the checkpoint survives JSON.
func TestCheckpointSplits(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 3))
			entries := randomLedger(rng, 5+rng.IntN(60))
			wantArrivals := inventory.Arrivals(entries)
			wantReplay, err := inventory.Replay(entries)
			require.NoError(t, err)
			// Levels as replayed, one of them drifted, so that Reconcile
			// has something to report; reservations holding what they
			// reserved.
			var levels []inventory.Level
			var res []inventory.Reservation
			for k, b := range wantReplay {
				if rng.IntN(3) == 0 {
					b.OnHand++
				}
				levels = append(levels, inventory.Level{Key: k, Buckets: b, Version: 1})
				res = append(res, inventory.Reservation{ID: k.String(), Key: k, Reserved: b.Reserved})
			}
			wantReconcile := inventory.Reconcile(levels, res, entries)
			open := 0
			for k := 0; k <= len(entries); k++ {
				cp, err := inventory.Checkpoint{}.Fold(entries[:k])
				require.NoError(t, err)
				assert.Equal(t, int64(k), cp.Through)
				open += len(cp.Arrivals)

				assert.Equal(t, wantArrivals, inventory.ArrivalsFrom(cp, entries[k:]), "arrivals, split at %d", k)
				assert.Equal(t, inventory.Arrivals(entries[:k]), cp.Arrivals, "the checkpoint's arrivals are the prefix's, split at %d", k)
				replay, err := inventory.ReplayFrom(cp, entries[k:])
				require.NoError(t, err)
				assert.Equal(t, wantReplay, replay, "replay, split at %d", k)
				assert.Equal(t, wantReconcile, inventory.ReconcileFrom(cp, levels, res, entries[k:]), "reconcile, split at %d", k)

				j := rng.IntN(k + 1)
				first, err := inventory.Checkpoint{}.Fold(entries[:j])
				require.NoError(t, err)
				second, err := first.Fold(entries[j:k])
				require.NoError(t, err)
				assert.Equal(t, cp, second, "folded at %d then %d", j, k)

				b, err := json.Marshal(cp)
				require.NoError(t, err)
				var back inventory.Checkpoint
				require.NoError(t, json.Unmarshal(b, &back))
				assert.Equal(t, cp, back, "JSON round trip at %d", k)
			}
			require.NotZero(t, open, "some checkpoint had open arrivals")
		})
	}
}

// TestCheckpointFold checks that folding entries that do not follow the
// checkpoint, or whose sums overflow, fails with a typed error and leaves
// the checkpoint as it was.
func TestCheckpointFold(t *testing.T) {
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	base, err := inventory.Checkpoint{}.Fold([]inventory.Entry{
		{Seq: 1, Key: k, Kind: inventory.KindReceive, Delta: inventory.Buckets{OnHand: math.MaxInt64 - 1}},
		{Seq: 2, Key: k, Kind: inventory.KindExpect, Delta: inventory.Buckets{Incoming: 3}},
	})
	require.NoError(t, err)
	before := base.Clone()
	tests := []struct {
		name    string
		entries []inventory.Entry
		err     error
	}{
		{"a gap", []inventory.Entry{{Seq: 4, Key: k}}, inventory.ErrInvalid},
		{"already folded", []inventory.Entry{{Seq: 2, Key: k}}, inventory.ErrInvalid},
		{"a gap after the first", []inventory.Entry{{Seq: 3, Key: k}, {Seq: 5, Key: k}}, inventory.ErrInvalid},
		{"an overflow", []inventory.Entry{{Seq: 3, Key: k, Delta: inventory.Buckets{OnHand: 2}}}, fulfill.ErrOverflow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := base.Fold(tc.entries)
			assert.ErrorIs(t, err, tc.err)
			assert.Equal(t, before, base, "the checkpoint is unchanged")
		})
	}
	// The entries following it fold, and leave base as it was.
	next, err := base.Fold([]inventory.Entry{{Seq: 3, Key: k, Kind: inventory.KindReceive, Delta: inventory.Buckets{OnHand: 1, Incoming: -1}}})
	require.NoError(t, err)
	assert.Equal(t, int64(3), next.Through)
	assert.Equal(t, inventory.Buckets{OnHand: math.MaxInt64, Incoming: 2}, next.Levels[k])
	assert.Equal(t, []inventory.Arrival{{Key: k, Quantity: 2}}, next.Arrivals)
	assert.Equal(t, before, base)

	// A sequence gap after a checkpoint is reported against its Through.
	d := inventory.ReconcileFrom(next, []inventory.Level{{Key: k, Buckets: next.Levels[k], Version: 3}}, nil,
		[]inventory.Entry{{Seq: 5, Key: k}})
	assert.Equal(t, []inventory.Discrepancy{{Key: k, Source: inventory.SourceSequence, Level: 5, Want: 4}}, d)
}

// TestCheckpointJSON pins the encoding and the decoding errors.
func TestCheckpointJSON(t *testing.T) {
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	cp := inventory.Checkpoint{Through: 7, Levels: map[inventory.Key]inventory.Buckets{k: {OnHand: 2, Incoming: 3}},
		Arrivals: []inventory.Arrival{{Key: k, Due: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), Quantity: 3}}}
	b, err := json.Marshal(cp)
	require.NoError(t, err)
	assert.JSONEq(t, `{"through":7,
		"levels":[{"key":{"owner":"acme","sku":"MUG","location":"WH"},"delta":{"on_hand":2,"reserved":0,"committed":0,"damaged":0,"quarantine":0,"safety":0,"incoming":3,"in_transit":0}}],
		"arrivals":[{"key":{"owner":"acme","sku":"MUG","location":"WH"},"due":"2026-03-04T00:00:00Z","quantity":3}]}`, string(b))

	tests := []struct {
		name string
		in   string
		want inventory.Checkpoint
		err  error
	}{
		{name: "zero", in: `{"through":0}`},
		{name: "through only", in: `{"through":12}`, want: inventory.Checkpoint{Through: 12}},
		{name: "negative through", in: `{"through":-1}`, err: inventory.ErrInvalid},
		{name: "a level twice", in: `{"through":2,"levels":[{"key":{"owner":"acme","sku":"MUG","location":"WH"},"delta":{}},{"key":{"owner":"acme","sku":"MUG","location":"WH"},"delta":{}}]}`, err: inventory.ErrInvalid},
		{name: "an empty arrival", in: `{"through":2,"arrivals":[{"key":{"owner":"acme","sku":"MUG","location":"WH"},"quantity":0}]}`, err: inventory.ErrInvalid},
		{name: "unknown field", in: `{"through":2,"trimmed":3}`},
		{name: "not an object", in: `[]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := inventory.Checkpoint{Through: 99}
			err := json.Unmarshal([]byte(tc.in), &got)
			switch {
			case tc.err != nil:
				assert.ErrorIs(t, err, tc.err)
				assert.Equal(t, inventory.Checkpoint{Through: 99}, got, "unchanged on error")
			case tc.name == "unknown field" || tc.name == "not an object":
				assert.Error(t, err)
				assert.Equal(t, inventory.Checkpoint{Through: 99}, got, "unchanged on error")
			default:
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
			}
		})
	}
}

// FuzzCheckpointJSON decodes anything without panicking, and what decodes
// encodes and decodes again to the same checkpoint.
func FuzzCheckpointJSON(f *testing.F) {
	f.Add(`{"through":0}`)
	f.Add(`{"through":7,"levels":[{"key":{"owner":"acme","sku":"MUG","location":"WH"},"delta":{"on_hand":2}}],"arrivals":[{"key":{"owner":"acme","sku":"MUG","location":"WH"},"due":"2026-03-04T00:00:00Z","quantity":3,"ref":{"type":"purchase_order","id":"PO-1"}}]}`)
	f.Add(`{"through":-1}`)
	f.Fuzz(func(t *testing.T, in string) {
		var cp inventory.Checkpoint
		if err := json.Unmarshal([]byte(in), &cp); err != nil {
			return
		}
		b, err := json.Marshal(cp)
		require.NoError(t, err)
		var back inventory.Checkpoint
		require.NoError(t, json.Unmarshal(b, &back), "%s", b)
		b2, err := json.Marshal(back)
		require.NoError(t, err)
		assert.Equal(t, string(b), string(b2))
	})
}

// TestMemStoreCheckpoint checks that MemStore folds what TrimLedger drops
// into the owner's checkpoint, and nothing else: repeated and bad trims
// leave it as it was, other owners keep theirs, and the Inventory's
// Reconcile and Arrivals stay those of the untrimmed ledger.
func TestMemStoreCheckpoint(t *testing.T) {
	ctx := context.Background()
	store := new(inventory.MemStore)
	inv := inventory.New(store, &inventory.Options{Clock: fulfill.NewFakeClock(t0)})
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	po := func(id string) inventory.Meta {
		return inventory.Meta{Owner: "acme", Ref: inventory.Reference{Type: inventory.RefPurchaseOrder, ID: id}}
	}
	for _, op := range []inventory.Operation{
		&inventory.Expect{Meta: po("PO-1"), Key: k, Quantity: 5, Due: t0.AddDate(0, 0, 3)},
		&inventory.Expect{Meta: po("PO-2"), Key: k, Quantity: 4, Due: t0.AddDate(0, 0, 1)},
		&inventory.Receive{Meta: po("PO-1"), Key: k, Quantity: 2, FromIncoming: 2},
		&inventory.Expect{Meta: inventory.Meta{Owner: "globex"}, Key: inventory.Key{Owner: "globex", SKU: "MUG", Location: "WH"}, Quantity: 1},
		&inventory.Receive{Meta: po("PO-2"), Key: k, Quantity: 1, FromIncoming: 1},
	} {
		_, err := inv.Apply(ctx, op)
		require.NoError(t, err)
	}
	whole, err := inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	arrivals := inventory.Arrivals(whole)
	require.Len(t, arrivals, 2)

	cp, err := store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, inventory.Checkpoint{}, cp, "nothing trimmed")
	for _, through := range []int64{2, 2, 1, 3} {
		_, err := store.TrimLedger(ctx, "acme", through)
		require.NoError(t, err)
	}
	_, err = store.TrimLedger(ctx, "acme", 5)
	require.ErrorIs(t, err, inventory.ErrInvalid)
	cp, err = store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	want, err := inventory.Checkpoint{}.Fold(whole[:3])
	require.NoError(t, err)
	assert.Equal(t, want, cp)
	cp.Levels[k] = inventory.Buckets{} // the caller's copy
	again, err := store.LedgerCheckpoint(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, want, again, "the store keeps its own")
	other, err := store.LedgerCheckpoint(ctx, "globex")
	require.NoError(t, err)
	assert.Equal(t, inventory.Checkpoint{}, other, "another owner's is untouched")
	_, err = store.LedgerCheckpoint(ctx, "")
	assert.ErrorIs(t, err, fulfill.ErrInvalidCode)

	d, err := inv.Reconcile(ctx, "acme")
	require.NoError(t, err)
	assert.Empty(t, d)
	got, err := inv.Arrivals(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, arrivals, got)
	_, err = store.TrimLedger(ctx, "acme", 4)
	require.NoError(t, err)
	d, err = inv.Reconcile(ctx, "acme")
	require.NoError(t, err)
	assert.Empty(t, d, "everything trimmed")
	got, err = inv.Arrivals(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, arrivals, got, "everything trimmed")
}
