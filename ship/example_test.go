package ship_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/ship"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A two-box shipment is tracked to delivery from webhooks that arrive
// twice and out of order.
func Example() {
	s, err := ship.New(ship.Spec{
		ID: "SHP-1001", Order: fulfill.MustOrderID("01936d3e-8c2a-7b1e-9f4d-2a6c8e0b1d3f"),
		Owner: "acme", Origin: "WH-EAST", CreatedAt: at("2026-11-23T14:00:00Z"),
		Packages: []ship.Package{
			{Ref: "box-1", Dimensions: fulfill.Dims(12*fulfill.Inch, 10*fulfill.Inch, 8*fulfill.Inch), Mass: 3 * fulfill.Pound,
				Label: ship.Label{Ref: "lbl-1", TrackingNumber: "1Z001", Carrier: "ups", Service: "ground",
					CreatedAt: at("2026-11-23T14:00:00Z"), Cost: fulfill.MustMoney("12.40", "USD")},
				Lines: []ship.Line{{LineID: "L1", SKU: "MUG", Quantity: 2}}},
			{Ref: "box-2", Dimensions: fulfill.Dims(8*fulfill.Inch, 6*fulfill.Inch, 4*fulfill.Inch), Mass: fulfill.Pound,
				Label: ship.Label{Ref: "lbl-2", TrackingNumber: "1Z002", Carrier: "ups", Service: "ground",
					CreatedAt: at("2026-11-23T14:00:00Z"), Cost: fulfill.MustMoney("8.15", "USD")},
				Lines: []ship.Line{{LineID: "L2", SKU: "TEA", Quantity: 1}}},
		},
	})
	if err != nil {
		panic(err)
	}
	webhooks := []string{
		`{"id":"e1","tracking_number":"1Z001","source":"shippo","status":"TRANSIT","occurred_at":"2026-11-23T22:00:00Z"}`,
		`{"id":"e3","tracking_number":"1Z001","source":"shippo","status":"DELIVERED","occurred_at":"2026-11-25T17:00:00Z"}`,
		`{"id":"e2","tracking_number":"1Z001","source":"shippo","status":"TRANSIT","detail":"out_for_delivery","occurred_at":"2026-11-25T12:00:00Z"}`,
		`{"id":"e3","tracking_number":"1Z001","source":"shippo","status":"DELIVERED","occurred_at":"2026-11-25T17:00:00Z"}`,
		`{"id":"e4","tracking_number":"1Z002","source":"shippo","status":"TRANSIT","occurred_at":"2026-11-23T22:05:00Z"}`,
	}
	for _, w := range webhooks {
		e, err := ship.DecodeEvent([]byte(w))
		if err != nil {
			panic(err)
		}
		c, err := s.Ingest(e)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %s: %s -> %s duplicate=%v\n", c.TrackingNumber, c.Key, c.From, c.To, c.Duplicate)
	}
	cost, _ := s.Cost()
	fmt.Println("shipment:", s.Status(), "cost:", cost, "version:", s.Version())
	fmt.Println("shipped:", s.Lines())
	fmt.Println("delivered:", s.DeliveredLines())
	// Output:
	// 1Z001 id:e1: pre_transit -> in_transit duplicate=false
	// 1Z001 id:e3: in_transit -> delivered duplicate=false
	// 1Z001 id:e2: delivered -> delivered duplicate=false
	// 1Z001 id:e3: delivered -> delivered duplicate=true
	// 1Z002 id:e4: pre_transit -> in_transit duplicate=false
	// shipment: in_transit cost: 20.55 USD version: 4
	// shipped: [{L1 MUG 2} {L2 TEA 1}]
	// delivered: [{L1 MUG 2}]
}

func ExampleMapStatus() {
	for _, c := range []struct {
		src            ship.Source
		status, detail string
	}{
		{ship.SourceEasyPost, "available_for_pickup", ""},
		{ship.SourceShippo, "TRANSIT", "delivery_attempted"},
		{ship.SourceShipEngine, "IT", "OUT_FOR_DELIVERY"},
		{ship.SourceShipEngine, "ZZ", ""},
	} {
		s, err := ship.MapStatus(c.src, c.status, c.detail)
		fmt.Println(s, err)
	}
	// Output:
	// available_for_pickup <nil>
	// delivery_exception <nil>
	// out_for_delivery <nil>
	//  ship: shipengine status "ZZ" has no mapping
}

func ExampleStatus_Next() {
	for _, s := range []ship.Status{ship.StatusOutForDelivery, ship.StatusDelivered} {
		fmt.Print(s, ":")
		for n := range s.Next() {
			fmt.Print(" ", n)
		}
		fmt.Println(" terminal:", s.Terminal())
	}
	err := ship.StatusDelivered.Transition(ship.StatusInTransit)
	fmt.Println(errors.Is(err, ship.ErrInvalidTransition), err)
	// Output:
	// out_for_delivery: in_transit delivery_exception available_for_pickup delivered returned_to_sender terminal: false
	// delivered: terminal: true
	// true ship: cannot go from delivered to in_transit
}

func ExampleLane_Promise() {
	ny, _ := time.LoadLocation("America/New_York")
	holidays := []ship.Date{ship.MustDate("2026-11-26")} // Thanksgiving
	lane := ship.Lane{
		Origin: ship.Origin{Location: "WH-EAST", TimeZone: ny, Calendar: ship.MustCalendar("wh-east", nil, holidays...)},
		Service: ship.Service{Carrier: "ups", Service: "ground", Cutoff: 15 * time.Hour,
			Calendar: ship.MustCalendar("ups", nil, holidays...), TransitDays: map[string]int{"5": 3}},
	}
	for _, release := range []string{"2026-11-23T19:59:00Z", "2026-11-23T20:00:00Z"} { // 14:59 and 15:00 in New York
		p, err := lane.Promise(at(release), "5")
		if err != nil {
			panic(err)
		}
		fmt.Printf("released %s: ships %s, delivered %s\n", at(release).In(ny).Format("Mon 15:04"), p.Ship, p.Delivery)
	}
	last, _ := lane.ShipBy(ship.MustDate("2026-11-27"), "5")
	fmt.Println("to arrive by Friday 27th, release before", last.In(ny).Format("Mon Jan 2 15:04 MST"))
	// Output:
	// released Mon 14:59: ships 2026-11-23, delivered 2026-11-27
	// released Mon 15:00: ships 2026-11-24, delivered 2026-11-30
	// to arrive by Friday 27th, release before Mon Nov 23 15:00 EST
}

func ExampleBuildManifests() {
	label := func(ref, account, created string, voided bool) ship.Label {
		return ship.Label{Ref: ref, TrackingNumber: "T" + ref, Carrier: "usps", Account: account, Origin: "WH-EAST",
			CreatedAt: at(created), Cost: fulfill.MustMoney("4.50", "USD"), Voided: voided}
	}
	ny, _ := time.LoadLocation("America/New_York")
	b, err := ship.BuildManifests([]ship.Label{
		label("1", "P1", "2026-11-23T15:00:00Z", false),
		label("2", "P1", "2026-11-24T03:00:00Z", false), // 22:00 on the 23rd in New York
		label("3", "P2", "2026-11-23T16:00:00Z", false),
		label("4", "P1", "2026-11-23T17:00:00Z", true),
	}, ship.ManifestOptions{TimeZones: map[fulfill.LocationID]*time.Location{"WH-EAST": ny}})
	if err != nil {
		panic(err)
	}
	for _, m := range b.Manifests {
		total, _ := m.Total()
		fmt.Println(m.ID, len(m.Labels), "labels", total)
	}
	for _, s := range b.Skipped {
		fmt.Println("skipped:", s)
	}
	fmt.Println("valid:", ship.ValidateManifests(b.Manifests, ship.ManifestOptions{TimeZones: map[fulfill.LocationID]*time.Location{"WH-EAST": ny}}) == nil)
	// Output:
	// usps/P1/WH-EAST/2026-11-23 2 labels 9.00 USD
	// usps/P2/WH-EAST/2026-11-23 1 labels 4.50 USD
	// skipped: ship: label "4" (T4): voided
	// valid: true
}

// A webhook handler: decode, route by tracking number, apply in one update.
func ExampleIngestEvent() {
	ctx := context.Background()
	var store ship.MemStore
	s, err := ship.New(ship.Spec{
		ID: "SHP-7", Order: fulfill.MustOrderID("01936d3e-8c2a-7b1e-9f4d-2a6c8e0b1d3f"),
		Owner: "acme", Origin: "WH-EAST", CreatedAt: at("2026-11-23T14:00:00Z"),
		Packages: []ship.Package{{Ref: "box-1", Dimensions: fulfill.Dims(30*fulfill.Centimeter, 20*fulfill.Centimeter, 10*fulfill.Centimeter),
			Mass: fulfill.Kilogram, Label: ship.Label{Ref: "lbl-1", TrackingNumber: "9400100", Carrier: "usps", CreatedAt: at("2026-11-23T14:00:00Z")},
			Lines: []ship.Line{{LineID: "L1", SKU: "MUG", Quantity: 1}}}},
	})
	if err != nil {
		panic(err)
	}
	if err := store.Create(ctx, s); err != nil {
		panic(err)
	}
	for _, body := range []string{
		`{"id":"wh_1","tracking_number":"9400100","source":"easypost","status":"in_transit","occurred_at":"2026-11-23T23:00:00Z"}`,
		`{"id":"wh_1","tracking_number":"9400100","source":"easypost","status":"in_transit","occurred_at":"2026-11-23T23:00:00Z"}`,
		`{"id":"wh_2","tracking_number":"9400999","source":"easypost","status":"delivered","occurred_at":"2026-11-24T23:00:00Z"}`,
	} {
		e, err := ship.DecodeEvent([]byte(body))
		if err != nil {
			panic(err)
		}
		id, c, err := ship.IngestEvent(ctx, &store, e)
		fmt.Println(id, c.To, c.Duplicate, errors.Is(err, ship.ErrNotFound))
	}
	// Output:
	// SHP-7 in_transit false false
	// SHP-7 in_transit true false
	//   false true
}
