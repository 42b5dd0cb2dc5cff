package order_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

var (
	exampleNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	exampleReq = order.PlaceRequest{
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

// An order from placing to delivery, with the status after each step.
func Example() {
	id := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8057")
	o, _, err := order.Place(id, "acme", exampleNow, exampleReq)
	if err != nil {
		panic(err)
	}
	fmt.Println("placed:", o.Status())
	steps := []order.Request{
		order.ConfirmRequest{},
		order.AllocateRequest{Location: "WH-EAST", Lines: []order.LineQuantity{{Line: 1, Quantity: 3}}},
		order.HoldRequest{Holds: []order.Hold{{ID: "fr-1", Kind: order.HoldFraudReview, Source: "risk"}}},
		order.ReleaseRequest{Holds: []string{"fr-1"}},
		order.AllocateRequest{Location: "WH-EAST", Lines: []order.LineQuantity{{Line: 2, Quantity: 1}}},
		order.PickRequest{Fulfillment: 1, Lines: []order.LineQuantity{{Line: 1, Quantity: 3}}},
		order.ShipRequest{Shipment: "1Z999", Fulfillment: 1, Lines: []order.LineQuantity{{Line: 1, Quantity: 3}}},
		order.ShipRequest{Shipment: "1Z998", Fulfillment: 1},
		order.DeliverRequest{Shipment: "1Z999"},
		order.DeliverRequest{Shipment: "1Z998"},
	}
	for i, r := range steps {
		events, err := o.Execute(exampleNow.Add(time.Duration(i)*time.Hour), r)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s -> %s (event %s v%d)\n", r.Command(), o.Status(), events[0].Type(), events[0].Version)
	}
	// Output:
	// placed: pending
	// confirm -> confirmed (event order.confirmed v2)
	// allocate -> partially_allocated (event order.allocated v3)
	// hold -> on_hold (event order.held v4)
	// release -> partially_allocated (event order.released v5)
	// allocate -> allocated (event order.allocated v6)
	// pick -> in_progress (event order.picked v7)
	// ship -> partially_shipped (event order.shipped v8)
	// ship -> shipped (event order.shipped v9)
	// deliver -> partially_delivered (event order.delivered v10)
	// deliver -> delivered (event order.delivered v11)
}

// Cancelling part of a line releases what those units were paid, after the
// order discount, to the cent: the 5.00 discount splits 3.21 / 1.79 over the
// lines, so line 1 is worth 32.79 and one of its three units 10.93.
func ExampleOrder_Cancel() {
	id := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8057")
	o, _, err := order.Place(id, "acme", exampleNow, exampleReq)
	if err != nil {
		panic(err)
	}
	before, _ := o.Totals()
	events, err := o.Cancel(exampleNow, order.CancelRequest{Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}, Reason: "customer changed mind"})
	if err != nil {
		panic(err)
	}
	c := events[0].Data.(order.Cancelled)
	after, _ := o.Totals()
	l, _ := o.Line(1)
	fmt.Println("total:", before.Total)
	fmt.Println("released:", c.Lines[0].Amount)
	fmt.Println("due:", after.Due)
	fmt.Println("line 1:", l.Live(), "of", l.Ordered, "units live; status", o.Status())
	// Output:
	// total: 57.59 USD
	// released: 10.93 USD
	// due: 46.66 USD
	// line 1: 2 of 3 units live; status pending
}

// Money a cancellation released stays released when the line is edited
// afterwards: 3 mugs for 10.00 after the order discount, one cancelled for
// 3.33, then a fourth added. The line is now worth 15.00, and the three
// mugs not cancelled are worth the 11.67 left of it, which is what
// cancelling them releases: 15.00 in all, to the cent.
func ExampleOrder_ValueOfUnits() {
	id := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8057")
	req := exampleReq
	req.Lines = []order.NewLine{{SKU: "MUG-BLUE", Quantity: 3, UnitPrice: fulfill.MustMoney("5.00", "USD")}}
	o, _, err := order.Place(id, "acme", exampleNow, req)
	if err != nil {
		panic(err)
	}
	one := order.CancelRequest{Lines: []order.LineQuantity{{Line: 1, Quantity: 1}}}
	events, err := o.Cancel(exampleNow, one)
	if err != nil {
		panic(err)
	}
	fmt.Println("first mug released:", events[0].Data.(order.Cancelled).Lines[0].Amount)
	if _, err := o.Edit(exampleNow, order.EditRequest{SetQuantity: []order.LineQuantity{{Line: 1, Quantity: 4}}}); err != nil {
		panic(err)
	}
	t, _ := o.Totals()
	left, _ := o.ValueOfUnits(1, 1, 3)
	fmt.Println("line after the edit:", t.Lines[0], "of which left:", left)
	events, err = o.Cancel(exampleNow, order.CancelRequest{Lines: []order.LineQuantity{{Line: 1, Quantity: 3}}})
	if err != nil {
		panic(err)
	}
	l, _ := o.Line(1)
	fmt.Println("other mugs released:", events[0].Data.(order.Cancelled).Lines[0].Amount, "in all:", l.CancelledValue)
	// Output:
	// first mug released: 3.33 USD
	// line after the edit: 15.00 USD of which left: 11.67 USD
	// other mugs released: 11.67 USD in all: 15.00 USD
}

// AllowedActions answers "can I cancel this order now, and why not?".
func ExampleAllowedActions() {
	id := fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8057")
	o, _, err := order.Place(id, "acme", exampleNow, exampleReq)
	if err != nil {
		panic(err)
	}
	for _, r := range []order.Request{
		order.ConfirmRequest{},
		order.AllocateRequest{Location: "WH-EAST", Lines: []order.LineQuantity{{Line: 1, Quantity: 3}, {Line: 2, Quantity: 1}}},
		order.ShipRequest{Shipment: "1Z999", Fulfillment: 1},
	} {
		if _, err := o.Execute(exampleNow, r); err != nil {
			panic(err)
		}
	}
	for _, a := range order.AllowedActions(o) {
		switch a.Command {
		case order.CommandCancel, order.CommandDeliver, order.CommandClose:
			if a.Allowed {
				fmt.Printf("%s: allowed\n", a.Command)
			} else {
				fmt.Printf("%s: refused, %s\n", a.Command, a.Reason)
			}
		}
	}
	_, err = o.Cancel(exampleNow, order.CancelRequest{})
	if te, ok := errors.AsType[*order.TransitionError](err); ok {
		fmt.Println(te.From, te.Command, errors.Is(err, order.ErrInvalidTransition))
	}
	// Output:
	// deliver: allowed
	// cancel: refused, every unit has shipped
	// close: refused, shipped units are not delivered yet
	// shipped cancel true
}

// A Service retried with the same idempotency key returns the first result.
func ExampleService() {
	ctx := context.Background()
	svc := &order.Service{
		Store:  new(order.MemStore),
		Clock:  fulfill.NewFakeClock(exampleNow),
		Random: rand.NewChaCha8([32]byte{1}),
	}
	first, err := svc.Place(ctx, "acme", "checkout-7781", exampleReq)
	if err != nil {
		panic(err)
	}
	retry, err := svc.Place(ctx, "acme", "checkout-7781", exampleReq)
	if err != nil {
		panic(err)
	}
	fmt.Println(retry.Order.ID() == first.Order.ID(), retry.Replayed)

	other := exampleReq
	other.Customer = "someone-else"
	_, err = svc.Place(ctx, "acme", "checkout-7781", other)
	fmt.Println(errors.Is(err, order.ErrIdempotencyConflict))

	res, _ := svc.Execute(ctx, "acme", first.Order.ID(), "", order.ConfirmRequest{})
	fmt.Println(res.Order.Status(), res.Order.Version())
	// Output:
	// true true
	// true
	// confirmed 2
}

// The state diagram in the package documentation comes from Mermaid.
func ExampleMermaid() {
	lines := strings.Split(order.Mermaid(), "\n")
	fmt.Println(strings.Join(lines[:4], "\n"))
	// Output:
	// stateDiagram-v2
	//     [*] --> pending: place
	//     pending --> confirmed: confirm
	//     pending --> on_hold: hold
}

// A retention job over a store: a relay publishes the events after its
// position and trims what it published, and the idempotency records older
// than the 24 hours the host promises retries for are pruned. A retry
// within the window replays; one past it runs as a new request.
func ExampleEventTrimmer() {
	check := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	ctx := context.Background()
	clock := fulfill.NewFakeClock(exampleNow)
	store := new(order.MemStore)
	svc := &order.Service{Store: store, Clock: clock, Random: rand.NewChaCha8([32]byte{})}
	first, err := svc.Place(ctx, "acme", "checkout-1", exampleReq)
	check(err)
	clock.Advance(30 * time.Hour)
	_, err = svc.Execute(ctx, "acme", first.Order.ID(), "confirm-1", order.ConfirmRequest{})
	check(err)

	var published order.Position // the relay's position, which the host keeps
	events, err := store.EventsAfter(ctx, "acme", published, 100)
	check(err)
	for _, se := range events {
		fmt.Println("publish", se.Position, se.Event.Type())
		published = se.Position
	}
	var trimmer order.EventTrimmer = store // or a SQL store
	n, err := trimmer.TrimEvents(ctx, "acme", published)
	check(err)
	fmt.Println("trimmed", n)

	var pruner order.IdempotencyPruner = store
	n, err = pruner.PruneIdempotency(ctx, "acme", clock.Now().Add(-24*time.Hour))
	check(err)
	fmt.Println("pruned", n)
	res, err := svc.Execute(ctx, "acme", first.Order.ID(), "confirm-1", order.ConfirmRequest{})
	check(err)
	fmt.Println("confirm retried: replayed", res.Replayed)
	res, err = svc.Place(ctx, "acme", "checkout-1", exampleReq)
	check(err)
	fmt.Println("checkout retried: replayed", res.Replayed, "new order", res.Order.ID() != first.Order.ID())
	events, err = store.EventsAfter(ctx, "acme", published, 100)
	check(err)
	fmt.Println("next event at", events[0].Position)
	// Output:
	// publish 1 order.placed
	// publish 2 order.confirmed
	// trimmed 2
	// pruned 1
	// confirm retried: replayed true
	// checkout retried: replayed false new order true
	// next event at 3
}
