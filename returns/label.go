package returns

import (
	"context"
	"time"

	"github.com/fulfillkit/fulfill/carrier"
)

// IssueLabel buys the return label through the carrier's label capability
// (see [carrier.BuyLabel] to find it behind decorators) and records it: the
// return is then label issued, and the label's cost is what
// [RefundPolicy.DeductLabel] deducts. If req.IdempotencyKey is empty it is
// "return-label:" + owner + ":" + the return's ID, so a retry never buys a
// second label.
func (r *Return) IssueLabel(ctx context.Context, now time.Time, l carrier.Labeler, req carrier.LabelRequest) ([]Event, error) {
	if err := r.Can(ActionIssueLabel); err != nil {
		return nil, err
	}
	if l == nil {
		return nil, invalid("labeler", "", "required")
	}
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = "return-label:" + string(r.owner) + ":" + string(r.id)
	}
	label, err := l.BuyLabel(ctx, req)
	if err != nil {
		return nil, err
	}
	return r.run(now, ActionIssueLabel, func(c *Return) ([]Event, error) {
		c.label = &label
		c.status = StatusLabelIssued
		note := "label " + label.ID
		if len(label.TrackingNumbers) > 0 {
			note += " tracking " + label.TrackingNumbers[0]
		}
		return []Event{c.event(now, EventLabelIssued, r.status, c.status, note)}, nil
	})
}
