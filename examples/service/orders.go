package main

import (
	"context"
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

// command decodes a command of type R and runs it on the order in the path.
// It writes the error and returns false if the command failed.
func command[R order.Request](a *app, w http.ResponseWriter, r *http.Request) (order.Result, bool) {
	id, err := orderID(r)
	if err != nil {
		writeError(w, r, err)
		return order.Result{}, false
	}
	var req R
	if err := decode(r, &req); err != nil {
		writeError(w, r, err)
		return order.Result{}, false
	}
	res, err := a.executeRetrying(r.Context(), ownerOf(r.Context()), id, idempotencyKey(r), req)
	if err != nil {
		writeError(w, r, err)
		return order.Result{}, false
	}
	return res, true
}

// orderAttempts is how many times executeRetrying runs a command.
const orderAttempts = 3

// executeRetrying runs req on order id through a.orders.Execute, and runs
// it again on a fresh read of the order, orderAttempts times in all, while
// it fails with order.ErrConflict: a concurrent change to the same order
// is a conflict the service resolves by running the command again on the
// new version. The key makes every attempt after a successful one a replay.
func (a *app) executeRetrying(ctx context.Context, owner fulfill.OwnerID, id fulfill.OrderID, key string, req order.Request) (order.Result, error) {
	var (
		res order.Result
		err error
	)
	for range orderAttempts {
		res, err = a.orders.Execute(ctx, owner, id, key, req)
		if !errors.Is(err, order.ErrConflict) {
			break
		}
	}
	return res, err
}

// commandView is the reply to a command: the order after it, the events it
// produced and, for a cancellation, the stock it gave back.
type commandView struct {
	Order  orderView     `json:"order"`
	Events []order.Event `json:"events"`
	Stock  *stockReturn  `json:"stock,omitempty"`
}

// execute decodes a command of type R, runs it on the order in the path
// and writes the result.
func execute[R order.Request](a *app, w http.ResponseWriter, r *http.Request) {
	if res, ok := command[R](a, w, r); ok {
		writeJSON(w, http.StatusOK, commandView{Order: viewOrder(res.Order), Events: res.Events})
	}
}

// cancelOrder cancels the whole order, or the units of some lines, then
// gives back the held stock of the order's reservations that the
// cancellation frees (see release.go): all of it for a whole cancellation,
// and for a partial one the held units of the cancelled lines' reservations
// (those whose "line" is the order line's ID), up to the units cancelled
// and never any the line still needs. Committed units stay committed; the
// reply counts those the cancellation freed under "stock". If the release
// fails, the order stays cancelled, the reply says "pending", a retry with
// the same Idempotency-Key releases the units once, and housekeeping
// releases those of an order left cancelled.
func (a *app) cancelOrder(w http.ResponseWriter, r *http.Request) {
	res, ok := command[order.CancelRequest](a, w, r)
	if !ok {
		return
	}
	// The order is saved: give the stock back even if the client has gone.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), releaseTimeout)
	defer cancel()
	stock, err := a.releaseCancelled(ctx, ownerOf(r.Context()), res)
	if err != nil {
		loggerOf(r.Context()).ErrorContext(r.Context(), "cancel: stock release pending", "order", res.Order.ID(), "err", err)
	}
	writeJSON(w, http.StatusOK, commandView{Order: viewOrder(res.Order), Events: res.Events, Stock: &stock})
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
