package returns

import (
	"context"
	"errors"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/order"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkRefund checks the arithmetic every refund must satisfy.
func checkRefund(t testing.TB, f Refund) {
	t.Helper()
	total := f.Shipping
	var label fulfill.Money
	for _, l := range f.Lines {
		if f.Kind != RefundGoodwill {
			paid, _ := l.Gross.Sub(l.LineDiscount)
			paid, _ = paid.Sub(l.OrderDiscount)
			paid, _ = paid.Add(l.Tax)
			require.True(t, paid.Equal(l.Paid), "line %d: %s - %s - %s + %s != %s", l.Line, l.Gross, l.LineDiscount, l.OrderDiscount, l.Tax, l.Paid)
			amt, _ := l.Paid.Sub(l.Capped)
			amt, _ = amt.Sub(l.RestockingFee)
			amt, _ = amt.Sub(l.LabelDeduction)
			require.True(t, amt.Equal(l.Amount), "line %d: amount %s, want %s", l.Line, l.Amount, amt)
		}
		require.GreaterOrEqual(t, l.Amount.Sign(), 0, "line %d: negative refund %s", l.Line, l.Amount)
		_, err := l.Amount.MinorUnits()
		require.NoError(t, err, "line %d: %s is not whole cents", l.Line, l.Amount)
		total, _ = total.Add(l.Amount)
		label, _ = label.Add(l.LabelDeduction)
	}
	require.True(t, total.Equal(f.Total), "total %s, want %s", f.Total, total)
	require.True(t, label.Equal(f.LabelDeduction))
}

func approvedOf(t *testing.T, o *order.Order, lines ...RequestLine) *Return {
	t.Helper()
	r, _, err := New("RMA-9", o, t0, Request{Channel: ChannelMail, Lines: lines})
	require.NoError(t, err)
	ok(t)(r.Approve(t0, ""))
	return r
}

func TestRefundAmounts(t *testing.T) {
	// The test order: MUG 3 x 12.00; TEE 2 x (20.00 - 2.00) + 1.44 tax;
	// CAP 9.99; order discount 5.00 split 2.20 / 2.19 / 0.61; shipping 4.99.
	// The shirt line is 36.00 - 2.19 + 2.88 = 36.69, its units 18.35 and
	// 18.34 (the last one, refunded first: 16.90 of items and 1.44 of tax).
	tests := []struct {
		name     string
		lines    []RequestLine
		policy   RefundPolicy
		label    bool
		want     string // total
		shipping string
		fee      string
		ded      string
	}{
		{"one mug, no policy", []RequestLine{{OrderLine: 1, Quantity: 1, Reason: ReasonNoLongerNeeded}}, RefundPolicy{}, false, "11.27", "0", "0", "0"},
		{"all mugs", []RequestLine{{OrderLine: 1, Quantity: 3, Reason: ReasonNoLongerNeeded}}, RefundPolicy{}, false, "33.80", "0", "0", "0"},
		{"taxed shirt, defective, shipping on seller fault", []RequestLine{{OrderLine: 2, Quantity: 1, Reason: ReasonDefective}},
			RefundPolicy{RestockingFee: decimal.RequireFromString("0.2"), Shipping: ShippingSellerFault, DeductLabel: true}, true, "23.33", "4.99", "0", "0"},
		{"shirt no longer needed: fee on items, label deducted", []RequestLine{{OrderLine: 2, Quantity: 1, Reason: ReasonNoLongerNeeded}},
			RefundPolicy{RestockingFee: decimal.RequireFromString("0.2"), Shipping: ShippingSellerFault, DeductLabel: true}, true, "8.46", "0", "3.38", "6.50"},
		{"label larger than the refund", []RequestLine{{OrderLine: 3, Quantity: 1, Reason: ReasonNoLongerNeeded}},
			RefundPolicy{RestockingFee: decimal.RequireFromString("0.5"), DeductLabel: true}, true, "0.00", "0", "4.69", "4.69"},
		{"shipping always", []RequestLine{{OrderLine: 3, Quantity: 1, Reason: ReasonNoLongerNeeded}}, RefundPolicy{Shipping: ShippingAlways}, false, "14.37", "4.99", "0", "0"},
		{"fee of 100%", []RequestLine{{OrderLine: 1, Quantity: 1, Reason: ReasonOther, Note: "x"}}, RefundPolicy{RestockingFee: decimal.NewFromInt(1)}, false, "0.00", "0", "11.27", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := delivered(t)
			r := approvedOf(t, o, tt.lines...)
			if tt.label {
				ok(t)(r.IssueLabel(context.Background(), t0, &fakeLabeler{}, carrier.LabelRequest{}))
			}
			a := NewAccount(o)
			f, err := a.Preview(o, r, tt.policy, RefundRequest{Key: "k", Kind: RefundReturn})
			require.NoError(t, err)
			checkRefund(t, f)
			assert.Equal(t, tt.want+" USD", f.Total.String(), f.Explain())
			assert.True(t, usdAmt(tt.shipping).Equal(f.Shipping), "shipping %s", f.Shipping)
			var fee fulfill.Money
			for _, l := range f.Lines {
				fee, _ = fee.Add(l.RestockingFee)
			}
			assert.True(t, usdAmt(tt.fee).Equal(fee), "fee %s", fee)
			assert.True(t, usdAmt(tt.ded).Equal(f.LabelDeduction), "label %s", f.LabelDeduction)
			assert.Empty(t, a.Refunds(), "preview records nothing")
		})
	}
}

// TestRefundEverythingAddsUpToPaid refunds every unit of every line in
// pieces, after a cancellation, and checks that refunds and cancellations
// add up to the order's paid total to the cent.
func TestRefundEverythingAddsUpToPaid(t *testing.T) {
	req := placeRq
	req.Lines = append([]order.NewLine(nil), placeRq.Lines...)
	req.Lines[0].Quantity = 7
	o, _, err := order.Place(orderID, owner, t0, req)
	require.NoError(t, err)
	_, err = o.Confirm(t0)
	require.NoError(t, err)
	_, err = o.Cancel(t0, order.CancelRequest{Lines: []order.LineQuantity{{Line: 1, Quantity: 2}}})
	require.NoError(t, err)
	_, err = o.Allocate(t0, order.AllocateRequest{Location: "WH1", Lines: []order.LineQuantity{{Line: 1, Quantity: 5}, {Line: 2, Quantity: 2}, {Line: 3, Quantity: 1}}})
	require.NoError(t, err)
	_, err = o.Ship(t0, order.ShipRequest{Shipment: "S1", Fulfillment: 1})
	require.NoError(t, err)
	a := NewAccount(o)
	pol := RefundPolicy{Shipping: ShippingAlways}
	_, err = a.Issue(t0, o, nil, pol, RefundRequest{Key: "g", Kind: RefundGoodwill, Amount: usdAmt("3.33")})
	require.NoError(t, err)
	for i, lq := range []order.LineQuantity{{Line: 1, Quantity: 2}, {Line: 2, Quantity: 1}, {Line: 1, Quantity: 3}, {Line: 3, Quantity: 1}, {Line: 2, Quantity: 1}} {
		f, err := a.Issue(t0, o, nil, pol, RefundRequest{Key: string(rune('a' + i)), Kind: RefundClaim, Reason: ReasonMissing, Lines: []order.LineQuantity{lq}})
		require.NoError(t, err)
		checkRefund(t, f)
	}
	tot, err := o.Totals()
	require.NoError(t, err)
	assert.Equal(t, tot.Due.String(), a.Refunded().String(), "refunds add up to what was paid")
	for l := range o.Lines() {
		units, amt := a.RefundedLine(l.ID)
		assert.Equal(t, l.Shipped, units)
		total, _ := o.ValueOfUnits(l.ID, 0, l.Ordered)
		sum, _ := amt.Add(l.CancelledValue)
		assert.Equal(t, total.String(), sum.String(), "line %d", l.ID)
	}
	_, err = a.Preview(o, nil, pol, RefundRequest{Key: "z", Kind: RefundGoodwill, Amount: usdAmt("0.01")})
	assert.ErrorIs(t, err, ErrRefundLimit)
	_, err = a.Preview(o, nil, pol, RefundRequest{Key: "y", Kind: RefundClaim, Reason: ReasonMissing, Lines: []order.LineQuantity{{Line: 3, Quantity: 1}}})
	assert.ErrorIs(t, err, ErrQuantity)
}

func TestRefundIdempotency(t *testing.T) {
	o := delivered(t)
	r := approvedOf(t, o, RequestLine{OrderLine: 1, Quantity: 2, Reason: ReasonDamaged})
	a := NewAccount(o)
	req := RefundRequest{Key: "k1", Kind: RefundReturn, Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}}
	first, err := a.Issue(t0, o, r, RefundPolicy{}, req)
	require.NoError(t, err)
	again, err := a.Issue(t0.Add(1), o, r, RefundPolicy{}, req)
	require.NoError(t, err)
	assert.True(t, again.Replayed)
	assert.False(t, first.Replayed)
	assert.Equal(t, first.Total.String(), again.Total.String())
	assert.Equal(t, first.IssuedAt, again.IssuedAt)
	assert.Len(t, a.Refunds(), 1)
	units, _ := a.RefundedLine(1)
	assert.Equal(t, int64(1), units)
	prev, err := a.Preview(o, r, RefundPolicy{}, req)
	require.NoError(t, err)
	assert.True(t, prev.Replayed)

	req.Lines[0].Quantity = 2
	_, err = a.Issue(t0, o, r, RefundPolicy{}, req)
	var ie *IdempotencyError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "k1", ie.Key)
	assert.Len(t, a.Refunds(), 1)
}

func TestRefundErrors(t *testing.T) {
	o := delivered(t)
	other := deliveredOf(t, placeRq)
	req := requested(t, o)
	ap := approvedOf(t, o, RequestLine{OrderLine: 1, Quantity: 2, Reason: ReasonDamaged})
	ok(t)(ap.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 1, Outcome: OutcomeMissing}}}))
	tests := []struct {
		name string
		r    *Return
		o    *order.Order
		req  RefundRequest
		want error
	}{
		{"no key", ap, o, RefundRequest{Kind: RefundReturn}, ErrInvalidReturn},
		{"unknown kind", ap, o, RefundRequest{Key: "k", Kind: "cash"}, ErrInvalidReturn},
		{"unknown method", ap, o, RefundRequest{Key: "k", Kind: RefundReturn, Method: "cheque"}, ErrInvalidReturn},
		{"return not approved", req, o, RefundRequest{Key: "k", Kind: RefundReturn}, ErrInvalidTransition},
		{"return missing", nil, o, RefundRequest{Key: "k", Kind: RefundReturn}, ErrInvalidReturn},
		{"missing unit not refundable", ap, o, RefundRequest{Key: "k", Kind: RefundReturn, Lines: []order.LineQuantity{{Line: 1, Quantity: 2}}}, ErrQuantity},
		{"line not in the return", ap, o, RefundRequest{Key: "k", Kind: RefundReturn, Lines: []order.LineQuantity{{Line: 2, Quantity: 1}}}, ErrInvalidReturn},
		{"negative quantity", ap, o, RefundRequest{Key: "k", Kind: RefundReturn, Lines: []order.LineQuantity{{Line: 1, Quantity: -1}}}, ErrQuantity},
		{"claim without reason", nil, o, RefundRequest{Key: "k", Kind: RefundClaim, Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}}, ErrInvalidReturn},
		{"claim of more than shipped", nil, o, RefundRequest{Key: "k", Kind: RefundClaim, Reason: ReasonMissing, Lines: []order.LineQuantity{{Line: 1, Quantity: 4}}}, ErrQuantity},
		{"goodwill in another currency", nil, o, RefundRequest{Key: "k", Kind: RefundGoodwill, Amount: fulfill.MustMoney("1", "EUR")}, ErrInvalidReturn},
		{"goodwill below the cent", nil, o, RefundRequest{Key: "k", Kind: RefundGoodwill, Amount: usdAmt("1.005")}, ErrInvalidReturn},
		{"goodwill above what was paid", nil, o, RefundRequest{Key: "k", Kind: RefundGoodwill, Amount: usdAmt("200")}, ErrRefundLimit},
		{"another order", ap, other, RefundRequest{Key: "k", Kind: RefundReturn}, ErrInvalidReturn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAccount(o)
			if tt.o == other {
				a = &Account{owner: "other", order: o.ID(), currency: usd}
			}
			_, err := a.Issue(t0, tt.o, tt.r, RefundPolicy{}, tt.req)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.want), "got %v", err)
			assert.Empty(t, a.Refunds())
		})
	}
	_, err := NewAccount(o).Preview(o, ap, RefundPolicy{RestockingFee: decimal.NewFromInt(2)}, RefundRequest{Key: "k", Kind: RefundReturn})
	assert.ErrorIs(t, err, ErrInvalidReturn)
}

func TestShippingAndLabelOnce(t *testing.T) {
	o := delivered(t)
	r := approvedOf(t, o, RequestLine{OrderLine: 1, Quantity: 3, Reason: ReasonNoLongerNeeded})
	ok(t)(r.IssueLabel(context.Background(), t0, &fakeLabeler{}, carrier.LabelRequest{}))
	a := NewAccount(o)
	pol := RefundPolicy{Shipping: ShippingAlways, DeductLabel: true}
	f1, err := a.Issue(t0, o, r, pol, RefundRequest{Key: "1", Kind: RefundReturn, Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}})
	require.NoError(t, err)
	f2, err := a.Issue(t0, o, r, pol, RefundRequest{Key: "2", Kind: RefundReturn, Lines: []order.LineQuantity{{Line: 1, Quantity: 2}}})
	require.NoError(t, err)
	assert.Equal(t, "4.99 USD", f1.Shipping.String())
	assert.True(t, f2.Shipping.IsZero())
	assert.Equal(t, "6.50 USD", f1.LabelDeduction.String())
	assert.True(t, f2.LabelDeduction.IsZero())
	assert.Equal(t, int64(3), a.RefundedForReturn(r.ID(), 1))
	_, err = a.Preview(o, r, pol, RefundRequest{Key: "3", Kind: RefundReturn})
	assert.ErrorIs(t, err, ErrQuantity)
}
