package order

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/require"
)

var (
	t0      = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	testID  = fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8057")
	shipTo  = fulfill.Address{Name: "Ada Lovelace", Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}
	usd     = fulfill.Currency("USD")
	owner   = fulfill.OwnerID("acme")
	usdAmt  = func(s string) fulfill.Money { return fulfill.MustMoney(s, usd) }
	placeRq = PlaceRequest{
		Channel: ChannelWeb, Customer: "cust-1", ShipTo: shipTo, Currency: usd,
		Lines: []NewLine{
			{SKU: "A", Quantity: 4, UnitPrice: usdAmt("10.00"), UnitDiscount: usdAmt("1.00"), UnitTax: usdAmt("0.72")},
			{SKU: "B", Quantity: 2, UnitPrice: usdAmt("5.50")},
		},
		Discount: usdAmt("1.00"), Shipping: usdAmt("4.99"), ServiceLevel: "standard", TTL: time.Hour,
	}
)

// discountedRq is placeRq with an order discount that takes most of the
// lines' value, so that edits move a lot of money between lines.
var discountedRq = func() PlaceRequest {
	rq := placeRq
	rq.Discount = usdAmt("45.00")
	return rq
}()

// placed returns the test order, placed at t0.
func placed(t testing.TB) *Order {
	t.Helper()
	o, _, err := Place(testID, owner, t0, placeRq)
	require.NoError(t, err)
	return o
}

// must runs r on o and fails the test on error.
func must(t testing.TB, o *Order, r Request) *Order {
	t.Helper()
	_, err := o.Execute(t0.Add(time.Duration(o.Version())*time.Minute), r)
	require.NoError(t, err, "%s", r.Command())
	return o
}

// fixtures builds orders in every status; some statuses have several.
var fixtures = []struct {
	name   string
	status Status
	build  func(t testing.TB) *Order
}{
	{"pending", StatusPending, placed},
	{"confirmed", StatusConfirmed, func(t testing.TB) *Order { return must(t, placed(t), ConfirmRequest{}) }},
	{"backordered", StatusBackordered, func(t testing.TB) *Order {
		return must(t, must(t, placed(t), ConfirmRequest{}), BackorderRequest{Lines: []LineQuantity{{1, 4}}})
	}},
	{"partially_allocated", StatusPartiallyAllocated, func(t testing.TB) *Order {
		o := must(t, placed(t), ConfirmRequest{})
		must(t, o, AllocateRequest{Location: "WH1", Lines: []LineQuantity{{1, 4}}})
		return must(t, o, AllocateRequest{Location: "WH1", Lines: []LineQuantity{{2, 1}}})
	}},
	{"allocated", StatusAllocated, allocated},
	{"allocated two locations", StatusAllocated, func(t testing.TB) *Order {
		o := must(t, placed(t), ConfirmRequest{})
		must(t, o, AllocateRequest{Location: "WH1", Lines: []LineQuantity{{1, 4}}})
		must(t, o, AllocateRequest{Location: "WH2", Lines: []LineQuantity{{2, 2}}})
		return must(t, o, SplitRequest{Fulfillment: 1, Lines: []LineQuantity{{1, 2}}})
	}},
	{"in_progress", StatusInProgress, func(t testing.TB) *Order {
		return must(t, allocated(t), PickRequest{Fulfillment: 1, Lines: []LineQuantity{{1, 1}}})
	}},
	{"partially_shipped", StatusPartiallyShipped, partiallyShipped},
	{"shipped", StatusShipped, shipped},
	{"partially_delivered", StatusPartiallyDelivered, func(t testing.TB) *Order { return must(t, partiallyShipped(t), DeliverRequest{Shipment: "S1"}) }},
	{"delivered", StatusDelivered, delivered},
	{"partially_returned", StatusPartiallyReturned, func(t testing.TB) *Order {
		return must(t, delivered(t), RecordReturnRequest{Lines: []LineQuantity{{1, 1}}})
	}},
	{"returned", StatusReturned, func(t testing.TB) *Order {
		return must(t, delivered(t), RecordReturnRequest{Lines: []LineQuantity{{1, 4}, {2, 2}}})
	}},
	{"on_hold pending", StatusOnHold, func(t testing.TB) *Order { return must(t, placed(t), holdRq("h1")) }},
	{"on_hold allocated", StatusOnHold, func(t testing.TB) *Order { return must(t, allocated(t), holdRq("h1")) }},
	{"on_hold partially_shipped", StatusOnHold, func(t testing.TB) *Order { return must(t, partiallyShipped(t), holdRq("h1")) }},
	{"partially_shipped return awaited", StatusPartiallyShipped, func(t testing.TB) *Order {
		return must(t, partiallyShipped(t), RequestReturnRequest{Lines: []LineQuantity{{1, 1}}})
	}},
	{"partially_delivered two shipments", StatusPartiallyDelivered, func(t testing.TB) *Order {
		o := must(t, allocated(t), ShipRequest{Shipment: "S1", Fulfillment: 1, Lines: []LineQuantity{{1, 2}}})
		must(t, o, ShipRequest{Shipment: "S2", Fulfillment: 1, Lines: []LineQuantity{{1, 2}}})
		return must(t, o, DeliverRequest{Shipment: "S1"})
	}},
	{"partially_returned with work left", StatusPartiallyReturned, func(t testing.TB) *Order {
		o := must(t, placed(t), ConfirmRequest{})
		must(t, o, AllocateRequest{Location: "WH1", Lines: []LineQuantity{{1, 4}}})
		must(t, o, ShipRequest{Shipment: "S1", Fulfillment: 1})
		must(t, o, DeliverRequest{Shipment: "S1"})
		must(t, o, RecordReturnRequest{Lines: []LineQuantity{{1, 1}}})
		must(t, o, AllocateRequest{Location: "WH2", Lines: []LineQuantity{{2, 1}}})
		return must(t, o, AllocateRequest{Location: "WH2", Lines: []LineQuantity{{2, 1}}})
	}},
	{"cancelled", StatusCancelled, func(t testing.TB) *Order { return must(t, placed(t), CancelRequest{Reason: "customer"}) }},
	{"closed", StatusClosed, func(t testing.TB) *Order { return must(t, delivered(t), CloseRequest{}) }},
}

func holdRq(id string) HoldRequest {
	return HoldRequest{Holds: []Hold{{ID: id, Kind: HoldFraudReview, Source: "risk"}}}
}

func allocated(t testing.TB) *Order {
	o := must(t, placed(t), ConfirmRequest{})
	return must(t, o, AllocateRequest{Location: "WH1", Lines: []LineQuantity{{1, 4}, {2, 2}}})
}

func partiallyShipped(t testing.TB) *Order {
	return must(t, allocated(t), ShipRequest{Shipment: "S1", Fulfillment: 1, Lines: []LineQuantity{{1, 4}}})
}

func shipped(t testing.TB) *Order {
	return must(t, allocated(t), ShipRequest{Shipment: "S1", Fulfillment: 1})
}

func delivered(t testing.TB) *Order { return must(t, shipped(t), DeliverRequest{Shipment: "S1"}) }

// chooser is the randomness the generator draws from.
type chooser interface{ IntN(n int) int }

// byteChooser draws from fuzz input; it returns 0 once the input runs out.
type byteChooser struct{ b []byte }

func (c *byteChooser) IntN(n int) int {
	if len(c.b) == 0 || n <= 1 {
		return 0
	}
	v := int(c.b[0])
	c.b = c.b[1:]
	return v % n
}

// randomRequest returns a request for a random command, shaped by o so that
// it often succeeds, and sometimes not.
func randomRequest(o *Order, r chooser) Request {
	lines := o.lines
	pickLine := func() LineID {
		if len(lines) == 0 || r.IntN(20) == 0 {
			return LineID(r.IntN(5))
		}
		return lines[r.IntN(len(lines))].ID
	}
	qty := func() int64 { return int64(r.IntN(3)) + int64(r.IntN(2)) }
	lq := func() []LineQuantity {
		n := 1 + r.IntN(2)
		out := make([]LineQuantity, 0, n)
		for range n {
			out = append(out, LineQuantity{Line: pickLine(), Quantity: qty()})
		}
		return out
	}
	fid := func() FulfillmentID {
		if len(o.fulfillments) == 0 || r.IntN(20) == 0 {
			return FulfillmentID(r.IntN(4))
		}
		return o.fulfillments[r.IntN(len(o.fulfillments))].ID
	}
	// fit returns line quantities drawn from what avail says each line can
	// supply, or random ones one time in eight.
	fit := func(avail func(Line) int64) []LineQuantity {
		if r.IntN(8) == 0 {
			return lq()
		}
		var out []LineQuantity
		for _, l := range lines {
			if n := avail(l); n > 0 && (len(out) == 0 || r.IntN(2) == 0) {
				out = append(out, LineQuantity{Line: l.ID, Quantity: 1 + int64(r.IntN(int(n)))})
			}
		}
		if len(out) == 0 {
			return lq()
		}
		return out
	}
	// fitFO is fit within one fulfillment order.
	fitFO := func(f FulfillmentID, avail func(FulfillmentLine) int64) []LineQuantity {
		i := o.fulfillmentIndex(f)
		if i < 0 || r.IntN(8) == 0 {
			return lq()
		}
		var out []LineQuantity
		for _, fl := range o.fulfillments[i].Lines {
			if n := avail(fl); n > 0 && (len(out) == 0 || r.IntN(2) == 0) {
				out = append(out, LineQuantity{Line: fl.Line, Quantity: 1 + int64(r.IntN(int(n)))})
			}
		}
		if len(out) == 0 {
			return lq()
		}
		return out
	}
	locs := []fulfill.LocationID{"WH1", "WH2", "WH3"}
	cmd := commands[r.IntN(len(commands))]
	if r.IntN(4) != 0 {
		// Mostly choose among the commands the order allows, so that runs
		// get far into the lifecycle.
		var ok []Command
		for _, c := range commands {
			if o.Can(c) == nil {
				ok = append(ok, c)
			}
		}
		if len(ok) > 0 {
			cmd = ok[r.IntN(len(ok))]
		}
	}
	switch cmd {
	case CommandConfirm:
		return ConfirmRequest{}
	case CommandAllocate:
		return AllocateRequest{Location: locs[r.IntN(3)], Lines: fit(func(l Line) int64 { return l.Unallocated() + l.Backordered })}
	case CommandBackorder:
		return BackorderRequest{Lines: fit(func(l Line) int64 { return l.Unallocated() })}
	case CommandPick:
		f := fid()
		return PickRequest{Fulfillment: f, Lines: fitFO(f, func(fl FulfillmentLine) int64 { return fl.Allocated })}
	case CommandPack:
		f := fid()
		return PackRequest{Fulfillment: f, Lines: fitFO(f, func(fl FulfillmentLine) int64 { return fl.Allocated + fl.Picked })}
	case CommandShip:
		rq := ShipRequest{Shipment: fmt.Sprintf("S%d", o.version), Fulfillment: fid()}
		if r.IntN(2) == 0 {
			rq.Lines = fitFO(rq.Fulfillment, func(fl FulfillmentLine) int64 { return fl.Allocated + fl.Picked + fl.Packed })
		}
		return rq
	case CommandDeliver:
		if len(o.shipments) == 0 {
			return DeliverRequest{Shipment: "none"}
		}
		return DeliverRequest{Shipment: o.shipments[r.IntN(len(o.shipments))].ID}
	case CommandCancel:
		if r.IntN(4) == 0 {
			return CancelRequest{Reason: "whole"}
		}
		return CancelRequest{Lines: fit(func(l Line) int64 { return l.Unshipped() })}
	case CommandHold:
		k := []HoldKind{HoldAwaitingPayment, HoldFraudReview, HoldAddressCheck, HoldCustomerRequest, HoldOutOfStock, HoldScheduled}[r.IntN(6)]
		return HoldRequest{Holds: []Hold{{ID: fmt.Sprintf("h%d", r.IntN(3)), Kind: k, Source: "test", Until: t0.Add(time.Duration(r.IntN(100)) * time.Minute)}}}
	case CommandRelease:
		if r.IntN(3) == 0 || len(o.holds) == 0 {
			return ReleaseRequest{Due: true}
		}
		return ReleaseRequest{Holds: []string{o.holds[r.IntN(len(o.holds))].ID}}
	case CommandEdit:
		switch r.IntN(4) {
		case 0:
			return EditRequest{Add: []NewLine{{SKU: "C", Quantity: qty(), UnitPrice: usdAmt("3.33")}}}
		case 1:
			return EditRequest{Remove: []LineID{pickLine()}}
		case 2:
			return EditRequest{SetQuantity: []LineQuantity{{Line: pickLine(), Quantity: qty()}}}
		default:
			a := shipTo
			a.Line2 = "Apt 2"
			return EditRequest{ShipTo: &a}
		}
	case CommandExpire:
		return ExpireRequest{}
	case CommandReopen:
		return ReopenRequest{}
	case CommandClose:
		return CloseRequest{}
	case CommandRequestReturn:
		return RequestReturnRequest{Reference: "RMA", Lines: fit(func(l Line) int64 { return l.Shipped - l.Returned - l.ReturnRequested })}
	case CommandRecordReturn:
		return RecordReturnRequest{Reference: "RMA", Lines: fit(func(l Line) int64 { return l.Shipped - l.Returned })}
	case CommandWithdrawReturn:
		return WithdrawReturnRequest{Reference: "RMA", Lines: fit(func(l Line) int64 { return l.ReturnRequested })}
	case CommandSplit:
		f := fid()
		return SplitRequest{Fulfillment: f, Lines: fitFO(f, func(fl FulfillmentLine) int64 { return fl.Allocated })}
	case CommandMove:
		return MoveRequest{Fulfillment: fid(), To: locs[r.IntN(3)]}
	default:
		var pairs []MergeRequest
		for _, x := range o.fulfillments {
			for _, y := range o.fulfillments {
				if x.ID != y.ID && x.Location == y.Location && !y.started() {
					pairs = append(pairs, MergeRequest{Into: x.ID, From: y.ID})
				}
			}
		}
		if len(pairs) == 0 || r.IntN(8) == 0 {
			return MergeRequest{Into: fid(), From: fid()}
		}
		return pairs[r.IntN(len(pairs))]
	}
}

// snapJSON returns the JSON of o's snapshot.
func snapJSON(t testing.TB, o *Order) string {
	t.Helper()
	b, err := json.Marshal(o.Snapshot())
	require.NoError(t, err)
	return string(b)
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
