package order_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

// setupBench places, confirms and allocates an order through a Service
// over store, and returns the Service and the order ID.
func setupBench(b *testing.B, store order.Store) (*order.Service, fulfill.OrderID) {
	ctx := context.Background()
	svc := &order.Service{Store: store, Clock: fulfill.NewFakeClock(exampleNow), Random: rand.NewChaCha8([32]byte{7})}
	res, err := svc.Place(ctx, "acme", "", exampleReq)
	if err != nil {
		b.Fatal(err)
	}
	id := res.Order.ID()
	for _, r := range []order.Request{
		order.ConfirmRequest{},
		order.AllocateRequest{Location: "WH1", Lines: []order.LineQuantity{{Line: 1, Quantity: 3}, {Line: 2, Quantity: 1}}},
	} {
		if _, err := svc.Execute(ctx, "acme", id, "", r); err != nil {
			b.Fatal(err)
		}
	}
	return svc, id
}

var (
	benchHold    = order.HoldRequest{Holds: []order.Hold{{ID: "h", Kind: order.HoldCustomerRequest, Source: "bench"}}}
	benchRelease = order.ReleaseRequest{Holds: []string{"h"}}
)

// benchCommands runs hold and release alternately on one allocated order
// through a Service over store, and reports commands per second.
func benchCommands(b *testing.B, store order.Store) {
	ctx := context.Background()
	svc, id := setupBench(b, store)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var r order.Request = benchHold
		if i%2 == 1 {
			r = benchRelease
		}
		i++
		if _, err := svc.Execute(ctx, "acme", id, "", r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}

// BenchmarkServiceCommandRatio interleaves the same command on the
// in-memory store and on the JSON baseline in every iteration, so that both
// see the same machine load, and reports how many times slower the baseline
// is.
func BenchmarkServiceCommandRatio(b *testing.B) {
	ctx := context.Background()
	mem, memID := setupBench(b, new(order.MemStore))
	js, jsID := setupBench(b, newJSONStore())
	var memTime, jsTime time.Duration
	i := 0
	for b.Loop() {
		var r order.Request = benchHold
		if i%2 == 1 {
			r = benchRelease
		}
		i++
		start := time.Now()
		if _, err := mem.Execute(ctx, "acme", memID, "", r); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := js.Execute(ctx, "acme", jsID, "", r); err != nil {
			b.Fatal(err)
		}
		memTime += mid.Sub(start)
		jsTime += time.Since(mid)
	}
	b.ReportMetric(float64(jsTime)/float64(memTime), "baseline/mem")
	b.ReportMetric(float64(b.N)/memTime.Seconds(), "mem-cmds/s")
	b.ReportMetric(float64(b.N)/jsTime.Seconds(), "baseline-cmds/s")
}

// BenchmarkServiceCommand measures one command through the Service: load,
// check the table, decide, apply to a copy, check invariants, save. The
// baseline is a naive store that keeps JSON and restores on every read.
func BenchmarkServiceCommand(b *testing.B) {
	b.Run("store=mem", func(b *testing.B) { benchCommands(b, new(order.MemStore)) })
	b.Run("store=json-baseline", func(b *testing.B) { benchCommands(b, newJSONStore()) })
}

// BenchmarkOrderExecute measures a command on the aggregate alone, without
// a store.
func BenchmarkOrderExecute(b *testing.B) {
	o, _, err := order.Place(fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8057"), "acme", exampleNow, exampleReq)
	if err != nil {
		b.Fatal(err)
	}
	hold := order.HoldRequest{Holds: []order.Hold{{ID: "h", Kind: order.HoldCustomerRequest, Source: "bench"}}}
	release := order.ReleaseRequest{Holds: []string{"h"}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var r order.Request = hold
		if i%2 == 1 {
			r = release
		}
		i++
		if _, err := o.Execute(exampleNow, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}
