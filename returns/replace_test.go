package returns

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	claimID  = fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8070")
	claimID2 = fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8071")
)

func rl(line order.LineID, n int64) ReplacementLine {
	return ReplacementLine{OrderLine: line, Quantity: n}
}

// replace replaces lines of the case's order into claimID2 and fails the
// test on error.
func (c exchangeCase) replace(t *testing.T, lines ...ReplacementLine) {
	t.Helper()
	_, _, err := c.a.Replace(t0, c.o, claimID2, lines, nil)
	require.NoError(t, err)
}

// checkTaken checks that no order line of c has more units refunded,
// exchanged and replaced than it shipped.
func (c exchangeCase) checkTaken(t *testing.T) {
	t.Helper()
	for l := range c.o.Lines() {
		refunded, _ := c.a.RefundedLine(l.ID)
		assert.LessOrEqual(t, refunded+c.a.ExchangedLine(l.ID)+c.a.ReplacedLine(l.ID), l.Shipped, "order line %d", l.ID)
	}
}

// Account.Replace places the replacement order and records the units in
// the account; it never replaces units already refunded, exchanged or
// replaced, and a refusal changes nothing.
func TestAccountReplace(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, c exchangeCase)
		lines []ReplacementLine
		// want is the *QuantityError's line and quantities; an empty Line
		// and a nil kind mean the replacement succeeds.
		want QuantityError
		kind error // the error's kind, when not a *QuantityError
	}{
		{"nothing recorded", nil, []ReplacementLine{rl(1, 3)}, QuantityError{}, nil},
		{"two order lines", nil, []ReplacementLine{rl(1, 1), rl(2, 2)}, QuantityError{}, nil},
		{"another SKU", nil, []ReplacementLine{{OrderLine: 2, Quantity: 1, SKU: "TEE-L"}}, QuantityError{}, nil},
		{"a claim of every shipped unit", func(t *testing.T, c exchangeCase) {
			c.refund(t, nil, RefundRequest{Key: "k", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 3)})
		}, []ReplacementLine{rl(1, 1)}, QuantityError{Line: "order line 1", Available: 0, Requested: 1}, nil},
		{"a claim of two units", func(t *testing.T, c exchangeCase) {
			c.refund(t, nil, RefundRequest{Key: "k", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 2)})
		}, []ReplacementLine{rl(1, 2)}, QuantityError{Line: "order line 1", Available: 1, Requested: 2}, nil},
		{"a claim leaves the rest", func(t *testing.T, c exchangeCase) {
			c.refund(t, nil, RefundRequest{Key: "k", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 2)})
		}, []ReplacementLine{rl(1, 1)}, QuantityError{}, nil},
		{"a return refund", func(t *testing.T, c exchangeCase) {
			c.refund(t, c.r, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(1, 2)})
		}, []ReplacementLine{rl(1, 2)}, QuantityError{Line: "order line 1", Available: 1, Requested: 2}, nil},
		{"an exchange", func(t *testing.T, c exchangeCase) {
			_, _, _, err := c.r.Exchange(t0, c.o, c.a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 2)}})
			require.NoError(t, err)
		}, []ReplacementLine{rl(1, 2)}, QuantityError{Line: "order line 1", Available: 1, Requested: 2}, nil},
		{"an earlier replacement", func(t *testing.T, c exchangeCase) {
			c.replace(t, rl(2, 1))
		}, []ReplacementLine{rl(2, 2)}, QuantityError{Line: "order line 2", Available: 1, Requested: 2}, nil},
		{"a goodwill refund takes no units", func(t *testing.T, c exchangeCase) {
			c.refund(t, nil, RefundRequest{Key: "k", Kind: RefundGoodwill, Amount: usdAmt("5.00")})
		}, []ReplacementLine{rl(1, 3)}, QuantityError{}, nil},
		{"two lines for the same units", nil, []ReplacementLine{rl(1, 2), {OrderLine: 1, Quantity: 2, SKU: "MUG-RED"}},
			QuantityError{Line: "order line 1", Available: 1, Requested: 2}, nil},
		{"more than shipped", nil, []ReplacementLine{rl(3, 2)}, QuantityError{Line: "order line 3", Available: 1, Requested: 2}, nil},
		{"a later line too many", nil, []ReplacementLine{rl(1, 1), rl(3, 2)}, QuantityError{Line: "order line 3", Available: 1, Requested: 2}, nil},
		{"zero units", nil, []ReplacementLine{rl(1, 0)}, QuantityError{Line: "order line 1", Available: 3, Requested: 0}, nil},
		{"negative units", nil, []ReplacementLine{rl(1, -1)}, QuantityError{Line: "order line 1", Available: 3, Requested: -1}, nil},
		{"no such order line", nil, []ReplacementLine{rl(9, 1)}, QuantityError{}, ErrInvalidReturn},
		{"no lines", nil, nil, QuantityError{}, ErrInvalidReturn},
		{"a bad SKU", nil, []ReplacementLine{{OrderLine: 1, Quantity: 1, SKU: " MUG"}}, QuantityError{}, fulfill.ErrInvalidCode},
		{"an exchange's replacement order", func(t *testing.T, c exchangeCase) {
			_, _, _, err := c.r.Exchange(t0, c.o, c.a, claimID, ExchangeRequest{Lines: []ExchangeLine{xl(2, 1)}})
			require.NoError(t, err)
		}, []ReplacementLine{rl(1, 1)}, QuantityError{}, ErrInvalidReturn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newExchangeCase(t)
			if tc.setup != nil {
				tc.setup(t, c)
			}
			account := c.a.Snapshot()
			replaced := map[order.LineID]int64{}
			for l := range c.o.Lines() {
				replaced[l.ID] = c.a.ReplacedLine(l.ID)
			}
			ro, events, err := c.a.Replace(t0, c.o, claimID, tc.lines, nil)
			if tc.want.Line == "" && tc.kind == nil {
				require.NoError(t, err)
				require.NotNil(t, ro)
				assert.NotEmpty(t, events)
				assert.Equal(t, claimID, ro.ID())
				assert.Equal(t, order.StatusConfirmed, ro.Status())
				tot, err := ro.Totals()
				require.NoError(t, err)
				assert.True(t, tot.Due.IsZero(), "a replacement is free, due %s", tot.Due)
				for _, l := range tc.lines {
					replaced[l.OrderLine] += l.Quantity
				}
				for l := range c.o.Lines() {
					assert.Equal(t, replaced[l.ID], c.a.ReplacedLine(l.ID), "order line %d", l.ID)
				}
				var recorded []ReplacementLine
				for _, x := range c.a.Replacements() {
					if x.Replacement == claimID {
						assert.Equal(t, t0, x.At)
						recorded = append(recorded, ReplacementLine{OrderLine: x.Line, Quantity: x.Quantity, SKU: x.SKU})
					}
				}
				assert.Equal(t, tc.lines, recorded, "the account records each line")
				c.checkTaken(t)
				roundTripAccount(t, c.a)
				return
			}
			if tc.kind != nil {
				assert.ErrorIs(t, err, tc.kind)
			} else {
				qe, ok := errors.AsType[*QuantityError](err)
				require.True(t, ok, "want a *QuantityError, got %v", err)
				assert.ErrorIs(t, err, ErrQuantity)
				assert.Equal(t, tc.want, QuantityError{Line: qe.Line, Available: qe.Available, Requested: qe.Requested})
				assert.Contains(t, qe.Error(), "replacement")
			}
			assert.Nil(t, ro, "no order is placed")
			assert.Nil(t, events)
			assert.Equal(t, account, c.a.Snapshot(), "the account changed")
		})
	}
}

// Replaced units are never refunded, by return or by claim, nor
// exchanged, also after the account went through a snapshot.
func TestReplacedUnitsAreNotPaidAgain(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(c exchangeCase, a *Account) error
		want QuantityError // empty Line means it succeeds
	}{
		{"claim of every shipped unit", func(c exchangeCase, a *Account) error {
			_, err := a.Issue(t0, c.o, nil, RefundPolicy{}, RefundRequest{Key: "k", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 3)})
			return err
		}, QuantityError{Line: "order line 1", Available: 1, Requested: 3}},
		{"claim of the unit not replaced", func(c exchangeCase, a *Account) error {
			_, err := a.Issue(t0, c.o, nil, RefundPolicy{}, RefundRequest{Key: "k", Kind: RefundClaim, Reason: ReasonMissing, Lines: lq(1, 1)})
			return err
		}, QuantityError{}},
		{"return refund of both returned units", func(c exchangeCase, a *Account) error {
			_, err := a.Issue(t0, c.o, c.r, RefundPolicy{}, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(1, 2)})
			return err
		}, QuantityError{Line: "order line 1", Available: 1, Requested: 2}},
		{"return refund of every unsettled unit, which is the one left", func(c exchangeCase, a *Account) error {
			f, err := a.Issue(t0, c.o, c.r, RefundPolicy{}, RefundRequest{Key: "k", Kind: RefundReturn})
			if err == nil && (len(f.Lines) != 2 || f.Lines[0].Line != 1 || f.Lines[0].Quantity != 1) {
				err = fmt.Errorf("refunded %+v, want one unit of line 1 and the unit of line 2", f.Lines)
			}
			return err
		}, QuantityError{}},
		{"return refund of one returned unit", func(c exchangeCase, a *Account) error {
			_, err := a.Issue(t0, c.o, c.r, RefundPolicy{}, RefundRequest{Key: "k", Kind: RefundReturn, Lines: lq(1, 1)})
			return err
		}, QuantityError{}},
		{"exchange of both returned units", func(c exchangeCase, a *Account) error {
			_, _, _, err := c.r.Exchange(t0, c.o, a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 2)}})
			return err
		}, QuantityError{Line: "order line 1", Available: 1, Requested: 2}},
		{"exchange of one returned unit", func(c exchangeCase, a *Account) error {
			_, _, _, err := c.r.Exchange(t0, c.o, a, newID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 1)}})
			return err
		}, QuantityError{}},
		{"replacement into another order", func(c exchangeCase, a *Account) error {
			_, _, err := a.Replace(t0, c.o, claimID2, []ReplacementLine{rl(1, 2)}, nil)
			return err
		}, QuantityError{Line: "order line 1", Available: 1, Requested: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newExchangeCase(t)
			_, _, err := c.a.Replace(t0, c.o, claimID, []ReplacementLine{rl(1, 2)}, nil)
			require.NoError(t, err)
			roundTripAccount(t, c.a)
			a, err := RestoreAccount(c.a.Snapshot())
			require.NoError(t, err)
			require.Equal(t, int64(2), a.ReplacedLine(1))
			before, ret := a.Snapshot(), snap(t, c.r)
			err = tc.do(c, a)
			c.a = a
			if tc.want.Line == "" {
				require.NoError(t, err)
				c.checkTaken(t)
				return
			}
			qe, ok := errors.AsType[*QuantityError](err)
			require.True(t, ok, "want a *QuantityError, got %v", err)
			assert.Equal(t, tc.want, QuantityError{Line: qe.Line, Available: qe.Available, Requested: qe.Requested})
			assert.Contains(t, qe.Error(), "replaced")
			assert.Equal(t, before, a.Snapshot(), "the account changed")
			assert.Equal(t, ret, snap(t, c.r), "the return changed")
		})
	}
}

// The account is saved before the replacement order; when the order's
// save fails, the replacement is retried with the same ID and counts once,
// and the same ID with other lines is refused.
func TestReplaceRetriedWithTheSameID(t *testing.T) {
	c := newExchangeCase(t)
	lines := []ReplacementLine{rl(1, 1), {OrderLine: 2, Quantity: 1, SKU: "TEE-L"}}
	first, events, err := c.a.Replace(t0, c.o, claimID, lines, nil)
	require.NoError(t, err)
	saved := c.a.Snapshot()

	// The retry reads the account as saved, later.
	a, err := RestoreAccount(saved)
	require.NoError(t, err)
	again, events2, err := a.Replace(t0.Add(time.Hour), c.o, claimID, lines, nil)
	require.NoError(t, err)
	assert.Equal(t, saved, a.Snapshot(), "the retry records nothing more")
	assert.Equal(t, first.Snapshot(), again.Snapshot(), "the retry places the same order")
	assert.Equal(t, events, events2)
	assert.Equal(t, int64(1), a.ReplacedLine(1))
	assert.Equal(t, int64(1), a.ReplacedLine(2))

	for name, other := range map[string][]ReplacementLine{
		"fewer units":  {rl(1, 1)},
		"more units":   {rl(1, 2), {OrderLine: 2, Quantity: 1, SKU: "TEE-L"}},
		"another SKU":  {rl(1, 1), rl(2, 1)},
		"more lines":   {rl(1, 1), {OrderLine: 2, Quantity: 1, SKU: "TEE-L"}, rl(3, 1)},
		"another line": {rl(3, 1), {OrderLine: 2, Quantity: 1, SKU: "TEE-L"}},
	} {
		ro, _, err := a.Replace(t0, c.o, claimID, other, nil)
		assert.ErrorIs(t, err, ErrInvalidReturn, name)
		assert.Nil(t, ro, name)
		assert.Equal(t, saved, a.Snapshot(), name)
	}

	// The ID of a claim replacement is not an exchange's.
	_, _, _, err = c.r.Exchange(t0, c.o, a, claimID, ExchangeRequest{Lines: []ExchangeLine{xl(1, 1)}})
	assert.ErrorIs(t, err, ErrInvalidReturn)
	assert.Equal(t, saved, a.Snapshot())
}

func TestReplaceNeedsTheAccountsOrder(t *testing.T) {
	o := delivered(t)
	o2, _, err := order.Place(fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8059"), owner, t0, placeRq)
	require.NoError(t, err)
	a := NewAccount(o)
	for name, o := range map[string]*order.Order{"nil": nil, "another order": o2} {
		_, _, err := a.Replace(t0, o, claimID, []ReplacementLine{rl(1, 1)}, nil)
		assert.ErrorIs(t, err, ErrInvalidReturn, name)
	}
	_, _, err = a.Replace(t0, o, fulfill.OrderID{}, []ReplacementLine{rl(1, 1)}, nil)
	assert.ErrorIs(t, err, ErrInvalidReturn, "no replacement order ID")
	assert.Empty(t, a.Replacements())
}

// A replacement placed on a hold waits on it.
func TestReplaceOnHold(t *testing.T) {
	o := delivered(t)
	a := NewAccount(o)
	hold := &order.Hold{ID: "claim:1", Kind: order.HoldCustomerRequest, Source: "returns"}
	ro, _, err := a.Replace(t0, o, claimID, []ReplacementLine{rl(3, 1)}, hold)
	require.NoError(t, err)
	assert.Equal(t, order.StatusOnHold, ro.Status())
	assert.Equal(t, int64(1), a.ReplacedLine(3))
}

func TestRestoreAccountChecksReplacements(t *testing.T) {
	good := ReplacementRecord{Line: 1, Quantity: 1, Replacement: claimID, At: t0}
	for _, tc := range []struct {
		name string
		x    func(*ReplacementRecord)
	}{
		{"no line", func(x *ReplacementRecord) { x.Line = 0 }},
		{"zero quantity", func(x *ReplacementRecord) { x.Quantity = 0 }},
		{"negative quantity", func(x *ReplacementRecord) { x.Quantity = -1 }},
		{"too many units", func(x *ReplacementRecord) { x.Quantity = order.MaxQuantity }},
		{"no replacement", func(x *ReplacementRecord) { x.Replacement = fulfill.OrderID{} }},
		{"an exchange's replacement", func(x *ReplacementRecord) { x.Replacement = newID }},
		{"bad SKU", func(x *ReplacementRecord) { x.SKU = " MUG" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := good
			tc.x(&x)
			s := NewAccount(delivered(t)).Snapshot()
			s.Exchanges = []ExchangeRecord{{Return: "RMA-1", Line: 2, Quantity: 1, Replacement: newID, At: t0}}
			s.Replacements = []ReplacementRecord{good, x}
			_, err := RestoreAccount(s)
			if x.SKU != "" {
				assert.ErrorIs(t, err, fulfill.ErrInvalidCode)
				return
			}
			assert.ErrorIs(t, err, ErrInvalidReturn)
		})
	}
	s := NewAccount(delivered(t)).Snapshot()
	s.Replacements = []ReplacementRecord{good, good}
	a, err := RestoreAccount(s)
	require.NoError(t, err)
	assert.Equal(t, int64(2), a.ReplacedLine(1))
}

// An account stored before replacements were recorded restores with
// none, keeps its refunds and exchanges, and takes replacements from then
// on.
func TestAccountSnapshotBeforeReplacements(t *testing.T) {
	b, err := os.ReadFile("testdata/account-before-replacements.json")
	require.NoError(t, err)
	var s AccountSnapshot
	require.NoError(t, json.Unmarshal(b, &s))
	a, err := RestoreAccount(s)
	require.NoError(t, err)
	assert.Empty(t, a.Replacements())
	units, _ := a.RefundedLine(1)
	assert.Equal(t, int64(1), units)
	assert.Equal(t, int64(1), a.ExchangedLine(2))
	b2, err := json.MarshalIndent(a.Snapshot(), "", "\t")
	require.NoError(t, err)
	assert.JSONEq(t, string(b), string(b2), "an old snapshot is written back as it was")

	o := delivered(t)
	_, _, err = a.Replace(t0, o, claimID, []ReplacementLine{rl(1, 3)}, nil)
	assert.ErrorIs(t, err, ErrQuantity, "the refunded unit is not replaced")
	_, _, err = a.Replace(t0, o, claimID, []ReplacementLine{rl(1, 2), rl(2, 1)}, nil)
	require.NoError(t, err)
	roundTripAccount(t, a)
}
