package returns

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

// Verdict is what a policy rule decides.
type Verdict string

// The verdicts, from the mildest. A decision takes the strictest verdict of
// its findings.
const (
	VerdictApprove Verdict = "approve"
	VerdictReview  Verdict = "review" // needs a person to decide
	VerdictReject  Verdict = "reject"
)

// rank orders verdicts by strictness.
func (v Verdict) rank() int {
	switch v {
	case VerdictApprove:
		return 0
	case VerdictReview:
		return 1
	}
	return 2
}

// Finding is one rule's verdict on one line (or on the whole return when
// OrderLine is 0), with the reason in words.
type Finding struct {
	Rule      string       `json:"rule"` // such as "window"
	OrderLine order.LineID `json:"order_line,omitempty"`
	Verdict   Verdict      `json:"verdict"`
	Reason    string       `json:"reason"`
}

// String returns "rule: line N: verdict: reason".
func (f Finding) String() string {
	if f.OrderLine == 0 {
		return fmt.Sprintf("%s: %s: %s", f.Rule, f.Verdict, f.Reason)
	}
	return fmt.Sprintf("%s: line %d: %s: %s", f.Rule, f.OrderLine, f.Verdict, f.Reason)
}

// Decision is the outcome of a [Policy]: the strictest verdict of its
// findings (approve if there are none) and every finding, which explain it.
type Decision struct {
	Verdict  Verdict   `json:"verdict"`
	Findings []Finding `json:"findings"`
}

// String lists the findings that set the verdict, separated by "; ", or
// the verdict alone.
func (d Decision) String() string {
	var parts []string
	for _, f := range d.Findings {
		if f.Verdict == d.Verdict {
			parts = append(parts, f.String())
		}
	}
	if len(parts) == 0 {
		return string(d.Verdict)
	}
	return strings.Join(parts, "; ")
}

// Case is what policy rules judge: the order, the time of the request and
// the lines asked for, each with what the rules need to know about it.
type Case struct {
	Order *order.Order
	Now   time.Time
	Lines []CaseLine
}

// CaseLine is one requested line with the facts rules look at.
type CaseLine struct {
	RequestLine
	SKU fulfill.SKU
	// ShippedAt and DeliveredAt are the latest shipment and delivery of
	// the order line; DeliveredAt is zero if nothing of it was delivered.
	ShippedAt   time.Time
	DeliveredAt time.Time
	// Value is what the customer paid for the units, after discounts, tax
	// included ([order.Order.ValueOfUnits] of the last units).
	Value fulfill.Money
}

// NewCase builds the case of lines of order o at now.
func NewCase(o *order.Order, now time.Time, lines []RequestLine) (*Case, error) {
	if o == nil {
		return nil, invalid("order", "", "required")
	}
	c := &Case{Order: o, Now: now}
	ships := o.Shipments()
	for _, rl := range lines {
		ol, ok := o.Line(rl.OrderLine)
		if !ok {
			return nil, invalid("order_line", rl.OrderLine.String(), "no such order line")
		}
		if rl.Quantity <= 0 || rl.Quantity > ol.Ordered {
			return nil, &QuantityError{Line: "order line " + rl.OrderLine.String(), What: "return", Available: ol.Ordered, Requested: rl.Quantity}
		}
		v, err := o.ValueOfUnits(rl.OrderLine, ol.Ordered-rl.Quantity, rl.Quantity)
		if err != nil {
			return nil, err
		}
		cl := CaseLine{RequestLine: rl, SKU: ol.SKU, Value: v}
		for _, s := range ships {
			if !slices.ContainsFunc(s.Lines, func(lq order.LineQuantity) bool { return lq.Line == rl.OrderLine }) {
				continue
			}
			if s.ShippedAt.After(cl.ShippedAt) {
				cl.ShippedAt = s.ShippedAt
			}
			if s.Delivered && s.DeliveredAt.After(cl.DeliveredAt) {
				cl.DeliveredAt = s.DeliveredAt
			}
		}
		c.Lines = append(c.Lines, cl)
	}
	return c, nil
}

// Case returns the case of r's lines against its order o at now.
func (r *Return) Case(o *order.Order, now time.Time) (*Case, error) {
	if o == nil || o.ID() != r.order || o.Owner() != r.owner {
		return nil, invalid("order", "", "not the return's order")
	}
	lines := make([]RequestLine, len(r.lines))
	for i, l := range r.lines {
		lines[i] = RequestLine{OrderLine: l.OrderLine, Quantity: l.Quantity, Reason: l.Reason, Note: l.Note, Condition: l.Condition}
	}
	return NewCase(o, now, lines)
}

// Rule is one eligibility rule of a [Policy]. Check returns its findings
// on c; none means it has nothing to say. Check must not modify c.
type Rule interface {
	Check(c *Case) []Finding
}

// RuleFunc adapts a function to [Rule].
type RuleFunc func(c *Case) []Finding

// Check calls f.
func (f RuleFunc) Check(c *Case) []Finding { return f(c) }

// Policy is a list of rules. The zero Policy approves everything.
type Policy struct {
	Rules []Rule
}

// Evaluate runs every rule on c and returns the decision: the strictest
// verdict of all findings, and the findings in rule order.
func (p Policy) Evaluate(c *Case) Decision {
	d := Decision{Verdict: VerdictApprove}
	for _, r := range p.Rules {
		for _, f := range r.Check(c) {
			d.Findings = append(d.Findings, f)
			if f.Verdict.rank() > d.Verdict.rank() {
				d.Verdict = f.Verdict
			}
		}
	}
	return d
}

// Window rejects lines asked for more than Period after delivery (or
// after shipment, for units never reported delivered). ByReason overrides
// Period for some reasons: {ReasonDefective: 365 * 24 * time.Hour} keeps
// defective units returnable for a year.
type Window struct {
	Period   time.Duration
	ByReason map[Reason]time.Duration
}

// Check implements [Rule].
func (w Window) Check(c *Case) []Finding {
	var out []Finding
	for _, l := range c.Lines {
		start, what := l.DeliveredAt, "delivered"
		if start.IsZero() {
			start, what = l.ShippedAt, "shipped (no delivery reported)"
		}
		if start.IsZero() {
			out = append(out, Finding{Rule: "window", OrderLine: l.OrderLine, Verdict: VerdictReject, Reason: "nothing of this line has shipped"})
			continue
		}
		limit, src := w.Period, "the return window"
		if p, ok := w.ByReason[l.Reason]; ok {
			limit, src = p, "the window for "+string(l.Reason)
		}
		age := c.Now.Sub(start)
		f := Finding{Rule: "window", OrderLine: l.OrderLine, Verdict: VerdictApprove}
		f.Reason = fmt.Sprintf("%s %s, %s ago; %s is %s", what, start.UTC().Format("2006-01-02"), days(age), src, days(limit))
		if age > limit {
			f.Verdict = VerdictReject
		}
		out = append(out, f)
	}
	return out
}

// days formats d in whole days, rounded down.
func days(d time.Duration) string {
	n := int64(d / (24 * time.Hour))
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// FinalSale rejects lines of final-sale SKUs, or of SKUs whose category
// (from Category, if set) is listed.
type FinalSale struct {
	SKUs       []fulfill.SKU
	Categories []string
	Category   func(fulfill.SKU) string // nil means no categories
}

// Check implements [Rule].
func (fs FinalSale) Check(c *Case) []Finding {
	var out []Finding
	for _, l := range c.Lines {
		switch {
		case slices.Contains(fs.SKUs, l.SKU):
			out = append(out, Finding{Rule: "final_sale", OrderLine: l.OrderLine, Verdict: VerdictReject, Reason: fmt.Sprintf("%s is final sale", l.SKU)})
		case fs.Category != nil && slices.Contains(fs.Categories, fs.Category(l.SKU)):
			out = append(out, Finding{Rule: "final_sale", OrderLine: l.OrderLine, Verdict: VerdictReject, Reason: fmt.Sprintf("category %q of %s is final sale", fs.Category(l.SKU), l.SKU)})
		}
	}
	return out
}

// ConditionRequired rejects lines whose declared condition is not one of
// Allowed, and sends lines without a declared condition to review. If SKUs
// or Categories are set, it applies only to those SKUs and to SKUs whose
// category (from Category) is listed, such as unopened-only cosmetics.
type ConditionRequired struct {
	Allowed    []Condition
	SKUs       []fulfill.SKU
	Categories []string
	Category   func(fulfill.SKU) string // nil means no categories
}

// applies reports whether the rule covers sku.
func (cr ConditionRequired) applies(sku fulfill.SKU) bool {
	if len(cr.SKUs) == 0 && len(cr.Categories) == 0 {
		return true
	}
	return slices.Contains(cr.SKUs, sku) || (cr.Category != nil && slices.Contains(cr.Categories, cr.Category(sku)))
}

// Check implements [Rule].
func (cr ConditionRequired) Check(c *Case) []Finding {
	var out []Finding
	for _, l := range c.Lines {
		switch {
		case !cr.applies(l.SKU):
		case l.Condition == "":
			out = append(out, Finding{Rule: "condition", OrderLine: l.OrderLine, Verdict: VerdictReview, Reason: "condition not declared"})
		case !slices.Contains(cr.Allowed, l.Condition):
			out = append(out, Finding{Rule: "condition", OrderLine: l.OrderLine, Verdict: VerdictReject, Reason: fmt.Sprintf("condition %s is not accepted", l.Condition)})
		}
	}
	return out
}

// AutoApproveLimit sends a return worth more than Max (what was paid for
// its units) to review. A zero Max sends every return to review.
type AutoApproveLimit struct {
	Max fulfill.Money
}

// Check implements [Rule].
func (a AutoApproveLimit) Check(c *Case) []Finding {
	var total fulfill.Money
	for _, l := range c.Lines {
		var err error
		if total, err = total.Add(l.Value); err != nil {
			return []Finding{{Rule: "auto_approve_limit", Verdict: VerdictReview, Reason: err.Error()}}
		}
	}
	n, err := total.Cmp(a.Max)
	switch {
	case err != nil:
		return []Finding{{Rule: "auto_approve_limit", Verdict: VerdictReview, Reason: err.Error()}}
	case n > 0:
		return []Finding{{Rule: "auto_approve_limit", Verdict: VerdictReview, Reason: fmt.Sprintf("value %s is above the auto-approval limit %s", total, a.Max)}}
	}
	return nil
}

// Exempt runs Rule on the lines whose reason is not one of Reasons: a
// per-reason override, such as a final-sale rule that does not apply to
// defective units.
type Exempt struct {
	Reasons []Reason
	Rule    Rule
}

// Check implements [Rule].
func (e Exempt) Check(c *Case) []Finding {
	sub := &Case{Order: c.Order, Now: c.Now}
	for _, l := range c.Lines {
		if !slices.Contains(e.Reasons, l.Reason) {
			sub.Lines = append(sub.Lines, l)
		}
	}
	if len(sub.Lines) == 0 {
		return nil
	}
	return e.Rule.Check(sub)
}

var (
	_ Rule = Window{}
	_ Rule = FinalSale{}
	_ Rule = ConditionRequired{}
	_ Rule = AutoApproveLimit{}
	_ Rule = Exempt{}
	_ Rule = RuleFunc(nil)
)
