package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
)

// receiveRequest puts units on hand.
type receiveRequest struct {
	SKU      fulfill.SKU        `json:"sku"`
	Location fulfill.LocationID `json:"location"`
	Quantity int64              `json:"quantity"`
	Reason   inventory.Reason   `json:"reason,omitempty"`
}

func (a *app) receiveStock(w http.ResponseWriter, r *http.Request) {
	var req receiveRequest
	if err := decode(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if err := checkStockKey(r); err != nil {
		writeError(w, r, err)
		return
	}
	owner := ownerOf(r.Context())
	rc, err := a.inventory.Apply(r.Context(), &inventory.Receive{
		Meta:     inventory.Meta{Owner: owner, Reason: req.Reason, IdempotencyKey: idempotencyKey(r)},
		Key:      inventory.Key{Owner: owner, SKU: req.SKU, Location: req.Location},
		Quantity: req.Quantity,
	})
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, replayStatus(rc.Replayed, http.StatusCreated), rc)
}

// levelView is a stock level with its available quantity spelled out.
type levelView struct {
	inventory.Level
	Available int64 `json:"available"`
}

func (a *app) getStock(w http.ResponseWriter, r *http.Request) {
	q := inventory.LevelQuery{Owner: ownerOf(r.Context()), At: fulfill.Now(a.clock)}
	for _, s := range r.URL.Query()["sku"] {
		q.SKUs = append(q.SKUs, fulfill.SKU(s))
	}
	for _, l := range r.URL.Query()["location"] {
		q.Locations = append(q.Locations, fulfill.LocationID(l))
	}
	levels, err := a.inventory.Levels(r.Context(), q)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := make([]levelView, len(levels))
	for i, l := range levels {
		out[i] = levelView{Level: l, Available: l.Available()}
	}
	writeJSON(w, http.StatusOK, map[string]any{"levels": out})
}

// reserveRequest holds stock for an order or a cart, all lines or none.
//
// With an order, the reservations reference it (inventory.OrderRef), and
// each line should name the order line it holds stock for in "line": the
// order line's ID in decimal, as the order shows it ("1", "2", ...).
// Cancelling the order gives the held units back (see cancelOrder):
// cancelling some units of a line releases only that line's reservations,
// so a reservation without a line, or with another text, is released only
// once the whole order is cancelled, expired or closed.
type reserveRequest struct {
	Order fulfill.OrderID `json:"order,omitzero"`
	Lines []struct {
		SKU      fulfill.SKU        `json:"sku"`
		Location fulfill.LocationID `json:"location"`
		Quantity int64              `json:"quantity"`
		// Line is the order line's ID ("1", "2", ...) for a reservation
		// made for an order; for a cart, any reference of the host's.
		Line string `json:"line,omitempty"`
	} `json:"lines"`
	// TTLSeconds makes the holds lapse, as for a cart; 0 means they last.
	TTLSeconds int64 `json:"ttl_seconds,omitempty"`
}

func (a *app) reserveStock(w http.ResponseWriter, r *http.Request) {
	var req reserveRequest
	if err := decode(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if err := checkStockKey(r); err != nil {
		writeError(w, r, err)
		return
	}
	owner := ownerOf(r.Context())
	op := &inventory.Reserve{
		Meta: inventory.Meta{Owner: owner, Reason: inventory.ReasonCart, IdempotencyKey: idempotencyKey(r)},
		TTL:  time.Duration(req.TTLSeconds) * time.Second,
	}
	if req.TTLSeconds < 0 || req.TTLSeconds > 366*24*3600 {
		writeError(w, r, fmt.Errorf("%w: ttl_seconds %d is outside 0 to a year", errBadRequest, req.TTLSeconds))
		return
	}
	if !req.Order.IsZero() {
		op.Reason, op.Ref = inventory.ReasonOrder, inventory.OrderRef(req.Order)
	}
	for _, l := range req.Lines {
		op.Lines = append(op.Lines, inventory.ReserveLine{
			Key:      inventory.Key{Owner: owner, SKU: l.SKU, Location: l.Location},
			Quantity: l.Quantity,
			Line:     l.Line,
		})
	}
	rc, err := a.inventory.Apply(r.Context(), op)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, replayStatus(rc.Replayed, http.StatusCreated), rc)
}

// checkStockKey refuses an Idempotency-Key of the form the service keeps
// for the releases it makes when orders are cancelled: a stock operation
// recorded under one would make that release look done.
func checkStockKey(r *http.Request) error {
	if key := idempotencyKey(r); isStockKey(key) {
		return fmt.Errorf("%w: Idempotency-Key %q: the prefix %q is reserved", errBadRequest, key, stockKeyPrefix)
	}
	return nil
}
