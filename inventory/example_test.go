package inventory_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
)

// newInventory returns an Inventory over a MemStore with a clock pinned at
// 2026-03-01 09:00 UTC and seeded reservation IDs.
func newInventory() (*inventory.Inventory, *fulfill.FakeClock) {
	clk := fulfill.NewFakeClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	return inventory.New(new(inventory.MemStore), &inventory.Options{Clock: clk, Rand: rand.NewChaCha8([32]byte{})}), clk
}

func Example() {
	ctx := context.Background()
	inv, _ := newInventory()
	acme := inventory.Meta{Owner: "acme"}
	tee := inventory.Key{Owner: "acme", SKU: "TEE-RED-M", Location: "WH-EAST"}

	_, _ = inv.Apply(ctx, &inventory.Receive{Meta: acme, Key: tee, Quantity: 10})
	order := fulfill.MustOrderID("018f2b6e-0000-7000-8000-000000000001")
	r, err := inv.Apply(ctx, &inventory.Reserve{
		Meta:  inventory.Meta{Owner: "acme", Ref: inventory.OrderRef(order), IdempotencyKey: "order-1"},
		Lines: []inventory.ReserveLine{{Key: tee, Quantity: 3, Line: "1"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	id := r.Reservations[0].ID
	_, _ = inv.Apply(ctx, &inventory.Commit{Meta: acme, Parts: []inventory.Part{{Reservation: id}}})
	_, _ = inv.Apply(ctx, &inventory.Consume{Meta: acme, Parts: []inventory.Part{{Reservation: id}}})

	l, _ := inv.Level(ctx, tee)
	fmt.Printf("on hand %d, available %d\n", l.OnHand, l.Available())
	entries, _ := inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
	for _, e := range entries {
		fmt.Printf("%d %-8s on_hand %+d reserved %+d committed %+d\n", e.Seq, e.Kind, e.Delta.OnHand, e.Delta.Reserved, e.Delta.Committed)
	}
	d, _ := inv.Reconcile(ctx, "acme")
	fmt.Println("discrepancies:", len(d))
	// Output:
	// on hand 7, available 7
	// 1 receive  on_hand +10 reserved +0 committed +0
	// 2 reserve  on_hand +0 reserved +3 committed +0
	// 3 commit   on_hand +0 reserved -3 committed +3
	// 4 consume  on_hand -3 reserved +0 committed -3
	// discrepancies: 0
}

// A reservation of several lines is all or nothing, and its error lists
// every short line; lines of the same SKU are summed.
func ExampleReserve_shortLines() {
	ctx := context.Background()
	inv, _ := newInventory()
	key := func(sku fulfill.SKU) inventory.Key {
		return inventory.Key{Owner: "acme", SKU: sku, Location: "WH"}
	}
	_, _ = inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: key("MUG"), Quantity: 4})
	_, _ = inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: key("CAP"), Quantity: 1})

	_, err := inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: "acme"}, Lines: []inventory.ReserveLine{
		{Key: key("MUG"), Quantity: 3}, {Key: key("CAP"), Quantity: 2}, {Key: key("MUG"), Quantity: 2},
	}})
	if e, ok := errors.AsType[*inventory.InsufficientStockError](err); ok {
		for _, s := range e.Shortages {
			fmt.Println(s)
		}
	}
	l, _ := inv.Level(ctx, key("MUG"))
	fmt.Println("MUG reserved:", l.Reserved)
	// Output:
	// acme/CAP@WH wanted 2 available 1
	// acme/MUG@WH wanted 5 available 4
	// MUG reserved: 0
}

// A cart hold lapses at its TTL, decided when the stock is read; no sweeper
// has to run first.
func ExampleReserve_ttl() {
	ctx := context.Background()
	inv, clk := newInventory()
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	_, _ = inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 2})
	_, _ = inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: "acme"}, Lines: []inventory.ReserveLine{{Key: k, Quantity: 2}}, TTL: 15 * time.Minute})
	l, _ := inv.Level(ctx, k)
	fmt.Println("available while held:", l.Available())
	clk.Advance(15 * time.Minute)
	l, _ = inv.Level(ctx, k)
	fmt.Println("available after the TTL:", l.Available())
	// Output:
	// available while held: 0
	// available after the TTL: 2
}

// An adjustment with an expected quantity is a compare-and-set: it fails if
// someone changed the stock since it was read.
func ExampleAdjust_compareAndSet() {
	ctx := context.Background()
	inv, _ := newInventory()
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	_, _ = inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: k, Quantity: 10})
	expected := int64(12)
	_, err := inv.Apply(ctx, &inventory.Adjust{Meta: inventory.Meta{Owner: "acme", Reason: inventory.ReasonShrinkage}, Key: k, Delta: -2, Expected: &expected})
	fmt.Println(errors.Is(err, inventory.ErrConflict), err)
	// Output:
	// true inventory: conflict on acme/MUG@WH: available is 10, expected 12
}

// Plan decides which locations serve an order; what no location can serve
// is backordered.
func ExamplePlan() {
	lv := func(sku fulfill.SKU, loc fulfill.LocationID, n int64) inventory.Level {
		return inventory.Level{Key: inventory.Key{Owner: "acme", SKU: sku, Location: loc}, Buckets: inventory.Buckets{OnHand: n}, Version: 1}
	}
	levels := []inventory.Level{lv("MUG", "EAST", 5), lv("CAP", "EAST", 1), lv("MUG", "WEST", 2), lv("CAP", "WEST", 3)}
	req := inventory.Request{Owner: "acme", Lines: []inventory.Line{{SKU: "MUG", Quantity: 2}, {SKU: "CAP", Quantity: 4}}}
	a, _ := inventory.Plan(req, levels, inventory.FewestShipments{})
	for _, as := range a.Assignments {
		fmt.Printf("%s x%d from %s\n", as.Key.SKU, as.Quantity, as.Key.Location)
	}
	for _, b := range a.Backorders {
		fmt.Printf("%s x%d backordered\n", b.SKU, b.Quantity)
	}
	fmt.Println("shipments:", a.Shipments())
	// Output:
	// MUG x2 from EAST
	// CAP x1 from EAST
	// CAP x3 from WEST
	// shipments: [EAST WEST]
}

// A sales channel publishes a share of available stock and keeps a buffer.
func ExampleChannel_Publish() {
	marketplace := inventory.Channel{Name: "marketplace", Percent: 90, Buffer: 5}
	fmt.Println(marketplace.Publish(100), marketplace.Publish(6))
	// Output: 85 0
}

// countingStore is a worked Store implementation: it wraps another store
// and counts the transactions applied, the way a host adds metrics or
// tracing around its store.
type countingStore struct {
	inventory.Store
	applied atomic.Int64
}

func (s *countingStore) Apply(ctx context.Context, t *inventory.Txn) (*inventory.Receipt, error) {
	r, err := s.Store.Apply(ctx, t)
	if err == nil && !r.Replayed {
		s.applied.Add(1)
	}
	return r, err
}

func ExampleStore() {
	ctx := context.Background()
	store := &countingStore{Store: new(inventory.MemStore)}
	inv := inventory.New(store, &inventory.Options{Clock: fulfill.NewFakeClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))})
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	for range 3 { // a retried request applies once
		_, _ = inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme", IdempotencyKey: "po-77"}, Key: k, Quantity: 5})
	}
	l, _ := inv.Level(ctx, k)
	fmt.Println(store.applied.Load(), l.OnHand)
	// Output: 1 5
}

// Two warehouses and a store receive stock; two orders are allocated with
// the fewest-shipments strategy, the second partly backordered; then the
// levels and the ledger are printed.
func Example_allocate() {
	ctx := context.Background()
	inv, _ := newInventory()
	acme := inventory.Meta{Owner: "acme", Reason: inventory.ReasonReceived}
	stock := []struct {
		loc fulfill.LocationID
		sku fulfill.SKU
		n   int64
	}{
		{"WH-EAST", "MUG", 5}, {"WH-EAST", "CAP", 1},
		{"WH-WEST", "MUG", 2}, {"WH-WEST", "CAP", 3},
		{"STORE-NYC", "MUG", 1},
	}
	for _, s := range stock {
		_, _ = inv.Apply(ctx, &inventory.Receive{Meta: acme, Key: inventory.Key{Owner: "acme", SKU: s.sku, Location: s.loc}, Quantity: s.n})
	}
	orders := []inventory.Request{
		{Lines: []inventory.Line{{SKU: "MUG", Quantity: 2, Line: "A-1"}, {SKU: "CAP", Quantity: 2, Line: "A-2"}}},
		{Lines: []inventory.Line{{SKU: "MUG", Quantity: 4, Line: "B-1"}, {SKU: "CAP", Quantity: 3, Line: "B-2"}}},
	}
	for i, req := range orders {
		m := inventory.Meta{Owner: "acme", Reason: inventory.ReasonOrder, IdempotencyKey: fmt.Sprintf("order-%d", i+1)}
		plan, _, err := inv.Allocate(ctx, req, inventory.FewestShipments{}, m, 0)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, a := range plan.Assignments {
			fmt.Printf("order %d: %s x%d from %s\n", i+1, a.LineRef, a.Quantity, a.Key.Location)
		}
		for _, b := range plan.Backorders {
			fmt.Printf("order %d: %s x%d backordered\n", i+1, b.LineRef, b.Quantity)
		}
	}
	levels, _ := inv.Levels(ctx, inventory.LevelQuery{Owner: "acme"})
	for _, l := range levels {
		fmt.Printf("%-9s %s on hand %d reserved %d available %d\n", l.Location, l.SKU, l.OnHand, l.Reserved, l.Available())
	}
	entries, _ := inv.Ledger(ctx, inventory.LedgerQuery{Owner: "acme", After: 5})
	for _, e := range entries {
		fmt.Printf("#%d %s %s %s@%s reserved %+d\n", e.Seq, e.Kind, e.Reason, e.Key.SKU, e.Key.Location, e.Delta.Reserved)
	}
	// Output:
	// order 1: A-1 x2 from WH-WEST
	// order 1: A-2 x2 from WH-WEST
	// order 2: B-1 x4 from WH-EAST
	// order 2: B-2 x1 from WH-EAST
	// order 2: B-2 x1 from WH-WEST
	// order 2: B-2 x1 backordered
	// WH-EAST   CAP on hand 1 reserved 1 available 0
	// WH-WEST   CAP on hand 3 reserved 3 available 0
	// STORE-NYC MUG on hand 1 reserved 0 available 1
	// WH-EAST   MUG on hand 5 reserved 4 available 1
	// WH-WEST   MUG on hand 2 reserved 2 available 0
	// #6 reserve order MUG@WH-WEST reserved +2
	// #7 reserve order CAP@WH-WEST reserved +2
	// #8 reserve order MUG@WH-EAST reserved +4
	// #9 reserve order CAP@WH-EAST reserved +1
	// #10 reserve order CAP@WH-WEST reserved +1
}

// Returned units go straight back to a location: sellable ones into
// available stock, the others into quarantine until inspected.
func ExampleReceive_return() {
	ctx := context.Background()
	inv, _ := newInventory()
	k := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	rma := inventory.Meta{Owner: "acme", Reason: inventory.ReasonReturn, Ref: inventory.Reference{Type: inventory.RefReturn, ID: "RMA-1"}}
	rma.IdempotencyKey = "RMA-1/restock"
	_, _ = inv.Apply(ctx, &inventory.Receive{Meta: rma, Key: k, Quantity: 2})
	rma.IdempotencyKey = "RMA-1/quarantine"
	_, _ = inv.Apply(ctx, &inventory.Receive{Meta: rma, Key: k, Quantity: 1, Into: inventory.BucketQuarantine})
	l, _ := inv.Level(ctx, k)
	fmt.Printf("on hand %d, available %d, quarantine %d\n", l.OnHand, l.Available(), l.Quarantine)
	// After inspection the quarantined unit is released to available.
	rma.IdempotencyKey = "RMA-1/inspected"
	_, _ = inv.Apply(ctx, &inventory.Move{Meta: rma, Key: k, From: inventory.BucketQuarantine, To: inventory.BucketAvailable, Quantity: 1})
	l, _ = inv.Level(ctx, k)
	fmt.Printf("on hand %d, available %d, quarantine %d\n", l.OnHand, l.Available(), l.Quarantine)
	// Output:
	// on hand 3, available 2, quarantine 1
	// on hand 3, available 3, quarantine 0
}

// A service keeping a MemStore running publishes the ledger and trims what
// it published; entries keep their numbers, so the relay resumes after the
// last one it saw. Prune drops closed reservations and idempotency records
// once the retry window the service promises has passed.
func ExampleMemStore_TrimLedger() {
	ctx := context.Background()
	store := new(inventory.MemStore)
	clk := fulfill.NewFakeClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	inv := inventory.New(store, &inventory.Options{Clock: clk})
	mug := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}

	var published int64 // the relay's position, kept by the host
	relay := func() {
		entries, _ := store.Ledger(ctx, inventory.LedgerQuery{Owner: "acme", After: published})
		for _, e := range entries {
			fmt.Printf("publish %d %s %+d\n", e.Seq, e.Kind, e.Delta.OnHand+e.Delta.Reserved)
			published = e.Seq
		}
		n, _ := store.TrimLedger(ctx, "acme", published)
		fmt.Println("trimmed", n)
	}

	_, _ = inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme", IdempotencyKey: "asn-7"}, Key: mug, Quantity: 5})
	_, _ = inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: "acme"}, Lines: []inventory.ReserveLine{{Key: mug, Quantity: 2, ID: "cart-1"}}})
	relay()
	_, _ = inv.Apply(ctx, &inventory.Release{Meta: inventory.Meta{Owner: "acme"}, Parts: []inventory.Part{{Reservation: "cart-1"}}})
	relay()

	clk.Advance(25 * time.Hour)
	p, _ := store.Prune(ctx, "acme", clk.Now().Add(-24*time.Hour))
	fmt.Printf("pruned %+v\n", p)
	l, _ := inv.Level(ctx, mug)
	fmt.Println("available", l.Available())
	// Output:
	// publish 1 receive +5
	// publish 2 reserve +2
	// trimmed 2
	// publish 3 release -2
	// trimmed 1
	// pruned {Reservations:1 IdempotencyKeys:1}
	// available 5
}

// Trimming keeps reconciliation and the expected arrivals exact: the store
// folds what it drops into the owner's checkpoint, which Reconcile and
// Arrivals carry on from.
func ExampleMemStore_LedgerCheckpoint() {
	ctx := context.Background()
	store := new(inventory.MemStore)
	day := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	inv := inventory.New(store, &inventory.Options{Clock: fulfill.NewFakeClock(day)})
	mug := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	po := inventory.Meta{Owner: "acme", Ref: inventory.Reference{Type: inventory.RefPurchaseOrder, ID: "PO-1"}}

	_, _ = inv.Apply(ctx, &inventory.Expect{Meta: po, Key: mug, Quantity: 10, Due: day.AddDate(0, 0, 3)})
	_, _ = inv.Apply(ctx, &inventory.Receive{Meta: po, Key: mug, Quantity: 4, FromIncoming: 4})
	n, _ := store.TrimLedger(ctx, "acme", 2) // a relay published both entries
	fmt.Println("trimmed", n)

	cp, _ := store.LedgerCheckpoint(ctx, "acme")
	fmt.Printf("checkpoint through %d: %+v\n", cp.Through, cp.Levels[mug])
	d, _ := inv.Reconcile(ctx, "acme")
	fmt.Println("discrepancies:", len(d))
	as, _ := inv.Arrivals(ctx, "acme")
	for _, a := range as {
		fmt.Println("expected", a.Quantity, "of", a.Ref.ID, "on", a.Due.Format(time.DateOnly))
	}
	// Output:
	// trimmed 2
	// checkpoint through 2: {OnHand:4 Reserved:0 Committed:0 Damaged:0 Quarantine:0 Safety:0 Incoming:6 InTransit:0}
	// discrepancies: 0
	// expected 6 of PO-1 on 2026-03-04
}

// A projection that keeps its own copy of the ledger (here a slice) trims
// it with a checkpoint of its own: Fold what it drops, and carry on from
// the checkpoint with ArrivalsFrom.
func ExampleCheckpoint_Fold() {
	mug := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	po := func(id string) inventory.Reference {
		return inventory.Reference{Type: inventory.RefPurchaseOrder, ID: id}
	}
	due := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	ledger := []inventory.Entry{
		{Seq: 1, Key: mug, Kind: inventory.KindExpect, Ref: po("PO-1"), Due: due, Delta: inventory.Buckets{Incoming: 10}},
		{Seq: 2, Key: mug, Kind: inventory.KindExpect, Ref: po("PO-2"), Due: due, Delta: inventory.Buckets{Incoming: 5}},
		{Seq: 3, Key: mug, Kind: inventory.KindReceive, Ref: po("PO-2"), Delta: inventory.Buckets{OnHand: 2, Incoming: -2}},
	}
	var cp inventory.Checkpoint
	cp, err := cp.Fold(ledger[:2])
	if err != nil {
		fmt.Println(err)
		return
	}
	kept := ledger[2:]
	for _, a := range inventory.ArrivalsFrom(cp, kept) {
		fmt.Println(a.Ref.ID, a.Quantity)
	}
	_, err = cp.Fold(ledger[1:2]) // folded already
	fmt.Println(errors.Is(err, inventory.ErrInvalid))
	// Output:
	// PO-1 10
	// PO-2 3
	// true
}
