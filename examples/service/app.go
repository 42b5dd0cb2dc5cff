package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/returns"
	"github.com/fulfillkit/fulfill/ship"
)

// app holds the library's services as the HTTP handlers use them. Every
// handler acts for the owner its API key maps to, and for no other.
type app struct {
	orders       *order.Service
	inventory    *inventory.Inventory
	shopper      *carrier.Shopper
	shipments    ship.Store
	returns      returns.Store
	returnPolicy returns.Policy
	idem         *responseCache
	keys         *keyring
	clock        fulfill.Clock
	log          *slog.Logger
	// retention is how long housekeeping keeps the records of finished
	// work, Idempotency-Key records included; 0 keeps them all.
	retention time.Duration
	// expirePage is the page size housekeeping expires orders by; 0
	// means expirePage.
	expirePage int
	// reconcilePage is how many orders holding stock housekeeping looks
	// at per owner and pass; 0 means reconcilePage.
	reconcilePage int
	// stock is where housekeeping's reconciliation of cancelled orders'
	// stock goes on from.
	stock stockCursor
}

// maxBody bounds every request body.
const maxBody = 1 << 20

// routes returns the service's handler: every /v1 route needs an API key.
func (a *app) routes() http.Handler {
	v1 := http.NewServeMux()
	v1.HandleFunc("POST /v1/orders", a.placeOrder)
	v1.HandleFunc("GET /v1/orders/{id}", a.getOrder)
	v1.HandleFunc("POST /v1/orders/{id}/cancel", a.cancelOrder)
	v1.HandleFunc("POST /v1/orders/{id}/holds", a.holdOrder)
	v1.HandleFunc("POST /v1/orders/{id}/release", a.releaseOrder)
	v1.HandleFunc("POST /v1/orders/{id}/confirm", a.confirmOrder)
	v1.HandleFunc("POST /v1/orders/{id}/allocate", a.allocateOrder)
	v1.HandleFunc("POST /v1/stock/receive", a.receiveStock)
	v1.HandleFunc("GET /v1/stock", a.getStock)
	v1.HandleFunc("POST /v1/reservations", a.reserveStock)
	a.stepRoutes(v1)
	a.extraRoutes(v1)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("/v1/", a.keys.authenticate(v1))
	return a.logRequests(mux)
}

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// logRequests writes one structured log line per request.
func (a *app) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), loggerKey{}, a.log)))
		a.log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration", time.Since(start))
	})
}

// decode reads a JSON request body into v strictly: unknown fields, trailing
// data and bodies over maxBody are errors that name the problem.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return fmt.Errorf("%w: reading the body: %v", errBadRequest, err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if te, ok := err.(*json.UnmarshalTypeError); ok {
			return fmt.Errorf("%w: field %q: want %s", errBadRequest, te.Field, te.Type)
		}
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: unexpected data after the JSON body", errBadRequest)
	}
	return nil
}

// idempotencyKey returns the request's Idempotency-Key header.
func idempotencyKey(r *http.Request) string { return r.Header.Get("Idempotency-Key") }

// replayStatus is 200 for a replayed request and created otherwise, so a
// client can tell a retry from a first success.
func replayStatus(replayed bool, created int) int {
	if replayed {
		return http.StatusOK
	}
	return created
}
