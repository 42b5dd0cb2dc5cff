package returnstest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/returns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	t0    = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	usd   = fulfill.Currency("USD")
	place = order.PlaceRequest{
		Channel: order.ChannelWeb, ShipTo: fulfill.Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"},
		Currency: usd, Lines: []order.NewLine{{SKU: "MUG", Quantity: 4, UnitPrice: fulfill.MustMoney("10.00", usd)}},
	}
)

// Order returns a delivered order of 4 MUG at 10.00 USD for owner, with
// the given ID; test helpers for stores and hosts.
func Order(t testing.TB, owner fulfill.OwnerID, id fulfill.OrderID) *order.Order {
	t.Helper()
	o, _, err := order.Place(id, owner, t0, place)
	require.NoError(t, err)
	for _, r := range []order.Request{
		order.ConfirmRequest{},
		order.AllocateRequest{Location: "WH1", Lines: []order.LineQuantity{{Line: 1, Quantity: 4}}},
		order.ShipRequest{Shipment: "S1", Fulfillment: 1},
		order.DeliverRequest{Shipment: "S1"},
	} {
		_, err := o.Execute(t0, r)
		require.NoError(t, err)
	}
	return o
}

// Return returns a new (unstored) return id of one unit of o.
func Return(t testing.TB, o *order.Order, id returns.ID) *returns.Return {
	t.Helper()
	r, _, err := returns.New(id, o, t0, returns.Request{Channel: returns.ChannelMail,
		Lines: []returns.RequestLine{{OrderLine: 1, Quantity: 1, Reason: returns.ReasonDamaged}}})
	require.NoError(t, err)
	return r
}

// Run checks the store made by newStore (called once per subtest, so each
// starts empty) against the [returns.Store] contract.
func Run(t *testing.T, newStore func(t *testing.T) returns.Store) {
	ctx := context.Background()
	oid := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8057")
	replacement := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8058")

	t.Run("CreateGetSave", func(t *testing.T) {
		s := newStore(t)
		r := Return(t, Order(t, "acme", oid), "RMA-1")
		require.NoError(t, s.Create(ctx, r))
		assert.Equal(t, int64(1), r.Version())
		err := s.Create(ctx, Return(t, Order(t, "acme", oid), "RMA-1"))
		assert.ErrorIs(t, err, returns.ErrAlreadyExists)
		got, err := s.Get(ctx, "acme", "RMA-1")
		require.NoError(t, err)
		assert.Equal(t, int64(1), got.Version())
		assert.Equal(t, returns.StatusRequested, got.Status())
		_, err = got.Approve(t0, "")
		require.NoError(t, err)
		require.NoError(t, s.Save(ctx, got))
		assert.Equal(t, int64(2), got.Version())
		again, err := s.Get(ctx, "acme", "RMA-1")
		require.NoError(t, err)
		assert.Equal(t, returns.StatusApproved, again.Status())
		assert.Equal(t, int64(2), again.Version())
	})

	t.Run("OwnerIsolation", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Create(ctx, Return(t, Order(t, "acme", oid), "RMA-1")))
		_, err := s.Get(ctx, "other", "RMA-1")
		var nf *returns.NotFoundError
		require.ErrorAs(t, err, &nf)
		assert.ErrorIs(t, err, returns.ErrNotFound)
		// Another owner may use the same return ID.
		require.NoError(t, s.Create(ctx, Return(t, Order(t, "other", oid), "RMA-1")))
		rs, err := s.ForOrder(ctx, "acme", oid)
		require.NoError(t, err)
		require.Len(t, rs, 1)
		assert.Equal(t, fulfill.OwnerID("acme"), rs[0].Owner())
		_, err = s.Account(ctx, "other", oid)
		assert.ErrorIs(t, err, returns.ErrNotFound)
	})

	t.Run("StaleSave", func(t *testing.T) {
		s := newStore(t)
		r := Return(t, Order(t, "acme", oid), "RMA-1")
		require.NoError(t, s.Create(ctx, r))
		a, _ := s.Get(ctx, "acme", "RMA-1")
		b, _ := s.Get(ctx, "acme", "RMA-1")
		_, err := a.Approve(t0, "")
		require.NoError(t, err)
		require.NoError(t, s.Save(ctx, a))
		_, err = b.Decline(t0, "no")
		require.NoError(t, err)
		err = s.Save(ctx, b)
		var ce *returns.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, int64(1), ce.Expected)
		assert.Equal(t, int64(2), ce.Actual)
		got, _ := s.Get(ctx, "acme", "RMA-1")
		assert.Equal(t, returns.StatusApproved, got.Status(), "the stale write changed nothing")
		err = s.Save(ctx, Return(t, Order(t, "acme", oid), "RMA-404"))
		assert.ErrorIs(t, err, returns.ErrNotFound)
	})

	t.Run("Copies", func(t *testing.T) {
		s := newStore(t)
		r := Return(t, Order(t, "acme", oid), "RMA-1")
		require.NoError(t, s.Create(ctx, r))
		_, err := r.Approve(t0, "")
		require.NoError(t, err)
		got, _ := s.Get(ctx, "acme", "RMA-1")
		assert.Equal(t, returns.StatusRequested, got.Status(), "changing a value after Create does not change the store")
		_, err = got.Cancel(t0, "")
		require.NoError(t, err)
		again, _ := s.Get(ctx, "acme", "RMA-1")
		assert.Equal(t, returns.StatusRequested, again.Status(), "changing a value from Get does not change the store")
	})

	t.Run("Accounts", func(t *testing.T) {
		s := newStore(t)
		o := Order(t, "acme", oid)
		_, err := s.Account(ctx, "acme", oid)
		require.ErrorIs(t, err, returns.ErrNotFound)
		a := returns.NewAccount(o)
		require.NoError(t, s.SaveAccount(ctx, a))
		stale := returns.NewAccount(o)
		assert.ErrorIs(t, s.SaveAccount(ctx, stale), returns.ErrConflict)
		got, err := s.Account(ctx, "acme", oid)
		require.NoError(t, err)
		_, err = got.Issue(t0, o, nil, returns.RefundPolicy{}, returns.RefundRequest{Key: "g", Kind: returns.RefundGoodwill, Amount: fulfill.MustMoney("1.00", usd)})
		require.NoError(t, err)
		require.NoError(t, s.SaveAccount(ctx, got))
		assert.ErrorIs(t, s.SaveAccount(ctx, a), returns.ErrConflict)
		again, err := s.Account(ctx, "acme", oid)
		require.NoError(t, err)
		assert.Equal(t, "1.00 USD", again.Refunded().String())
		assert.Equal(t, int64(2), again.Version())

		// The account keeps the exchanges, so that their units are never
		// refunded.
		r := Return(t, o, "RMA-X")
		_, err = r.Approve(t0, "")
		require.NoError(t, err)
		_, _, _, err = r.Exchange(t0, o, again, replacement, returns.ExchangeRequest{Lines: []returns.ExchangeLine{{Line: 1, Quantity: 1}}})
		require.NoError(t, err)
		require.NoError(t, s.SaveAccount(ctx, again))
		got, err = s.Account(ctx, "acme", oid)
		require.NoError(t, err)
		assert.Equal(t, again.Exchanges(), got.Exchanges())
		assert.Equal(t, int64(1), got.ExchangedForReturn("RMA-X", 1))
		_, err = got.Issue(t0, o, r, returns.RefundPolicy{}, returns.RefundRequest{Key: "r", Kind: returns.RefundReturn})
		assert.ErrorIs(t, err, returns.ErrQuantity, "the exchanged unit is not refunded")
	})

	t.Run("ExchangeAndRefundRacing", func(t *testing.T) {
		// Writers race to exchange or to refund the same two units of a
		// return, each saving the account first: exactly one wins, and no
		// unit ends up both refunded and exchanged.
		s := newStore(t)
		o := Order(t, "acme", oid)
		r, _, err := returns.New("RMA-1", o, t0, returns.Request{Channel: returns.ChannelMail,
			Lines: []returns.RequestLine{{OrderLine: 1, Quantity: 2, Reason: returns.ReasonNoLongerNeeded}}})
		require.NoError(t, err)
		_, err = r.Approve(t0, "")
		require.NoError(t, err)
		require.NoError(t, s.Create(ctx, r))
		require.NoError(t, s.SaveAccount(ctx, returns.NewAccount(o)))
		const n = 8
		won := winners(n, func(i int) bool {
			r, err := s.Get(ctx, "acme", "RMA-1")
			if err != nil {
				return false
			}
			a, err := s.Account(ctx, "acme", oid)
			if err != nil {
				return false
			}
			if i%2 == 0 {
				id := fulfill.MustOrderID(fmt.Sprintf("01890a5d-ac96-774b-bcce-b302099a80%02d", 60+i))
				if _, _, _, err := r.Exchange(t0, o, a, id, returns.ExchangeRequest{Lines: []returns.ExchangeLine{{Line: 1, Quantity: 2}}}); err != nil {
					return false
				}
				return s.SaveAccount(ctx, a) == nil && s.Save(ctx, r) == nil
			}
			if _, err := a.Issue(t0, o, r, returns.RefundPolicy{}, returns.RefundRequest{Key: fmt.Sprint("k", i), Kind: returns.RefundReturn}); err != nil {
				return false
			}
			return s.SaveAccount(ctx, a) == nil
		})
		assert.Equal(t, 1, won, "exactly one exchange or refund of the same units wins")
		got, err := s.Get(ctx, "acme", "RMA-1")
		require.NoError(t, err)
		a, err := s.Account(ctx, "acme", oid)
		require.NoError(t, err)
		l, _ := got.Line(1)
		assert.Equal(t, l.Exchanged, a.ExchangedForReturn("RMA-1", 1), "the return and the account agree")
		assert.Equal(t, int64(2), a.RefundedForReturn("RMA-1", 1)+a.ExchangedForReturn("RMA-1", 1), "both units refunded or both exchanged")
	})

	t.Run("ClaimRefundAndReplacementRacing", func(t *testing.T) {
		// Writers race for the last unit of an order line, half refunding
		// it by claim and half replacing it, each saving the account:
		// exactly one wins, and the unit ends up refunded or replaced,
		// never both.
		s := newStore(t)
		o := Order(t, "acme", oid)
		a := returns.NewAccount(o)
		_, err := a.Issue(t0, o, nil, returns.RefundPolicy{}, returns.RefundRequest{Key: "first", Kind: returns.RefundClaim,
			Reason: returns.ReasonMissing, Lines: []order.LineQuantity{{Line: 1, Quantity: 2}}})
		require.NoError(t, err)
		one := []returns.ReplacementLine{{OrderLine: 1, Quantity: 1}}
		_, _, err = a.Replace(t0, o, replacement, one, nil)
		require.NoError(t, err)
		require.NoError(t, s.SaveAccount(ctx, a))
		const n = 8
		won := winners(n, func(i int) bool {
			a, err := s.Account(ctx, "acme", oid)
			if err != nil {
				return false
			}
			if i%2 == 0 {
				id := fulfill.MustOrderID(fmt.Sprintf("01890a5d-ac96-774b-bcce-b302099a80%02d", 70+i))
				if _, _, err := a.Replace(t0, o, id, one, nil); err != nil {
					return false
				}
			} else if _, err := a.Issue(t0, o, nil, returns.RefundPolicy{}, returns.RefundRequest{Key: fmt.Sprint("k", i), Kind: returns.RefundClaim,
				Reason: returns.ReasonMissing, Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}}); err != nil {
				return false
			}
			return s.SaveAccount(ctx, a) == nil
		})
		assert.Equal(t, 1, won, "exactly one claim refund or replacement of the last unit wins")
		got, err := s.Account(ctx, "acme", oid)
		require.NoError(t, err)
		refunded, _ := got.RefundedLine(1)
		assert.Equal(t, int64(4), refunded+got.ReplacedLine(1), "every unit refunded or replaced once")
		_, err = got.Issue(t0, o, nil, returns.RefundPolicy{}, returns.RefundRequest{Key: "late", Kind: returns.RefundClaim,
			Reason: returns.ReasonMissing, Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}})
		assert.ErrorIs(t, err, returns.ErrQuantity, "no unit is left to refund")
		// The store keeps the replacements: retrying the first counts it
		// once, and another is refused.
		_, _, err = got.Replace(t0, o, replacement, one, nil)
		require.NoError(t, err)
		require.NoError(t, s.SaveAccount(ctx, got))
		again, err := s.Account(ctx, "acme", oid)
		require.NoError(t, err)
		assert.Equal(t, got.Replacements(), again.Replacements())
		assert.Equal(t, got.ReplacedLine(1), again.ReplacedLine(1))
		_, _, err = again.Replace(t0, o, fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8080"), one, nil)
		assert.ErrorIs(t, err, returns.ErrQuantity, "no unit is left to replace")
	})

	t.Run("RacingWriters", func(t *testing.T) {
		s := newStore(t)
		o := Order(t, "acme", oid)
		require.NoError(t, s.Create(ctx, Return(t, o, "RMA-1")))
		require.NoError(t, s.SaveAccount(ctx, returns.NewAccount(o)))
		const n = 8
		var wg sync.WaitGroup
		wins := make([]bool, n)
		refundWins := make([]bool, n)
		for i := range n {
			wg.Go(func() {
				r, err := s.Get(ctx, "acme", "RMA-1")
				if err != nil {
					return
				}
				if _, err := r.Approve(t0, fmt.Sprint(i)); err != nil {
					return
				}
				wins[i] = s.Save(ctx, r) == nil
				a, err := s.Account(ctx, "acme", oid)
				if err != nil {
					return
				}
				// Every writer refunds the last 10.00 left on one unit.
				if _, err := a.Issue(t0, o, nil, returns.RefundPolicy{}, returns.RefundRequest{Key: fmt.Sprint("k", i), Kind: returns.RefundClaim,
					Reason: returns.ReasonMissing, Lines: []order.LineQuantity{{Line: 1, Quantity: 4}}}); err != nil {
					return
				}
				refundWins[i] = s.SaveAccount(ctx, a) == nil
			})
		}
		wg.Wait()
		count := func(bs []bool) (c int) {
			for _, b := range bs {
				if b {
					c++
				}
			}
			return c
		}
		assert.Equal(t, 1, count(wins), "exactly one approval of version 1 wins")
		got, _ := s.Get(ctx, "acme", "RMA-1")
		assert.Equal(t, int64(2), got.Version())
		assert.Equal(t, returns.StatusApproved, got.Status())
		assert.Equal(t, 1, count(refundWins), "exactly one refund of the same units wins")
		a, _ := s.Account(ctx, "acme", oid)
		assert.Equal(t, "40.00 USD", a.Refunded().String())
	})
}

// winners runs try(0) to try(n-1) at once and returns how many of them
// reported a win.
func winners(n int, try func(i int) bool) int {
	var wg sync.WaitGroup
	wins := make([]bool, n)
	for i := range n {
		wg.Go(func() { wins[i] = try(i) })
	}
	wg.Wait()
	won := 0
	for _, w := range wins {
		if w {
			won++
		}
	}
	return won
}
