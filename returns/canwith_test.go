package returns

import (
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var probeID = fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a80ff")

// takes reports whether a refund (act is ActionRefund) or an exchange of
// one unit of some line of r goes through, trying each on copies.
func takes(t testing.TB, r *Return, o *order.Order, a *Account, act Action) bool {
	t.Helper()
	for _, l := range r.lines {
		var err error
		if act == ActionRefund {
			_, err = a.Preview(o, r, RefundPolicy{}, RefundRequest{Key: "probe", Kind: RefundReturn, Lines: lq(l.OrderLine, 1)})
		} else {
			_, _, _, err = r.Clone().Exchange(t0, o, a.Clone(), probeID, ExchangeRequest{Lines: []ExchangeLine{xl(l.No, 1)}})
		}
		if err == nil {
			return true
		}
		require.True(t, typed(err), "%s of return line %d: untyped error %v", act, l.No, err)
	}
	return false
}

// accountsOf are refund accounts of a fixture's order that leave more or
// fewer units to take.
var accountsOf = []struct {
	name  string
	build func(t testing.TB, o *order.Order) *Account
}{
	{"nil", func(testing.TB, *order.Order) *Account { return nil }},
	{"empty", func(_ testing.TB, o *order.Order) *Account { return NewAccount(o) }},
	{"claim of every mug", func(t testing.TB, o *order.Order) *Account {
		a := NewAccount(o)
		_, err := a.Issue(t0, o, nil, RefundPolicy{}, RefundRequest{Key: "c", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 3)})
		require.NoError(t, err)
		return a
	}},
	{"claim of every unit", func(t testing.TB, o *order.Order) *Account {
		a := NewAccount(o)
		_, err := a.Issue(t0, o, nil, RefundPolicy{}, RefundRequest{Key: "c", Kind: RefundClaim, Reason: ReasonMissing,
			Lines: []order.LineQuantity{{Line: 1, Quantity: 3}, {Line: 2, Quantity: 2}, {Line: 3, Quantity: 1}}})
		require.NoError(t, err)
		return a
	}},
	{"replacement of every unit", func(t testing.TB, o *order.Order) *Account {
		a := NewAccount(o)
		_, _, err := a.Replace(t0, o, claimID, []ReplacementLine{rl(1, 3), rl(2, 2), rl(3, 1)}, nil)
		require.NoError(t, err)
		return a
	}},
	{"replacement of two mugs and the tees", func(t testing.TB, o *order.Order) *Account {
		a := NewAccount(o)
		_, _, err := a.Replace(t0, o, claimID, []ReplacementLine{rl(1, 2), rl(2, 2)}, nil)
		require.NoError(t, err)
		return a
	}},
}

// TestAllowedActionsWithMatchCanWith checks that AllowedActionsWith says
// what CanWith says, never allows what Can refuses, and says what
// AllowedActions says when the account has nothing recorded.
func TestAllowedActionsWithMatchCanWith(t *testing.T) {
	all := append(Actions(), ActionRefund)
	for _, fx := range fixtures {
		for _, ac := range accountsOf {
			t.Run(fx.name+"/"+ac.name, func(t *testing.T) {
				r, o := fx.build(t)
				a := ac.build(t, o)
				perms, err := AllowedActionsWith(r, o, a)
				require.NoError(t, err)
				require.Len(t, perms, len(all))
				for i, p := range perms {
					assert.Equal(t, all[i], p.Action)
					err := r.CanWith(p.Action, o, a)
					assert.Equal(t, err == nil, p.Allowed, "%s", p.Action)
					if err != nil {
						te, ok := errors_AsTransition(err)
						require.True(t, ok, "%s: %v", p.Action, err)
						assert.Equal(t, te.Reason, p.Reason)
						assert.Equal(t, p.Action, te.Action)
						assert.Equal(t, r.Status(), te.From)
					}
					if can := r.Can(p.Action); can != nil {
						assert.Equal(t, can, err, "%s: CanWith refuses what Can refuses, for the same reason", p.Action)
					}
					if p.Action == ActionRefund || p.Action == ActionExchange {
						acct := a
						if acct == nil {
							acct = NewAccount(o)
						}
						assert.Equal(t, p.Allowed, takes(t, r, o, acct, p.Action), "%s: allowed if and only if a unit can be taken", p.Action)
					}
				}
				if a == nil || ac.name == "empty" {
					assert.Equal(t, AllowedActions(r), perms[:len(actions)], "with nothing recorded, the answer is AllowedActions'")
				}
			})
		}
	}
}

// CanWith refuses a refund or an exchange when the account leaves no unit
// of the return to take, and says why.
func TestCanWithSeesTheAccount(t *testing.T) {
	for _, tc := range []struct {
		name             string
		setup            func(t *testing.T, c *exchangeCase)
		refund, exchange string // the reasons; empty means allowed
	}{
		{"nothing recorded", nil, "", ""},
		{"a claim of every unit of the returned lines", func(t *testing.T, c *exchangeCase) {
			c.refund(t, nil, RefundRequest{Key: "c", Kind: RefundClaim, Reason: ReasonMissing,
				Lines: []order.LineQuantity{{Line: 1, Quantity: 3}, {Line: 2, Quantity: 2}}})
		}, whyAllSettled, whyAllSettled},
		{"a claim of every mug leaves the tee", func(t *testing.T, c *exchangeCase) {
			c.refund(t, nil, RefundRequest{Key: "c", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 3)})
		}, "", ""},
		{"a replacement of every unit of the returned lines", func(t *testing.T, c *exchangeCase) {
			c.replace(t, rl(1, 3), rl(2, 2))
		}, whyAllSettled, whyAllSettled},
		{"a replacement leaves one mug", func(t *testing.T, c *exchangeCase) {
			c.replace(t, rl(1, 2), rl(2, 2))
		}, "", ""},
		{"the whole return refunded", func(t *testing.T, c *exchangeCase) {
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn})
		}, whyAllSettled, whyAllSettled},
		{"another return, a claim and a replacement", func(t *testing.T, c *exchangeCase) {
			c.refund(t, c.other(t), RefundRequest{Key: "k", Kind: RefundReturn})
			c.refund(t, nil, RefundRequest{Key: "c", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 2)})
			c.replace(t, rl(2, 2))
		}, whyAllSettled, whyAllSettled},
		{"mugs exchanged and the tee refunded", func(t *testing.T, c *exchangeCase) {
			_, _, _, err := c.r.Exchange(t0, c.o, c.a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 2)}})
			require.NoError(t, err)
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(2, 1)})
		}, whyAllSettled, whyAllSettled},
		{"every unit exchanged", func(t *testing.T, c *exchangeCase) {
			_, _, _, err := c.r.Exchange(t0, c.o, c.a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 2), xl(2, 1)}})
			require.NoError(t, err)
		}, whyNoneToRefund, "every unit is already exchanged or accounted for"},
		{"missing and wrong items", func(t *testing.T, c *exchangeCase) {
			ok(t)(c.r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 2, Outcome: OutcomeMissing}, {Line: 2, Quantity: 1, Outcome: OutcomeWrongItem}}}))
		}, whyNoneToRefund, whyExchangeLate},
		{"not approved", func(t *testing.T, c *exchangeCase) {
			c.r = c.cap(t)
		}, whyNotRefundable, whyNotApproved},
		{"cancelled", func(t *testing.T, c *exchangeCase) {
			c.r = c.cap(t)
			ok(t)(c.r.Cancel(t0, ""))
		}, whyNotRefundable, whyCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newExchangeCase(t)
			if tc.setup != nil {
				tc.setup(t, &c)
			}
			for act, want := range map[Action]string{ActionRefund: tc.refund, ActionExchange: tc.exchange} {
				err := c.r.CanWith(act, c.o, c.a)
				if want == "" {
					assert.NoError(t, err, "%s", act)
				} else {
					assert.ErrorIs(t, err, ErrInvalidTransition, "%s", act)
					if te, ok := errors_AsTransition(err); assert.True(t, ok, "%s: %v", act, err) {
						assert.Equal(t, want, te.Reason, "%s", act)
					}
				}
				assert.Equal(t, want == "", takes(t, c.r, c.o, c.a, act), "%s: allowed if and only if a unit can be taken", act)
				if want == whyAllSettled {
					assert.NoError(t, c.r.Can(act), "%s: Can sees the return alone", act)
				}
			}
			perms, err := AllowedActionsWith(c.r, c.o, c.a)
			require.NoError(t, err)
			for _, p := range perms {
				switch p.Action {
				case ActionRefund:
					assert.Equal(t, tc.refund, p.Reason)
				case ActionExchange:
					assert.Equal(t, tc.exchange, p.Reason)
				}
			}
		})
	}
}

// cap returns a requested return of the cap (order line 3).
func (c exchangeCase) cap(t *testing.T) *Return {
	t.Helper()
	r, _, err := New("RMA-3", c.o, t0, Request{Channel: ChannelMail, Lines: []RequestLine{{OrderLine: 3, Quantity: 1, Reason: ReasonDamaged}}})
	require.NoError(t, err)
	return r
}

func TestCanWithNeedsTheReturnsOrderAndAccount(t *testing.T) {
	c := newExchangeCase(t)
	o2, _, err := order.Place(fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8059"), owner, t0, placeRq)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		o    *order.Order
		a    *Account
	}{
		{"no order", nil, c.a},
		{"another order", o2, NewAccount(o2)},
		{"another order's account", c.o, NewAccount(o2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, act := range []Action{ActionApprove, ActionRefund, ActionExchange} {
				assert.ErrorIs(t, c.r.CanWith(act, tc.o, tc.a), ErrInvalidReturn, "%s", act)
			}
			perms, err := AllowedActionsWith(c.r, tc.o, tc.a)
			assert.ErrorIs(t, err, ErrInvalidReturn)
			assert.Nil(t, perms)
		})
	}
}

// Can answers a refund from the return alone, as Issue's status check
// does.
func TestCanRefund(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			r, o := fx.build(t)
			err := r.Can(ActionRefund)
			_, ierr := NewAccount(o).Preview(o, r, RefundPolicy{}, RefundRequest{Key: "k", Kind: RefundReturn})
			assert.Equal(t, err == nil, ierr == nil, "Can: %v, Preview: %v", err, ierr)
			if te, ok := errors_AsTransition(ierr); ok {
				require.Error(t, err)
				assert.Equal(t, err.Error(), te.Error())
			}
		})
	}
	_, ok := Transitions()[StatusApproved][ActionRefund]
	assert.False(t, ok, "a refund is not in the transition table")
	assert.NotContains(t, Actions(), ActionRefund)
}
