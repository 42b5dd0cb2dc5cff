package returns

import (
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const day = 24 * time.Hour

// delivery is when the test order was delivered.
var delivery = t0.Add(24 * time.Hour)

func caseAt(t *testing.T, o *order.Order, at time.Time, lines ...RequestLine) *Case {
	t.Helper()
	c, err := NewCase(o, at, lines)
	require.NoError(t, err)
	return c
}

func TestWindowRule(t *testing.T) {
	w := Window{Period: 30 * day, ByReason: map[Reason]time.Duration{ReasonDefective: 365 * day}}
	tests := []struct {
		name   string
		age    time.Duration
		reason Reason
		want   Verdict
	}{
		{"inside", 10 * day, ReasonNoLongerNeeded, VerdictApprove},
		{"last instant", 30 * day, ReasonNoLongerNeeded, VerdictApprove},
		{"one second late", 30*day + time.Second, ReasonNoLongerNeeded, VerdictReject},
		{"defective beyond the window", 200 * day, ReasonDefective, VerdictApprove},
		{"defective beyond its own window", 366 * day, ReasonDefective, VerdictReject},
		{"damaged has no override", 31 * day, ReasonDamaged, VerdictReject},
	}
	o := delivered(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := w.Check(caseAt(t, o, delivery.Add(tt.age), RequestLine{OrderLine: 1, Quantity: 1, Reason: tt.reason}))
			require.Len(t, fs, 1)
			assert.Equal(t, tt.want, fs[0].Verdict, fs[0].Reason)
			assert.Equal(t, "window", fs[0].Rule)
			assert.Equal(t, order.LineID(1), fs[0].OrderLine)
		})
	}
}

func TestWindowFallsBackToShipment(t *testing.T) {
	o, _, err := order.Place(orderID, owner, t0, placeRq)
	require.NoError(t, err)
	for _, r := range []order.Request{order.ConfirmRequest{}, order.AllocateRequest{Location: "WH1", Lines: []order.LineQuantity{{Line: 1, Quantity: 3}}}, order.ShipRequest{Shipment: "S1", Fulfillment: 1}} {
		_, err := o.Execute(t0, r)
		require.NoError(t, err)
	}
	fs := Window{Period: 5 * day}.Check(caseAt(t, o, t0.Add(6*day), RequestLine{OrderLine: 1, Quantity: 1, Reason: ReasonOther, Note: "x"}))
	require.Len(t, fs, 1)
	assert.Equal(t, VerdictReject, fs[0].Verdict)
	assert.Contains(t, fs[0].Reason, "shipped (no delivery reported)")
	// A line never shipped is rejected.
	fs = Window{Period: 5 * day}.Check(caseAt(t, o, t0, RequestLine{OrderLine: 2, Quantity: 1, Reason: ReasonDamaged}))
	require.Len(t, fs, 1)
	assert.Equal(t, VerdictReject, fs[0].Verdict)
}

func TestFinalSaleRule(t *testing.T) {
	cat := func(s fulfill.SKU) string {
		if s == "TEE" {
			return "clearance"
		}
		return "regular"
	}
	tests := []struct {
		name string
		rule FinalSale
		line order.LineID
		want int // findings
	}{
		{"sku listed", FinalSale{SKUs: []fulfill.SKU{"MUG"}}, 1, 1},
		{"sku not listed", FinalSale{SKUs: []fulfill.SKU{"MUG"}}, 2, 0},
		{"category listed", FinalSale{Categories: []string{"clearance"}, Category: cat}, 2, 1},
		{"category not listed", FinalSale{Categories: []string{"clearance"}, Category: cat}, 1, 0},
		{"categories without a func", FinalSale{Categories: []string{"clearance"}}, 2, 0},
	}
	o := delivered(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := tt.rule.Check(caseAt(t, o, delivery, RequestLine{OrderLine: tt.line, Quantity: 1, Reason: ReasonDamaged}))
			require.Len(t, fs, tt.want)
			for _, f := range fs {
				assert.Equal(t, VerdictReject, f.Verdict)
			}
		})
	}
}

func TestConditionRule(t *testing.T) {
	rule := ConditionRequired{Allowed: []Condition{ConditionUnopened, ConditionOpened}}
	tests := []struct {
		cond Condition
		want Verdict
	}{
		{ConditionUnopened, VerdictApprove},
		{ConditionOpened, VerdictApprove},
		{ConditionUsed, VerdictReject},
		{ConditionDamaged, VerdictReject},
		{"", VerdictReview},
	}
	o := delivered(t)
	for _, tt := range tests {
		t.Run(string(tt.cond), func(t *testing.T) {
			d := Policy{Rules: []Rule{rule}}.Evaluate(caseAt(t, o, delivery, RequestLine{OrderLine: 1, Quantity: 1, Reason: ReasonNoLongerNeeded, Condition: tt.cond}))
			assert.Equal(t, tt.want, d.Verdict, d.String())
		})
	}
}

func TestConditionRuleScope(t *testing.T) {
	o := delivered(t)
	rule := ConditionRequired{Allowed: []Condition{ConditionUnopened}, SKUs: []fulfill.SKU{"CAP"},
		Categories: []string{"apparel"}, Category: func(s fulfill.SKU) string {
			if s == "TEE" {
				return "apparel"
			}
			return ""
		}}
	tests := []struct {
		line order.LineID
		want Verdict
	}{{1, VerdictApprove}, {2, VerdictReject}, {3, VerdictReject}}
	for _, tt := range tests {
		d := Policy{Rules: []Rule{rule}}.Evaluate(caseAt(t, o, delivery, RequestLine{OrderLine: tt.line, Quantity: 1, Reason: ReasonDamaged, Condition: ConditionUsed}))
		assert.Equal(t, tt.want, d.Verdict, "line %d: %s", tt.line, d)
	}
}

func TestAutoApproveLimit(t *testing.T) {
	o := delivered(t)
	// The 5.00 order discount splits 2.20 / 2.19 / 0.61 over lines worth
	// 36.00, 36.00 and 9.99, so line 1 is worth 33.80, and its last two
	// units 33.80 - 11.27 = 22.53.
	tests := []struct {
		name string
		max  fulfill.Money
		qty  int64
		want Verdict
	}{
		{"below", usdAmt("25.00"), 2, VerdictApprove},
		{"exactly at the limit", usdAmt("22.53"), 2, VerdictApprove},
		{"one cent above", usdAmt("22.52"), 2, VerdictReview},
		{"other currency", fulfill.MustMoney("100", "EUR"), 1, VerdictReview},
		{"zero limit", fulfill.Money{}, 1, VerdictReview},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Policy{Rules: []Rule{AutoApproveLimit{Max: tt.max}}}.Evaluate(caseAt(t, o, delivery, RequestLine{OrderLine: 1, Quantity: tt.qty, Reason: ReasonDamaged}))
			assert.Equal(t, tt.want, d.Verdict, d.String())
		})
	}
}

func TestExemptAndStrictestVerdict(t *testing.T) {
	o := delivered(t)
	p := Policy{Rules: []Rule{
		Exempt{Reasons: []Reason{ReasonDefective}, Rule: FinalSale{SKUs: []fulfill.SKU{"TEE"}}},
		ConditionRequired{Allowed: []Condition{ConditionUnopened}},
		RuleFunc(func(c *Case) []Finding {
			return []Finding{{Rule: "custom", Verdict: VerdictApprove, Reason: "checked"}}
		}),
	}}
	tests := []struct {
		name  string
		lines []RequestLine
		want  Verdict
	}{
		{"exempt defective", []RequestLine{{OrderLine: 2, Quantity: 1, Reason: ReasonDefective, Condition: ConditionUnopened}}, VerdictApprove},
		{"final sale applies", []RequestLine{{OrderLine: 2, Quantity: 1, Reason: ReasonDamaged, Condition: ConditionUnopened}}, VerdictReject},
		{"review from undeclared condition", []RequestLine{{OrderLine: 1, Quantity: 1, Reason: ReasonDamaged}}, VerdictReview},
		{"reject beats review", []RequestLine{{OrderLine: 1, Quantity: 1, Reason: ReasonDamaged}, {OrderLine: 2, Quantity: 1, Reason: ReasonDamaged, Condition: ConditionUnopened}}, VerdictReject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Evaluate(caseAt(t, o, delivery, tt.lines...))
			assert.Equal(t, tt.want, d.Verdict, d.String())
			assert.Equal(t, "custom", d.Findings[len(d.Findings)-1].Rule)
		})
	}
	assert.Equal(t, VerdictApprove, Policy{}.Evaluate(caseAt(t, o, delivery, RequestLine{OrderLine: 1, Quantity: 1, Reason: ReasonDamaged})).Verdict)
}

func TestDecide(t *testing.T) {
	o := delivered(t)
	tests := []struct {
		verdict Verdict
		status  Status
		event   EventType
	}{
		{VerdictApprove, StatusApproved, EventApproved},
		{VerdictReject, StatusDeclined, EventDeclined},
		{VerdictReview, StatusRequested, EventReviewRequired},
	}
	for _, tt := range tests {
		t.Run(string(tt.verdict), func(t *testing.T) {
			r := requested(t, o)
			d := Decision{Verdict: tt.verdict, Findings: []Finding{{Rule: "x", Verdict: tt.verdict, Reason: "because"}}}
			events, err := r.Decide(t0, d)
			require.NoError(t, err)
			require.Len(t, events, 1)
			assert.Equal(t, tt.event, events[0].Type)
			assert.Equal(t, tt.status, r.Status())
			assert.Contains(t, events[0].Note, "because")
			if tt.verdict == VerdictReview {
				assert.Len(t, r.Review(), 1)
			}
		})
	}
	r := requested(t, o)
	_, err := r.Decide(t0, Decision{Verdict: "maybe"})
	assert.ErrorIs(t, err, ErrInvalidReturn)
}
