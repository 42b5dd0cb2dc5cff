package inventory_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// opsFromBytes decodes fuzz input into a sequence of operations over a few
// levels; each operation takes four bytes.
func opsFromBytes(data []byte) []func(*inventory.Inventory, *fulfill.FakeClock) (inventory.Operation, time.Duration) {
	keys := []inventory.Key{
		{Owner: "acme", SKU: "A", Location: "WH1"}, {Owner: "acme", SKU: "A", Location: "WH2"},
		{Owner: "acme", SKU: "B", Location: "WH1", Lot: "L1"}, {Owner: "globex", SKU: "A", Location: "WH1"},
	}
	buckets := []inventory.Bucket{inventory.BucketAvailable, inventory.BucketDamaged, inventory.BucketQuarantine,
		inventory.BucketSafety, inventory.BucketIncoming, inventory.BucketInTransit, inventory.BucketReserved, "bogus"}
	var out []func(*inventory.Inventory, *fulfill.FakeClock) (inventory.Operation, time.Duration)
	var ids []string
	for len(data) >= 4 {
		op, a, b, c := data[0], data[1], data[2], data[3]
		data = data[4:]
		k := keys[int(a)%len(keys)]
		m := inventory.Meta{Owner: "acme"}
		if a&0x80 != 0 {
			m.Owner = k.Owner
		}
		if b&0x80 != 0 {
			m.IdempotencyKey = string(rune('a' + c%4))
		}
		q := int64(int8(b))
		bk := buckets[int(c)%len(buckets)]
		bk2 := buckets[int(c>>3)%len(buckets)]
		out = append(out, func(inv *inventory.Inventory, clk *fulfill.FakeClock) (inventory.Operation, time.Duration) {
			pick := func() string {
				if len(ids) == 0 {
					return "none"
				}
				return ids[int(c)%len(ids)]
			}
			serials := func(n int64) []string {
				if n <= 0 || n > 8 {
					return []string{"SN0"}
				}
				out := make([]string, n)
				for i := range out {
					out[i] = "SN" + string(rune('0'+(int(c)+i*int(b))%10))
				}
				return out
			}
			switch op % 16 {
			case 13:
				return &inventory.Receive{Meta: m, Key: k, Quantity: q, Serials: serials(q)}, 0
			case 14:
				return &inventory.Transfer{Meta: m, From: k, To: keys[int(c)%len(keys)].Location, Quantity: q, Serials: serials(q)}, 0
			case 15:
				return &inventory.Adjust{Meta: m, Key: k, Delta: -q, Serials: serials(q)}, 0
			case 0:
				return &inventory.Receive{Meta: m, Key: k, Quantity: q, Into: bk, FromIncoming: int64(c % 3)}, 0
			case 1:
				return &inventory.Adjust{Meta: m, Key: k, Bucket: bk, Delta: q}, 0
			case 2:
				return &inventory.Move{Meta: m, Key: k, From: bk, To: bk2, Quantity: q}, 0
			case 3:
				return &inventory.Transfer{Meta: m, From: k, To: keys[int(c)%len(keys)].Location, Quantity: q}, 0
			case 4:
				return &inventory.ReceiveTransfer{Meta: m, Key: k, Quantity: q}, 0
			case 5:
				return &inventory.Count{Meta: m, Key: k, OnHand: q}, 0
			case 6, 7:
				id := string(rune('r'+len(ids)%8)) + string(rune('0'+len(ids)))
				ids = append(ids, id)
				return &inventory.Reserve{Meta: m, Lines: []inventory.ReserveLine{{Key: k, Quantity: q, ID: id}, {Key: keys[int(c)%len(keys)], Quantity: int64(c % 4)}}, TTL: time.Duration(c%3) * time.Minute}, 0
			case 8:
				return &inventory.Release{Meta: m, Parts: []inventory.Part{{Reservation: pick(), Quantity: int64(c % 3)}}}, 0
			case 9:
				return &inventory.Commit{Meta: m, Parts: []inventory.Part{{Reservation: pick(), Quantity: int64(c % 3)}}}, 0
			case 10:
				return &inventory.Consume{Meta: m, Parts: []inventory.Part{{Reservation: pick(), Quantity: int64(c % 3)}}}, 0
			case 11:
				return &inventory.Unreserve{Meta: m, Reservations: []string{pick()}}, 0
			case 12:
				return &inventory.Consume{Meta: m, Parts: []inventory.Part{{Reservation: pick(), Quantity: int64(c%2 + 1), Serials: serials(int64(c%2 + 1))}}}, 0
			default:
				return nil, time.Duration(c) * time.Second
			}
		})
	}
	return out
}

// FuzzOperations applies arbitrary operation sequences: none may panic,
// every failure is a typed error, and afterwards every level keeps the
// invariant, holds no more serial numbers than units, and agrees with its
// reservations and the replayed ledger.
func FuzzOperations(f *testing.F) {
	f.Add([]byte{0, 0, 10, 0, 6, 0, 3, 0, 9, 0, 0, 0, 12, 0, 0, 200, 10, 0, 1, 0})
	f.Add([]byte{0, 1, 5, 1, 2, 1, 2, 0x09, 3, 1, 2, 1, 4, 0, 1, 0, 5, 2, 3, 0})
	f.Add([]byte{0, 0x80, 0x85, 1, 0, 0x80, 0x85, 1, 0, 0x80, 0x86, 1, 7, 0, 127, 0})
	f.Add([]byte{0, 2, 0x7f, 0, 0, 2, 0x7f, 0, 5, 2, 0x80, 0, 6, 2, 1, 2, 12, 0, 0, 255})
	f.Add([]byte{13, 0, 3, 1, 13, 1, 2, 1, 14, 0, 1, 1, 6, 0, 2, 0, 9, 0, 0, 0, 12, 0, 1, 1, 15, 0, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 400 {
			data = data[:400]
		}
		ctx := context.Background()
		clk := fulfill.NewFakeClock(t0)
		store := new(inventory.MemStore)
		inv := inventory.New(store, &inventory.Options{Clock: clk, Rand: rand.NewChaCha8([32]byte{})})
		for _, mk := range opsFromBytes(data) {
			op, wait := mk(inv, clk)
			if op == nil {
				clk.Advance(wait)
				continue
			}
			_, err := inv.Apply(ctx, op)
			if err != nil {
				typed := errors.Is(err, inventory.ErrInsufficientStock) || errors.Is(err, inventory.ErrInvalid) ||
					errors.Is(err, inventory.ErrNotFound) || errors.Is(err, inventory.ErrConflict) ||
					errors.Is(err, inventory.ErrExpired) || errors.Is(err, inventory.ErrOwnerMismatch) ||
					errors.Is(err, inventory.ErrIdempotencyConflict) || errors.Is(err, fulfill.ErrInvalidCode) ||
					errors.Is(err, inventory.ErrDuplicateSerial) || errors.Is(err, inventory.ErrSerialCount) ||
					errors.Is(err, fulfill.ErrOverflow)
				require.True(t, typed, "untyped error %v from %#v", err, op)
			}
		}
		for _, o := range []fulfill.OwnerID{"acme", "globex"} {
			d, err := inv.Reconcile(ctx, o)
			require.NoError(t, err)
			require.Empty(t, d)
			ls, err := inv.Levels(ctx, inventory.LevelQuery{Owner: o})
			require.NoError(t, err)
			units := map[inventory.Key]int64{}
			for _, l := range ls {
				require.NoError(t, l.Check())
				require.Equal(t, o, l.Owner)
				units[l.Key] = l.OnHand + l.InTransit
			}
			for _, sku := range []fulfill.SKU{"A", "B"} {
				sns, err := inv.Serials(ctx, o, sku)
				require.NoError(t, err)
				at := map[inventory.Key]int64{}
				for _, sn := range sns {
					require.Equal(t, o, sn.Owner)
					require.Equal(t, sku, sn.Key.SKU)
					at[sn.Key]++
				}
				for k, n := range at {
					require.LessOrEqual(t, n, units[k], "more serial numbers than units at %s", k)
				}
			}
		}
	})
}

// FuzzPlan checks that any request over any stock is either refused with an
// error or planned exactly: each line assigned plus backordered equals its
// quantity, and no level gives more than it has.
func FuzzPlan(f *testing.F) {
	f.Add([]byte{3, 5, 1, 2, 7, 0, 9}, uint8(0))
	f.Add([]byte{0, 0, 0, 0}, uint8(3))
	f.Add([]byte{255, 128, 1, 200, 17, 3, 3, 3, 9, 9}, uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, strategy uint8) {
		if len(data) > 200 {
			data = data[:200]
		}
		var levels []inventory.Level
		var req inventory.Request
		req.Owner, req.At = "acme", t0
		for i := 0; i+2 < len(data); i += 3 {
			sku := fulfill.SKU("S" + string(rune('0'+data[i]%4)))
			if data[i]&0x80 != 0 {
				req.Lines = append(req.Lines, inventory.Line{SKU: sku, Quantity: int64(int8(data[i+1]))})
				continue
			}
			l := lvl(string(sku), "L"+string(rune('0'+data[i+1]%21)), int64(data[i+2]))
			if data[i+1]&0x40 != 0 {
				l.Reserved = int64(data[i+2]) + 1 // broken level: never allocated
			}
			levels = append(levels, l)
		}
		strategies := []inventory.Strategy{nil, inventory.FewestShipments{}, inventory.HighestStock{}, inventory.Priority{Locations: []fulfill.LocationID{"L1", "L2"}},
			inventory.StoreFirst{Stores: []fulfill.LocationID{"L3"}}, inventory.Closest{Distance: func(l fulfill.LocationID) (int64, bool) { return int64(l[1]), l != "L4" }}}
		a, err := inventory.Plan(req, levels, strategies[int(strategy)%len(strategies)])
		if err != nil {
			require.ErrorIs(t, err, inventory.ErrInvalid, "%v", err)
			return
		}
		got := make([]int64, len(req.Lines))
		use := map[inventory.Key]int64{}
		for _, as := range a.Assignments {
			require.Positive(t, as.Quantity)
			got[as.Line] += as.Quantity
			use[as.Key] += as.Quantity
		}
		for _, b := range a.Backorders {
			require.Positive(t, b.Quantity)
			got[b.Line] += b.Quantity
		}
		for i, l := range req.Lines {
			require.Equal(t, l.Quantity, got[i])
		}
		avail := map[inventory.Key]int64{}
		for _, l := range levels {
			avail[l.Key] += max(0, l.Available())
		}
		for k, q := range use {
			require.LessOrEqual(t, q, avail[k])
		}
	})
}

// FuzzTxnJSON decodes arbitrary JSON as a Txn: decoding may fail, Compute
// may refuse it, neither may panic; a decoded Txn survives a round trip.
func FuzzTxnJSON(f *testing.F) {
	seed := inventory.Txn{Owner: "acme", Kind: inventory.KindReserve, At: t0,
		Changes: []inventory.Change{{Key: inventory.Key{Owner: "acme", SKU: "A", Location: "W"}, Delta: inventory.Buckets{OnHand: 4}, Expect: &inventory.Expectation{Bucket: inventory.BucketOnHand}}},
		Holds:   []inventory.Reservation{{ID: "r", Key: inventory.Key{Owner: "acme", SKU: "A", Location: "W"}, Reserved: 2, ExpiresAt: t0.Add(time.Hour)}},
		Steps:   []inventory.Step{{Reservation: "x", Kind: inventory.KindCommit}}}
	b, _ := json.Marshal(seed)
	f.Add(b)
	f.Add([]byte(`{"owner":"acme","kind":"adjust","at":"2026-03-01T00:00:00Z","changes":[{"key":{"owner":"acme","sku":"A","location":"W"},"delta":{"on_hand":-9223372036854775808}}]}`))
	f.Add([]byte(`{"owner":"acme","kind":"nope"}`))
	f.Add([]byte(`{"changes":[{"expect":{"bucket":"bogus"}}]}`))
	f.Add([]byte(`{"owner":"acme","kind":"commit","at":"2026-03-01T00:00:00Z","ref":{"type":"order","order":"018f2b6e-0000-7000-8000-0000000000c1"},` +
		`"steps":[{"reservation":"x","kind":"commit","line":"1"},{"reservation":"x","kind":"commit","line":"2"},{"reservation":"y","kind":"release","line":"3"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tx inventory.Txn
		if err := json.Unmarshal(data, &tx); err != nil {
			return
		}
		out, err := json.Marshal(tx)
		require.NoError(t, err)
		var back inventory.Txn
		require.NoError(t, json.Unmarshal(out, &back))
		again, err := json.Marshal(back)
		require.NoError(t, err)
		assert.JSONEq(t, string(out), string(again))
		st := inventory.State{Levels: map[inventory.Key]inventory.Level{}, Reservations: map[string]inventory.Reservation{}}
		res, err := inventory.Compute(&tx, st)
		if err == nil {
			for _, l := range res.Levels {
				require.NoError(t, l.Check())
			}
			return
		}
		require.NotPanics(t, func() { _ = err.Error() })
	})
}
