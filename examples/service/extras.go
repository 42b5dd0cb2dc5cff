package main

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/returns"
	"github.com/fulfillkit/fulfill/ship"
)

// demoCards is the rate card the service quotes with when no -cards folder
// is given.
//
//go:embed cards/*.json
var demoCards embed.FS

// extraRoutes registers the rates, shipments, tracking and returns routes.
func (a *app) extraRoutes(mux *http.ServeMux) {
	mux.Handle("POST /v1/rates", a.idem.wrap(http.HandlerFunc(a.rates)))
	mux.Handle("POST /v1/shipments", a.idem.wrap(http.HandlerFunc(a.createShipment)))
	mux.HandleFunc("GET /v1/shipments/{id}", a.getShipment)
	mux.Handle("POST /v1/webhooks/tracking/{source}", a.idem.wrap(http.HandlerFunc(a.trackingWebhook)))
	mux.Handle("POST /v1/returns", a.idem.wrap(http.HandlerFunc(a.requestReturn)))
	mux.HandleFunc("GET /v1/returns/{id}", a.getReturn)
	mux.Handle("POST /v1/returns/{id}/cancel", a.idem.wrap(http.HandlerFunc(a.cancelReturn)))
}

// initExtras loads the rate cards (from dir, or the demo card) and sets up
// the return policy and the replies kept for idempotency keys.
func (a *app) initExtras(dir string) error {
	var files fs.FS = demoCards
	pattern := "cards/*.json"
	if dir != "" {
		files, pattern = os.DirFS(dir), "*.json"
	}
	names, err := fs.Glob(files, pattern)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("no rate cards (*.json) in %s", dir)
	}
	var carriers []carrier.Carrier
	for _, name := range names {
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		card, err := carrier.ParseRateCard(data)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(name), err)
		}
		t, err := carrier.NewTariff(card)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(name), err)
		}
		carriers = append(carriers, t)
	}
	a.shopper = carrier.NewShopper(carriers...)
	a.shopper.Clock = a.clock
	a.returnPolicy = returns.Policy{Rules: []returns.Rule{
		returns.Window{Period: 30 * 24 * time.Hour, ByReason: map[returns.Reason]time.Duration{returns.ReasonDefective: 365 * 24 * time.Hour}},
		returns.AutoApproveLimit{Max: fulfill.MustMoney("200.00", "USD")},
	}}
	a.idem = newResponseCache(a.clock)
	return nil
}

// ratesRequest is a shipment to quote, with how to choose among the quotes.
type ratesRequest struct {
	carrier.Request
	// Policy is "cheapest" (the default) or "fastest".
	Policy string `json:"policy,omitempty"`
}

// ratesResponse carries every quote, the chosen one, and one error per
// carrier that failed: partial results, never all or nothing.
type ratesResponse struct {
	Quotes []carrier.Quote `json:"quotes"`
	Chosen *carrier.Quote  `json:"chosen,omitempty"`
	Errors []string        `json:"errors"`
}

func (a *app) rates(w http.ResponseWriter, r *http.Request) {
	var req ratesRequest
	if err := decode(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	var policy carrier.Policy
	switch req.Policy {
	case "", "cheapest":
		policy = carrier.Cheapest{}
	case "fastest":
		policy = carrier.Fastest{}
	default:
		writeError(w, r, fmt.Errorf("%w: field \"policy\": %q is not cheapest or fastest", errBadRequest, req.Policy))
		return
	}
	res, err := a.shopper.Shop(r.Context(), req.Request)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := ratesResponse{Quotes: res.Quotes, Errors: []string{}}
	if out.Quotes == nil {
		out.Quotes = []carrier.Quote{}
	}
	for _, e := range res.Errors {
		out.Errors = append(out.Errors, e.Error())
	}
	if q, err := res.Select(policy); err == nil {
		out.Chosen = &q
	}
	writeJSON(w, http.StatusOK, out)
}

// shipmentRequest records a shipment of an order's packages, and, with a
// fulfillment ID, the shipment on the order itself.
type shipmentRequest struct {
	ID          ship.ID             `json:"id"`
	Order       fulfill.OrderID     `json:"order"`
	Origin      fulfill.LocationID  `json:"origin"`
	Destination fulfill.Address     `json:"destination,omitzero"`
	Packages    []ship.Package      `json:"packages"`
	Fulfillment order.FulfillmentID `json:"fulfillment,omitempty"`
}

// shipmentView is a shipment as the API shows it.
type shipmentView struct {
	ship.Snapshot
	Status ship.Status `json:"status"`
}

// createShipment records a shipment of the caller's order and, with a
// fulfillment, the shipment on the order. The order is written first
// (its ship command under the key "shipment-" + the shipment's ID,
// run again on a fresh read if a concurrent change conflicts), then the
// shipment is stored, having been checked to take no stored ID or
// tracking number: an order that refuses the shipment, however it
// changed since it was read, leaves nothing stored. If storing the
// shipment then fails, the order keeps the shipment it recorded, and a
// retry (with the same Idempotency-Key or none) finds it recorded,
// writes the order nothing more and stores the shipment.
func (a *app) createShipment(w http.ResponseWriter, r *http.Request) {
	var req shipmentRequest
	if err := decode(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	owner, now := ownerOf(r.Context()), fulfill.Now(a.clock)
	// The order must be the caller's.
	o, err := a.orders.Store.Get(r.Context(), owner, req.Order)
	if err != nil {
		writeError(w, r, err)
		return
	}
	sh, err := ship.New(ship.Spec{ID: req.ID, Order: req.Order, Owner: owner, Origin: req.Origin,
		Destination: req.Destination, CreatedAt: now, Packages: req.Packages})
	if err != nil {
		writeError(w, r, err)
		return
	}
	// The order is told only of a shipment that can be stored.
	if err := a.shipmentFree(r, sh); err != nil {
		writeError(w, r, err)
		return
	}
	if req.Fulfillment != 0 {
		i := slices.IndexFunc(o.Shipments(), func(s order.Shipment) bool { return s.ID == string(req.ID) })
		switch {
		case i < 0:
			shipOrder := order.ShipRequest{Shipment: string(req.ID), Fulfillment: req.Fulfillment}
			if _, err := a.executeRetrying(r.Context(), owner, req.Order, "shipment-"+string(req.ID), shipOrder); err != nil {
				writeError(w, r, err)
				return
			}
		case o.Shipments()[i].Fulfillment != req.Fulfillment:
			writeError(w, r, fmt.Errorf("%w: order %s recorded shipment %q from fulfillment %d, not %d",
				ship.ErrConflict, req.Order, req.ID, o.Shipments()[i].Fulfillment, req.Fulfillment))
			return
		}
		// Otherwise the order recorded the shipment on an attempt that
		// failed to store it: this retry stores it.
	}
	if err := a.shipments.Create(r.Context(), sh); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, shipmentView{Snapshot: sh.Snapshot(), Status: sh.Status()})
}

// shipmentFree returns an error wrapping ship.ErrConflict if sh's ID or
// one of its tracking numbers is stored already, as Create would.
func (a *app) shipmentFree(r *http.Request, sh *ship.Shipment) error {
	if _, err := a.shipments.Shipment(r.Context(), sh.ID()); err == nil {
		return fmt.Errorf("%w: shipment %q exists", ship.ErrConflict, sh.ID())
	} else if !errors.Is(err, ship.ErrNotFound) {
		return err
	}
	for p := range sh.Packages() {
		tn := p.Label.TrackingNumber
		if _, err := a.shipments.ByTrackingNumber(r.Context(), tn); err == nil {
			// Not named: the shipment may be another owner's.
			return fmt.Errorf("%w: tracking number %q is taken", ship.ErrConflict, tn)
		} else if !errors.Is(err, ship.ErrNotFound) {
			return err
		}
	}
	return nil
}

// ownedShipment loads a shipment of the caller; another owner's is not found.
func (a *app) ownedShipment(r *http.Request, id ship.ID) (*ship.Shipment, error) {
	sh, err := a.shipments.Shipment(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if sh.Owner() != ownerOf(r.Context()) {
		return nil, fmt.Errorf("%w: shipment %q", errNotFound, id)
	}
	return sh, nil
}

func (a *app) getShipment(w http.ResponseWriter, r *http.Request) {
	sh, err := a.ownedShipment(r, ship.ID(r.PathValue("id")))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, shipmentView{Snapshot: sh.Snapshot(), Status: sh.Status()})
}

// trackingWebhook ingests a tracking webhook in the native JSON of an
// aggregator (easypost, shippo, shipengine) or the library's own ("generic").
// Duplicates and out-of-order events are expected and harmless.
func (a *app) trackingWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		writeError(w, r, fmt.Errorf("%w: reading the body: %v", errBadRequest, err))
		return
	}
	var events []ship.Event
	if src := r.PathValue("source"); src == "generic" {
		events, err = ship.DecodeEvents(body)
	} else {
		events, err = ship.DecodeWebhook(ship.Source(src), body)
	}
	if err != nil {
		writeError(w, r, fmt.Errorf("%w: %v", errBadRequest, err))
		return
	}
	type applied struct {
		Shipment  ship.ID     `json:"shipment"`
		Tracking  string      `json:"tracking_number"`
		Status    ship.Status `json:"status"`
		Duplicate bool        `json:"duplicate"`
	}
	// Every event must be for a shipment of the caller's and must apply to
	// it, tried in order on copies, before any is ingested: a webhook is
	// taken whole or refused whole, so that its retry meets what it met.
	copies := map[ship.ID]*ship.Shipment{}
	for _, e := range events {
		id, err := a.shipments.ByTrackingNumber(r.Context(), e.TrackingNumber)
		if err != nil {
			writeError(w, r, err)
			return
		}
		cp, ok := copies[id]
		if !ok {
			sh, err := a.ownedShipment(r, id)
			if err == nil {
				cp, err = ship.Restore(sh.Snapshot())
			}
			if err != nil {
				writeError(w, r, err)
				return
			}
			copies[id] = cp
		}
		if _, err := cp.Ingest(e); err != nil {
			writeError(w, r, err)
			return
		}
	}
	// The events are stored first, all of them, then each delivered
	// shipment is recorded on its order. Once one is stored, a failure is
	// errIncomplete: the events stored stay (they are what the carrier
	// saw), and a retry of the webhook meets them as duplicates and
	// records the deliveries its orders still wait for.
	out := []applied{}
	var (
		touched []ship.ID
		wrote   bool // an event was stored
	)
	for _, e := range events {
		id, c, err := ship.IngestEvent(r.Context(), a.shipments, e)
		if err != nil {
			if wrote {
				err = incomplete(err)
			}
			writeError(w, r, err)
			return
		}
		wrote = wrote || !c.Duplicate
		if !slices.Contains(touched, id) {
			touched = append(touched, id)
		}
		out = append(out, applied{Shipment: id, Tracking: e.TrackingNumber, Status: c.To, Duplicate: c.Duplicate})
	}
	for _, id := range touched {
		if err := a.recordDelivery(r, id); err != nil {
			writeError(w, r, incomplete(err))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"applied": out})
}

// recordDelivery records a delivered shipment on its order, once: the
// order's idempotency key makes a repeated webhook harmless, and a
// shipment the order has recorded as delivered is not sent again. A
// conflicting change to the order is met with a fresh read.
func (a *app) recordDelivery(r *http.Request, id ship.ID) error {
	sh, err := a.shipments.Shipment(r.Context(), id)
	if err != nil || sh.Status() != ship.StatusDelivered {
		return err
	}
	o, err := a.orders.Store.Get(r.Context(), sh.Owner(), sh.Order())
	if err != nil {
		return err
	}
	pending := false
	for _, s := range o.Shipments() {
		pending = pending || (s.ID == string(id) && !s.Delivered)
	}
	if !pending { // delivered already, or a shipment the order was not told about
		return nil
	}
	_, err = a.executeRetrying(r.Context(), sh.Owner(), sh.Order(), "delivered-"+string(id), order.DeliverRequest{Shipment: string(id)})
	return err
}

// returnRequest asks to return units of an order; the policy decides at once.
type returnRequest struct {
	ID    returns.ID      `json:"id"`
	Order fulfill.OrderID `json:"order"`
	returns.Request
}

// returnView is a return as the API shows it, with the policy's decision.
type returnView struct {
	returns.Snapshot
	Status   returns.Status    `json:"status"`
	Decision *returns.Decision `json:"decision,omitempty"`
}

func (a *app) requestReturn(w http.ResponseWriter, r *http.Request) {
	var req returnRequest
	if err := decode(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	owner, now := ownerOf(r.Context()), fulfill.Now(a.clock)
	o, err := a.orders.Store.Get(r.Context(), owner, req.Order)
	if err != nil {
		writeError(w, r, err)
		return
	}
	rma, _, err := returns.New(req.ID, o, now, req.Request)
	if err != nil {
		writeError(w, r, err)
		return
	}
	// The order records the units before the return is stored: a return
	// ID already taken would leave them recorded on this order for a
	// return that is another's. (A retry of this request finds its return
	// stored too, and is refused the same way, having changed nothing.)
	if _, err := a.returns.Get(r.Context(), owner, req.ID); err == nil {
		writeError(w, r, fmt.Errorf("%w: return %q exists", returns.ErrAlreadyExists, req.ID))
		return
	} else if !errors.Is(err, returns.ErrNotFound) {
		writeError(w, r, err)
		return
	}
	c, err := rma.Case(o, now)
	if err != nil {
		writeError(w, r, err)
		return
	}
	d := a.returnPolicy.Evaluate(c)
	if _, err := rma.Decide(now, d); err != nil {
		writeError(w, r, err)
		return
	}
	// The order records the requested units first; its idempotency key
	// makes a retry after a failure below safe.
	if _, err := a.orders.Execute(r.Context(), owner, req.Order, "return-"+string(req.ID), rma.OrderRequest()); err != nil {
		writeError(w, r, err)
		return
	}
	if err := a.returns.Create(r.Context(), rma); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, returnView{Snapshot: rma.Snapshot(), Status: rma.Status(), Decision: &d})
}

func (a *app) getReturn(w http.ResponseWriter, r *http.Request) {
	rma, err := a.returns.Get(r.Context(), ownerOf(r.Context()), returns.ID(r.PathValue("id")))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, returnView{Snapshot: rma.Snapshot(), Status: rma.Status()})
}

// cancelReturn cancels a return before its parcel leaves, and tells the
// order the units it was waiting for will not come. The return is saved
// cancelled first, then the order records the withdrawal under the key
// "withdraw-" + the return's ID (run again on a fresh read if a
// concurrent change conflicts). If the order's write fails, the return
// stays cancelled and the reply is errIncomplete; a retry (with the same
// Idempotency-Key or none) finds the return cancelled and records the
// withdrawal, once: within the retention the order's key recognises one
// already recorded, and a cancel of a return cancelled longer ago is
// refused as before, changing nothing.
func (a *app) cancelReturn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason,omitempty"`
	}
	if err := decode(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	owner, now := ownerOf(r.Context()), fulfill.Now(a.clock)
	rma, err := a.returns.Get(r.Context(), owner, returns.ID(r.PathValue("id")))
	if err != nil {
		writeError(w, r, err)
		return
	}
	if wd, ok := rma.OrderWithdrawal(); ok && rma.Status() == returns.StatusCancelled && a.retained(rma.Snapshot().UpdatedAt, now) {
		// A cancel that stopped before the order's write: finish it.
		res, err := a.executeRetrying(r.Context(), owner, rma.Order(), "withdraw-"+string(rma.ID()), wd)
		if err != nil {
			writeError(w, r, incomplete(err))
			return
		}
		if !res.Replayed {
			writeJSON(w, http.StatusOK, returnView{Snapshot: rma.Snapshot(), Status: rma.Status()})
			return
		}
		// The cancel was complete: refused below as a cancel of a
		// cancelled return.
	}
	if _, err := rma.Cancel(now, req.Reason); err != nil {
		writeError(w, r, err)
		return
	}
	if err := a.returns.Save(r.Context(), rma); err != nil {
		writeError(w, r, err)
		return
	}
	if wd, ok := rma.OrderWithdrawal(); ok {
		// Keyed by the return, so a retry withdraws once.
		if _, err := a.executeRetrying(r.Context(), owner, rma.Order(), "withdraw-"+string(rma.ID()), wd); err != nil {
			writeError(w, r, incomplete(err))
			return
		}
	}
	writeJSON(w, http.StatusOK, returnView{Snapshot: rma.Snapshot(), Status: rma.Status()})
}

// retained reports whether what happened at t is within the retention at
// now, so that an order's Idempotency-Key record written since is still
// kept. With no retention, everything is.
func (a *app) retained(t, now time.Time) bool {
	return a.retention == 0 || !t.Before(now.Add(-a.retention))
}
