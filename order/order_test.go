package order

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlaceValidation(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(r *PlaceRequest)
		field string
		kind  error
	}{
		{"no channel", func(r *PlaceRequest) { r.Channel = "" }, "channel", ErrInvalidOrder},
		{"unknown currency", func(r *PlaceRequest) { r.Currency = "XXX" }, "currency", ErrInvalidOrder},
		{"no lines", func(r *PlaceRequest) { r.Lines = nil }, "lines", ErrInvalidOrder},
		{"empty SKU", func(r *PlaceRequest) { r.Lines[0].SKU = "" }, "sku", fulfill.ErrInvalidCode},
		{"zero quantity", func(r *PlaceRequest) { r.Lines[0].Quantity = 0 }, "lines[0].quantity", ErrInvalidOrder},
		{"huge quantity", func(r *PlaceRequest) { r.Lines[1].Quantity = MaxQuantity + 1 }, "lines[1].quantity", ErrInvalidOrder},
		{"price in EUR", func(r *PlaceRequest) { r.Lines[0].UnitPrice = fulfill.MustMoney("1", "EUR") }, "lines[0].unit_price", fulfill.ErrCurrencyMismatch},
		{"negative price", func(r *PlaceRequest) { r.Lines[1].UnitPrice = usdAmt("-1.00") }, "lines[1].unit_price", ErrInvalidOrder},
		{"discount above price", func(r *PlaceRequest) { r.Lines[1].UnitDiscount = usdAmt("6.00") }, "lines[1].unit_discount", ErrInvalidOrder},
		{"order discount above value", func(r *PlaceRequest) { r.Discount = usdAmt("100.00") }, "discount", ErrInvalidOrder},
		{"negative shipping", func(r *PlaceRequest) { r.Shipping = usdAmt("-4.99") }, "shipping", ErrInvalidOrder},
		{"bad address", func(r *PlaceRequest) { r.ShipTo.PostalCode = "ABC" }, "postal_code", fulfill.ErrInvalidAddress},
		{"line ID set", func(r *PlaceRequest) { r.Lines[0].ID = 7 }, "lines[0].id", ErrInvalidOrder},
		{"negative TTL", func(r *PlaceRequest) { r.TTL = -time.Second }, "ttl", ErrInvalidOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := placeRq
			r.Lines = append([]NewLine(nil), placeRq.Lines...)
			tt.edit(&r)
			o, events, err := Place(testID, owner, t0, r)
			require.Error(t, err)
			assert.Nil(t, o)
			assert.Nil(t, events)
			assert.ErrorIs(t, err, tt.kind)
			fe, ok := errors.AsType[*fulfill.FieldError](err)
			require.True(t, ok, "want a *fulfill.FieldError, got %v", err)
			assert.Equal(t, tt.field, fe.Field)
		})
	}
}

func TestPlace(t *testing.T) {
	o, events, err := Place(testID, owner, t0, placeRq)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, EventPlaced, events[0].Type())
	assert.Equal(t, int64(1), events[0].Version)
	assert.Equal(t, eventID(testID, 1), events[0].ID)
	assert.Equal(t, StatusPending, o.Status())
	assert.Equal(t, int64(1), o.Version())
	assert.Equal(t, t0, o.CreatedAt())
	assert.Equal(t, t0.Add(time.Hour), o.ExpiresAt())
	assert.Equal(t, ChannelWeb, o.Channel())
	var ids []LineID
	for l := range o.Lines() {
		ids = append(ids, l.ID)
	}
	assert.Equal(t, []LineID{1, 2}, ids)
	l, ok := o.Line(2)
	require.True(t, ok)
	assert.Equal(t, int64(2), l.Unallocated())
}

func TestTotals(t *testing.T) {
	o := placed(t)
	tot, err := o.Totals()
	require.NoError(t, err)
	for _, c := range []struct {
		name      string
		got, want fulfill.Money
	}{
		{"subtotal", tot.Subtotal, usdAmt("51.00")},
		{"discount", tot.Discount, usdAmt("5.00")},
		{"tax", tot.Tax, usdAmt("2.88")},
		{"shipping", tot.Shipping, usdAmt("4.99")},
		{"total", tot.Total, usdAmt("53.87")},
		{"due", tot.Due, usdAmt("53.87")},
		// The 1.00 order discount splits 36:11 as 0.77 and 0.23.
		{"line 1", tot.Lines[0], usdAmt("38.11")},
		{"line 2", tot.Lines[1], usdAmt("10.77")},
	} {
		assert.True(t, c.got.Equal(c.want), "%s = %s, want %s", c.name, c.got, c.want)
	}
	sum, err := fulfill.Sum(append(tot.Lines, tot.Shipping)...)
	require.NoError(t, err)
	assert.True(t, sum.Equal(tot.Total), "lines + shipping = %s, total %s", sum, tot.Total)
}

func TestValueOfUnitsIsAdditive(t *testing.T) {
	o := placed(t)
	whole, err := o.ValueOfUnits(1, 0, 4)
	require.NoError(t, err)
	assert.True(t, whole.Equal(usdAmt("38.11")))
	var sum fulfill.Money
	for i := range int64(4) {
		v, err := o.ValueOfUnits(1, i, 1)
		require.NoError(t, err)
		sum, err = sum.Add(v)
		require.NoError(t, err)
	}
	assert.True(t, sum.Equal(whole), "unit by unit %s, whole %s", sum, whole)
	_, err = o.ValueOfUnits(1, 3, 2)
	assert.ErrorIs(t, err, ErrQuantity)
	_, err = o.ValueOfUnits(9, 0, 1)
	assert.ErrorIs(t, err, ErrUnknownReference)
}

func TestCancelReleasesMoney(t *testing.T) {
	o := must(t, placed(t), ConfirmRequest{})
	events, err := o.Cancel(t0, CancelRequest{Lines: []LineQuantity{{1, 1}}, Reason: "customer"})
	require.NoError(t, err)
	d := events[0].Data.(Cancelled)
	require.Len(t, d.Lines, 1)
	assert.True(t, d.Lines[0].Amount.Equal(usdAmt("9.53")), "amount %s", d.Lines[0].Amount) // 38.11 * 1/4, rounded half up
	tot, err := o.Totals()
	require.NoError(t, err)
	assert.True(t, tot.Due.Equal(usdAmt("44.34")), "due %s", tot.Due)
	assert.Equal(t, StatusConfirmed, o.Status())

	_, err = o.Cancel(t0, CancelRequest{})
	require.NoError(t, err)
	assert.Equal(t, StatusCancelled, o.Status())
	tot, err = o.Totals()
	require.NoError(t, err)
	assert.True(t, tot.Cancelled.Equal(tot.Total), "cancelled %s of %s", tot.Cancelled, tot.Total)
	assert.True(t, tot.Due.IsZero(), "due %s", tot.Due)

	// Closing the cancelled order leaves its money as it was.
	must(t, o, CloseRequest{})
	closed, err := o.Totals()
	require.NoError(t, err)
	assert.True(t, closed.Due.IsZero() && closed.Cancelled.Equal(tot.Cancelled), "after close: due %s, cancelled %s", closed.Due, closed.Cancelled)
}

func TestCancelTakesBucketsInOrder(t *testing.T) {
	o := must(t, placed(t), ConfirmRequest{})
	must(t, o, BackorderRequest{Lines: []LineQuantity{{1, 1}}})
	must(t, o, AllocateRequest{Location: "WH1", Lines: []LineQuantity{{1, 1}}}) // from unallocated
	must(t, o, AllocateRequest{Location: "WH2", Lines: []LineQuantity{{1, 1}}})
	must(t, o, PickRequest{Fulfillment: 2, Lines: []LineQuantity{{1, 1}}})
	events, err := o.Cancel(t0, CancelRequest{Lines: []LineQuantity{{1, 3}}})
	require.NoError(t, err)
	c := events[0].Data.(Cancelled).Lines[0]
	assert.Equal(t, int64(1), c.Unallocated)
	assert.Equal(t, int64(1), c.Backordered)
	assert.Equal(t, []Take{{Fulfillment: 2, Picked: 1}}, c.From, "the newest fulfillment order goes first")
	l, _ := o.Line(1)
	assert.Equal(t, Quantities{Ordered: 4, Cancelled: 3, Allocated: 1}, l.Quantities)
	assert.Len(t, o.Fulfillments(), 1, "the emptied fulfillment order is dropped")
}

func TestCancelOnlyWhatHasNotShipped(t *testing.T) {
	o := partiallyShipped(t)
	before := snapJSON(t, o)
	_, err := o.Cancel(t0, CancelRequest{Lines: []LineQuantity{{1, 1}}})
	qe, ok := errors.AsType[*QuantityError](err)
	require.True(t, ok, "got %v", err)
	assert.Equal(t, QuantityError{Line: 1, Bucket: BucketCancelled, Available: 0, Requested: 1}, *qe)
	assert.Equal(t, before, snapJSON(t, o))
	_, err = o.Cancel(t0, CancelRequest{})
	require.NoError(t, err)
	assert.Equal(t, StatusShipped, o.Status())
	_, err = o.Cancel(t0, CancelRequest{})
	te, ok := errors.AsType[*TransitionError](err)
	require.True(t, ok)
	assert.Equal(t, "order: cannot cancel when shipped: every unit has shipped", te.Error())
}

func TestHolds(t *testing.T) {
	o := allocated(t)
	_, err := o.Hold(t0, HoldRequest{Holds: []Hold{
		{ID: "pay", Kind: HoldAwaitingPayment, Source: "payments"},
		{ID: "later", Kind: HoldScheduled, Source: "ops", Until: t0.Add(time.Hour)},
	}})
	require.NoError(t, err)
	assert.Equal(t, StatusOnHold, o.Status())
	assert.Equal(t, t0, o.Holds()[0].Since)
	_, err = o.Hold(t0, holdRq("pay"))
	assert.ErrorIs(t, err, ErrInvalidOrder, "a hold ID may not be active twice")
	for _, h := range []Hold{
		{ID: "", Kind: HoldFraudReview, Source: "risk"},
		{ID: "x", Kind: "bored", Source: "risk"},
		{ID: "x", Kind: HoldFraudReview},
		{ID: "x", Kind: HoldScheduled, Source: "ops"},
	} {
		_, err = o.Hold(t0, HoldRequest{Holds: []Hold{h}})
		assert.ErrorIs(t, err, ErrInvalidOrder, "%+v", h)
	}
	_, err = o.Pick(t0, PickRequest{Fulfillment: 1, Lines: []LineQuantity{{1, 1}}})
	assert.ErrorIs(t, err, ErrInvalidTransition)
	_, err = o.Release(t0, ReleaseRequest{Holds: []string{"nope"}})
	assert.ErrorIs(t, err, ErrUnknownReference)
	_, err = o.Release(t0, ReleaseRequest{Holds: []string{"pay"}})
	require.NoError(t, err)
	assert.Equal(t, StatusOnHold, o.Status(), "one hold left")
	_, err = o.Release(t0.Add(time.Minute), ReleaseRequest{Due: true})
	assert.ErrorIs(t, err, ErrInvalidTransition, "the scheduled hold is not due")
	_, err = o.Release(t0.Add(time.Hour), ReleaseRequest{Due: true})
	require.NoError(t, err)
	assert.Equal(t, StatusAllocated, o.Status())
	assert.Empty(t, o.Holds())
}

func TestEdit(t *testing.T) {
	o := must(t, placed(t), ConfirmRequest{})
	must(t, o, AllocateRequest{Location: "WH1", Lines: []LineQuantity{{1, 2}}})
	addr := shipTo
	addr.Line1 = "2 Elm St"
	r := EditRequest{
		Add:         []NewLine{{SKU: "C", Quantity: 3, UnitPrice: usdAmt("2.00")}},
		Remove:      []LineID{2},
		SetQuantity: []LineQuantity{{1, 3}},
		ShipTo:      &addr,
	}
	preview, err := o.PreviewEdit(t0, r)
	require.NoError(t, err)
	assert.Equal(t, int64(3), o.Version(), "preview leaves the order alone")
	events, err := o.Edit(t0, r)
	require.NoError(t, err)
	assert.Equal(t, snapJSON(t, preview), snapJSON(t, o))
	assert.Equal(t, []NewLine{{ID: 3, SKU: "C", Quantity: 3, UnitPrice: usdAmt("2.00")}}, events[0].Data.(Edited).Added)
	l, _ := o.Line(1)
	assert.Equal(t, int64(3), l.Ordered)
	_, ok := o.Line(2)
	assert.False(t, ok)
	assert.Equal(t, "2 Elm St", o.ShipTo().Line1)

	for _, tt := range []struct {
		name string
		r    EditRequest
		kind error
	}{
		{"shrink below allocated", EditRequest{SetQuantity: []LineQuantity{{1, 1}}}, ErrQuantity},
		{"remove allocated line", EditRequest{Remove: []LineID{1}}, ErrQuantity},
		{"remove unknown line", EditRequest{Remove: []LineID{9}}, ErrUnknownReference},
		{"nothing", EditRequest{}, ErrInvalidOrder},
		{"half bad", EditRequest{Add: []NewLine{{SKU: "D", Quantity: 1, UnitPrice: usdAmt("1.00")}}, SetQuantity: []LineQuantity{{1, 1}}}, ErrQuantity},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := snapJSON(t, o)
			_, err := o.Edit(t0, tt.r)
			assert.ErrorIs(t, err, tt.kind)
			assert.Equal(t, before, snapJSON(t, o), "a failed edit changes nothing")
		})
	}
	must(t, o, PickRequest{Fulfillment: 1, Lines: []LineQuantity{{1, 1}}})
	_, err = o.Edit(t0, EditRequest{ShipTo: &shipTo})
	assert.ErrorIs(t, err, ErrQuantity, "the address is fixed once picking began")
}

func TestExpire(t *testing.T) {
	o := placed(t)
	_, err := o.Expire(t0.Add(59 * time.Minute))
	te, ok := errors.AsType[*TransitionError](err)
	require.True(t, ok)
	assert.Equal(t, "the order expires at 2026-03-02T10:00:00Z", te.Reason)
	events, err := o.Expire(t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, EventExpired, events[0].Type())
	assert.Equal(t, StatusCancelled, o.Status())
	c := must(t, placed(t), ConfirmRequest{})
	_, err = c.Expire(t0.Add(2 * time.Hour))
	assert.ErrorIs(t, err, ErrInvalidTransition)
}

func TestFulfillmentOrders(t *testing.T) {
	o := must(t, placed(t), ConfirmRequest{})
	must(t, o, AllocateRequest{Location: "WH1", Lines: []LineQuantity{{1, 4}, {2, 1}}})
	must(t, o, AllocateRequest{Location: "WH2", Lines: []LineQuantity{{2, 1}}})
	fs := o.Fulfillments()
	require.Len(t, fs, 2)
	assert.Equal(t, int64(5), fs[0].Remaining())
	assert.Equal(t, fulfill.LocationID("WH2"), fs[1].Location)

	must(t, o, SplitRequest{Fulfillment: 1, Lines: []LineQuantity{{1, 2}}})
	must(t, o, MoveRequest{Fulfillment: 3, To: "WH2"})
	must(t, o, MergeRequest{Into: 2, From: 3})
	fs = o.Fulfillments()
	require.Len(t, fs, 2)
	assert.Equal(t, Fulfillment{ID: 2, Location: "WH2", Lines: []FulfillmentLine{{Line: 1, Allocated: 2}, {Line: 2, Allocated: 1}}}, fs[1])

	must(t, o, PickRequest{Fulfillment: 1, Lines: []LineQuantity{{1, 1}}})
	_, err := o.Move(t0, MoveRequest{Fulfillment: 1, To: "WH3"})
	assert.ErrorIs(t, err, ErrInvalidTransition, "a started fulfillment order does not move")
	_, err = o.Merge(t0, MergeRequest{Into: 2, From: 1})
	assert.ErrorIs(t, err, ErrInvalidTransition, "no fulfillment orders at one location")
	_, err = o.Pick(t0, PickRequest{Fulfillment: 1, Lines: []LineQuantity{{1, 5}}})
	qe, ok := errors.AsType[*QuantityError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, QuantityError{Line: 1, Bucket: BucketAllocated, Available: 1, Requested: 5}, *qe)

	must(t, o, ShipRequest{Shipment: "S1", Fulfillment: 1})
	assert.Equal(t, int64(0), o.Fulfillments()[0].Remaining())
	assert.Equal(t, StatusPartiallyShipped, o.Status())
	_, err = o.Ship(t0, ShipRequest{Shipment: "S1", Fulfillment: 2})
	assert.ErrorIs(t, err, ErrInvalidOrder, "shipment IDs are unique")
}

func TestReturns(t *testing.T) {
	o := delivered(t)
	must(t, o, RequestReturnRequest{Reference: "RMA-1", Lines: []LineQuantity{{1, 2}}})
	assert.Equal(t, StatusDelivered, o.Status())
	_, err := o.RequestReturn(t0, RequestReturnRequest{Lines: []LineQuantity{{1, 3}}})
	assert.ErrorIs(t, err, ErrQuantity)
	events, err := o.RecordReturn(t0, RecordReturnRequest{Reference: "RMA-1", Lines: []LineQuantity{{1, 3}}})
	require.NoError(t, err)
	assert.Equal(t, []ReturnedLine{{Line: 1, Quantity: 3, FromRequested: 2}}, events[0].Data.(Returned).Lines)
	l, _ := o.Line(1)
	assert.Equal(t, int64(3), l.Returned)
	assert.Equal(t, int64(0), l.ReturnRequested)
	assert.Equal(t, StatusPartiallyReturned, o.Status())
	must(t, o, RequestReturnRequest{Reference: "RMA-2", Lines: []LineQuantity{{2, 1}}})
	_, err = o.Close(t0)
	assert.ErrorIs(t, err, ErrInvalidTransition, "a return is awaited")
	_, err = o.WithdrawReturn(t0, WithdrawReturnRequest{Lines: []LineQuantity{{2, 2}}})
	assert.ErrorIs(t, err, ErrQuantity)
	must(t, o, WithdrawReturnRequest{Reference: "RMA-2", Lines: []LineQuantity{{2, 1}}})
	must(t, o, CloseRequest{})
	assert.Equal(t, StatusClosed, o.Status())
	must(t, o, ReopenRequest{})
	assert.Equal(t, StatusPartiallyReturned, o.Status())
}

func TestStatusText(t *testing.T) {
	for _, s := range statuses {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var got Status
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, s, got)
	}
	var s Status
	err := json.Unmarshal([]byte(`"shipped-ish"`), &s)
	assert.ErrorIs(t, err, ErrInvalidOrder)
	_, err = Status("nope").MarshalText()
	assert.ErrorIs(t, err, ErrInvalidOrder)
}

func TestEventJSONRejects(t *testing.T) {
	good, err := json.Marshal(placedEvents(t)[0])
	require.NoError(t, err)
	for name, in := range map[string]string{
		"unknown type":  strings.Replace(string(good), `"order.placed"`, `"order.teleported"`, 1),
		"unknown field": strings.Replace(string(good), `"channel"`, `"chanel"`, 1),
		"wrong types":   `{"id":1}`,
	} {
		var e Event
		err := json.Unmarshal([]byte(in), &e)
		assert.ErrorIs(t, err, ErrInvalidEvent, name)
	}
}

func placedEvents(t testing.TB) []Event {
	_, events, err := Place(testID, owner, t0, placeRq)
	require.NoError(t, err)
	return events
}

func TestReplayRejects(t *testing.T) {
	o := placed(t)
	events := placedEvents(t)
	more, err := o.Confirm(t0)
	require.NoError(t, err)
	events = append(events, more...)
	for name, evs := range map[string][]Event{
		"empty":         nil,
		"no placed":     events[1:],
		"gap":           {events[0], withVersion(events[1], 3)},
		"placed twice":  {events[0], withVersion(events[0], 2)},
		"other order":   {events[0], withOrder(events[1], fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8058"))},
		"confirm twice": {events[0], events[1], withVersion(events[1], 3)},
	} {
		_, err := Replay(evs)
		assert.ErrorIs(t, err, ErrInvalidEvent, name)
	}
	got, err := Replay(events)
	require.NoError(t, err)
	assert.Equal(t, snapJSON(t, o), snapJSON(t, got))
}

func withVersion(e Event, v int64) Event { e.Version = v; return e }

func withOrder(e Event, id fulfill.OrderID) Event { e.OrderID = id; return e }

func TestRestoreRejects(t *testing.T) {
	base := shipped(t).Snapshot()
	tests := []struct {
		name string
		edit func(s *Snapshot)
		rule string
	}{
		{"conservation", func(s *Snapshot) { s.Lines[0].Cancelled = 1 }, "R2 conservation"},
		{"delivered", func(s *Snapshot) { s.Lines[0].Delivered = 5 }, "R3 delivered"},
		{"returns", func(s *Snapshot) { s.Lines[0].ReturnRequested = 5 }, "R4 returns"},
		{"fulfillment", func(s *Snapshot) { s.Fulfillments[0].Lines[0].Shipped = 3 }, "R5 fulfillment"},
		{"shipments", func(s *Snapshot) { s.Shipments[0].Lines[0].Quantity = 3 }, "R6 shipments"},
		{"negative", func(s *Snapshot) { s.Lines[0].Picked = -1 }, "R1 bounds"},
		{"identity", func(s *Snapshot) { s.Lines[1].ID = 1 }, "R8 identity"},
		{"fulfillment line twice", func(s *Snapshot) {
			s.Fulfillments[0].Lines = append(s.Fulfillments[0].Lines, FulfillmentLine{Line: 2})
		}, "R5 fulfillment"},
		{"shipment twice", func(s *Snapshot) {
			s.Shipments = append(s.Shipments, Shipment{ID: "S1", Fulfillment: 1})
		}, "R6 shipments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := shipped(t).Snapshot()
			tt.edit(&s)
			_, err := Restore(s)
			ie, ok := errors.AsType[*InvariantError](err)
			require.True(t, ok, "got %v", err)
			assert.Equal(t, tt.rule, ie.Rule)
		})
	}
	s := base
	s.Status = StatusPending
	_, err := Restore(s)
	assert.ErrorIs(t, err, ErrInvalidOrder)
	s = base
	s.Owner = ""
	_, err = Restore(s)
	assert.ErrorIs(t, err, fulfill.ErrInvalidCode)
}

func TestSnapshotJSONRoundTrip(t *testing.T) {
	for _, fx := range fixtures {
		o := fx.build(t)
		b, err := json.Marshal(o.Snapshot())
		require.NoError(t, err)
		var s Snapshot
		require.NoError(t, json.Unmarshal(b, &s))
		got, err := Restore(s)
		require.NoError(t, err, fx.name)
		b2, err := json.Marshal(got.Snapshot())
		require.NoError(t, err)
		assert.JSONEq(t, string(b), string(b2), fx.name)
		assert.Equal(t, o.Status(), got.Status())
	}
}

func TestEventIDsAreStable(t *testing.T) {
	a, b := allocated(t), allocated(t)
	ea, err := a.Hold(t0, holdRq("x"))
	require.NoError(t, err)
	eb, err := b.Hold(t0.Add(time.Hour), holdRq("y"))
	require.NoError(t, err)
	assert.Equal(t, ea[0].ID, eb[0].ID, "the ID depends on the order and the version only")
	assert.NotEqual(t, eventID(testID, 1), eventID(testID, 2))
}

func TestErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&TransitionError{From: StatusShipped, Command: CommandCancel, Reason: "every unit has shipped"}, "order: cannot cancel when shipped: every unit has shipped"},
		{&QuantityError{Line: 2, Bucket: BucketAllocated, Available: 1, Requested: 3}, "order: line 2: allocated: requested 3, available 1"},
		{&ConflictError{ID: testID, Expected: 3, Actual: 4}, "order: version conflict on 01890a5d-ac96-774b-bcce-b302099a8057: expected version 3, stored 4"},
		{&ReferenceError{Kind: "hold", ID: "h9"}, `order: unknown hold "h9"`},
		{&InvariantError{Rule: "R3 delivered", Line: 1, Detail: "delivered 2 > shipped 1"}, "order: invariant R3 delivered: line 1: delivered 2 > shipped 1"},
		{&IdempotencyError{Key: "k", Command: CommandShip}, `order: idempotency key "k" was used for a different ship request`},
	} {
		assert.Equal(t, tt.want, tt.err.Error())
	}
}

func TestServiceNeedsStore(t *testing.T) {
	var s Service
	_, err := s.Place(t.Context(), owner, "", placeRq)
	assert.ErrorIs(t, err, ErrInvalidOrder)
	_, err = s.Execute(t.Context(), owner, testID, "", ConfirmRequest{})
	assert.ErrorIs(t, err, ErrInvalidOrder)
	_, err = (&Service{Store: new(MemStore)}).Execute(t.Context(), owner, testID, "", nil)
	assert.ErrorIs(t, err, ErrInvalidOrder)
}
