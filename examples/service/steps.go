package main

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
)

// Moving a reservation on: the steps after POST /v1/reservations.
//
// A reservation's held units are committed to an order when it is picked
// (POST /v1/reservations/commit), and its committed units are consumed
// when they ship (POST /v1/reservations/consume): they leave on hand.
// Held units no longer wanted are released (POST /v1/reservations/release),
// and a reservation whose order is cancelled is unreserved (POST
// /v1/reservations/unreserve): its held and committed units go back to
// available, which is how the committed units a cancellation leaves are
// put back once the warehouse has stopped the pick.
//
// Each is one inventory operation, applied all or nothing, and needs an
// Idempotency-Key: a commit or a consume retried without one would move
// the units twice. A retry with the key returns the first receipt (marked
// "replayed", with the Idempotent-Replayed header) and changes nothing.

// stepRequest is the body of the commit, consume and release routes: the
// parts of reservations to move, as inventory.Part has them
// ("reservation", "quantity" with 0 or none meaning every unit the step
// applies to, "line" on a commit, "serials" on a consume).
type stepRequest struct {
	// Order is the order the units move for. A commit re-points each
	// reservation it commits units of at the order (see inventory.Commit),
	// so that a cart hold becomes the order's, taking its part's "line";
	// the other steps record it in the ledger.
	Order fulfill.OrderID  `json:"order,omitzero"`
	Parts []inventory.Part `json:"parts"`
	// Reason is the ledger's reason code; empty means the step's default.
	Reason inventory.Reason `json:"reason,omitempty"`
}

// unreserveRequest is the body of the unreserve route: the reservations to
// cancel whole, as inventory.Unreserve takes them.
type unreserveRequest struct {
	// Order, if set, is recorded in the ledger as the reference.
	Order        fulfill.OrderID `json:"order,omitzero"`
	Reservations []string        `json:"reservations"`
	// Reason is the ledger's reason code; empty means "cancelled".
	Reason inventory.Reason `json:"reason,omitempty"`
}

// stepMeta returns the Meta of a step of the request's owner: its reason
// (or def), its order as the reference, and the request's Idempotency-Key,
// which must be set and not of the form kept for the service's releases.
func stepMeta(r *http.Request, order fulfill.OrderID, reason, def inventory.Reason) (inventory.Meta, error) {
	if idempotencyKey(r) == "" {
		return inventory.Meta{}, fmt.Errorf("%w: an Idempotency-Key is required: a retry without one would move the units again", errBadRequest)
	}
	if err := checkStockKey(r); err != nil {
		return inventory.Meta{}, err
	}
	if reason == "" {
		reason = def
	}
	m := inventory.Meta{Owner: ownerOf(r.Context()), Reason: reason, IdempotencyKey: idempotencyKey(r)}
	if !order.IsZero() {
		m.Ref = inventory.OrderRef(order)
	}
	return m, nil
}

// applyStep applies op and writes its receipt: 200 either way, a replay
// marked by the receipt's "replayed" and the Idempotent-Replayed header.
func (a *app) applyStep(w http.ResponseWriter, r *http.Request, op inventory.Operation) {
	rc, err := a.inventory.Apply(r.Context(), op)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if rc.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusOK, rc)
}

// stepRoutes registers the routes that move reservations on, and the one
// listing them.
func (a *app) stepRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/reservations", a.listReservations)
	mux.HandleFunc("POST /v1/reservations/commit", a.stepRoute(inventory.ReasonOrder,
		func(m inventory.Meta, parts []inventory.Part) inventory.Operation {
			return &inventory.Commit{Meta: m, Parts: parts}
		}))
	mux.HandleFunc("POST /v1/reservations/consume", a.stepRoute(inventory.ReasonShipped,
		func(m inventory.Meta, parts []inventory.Part) inventory.Operation {
			return &inventory.Consume{Meta: m, Parts: parts}
		}))
	mux.HandleFunc("POST /v1/reservations/release", a.stepRoute("",
		func(m inventory.Meta, parts []inventory.Part) inventory.Operation {
			return &inventory.Release{Meta: m, Parts: parts}
		}))
	mux.HandleFunc("POST /v1/reservations/unreserve", a.unreserveStock)
}

// stepRoute returns the handler of a commit, consume or release: it decodes
// a stepRequest and applies the operation build makes of it, with def as
// the reason when the request gives none.
func (a *app) stepRoute(def inventory.Reason, build func(m inventory.Meta, parts []inventory.Part) inventory.Operation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req stepRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, err)
			return
		}
		m, err := stepMeta(r, req.Order, req.Reason, def)
		if err != nil {
			writeError(w, r, err)
			return
		}
		a.applyStep(w, r, build(m, req.Parts))
	}
}

// unreserveStock cancels reservations whole: their held and committed
// units go back to available.
func (a *app) unreserveStock(w http.ResponseWriter, r *http.Request) {
	var req unreserveRequest
	if err := decode(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	m, err := stepMeta(r, req.Order, req.Reason, inventory.ReasonCancelled)
	if err != nil {
		writeError(w, r, err)
		return
	}
	a.applyStep(w, r, &inventory.Unreserve{Meta: m, Reservations: req.Reservations})
}

// listReservations lists the owner's reservations as seen now (the held
// units of a lapsed hold count as released), selected by the query:
// "order" (the reservations made for, or committed to, an order), "sku",
// "id", and "closed=true" to include those with nothing left held or
// committed. Without a filter it lists every live reservation.
func (a *app) listReservations(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := inventory.ReservationQuery{Owner: ownerOf(r.Context()), At: fulfill.Now(a.clock),
		ID: v.Get("id"), SKU: fulfill.SKU(v.Get("sku"))}
	if s := v.Get("order"); s != "" {
		id, err := fulfill.ParseOrderID(s)
		if err != nil {
			writeError(w, r, fmt.Errorf("%w: order %q: %v", errBadRequest, s, err))
			return
		}
		q.Ref = inventory.OrderRef(id)
	}
	if s := v.Get("closed"); s != "" {
		closed, err := strconv.ParseBool(s)
		if err != nil {
			writeError(w, r, fmt.Errorf("%w: closed %q is not true or false", errBadRequest, s))
			return
		}
		q.IncludeClosed = closed
	}
	rs, err := a.inventory.Reservations(r.Context(), q)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if rs == nil {
		rs = []inventory.Reservation{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"reservations": rs})
}
