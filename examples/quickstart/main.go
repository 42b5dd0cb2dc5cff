// Command quickstart walks a small day in a warehouse end to end, with every
// package of the library and in-memory defaults: no database, no carrier
// accounts, no set-up. Run it with
//
//	go run ./examples/quickstart
//
// Acme sells T-shirts, mugs, caps and hoodies from two warehouses and a
// store. In one morning it receives stock, takes a web-shop, a marketplace
// and a wholesale (B2B) order, allocates them across its locations, picks,
// packs, rate-shops and ships them, tracks them to the door, and takes a
// return. The clock and every random source are fixed, so the output is the
// same on every run.
package main

import (
	"context"
	"embed"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/pack"
	"github.com/fulfillkit/fulfill/pick"
	"github.com/fulfillkit/fulfill/returns"
	"github.com/fulfillkit/fulfill/ship"
)

//go:embed cards/*.json
var rateCards embed.FS

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// The merchant, its locations and its catalogue.
const acme fulfill.OwnerID = "acme"

// site is a location with its address; the warehouses have a pick layout.
type site struct {
	id   fulfill.LocationID
	addr fulfill.Address
	tz   string
}

var sites = []site{
	{"WH-EAST", fulfill.Address{Name: "Acme East", Line1: "100 Port St", City: "Newark", Region: "NJ", PostalCode: "07102", Country: "US"}, "America/New_York"},
	{"WH-WEST", fulfill.Address{Name: "Acme West", Line1: "9 Desert Way", City: "Reno", Region: "NV", PostalCode: "89502", Country: "US"}, "America/Los_Angeles"},
	{"STORE-NYC", fulfill.Address{Name: "Acme SoHo", Line1: "1 Broadway", City: "New York", Region: "NY", PostalCode: "10001", Country: "US"}, "America/New_York"},
}

// product is a catalogue entry: what it measures and weighs, and its bin in
// the warehouses (both use the same slotting).
type product struct {
	sku    fulfill.SKU
	size   fulfill.Dimensions
	weight fulfill.Mass
	rule   pack.RotationRule
	bin    string
	price  string
}

var catalogue = []product{
	{"TEE-RED-M", mm(300, 230, 30), 216 * fulfill.Gram, pack.RotationAny, "02-004-1-L", "19.99"},
	{"MUG-WHITE", mm(120, 95, 100), 350 * fulfill.Gram, pack.RotationUpright, "05-021-0-R", "12.50"},
	{"CAP-NAVY", mm(250, 190, 120), 110 * fulfill.Gram, pack.RotationUpright, "07-012-2-L", "15.00"},
	{"HOODIE-GREY-L", mm(350, 300, 80), 650 * fulfill.Gram, pack.RotationAny, "08-027-1-R", "49.00"},
}

func mm(l, w, h int64) fulfill.Dimensions {
	return fulfill.Dims(fulfill.Length(l)*fulfill.Millimeter, fulfill.Length(w)*fulfill.Millimeter, fulfill.Length(h)*fulfill.Millimeter)
}

func productOf(sku fulfill.SKU) product {
	for _, p := range catalogue {
		if p.sku == sku {
			return p
		}
	}
	panic("quickstart: no product " + sku)
}

func siteOf(id fulfill.LocationID) site {
	for _, s := range sites {
		if s.id == id {
			return s
		}
	}
	panic("quickstart: no site " + id)
}

// The shipping boxes on the packing benches.
var boxes = []pack.Box{
	{ID: "mailer-S", Inner: mm(250, 180, 50), Tare: 40 * fulfill.Gram, MaxContent: 2 * fulfill.Kilogram, Cost: usd("0.28")},
	{ID: "box-S", Inner: mm(310, 240, 130), Tare: 160 * fulfill.Gram, MaxContent: 10 * fulfill.Kilogram, Cost: usd("0.62")},
	{ID: "box-M", Inner: mm(400, 310, 250), Tare: 290 * fulfill.Gram, MaxContent: 20 * fulfill.Kilogram, Cost: usd("0.98")},
	{ID: "box-L", Inner: mm(600, 400, 400), Tare: 620 * fulfill.Gram, MaxContent: 30 * fulfill.Kilogram, Cost: usd("1.85")},
}

func usd(s string) fulfill.Money { return fulfill.MustMoney(s, "USD") }

// placed is an order as the host keeps track of it between the steps.
type placed struct {
	name string
	id   fulfill.OrderID
	// holds are the inventory reservations per fulfillment order's location.
	holds map[fulfill.LocationID][]inventory.Reservation
	// lineOf maps a SKU to its order line.
	lineOf map[fulfill.SKU]order.LineID
	// shipments are the shipments made for it.
	shipments []*ship.Shipment
}

// world is everything the walk-through wires together, as a host would.
type world struct {
	ctx     context.Context
	w       io.Writer
	clock   *fulfill.FakeClock
	orders  *order.Service
	inv     *inventory.Inventory
	layout  *pick.Rect
	shopper *carrier.Shopper
	lanes   map[string]ship.Service // by carrier/service code
	tariffs []*carrier.Tariff
}

// run writes the whole walk-through to w.
func run(w io.Writer) error {
	start := time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC) // Monday, 08:00 in New York
	clock := fulfill.NewFakeClock(start)
	layout, err := pick.NewRect(pick.RectConfig{
		Aisles: 10, SlotsPerAisle: 30, AisleLength: 30 * fulfill.Meter, AisleSpacing: 3 * fulfill.Meter, CrossAisles: 2,
	})
	if err != nil {
		return err
	}
	x := &world{
		ctx:    context.Background(),
		w:      w,
		clock:  clock,
		orders: &order.Service{Store: new(order.MemStore), Clock: clock, Random: rand.NewChaCha8([32]byte{1})},
		inv:    inventory.New(new(inventory.MemStore), &inventory.Options{Clock: clock, Rand: rand.NewChaCha8([32]byte{2})}),
		layout: layout,
	}
	if err := x.loadCarriers(); err != nil {
		return err
	}

	steps := []struct {
		title string
		do    func() error
	}{
		{"Receive stock into two warehouses and a store", x.receive},
	}
	var orders []*placed
	steps = append(steps,
		struct {
			title string
			do    func() error
		}{"Take a web-shop, a marketplace and a wholesale order", func() (err error) { orders, err = x.place(); return err }},
		struct {
			title string
			do    func() error
		}{"Allocate across locations (fewest shipments), with a backorder", func() error { return x.allocate(orders) }},
		struct {
			title string
			do    func() error
		}{"Batch and route the pick tours at WH-EAST", func() error { return x.pick(orders) }},
		struct {
			title string
			do    func() error
		}{"Cartonize, rate-shop three carriers and ship", func() error { return x.packAndShip(orders) }},
		struct {
			title string
			do    func() error
		}{"Track the parcels to the door", func() error { return x.track(orders) }},
		struct {
			title string
			do    func() error
		}{"Take a return: restock one unit, quarantine another, refund", func() error { return x.takeReturn(orders[0]) }},
		struct {
			title string
			do    func() error
		}{"End of the day", func() error { return x.summary(orders) }},
	)
	for i, s := range steps {
		fmt.Fprintf(w, "\n== %d. %s\n", i+1, s.title)
		if err := s.do(); err != nil {
			return fmt.Errorf("%s: %w", s.title, err)
		}
	}
	return nil
}

// say prints one indented line of the narrative.
func (x *world) say(format string, args ...any) {
	fmt.Fprintf(x.w, "   "+format+"\n", args...)
}

// loadCarriers reads the three rate cards and builds the shopper and the
// delivery-promise lanes from them.
func (x *world) loadCarriers() error {
	x.lanes = map[string]ship.Service{}
	var carriers []carrier.Carrier
	for _, name := range []string{"cards/parcelco.json", "cards/swift.json", "cards/postal.json"} {
		data, err := rateCards.ReadFile(name)
		if err != nil {
			return err
		}
		card, err := carrier.ParseRateCard(data)
		if err != nil {
			return err
		}
		t, err := carrier.NewTariff(card)
		if err != nil {
			return err
		}
		x.tariffs = append(x.tariffs, t)
		carriers = append(carriers, t)
		for _, svc := range card.Services {
			x.lanes[card.Carrier+"/"+svc.Code] = ship.Service{
				Carrier: card.Carrier, Service: svc.Code, Cutoff: 16 * time.Hour, TransitDays: svc.Transit,
			}
		}
	}
	x.shopper = carrier.NewShopper(carriers...)
	x.shopper.Timeout = 2 * time.Second
	return nil
}

// receive puts the opening stock on hand.
func (x *world) receive() error {
	stock := []struct {
		loc fulfill.LocationID
		sku fulfill.SKU
		n   int64
	}{
		{"WH-EAST", "TEE-RED-M", 40}, {"WH-EAST", "MUG-WHITE", 9}, {"WH-EAST", "CAP-NAVY", 6}, {"WH-EAST", "HOODIE-GREY-L", 10},
		{"WH-WEST", "TEE-RED-M", 25}, {"WH-WEST", "MUG-WHITE", 3}, {"WH-WEST", "CAP-NAVY", 20},
		{"STORE-NYC", "TEE-RED-M", 5}, {"STORE-NYC", "MUG-WHITE", 2},
	}
	for _, s := range stock {
		_, err := x.inv.Apply(x.ctx, &inventory.Receive{
			Meta:     inventory.Meta{Owner: acme, Reason: inventory.ReasonReceived, IdempotencyKey: "po-1042/" + string(s.loc) + "/" + string(s.sku)},
			Key:      inventory.Key{Owner: acme, SKU: s.sku, Location: s.loc},
			Quantity: s.n,
		})
		if err != nil {
			return err
		}
	}
	return x.printStock("on hand")
}

// printStock prints every level as a small table of available units.
func (x *world) printStock(what string) error {
	levels, err := x.inv.Levels(x.ctx, inventory.LevelQuery{Owner: acme, At: x.clock.Now()})
	if err != nil {
		return err
	}
	table := map[fulfill.LocationID]map[fulfill.SKU]inventory.Level{}
	for _, l := range levels {
		if table[l.Location] == nil {
			table[l.Location] = map[fulfill.SKU]inventory.Level{}
		}
		table[l.Location][l.SKU] = l
	}
	header := fmt.Sprintf("%-10s", what)
	for _, p := range catalogue {
		header += fmt.Sprintf(" %14s", p.sku)
	}
	x.say("%s", header)
	for _, s := range sites {
		row := fmt.Sprintf("%-10s", s.id)
		for _, p := range catalogue {
			l, ok := table[s.id][p.sku]
			cell := "-"
			if ok {
				cell = fmt.Sprintf("%d", l.Available())
				if l.Reserved+l.Committed > 0 {
					cell += fmt.Sprintf(" (+%d held)", l.Reserved+l.Committed)
				}
				if l.Quarantine > 0 {
					cell += fmt.Sprintf(" (+%d qc)", l.Quarantine)
				}
			}
			row += fmt.Sprintf(" %14s", cell)
		}
		x.say("%s", row)
	}
	return nil
}

// place takes the three orders, with a payment hold on the web order.
func (x *world) place() ([]*placed, error) {
	line := func(sku fulfill.SKU, n int64) order.NewLine {
		return order.NewLine{SKU: sku, Quantity: n, UnitPrice: usd(productOf(sku).price)}
	}
	requests := []struct {
		name string
		req  order.PlaceRequest
	}{
		{"web", order.PlaceRequest{
			Channel: order.ChannelWeb, Customer: "cust-7781", Currency: "USD", ServiceLevel: "standard", Priority: 1,
			PromisedBy: time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), // "arrives by Monday" at checkout
			ShipTo:     fulfill.Address{Name: "Ana Ruiz", Line1: "500 Congress Ave", City: "Austin", Region: "TX", PostalCode: "78701", Country: "US", Residential: true},
			Lines:      []order.NewLine{line("TEE-RED-M", 2), line("MUG-WHITE", 1)},
			Discount:   usd("5.00"), Shipping: usd("4.99"),
		}},
		{"marketplace", order.PlaceRequest{
			Channel: order.ChannelMarketplace, Customer: "mkt-55-0193", Currency: "USD", ServiceLevel: "standard",
			PromisedBy: time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC),
			ShipTo:     fulfill.Address{Name: "Lee Park", Line1: "233 S Wacker Dr", City: "Chicago", Region: "IL", PostalCode: "60606", Country: "US", Residential: true},
			Lines:      []order.NewLine{line("HOODIE-GREY-L", 1), line("CAP-NAVY", 2)},
		}},
		{"wholesale", order.PlaceRequest{
			Channel: order.ChannelB2B, Customer: "Harbor Outfitters", Currency: "USD", ServiceLevel: "economy",
			ShipTo: fulfill.Address{Company: "Harbor Outfitters", Line1: "12 Seaport Blvd", City: "Boston", Region: "MA", PostalCode: "02210", Country: "US"},
			Lines:  []order.NewLine{line("TEE-RED-M", 24), line("MUG-WHITE", 16), line("CAP-NAVY", 4)},
		}},
	}
	var out []*placed
	for _, r := range requests {
		res, err := x.orders.Place(x.ctx, acme, "checkout-"+r.name, r.req)
		if err != nil {
			return nil, err
		}
		o := res.Order
		p := &placed{name: r.name, id: o.ID(), lineOf: map[fulfill.SKU]order.LineID{}, holds: map[fulfill.LocationID][]inventory.Reservation{}}
		for l := range o.Lines() {
			p.lineOf[l.SKU] = l.ID
		}
		t, err := o.Totals()
		if err != nil {
			return nil, err
		}
		x.say("%-11s %s  %-17s %d lines, total %s: %s", r.name, short(o.ID()), "("+string(o.Channel())+")", len(p.lineOf), t.Total, o.Status())
		out = append(out, p)
	}

	for _, p := range out {
		if _, err := x.orders.Execute(x.ctx, acme, p.id, "", order.ConfirmRequest{}); err != nil {
			return nil, err
		}
	}
	// The web order waits for its payment: a hold, released by its ID.
	web := out[0]
	res, err := x.orders.Execute(x.ctx, acme, web.id, "", order.HoldRequest{Holds: []order.Hold{
		{ID: "pay-7781", Kind: order.HoldAwaitingPayment, Source: "payments"},
	}})
	if err != nil {
		return nil, err
	}
	x.say("web         payment pending: %s; may it be picked? %s", res.Order.Status(), why(res.Order, order.CommandPick))
	x.clock.Advance(4 * time.Minute)
	if res, err = x.orders.Execute(x.ctx, acme, web.id, "", order.ReleaseRequest{Holds: []string{"pay-7781"}}); err != nil {
		return nil, err
	}
	x.say("web         payment captured, hold released: %s", res.Order.Status())
	return out, nil
}

// why says whether a command is allowed now, and if not, why not.
func why(o *order.Order, c order.Command) string {
	for _, a := range order.AllowedActions(o) {
		if a.Command == c {
			if a.Allowed {
				return "yes"
			}
			return "no, " + a.Reason
		}
	}
	return "no"
}

// short is the end of an order ID, which (unlike the time-ordered start)
// tells the day's orders apart.
func short(id fulfill.OrderID) string { return "…" + id.String()[28:] }

// allocate plans each order over the live stock, reserves the plan and
// records it on the order; what no location has is backordered, and the
// wholesaler then drops part of its backorder.
func (x *world) allocate(orders []*placed) error {
	for _, p := range orders {
		o, err := x.orders.Store.Get(x.ctx, acme, p.id)
		if err != nil {
			return err
		}
		req := inventory.Request{Owner: acme}
		for l := range o.Lines() {
			req.Lines = append(req.Lines, inventory.Line{SKU: l.SKU, Quantity: l.Ordered, Line: fmt.Sprint(l.ID)})
		}
		if p.name == "wholesale" { // the store's stock is for walk-in customers
			req.Locations = []fulfill.LocationID{"WH-EAST", "WH-WEST"}
		}
		plan, receipt, err := x.inv.Allocate(x.ctx, req, inventory.FewestShipments{},
			inventory.Meta{Owner: acme, Ref: inventory.OrderRef(p.id), IdempotencyKey: "allocate-" + p.name}, 0)
		if err != nil {
			return err
		}
		if receipt != nil {
			for _, r := range receipt.Reservations {
				p.holds[r.Key.Location] = append(p.holds[r.Key.Location], r)
			}
		}
		byLoc := map[fulfill.LocationID][]order.LineQuantity{}
		var parts []string
		for _, a := range plan.Assignments {
			line := p.lineOf[a.Key.SKU]
			byLoc[a.Key.Location] = append(byLoc[a.Key.Location], order.LineQuantity{Line: line, Quantity: a.Quantity})
			parts = append(parts, fmt.Sprintf("%s x%d @%s", a.Key.SKU, a.Quantity, a.Key.Location))
		}
		for _, loc := range plan.Shipments() {
			if _, err := x.orders.Execute(x.ctx, acme, p.id, "", order.AllocateRequest{Location: loc, Lines: byLoc[loc]}); err != nil {
				return err
			}
		}
		var back []order.LineQuantity
		for _, b := range plan.Backorders {
			back = append(back, order.LineQuantity{Line: p.lineOf[b.SKU], Quantity: b.Quantity})
			parts = append(parts, fmt.Sprintf("%s x%d BACKORDERED", b.SKU, b.Quantity))
		}
		res := order.Result{}
		if len(back) > 0 {
			if res, err = x.orders.Execute(x.ctx, acme, p.id, "", order.BackorderRequest{Lines: back}); err != nil {
				return err
			}
		} else if res.Order, err = x.orders.Store.Get(x.ctx, acme, p.id); err != nil {
			return err
		}
		x.say("%-11s %s -> %s", p.name, strings.Join(parts, ", "), res.Order.Status())
	}

	// Harbor Outfitters would rather not wait for the backordered mugs.
	b2b := orders[2]
	mugs := b2b.lineOf["MUG-WHITE"]
	o, err := x.orders.Store.Get(x.ctx, acme, b2b.id)
	if err != nil {
		return err
	}
	l, _ := o.Line(mugs)
	res, err := x.orders.Execute(x.ctx, acme, b2b.id, "cancel-backorder-b2b", order.CancelRequest{
		Lines: []order.LineQuantity{{Line: mugs, Quantity: l.Backordered}}, Reason: "customer will not wait"})
	if err != nil {
		return err
	}
	t, err := res.Order.Totals()
	if err != nil {
		return err
	}
	x.say("wholesale   drops its %d backordered mugs: %s released, now due %s: %s", l.Backordered, t.Cancelled, t.Due, res.Order.Status())
	return x.printStock("available")
}

// binOf parses a product's bin address.
func binOf(sku fulfill.SKU) pick.Bin {
	b, err := pick.ParseBin(productOf(sku).bin)
	if err != nil {
		panic(err)
	}
	return b
}

// pick batches the morning's WH-EAST orders (ours and the wave they join),
// routes every cart, and records the picks.
func (x *world) pick(orders []*placed) error {
	var wave []pick.Order
	for _, p := range orders {
		var lines []pick.Line
		for _, r := range p.holds["WH-EAST"] {
			lines = append(lines, pick.Line{Bin: binOf(r.Key.SKU), SKU: r.Key.SKU, Quantity: r.Reserved})
		}
		if len(lines) > 0 {
			wave = append(wave, pick.Order{ID: p.name, Lines: lines})
		}
	}
	ours := len(wave)
	// The rest of the morning wave: orders released earlier, spread over the block.
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 21 {
		o := pick.Order{ID: fmt.Sprintf("wave-%02d", i+1)}
		for range 1 + rng.IntN(3) {
			b := pick.Bin{Aisle: rng.IntN(10), Slot: rng.IntN(30), Side: pick.SideLeft}
			o.Lines = append(o.Lines, pick.Line{Bin: b, Quantity: 1 + rng.Int64N(2)})
		}
		wave = append(wave, o)
	}
	cart := pick.Capacity{Lines: 8}
	// No deadline: a fixed number of rounds keeps the result reproducible.
	batched, err := pick.LocalSearch{Seed: 1}.Batch(x.ctx, x.layout, wave, cart)
	if err != nil {
		return err
	}
	fcfs, err := pick.FCFS{}.Batch(x.ctx, x.layout, wave, cart)
	if err != nil {
		return err
	}
	var alone, sshape fulfill.Length
	for _, o := range wave {
		bins := make([]pick.Bin, len(o.Lines))
		for i, l := range o.Lines {
			bins[i] = l.Bin
		}
		r, err := pick.Optimal{}.Route(x.ctx, x.layout, bins)
		if err != nil {
			return err
		}
		alone += r.Length
	}
	for _, b := range batched.Batches {
		if err := pick.Verify(x.layout, b.Bins, b.Route); err != nil {
			return err
		}
		r, err := pick.SShape{}.Route(x.ctx, x.layout, b.Bins)
		if err != nil {
			return err
		}
		sshape += r.Length
	}
	x.say("%d orders (%d of ours + %d already released) on carts of %d lines", len(wave), ours, len(wave)-ours, cart.Lines)
	x.say("each order picked alone, optimal routes:  %8s", meters(alone))
	x.say("first-come-first-served carts:            %8s", meters(fcfs.Length))
	x.say("batched carts, S-shape routes:            %8s", meters(sshape))
	x.say("batched carts, optimal routes:            %8s  (%d carts, %.0f%% less walking than alone)",
		meters(batched.Length), len(batched.Batches), 100*(1-float64(batched.Length)/float64(alone)))
	for _, b := range batched.Batches {
		for _, i := range b.Orders {
			if i < ours {
				x.say("the cart with our %s order walks %s: %s", wave[i].ID, meters(b.Route.Length), routeText(b))
			}
		}
	}

	// Picking commits the WH-EAST reservations and records the picks.
	for _, p := range orders {
		if err := x.commitAndPick(p, "WH-EAST"); err != nil {
			return err
		}
	}
	return nil
}

func meters(l fulfill.Length) string { return fmt.Sprintf("%.1f m", l.Meters()) }

// routeText lists a batch's bins in walking order.
func routeText(b pick.Batch) string {
	var s []string
	for _, bin := range b.Route.Bins(b.Bins) {
		s = append(s, bin.String())
	}
	return strings.Join(s, " > ")
}

// commitAndPick commits an order's reservations at loc and records the
// picked units on its fulfillment order there.
func (x *world) commitAndPick(p *placed, loc fulfill.LocationID) error {
	holds := p.holds[loc]
	if len(holds) == 0 {
		return nil
	}
	var parts []inventory.Part
	var lines []order.LineQuantity
	for _, r := range holds {
		parts = append(parts, inventory.Part{Reservation: r.ID})
		lines = append(lines, order.LineQuantity{Line: p.lineOf[r.Key.SKU], Quantity: r.Reserved})
	}
	if _, err := x.inv.Apply(x.ctx, &inventory.Commit{Meta: inventory.Meta{Owner: acme, Ref: inventory.OrderRef(p.id)}, Parts: parts}); err != nil {
		return err
	}
	f, err := x.fulfillmentAt(p, loc)
	if err != nil {
		return err
	}
	_, err = x.orders.Execute(x.ctx, acme, p.id, "", order.PickRequest{Fulfillment: f, Lines: lines})
	return err
}

// fulfillmentAt returns the order's fulfillment order at loc.
func (x *world) fulfillmentAt(p *placed, loc fulfill.LocationID) (order.FulfillmentID, error) {
	o, err := x.orders.Store.Get(x.ctx, acme, p.id)
	if err != nil {
		return 0, err
	}
	for _, f := range o.Fulfillments() {
		if f.Location == loc && f.Remaining() > 0 {
			return f.ID, nil
		}
	}
	return 0, fmt.Errorf("order %s has no open fulfillment at %s", short(p.id), loc)
}

// packAndShip cartonizes each fulfillment order, shops rates for its boxes,
// and ships it with the chosen service.
func (x *world) packAndShip(orders []*placed) error {
	x.clock.Advance(3 * time.Hour) // late morning
	shipments := 0
	for _, p := range orders {
		for _, s := range sites {
			holds := p.holds[s.id]
			if len(holds) == 0 {
				continue
			}
			if s.id != "WH-EAST" { // the other locations pick as they pack
				if err := x.commitAndPick(p, s.id); err != nil {
					return err
				}
			}
			o, err := x.orders.Store.Get(x.ctx, acme, p.id)
			if err != nil {
				return err
			}

			var promisedBy ship.Date
			if !o.PromisedBy().IsZero() {
				promisedBy = ship.DateOf(o.PromisedBy())
			}

			// Cartonize.
			req := pack.Request{Boxes: boxes, Channel: string(o.Channel())}
			for _, r := range holds {
				pr := productOf(r.Key.SKU)
				req.Items = append(req.Items, pack.Item{ID: string(pr.sku), SKU: pr.sku, Dimensions: pr.size, Weight: pr.weight,
					Quantity: int(r.Reserved), Rotation: pr.rule, Fragile: pr.sku == "MUG-WHITE"})
			}
			// Boxes and postage together: the carriers' cards price each
			// candidate parcel, so a box that bills less dimensional weight
			// can win over a cheaper box.
			packed, err := pack.Pack(x.ctx, req, &pack.Options{Objective: pack.ObjectiveTotalCost, Shipping: x.postage(s, o.ShipTo(), promisedBy)})
			if err != nil {
				return err
			}
			if err := pack.Verify(req, packed); err != nil {
				return err
			}
			if len(packed.Unpacked) > 0 {
				return fmt.Errorf("%d items could not be packed: %v", len(packed.Unpacked), packed.Unpacked)
			}
			var desc []string
			for _, pk := range packed.Packages {
				desc = append(desc, fmt.Sprintf("%s (%d units, %.0f%% full, %s)", pk.Box, len(pk.Placements), 100*pk.Fill(), pk.Gross))
			}
			x.say("%-11s from %-9s packed in %s; boxes cost %s, postage estimated at %s (lower bound: %d box)", p.name, s.id, strings.Join(desc, ", "), packed.Cost, packed.Shipping, packed.LowerBound)

			// Rate-shop the boxes.
			rreq := carrier.Request{Origin: s.addr, Destination: o.ShipTo(), ShipTime: x.clock.Now()}
			for _, pk := range packed.Packages {
				rreq.Packages = append(rreq.Packages, carrier.Package{Dimensions: pk.Outer, Mass: pk.Gross, Reference: pk.Box})
			}
			shop, err := x.shopper.Shop(x.ctx, rreq)
			if err != nil {
				return err
			}
			q, err := shop.Select(x.keepsPromise(s, promisedBy))
			if err != nil {
				return err
			}
			promise, err := x.promise(s, q)
			if err != nil {
				return err
			}
			rule := "cheapest"
			if !promisedBy.IsZero() {
				rule = "cheapest arriving by " + promisedBy.String()
			}
			x.say("%-11s %d quotes; chose %s for %s (%s), arriving %s", "", len(shop.Quotes), q.Service, q.Price, rule, promise.Delivery)
			if p.name == "web" {
				x.say("            why %s:", q.Price)
				for _, step := range q.Explanation {
					x.say("              %s", step.Text)
				}
				x.say("            promise: %s", promise)
				x.say("            (the card's estimate knows no holidays; the promise counts Thanksgiving, Thu Nov 26, out)")
			}

			// Ship: labels, the shipment, the order and the stock.
			sh, err := x.ship(p, o, s, packed, q, &shipments)
			if err != nil {
				return err
			}
			p.shipments = append(p.shipments, sh)
		}
	}
	return nil
}

// keepsPromise chooses the cheapest quote whose delivery promise, with the
// site's cut-off and holidays, keeps the date the customer was promised
// (the cheapest quote when by is zero).
func (x *world) keepsPromise(s site, by ship.Date) carrier.Policy {
	return carrier.PolicyFunc(func(quotes []carrier.Quote) (int, error) {
		best := -1
		for i, q := range quotes {
			if !by.IsZero() {
				p, err := x.promise(s, q)
				if err != nil || p.Delivery.After(by) {
					continue
				}
			}
			if best < 0 || lessMoney(q.Price, quotes[best].Price) {
				best = i
			}
		}
		if best < 0 {
			return 0, fmt.Errorf("no service arrives by %s", by)
		}
		return best, nil
	})
}

// postage estimates for pack the shipping of one parcel from s to dest: the
// price of the quote keepsPromise would choose among the carriers' cards.
// Without a promised date that is the cheapest (the first of equal prices),
// which the cards' prices give without building the quotes' explanations;
// with one, the quotes are built, since a quote's promise needs the zone
// its explanation names.
func (x *world) postage(s site, dest fulfill.Address, by ship.Date) pack.ShippingFunc {
	choose := x.keepsPromise(s, by)
	return func(p pack.Parcel) (fulfill.Money, error) {
		req := carrier.Request{Origin: s.addr, Destination: dest, ShipTime: x.clock.Now(),
			Packages: []carrier.Package{{Dimensions: p.Outer, Mass: p.Gross}}}
		if by.IsZero() {
			var buf [8]carrier.ServicePrice
			prices := buf[:0]
			for _, t := range x.tariffs {
				var err error
				if prices, err = t.Prices(req, prices); err != nil {
					return fulfill.Money{}, err
				}
			}
			best := -1
			for i, sp := range prices {
				if best < 0 || lessMoney(sp.Price, prices[best].Price) {
					best = i
				}
			}
			if best < 0 {
				_, err := choose.Choose(nil) // the policy's own error for no service
				return fulfill.Money{}, fmt.Errorf("a %s parcel of %s: %w", p.Outer, p.Gross, err)
			}
			return prices[best].Price, nil
		}
		var quotes []carrier.Quote
		for _, t := range x.tariffs {
			qs, _, err := t.Quotes(req)
			if err != nil {
				return fulfill.Money{}, err
			}
			quotes = append(quotes, qs...)
		}
		i, err := choose.Choose(quotes)
		if err != nil {
			return fulfill.Money{}, fmt.Errorf("a %s parcel of %s: %w", p.Outer, p.Gross, err)
		}
		return quotes[i].Price, nil
	}
}

// lessMoney reports whether a costs less than b (quotes share a currency).
func lessMoney(a, b fulfill.Money) bool {
	c, err := a.Cmp(b)
	return err == nil && c < 0
}

// promise computes the delivery promise of a quote from the site, with the
// site's time zone and the carrier's 16:00 pick-up.
func (x *world) promise(s site, q carrier.Quote) (ship.Promise, error) {
	tz, err := time.LoadLocation(s.tz)
	if err != nil {
		return ship.Promise{}, err
	}
	holidays := []ship.Date{ship.MustDate("2026-11-26")} // Thanksgiving
	svc := x.lanes[q.Service.Carrier+"/"+q.Service.Code]
	svc.Calendar = ship.MustCalendar(q.Service.Carrier, nil, holidays...)
	lane := ship.Lane{Origin: ship.Origin{Location: s.id, TimeZone: tz, Calendar: ship.MustCalendar(string(s.id), nil, holidays...)}, Service: svc}
	zone := ""
	for _, step := range q.Explanation {
		if step.Kind == carrier.StepZone {
			zone = step.Value
		}
	}
	return lane.Promise(x.clock.Now(), zone)
}

// ship records a shipment of everything packed for p at s.
func (x *world) ship(p *placed, o *order.Order, s site, packed pack.Result, q carrier.Quote, n *int) (*ship.Shipment, error) {
	spec := ship.Spec{ID: ship.ID(fmt.Sprintf("SHP-%04d", 1001+*n)), Order: p.id, Owner: acme, Origin: s.id, Destination: o.ShipTo(), CreatedAt: x.clock.Now()}
	costs, err := q.Price.Allocate(equalRatios(len(packed.Packages))...)
	if err != nil {
		return nil, err
	}
	for i, pk := range packed.Packages {
		*n++
		tn := fmt.Sprintf("%s%08d", strings.ToUpper(q.Service.Carrier[:2]), 40_000_000+*n)
		counts := map[fulfill.SKU]int64{}
		for _, pl := range pk.Placements {
			counts[fulfill.SKU(pl.Item)]++
		}
		var lines []ship.Line
		for _, sku := range []fulfill.SKU{"TEE-RED-M", "MUG-WHITE", "CAP-NAVY", "HOODIE-GREY-L"} {
			if counts[sku] > 0 {
				lines = append(lines, ship.Line{LineID: fmt.Sprint(p.lineOf[sku]), SKU: sku, Quantity: counts[sku]})
			}
		}
		spec.Packages = append(spec.Packages, ship.Package{
			Ref: fmt.Sprintf("%s-%d", spec.ID, i+1), Box: pk.Box, Dimensions: pk.Outer, Mass: pk.Gross,
			Label: ship.Label{Ref: "LBL-" + tn, TrackingNumber: tn, Carrier: q.Service.Carrier, Service: q.Service.Code,
				CreatedAt: x.clock.Now(), Cost: costs[i]},
			Lines: lines,
		})
	}
	sh, err := ship.New(spec)
	if err != nil {
		return nil, err
	}
	f, err := x.fulfillmentAt(p, s.id)
	if err != nil {
		return nil, err
	}
	if _, err := x.orders.Execute(x.ctx, acme, p.id, "", order.PackRequest{Fulfillment: f, Lines: shippedLines(p, sh)}); err != nil {
		return nil, err
	}
	if _, err := x.orders.Execute(x.ctx, acme, p.id, "ship-"+string(sh.ID()), order.ShipRequest{Shipment: string(sh.ID()), Fulfillment: f}); err != nil {
		return nil, err
	}
	var parts []inventory.Part
	for _, r := range p.holds[s.id] {
		parts = append(parts, inventory.Part{Reservation: r.ID})
	}
	if _, err := x.inv.Apply(x.ctx, &inventory.Consume{Meta: inventory.Meta{Owner: acme, Reason: inventory.ReasonShipped, Ref: inventory.OrderRef(p.id)}, Parts: parts}); err != nil {
		return nil, err
	}
	return sh, nil
}

func equalRatios(n int) []decimal.Decimal {
	r := make([]decimal.Decimal, n)
	for i := range r {
		r[i] = decimal.NewFromInt(1)
	}
	return r
}

// shippedLines turns a shipment's contents into order line quantities.
func shippedLines(p *placed, sh *ship.Shipment) []order.LineQuantity {
	var out []order.LineQuantity
	for _, l := range sh.Lines() {
		out = append(out, order.LineQuantity{Line: p.lineOf[l.SKU], Quantity: l.Quantity})
	}
	return out
}

// track feeds carrier webhooks to the shipments, the web order's with a
// duplicate and one out of order, and records deliveries on the orders.
func (x *world) track(orders []*placed) error {
	for _, p := range orders {
		for _, sh := range p.shipments {
			var events []ship.Event
			for pkg := range sh.Packages() {
				tn := pkg.Label.TrackingNumber
				day := func(h int) time.Time { return sh.CreatedAt().Add(time.Duration(h) * time.Hour) }
				events = append(events,
					ship.Event{ID: tn + "-1", TrackingNumber: tn, Status: ship.StatusInTransit, Detail: "picked up", At: day(5)},
					ship.Event{ID: tn + "-3", TrackingNumber: tn, Status: ship.StatusDelivered, Detail: "left at front door", At: day(3*24 + 2)},
					ship.Event{ID: tn + "-2", TrackingNumber: tn, Status: ship.StatusOutForDelivery, At: day(3*24 - 4)},                          // arrives late
					ship.Event{ID: tn + "-3", TrackingNumber: tn, Status: ship.StatusDelivered, Detail: "left at front door", At: day(3*24 + 2)}, // again
				)
			}
			for _, e := range events {
				c, err := sh.Ingest(e)
				if err != nil {
					return err
				}
				if p.name == "web" {
					note := ""
					switch {
					case c.Duplicate:
						note = "  (duplicate, ignored)"
					case c.From == c.To:
						note = "  (older than what we know, kept in the history)"
					}
					x.say("web         %s %-16s %s -> shipment %s%s", e.TrackingNumber, e.Status, e.At.Format("Mon 15:04 MST"), sh.Status(), note)
				}
			}
			if sh.Status() == ship.StatusDelivered {
				// The order records the delivery when the carrier made it.
				for _, e := range events {
					if e.Status == ship.StatusDelivered && e.At.After(x.clock.Now()) {
						x.clock.Set(e.At)
					}
				}
				if _, err := x.orders.Execute(x.ctx, acme, p.id, "deliver-"+string(sh.ID()), order.DeliverRequest{Shipment: string(sh.ID())}); err != nil {
					return err
				}
			}
		}
		o, err := x.orders.Store.Get(x.ctx, acme, p.id)
		if err != nil {
			return err
		}
		x.say("%-11s %d shipment(s): %s", p.name, len(p.shipments), o.Status())
	}
	x.clock.Set(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)) // a week later
	return nil
}

// takeReturn brings the web order's two T-shirts back: one is resold, one
// is stained and quarantined; the refund is previewed, then issued.
func (x *world) takeReturn(p *placed) error {
	o, err := x.orders.Store.Get(x.ctx, acme, p.id)
	if err != nil {
		return err
	}
	now := x.clock.Now()
	tees := p.lineOf["TEE-RED-M"]
	r, _, err := returns.New("RMA-2001", o, now, returns.Request{Channel: returns.ChannelMail, Lines: []returns.RequestLine{
		{OrderLine: tees, Quantity: 2, Reason: returns.ReasonNotAsDescribed, Note: "colour is darker than pictured"},
	}})
	if err != nil {
		return err
	}
	policy := returns.Policy{Rules: []returns.Rule{
		returns.Window{Period: 30 * 24 * time.Hour},
		returns.AutoApproveLimit{Max: usd("100.00")},
	}}
	c, err := r.Case(o, now)
	if err != nil {
		return err
	}
	d := policy.Evaluate(c)
	x.say("requested 2 x TEE-RED-M; policy: %s", d)
	if _, err := x.orders.Execute(x.ctx, acme, p.id, "rma-2001-request", r.OrderRequest()); err != nil {
		return err
	}
	if _, err := r.Decide(now, d); err != nil {
		return err
	}

	now = x.clock.Advance(4 * 24 * time.Hour)
	events, err := r.Receive(now, returns.ReceiveRequest{Lines: []returns.ReceiveLine{{Line: 1, Quantity: 2, Outcome: returns.OutcomeReceived}}})
	if err != nil {
		return err
	}
	if rec, ok := returns.RecordReturnRequest(events); ok {
		if _, err := x.orders.Execute(x.ctx, acme, p.id, "rma-2001-received", rec); err != nil {
			return err
		}
	}
	if _, err := r.Inspect(now, returns.InspectRequest{Lines: []returns.InspectLine{
		{Line: 1, Quantity: 1, Grade: returns.GradeResellable},
		{Line: 1, Quantity: 1, Grade: returns.GradeDamaged},
	}}); err != nil {
		return err
	}
	before, err := x.inv.Level(x.ctx, inventory.Key{Owner: acme, SKU: "TEE-RED-M", Location: "WH-EAST"})
	if err != nil {
		return err
	}
	if _, err := r.Dispose(x.ctx, x.inv, now, returns.DisposeRequest{Lines: []returns.DisposeLine{
		{Line: 1, Quantity: 1, Disposition: returns.DispositionRestock, Location: "WH-EAST"},
		{Line: 1, Quantity: 1, Disposition: returns.DispositionQuarantine, Location: "WH-EAST"},
	}}); err != nil {
		return err
	}
	after, err := x.inv.Level(x.ctx, inventory.Key{Owner: acme, SKU: "TEE-RED-M", Location: "WH-EAST"})
	if err != nil {
		return err
	}
	x.say("received and inspected: 1 resellable, 1 damaged")
	x.say("TEE-RED-M @WH-EAST before: on hand %d, available %d, quarantine %d", before.OnHand, before.Available(), before.Quarantine)
	x.say("TEE-RED-M @WH-EAST after:  on hand %d, available %d, quarantine %d", after.OnHand, after.Available(), after.Quarantine)

	o, err = x.orders.Store.Get(x.ctx, acme, p.id)
	if err != nil {
		return err
	}
	acct := returns.NewAccount(o)
	rp := returns.RefundPolicy{Shipping: returns.ShippingSellerFault}
	req := returns.RefundRequest{Key: "refund-RMA-2001", Kind: returns.RefundReturn}
	preview, err := acct.Preview(o, r, rp, req)
	if err != nil {
		return err
	}
	x.say("refund preview:")
	for _, line := range strings.Split(strings.TrimRight(preview.Explain(), "\n"), "\n") {
		x.say("  %s", line)
	}
	issued, err := acct.Issue(now, o, r, rp, req)
	if err != nil {
		return err
	}
	if _, err := r.Close(now, "refunded"); err != nil {
		return err
	}
	x.say("refund issued: %s; return %s", issued.Total, r.Status())
	return nil
}

// summary prints the stock and every order's status at the end of the day.
func (x *world) summary(orders []*placed) error {
	if err := x.printStock("available"); err != nil {
		return err
	}
	d, err := x.inv.Reconcile(x.ctx, acme)
	if err != nil {
		return err
	}
	entries, err := x.inv.Ledger(x.ctx, inventory.LedgerQuery{Owner: acme})
	if err != nil {
		return err
	}
	x.say("ledger: %d movements; levels, reservations and ledger reconcile with %d discrepancies", len(entries), len(d))
	tee, err := x.inv.Level(x.ctx, inventory.Key{Owner: acme, SKU: "TEE-RED-M", Location: "WH-EAST"})
	if err != nil {
		return err
	}
	x.say("the movements of TEE-RED-M at WH-EAST, which explain its %d units on hand:", tee.OnHand)
	for _, e := range entries {
		if e.Key != tee.Key {
			continue
		}
		reason := string(e.Reason)
		if reason == "" {
			reason = "-"
		}
		x.say("  #%-3d %s %-8s %-10s on hand %+4d  reserved %+4d  committed %+4d  quarantine %+2d",
			e.Seq, e.At.Format("Jan 02 15:04"), e.Kind, reason, e.Delta.OnHand, e.Delta.Reserved, e.Delta.Committed, e.Delta.Quarantine)
	}
	for _, p := range orders {
		o, err := x.orders.Store.Get(x.ctx, acme, p.id)
		if err != nil {
			return err
		}
		if err := o.CheckInvariants(); err != nil {
			return err
		}
		q := o.Quantities()
		x.say("%-11s %-20s ordered %2d, cancelled %d, shipped %2d, delivered %2d, returned %d",
			p.name, o.Status(), q.Ordered, q.Cancelled, q.Shipped, q.Delivered, q.Returned)
	}
	return nil
}
