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
// Every POST honours an Idempotency-Key header; errors are RFC 9457 problem
// documents carrying the domain error's kind.
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
}

func run(args []string) error {
	fs := flag.NewFlagSet("service", flag.ContinueOnError)
	var cfg config
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&cfg.db, "db", os.Getenv("FULFILL_DATABASE_URL"), "PostgreSQL connection string; empty keeps everything in memory (default $FULFILL_DATABASE_URL)")
	fs.StringVar(&cfg.cards, "cards", "", "folder of rate card JSON files to quote with; empty means the demo card")
	fs.StringVar(&cfg.keys, "keys", os.Getenv("FULFILL_API_KEYS"), "API keys as key=owner,key=owner (default $FULFILL_API_KEYS)")
	if err := fs.Parse(args); err != nil {
		return err
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
	log.Info("listening", "addr", ln.Addr().String(), "postgres", cfg.db != "")
	return serve(ctx, srv, ln, log)
}

// serve runs srv on ln until ctx is done, then shuts down gracefully: it
// stops accepting connections and lets the requests in flight finish.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) error {
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
	}
	if err := a.initExtras(cfg.cards); err != nil {
		closeFn()
		return nil, nil, err
	}
	return a, closeFn, nil
}
