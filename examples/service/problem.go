package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/returns"
	"github.com/fulfillkit/fulfill/ship"
)

// problem is an RFC 9457 problem document, with the domain error's kind.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Kind is the domain error's kind, such as "insufficient_stock", so
	// that clients branch on it rather than on the text.
	Kind string `json:"kind"`
}

// errorKinds maps the domain packages' sentinels to an HTTP status and a
// stable kind name. The first match wins.
var errorKinds = []struct {
	err    error
	status int
	kind   string
}{
	{errIncomplete, http.StatusServiceUnavailable, "incomplete"},
	{errBadRequest, http.StatusBadRequest, "invalid_request"},
	{errNotFound, http.StatusNotFound, "not_found"},
	{order.ErrNotFound, http.StatusNotFound, "not_found"},
	{inventory.ErrNotFound, http.StatusNotFound, "not_found"},
	{order.ErrInvalidTransition, http.StatusConflict, "invalid_transition"},
	{order.ErrConflict, http.StatusConflict, "conflict"},
	{inventory.ErrConflict, http.StatusConflict, "conflict"},
	{order.ErrAlreadyExists, http.StatusConflict, "already_exists"},
	{inventory.ErrInsufficientStock, http.StatusConflict, "insufficient_stock"},
	{order.ErrIdempotencyConflict, http.StatusUnprocessableEntity, "idempotency_conflict"},
	{inventory.ErrIdempotencyConflict, http.StatusUnprocessableEntity, "idempotency_conflict"},
	{order.ErrQuantity, http.StatusUnprocessableEntity, "invalid_quantity"},
	{order.ErrUnknownReference, http.StatusUnprocessableEntity, "unknown_reference"},
	{order.ErrInvalidOrder, http.StatusBadRequest, "invalid_order"},
	{inventory.ErrInvalid, http.StatusBadRequest, "invalid_operation"},
	{inventory.ErrExpired, http.StatusConflict, "expired"},
	{inventory.ErrOwnerMismatch, http.StatusForbidden, "owner_mismatch"},
	{returns.ErrNotFound, http.StatusNotFound, "not_found"},
	{ship.ErrNotFound, http.StatusNotFound, "not_found"},
	{returns.ErrInvalidTransition, http.StatusConflict, "invalid_transition"},
	{returns.ErrConflict, http.StatusConflict, "conflict"},
	{returns.ErrAlreadyExists, http.StatusConflict, "already_exists"},
	{returns.ErrQuantity, http.StatusUnprocessableEntity, "invalid_quantity"},
	{returns.ErrRefundLimit, http.StatusUnprocessableEntity, "refund_limit"},
	{returns.ErrIdempotencyConflict, http.StatusUnprocessableEntity, "idempotency_conflict"},
	{returns.ErrInvalidReturn, http.StatusBadRequest, "invalid_return"},
	{ship.ErrConflict, http.StatusConflict, "conflict"},
	{ship.ErrInvalidShipment, http.StatusBadRequest, "invalid_shipment"},
	{ship.ErrInvalidEvent, http.StatusBadRequest, "invalid_event"},
	{ship.ErrEventConflict, http.StatusConflict, "event_conflict"},
	{carrier.ErrInvalidRequest, http.StatusBadRequest, "invalid_rate_request"},
	{fulfill.ErrInvalidAddress, http.StatusBadRequest, "invalid_address"},
	{fulfill.ErrInvalidCode, http.StatusBadRequest, "invalid_code"},
	{fulfill.ErrInvalidMoney, http.StatusBadRequest, "invalid_money"},
	{fulfill.ErrCurrencyMismatch, http.StatusBadRequest, "currency_mismatch"},
	{fulfill.ErrUnknownCurrency, http.StatusBadRequest, "unknown_currency"},
	{fulfill.ErrSyntax, http.StatusBadRequest, "invalid_syntax"},
	{fulfill.ErrOverflow, http.StatusBadRequest, "overflow"},
	{context.DeadlineExceeded, http.StatusGatewayTimeout, "timeout"},
}

var (
	// errBadRequest marks malformed requests found by the service itself.
	errBadRequest = errors.New("invalid request")
	// errNotFound marks unknown resources found by the service itself.
	errNotFound = errors.New("not found")
	// errIncomplete marks a request that wrote to one store and then
	// failed to write to the next: what it wrote is kept, and a retry
	// (with the same Idempotency-Key or none) completes it. It comes
	// first in errorKinds, so that the failure it wraps does not decide
	// the status: the reply is a 503, which the Idempotency-Key's cache
	// does not keep.
	errIncomplete = errors.New("request incomplete")
)

// incomplete wraps err, a failure after the request's first write, in
// errIncomplete.
func incomplete(err error) error {
	return fmt.Errorf("%w, retry to complete it: %w", errIncomplete, err)
}

// problemFor turns an error into a problem document. Unknown errors are
// internal: their text is logged, not shown.
func problemFor(err error) problem {
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return problem{Status: k.status, Title: http.StatusText(k.status), Detail: err.Error(), Kind: k.kind}
		}
	}
	return problem{Status: http.StatusInternalServerError, Title: "internal error", Kind: "internal"}
}

// writeError writes err as a problem document and logs server-side failures.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	if p.Status >= 500 {
		loggerOf(r.Context()).ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeProblem(w, r, p)
}

func writeProblem(w http.ResponseWriter, r *http.Request, p problem) {
	if p.Type == "" {
		p.Type = "/problems/" + p.Kind // a relative URI reference, as RFC 9457 allows
	}
	p.Instance = r.URL.Path
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON writes v with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type loggerKey struct{}

// loggerOf returns the service's logger carried by ctx, or the default one.
func loggerOf(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
