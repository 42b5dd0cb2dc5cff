package inventorytest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/require"
)

// model is a simple reference implementation: the buckets a level keeps by
// itself, the reservations whose sums are its reserved and committed, and
// the serial numbers at each level.
type model struct {
	base    map[inventory.Key]inventory.Buckets // Reserved and Committed unused
	res     map[string]*modelRes
	ids     []string
	serials map[inventory.Key][]string
	nextSN  int
}

type modelRes struct {
	key                 inventory.Key
	reserved, committed int64
	expires             time.Time
}

func (m *model) expired(r *modelRes, now time.Time) bool {
	return !r.expires.IsZero() && !now.Before(r.expires)
}

// level returns the level of k as seen at now.
func (m *model) level(k inventory.Key, now time.Time) inventory.Buckets {
	b := m.base[k]
	for _, r := range m.res {
		if r.key != k {
			continue
		}
		if !m.expired(r, now) {
			b.Reserved += r.reserved
		}
		b.Committed += r.committed
	}
	return b
}

// serialsOK reports whether k would hold no more serial numbers than units
// (on hand plus in transit) after units more units and sns more serial
// numbers.
func (m *model) serialsOK(k inventory.Key, units, sns int64) bool {
	b := m.base[k]
	return int64(len(m.serials[k]))+sns <= b.OnHand+b.InTransit+units
}

// newSerials returns n serial numbers never used before.
func (m *model) newSerials(n int64) []string {
	out := make([]string, n)
	for i := range out {
		m.nextSN++
		out[i] = fmt.Sprint("S", m.nextSN)
	}
	return out
}

// lastSerials returns the last n serial numbers at k, or nil if it has
// fewer.
func (m *model) lastSerials(k inventory.Key, n int64) []string {
	have := m.serials[k]
	if n <= 0 || int64(len(have)) < n {
		return nil
	}
	return slices.Clone(have[int64(len(have))-n:])
}

// moveSerials takes sns (the last serial numbers at from) away from from and,
// unless to is zero, adds them to to.
func (m *model) moveSerials(sns []string, from, to inventory.Key) {
	if from != (inventory.Key{}) {
		m.serials[from] = m.serials[from][:len(m.serials[from])-len(sns)]
	}
	if to != (inventory.Key{}) {
		m.serials[to] = append(m.serials[to], sns...)
	}
}

// ok reports whether the levels at now would keep the invariant after
// adding extra to k's base buckets.
func (m *model) ok(k inventory.Key, extra inventory.Buckets, now time.Time) bool {
	b, err := m.level(k, now).Add(extra)
	return err == nil && b.Check() == nil
}

func (s *suite) randomSequences(t *testing.T) {
	for seed := s.opts.Seed; seed < s.opts.Seed+3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { s.randomSequence(t, seed) })
	}
}

func (s *suite) randomSequence(t *testing.T, seed uint64) {
	ctx := context.Background()
	e := s.env(t)
	rng := rand.New(rand.NewPCG(seed, 99))
	keys := []inventory.Key{key("A", "WH1"), key("A", "WH2"), key("B", "WH1"), key("B", "WH2")}
	m := &model{base: map[inventory.Key]inventory.Buckets{}, res: map[string]*modelRes{}, serials: map[inventory.Key][]string{}}
	// Stores that track serial numbers get operations naming them too, and
	// are checked never to hold more serial numbers at a level than units.
	_, tracking := e.store.(inventory.SerialStore)
	named := func() bool { return rng.IntN(2) == 0 && tracking }
	held := []inventory.Bucket{inventory.BucketAvailable, inventory.BucketDamaged, inventory.BucketQuarantine, inventory.BucketSafety}
	into := func(b inventory.Bucket, q int64) inventory.Buckets {
		d := inventory.Buckets{OnHand: q}
		switch b {
		case inventory.BucketDamaged:
			d.Damaged = q
		case inventory.BucketQuarantine:
			d.Quarantine = q
		case inventory.BucketSafety:
			d.Safety = q
		}
		return d
	}
	pickRes := func() (string, *modelRes) {
		if len(m.ids) == 0 {
			return "missing", nil
		}
		id := m.ids[rng.IntN(len(m.ids))]
		return id, m.res[id]
	}
	nres, serialRefusals := 0, 0
	for step := range s.opts.Steps {
		now := e.clock.Now()
		k := keys[rng.IntN(len(keys))]
		q := 1 + rng.Int64N(6)
		var op inventory.Operation
		want := true // whether the model says the operation succeeds
		var wantErr error
		var commit func()
		switch rng.IntN(11) {
		case 0, 1:
			b := held[rng.IntN(len(held))]
			var sns []string
			if rng.IntN(5) > 0 && tracking { // mostly serialised, so that the rule bites
				sns = m.newSerials(q)
			}
			op = &inventory.Receive{Meta: meta(""), Key: k, Quantity: q, Into: b, Serials: sns}
			commit = func() {
				m.base[k], _ = m.base[k].Add(into(b, q))
				m.moveSerials(sns, inventory.Key{}, k)
			}
		case 2:
			b := held[rng.IntN(len(held))]
			d := into(b, -q)
			var sns []string
			if named() {
				sns = m.lastSerials(k, q)
			}
			op = &inventory.Adjust{Meta: meta(""), Key: k, Bucket: b, Delta: -q, Serials: sns}
			want = m.ok(k, d, now)
			if want && !m.serialsOK(k, -q, -int64(len(sns))) {
				want, wantErr = false, inventory.ErrSerialCount
			}
			commit = func() {
				m.base[k], _ = m.base[k].Add(d)
				m.moveSerials(sns, k, inventory.Key{})
			}
		case 3:
			from, to := held[rng.IntN(len(held))], held[rng.IntN(len(held))]
			if from == to {
				continue
			}
			d, _ := into(to, q).Add(into(from, -q))
			op = &inventory.Move{Meta: meta(""), Key: k, From: from, To: to, Quantity: q}
			want = m.ok(k, d, now)
			commit = func() { m.base[k], _ = m.base[k].Add(d) }
		case 4, 5:
			n := 1 + rng.IntN(3)
			var lines []inventory.ReserveLine
			sum := map[inventory.Key]int64{}
			for i := range n {
				lk := keys[rng.IntN(len(keys))]
				lq := 1 + rng.Int64N(4)
				lines = append(lines, inventory.ReserveLine{Key: lk, Quantity: lq, ID: fmt.Sprintf("r%d-%d", nres, i)})
				sum[lk] += lq
			}
			nres++
			var ttl time.Duration
			if rng.IntN(2) == 0 {
				ttl = time.Duration(1+rng.IntN(30)) * time.Minute
			}
			op = &inventory.Reserve{Meta: meta(""), Lines: lines, TTL: ttl}
			for lk, lq := range sum {
				want = want && m.ok(lk, inventory.Buckets{Reserved: lq}, now)
			}
			commit = func() {
				for _, l := range lines {
					r := &modelRes{key: l.Key, reserved: l.Quantity}
					if ttl > 0 {
						r.expires = now.Add(ttl)
					}
					m.res[l.ID] = r
					m.ids = append(m.ids, l.ID)
				}
			}
		case 6:
			id, r := pickRes()
			qty := int64(0)
			if rng.IntN(2) == 0 {
				qty = 1 + rng.Int64N(3)
			}
			kind := []inventory.Kind{inventory.KindRelease, inventory.KindCommit, inventory.KindConsume, inventory.KindUnreserve}[rng.IntN(4)]
			parts := []inventory.Part{{Reservation: id, Quantity: qty}}
			switch kind {
			case inventory.KindRelease:
				op = &inventory.Release{Meta: meta(""), Parts: parts}
			case inventory.KindCommit:
				op = &inventory.Commit{Meta: meta(""), Parts: parts}
			case inventory.KindConsume:
				op = &inventory.Consume{Meta: meta(""), Parts: parts}
			case inventory.KindUnreserve:
				qty = 0
				op = &inventory.Unreserve{Meta: meta(""), Reservations: []string{id}}
			}
			if r == nil {
				want, wantErr = false, inventory.ErrNotFound
				break
			}
			reserved := r.reserved
			if m.expired(r, now) {
				reserved = 0
			}
			take := func(have int64) (int64, bool) {
				if qty == 0 {
					return have, true
				}
				return qty, qty <= have
			}
			switch kind {
			case inventory.KindRelease:
				n, ok := take(reserved)
				want = ok
				commit = func() { r.reserved = reserved - n }
			case inventory.KindCommit:
				if reserved == 0 && m.expired(r, now) {
					want, wantErr = false, inventory.ErrExpired
					break
				}
				n, ok := take(reserved)
				want = ok
				commit = func() { r.reserved, r.committed = reserved-n, r.committed+n }
			case inventory.KindConsume:
				n, ok := take(r.committed)
				want = ok
				var sns []string
				if ok && named() {
					sns = m.lastSerials(r.key, n)
					parts[0].Serials = sns // op shares parts
				}
				if want && !m.serialsOK(r.key, -n, -int64(len(sns))) {
					want, wantErr = false, inventory.ErrSerialCount
				}
				commit = func() {
					r.committed -= n
					b := m.base[r.key]
					b.OnHand -= n
					m.base[r.key] = b
					m.moveSerials(sns, r.key, inventory.Key{})
				}
			case inventory.KindUnreserve:
				commit = func() { r.reserved, r.committed = 0, 0 }
			}
		case 7:
			to := k
			to.Location = map[fulfill.LocationID]fulfill.LocationID{"WH1": "WH2", "WH2": "WH1"}[k.Location]
			var sns []string
			if named() {
				sns = m.lastSerials(k, q)
			}
			op = &inventory.Transfer{Meta: meta(""), From: k, To: to.Location, Quantity: q, Serials: sns}
			want = m.ok(k, inventory.Buckets{OnHand: -q}, now)
			if want && !m.serialsOK(k, -q, -int64(len(sns))) {
				want, wantErr = false, inventory.ErrSerialCount
			}
			commit = func() {
				m.base[k], _ = m.base[k].Add(inventory.Buckets{OnHand: -q})
				m.base[to], _ = m.base[to].Add(inventory.Buckets{InTransit: q})
				m.moveSerials(sns, k, to)
			}
		case 8:
			if m.base[k].InTransit == 0 {
				continue
			}
			q = min(q, m.base[k].InTransit)
			op = &inventory.ReceiveTransfer{Meta: meta(""), Key: k, Quantity: q}
			commit = func() { m.base[k], _ = m.base[k].Add(inventory.Buckets{OnHand: q, InTransit: -q}) }
		case 9:
			counted := max(0, m.base[k].OnHand-3+rng.Int64N(6))
			d := inventory.Buckets{OnHand: counted - m.base[k].OnHand}
			op = &inventory.Count{Meta: meta(""), Key: k, OnHand: counted}
			want = m.ok(k, d, now)
			if want && !m.serialsOK(k, d.OnHand, 0) {
				want, wantErr = false, inventory.ErrSerialCount
			}
			commit = func() { m.base[k], _ = m.base[k].Add(d) }
		case 10:
			e.clock.Advance(time.Duration(rng.IntN(20)) * time.Minute)
			continue
		}
		_, err := e.inv.Apply(ctx, op)
		if errors.Is(err, inventory.ErrSerialCount) {
			serialRefusals++
		}
		if want {
			require.NoError(t, err, "step %d: %#v", step, op)
			if commit != nil {
				commit()
			}
		} else {
			require.Error(t, err, "step %d: %#v should fail", step, op)
			if wantErr == nil {
				wantErr = inventory.ErrInsufficientStock
			}
			require.True(t, errors.Is(err, wantErr), "step %d: %v, want %v", step, err, wantErr)
		}
		now = e.clock.Now()
		for _, k := range keys {
			got := e.level(t, k)
			require.Equal(t, m.level(k, now), got.Buckets, "step %d: level %s", step, k)
			require.NoError(t, got.Check())
		}
		if tracking {
			at := map[inventory.Key][]string{}
			for _, sku := range []fulfill.SKU{"A", "B"} {
				maps.Copy(at, e.serialsWithinUnits(t, owner, sku))
			}
			for _, k := range keys {
				ms := slices.Clone(m.serials[k])
				slices.Sort(ms)
				require.Equal(t, len(ms) > 0, len(at[k]) > 0, "step %d: serial numbers at %s", step, k)
				if len(ms) > 0 {
					require.Equal(t, ms, at[k], "step %d: serial numbers at %s", step, k)
				}
			}
		}
	}
	if tracking {
		n := 0
		for _, sns := range m.serials {
			n += len(sns)
		}
		t.Logf("%d serial numbers in stock at the end; %d operations refused for leaving more serial numbers than units", n, serialRefusals)
	}
	e.reconciled(t, owner)
}
