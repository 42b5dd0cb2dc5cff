package returns

import "github.com/fulfillkit/fulfill/order"

// OrderWithdrawal returns what the order must stop waiting for once r is
// over: the units r asked for (see [Return.OrderRequest]) that did not come
// back as the ordered item. It applies to a cancelled or declined return
// (none of its units come) and to a closed one (units lost in transit,
// missing, or replaced by a wrong item); for any other status, or when
// every unit came back, it returns false.
//
// The host runs it on the order with [order.Order.WithdrawReturn], once:
// through [order.Service.Execute] with an idempotency key derived from the
// return's ID, so that a retry does not withdraw twice. Without it, the
// order keeps those units as return-requested, which blocks a new return of
// them and the order's closing.
func (r *Return) OrderWithdrawal() (order.WithdrawReturnRequest, bool) {
	switch r.status {
	case StatusCancelled, StatusDeclined, StatusClosed:
	default:
		return order.WithdrawReturnRequest{}, false
	}
	req := order.WithdrawReturnRequest{Reference: string(r.id)}
	idx := map[order.LineID]int{}
	for _, l := range r.lines {
		var back int64
		for _, u := range l.Units {
			if u.Outcome == OutcomeReceived {
				back++
			}
		}
		if left := l.Quantity - back; left > 0 {
			i, ok := idx[l.OrderLine]
			if !ok {
				i = len(req.Lines)
				idx[l.OrderLine] = i
				req.Lines = append(req.Lines, order.LineQuantity{Line: l.OrderLine})
			}
			req.Lines[i].Quantity += left
		}
	}
	return req, len(req.Lines) > 0
}
