package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
)

var (
	newark = map[string]any{"line1": "100 Port St", "city": "Newark", "region": "NJ", "postal_code": "07102", "country": "US"}
	austin = map[string]any{"line1": "500 Congress Ave", "city": "Austin", "region": "TX", "postal_code": "78701", "country": "US", "residential": true}
)

func ratesBody() map[string]any {
	return map[string]any{
		"origin": newark, "destination": austin, "ship_time": "2026-11-25T15:00:00Z",
		"packages": []any{map[string]any{"dimensions": map[string]any{"length": "12in", "width": "10in", "height": "6in"}, "mass": "3lb"}},
	}
}

func TestServiceRates(t *testing.T) {
	srv := newTestServer(t, "")
	status, body := call(t, srv, "POST", "/v1/rates", "acme-key", "", ratesBody())
	require.Equal(t, http.StatusOK, status, "%v", body)
	quotes := body["quotes"].([]any)
	require.Len(t, quotes, 2, "the demo card has two services, both eligible")
	chosen := body["chosen"].(map[string]any)
	assert.Equal(t, "GROUND", chosen["service"].(map[string]any)["code"], "the cheapest is chosen by default")
	assert.NotEmpty(t, chosen["explanation"], "every quote explains its price")
	assert.Equal(t, "USD", chosen["price"].(map[string]any)["currency"])

	fast := ratesBody()
	fast["policy"] = "fastest"
	status, body = call(t, srv, "POST", "/v1/rates", "acme-key", "", fast)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "2DAY", body["chosen"].(map[string]any)["service"].(map[string]any)["code"])

	bad := ratesBody()
	bad["policy"] = "slowest"
	status, prob := call(t, srv, "POST", "/v1/rates", "acme-key", "", bad)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_request", prob["kind"])
	noPackages := ratesBody()
	delete(noPackages, "packages")
	status, prob = call(t, srv, "POST", "/v1/rates", "acme-key", "", noPackages)
	assert.Equal(t, http.StatusBadRequest, status, "%v", prob)

	// Idempotency-Key: a retry is replayed, another body under the key refused.
	status, first := call(t, srv, "POST", "/v1/rates", "acme-key", "quote-1", ratesBody())
	require.Equal(t, http.StatusOK, status)
	status, again := call(t, srv, "POST", "/v1/rates", "acme-key", "quote-1", ratesBody())
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, first, again)
	status, prob = call(t, srv, "POST", "/v1/rates", "acme-key", "quote-1", fast)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "idempotency_conflict", prob["kind"])
	status, _ = call(t, srv, "POST", "/v1/rates", "globex-key", "quote-1", fast)
	assert.Equal(t, http.StatusOK, status, "keys are per owner")
}

// TestServiceShipTrackReturn walks an order through shipment, a delivery
// webhook (sent twice) and a return, and checks no other owner sees any of it.
func TestServiceShipTrackReturn(t *testing.T) {
	srv := newTestServer(t, "")
	id := allocatedOrder(t, srv)

	shipment := map[string]any{
		"id": "SHP-1", "order": id, "origin": "WH1", "fulfillment": 1,
		"packages": []any{map[string]any{
			"ref": "box-1", "dimensions": map[string]any{"length": "12in", "width": "10in", "height": "6in"}, "mass": "1lb",
			"label": map[string]any{"ref": "L1", "tracking_number": "1Z001", "carrier": "parcelco", "created_at": "2026-11-25T09:00:00Z",
				"cost": map[string]any{"amount": "9.50", "currency": "USD"}},
			"lines": []any{map[string]any{"line_id": "1", "sku": "TSHIRT", "quantity": 2}},
		}},
	}
	status, prob := call(t, srv, "POST", "/v1/shipments", "globex-key", "", shipment)
	assert.Equal(t, http.StatusNotFound, status, "another owner cannot ship acme's order: %v", prob)
	status, sh := call(t, srv, "POST", "/v1/shipments", "acme-key", "", shipment)
	require.Equal(t, http.StatusCreated, status, "%v", sh)
	assert.Equal(t, "pre_transit", sh["status"])
	status, _ = call(t, srv, "GET", "/v1/shipments/SHP-1", "globex-key", "", nil)
	assert.Equal(t, http.StatusNotFound, status)

	hook := `[{"id":"e1","tracking_number":"1Z001","source":"shippo","status":"TRANSIT","occurred_at":"2026-11-25T12:00:00Z"},
	          {"id":"e2","tracking_number":"1Z001","source":"shippo","status":"DELIVERED","occurred_at":"2026-11-27T12:00:00Z"}]`
	status, prob = call(t, srv, "POST", "/v1/webhooks/tracking/generic", "globex-key", "", hook)
	assert.Equal(t, http.StatusNotFound, status, "another owner's webhook cannot touch the shipment: %v", prob)
	for range 2 { // at-least-once delivery
		status, body := call(t, srv, "POST", "/v1/webhooks/tracking/generic", "acme-key", "", hook)
		require.Equal(t, http.StatusOK, status, "%v", body)
	}
	status, sh = call(t, srv, "GET", "/v1/shipments/SHP-1", "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "delivered", sh["status"])
	status, got := call(t, srv, "GET", "/v1/orders/"+id, "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "delivered", got["status"], "the delivery webhook moved the order")
	status, prob = call(t, srv, "POST", "/v1/webhooks/tracking/generic", "acme-key", "", `[{"id":"x"`)
	assert.Equal(t, http.StatusBadRequest, status, "%v", prob)

	rma := map[string]any{"id": "RMA-1", "order": id, "channel": "mail",
		"lines": []any{map[string]any{"order_line": 1, "quantity": 1, "reason": "defective"}}}
	status, prob = call(t, srv, "POST", "/v1/returns", "globex-key", "", rma)
	assert.Equal(t, http.StatusNotFound, status, "%v", prob)
	status, ret := call(t, srv, "POST", "/v1/returns", "acme-key", "rma-1", rma)
	require.Equal(t, http.StatusCreated, status, "%v", ret)
	assert.Equal(t, "approved", ret["status"])
	status, again := call(t, srv, "POST", "/v1/returns", "acme-key", "rma-1", rma)
	assert.Equal(t, http.StatusCreated, status, "a retry replays the first response")
	assert.Equal(t, ret, again)
	status, _ = call(t, srv, "GET", "/v1/returns/RMA-1", "globex-key", "", nil)
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = call(t, srv, "GET", "/v1/returns/RMA-1", "acme-key", "", nil)
	assert.Equal(t, http.StatusOK, status)

	tooMany := map[string]any{"id": "RMA-2", "order": id, "channel": "mail",
		"lines": []any{map[string]any{"order_line": 1, "quantity": 2, "reason": "defective"}}}
	status, prob = call(t, srv, "POST", "/v1/returns", "acme-key", "", tooMany)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "only one unit is left to return: %v", prob)

	// Cancelling RMA-1 frees its unit on the order: two can be returned again.
	status, prob = call(t, srv, "POST", "/v1/returns/RMA-1/cancel", "globex-key", "", map[string]any{})
	assert.Equal(t, http.StatusNotFound, status, "%v", prob)
	status, cancelled := call(t, srv, "POST", "/v1/returns/RMA-1/cancel", "acme-key", "cancel-rma-1", map[string]any{"reason": "customer keeps it"})
	require.Equal(t, http.StatusOK, status, "%v", cancelled)
	assert.Equal(t, "cancelled", cancelled["status"])
	status, _ = call(t, srv, "POST", "/v1/returns/RMA-1/cancel", "acme-key", "cancel-rma-1", map[string]any{"reason": "customer keeps it"})
	assert.Equal(t, http.StatusOK, status, "a retried cancel is replayed")
	status, got = call(t, srv, "GET", "/v1/orders/"+id, "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.EqualValues(t, 0, got["lines"].([]any)[0].(map[string]any)["quantities"].(map[string]any)["return_requested"])
	status, ret = call(t, srv, "POST", "/v1/returns", "acme-key", "", tooMany)
	assert.Equal(t, http.StatusCreated, status, "%v", ret)
}

// TestServiceShipmentRefusedByTheOrderIsNotKept: a shipment the order
// refuses (a fulfillment it does not have) is not stored, so that its ID
// and tracking number stay free for the corrected request.
func TestServiceShipmentRefusedByTheOrderIsNotKept(t *testing.T) {
	srv := newTestServer(t, "")
	id := allocatedOrder(t, srv)

	shipment := func(fulfillment int) map[string]any {
		return map[string]any{
			"id": "SHP-1", "order": id, "origin": "WH1", "fulfillment": fulfillment,
			"packages": []any{map[string]any{
				"ref": "box-1", "dimensions": map[string]any{"length": "12in", "width": "10in", "height": "6in"}, "mass": "1lb",
				"label": map[string]any{"ref": "L1", "tracking_number": "1Z001", "carrier": "parcelco", "created_at": "2026-11-25T09:00:00Z",
					"cost": map[string]any{"amount": "9.50", "currency": "USD"}},
				"lines": []any{map[string]any{"line_id": "1", "sku": "TSHIRT", "quantity": 2}},
			}},
		}
	}
	status, prob := call(t, srv, "POST", "/v1/shipments", "acme-key", "", shipment(7))
	require.GreaterOrEqual(t, status, 400, "%v", prob)
	require.Less(t, status, 500, "%v", prob)
	status, prob = call(t, srv, "GET", "/v1/shipments/SHP-1", "acme-key", "", nil)
	assert.Equal(t, http.StatusNotFound, status, "the refused shipment is not kept: %v", prob)

	status, sh := call(t, srv, "POST", "/v1/shipments", "acme-key", "", shipment(1))
	require.Equal(t, http.StatusCreated, status, "the corrected request takes the ID: %v", sh)
	status, got := call(t, srv, "GET", "/v1/orders/"+id, "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, got["shipments"], 1, "%v", got)
}

// TestServiceReturnIDTakenChangesNothing: a return under an ID another
// return of the owner has is refused before the order records its units,
// also once housekeeping has pruned the order's record of the first
// return's key, which used to refuse it only as a reuse of that key.
func TestServiceReturnIDTakenChangesNothing(t *testing.T) {
	clock := fulfill.NewFakeClock(housekeepStart)
	a, srv := newHousekeptServer(t, "", clock, 24*time.Hour)
	var ids []string
	for i, tn := range []string{"1Z101", "1Z102"} {
		status, placed := call(t, srv, "POST", "/v1/orders", "acme-key", "", webOrder("TSHIRT", 2))
		require.Equal(t, http.StatusCreated, status)
		id := placed["id"].(string)
		ids = append(ids, id)
		status, res := call(t, srv, "POST", "/v1/orders/"+id+"/confirm", "acme-key", "", map[string]any{})
		require.Equal(t, http.StatusOK, status, "%v", res)
		status, res = call(t, srv, "POST", "/v1/orders/"+id+"/allocate", "acme-key", "", map[string]any{
			"location": "WH1", "lines": []any{map[string]any{"line": 1, "quantity": 2}}})
		require.Equal(t, http.StatusOK, status, "%v", res)
		shipID := fmt.Sprint("SHP-", i)
		status, res = call(t, srv, "POST", "/v1/shipments", "acme-key", "", map[string]any{
			"id": shipID, "order": id, "origin": "WH1", "fulfillment": 1,
			"packages": []any{map[string]any{
				"ref": "box-1", "dimensions": map[string]any{"length": "12in", "width": "10in", "height": "6in"}, "mass": "1lb",
				"label": map[string]any{"ref": "L1", "tracking_number": tn, "carrier": "parcelco", "created_at": "2026-11-25T09:00:00Z",
					"cost": map[string]any{"amount": "9.50", "currency": "USD"}},
				"lines": []any{map[string]any{"line_id": "1", "sku": "TSHIRT", "quantity": 2}},
			}},
		})
		require.Equal(t, http.StatusCreated, status, "%v", res)
		hook := fmt.Sprintf(`[{"id":"d-%d","tracking_number":%q,"source":"shippo","status":"DELIVERED","occurred_at":"2026-11-26T12:00:00Z"}]`, i, tn)
		status, res = call(t, srv, "POST", "/v1/webhooks/tracking/generic", "acme-key", "", hook)
		require.Equal(t, http.StatusOK, status, "%v", res)
	}
	rma := func(order string) map[string]any {
		return map[string]any{"id": "RMA-1", "order": order, "channel": "mail",
			"lines": []any{map[string]any{"order_line": 1, "quantity": 1, "reason": "defective"}}}
	}
	status, ret := call(t, srv, "POST", "/v1/returns", "acme-key", "", rma(ids[0]))
	require.Equal(t, http.StatusCreated, status, "%v", ret)
	clock.Advance(25 * time.Hour)
	require.Positive(t, pass(t, a).Orders.Keys, "the order keys are pruned")

	status, prob := call(t, srv, "POST", "/v1/returns", "acme-key", "", rma(ids[1]))
	assert.Equal(t, http.StatusConflict, status, "%v", prob)
	assert.Equal(t, "already_exists", prob["kind"])
	status, got := call(t, srv, "GET", "/v1/orders/"+ids[1], "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.EqualValues(t, 0, got["lines"].([]any)[0].(map[string]any)["quantities"].(map[string]any)["return_requested"],
		"the second order records no return")
	status, again := call(t, srv, "POST", "/v1/returns", "acme-key", "", rma(ids[0]))
	assert.Equal(t, http.StatusConflict, status, "a retry of the stored return is refused: %v", again)
	status, got = call(t, srv, "GET", "/v1/orders/"+ids[0], "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.EqualValues(t, 1, got["lines"].([]any)[0].(map[string]any)["quantities"].(map[string]any)["return_requested"])
}

// TestServiceWebhookTakenWholeOrRefused: a webhook with an event the
// service cannot take (a tracking number it does not know) is refused
// before any of its events is applied; its retry without that event is
// taken.
func TestServiceWebhookTakenWholeOrRefused(t *testing.T) {
	srv := newTestServer(t, "")
	id := allocatedOrder(t, srv)
	status, res := call(t, srv, "POST", "/v1/shipments", "acme-key", "", map[string]any{
		"id": "SHP-1", "order": id, "origin": "WH1", "fulfillment": 1,
		"packages": []any{map[string]any{
			"ref": "box-1", "dimensions": map[string]any{"length": "12in", "width": "10in", "height": "6in"}, "mass": "1lb",
			"label": map[string]any{"ref": "L1", "tracking_number": "1Z001", "carrier": "parcelco", "created_at": "2026-11-25T09:00:00Z",
				"cost": map[string]any{"amount": "9.50", "currency": "USD"}},
			"lines": []any{map[string]any{"line_id": "1", "sku": "TSHIRT", "quantity": 2}},
		}},
	})
	require.Equal(t, http.StatusCreated, status, "%v", res)

	delivered := `{"id":"e1","tracking_number":"1Z001","source":"shippo","status":"DELIVERED","occurred_at":"2026-11-27T12:00:00Z"}`
	unknown := `{"id":"e2","tracking_number":"1Z999","source":"shippo","status":"TRANSIT","occurred_at":"2026-11-27T13:00:00Z"}`
	status, prob := call(t, srv, "POST", "/v1/webhooks/tracking/generic", "acme-key", "", "["+delivered+","+unknown+"]")
	assert.Equal(t, http.StatusNotFound, status, "%v", prob)
	status, sh := call(t, srv, "GET", "/v1/shipments/SHP-1", "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "pre_transit", sh["status"], "the refused webhook applied nothing")
	status, got := call(t, srv, "GET", "/v1/orders/"+id, "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.NotEqual(t, "delivered", got["status"])

	status, res = call(t, srv, "POST", "/v1/webhooks/tracking/generic", "acme-key", "", "["+delivered+"]")
	require.Equal(t, http.StatusOK, status, "%v", res)
	status, sh = call(t, srv, "GET", "/v1/shipments/SHP-1", "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "delivered", sh["status"])
	status, got = call(t, srv, "GET", "/v1/orders/"+id, "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "delivered", got["status"])
}
