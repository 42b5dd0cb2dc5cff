package returns_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/returns"
	"github.com/fulfillkit/fulfill/ship"
	"github.com/shopspring/decimal"
)

// The real inventory service is what dispositions are applied to.
var _ returns.Inventory = (*inventory.Inventory)(nil)

var (
	exNow     = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	exOrderID = fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8057")
	exPlace   = order.PlaceRequest{
		Channel:  order.ChannelWeb,
		Customer: "cust-42",
		ShipTo:   fulfill.Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"},
		Currency: "USD",
		Lines: []order.NewLine{
			{SKU: "MUG-BLUE", Quantity: 3, UnitPrice: fulfill.MustMoney("12.00", "USD")},
			{SKU: "TEE-M", Quantity: 1, UnitPrice: fulfill.MustMoney("20.00", "USD"), UnitTax: fulfill.MustMoney("1.60", "USD")},
		},
		Discount: fulfill.MustMoney("5.00", "USD"),
		Shipping: fulfill.MustMoney("4.99", "USD"),
	}
)

// exDelivered places the example order, ships it from WH-EAST and
// delivers it the next day.
func exDelivered() *order.Order {
	o, _, err := order.Place(exOrderID, "acme", exNow, exPlace)
	if err != nil {
		panic(err)
	}
	for _, r := range []order.Request{
		order.ConfirmRequest{},
		order.AllocateRequest{Location: "WH-EAST", Lines: []order.LineQuantity{{Line: 1, Quantity: 3}, {Line: 2, Quantity: 1}}},
		order.ShipRequest{Shipment: "1Z999", Fulfillment: 1},
	} {
		if _, err := o.Execute(exNow, r); err != nil {
			panic(err)
		}
	}
	if _, err := o.Deliver(exNow.Add(24*time.Hour), order.DeliverRequest{Shipment: "1Z999"}); err != nil {
		panic(err)
	}
	return o
}

// stock prints the MUG-BLUE level at WH-EAST.
func stock(ctx context.Context, inv *inventory.Inventory, when string) {
	l, err := inv.Level(ctx, inventory.Key{Owner: "acme", SKU: "MUG-BLUE", Location: "WH-EAST"})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: MUG-BLUE@WH-EAST on_hand=%d available=%d quarantine=%d\n", when, l.OnHand, l.Available(), l.Quarantine)
}

// A return from request to refund: the policy approves it, two mugs come
// back, one is restocked and one quarantined in the real in-memory
// inventory, and the refund is previewed, then issued.
func Example() {
	ctx := context.Background()
	clock := fulfill.NewFakeClock(exNow)
	inv := inventory.New(inventory.NewMemStore(), &inventory.Options{Clock: clock})
	if _, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme", Reason: inventory.ReasonReceived},
		Key: inventory.Key{Owner: "acme", SKU: "MUG-BLUE", Location: "WH-EAST"}, Quantity: 7}); err != nil {
		panic(err)
	}
	o := exDelivered()
	now := clock.Advance(10 * 24 * time.Hour)

	// Request and approve.
	r, _, err := returns.New("RMA-1001", o, now, returns.Request{Channel: returns.ChannelMail, Lines: []returns.RequestLine{
		{OrderLine: 1, Quantity: 2, Reason: returns.ReasonNoLongerNeeded, Condition: returns.ConditionUnopened},
	}})
	if err != nil {
		panic(err)
	}
	if _, err := o.RequestReturn(now, r.OrderRequest()); err != nil {
		panic(err)
	}
	policy := returns.Policy{Rules: []returns.Rule{
		returns.Window{Period: 30 * 24 * time.Hour, ByReason: map[returns.Reason]time.Duration{returns.ReasonDefective: 365 * 24 * time.Hour}},
		returns.FinalSale{SKUs: []fulfill.SKU{"GIFT-CARD"}},
		returns.AutoApproveLimit{Max: fulfill.MustMoney("100.00", "USD")},
	}}
	c, err := r.Case(o, now)
	if err != nil {
		panic(err)
	}
	d := policy.Evaluate(c)
	fmt.Println("decision:", d)
	if _, err := r.Decide(now, d); err != nil {
		panic(err)
	}

	// Receive, inspect, dispose.
	now = clock.Advance(3 * 24 * time.Hour)
	events, err := r.Receive(now, returns.ReceiveRequest{Lines: []returns.ReceiveLine{{Line: 1, Quantity: 2, Outcome: returns.OutcomeReceived}}})
	if err != nil {
		panic(err)
	}
	if rec, ok := returns.RecordReturnRequest(events); ok {
		if _, err := o.RecordReturn(now, rec); err != nil {
			panic(err)
		}
	}
	if _, err := r.Inspect(now, returns.InspectRequest{Lines: []returns.InspectLine{
		{Line: 1, Quantity: 1, Grade: returns.GradeResellable},
		{Line: 1, Quantity: 1, Grade: returns.GradeDamaged},
	}}); err != nil {
		panic(err)
	}
	stock(ctx, inv, "before")
	if _, err := r.Dispose(ctx, inv, now, returns.DisposeRequest{Lines: []returns.DisposeLine{
		{Line: 1, Quantity: 1, Disposition: returns.DispositionRestock, Location: "WH-EAST"},
		{Line: 1, Quantity: 1, Disposition: returns.DispositionQuarantine, Location: "WH-EAST"},
	}}); err != nil {
		panic(err)
	}
	stock(ctx, inv, "after")

	// Preview, then issue the refund.
	acct := returns.NewAccount(o)
	rp := returns.RefundPolicy{RestockingFee: decimal.RequireFromString("0.10"), Shipping: returns.ShippingSellerFault}
	req := returns.RefundRequest{Key: "refund-RMA-1001", Kind: returns.RefundReturn}
	preview, err := acct.Preview(o, r, rp, req)
	if err != nil {
		panic(err)
	}
	fmt.Println(preview.Explain())
	issued, err := acct.Issue(now, o, r, rp, req)
	if err != nil {
		panic(err)
	}
	again, _ := acct.Issue(now, o, r, rp, req)
	fmt.Println("issued:", issued.Total, "retry replayed:", again.Replayed, "refunded:", acct.Refunded())
	if _, err := r.Close(now, "refunded"); err != nil {
		panic(err)
	}
	fmt.Println("return:", r.Status(), "order:", o.Status())
	// Output:
	// decision: window: line 1: approve: delivered 2026-03-03, 9 days ago; the return window is 30 days
	// before: MUG-BLUE@WH-EAST on_hand=7 available=7 quarantine=0
	// after: MUG-BLUE@WH-EAST on_hand=9 available=8 quarantine=1
	// line 1 MUG-BLUE x2 (no_longer_needed): price 24.00 USD - line discount 0.00 USD - order discount 2.14 USD + tax 0.00 USD = paid 21.86 USD
	//   - restocking fee 2.19 USD
	//   = refund 19.67 USD
	// total 19.67 USD to original_payment
	// issued: 19.67 USD retry replayed: true refunded: 19.67 USD
	// return: closed order: partially_returned
}

// exApproved returns an approved return of o.
func exApproved(o *order.Order, lines ...returns.RequestLine) *returns.Return {
	r, _, err := returns.New("RMA-2002", o, exNow.Add(5*24*time.Hour), returns.Request{Channel: returns.ChannelMail, Lines: lines})
	if err != nil {
		panic(err)
	}
	if _, err := r.Approve(exNow.Add(5*24*time.Hour), ""); err != nil {
		panic(err)
	}
	return r
}

// A defective shirt is refunded before it arrives, with its tax and, under
// a seller-fault policy, the original shipping; a second shirt's refund is
// refused because the line has no unit left to refund.
func ExampleAccount_Preview() {
	o := exDelivered()
	r := exApproved(o, returns.RequestLine{OrderLine: 2, Quantity: 1, Reason: returns.ReasonDefective})
	acct := returns.NewAccount(o)
	rp := returns.RefundPolicy{RestockingFee: decimal.RequireFromString("0.15"), Shipping: returns.ShippingSellerFault, DeductLabel: true}
	f, err := acct.Issue(exNow, o, r, rp, returns.RefundRequest{Key: "k1", Kind: returns.RefundReturn, Method: returns.MethodStoreCredit})
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Explain())
	_, err = acct.Preview(o, r, rp, returns.RefundRequest{Key: "k2", Kind: returns.RefundReturn, Lines: []order.LineQuantity{{Line: 2, Quantity: 1}}})
	fmt.Println(err)
	// Output:
	// line 2 TEE-M x1 (defective): price 20.00 USD - line discount 0.00 USD - order discount 1.79 USD + tax 1.60 USD = paid 19.81 USD
	//   = refund 19.81 USD
	// original shipping 4.99 USD
	// total 24.80 USD to store_credit
	// returns: order line 2: refund for return RMA-2002: requested 1, available 0
}

// A customer-fault return with a prepaid label: the restocking fee and the
// label's cost are deducted, and original shipping is not refunded.
func ExampleRefundPolicy() {
	ctx := context.Background()
	o := exDelivered()
	r := exApproved(o, returns.RequestLine{OrderLine: 1, Quantity: 3, Reason: returns.ReasonNoLongerNeeded})
	labels := carrier.LabelFunc(func(_ context.Context, req carrier.LabelRequest) (carrier.Label, error) {
		return carrier.Label{ID: "LBL-1", TrackingNumbers: []string{"1ZRETURN"}, Cost: fulfill.MustMoney("6.25", "USD")}, nil
	})
	if _, err := r.IssueLabel(ctx, exNow, labels, carrier.LabelRequest{}); err != nil {
		panic(err)
	}
	if _, err := r.Track(exNow.Add(time.Hour), ship.StatusInTransit); err != nil {
		panic(err)
	}
	rp := returns.RefundPolicy{RestockingFee: decimal.RequireFromString("0.15"), Shipping: returns.ShippingSellerFault, DeductLabel: true}
	f, err := returns.NewAccount(o).Preview(o, r, rp, returns.RefundRequest{Key: "k1", Kind: returns.RefundReturn})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Status())
	fmt.Println(f.Explain())
	// Output:
	// in_transit
	// line 1 MUG-BLUE x3 (no_longer_needed): price 36.00 USD - line discount 0.00 USD - order discount 3.21 USD + tax 0.00 USD = paid 32.79 USD
	//   - restocking fee 4.92 USD
	//   - return label 6.25 USD
	//   = refund 21.62 USD
	// total 21.62 USD to original_payment
}

// A goodwill refund needs no return; it is spread over the lines in
// proportion to what is left of each, and a later refund of units is
// capped so that the line never refunds more than was paid.
func ExampleAccount_Issue_goodwill() {
	o := exDelivered()
	acct := returns.NewAccount(o)
	g, err := acct.Issue(exNow, o, nil, returns.RefundPolicy{}, returns.RefundRequest{Key: "gw-1", Kind: returns.RefundGoodwill,
		Amount: fulfill.MustMoney("10.00", "USD"), Reason: returns.ReasonArrivedLate})
	if err != nil {
		panic(err)
	}
	fmt.Println(g.Explain())
	claim, err := acct.Issue(exNow, o, nil, returns.RefundPolicy{}, returns.RefundRequest{Key: "claim-1", Kind: returns.RefundClaim,
		Reason: returns.ReasonMissing, Lines: []order.LineQuantity{{Line: 1, Quantity: 3}, {Line: 2, Quantity: 1}}})
	if err != nil {
		panic(err)
	}
	fmt.Println(claim.Explain())
	t, _ := o.Totals()
	fmt.Println("paid:", t.Due, "refunded:", acct.Refunded())
	// Output:
	// line 1 MUG-BLUE: goodwill share 6.23 USD
	// line 2 TEE-M: goodwill share 3.77 USD
	// total 10.00 USD to original_payment
	// line 1 MUG-BLUE x3 (missing): price 36.00 USD - line discount 0.00 USD - order discount 3.21 USD + tax 0.00 USD = paid 32.79 USD
	//   - already refunded 6.23 USD
	//   = refund 26.56 USD
	// line 2 TEE-M x1 (missing): price 20.00 USD - line discount 0.00 USD - order discount 1.79 USD + tax 1.60 USD = paid 19.81 USD
	//   - already refunded 3.77 USD
	//   = refund 16.04 USD
	// total 42.60 USD to original_payment
	// paid: 57.59 USD refunded: 52.60 USD
}

// Rules explain their verdicts; a per-reason override keeps defective
// units returnable after the window, and Exempt lifts a final-sale rule
// for them.
func ExamplePolicy_Evaluate() {
	o := exDelivered()
	policy := returns.Policy{Rules: []returns.Rule{
		returns.Window{Period: 30 * 24 * time.Hour, ByReason: map[returns.Reason]time.Duration{returns.ReasonDefective: 365 * 24 * time.Hour}},
		returns.Exempt{Reasons: []returns.Reason{returns.ReasonDefective}, Rule: returns.FinalSale{
			Categories: []string{"apparel"},
			Category: func(s fulfill.SKU) string {
				if s == "TEE-M" {
					return "apparel"
				}
				return "kitchen"
			},
		}},
		returns.AutoApproveLimit{Max: fulfill.MustMoney("25.00", "USD")},
	}}
	late, soon := exNow.Add(60*24*time.Hour), exNow.Add(10*24*time.Hour)
	for _, tc := range []struct {
		at    time.Time
		lines []returns.RequestLine
	}{
		{late, []returns.RequestLine{{OrderLine: 2, Quantity: 1, Reason: returns.ReasonDefective}}},
		{late, []returns.RequestLine{{OrderLine: 2, Quantity: 1, Reason: returns.ReasonNoLongerNeeded}}},
		{soon, []returns.RequestLine{{OrderLine: 1, Quantity: 3, Reason: returns.ReasonDamaged}}},
	} {
		c, err := returns.NewCase(o, tc.at, tc.lines)
		if err != nil {
			panic(err)
		}
		d := policy.Evaluate(c)
		fmt.Printf("%s: %s\n", d.Verdict, d)
	}
	// Output:
	// approve: window: line 2: approve: delivered 2026-03-03, 59 days ago; the window for defective is 365 days
	// reject: window: line 2: reject: delivered 2026-03-03, 59 days ago; the return window is 30 days; final_sale: line 2: reject: category "apparel" of TEE-M is final sale
	// review: auto_approve_limit: review: value 32.79 USD is above the auto-approval limit 25.00 USD
}

// A cross-ship exchange: the replacement order ships at once while a
// payment hold waits for the return, and receiving the units releases it.
func ExampleReturn_Exchange() {
	o := exDelivered()
	r := exApproved(o, returns.RequestLine{OrderLine: 2, Quantity: 1, Reason: returns.ReasonNotAsDescribed})
	replacementID := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8058")
	acct := returns.NewAccount(o)
	ro, _, _, err := r.Exchange(exNow, o, acct, replacementID, returns.ExchangeRequest{
		Lines:     []returns.ExchangeLine{{Line: 1, Quantity: 1, SKU: "TEE-L"}},
		CrossShip: true, HoldUntil: exNow.Add(30 * 24 * time.Hour),
	})
	if err != nil {
		panic(err)
	}
	t, _ := ro.Totals()
	l, _ := ro.Line(1)
	h, _ := r.Hold()
	fmt.Println("replacement:", ro.Status(), l.SKU, "due", t.Due)
	fmt.Println("hold:", h.State, h.Amount)
	events, err := r.Receive(exNow.Add(7*24*time.Hour), returns.ReceiveRequest{Lines: []returns.ReceiveLine{{Line: 1, Quantity: 1, Outcome: returns.OutcomeReceived}}})
	if err != nil {
		panic(err)
	}
	for _, e := range events {
		fmt.Println(e.Type, e.To)
	}
	h, _ = r.Hold()
	fmt.Println("hold:", h.State)
	_, err = acct.Preview(o, r, returns.RefundPolicy{}, returns.RefundRequest{Key: "k", Kind: returns.RefundReturn})
	fmt.Println(err)
	// Output:
	// replacement: confirmed TEE-L due 0.00 USD
	// hold: active 19.81 USD
	// return.received received
	// return.hold_released received
	// hold: released
	// returns: return RMA-2002: refund of the units not yet refunded, exchanged, missing or replaced by a wrong item: requested 0, available 0
}

// AllowedActions answers "what can be done with this return now, and why
// not?" from the transition table and the units.
func ExampleAllowedActions() {
	o := exDelivered()
	r := exApproved(o, returns.RequestLine{OrderLine: 1, Quantity: 2, Reason: returns.ReasonDamaged})
	if _, err := r.Receive(exNow, returns.ReceiveRequest{Lines: []returns.ReceiveLine{{Line: 1, Quantity: 2, Outcome: returns.OutcomeReceived}}}); err != nil {
		panic(err)
	}
	for _, p := range returns.AllowedActions(r) {
		if p.Allowed {
			fmt.Printf("%s: yes\n", p.Action)
		} else {
			fmt.Printf("%s: no, %s\n", p.Action, p.Reason)
		}
	}
	// Output:
	// approve: no, the return is already decided
	// decline: no, the return is already decided
	// issue_label: no, the parcel has already left
	// ship: no, the parcel has already left
	// receive: no, every unit is accounted for
	// inspect: yes
	// dispose: no, no inspected unit awaits a disposition
	// exchange: no, every unit is accounted for; place a new order instead
	// close: no, received units are not all inspected yet
	// cancel: no, units have arrived
	// reopen: no, only a closed or declined return is reopened
}

// A store keeps returns per owner with optimistic versions: a write from
// a stale read fails with ErrConflict and changes nothing.
func ExampleMemStore() {
	ctx := context.Background()
	var store returns.MemStore
	o := exDelivered()
	r, _, err := returns.New("RMA-3003", o, exNow, returns.Request{Channel: returns.ChannelStore,
		Lines: []returns.RequestLine{{OrderLine: 1, Quantity: 1, Reason: returns.ReasonDamaged}}})
	if err != nil {
		panic(err)
	}
	if err := store.Create(ctx, r); err != nil {
		panic(err)
	}
	a, _ := store.Get(ctx, "acme", "RMA-3003")
	b, _ := store.Get(ctx, "acme", "RMA-3003")
	if _, err := a.Approve(exNow, "photo shows the crack"); err != nil {
		panic(err)
	}
	fmt.Println(store.Save(ctx, a), a.Version())
	if _, err := b.Decline(exNow, "no photo"); err != nil {
		panic(err)
	}
	err = store.Save(ctx, b)
	fmt.Println(errors.Is(err, returns.ErrConflict), err)
	_, err = store.Get(ctx, "other-merchant", "RMA-3003")
	fmt.Println(errors.Is(err, returns.ErrNotFound))
	// Output:
	// <nil> 2
	// true returns: version conflict on return RMA-3003: expected version 1, stored 2
	// true
}

// Two mugs come back; one is refunded before they arrive, so only the
// other may be exchanged. Asking to exchange both fails, naming the line
// and the units left, and changes nothing.
func ExampleReturn_Exchange_refunded() {
	o := exDelivered()
	r := exApproved(o, returns.RequestLine{OrderLine: 1, Quantity: 2, Reason: returns.ReasonNoLongerNeeded})
	acct := returns.NewAccount(o)
	_, err := acct.Issue(exNow, o, r, returns.RefundPolicy{}, returns.RefundRequest{Key: "k1", Kind: returns.RefundReturn,
		Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}})
	if err != nil {
		panic(err)
	}
	replacementID := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8058")
	_, _, _, err = r.Exchange(exNow, o, acct, replacementID, returns.ExchangeRequest{Lines: []returns.ExchangeLine{{Line: 1, Quantity: 2}}})
	if qe, ok := errors.AsType[*returns.QuantityError](err); ok {
		fmt.Println(qe.Line, "exchangeable", qe.Available, "asked", qe.Requested)
	}
	fmt.Println(err)
	l, _ := r.Line(1)
	fmt.Println("exchanged:", l.Exchanged, len(acct.Exchanges()))
	if _, _, _, err := r.Exchange(exNow, o, acct, replacementID, returns.ExchangeRequest{Lines: []returns.ExchangeLine{{Line: 1, Quantity: 1}}}); err != nil {
		panic(err)
	}
	fmt.Println(acct.Exchanges()[0].Quantity, "exchanged,", acct.RefundedForReturn(r.ID(), 1), "refunded")
	// Output:
	// return line 1 exchangeable 1 asked 2
	// returns: return line 1: exchange of units not yet refunded, exchanged, missing or replaced by a wrong item: requested 2, available 1
	// exchanged: 0 0
	// 1 exchanged, 1 refunded
}

// A mug is missing from the delivery and is replaced at no charge. The
// account records the replaced unit, so a claim refund can no longer take
// it, and a retry with the same replacement order counts it once.
func ExampleAccount_Replace() {
	o := exDelivered()
	acct := returns.NewAccount(o)
	replacementID := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8058")
	missing := []returns.ReplacementLine{{OrderLine: 1, Quantity: 1}}
	ro, _, err := acct.Replace(exNow, o, replacementID, missing, nil)
	if err != nil {
		panic(err)
	}
	t, _ := ro.Totals()
	l, _ := ro.Line(1)
	fmt.Println("replacement:", ro.Status(), l.SKU, "x", l.Ordered, "due", t.Due)

	_, err = acct.Issue(exNow, o, nil, returns.RefundPolicy{}, returns.RefundRequest{Key: "claim-1", Kind: returns.RefundClaim,
		Reason: returns.ReasonMissing, Lines: []order.LineQuantity{{Line: 1, Quantity: 3}}})
	if qe, ok := errors.AsType[*returns.QuantityError](err); ok {
		fmt.Println(qe.Line, "refundable", qe.Available, "asked", qe.Requested)
	}
	fmt.Println(err)

	// Retrying with the same replacement order, as after a failed save of
	// the order, records nothing more.
	if _, _, err := acct.Replace(exNow.Add(time.Minute), o, replacementID, missing, nil); err != nil {
		panic(err)
	}
	fmt.Println("replaced:", acct.ReplacedLine(1), "in", len(acct.Replacements()), "record")
	// Output:
	// replacement: confirmed MUG-BLUE x 1 due 0.00 USD
	// order line 1 refundable 2 asked 3
	// returns: order line 1: refund of shipped units not yet refunded, exchanged or replaced: requested 3, available 2
	// replaced: 1 in 1 record
}

// The shirt was reported missing and replaced; then the original turns up
// and the customer returns it. The return alone would allow a refund or an
// exchange; with the order's account, both are refused, since the shirt
// was already replaced.
func ExampleAllowedActionsWith() {
	o := exDelivered()
	acct := returns.NewAccount(o)
	replacementID := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8058")
	if _, _, err := acct.Replace(exNow, o, replacementID, []returns.ReplacementLine{{OrderLine: 2, Quantity: 1}}, nil); err != nil {
		panic(err)
	}
	r := exApproved(o, returns.RequestLine{OrderLine: 2, Quantity: 1, Reason: returns.ReasonNotAsDescribed})
	fmt.Println("the return alone: exchange", r.Can(returns.ActionExchange) == nil, "refund", r.Can(returns.ActionRefund) == nil)
	perms, err := returns.AllowedActionsWith(r, o, acct)
	if err != nil {
		panic(err)
	}
	for _, p := range perms {
		switch {
		case p.Allowed:
			fmt.Printf("%s: yes\n", p.Action)
		case p.Action == returns.ActionExchange || p.Action == returns.ActionRefund:
			fmt.Printf("%s: no, %s\n", p.Action, p.Reason)
		}
	}
	// Output:
	// the return alone: exchange true refund true
	// issue_label: yes
	// ship: yes
	// receive: yes
	// exchange: no, every unit is already refunded, exchanged, replaced, missing or a wrong item
	// cancel: yes
	// refund: no, every unit is already refunded, exchanged, replaced, missing or a wrong item
}
