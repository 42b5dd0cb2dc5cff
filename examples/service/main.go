// Command service is an HTTP JSON service over the fulfill library, a
// starting point for a platform team: orders, stock and reservations, rates,
// shipments and tracking webhooks, and returns, each scoped to the owner
// (merchant or 3PL client) that the request's API key maps to.
//
// It keeps everything in memory by default; given a PostgreSQL connection
// string (-db or FULFILL_DATABASE_URL) it keeps orders, stock, shipments and
// returns there, so that several instances can serve one database. The
// replies kept for the Idempotency-Key of the rates, shipments, webhook and
// returns routes stay in each instance's memory in this example (the orders
// and stock routes keep theirs in the database, with the data).
//
//	go run ./examples/service -addr :8080 -keys "secret1=acme,secret2=globex"
//
// Every POST honours an Idempotency-Key header (the routes that move a
// reservation on require one); errors are RFC 9457 problem documents
// carrying the domain error's kind.
//
// # Replies
//
// A success is 200, or 201 for what a first POST creates (an order, a
// receipt, reservations, a shipment, a return; its replay is 200 on the
// order and stock routes). An error is a problem document
// (application/problem+json with "type", "title", "status", "detail",
// "instance" and "kind"), changes nothing, and is one of: 400 for a
// request that is malformed or invalid, 401 without a known API key, 404
// for an order, shipment, return or reservation the owner does not have,
// 409 for a state that refuses the request (an invalid transition,
// insufficient stock, an ID taken), and 422 for an Idempotency-Key reused
// with another request or a quantity a command cannot take. A 5xx means
// the service or its stores failed (504: a deadline passed); such a
// request may be retried with its Idempotency-Key.
//
// The orders, shipments and returns are separate stores, so a request
// that writes two of them writes one, then the other, and a 503 (kind
// "incomplete") says that the first write is kept and the second failed.
// A retry, with the same Idempotency-Key or none, completes it:
//
//   - POST /v1/shipments with a fulfillment writes the order first (a
//     concurrent change to it is met with a fresh read; an order that
//     refuses the shipment leaves nothing stored), then stores the
//     shipment, whose ID and tracking numbers are checked free before the
//     order is written. If that store fails, a retry finds the shipment
//     recorded on the order and stores it.
//   - A tracking webhook stores every event first, then records each
//     delivered shipment on its order; its retry meets the events as
//     duplicates and records the deliveries still missing.
//   - POST /v1/returns/{id}/cancel saves the return cancelled first, then
//     records the withdrawal on the order; within -retention, a retry
//     finds the return cancelled and records the withdrawal once.
//
// # Stock and reservations
//
//   - POST /v1/stock/receive puts units on hand; GET /v1/stock?sku=&location=
//     lists the owner's levels with their available units.
//   - POST /v1/reservations holds stock for an order ("order", each line's
//     "line" naming the order line) or for a cart ("ttl_seconds" makes the
//     holds lapse), all lines or none.
//   - GET /v1/reservations?order=ID lists the reservations made for, or
//     committed to, an order ("sku" and "id" select too; "closed=true"
//     includes those with nothing left held or committed).
//   - POST /v1/reservations/commit commits held units: they are being
//     picked and never lapse. With "order", each reservation committed is
//     re-pointed at the order, taking its part's "line", so that a cart
//     hold becomes the order's.
//   - POST /v1/reservations/consume ships committed units: they leave on
//     hand.
//   - POST /v1/reservations/release gives held units back to available.
//   - POST /v1/reservations/unreserve cancels reservations whole: their
//     held and committed units go back to available.
//
// The four steps take {"parts": [{"reservation": ID, "quantity": N,
// "line": L}], "order": ID} (unreserve takes {"reservations": [ID, ...]});
// a part without a quantity moves every unit its step applies to. Each is
// applied all or nothing and needs an Idempotency-Key: a retry returns the
// first receipt, marked "replayed", and changes nothing.
//
// # Cancelled orders give their stock back
//
// Stock reserved for an order (POST /v1/reservations with "order", each
// line naming the order line it holds stock for in "line": the line's ID,
// "1", "2", ...) is given back when the order is cancelled or expires:
//
//   - POST /v1/orders/{id}/cancel releases, right after the order is
//     saved, the held units of the order's reservations that the
//     cancellation frees: all of them when the whole order is cancelled
//     (or nothing is left of it), and for a partial cancel those of the
//     cancelled lines' reservations, up to the units cancelled and never
//     any that a line still needs for its units not shipped. The reply
//     says under "stock" how many units it released.
//   - Committed units are never released: they are being picked. They
//     stay committed, and the reply counts those the order no longer
//     needs ("committed"), so that the warehouse stops the pick and puts
//     them back: POST /v1/reservations/unreserve of the order's
//     reservations (GET /v1/reservations?order=ID lists them) then
//     returns them to available.
//   - Each release carries an idempotency key derived from the order and
//     the version of its cancelling event, so a cancel retried with its
//     Idempotency-Key, or run by another instance, never releases twice.
//     Keys starting with "order-stock:" are therefore refused on the stock
//     routes.
//   - If the release fails after the order was saved (the reply says
//     "pending"), a retry with the same Idempotency-Key releases the
//     units. Housekeeping repairs the rest: each pass releases the held
//     stock left on reservations made for cancelled or closed orders, so a
//     whole cancel or an expiry is repaired even if the process died
//     between the two writes. The held units a partial cancel frees are
//     repaired by the retry, or once the order is cancelled or closed.
//
// This assumes that units leave a reservation when they ship (committed,
// then consumed): the held units of a cancelled or closed order are taken
// to be on the shelf. Stock held with a TTL (carts) lapses on its own.
//
// # Housekeeping
//
// Every -sweep-every (a minute by default; 0 turns it off) the service runs
// a housekeeping pass for the owner of each API key: it collects the
// inventory holds whose TTL has lapsed, expires the orders placed with a
// TTL that passed unconfirmed and gives their held stock back, releases
// the held stock left for cancelled or closed orders (looking at up to 100
// of the orders stock is held for per owner and pass, in turn; a pass
// reads the owner's live reservations once), and drops what is kept of
// work finished more than -retention ago (24 hours by default; 0 keeps
// everything): the stock's closed reservations, ledger entries and
// Idempotency-Key records, the orders' events and Idempotency-Key records
// (orders themselves are kept), in memory and in PostgreSQL alike, and the
// replies kept for the Idempotency-Key of the rates, shipments, webhook and
// returns routes. A retry is therefore recognised for -retention; after
// that it is served as a new request. (A cancel replayed after
// -retention finds its release forgotten and plans it again: it may then
// give back units held beyond what the line needs, never any it needs.)
// Errors are logged and the next pass runs as planned; a pass under way
// stops at shutdown.
//
// Flags:
//
//	-addr ADDR          address to listen on (127.0.0.1:8080)
//	-keys K=O,K=O       API keys and the owner each acts for ($FULFILL_API_KEYS)
//	-db URL             PostgreSQL connection string ($FULFILL_DATABASE_URL); empty keeps everything in memory
//	-cards DIR          folder of rate card JSON files; empty means the demo card
//	-sweep-every D      time between housekeeping passes (1m); 0 disables housekeeping
//	-retention D        how long finished work and Idempotency-Key records are kept (24h); 0 keeps them all
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/postgres"
	"github.com/fulfillkit/fulfill/returns"
	"github.com/fulfillkit/fulfill/ship"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(1)
	}
}

// config is what the command line and environment decide.
type config struct {
	addr  string
	db    string
	keys  string
	cards string
	// sweepEvery is the time between housekeeping passes; 0 disables them.
	sweepEvery time.Duration
	// retention is how long housekeeping keeps finished work; 0 keeps it.
	retention time.Duration
}

func run(args []string) error {
	fs := flag.NewFlagSet("service", flag.ContinueOnError)
	var cfg config
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&cfg.db, "db", os.Getenv("FULFILL_DATABASE_URL"), "PostgreSQL connection string; empty keeps everything in memory (default $FULFILL_DATABASE_URL)")
	fs.StringVar(&cfg.cards, "cards", "", "folder of rate card JSON files to quote with; empty means the demo card")
	fs.StringVar(&cfg.keys, "keys", os.Getenv("FULFILL_API_KEYS"), "API keys as key=owner,key=owner (default $FULFILL_API_KEYS)")
	fs.DurationVar(&cfg.sweepEvery, "sweep-every", time.Minute, "time between housekeeping passes (collect lapsed holds, expire orders past their TTL, prune); 0 disables housekeeping")
	fs.DurationVar(&cfg.retention, "retention", 24*time.Hour, "how long housekeeping keeps finished work and Idempotency-Key records, so how long a retry is recognised; 0 keeps them all")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.sweepEvery < 0 {
		return fmt.Errorf("-sweep-every %s is negative", cfg.sweepEvery)
	}
	if cfg.retention < 0 {
		return fmt.Errorf("-retention %s is negative", cfg.retention)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if cfg.keys == "" {
		cfg.keys = "dev-key=dev"
		log.Warn("no API keys configured: accepting the development key \"dev-key\" for owner \"dev\"")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, closeStores, err := newApp(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer closeStores()

	srv := &http.Server{
		Handler:           a.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String(), "postgres", cfg.db != "",
		"sweep_every", cfg.sweepEvery, "retention", cfg.retention)
	return serve(ctx, srv, ln, log, func(ctx context.Context) { a.keepHouse(ctx, cfg.sweepEvery) })
}

// serve runs srv on ln, and each of jobs in its own goroutine, until ctx
// is done, then shuts down gracefully: it stops accepting connections and
// lets the requests in flight finish. The jobs' context is cancelled when
// serve stops, for whatever reason, and serve returns only once every job
// has returned.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger, jobs ...func(context.Context)) error {
	jobCtx, stopJobs := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Go(func() { job(jobCtx) })
	}
	defer wg.Wait()
	defer stopJobs() // runs before the Wait above

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newApp wires the library's services over in-memory stores, or over
// PostgreSQL when cfg.db is set. clock nil means the system clock. The
// returned func releases the stores.
func newApp(ctx context.Context, cfg config, log *slog.Logger, clock fulfill.Clock) (*app, func(), error) {
	keys, err := parseKeys(cfg.keys)
	if err != nil {
		return nil, nil, err
	}
	var (
		orderStore  order.Store
		stockStore  inventory.Store
		shipStore   ship.Store
		returnStore returns.Store
		closeFn     = func() {}
	)
	if cfg.db == "" {
		orderStore, stockStore = new(order.MemStore), inventory.NewMemStore()
		shipStore, returnStore = new(ship.MemStore), new(returns.MemStore)
	} else {
		db, err := postgres.Open(ctx, cfg.db, nil)
		if err != nil {
			return nil, nil, err
		}
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, nil, err
		}
		orderStore, stockStore = postgres.NewOrderStore(db), postgres.NewInventoryStore(db, nil)
		shipStore, returnStore = postgres.NewShipStore(db), postgres.NewReturnStore(db)
		closeFn = db.Close
	}
	a := &app{
		orders:    &order.Service{Store: orderStore, Clock: clock},
		inventory: inventory.New(stockStore, &inventory.Options{Clock: clock}),
		shipments: shipStore,
		returns:   returnStore,
		keys:      keys,
		clock:     clock,
		log:       log,
		retention: cfg.retention,
	}
	if err := a.initExtras(cfg.cards); err != nil {
		closeFn()
		return nil, nil, err
	}
	return a, closeFn, nil
}
