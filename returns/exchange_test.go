package returns

import (
	"errors"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exchangeCase is the test order with an approved return of 2 MUG (order
// line 1, return line 1) and 1 TEE (order line 2, return line 2), and the
// order's refund account.
type exchangeCase struct {
	o *order.Order
	r *Return
	a *Account
}

func newExchangeCase(t *testing.T) exchangeCase {
	o := delivered(t)
	r := requested(t, o)
	ok(t)(r.Approve(t0, ""))
	_, err := o.RequestReturn(t0, r.OrderRequest())
	require.NoError(t, err)
	return exchangeCase{o: o, r: r, a: NewAccount(o)}
}

// refund issues req against the case's account (for return r, if set).
func (c exchangeCase) refund(t *testing.T, r *Return, req RefundRequest) {
	t.Helper()
	_, err := c.a.Issue(t0, c.o, r, RefundPolicy{}, req)
	require.NoError(t, err)
}

// other returns a second approved return of the last MUG (order line 1).
func (c exchangeCase) other(t *testing.T) *Return {
	t.Helper()
	r2, _, err := New("RMA-2", c.o, t0, Request{Channel: ChannelMail, Lines: []RequestLine{{OrderLine: 1, Quantity: 1, Reason: ReasonNoLongerNeeded}}})
	require.NoError(t, err)
	_, err = c.o.RequestReturn(t0, r2.OrderRequest())
	require.NoError(t, err)
	ok(t)(r2.Approve(t0, ""))
	return r2
}

func lq(line order.LineID, n int64) []order.LineQuantity {
	return []order.LineQuantity{{Line: line, Quantity: n}}
}

func xl(line int, n int64) ExchangeLine { return ExchangeLine{Line: line, Quantity: n} }

// Refunded units are never exchanged, however the refund was issued: an
// exchange asking for them fails with a *QuantityError naming the line, the
// units it can still exchange and those asked, and changes neither the
// return nor the account.
func TestExchangeRefusesRefundedUnits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, c exchangeCase)
		lines []ExchangeLine
		// want is the error's line and quantities; empty Line means the
		// exchange succeeds.
		want QuantityError
	}{
		{"refund by return of the whole line", func(t *testing.T, c exchangeCase) {
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(1, 2)})
		}, []ExchangeLine{xl(1, 1)}, QuantityError{Line: "return line 1", Available: 0, Requested: 1}},
		{"partial refund by return", func(t *testing.T, c exchangeCase) {
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(1, 1)})
		}, []ExchangeLine{xl(1, 2)}, QuantityError{Line: "return line 1", Available: 1, Requested: 2}},
		{"partial refund by return leaves the rest exchangeable", func(t *testing.T, c exchangeCase) {
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(1, 1)})
		}, []ExchangeLine{xl(1, 1)}, QuantityError{}},
		{"refund of the whole return", func(t *testing.T, c exchangeCase) {
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn})
		}, []ExchangeLine{xl(2, 1)}, QuantityError{Line: "return line 2", Available: 0, Requested: 1}},
		{"refund by return before the units arrive, then missing", func(t *testing.T, c exchangeCase) {
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(1, 1)})
			ok(t)(c.r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 1, Outcome: OutcomeMissing}}}))
		}, []ExchangeLine{xl(1, 1)}, QuantityError{Line: "return line 1", Available: 0, Requested: 1}},
		{"claim of every shipped unit of the order line", func(t *testing.T, c exchangeCase) {
			c.refund(t, nil, RefundRequest{Key: "k", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 3)})
		}, []ExchangeLine{xl(1, 1)}, QuantityError{Line: "order line 1", Available: 0, Requested: 1}},
		{"claim of two units", func(t *testing.T, c exchangeCase) {
			c.refund(t, nil, RefundRequest{Key: "k", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 2)})
		}, []ExchangeLine{xl(1, 2)}, QuantityError{Line: "order line 1", Available: 1, Requested: 2}},
		{"claim of the unit not returned", func(t *testing.T, c exchangeCase) {
			c.refund(t, nil, RefundRequest{Key: "k", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 1)})
		}, []ExchangeLine{xl(1, 2)}, QuantityError{}},
		{"refund by another return and a claim", func(t *testing.T, c exchangeCase) {
			c.refund(t, c.other(t), RefundRequest{Key: "k", Kind: RefundReturn})
			c.refund(t, nil, RefundRequest{Key: "c", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 1)})
		}, []ExchangeLine{xl(1, 2)}, QuantityError{Line: "order line 1", Available: 1, Requested: 2}},
		{"exchange in another return and a claim", func(t *testing.T, c exchangeCase) {
			_, _, _, err := c.other(t).Exchange(t0, c.o, c.a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 1)}})
			require.NoError(t, err)
			c.refund(t, nil, RefundRequest{Key: "c", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 1)})
		}, []ExchangeLine{xl(1, 2)}, QuantityError{Line: "order line 1", Available: 1, Requested: 2}},
		{"a replayed refund counts once", func(t *testing.T, c exchangeCase) {
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(1, 1)})
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(1, 1)})
		}, []ExchangeLine{xl(1, 2)}, QuantityError{Line: "return line 1", Available: 1, Requested: 2}},
		{"two exchange lines for the same units", func(t *testing.T, c exchangeCase) {
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(1, 1)})
		}, []ExchangeLine{xl(2, 1), xl(1, 1), xl(1, 1)}, QuantityError{Line: "return line 1", Available: 0, Requested: 1}},
		{"a goodwill refund takes no units", func(t *testing.T, c exchangeCase) {
			c.refund(t, nil, RefundRequest{Key: "k", Kind: RefundGoodwill, Amount: usdAmt("5.00"), Lines: lq(1, 0)})
		}, []ExchangeLine{xl(1, 2)}, QuantityError{}},
		{"a previewed refund records nothing", func(t *testing.T, c exchangeCase) {
			_, err := c.a.Preview(c.o, c.r, RefundPolicy{}, RefundRequest{Key: "k", Kind: RefundReturn})
			require.NoError(t, err)
		}, []ExchangeLine{xl(1, 2), xl(2, 1)}, QuantityError{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newExchangeCase(t)
			tc.setup(t, c)
			before, account := snap(t, c.r), c.a.Snapshot()
			ro, _, events, err := c.r.Exchange(t0, c.o, c.a, newID, ExchangeRequest{Lines: tc.lines})
			if tc.want.Line == "" {
				require.NoError(t, err)
				require.NotNil(t, ro)
				require.Len(t, events, 1)
				var n int64
				for _, el := range tc.lines {
					n += el.Quantity
				}
				var recorded int64
				for _, x := range c.a.Exchanges() {
					if x.Return == c.r.ID() && x.Replacement == newID {
						recorded += x.Quantity
					}
				}
				assert.Equal(t, n, recorded, "the account records the units exchanged")
				return
			}
			qe, ok := errors.AsType[*QuantityError](err)
			require.True(t, ok, "want a *QuantityError, got %v", err)
			assert.ErrorIs(t, err, ErrQuantity)
			assert.Equal(t, tc.want.Line, qe.Line)
			assert.Equal(t, tc.want.Available, qe.Available, "available")
			assert.Equal(t, tc.want.Requested, qe.Requested, "requested")
			assert.Contains(t, qe.Error(), "exchange")
			assert.Nil(t, ro)
			assert.Equal(t, before, snap(t, c.r), "the return changed")
			assert.Equal(t, account, c.a.Snapshot(), "the account changed")
		})
	}
}

// Exchanged units are never refunded, by return or by claim, and the
// account's exchanges survive a snapshot.
func TestExchangedUnitsAreNotRefunded(t *testing.T) {
	for _, tc := range []struct {
		name string
		ret  bool // a return refund of c.r, else a claim
		req  RefundRequest
		want QuantityError // empty Line means the refund is issued
	}{
		{"return refund of an exchanged unit", true, RefundRequest{Kind: RefundReturn, Lines: lq(1, 1)},
			QuantityError{Line: "order line 1", Available: 0, Requested: 1}},
		{"return refund of the rest", true, RefundRequest{Kind: RefundReturn}, QuantityError{}},
		{"claim of every shipped unit", false, RefundRequest{Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 3)},
			QuantityError{Line: "order line 1", Available: 1, Requested: 3}},
		{"claim of the unit not exchanged", false, RefundRequest{Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 1)}, QuantityError{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newExchangeCase(t)
			_, _, _, err := c.r.Exchange(t0, c.o, c.a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 2)}})
			require.NoError(t, err)
			roundTripAccount(t, c.a)
			restored, err := RestoreAccount(c.a.Snapshot())
			require.NoError(t, err)
			assert.Equal(t, int64(2), restored.ExchangedForReturn("RMA-1", 1))
			assert.Equal(t, int64(2), restored.ExchangedLine(1))
			var r *Return
			if tc.ret {
				r = c.r
			}
			tc.req.Key = "k"
			f, err := restored.Issue(t0, c.o, r, RefundPolicy{}, tc.req)
			if tc.want.Line == "" {
				require.NoError(t, err)
				require.NotEmpty(t, f.Lines)
				return
			}
			qe, ok := errors.AsType[*QuantityError](err)
			require.True(t, ok, "want a *QuantityError, got %v", err)
			assert.Equal(t, tc.want, QuantityError{Line: qe.Line, Available: qe.Available, Requested: qe.Requested})
			assert.Empty(t, restored.Refunds())
		})
	}
}

func TestExchangeNeedsTheOrdersAccount(t *testing.T) {
	c := newExchangeCase(t)
	o2, _, err := order.Place(fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8059"), owner, t0, placeRq)
	require.NoError(t, err)
	for name, a := range map[string]*Account{"nil": nil, "another order's": NewAccount(o2)} {
		before := snap(t, c.r)
		_, _, _, err := c.r.Exchange(t0, c.o, a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 1)}})
		assert.ErrorIs(t, err, ErrInvalidReturn, name)
		assert.Equal(t, before, snap(t, c.r), name)
	}
}

func TestRestoreAccountChecksExchanges(t *testing.T) {
	good := ExchangeRecord{Return: "RMA-1", Line: 1, Quantity: 1, Replacement: newID, At: t0}
	for _, tc := range []struct {
		name string
		x    func(*ExchangeRecord)
	}{
		{"no return", func(x *ExchangeRecord) { x.Return = "" }},
		{"no line", func(x *ExchangeRecord) { x.Line = 0 }},
		{"zero quantity", func(x *ExchangeRecord) { x.Quantity = 0 }},
		{"negative quantity", func(x *ExchangeRecord) { x.Quantity = -1 }},
		{"too many units", func(x *ExchangeRecord) { x.Quantity = MaxUnits + 1 }},
		{"no replacement", func(x *ExchangeRecord) { x.Replacement = fulfill.OrderID{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := good
			tc.x(&x)
			s := NewAccount(delivered(t)).Snapshot()
			s.Exchanges = []ExchangeRecord{good, x}
			_, err := RestoreAccount(s)
			assert.ErrorIs(t, err, ErrInvalidReturn)
		})
	}
	s := NewAccount(delivered(t)).Snapshot()
	s.Exchanges = []ExchangeRecord{good, good}
	a, err := RestoreAccount(s)
	require.NoError(t, err)
	assert.Equal(t, int64(2), a.ExchangedForReturn("RMA-1", 1))
}

// The account is saved before the return; when the return's save then
// fails, the exchange is retried on the return as stored, with the same
// replacement order, and replaces the account's record instead of adding
// to it.
func TestExchangeRetriedAfterTheReturnsSaveFailed(t *testing.T) {
	c := newExchangeCase(t)
	stored := c.r.Clone()
	_, _, _, err := c.r.Exchange(t0, c.o, c.a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 2)}})
	require.NoError(t, err)
	// The return's save failed: retry on the stored return, asking for less.
	_, _, _, err = stored.Exchange(t0.Add(time.Minute), c.o, c.a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 1)}})
	require.NoError(t, err)
	assert.Equal(t, []ExchangeRecord{{Return: "RMA-1", Line: 1, Quantity: 1, Replacement: newID, At: t0.Add(time.Minute)}}, c.a.Exchanges())
	assert.Equal(t, int64(1), c.a.ExchangedLine(1))
	// Another exchange into another order adds to it; one into the same
	// order, once the return lists it, too.
	other := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8060")
	_, _, _, err = stored.Exchange(t0, c.o, c.a, other, ExchangeRequest{Lines: []ExchangeLine{xl(2, 1)}})
	require.NoError(t, err)
	_, _, _, err = stored.Exchange(t0, c.o, c.a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 1)}})
	require.NoError(t, err)
	assert.Equal(t, int64(2), c.a.ExchangedForReturn("RMA-1", 1))
	assert.Equal(t, int64(1), c.a.ExchangedForReturn("RMA-1", 2))
	assert.Len(t, c.a.Exchanges(), 3)
}
