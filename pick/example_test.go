package pick_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/pick"
)

// block is a 10-aisle block of 30 m aisles, 3 m apart, 30 slots per aisle,
// with the depot at the front of aisle 0.
func block(crossAisles int) *pick.Rect {
	r, err := pick.NewRect(pick.RectConfig{
		Aisles: 10, SlotsPerAisle: 30,
		AisleLength: 30 * fulfill.Meter, AisleSpacing: 3 * fulfill.Meter,
		CrossAisles: crossAisles,
	})
	if err != nil {
		panic(err)
	}
	return r
}

func Example() {
	layout := block(2)
	bins := []pick.Bin{
		{Aisle: 7, Slot: 27, Side: pick.SideLeft},
		{Aisle: 2, Slot: 1, Side: pick.SideRight},
		{Aisle: 5, Slot: 2, Side: pick.SideLeft},
		{Aisle: 2, Slot: 28, Side: pick.SideLeft},
		{Aisle: 7, Slot: 1, Side: pick.SideRight},
	}
	ctx := context.Background()
	best, _ := pick.Optimal{}.Route(ctx, layout, bins)
	sshape, _ := pick.SShape{}.Route(ctx, layout, bins)
	fmt.Println("optimal:", best.Bins(bins), best.Length)
	fmt.Println("s-shape:", sshape.Bins(bins), sshape.Length)
	fmt.Println("verified:", pick.Verify(layout, bins, best) == nil)
	// Output:
	// optimal: [05-002-0-L 07-001-0-R 07-027-0-L 02-028-0-L 02-001-0-R] 107m
	// s-shape: [02-001-0-R 02-028-0-L 05-002-0-L 07-001-0-R 07-027-0-L] 157m
	// verified: true
}

func ExampleParseBin() {
	b, err := pick.ParseBin("03-012-1-L")
	fmt.Println(b.Aisle, b.Slot, b.Level, b.Side, err)
	_, err = pick.ParseBin("03-012-L")
	fmt.Println(errors.Is(err, pick.ErrInvalidBin))
	// Output:
	// 3 12 1 L <nil>
	// true
}

func ExampleOptimal_crossAisles() {
	bins := []pick.Bin{
		{Aisle: 0, Slot: 14, Side: pick.SideLeft},
		{Aisle: 1, Slot: 16, Side: pick.SideLeft},
		{Aisle: 8, Slot: 15, Side: pick.SideLeft},
	}
	for _, k := range []int{2, 3} {
		r, _ := pick.Optimal{}.Route(context.Background(), block(k), bins)
		fmt.Printf("%d cross aisles: %v\n", k, r.Length)
	}
	// Output:
	// 2 cross aisles: 135m
	// 3 cross aisles: 82m
}

func ExampleVerify() {
	layout := block(2)
	bins := []pick.Bin{{Aisle: 2, Slot: 5, Side: pick.SideLeft}, {Aisle: 4, Slot: 5, Side: pick.SideLeft}}
	err := pick.Verify(layout, bins, pick.Route{Stops: []int{1}, Length: 10 * fulfill.Meter})
	fmt.Println(err)
	// Output:
	// pick: invalid route: bin 0 (02-005-0-L) is never visited
}

// A Router of one's own: the order the bins were given in, as a picker
// without a system walks it. Verify checks it like any other.
func ExampleRouterFunc() {
	asGiven := pick.RouterFunc(func(ctx context.Context, l pick.Layout, bins []pick.Bin) (pick.Route, error) {
		r := pick.Route{}
		prev := l.Depot()
		for i, b := range bins {
			s, err := l.Spot(b)
			if err != nil {
				return pick.Route{}, err
			}
			r.Stops = append(r.Stops, i)
			r.Length += l.Distance(prev, s)
			prev = s
		}
		r.Length += l.Distance(prev, l.Depot())
		return r, nil
	})
	layout := block(2)
	bins := []pick.Bin{{Aisle: 5, Slot: 1, Side: pick.SideLeft}, {Aisle: 1, Slot: 1, Side: pick.SideLeft}, {Aisle: 5, Slot: 3, Side: pick.SideLeft}}
	r, _ := asGiven.Route(context.Background(), layout, bins)
	best, _ := pick.Auto{}.Route(context.Background(), layout, bins)
	fmt.Println(r.Length, best.Length, pick.Verify(layout, bins, r) == nil)
	// Output:
	// 67m 40m true
}

func ExampleLocalSearch() {
	layout := block(2)
	var orders []pick.Order
	for i := range 12 {
		orders = append(orders, pick.Order{
			ID: fmt.Sprintf("o%d", i),
			Lines: []pick.Line{
				{Bin: pick.Bin{Aisle: (i * 7) % 10, Slot: (i * 11) % 30, Side: pick.SideLeft}, Quantity: 1},
				{Bin: pick.Bin{Aisle: (i * 3) % 10, Slot: (i * 13) % 30, Side: pick.SideRight}, Quantity: 2},
			},
		})
	}
	cart := pick.Capacity{Lines: 6}
	ctx := context.Background()
	fcfs, _ := pick.FCFS{}.Batch(ctx, layout, orders, cart)
	savings, _ := pick.Savings{}.Batch(ctx, layout, orders, cart)
	best, _ := pick.LocalSearch{Seed: 1, Rounds: 5}.Batch(ctx, layout, orders, cart)
	fmt.Println("fcfs:", len(fcfs.Batches), "carts", fcfs.Length)
	fmt.Println("savings:", len(savings.Batches), "carts", savings.Length)
	fmt.Println("local search:", len(best.Batches), "carts", best.Length)
	// Output:
	// fcfs: 4 carts 575m
	// savings: 4 carts 438m
	// local search: 4 carts 430m
}

func ExampleWaves() {
	noon := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	line := pick.Line{Bin: pick.Bin{Aisle: 1, Slot: 1, Side: pick.SideLeft}, Quantity: 1}
	orders := []pick.Order{
		{ID: "ground", Lines: []pick.Line{line}, CutOff: noon.Add(3 * time.Hour)},
		{ID: "express", Lines: []pick.Line{line}, CutOff: noon},
		{ID: "store-pickup", Lines: []pick.Line{line}},
		{ID: "express-vip", Lines: []pick.Line{line}, CutOff: noon, Priority: 1},
	}
	waves, _ := pick.Waves(orders, nil)
	for _, w := range waves {
		var ids []string
		for _, o := range w.Orders {
			ids = append(ids, orders[o].ID)
		}
		fmt.Println(w.CutOff.Format("15:04"), w.Priority, ids)
	}
	// Output:
	// 12:00 1 [express-vip]
	// 12:00 0 [express]
	// 15:00 0 [ground]
	// 00:00 0 [store-pickup]
}

func ExampleSVG() {
	layout := block(3)
	bins := []pick.Bin{{Aisle: 2, Slot: 20, Side: pick.SideLeft}, {Aisle: 5, Slot: 3, Side: pick.SideRight}}
	r, _ := pick.Optimal{}.Route(context.Background(), layout, bins)
	var b strings.Builder
	_ = pick.SVG(&b, layout, bins, r)
	fmt.Println(strings.Count(b.String(), `class="pick"`), "picks drawn")
	// Output:
	// 2 picks drawn
}

// An L-shaped building as a graph: a corridor from the depot, a branch to
// the left, another to the right.
func ExampleNewGraph() {
	g, err := pick.NewGraph(pick.GraphConfig{
		Nodes: []pick.Node{
			{Name: "dock"}, {Name: "hall", Y: 10 * fulfill.Meter},
			{Name: "west", X: -15 * fulfill.Meter, Y: 10 * fulfill.Meter},
			{Name: "east", X: 20 * fulfill.Meter, Y: 10 * fulfill.Meter},
		},
		Edges: []pick.Edge{{From: "dock", To: "hall"}, {From: "hall", To: "west"}, {From: "hall", To: "east"}},
		Bins: []pick.Placement{
			{Bin: pick.Bin{Aisle: 1, Slot: 0, Side: pick.SideLeft}, Node: "west"},
			{Bin: pick.Bin{Aisle: 2, Slot: 0, Side: pick.SideLeft}, Node: "east"},
		},
		Depot: "dock",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	bins := []pick.Bin{{Aisle: 2, Slot: 0, Side: pick.SideLeft}, {Aisle: 1, Slot: 0, Level: 3, Side: pick.SideLeft}}
	r, _ := pick.Auto{}.Route(context.Background(), g, bins)
	fmt.Println(r.Bins(bins), r.Length)
	// Output:
	// [01-000-3-L 02-000-0-L] 90m
}

func ExampleList() {
	lines := []pick.Line{
		{Bin: pick.Bin{Aisle: 6, Slot: 2, Side: pick.SideLeft}, SKU: "MUG-BLUE", Quantity: 2},
		{Bin: pick.Bin{Aisle: 1, Slot: 5, Side: pick.SideRight}, SKU: "TEE-RED-M", Quantity: 1},
		{Bin: pick.Bin{Aisle: 3, Slot: 28, Side: pick.SideLeft}, SKU: "CAP-BLACK", Quantity: 1},
	}
	sorted, r, _ := pick.List(context.Background(), block(2), nil, lines)
	for _, ln := range sorted {
		fmt.Println(ln.Bin, ln.SKU, ln.Quantity)
	}
	fmt.Println(r.Length)
	// Output:
	// 06-002-0-L MUG-BLUE 2
	// 03-028-0-L CAP-BLACK 1
	// 01-005-0-R TEE-RED-M 1
	// 99m
}

func ExampleSplitZones() {
	layout := block(2)
	bins := []pick.Bin{
		{Aisle: 1, Slot: 3, Side: pick.SideLeft}, {Aisle: 8, Slot: 3, Side: pick.SideLeft},
		{Aisle: 4, Slot: 20, Side: pick.SideRight}, {Aisle: 2, Slot: 25, Side: pick.SideLeft},
	}
	r, _ := pick.Optimal{}.Route(context.Background(), layout, bins)
	zones := []pick.Zone{{Name: "A", FirstAisle: 0, LastAisle: 4}, {Name: "B", FirstAisle: 5, LastAisle: 9}}
	legs, _ := pick.SplitZones(bins, r, zones)
	for _, leg := range legs {
		var names []string
		for _, s := range leg.Stops {
			names = append(names, bins[s].String())
		}
		fmt.Println(leg.Zone, names)
	}
	// Output:
	// B [08-003-0-L]
	// A [04-020-0-R 02-025-0-L 01-003-0-L]
}
