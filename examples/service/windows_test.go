package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/ship"
)

// errStoreDown is the failure the hooked stores inject.
var errStoreDown = errors.New("store down")

// hookedOrders is an order store that calls before, if set, ahead of each
// Save whose idempotency key starts with prefix; an error from before
// fails the Save with nothing written.
type hookedOrders struct {
	order.Store
	mu     sync.Mutex // guards before
	prefix string
	before func(order.Change) error
}

func (h *hookedOrders) Save(ctx context.Context, c order.Change) error {
	h.mu.Lock()
	before := h.before
	h.mu.Unlock()
	if before != nil && c.Idempotency != nil && strings.HasPrefix(c.Idempotency.Key, h.prefix) {
		if err := before(c); err != nil {
			return err
		}
	}
	return h.Store.Save(ctx, c)
}

// once returns a hook that runs fn on its first call only.
func once(fn func(order.Change) error) func(order.Change) error {
	var done bool
	return func(c order.Change) error {
		if done {
			return nil
		}
		done = true
		return fn(c)
	}
}

// hookedShipments is a ship store whose Create fails with errStoreDown
// while failCreate is set.
type hookedShipments struct {
	ship.Store
	failCreate bool
}

func (h *hookedShipments) Create(ctx context.Context, s *ship.Shipment) error {
	if h.failCreate {
		return errStoreDown
	}
	return h.Store.Create(ctx, s)
}

// onStores runs test in memory and on PostgreSQL (skipped without
// FULFILL_TEST_DATABASE_URL), passing the connection string, empty for
// memory.
func onStores(t *testing.T, test func(t *testing.T, db string)) {
	t.Run("memory", func(t *testing.T) { test(t, "") })
	t.Run("postgres", func(t *testing.T) { test(t, testDatabase(t)) })
}

// windowServer is the service with its order store hooked, in memory or
// on db.
func windowServer(t *testing.T, db string) (*app, *hookedOrders, *httptest.Server) {
	t.Helper()
	a, srv := newHousekeptServer(t, db, fulfill.NewFakeClock(housekeepStart), 0)
	h := &hookedOrders{Store: a.orders.Store}
	a.orders.Store = h
	return a, h, srv
}

// allocatedOrder places, confirms and allocates an order for 2 T-shirts.
func allocatedOrder(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	status, placed := call(t, srv, "POST", "/v1/orders", "acme-key", "", webOrder("TSHIRT", 2))
	require.Equal(t, http.StatusCreated, status)
	id := placed["id"].(string)
	status, res := call(t, srv, "POST", "/v1/orders/"+id+"/confirm", "acme-key", "", map[string]any{})
	require.Equal(t, http.StatusOK, status, "%v", res)
	status, res = call(t, srv, "POST", "/v1/orders/"+id+"/allocate", "acme-key", "", map[string]any{
		"location": "WH1", "lines": []any{map[string]any{"line": 1, "quantity": 2}}})
	require.Equal(t, http.StatusOK, status, "%v", res)
	return id
}

// shipmentOf is SHP-1 shipping the order's fulfillment 1 with tracking
// number 1Z001.
func shipmentOf(id string) map[string]any {
	return map[string]any{
		"id": "SHP-1", "order": id, "origin": "WH1", "fulfillment": 1,
		"packages": []any{map[string]any{
			"ref": "box-1", "dimensions": map[string]any{"length": "12in", "width": "10in", "height": "6in"}, "mass": "1lb",
			"label": map[string]any{"ref": "L1", "tracking_number": "1Z001", "carrier": "parcelco", "created_at": "2026-11-25T09:00:00Z",
				"cost": map[string]any{"amount": "9.50", "currency": "USD"}},
			"lines": []any{map[string]any{"line_id": "1", "sku": "TSHIRT", "quantity": 2}},
		}},
	}
}

// getOrder reads the order through the API.
func getOrder(t *testing.T, srv *httptest.Server, id string) map[string]any {
	t.Helper()
	status, got := call(t, srv, "GET", "/v1/orders/"+id, "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status, "%v", got)
	return got
}

// returnRequested is the order's first line's return-requested units.
func returnRequested(t *testing.T, srv *httptest.Server, id string) any {
	t.Helper()
	return getOrder(t, srv, id)["lines"].([]any)[0].(map[string]any)["quantities"].(map[string]any)["return_requested"]
}

// TestServiceShipmentWindows: the order is written before the shipment
// is stored, so an order that changes between the read and the write
// either takes the shipment on a fresh read or refuses it with nothing
// stored; a shipment that fails to be stored after the order took it is
// stored by a retry under the same Idempotency-Key.
func TestServiceShipmentWindows(t *testing.T) {
	hold := map[string]any{"holds": []any{map[string]any{"id": "fraud-1", "kind": "fraud_review", "source": "fraud-service"}}}
	tests := []struct {
		name string
		// change is what happens to the order at the moment of the
		// shipment's write, through the API.
		change []string
		status int
		stored bool
	}{
		{"a concurrent change is met with a fresh read", []string{"holds", "release"}, http.StatusCreated, true},
		{"an order that refuses on the write leaves nothing", []string{"holds"}, http.StatusConflict, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			onStores(t, func(t *testing.T, db string) {
				_, h, srv := windowServer(t, db)
				id := allocatedOrder(t, srv)
				h.prefix = "shipment-"
				h.before = once(func(order.Change) error {
					for _, step := range tt.change {
						body := any(hold)
						if step == "release" {
							body = map[string]any{"holds": []string{"fraud-1"}}
						}
						if status, _, err := send(srv, "POST", "/v1/orders/"+id+"/"+step, "acme-key", "", body); err != nil || status != http.StatusOK {
							return errors.Join(err, errors.New("the concurrent change failed"))
						}
					}
					return nil
				})
				status, res := call(t, srv, "POST", "/v1/shipments", "acme-key", "ship-1", shipmentOf(id))
				require.Equal(t, tt.status, status, "%v", res)
				status, _ = call(t, srv, "GET", "/v1/shipments/SHP-1", "acme-key", "", nil)
				got := getOrder(t, srv, id)
				if tt.stored {
					assert.Equal(t, http.StatusOK, status)
					assert.Len(t, got["shipments"], 1, "%v", got)
					return
				}
				assert.Equal(t, http.StatusNotFound, status, "the refused shipment is not stored")
				assert.Empty(t, got["shipments"], "the order records no shipment")
				status, res = call(t, srv, "POST", "/v1/orders/"+id+"/release", "acme-key", "", map[string]any{"holds": []string{"fraud-1"}})
				require.Equal(t, http.StatusOK, status, "%v", res)
				status, res = call(t, srv, "POST", "/v1/shipments", "acme-key", "ship-2", shipmentOf(id))
				assert.Equal(t, http.StatusCreated, status, "the ID and tracking number are free: %v", res)
			})
		})
	}

	t.Run("a failed store of the shipment is completed by a retry", func(t *testing.T) {
		onStores(t, func(t *testing.T, db string) {
			a, _, srv := windowServer(t, db)
			id := allocatedOrder(t, srv)
			shipments := &hookedShipments{Store: a.shipments, failCreate: true}
			a.shipments = shipments
			status, prob := call(t, srv, "POST", "/v1/shipments", "acme-key", "ship-1", shipmentOf(id))
			require.Equal(t, http.StatusInternalServerError, status, "%v", prob)
			status, _ = call(t, srv, "GET", "/v1/shipments/SHP-1", "acme-key", "", nil)
			assert.Equal(t, http.StatusNotFound, status)
			assert.Len(t, getOrder(t, srv, id)["shipments"], 1, "the order took the shipment first")

			other := shipmentOf(id)
			other["fulfillment"] = 2
			shipments.failCreate = false
			status, prob = call(t, srv, "POST", "/v1/shipments", "acme-key", "ship-other", other)
			assert.Equal(t, http.StatusConflict, status, "the order recorded SHP-1 from another fulfillment: %v", prob)

			status, sh := call(t, srv, "POST", "/v1/shipments", "acme-key", "ship-1", shipmentOf(id))
			require.Equal(t, http.StatusCreated, status, "the retry stores the shipment: %v", sh)
			status, _ = call(t, srv, "GET", "/v1/shipments/SHP-1", "acme-key", "", nil)
			assert.Equal(t, http.StatusOK, status)
			got := getOrder(t, srv, id)
			assert.Len(t, got["shipments"], 1, "the order recorded the shipment once: %v", got)
			assert.Equal(t, "shipped", got["status"])
			status, again := call(t, srv, "POST", "/v1/shipments", "acme-key", "ship-1", shipmentOf(id))
			assert.Equal(t, http.StatusCreated, status)
			assert.Equal(t, sh, again, "a further retry is replayed")
		})
	})
}

// TestServiceWebhookWindow: a delivery the order fails to record leaves
// the webhook's events stored and answers 503; the webhook's retry under
// the same Idempotency-Key records the delivery.
func TestServiceWebhookWindow(t *testing.T) {
	onStores(t, func(t *testing.T, db string) {
		_, h, srv := windowServer(t, db)
		id := allocatedOrder(t, srv)
		status, res := call(t, srv, "POST", "/v1/shipments", "acme-key", "", shipmentOf(id))
		require.Equal(t, http.StatusCreated, status, "%v", res)

		h.prefix = "delivered-"
		h.before = once(func(order.Change) error { return errStoreDown })
		hook := `[{"id":"e1","tracking_number":"1Z001","source":"shippo","status":"TRANSIT","occurred_at":"2026-11-25T12:00:00Z"},
	          {"id":"e2","tracking_number":"1Z001","source":"shippo","status":"DELIVERED","occurred_at":"2026-11-27T12:00:00Z"}]`
		status, prob := call(t, srv, "POST", "/v1/webhooks/tracking/generic", "acme-key", "hook-1", hook)
		require.Equal(t, http.StatusServiceUnavailable, status, "%v", prob)
		assert.Equal(t, "incomplete", prob["kind"])
		status, sh := call(t, srv, "GET", "/v1/shipments/SHP-1", "acme-key", "", nil)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "delivered", sh["status"], "the carrier's events are kept")
		assert.Equal(t, "shipped", getOrder(t, srv, id)["status"], "the order was not told")

		status, body := call(t, srv, "POST", "/v1/webhooks/tracking/generic", "acme-key", "hook-1", hook)
		require.Equal(t, http.StatusOK, status, "%v", body)
		applied := body["applied"].([]any)
		require.Len(t, applied, 2)
		for _, a := range applied {
			assert.Equal(t, true, a.(map[string]any)["duplicate"], "the retry meets its events stored")
		}
		got := getOrder(t, srv, id)
		assert.Equal(t, "delivered", got["status"], "the retry told the order")
		assert.Equal(t, true, got["shipments"].([]any)[0].(map[string]any)["delivered"])
	})
}

// TestServiceReturnCancelWindow: a withdrawal the order fails to record
// leaves the return cancelled and answers 503; a retry under the same
// Idempotency-Key records the withdrawal once, and a cancel after that is
// refused, changing nothing.
func TestServiceReturnCancelWindow(t *testing.T) {
	onStores(t, func(t *testing.T, db string) {
		_, h, srv := windowServer(t, db)
		id := allocatedOrder(t, srv)
		status, res := call(t, srv, "POST", "/v1/shipments", "acme-key", "", shipmentOf(id))
		require.Equal(t, http.StatusCreated, status, "%v", res)
		rma := map[string]any{"id": "RMA-1", "order": id, "channel": "mail",
			"lines": []any{map[string]any{"order_line": 1, "quantity": 1, "reason": "defective"}}}
		status, res = call(t, srv, "POST", "/v1/returns", "acme-key", "", rma)
		require.Equal(t, http.StatusCreated, status, "%v", res)
		require.EqualValues(t, 1, returnRequested(t, srv, id))

		h.prefix = "withdraw-"
		h.before = once(func(order.Change) error { return errStoreDown })
		cancel := map[string]any{"reason": "customer keeps it"}
		status, prob := call(t, srv, "POST", "/v1/returns/RMA-1/cancel", "acme-key", "cancel-1", cancel)
		require.Equal(t, http.StatusServiceUnavailable, status, "%v", prob)
		assert.Equal(t, "incomplete", prob["kind"])
		status, ret := call(t, srv, "GET", "/v1/returns/RMA-1", "acme-key", "", nil)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "cancelled", ret["status"])
		assert.EqualValues(t, 1, returnRequested(t, srv, id), "the order still waits for the unit")

		status, ret = call(t, srv, "POST", "/v1/returns/RMA-1/cancel", "acme-key", "cancel-1", cancel)
		require.Equal(t, http.StatusOK, status, "the retry completes the cancel: %v", ret)
		assert.Equal(t, "cancelled", ret["status"])
		assert.EqualValues(t, 0, returnRequested(t, srv, id), "the order recorded the withdrawal")
		status, again := call(t, srv, "POST", "/v1/returns/RMA-1/cancel", "acme-key", "cancel-1", cancel)
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, ret, again, "a further retry is replayed")
		status, prob = call(t, srv, "POST", "/v1/returns/RMA-1/cancel", "acme-key", "cancel-2", cancel)
		assert.Equal(t, http.StatusConflict, status, "the cancel is complete: %v", prob)
		assert.EqualValues(t, 0, returnRequested(t, srv, id), "withdrawn once")
	})
}
