package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/pack"
	"github.com/fulfillkit/fulfill/pick"
	"github.com/fulfillkit/fulfill/ship"
)

// dayOrders is the size of the generated day.
const dayOrders = 10_000

// dayWave is how many orders are released to the floor together.
const dayWave = 50

// pipeline is the algorithms a day runs with.
type pipeline struct {
	name    string
	batcher pick.Batcher
	packing pack.Objective
}

// dayBench runs waves of generated orders through the whole flow: place,
// allocate and reserve, batch and route, cartonize, rate-shop, ship. It
// reports orders per second, allocations per order, and what the boxes and
// the chosen (cheapest) quotes cost per order.
func dayBench(b *testing.B, p pipeline) {
	ctx := context.Background()
	clock := fulfill.NewFakeClock(time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC))
	orders := &order.Service{Store: new(order.MemStore), Clock: clock, Random: rand.NewChaCha8([32]byte{1})}
	inv := inventory.New(new(inventory.MemStore), &inventory.Options{Clock: clock, Rand: rand.NewChaCha8([32]byte{2})})
	x := &world{ctx: ctx, clock: clock}
	if err := x.loadCarriers(); err != nil {
		b.Fatal(err)
	}
	layout, err := pick.NewRect(pick.RectConfig{Aisles: 10, SlotsPerAisle: 30, AisleLength: 30 * fulfill.Meter, AisleSpacing: 3 * fulfill.Meter, CrossAisles: 2})
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range catalogue { // enough stock for the whole day at WH-EAST
		if _, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: acme}, Key: inventory.Key{Owner: acme, SKU: p.sku, Location: "WH-EAST"}, Quantity: 1 << 40}); err != nil {
			b.Fatal(err)
		}
	}
	east := siteOf("WH-EAST")
	dests := []fulfill.Address{
		{Line1: "1 A St", City: "Austin", Region: "TX", PostalCode: "78701", Country: "US", Residential: true},
		{Line1: "1 B St", City: "Chicago", Region: "IL", PostalCode: "60606", Country: "US", Residential: true},
		{Line1: "1 C St", City: "Boston", Region: "MA", PostalCode: "02210", Country: "US"},
		{Line1: "1 D St", City: "Denver", Region: "CO", PostalCode: "80202", Country: "US", Residential: true},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	gen := func() order.PlaceRequest {
		req := order.PlaceRequest{Channel: order.ChannelWeb, Currency: "USD", ShipTo: dests[rng.IntN(len(dests))]}
		for _, pr := range rng.Perm(len(catalogue))[:1+rng.IntN(3)] {
			req.Lines = append(req.Lines, order.NewLine{SKU: catalogue[pr].sku, Quantity: 1 + rng.Int64N(3), UnitPrice: usd(catalogue[pr].price)})
		}
		return req
	}
	// Positions in the layout per SKU; extra bins spread the wave's picks.
	binFor := func(sku fulfill.SKU, salt int) pick.Bin {
		b := binOf(sku)
		b.Aisle = (b.Aisle + salt) % 10
		b.Slot = (b.Slot + 7*salt) % 30
		return b
	}

	done, shipped := 0, 0
	spent := usd("0") // boxes and postage
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for b.Loop() {
		var wave []pick.Order
		type work struct {
			id    fulfill.OrderID
			holds []inventory.Reservation
			to    fulfill.Address
		}
		var todo []work
		for i := range dayWave {
			res, err := orders.Place(ctx, acme, "", gen())
			if err != nil {
				b.Fatal(err)
			}
			o := res.Order
			req := inventory.Request{Owner: acme}
			for l := range o.Lines() {
				req.Lines = append(req.Lines, inventory.Line{SKU: l.SKU, Quantity: l.Ordered, Line: fmt.Sprint(l.ID)})
			}
			_, rc, err := inv.Allocate(ctx, req, inventory.FewestShipments{}, inventory.Meta{Owner: acme, Ref: inventory.OrderRef(o.ID())}, 0)
			if err != nil {
				b.Fatal(err)
			}
			po := pick.Order{ID: fmt.Sprint(i)}
			for _, r := range rc.Reservations {
				po.Lines = append(po.Lines, pick.Line{Bin: binFor(r.Key.SKU, i), SKU: r.Key.SKU, Quantity: r.Reserved})
			}
			wave = append(wave, po)
			todo = append(todo, work{id: o.ID(), holds: rc.Reservations, to: o.ShipTo()})
		}
		if _, err := p.batcher.Batch(ctx, layout, wave, pick.Capacity{Lines: 12}); err != nil {
			b.Fatal(err)
		}
		for _, w := range todo {
			req := pack.Request{Boxes: boxes}
			var parts []inventory.Part
			for _, r := range w.holds {
				pr := productOf(r.Key.SKU)
				req.Items = append(req.Items, pack.Item{ID: string(pr.sku), Dimensions: pr.size, Weight: pr.weight, Quantity: int(r.Reserved), Rotation: pr.rule})
				parts = append(parts, inventory.Part{Reservation: r.ID})
			}
			opts := &pack.Options{Objective: p.packing}
			if p.packing == pack.ObjectiveTotalCost {
				opts.Shipping = x.postage(east, w.to, ship.Date{})
			}
			packed, err := pack.Pack(ctx, req, opts)
			if err != nil {
				b.Fatal(err)
			}
			rreq := carrier.Request{Origin: east.addr, Destination: w.to, ShipTime: clock.Now()}
			spec := ship.Spec{ID: ship.ID(fmt.Sprintf("S%d", shipped)), Order: w.id, Owner: acme, Origin: east.id, CreatedAt: clock.Now()}
			for i, pk := range packed.Packages {
				rreq.Packages = append(rreq.Packages, carrier.Package{Dimensions: pk.Outer, Mass: pk.Gross})
				spec.Packages = append(spec.Packages, ship.Package{Ref: fmt.Sprint(i), Dimensions: pk.Outer, Mass: pk.Gross,
					Label: ship.Label{Ref: fmt.Sprintf("L%d-%d", shipped, i), TrackingNumber: fmt.Sprintf("T%d-%d", shipped, i), Carrier: "PARCELCO", CreatedAt: clock.Now()},
					Lines: []ship.Line{{LineID: "1", SKU: "X", Quantity: 1}}})
			}
			shop, err := x.shopper.Shop(ctx, rreq)
			if err != nil {
				b.Fatal(err)
			}
			q, err := shop.Select(carrier.Cheapest{})
			if err != nil {
				b.Fatal(err)
			}
			if spent, err = spent.Add(packed.Cost); err == nil {
				spent, err = spent.Add(q.Price)
			}
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ship.New(spec); err != nil {
				b.Fatal(err)
			}
			if _, err := inv.Apply(ctx, &inventory.Commit{Meta: inventory.Meta{Owner: acme}, Parts: parts}); err != nil {
				b.Fatal(err)
			}
			if _, err := inv.Apply(ctx, &inventory.Consume{Meta: inventory.Meta{Owner: acme}, Parts: parts}); err != nil {
				b.Fatal(err)
			}
			shipped++
		}
		done += dayWave
		if done >= dayOrders { // a new day: keep the stores' size bounded
			b.StopTimer()
			orders.Store = new(order.MemStore)
			done = 0
			b.StartTimer()
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.N*dayWave)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*dayWave), "allocs/order")
	b.ReportMetric(spent.Amount().InexactFloat64()/float64(shipped), "USD/order")
}

// BenchmarkDay runs the day with the library's defaults (local search
// batching with optimal routes, cost-optimal cartonization) and with the
// first-come-first-served, fewest-boxes pipeline as the baseline.
func BenchmarkDay(b *testing.B) {
	for _, p := range []pipeline{
		{name: "baseline=fcfs+fewest-boxes", batcher: pick.FCFS{}, packing: pack.ObjectiveBoxes},
		{name: "savings+cost", batcher: pick.Savings{}, packing: pack.ObjectiveCost},
		{name: "fcfs+cost", batcher: pick.FCFS{}, packing: pack.ObjectiveCost},
		{name: "default=local-search+cost", batcher: pick.LocalSearch{Seed: 1}, packing: pack.ObjectiveCost},
		{name: "local-search+total-cost", batcher: pick.LocalSearch{Seed: 1}, packing: pack.ObjectiveTotalCost},
	} {
		b.Run(p.name, func(b *testing.B) { dayBench(b, p) })
	}
}
