package returns

import (
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

// EventType names an [Event]. The string values are stable.
type EventType string

// The event types.
const (
	EventRequested      EventType = "return.requested"
	EventApproved       EventType = "return.approved"
	EventDeclined       EventType = "return.declined"
	EventReviewRequired EventType = "return.review_required"
	EventLabelIssued    EventType = "return.label_issued"
	EventShipped        EventType = "return.shipped"
	EventTracked        EventType = "return.tracked"
	EventReceived       EventType = "return.received"
	EventInspected      EventType = "return.inspected"
	EventDisposed       EventType = "return.disposed"
	EventExchanged      EventType = "return.exchanged"
	EventHoldReleased   EventType = "return.hold_released"
	EventHoldCaptured   EventType = "return.hold_captured"
	EventClosed         EventType = "return.closed"
	EventCancelled      EventType = "return.cancelled"
	EventReopened       EventType = "return.reopened"
)

// Event records one change of a return, for the host to persist or publish
// (outbox style). Seq counts the return's events from 1.
type Event struct {
	Return ID              `json:"return"`
	Order  fulfill.OrderID `json:"order"`
	Owner  fulfill.OwnerID `json:"owner"`
	Seq    int64           `json:"seq"`
	At     time.Time       `json:"at"`
	Type   EventType       `json:"type"`
	From   Status          `json:"from,omitempty"`
	To     Status          `json:"to"`
	// Units lists the units the event is about, one entry per unit.
	Units []UnitChange `json:"units,omitempty"`
	Note  string       `json:"note,omitempty"`
}

// UnitChange is one unit's state as an event left it.
type UnitChange struct {
	Line        int                `json:"line"` // the return line, from 1
	Unit        int                `json:"unit"` // the unit within the line, from 1
	OrderLine   order.LineID       `json:"order_line"`
	SKU         fulfill.SKU        `json:"sku"`
	Outcome     Outcome            `json:"outcome,omitempty"`
	ReceivedSKU fulfill.SKU        `json:"received_sku,omitempty"`
	Grade       Grade              `json:"grade,omitempty"`
	Disposition Disposition        `json:"disposition,omitempty"`
	Location    fulfill.LocationID `json:"location,omitempty"`
}

// RecordReturnRequest returns the order command that records, in the
// order's ledger, the units these events received back as sold (outcome
// received), and false if they received none. Pass the events of
// [Return.Receive].
func RecordReturnRequest(events []Event) (order.RecordReturnRequest, bool) {
	var req order.RecordReturnRequest
	idx := map[order.LineID]int{}
	for _, e := range events {
		if e.Type != EventReceived {
			continue
		}
		req.Reference = string(e.Return)
		for _, u := range e.Units {
			if u.Outcome != OutcomeReceived {
				continue
			}
			i, ok := idx[u.OrderLine]
			if !ok {
				i = len(req.Lines)
				idx[u.OrderLine] = i
				req.Lines = append(req.Lines, order.LineQuantity{Line: u.OrderLine})
			}
			req.Lines[i].Quantity++
		}
	}
	return req, len(req.Lines) > 0
}
