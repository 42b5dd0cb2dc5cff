package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
)

// orderView is an order as the API shows it: its stored form, with its
// totals and what may happen next (and why not).
type orderView struct {
	order.Snapshot
	Totals  *order.Totals `json:"totals,omitempty"`
	Actions []actionView  `json:"actions"`
}

// actionView is one entry of order.AllowedActions.
type actionView struct {
	Command order.Command `json:"command"`
	Allowed bool          `json:"allowed"`
	Reason  string        `json:"reason,omitempty"`
}

func viewOrder(o *order.Order) orderView {
	v := orderView{Snapshot: o.Snapshot()}
	for _, act := range order.AllowedActions(o) {
		v.Actions = append(v.Actions, actionView{Command: act.Command, Allowed: act.Allowed, Reason: act.Reason})
	}
	if t, err := o.Totals(); err == nil {
		v.Totals = &t
	}
	return v
}

func (a *app) placeOrder(w http.ResponseWriter, r *http.Request) {
	var req order.PlaceRequest
	if err := decode(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	res, err := a.orders.Place(r.Context(), ownerOf(r.Context()), idempotencyKey(r), req)
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/orders/"+res.Order.ID().String())
	writeJSON(w, replayStatus(res.Replayed, http.StatusCreated), viewOrder(res.Order))
}

// orderID reads the {id} path value.
func orderID(r *http.Request) (fulfill.OrderID, error) {
	id, err := fulfill.ParseOrderID(r.PathValue("id"))
	if err != nil {
		return fulfill.OrderID{}, fmt.Errorf("%w: order %q", errNotFound, r.PathValue("id"))
	}
	return id, nil
}

func (a *app) getOrder(w http.ResponseWriter, r *http.Request) {
	id, err := orderID(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	o, err := a.orders.Store.Get(r.Context(), ownerOf(r.Context()), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewOrder(o))
}

// execute decodes a command of type R and runs it on the order in the path.
func execute[R order.Request](a *app, w http.ResponseWriter, r *http.Request) {
	id, err := orderID(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	var req R
	if err := decode(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	// A concurrent change to the same order is a conflict the service
	// resolves by running the command again on the new version.
	var res order.Result
	for range 3 {
		res, err = a.orders.Execute(r.Context(), ownerOf(r.Context()), id, idempotencyKey(r), req)
		if !errors.Is(err, order.ErrConflict) {
			break
		}
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Order  orderView     `json:"order"`
		Events []order.Event `json:"events"`
	}{viewOrder(res.Order), res.Events})
}

func (a *app) cancelOrder(w http.ResponseWriter, r *http.Request) {
	execute[order.CancelRequest](a, w, r)
}

func (a *app) holdOrder(w http.ResponseWriter, r *http.Request) {
	execute[order.HoldRequest](a, w, r)
}

func (a *app) releaseOrder(w http.ResponseWriter, r *http.Request) {
	execute[order.ReleaseRequest](a, w, r)
}

func (a *app) confirmOrder(w http.ResponseWriter, r *http.Request) {
	execute[order.ConfirmRequest](a, w, r)
}

func (a *app) allocateOrder(w http.ResponseWriter, r *http.Request) {
	execute[order.AllocateRequest](a, w, r)
}
