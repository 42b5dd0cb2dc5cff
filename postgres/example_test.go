package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/postgres"
	"github.com/fulfillkit/fulfill/ship"
)

// Wiring the stores into a service: connect, migrate (safe from every
// replica at start-up), and hand the stores to the domain packages.
func Example() {
	ctx := context.Background()
	db, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), &postgres.Options{MaxConns: 32})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	stock := postgres.NewInventoryStore(db, nil)
	inv := inventory.New(stock, nil)
	orders := &order.Service{Store: postgres.NewOrderStore(db)}
	returnStore := postgres.NewReturnStore(db)
	_, _, _ = inv, orders, returnStore
}

// A webhook handler routes each carrier event to its shipment; events
// delivered twice, or by two replicas at once, are applied once.
func ExampleShipStore() {
	ctx := context.Background()
	db, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	shipments := postgres.NewShipStore(db)
	body := []byte(`{"id":"evt_1","tracking_number":"1Z999","source":"easypost","status":"delivered","occurred_at":"2026-11-24T15:04:00Z"}`)
	e, err := ship.DecodeEvent(body)
	if err != nil {
		log.Fatal(err)
	}
	id, change, err := ship.IngestEvent(ctx, shipments, e)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id, change.From, "->", change.To)
}

// A SKU on promotion gets its level spread over sub-rows, so that
// concurrent reservations do not queue on one row.
func ExampleInventoryStore_Split() {
	ctx := context.Background()
	db, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	stock := postgres.NewInventoryStore(db, nil)
	k := inventory.Key{Owner: "acme", SKU: "TSHIRT-RED-M", Location: "WH1"}
	if err := stock.Split(ctx, k, 16); err != nil {
		log.Fatal(err)
	}
	// Or split every level of the hot SKUs when it is created.
	hot := map[fulfill.SKU]bool{"TSHIRT-RED-M": true}
	stock = postgres.NewInventoryStore(db, &postgres.InventoryOptions{Shards: func(k inventory.Key) int {
		if hot[k.SKU] {
			return 16
		}
		return 1
	}})
	_ = stock
}

func ExampleSchemaVersion() {
	fmt.Println("schema version", postgres.SchemaVersion())
	// Output: schema version 10
}

// A retention job run by one replica now and then: it drops the ledger
// entries the outbox relay has published, and the closed reservations and
// idempotency records older than the 24 hours the service promises
// retries for. The store deletes in batches, beside the running
// operations.
func ExampleInventoryStore_Prune() {
	ctx := context.Background()
	db, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	stock := postgres.NewInventoryStore(db, nil)
	var published int64 // the relay's position, which the host keeps
	if _, err := stock.TrimLedger(ctx, "acme", published); err != nil {
		log.Fatal(err)
	}
	p, err := stock.Prune(ctx, "acme", time.Now().Add(-24*time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("pruned %d reservations and %d idempotency records", p.Reservations, p.IdempotencyKeys)
}
