package returns

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/ship"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewValidates(t *testing.T) {
	o := delivered(t)
	line := func(l order.LineID, q int64, r Reason) RequestLine {
		return RequestLine{OrderLine: l, Quantity: q, Reason: r}
	}
	tests := []struct {
		name string
		id   ID
		req  Request
		want error
	}{
		{"no id", "", Request{Channel: ChannelMail, Lines: []RequestLine{line(1, 1, ReasonDamaged)}}, ErrInvalidReturn},
		{"control char id", "RMA\x00", Request{Channel: ChannelMail, Lines: []RequestLine{line(1, 1, ReasonDamaged)}}, ErrInvalidReturn},
		{"bad channel", "R", Request{Channel: "pigeon", Lines: []RequestLine{line(1, 1, ReasonDamaged)}}, ErrInvalidReturn},
		{"no lines", "R", Request{Channel: ChannelMail}, ErrInvalidReturn},
		{"unknown line", "R", Request{Channel: ChannelMail, Lines: []RequestLine{line(9, 1, ReasonDamaged)}}, ErrInvalidReturn},
		{"twice", "R", Request{Channel: ChannelMail, Lines: []RequestLine{line(1, 1, ReasonDamaged), line(1, 1, ReasonDamaged)}}, ErrInvalidReturn},
		{"zero quantity", "R", Request{Channel: ChannelMail, Lines: []RequestLine{line(1, 0, ReasonDamaged)}}, ErrInvalidReturn},
		{"unknown reason", "R", Request{Channel: ChannelMail, Lines: []RequestLine{line(1, 1, "meh")}}, ErrInvalidReturn},
		{"other without note", "R", Request{Channel: ChannelMail, Lines: []RequestLine{line(1, 1, ReasonOther)}}, ErrInvalidReturn},
		{"unknown condition", "R", Request{Channel: ChannelMail, Lines: []RequestLine{{OrderLine: 1, Quantity: 1, Reason: ReasonDamaged, Condition: "mint"}}}, ErrInvalidReturn},
		{"more than shipped", "R", Request{Channel: ChannelMail, Lines: []RequestLine{line(1, 4, ReasonDamaged)}}, ErrQuantity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, events, err := New(tt.id, o, t0, tt.req)
			assert.ErrorIs(t, err, tt.want)
			assert.Nil(t, r)
			assert.Nil(t, events)
		})
	}
	_, _, err := New("R", nil, t0, Request{Channel: ChannelMail, Lines: []RequestLine{line(1, 1, ReasonDamaged)}})
	assert.ErrorIs(t, err, ErrInvalidReturn)
}

// TestNewBoundedByOrderLedger checks that units requested in the order
// cannot be returned twice, and that returned units stay returned.
func TestNewBoundedByOrderLedger(t *testing.T) {
	o := delivered(t)
	r := requested(t, o)
	_, err := o.RequestReturn(t0, r.OrderRequest())
	require.NoError(t, err)
	_, _, err = New("RMA-2", o, t0, Request{Channel: ChannelStore, Lines: []RequestLine{{OrderLine: 1, Quantity: 2, Reason: ReasonDamaged}}})
	var qe *QuantityError
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, int64(1), qe.Available)
	r2, _, err := New("RMA-2", o, t0, Request{Channel: ChannelStore, Lines: []RequestLine{{OrderLine: 1, Quantity: 1, Reason: ReasonDamaged}}})
	require.NoError(t, err)
	assert.Equal(t, StatusRequested, r2.Status())
}

func TestReceiveInspectRules(t *testing.T) {
	o := delivered(t)
	r := requested(t, o)
	ok(t)(r.Approve(t0, ""))
	before := snap(t, r)
	for _, req := range []ReceiveRequest{
		{},
		{Lines: []ReceiveLine{{Line: 1, Quantity: 3, Outcome: OutcomeReceived}}},
		{Lines: []ReceiveLine{{Line: 1, Quantity: -1, Outcome: OutcomeReceived}}},
		{Lines: []ReceiveLine{{Line: 3, Quantity: 1, Outcome: OutcomeReceived}}},
		{Lines: []ReceiveLine{{Line: 1, Quantity: 1, Outcome: "eaten"}}},
		{Lines: []ReceiveLine{{Line: 1, Quantity: 1, Outcome: OutcomeReceived, ReceivedSKU: "X"}}},
		{Lines: []ReceiveLine{{Line: 1, Quantity: 1, Outcome: OutcomeReceived}, {Line: 1, Quantity: 2, Outcome: OutcomeLost}}},
	} {
		_, err := r.Receive(t0, req)
		require.Error(t, err)
		assert.True(t, errors.Is(err, ErrInvalidReturn) || errors.Is(err, ErrQuantity), "%v", err)
		assert.Equal(t, before, snap(t, r), "a failed receive changed the return")
	}
	events := ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{
		{Line: 1, Quantity: 1, Outcome: OutcomeReceived},
		{Line: 1, Quantity: 1, Outcome: OutcomeWrongItem, ReceivedSKU: "BRICK"},
		{Line: 2, Quantity: 1, Outcome: OutcomeLost},
	}}))
	require.Len(t, events, 1)
	assert.Len(t, events[0].Units, 3)
	assert.Equal(t, StatusReceived, r.Status())
	rec, got := RecordReturnRequest(events)
	require.True(t, got)
	assert.Equal(t, []order.LineQuantity{{Line: 1, Quantity: 1}}, rec.Lines, "only units received as sold count as returned")

	_, err := r.Inspect(t0, InspectRequest{Lines: []InspectLine{{Line: 1, Quantity: 2, Grade: GradeResellable}}})
	assert.ErrorIs(t, err, ErrQuantity, "the wrong item is not graded")
	_, err = r.Inspect(t0, InspectRequest{Lines: []InspectLine{{Line: 1, Quantity: 1, Grade: "shiny"}}})
	assert.ErrorIs(t, err, ErrInvalidReturn)
	ok(t)(r.Inspect(t0, InspectRequest{Lines: []InspectLine{{Line: 1, Quantity: 1, Grade: GradeMissingParts}}}))
	assert.Equal(t, StatusInspected, r.Status())
}

// failing is an Inventory that refuses every operation after ok of them.
type failing struct {
	inv *inventory.Inventory
	ok  int
}

func (f *failing) Apply(ctx context.Context, op inventory.Operation) (*inventory.Receipt, error) {
	if f.ok == 0 {
		return nil, errors.New("store unavailable")
	}
	f.ok--
	return f.inv.Apply(ctx, op)
}

func level(t *testing.T, inv *inventory.Inventory, sku fulfill.SKU, loc fulfill.LocationID) inventory.Level {
	t.Helper()
	l, err := inv.Level(context.Background(), inventory.Key{Owner: owner, SKU: sku, Location: loc})
	require.NoError(t, err)
	return l
}

func TestDispose(t *testing.T) {
	ctx := context.Background()
	o := delivered(t)
	r := requested(t, o)
	ok(t)(r.Approve(t0, ""))
	ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 2, Outcome: OutcomeReceived}, {Line: 2, Quantity: 1, Outcome: OutcomeWrongItem}}}))
	ok(t)(r.Inspect(t0, InspectRequest{Lines: []InspectLine{{Line: 1, Quantity: 1, Grade: GradeResellable}, {Line: 1, Quantity: 1, Grade: GradeDefective}}}))
	inv := newInventory()
	before := snap(t, r)
	for _, tt := range []struct {
		name string
		req  DisposeRequest
		want error
	}{
		{"restock a defective unit", DisposeRequest{Lines: []DisposeLine{{Line: 1, Quantity: 2, Disposition: DispositionRestock, Location: "WH1"}}}, ErrInvalidReturn},
		{"restock a wrong item", DisposeRequest{Lines: []DisposeLine{{Line: 2, Quantity: 1, Disposition: DispositionRestock, Location: "WH1"}}}, ErrInvalidReturn},
		{"quarantine an unknown wrong item", DisposeRequest{Lines: []DisposeLine{{Line: 2, Quantity: 1, Disposition: DispositionQuarantine, Location: "WH1"}}}, ErrInvalidReturn},
		{"no location", DisposeRequest{Lines: []DisposeLine{{Line: 1, Quantity: 1, Disposition: DispositionQuarantine}}}, fulfill.ErrInvalidCode},
		{"too many", DisposeRequest{Lines: []DisposeLine{{Line: 1, Quantity: 3, Disposition: DispositionDispose}}}, ErrQuantity},
		{"unknown", DisposeRequest{Lines: []DisposeLine{{Line: 1, Quantity: 1, Disposition: "burn", Location: "WH1"}}}, ErrInvalidReturn},
		{"empty", DisposeRequest{}, ErrInvalidReturn},
	} {
		_, err := r.Dispose(ctx, inv, t0, tt.req)
		assert.ErrorIs(t, err, tt.want, tt.name)
		assert.Equal(t, before, snap(t, r), tt.name)
	}
	req := DisposeRequest{Lines: []DisposeLine{
		{Line: 1, Quantity: 1, Disposition: DispositionRestock, Location: "WH1"},
		{Line: 1, Quantity: 1, Disposition: DispositionRefurbish, Location: "WH2"},
		{Line: 2, Quantity: 1, Disposition: DispositionDispose},
	}}
	// The second operation fails: the return does not change, and the
	// retry applies the first operation only once.
	_, err := r.Dispose(ctx, &failing{inv: inv, ok: 1}, t0, req)
	var de *DispositionError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, ErrDisposition)
	assert.Equal(t, DispositionRefurbish, de.Disposition)
	assert.Equal(t, before, snap(t, r))
	assert.Equal(t, int64(1), level(t, inv, "MUG", "WH1").Available())
	events := ok(t)(r.Dispose(ctx, inv, t0, req))
	require.Len(t, events, 1)
	assert.Len(t, events[0].Units, 3)
	assert.Equal(t, int64(1), level(t, inv, "MUG", "WH1").Available(), "the retried restock applied once")
	wh2 := level(t, inv, "MUG", "WH2")
	assert.Equal(t, int64(1), wh2.OnHand)
	assert.Equal(t, int64(1), wh2.Damaged)
	assert.Equal(t, int64(0), wh2.Available())
	assert.Equal(t, int64(0), level(t, inv, "TEE", "WH1").OnHand, "a disposed unit never enters stock")
	for l := range r.Lines() {
		for _, u := range l.Units {
			assert.NotEmpty(t, u.Disposition)
		}
	}
	_, err = r.Dispose(ctx, inv, t0, req)
	assert.ErrorIs(t, err, ErrInvalidTransition, "no unit awaits a disposition")
	ok(t)(r.Close(t0, "done"))
}

func TestWrongItemQuarantinedUnderItsSKU(t *testing.T) {
	o := delivered(t)
	r := requested(t, o)
	ok(t)(r.Approve(t0, ""))
	ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 2, Outcome: OutcomeLost}, {Line: 2, Quantity: 1, Outcome: OutcomeWrongItem, ReceivedSKU: "BRICK"}}}))
	assert.Equal(t, StatusInspected, r.Status(), "nothing to grade")
	inv := newInventory()
	ok(t)(r.Dispose(context.Background(), inv, t0, DisposeRequest{Lines: []DisposeLine{{Line: 2, Quantity: 1, Disposition: DispositionQuarantine, Location: "WH1"}}}))
	assert.Equal(t, int64(1), level(t, inv, "BRICK", "WH1").Quarantine)
	assert.Equal(t, int64(0), level(t, inv, "TEE", "WH1").OnHand)
}

func TestExchangeWithOrderHold(t *testing.T) {
	o := delivered(t)
	r := requested(t, o)
	ok(t)(r.Approve(t0, ""))
	a := NewAccount(o)
	ro, oevents, events, err := r.Exchange(t0, o, a, newID, ExchangeRequest{Lines: []ExchangeLine{{Line: 1, Quantity: 2, SKU: "MUG-RED"}}})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Len(t, oevents, 3, "placed, confirmed, held")
	assert.Equal(t, order.StatusOnHold, ro.Status())
	tot, _ := ro.Totals()
	assert.True(t, tot.Due.IsZero())
	_, released := r.ReleaseReplacement(newID)
	assert.False(t, released, "nothing received yet")
	_, _, _, err = r.Exchange(t0, o, a, newID, ExchangeRequest{Lines: []ExchangeLine{{Line: 1, Quantity: 1}}})
	assert.ErrorIs(t, err, ErrQuantity)
	ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 2, Outcome: OutcomeReceived}}}))
	rel, released := r.ReleaseReplacement(newID)
	require.True(t, released)
	_, err = ro.Release(t0, rel)
	require.NoError(t, err)
	assert.Equal(t, order.StatusConfirmed, ro.Status())
	// Exchanged units are not refunded.
	_, err = a.Preview(o, r, RefundPolicy{}, RefundRequest{Key: "k", Kind: RefundReturn, Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}})
	assert.ErrorIs(t, err, ErrQuantity)
	assert.Equal(t, []ExchangeRecord{{Return: "RMA-1", Line: 1, Quantity: 2, Replacement: newID, At: t0}}, a.Exchanges())
}

func TestCrossShipHoldCaptured(t *testing.T) {
	o := delivered(t)
	r := requested(t, o)
	ok(t)(r.Approve(t0, ""))
	until := t0.Add(14 * day)
	a := NewAccount(o)
	_, _, _, err := r.Exchange(t0, o, a, newID, ExchangeRequest{Lines: []ExchangeLine{{Line: 2, Quantity: 1}}, CrossShip: true})
	assert.ErrorIs(t, err, ErrInvalidReturn, "a cross-ship needs a deadline")
	ro, _, _, err := r.Exchange(t0, o, a, newID, ExchangeRequest{Lines: []ExchangeLine{{Line: 2, Quantity: 1}}, CrossShip: true, HoldUntil: until})
	require.NoError(t, err)
	assert.Equal(t, order.StatusConfirmed, ro.Status(), "a cross-ship replacement is not held")
	events, err := r.CaptureHold(until.Add(-time.Second))
	require.NoError(t, err)
	assert.Empty(t, events)
	ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 2, Quantity: 1, Outcome: OutcomeWrongItem}}}))
	h, _ := r.Hold()
	assert.Equal(t, HoldActive, h.State, "a wrong item does not release the hold")
	events = ok(t)(r.CaptureHold(until))
	require.Len(t, events, 1)
	assert.Equal(t, EventHoldCaptured, events[0].Type)
	h, _ = r.Hold()
	assert.Equal(t, HoldCaptured, h.State)
	assert.Equal(t, "18.34 USD", h.Amount.String(), "what was paid for the last shirt")
}

func TestLabelAndTracking(t *testing.T) {
	o := delivered(t)
	r := requested(t, o)
	l := &fakeLabeler{}
	_, err := r.IssueLabel(context.Background(), t0, l, carrier.LabelRequest{})
	assert.ErrorIs(t, err, ErrInvalidTransition)
	assert.Zero(t, l.calls, "no label bought for an unapproved return")
	ok(t)(r.Approve(t0, ""))
	ok(t)(r.IssueLabel(context.Background(), t0, l, carrier.LabelRequest{}))
	lab, has := r.Label()
	require.True(t, has)
	assert.Equal(t, "L-return-label:acme:RMA-1", lab.ID)
	failing := carrier.LabelFunc(func(context.Context, carrier.LabelRequest) (carrier.Label, error) {
		return carrier.Label{}, errors.New("carrier down")
	})
	r2 := approvedOf(t, delivered(t), RequestLine{OrderLine: 1, Quantity: 1, Reason: ReasonDamaged})
	_, err = r2.IssueLabel(context.Background(), t0, failing, carrier.LabelRequest{})
	assert.Error(t, err)
	assert.Equal(t, StatusApproved, r2.Status())

	events := ok(t)(r.Track(t0, ship.StatusPreTransit))
	assert.Equal(t, EventTracked, events[0].Type)
	assert.Equal(t, StatusLabelIssued, r.Status())
	events = ok(t)(r.Track(t0, ship.StatusInTransit))
	assert.Equal(t, EventShipped, events[0].Type)
	assert.Equal(t, StatusInTransit, r.Status())
	events = ok(t)(r.Track(t0, ship.StatusInTransit))
	assert.Empty(t, events, "a repeated status is not news")
	ok(t)(r.Track(t0, ship.StatusDelivered))
	assert.Equal(t, ship.StatusDelivered, r.Tracking())
	_, err = r.Track(t0, "teleported")
	assert.ErrorIs(t, err, ErrInvalidReturn)
}

func TestReplacementForClaim(t *testing.T) {
	o := delivered(t)
	ro, _, err := Replacement(t0, o, newID, []ReplacementLine{{OrderLine: 3, Quantity: 1}}, nil)
	require.NoError(t, err)
	l, _ := ro.Line(1)
	assert.Equal(t, fulfill.SKU("CAP"), l.SKU)
	_, _, err = Replacement(t0, o, newID, []ReplacementLine{{OrderLine: 3, Quantity: 2}}, nil)
	assert.ErrorIs(t, err, ErrQuantity)
	_, _, err = Replacement(t0, o, newID, nil, nil)
	assert.ErrorIs(t, err, ErrInvalidReturn)
}

func TestReopen(t *testing.T) {
	o := delivered(t)
	r := requested(t, o)
	ok(t)(r.Decline(t0, "late"))
	ok(t)(r.Reopen(t0, "appeal"))
	assert.Equal(t, StatusRequested, r.Status())
	_, err := r.Decline(t0, "")
	assert.ErrorIs(t, err, ErrInvalidReturn)
}
