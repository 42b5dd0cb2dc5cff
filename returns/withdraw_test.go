package returns

import (
	"context"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requestedOn returns a return of 2 MUG and 1 TEE of o, recorded on o.
func requestedOn(t *testing.T, o *order.Order) *Return {
	t.Helper()
	r := requested(t, o)
	ok := func(_ []order.Event, err error) { t.Helper(); require.NoError(t, err) }
	ok(o.RequestReturn(t0.Add(48*time.Hour), r.OrderRequest()))
	return r
}

func TestOrderWithdrawal(t *testing.T) {
	t.Run("cancelled: every unit", func(t *testing.T) {
		o := delivered(t)
		r := requestedOn(t, o)
		_, open := r.OrderWithdrawal()
		assert.False(t, open, "nothing to withdraw while the return is open")
		ok(t)(r.Cancel(t0, "customer keeps them"))
		w, due := r.OrderWithdrawal()
		require.True(t, due)
		assert.Equal(t, "RMA-1", w.Reference)
		assert.Equal(t, []order.LineQuantity{{Line: 1, Quantity: 2}, {Line: 2, Quantity: 1}}, w.Lines)
		_, err := o.WithdrawReturn(t0, w)
		require.NoError(t, err)
		for l := range o.Lines() {
			assert.Zero(t, l.ReturnRequested, "line %d", l.ID)
		}
		require.NoError(t, o.CheckInvariants())
		// The units can be asked for again.
		_, _, err = New("RMA-2", o, t0.Add(72*time.Hour), Request{Channel: ChannelMail, Lines: []RequestLine{{OrderLine: 1, Quantity: 2, Reason: ReasonDefective}}})
		assert.NoError(t, err)
	})
	t.Run("declined: every unit", func(t *testing.T) {
		o := delivered(t)
		r := requestedOn(t, o)
		ok(t)(r.Decline(t0, "outside the window"))
		w, due := r.OrderWithdrawal()
		require.True(t, due)
		assert.Equal(t, []order.LineQuantity{{Line: 1, Quantity: 2}, {Line: 2, Quantity: 1}}, w.Lines)
	})
	t.Run("closed: what did not come back", func(t *testing.T) {
		o := delivered(t)
		r := requestedOn(t, o)
		ok(t)(r.Approve(t0, ""))
		events := ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{
			{Line: 1, Quantity: 1, Outcome: OutcomeReceived},
			{Line: 1, Quantity: 1, Outcome: OutcomeLost},
			{Line: 2, Quantity: 1, Outcome: OutcomeWrongItem},
		}}))
		rec, any := RecordReturnRequest(events)
		require.True(t, any)
		_, err := o.RecordReturn(t0, rec)
		require.NoError(t, err)
		ok(t)(r.Inspect(t0, InspectRequest{Lines: []InspectLine{
			{Line: 1, Quantity: 1, Grade: GradeResellable},
		}}))
		ok(t)(r.Dispose(context.Background(), newInventory(), t0, DisposeRequest{Lines: []DisposeLine{
			{Line: 1, Quantity: 1, Disposition: DispositionRestock, Location: "WH1"},
			{Line: 2, Quantity: 1, Disposition: DispositionDispose},
		}}))
		ok(t)(r.Close(t0, ""))
		w, due := r.OrderWithdrawal()
		require.True(t, due)
		assert.Equal(t, []order.LineQuantity{{Line: 1, Quantity: 1}, {Line: 2, Quantity: 1}}, w.Lines)
		_, err = o.WithdrawReturn(t0, w)
		require.NoError(t, err)
		for l := range o.Lines() {
			assert.Zero(t, l.ReturnRequested, "line %d: nothing is awaited any more", l.ID)
		}
		require.NoError(t, o.CheckInvariants())
	})
}
