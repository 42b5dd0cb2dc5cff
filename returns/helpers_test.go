package returns

import (
	"context"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/require"
)

var (
	t0      = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	orderID = fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8057")
	newID   = fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8058")
	owner   = fulfill.OwnerID("acme")
	usd     = fulfill.Currency("USD")
	shipTo  = fulfill.Address{Name: "Ada Lovelace", Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}
)

func usdAmt(s string) fulfill.Money { return fulfill.MustMoney(s, usd) }

// placeRq is the test order: a discounted, taxed line, a plain line, an
// order discount and shipping.
var placeRq = order.PlaceRequest{
	Channel: order.ChannelWeb, Customer: "cust-1", ShipTo: shipTo, Currency: usd,
	Lines: []order.NewLine{
		{SKU: "MUG", Quantity: 3, UnitPrice: usdAmt("12.00")},
		{SKU: "TEE", Quantity: 2, UnitPrice: usdAmt("20.00"), UnitDiscount: usdAmt("2.00"), UnitTax: usdAmt("1.44")},
		{SKU: "CAP", Quantity: 1, UnitPrice: usdAmt("9.99")},
	},
	Discount: usdAmt("5.00"), Shipping: usdAmt("4.99"), ServiceLevel: "standard",
}

// delivered returns the test order, shipped whole at t0 and delivered a
// day later.
func delivered(t testing.TB) *order.Order {
	t.Helper()
	return deliveredOf(t, placeRq)
}

// deliveredOf places req, ships and delivers it.
func deliveredOf(t testing.TB, req order.PlaceRequest) *order.Order {
	t.Helper()
	o, _, err := order.Place(orderID, owner, t0.Add(-48*time.Hour), req)
	require.NoError(t, err)
	var lines []order.LineQuantity
	for l := range o.Lines() {
		lines = append(lines, order.LineQuantity{Line: l.ID, Quantity: l.Ordered})
	}
	for _, r := range []order.Request{
		order.ConfirmRequest{},
		order.AllocateRequest{Location: "WH1", Lines: lines},
		order.ShipRequest{Shipment: "S1", Fulfillment: 1},
	} {
		_, err := o.Execute(t0, r)
		require.NoError(t, err, "%s", r.Command())
	}
	_, err = o.Deliver(t0.Add(24*time.Hour), order.DeliverRequest{Shipment: "S1"})
	require.NoError(t, err)
	return o
}

// requested returns a return of 2 MUG (no longer needed) and 1 TEE
// (defective) of o.
func requested(t testing.TB, o *order.Order) *Return {
	t.Helper()
	r, _, err := New("RMA-1", o, t0.Add(48*time.Hour), Request{Channel: ChannelMail, Lines: []RequestLine{
		{OrderLine: 1, Quantity: 2, Reason: ReasonNoLongerNeeded, Condition: ConditionUnopened},
		{OrderLine: 2, Quantity: 1, Reason: ReasonDefective, Condition: ConditionOpened},
	}})
	require.NoError(t, err)
	return r
}

// ok returns a function that fails the test on error: ok(t)(r.Approve(...)).
func ok(t testing.TB) func([]Event, error) []Event {
	return func(events []Event, err error) []Event {
		t.Helper()
		require.NoError(t, err)
		return events
	}
}

// newInventory returns the real in-memory inventory.
func newInventory() *inventory.Inventory {
	return inventory.New(inventory.NewMemStore(), &inventory.Options{Clock: fulfill.NewFakeClock(t0)})
}

// fakeLabeler sells labels for 6.50 USD.
type fakeLabeler struct{ calls int }

func (f *fakeLabeler) BuyLabel(_ context.Context, req carrier.LabelRequest) (carrier.Label, error) {
	f.calls++
	return carrier.Label{ID: "L-" + req.IdempotencyKey, TrackingNumbers: []string{"1ZRET"}, Cost: usdAmt("6.50"), Created: t0}, nil
}

// fixtures builds a return in every status.
var fixtures = []struct {
	name   string
	status Status
	build  func(t testing.TB) (*Return, *order.Order)
}{
	{"requested", StatusRequested, func(t testing.TB) (*Return, *order.Order) {
		o := delivered(t)
		return requested(t, o), o
	}},
	{"approved", StatusApproved, func(t testing.TB) (*Return, *order.Order) {
		o := delivered(t)
		r := requested(t, o)
		ok(t)(r.Approve(t0, ""))
		return r, o
	}},
	{"label_issued", StatusLabelIssued, func(t testing.TB) (*Return, *order.Order) {
		o := delivered(t)
		r := requested(t, o)
		ok(t)(r.Approve(t0, ""))
		ok(t)(r.IssueLabel(context.Background(), t0, &fakeLabeler{}, carrier.LabelRequest{}))
		return r, o
	}},
	{"in_transit", StatusInTransit, func(t testing.TB) (*Return, *order.Order) {
		o := delivered(t)
		r := requested(t, o)
		ok(t)(r.Approve(t0, ""))
		ok(t)(r.Ship(t0, ""))
		return r, o
	}},
	{"partially_received", StatusPartiallyReceived, func(t testing.TB) (*Return, *order.Order) {
		o := delivered(t)
		r := requested(t, o)
		ok(t)(r.Approve(t0, ""))
		ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 2, Outcome: OutcomeReceived}}}))
		return r, o
	}},
	{"received", StatusReceived, func(t testing.TB) (*Return, *order.Order) {
		o := delivered(t)
		r := requested(t, o)
		ok(t)(r.Approve(t0, ""))
		ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 2, Outcome: OutcomeReceived}, {Line: 2, Quantity: 1, Outcome: OutcomeReceived}}}))
		return r, o
	}},
	{"partially_received graded", StatusPartiallyReceived, func(t testing.TB) (*Return, *order.Order) {
		o := delivered(t)
		r := requested(t, o)
		ok(t)(r.Approve(t0, ""))
		ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 2, Outcome: OutcomeReceived}}}))
		ok(t)(r.Inspect(t0, InspectRequest{Lines: []InspectLine{{Line: 1, Quantity: 1, Grade: GradeResellable}}}))
		return r, o
	}},
	{"received graded", StatusReceived, func(t testing.TB) (*Return, *order.Order) {
		o := delivered(t)
		r := requested(t, o)
		ok(t)(r.Approve(t0, ""))
		ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 2, Outcome: OutcomeReceived}, {Line: 2, Quantity: 1, Outcome: OutcomeReceived}}}))
		ok(t)(r.Inspect(t0, InspectRequest{Lines: []InspectLine{{Line: 1, Quantity: 2, Grade: GradeResellable}}}))
		return r, o
	}},
	{"inspected", StatusInspected, inspectedFixture},
	{"inspected disposed", StatusInspected, func(t testing.TB) (*Return, *order.Order) {
		r, o := inspectedFixture(t)
		ok(t)(r.Dispose(context.Background(), newInventory(), t0, DisposeRequest{Lines: []DisposeLine{
			{Line: 1, Quantity: 2, Disposition: DispositionRestock, Location: "WH1"},
			{Line: 2, Quantity: 1, Disposition: DispositionDispose},
		}}))
		return r, o
	}},
	{"closed", StatusClosed, func(t testing.TB) (*Return, *order.Order) {
		r, o := inspectedFixture(t)
		ok(t)(r.Dispose(context.Background(), newInventory(), t0, DisposeRequest{Lines: []DisposeLine{
			{Line: 1, Quantity: 2, Disposition: DispositionRestock, Location: "WH1"},
			{Line: 2, Quantity: 1, Disposition: DispositionReturnToVendor, Location: "WH1"},
		}}))
		ok(t)(r.Close(t0, ""))
		return r, o
	}},
	{"declined", StatusDeclined, func(t testing.TB) (*Return, *order.Order) {
		o := delivered(t)
		r := requested(t, o)
		ok(t)(r.Decline(t0, "outside the window"))
		return r, o
	}},
	{"cancelled", StatusCancelled, func(t testing.TB) (*Return, *order.Order) {
		o := delivered(t)
		r := requested(t, o)
		ok(t)(r.Cancel(t0, "changed mind"))
		return r, o
	}},
}

func inspectedFixture(t testing.TB) (*Return, *order.Order) {
	o := delivered(t)
	r := requested(t, o)
	ok(t)(r.Approve(t0, ""))
	ok(t)(r.Receive(t0, ReceiveRequest{Lines: []ReceiveLine{{Line: 1, Quantity: 2, Outcome: OutcomeReceived}, {Line: 2, Quantity: 1, Outcome: OutcomeReceived}}}))
	ok(t)(r.Inspect(t0, InspectRequest{Lines: []InspectLine{{Line: 1, Quantity: 2, Grade: GradeResellable}, {Line: 2, Quantity: 1, Grade: GradeDefective}}}))
	return r, o
}
