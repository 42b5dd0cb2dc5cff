package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
)

// serviceClock is the fixed time the tests run at.
var serviceClock = fulfill.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))

const serviceKeys = "acme-key=acme,globex-key=globex"

// newTestServer starts the service in memory (or on db when not empty).
func newTestServer(t *testing.T, db string) *httptest.Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, closeFn, err := newApp(context.Background(), config{db: db, keys: serviceKeys}, log, serviceClock)
	require.NoError(t, err)
	srv := httptest.NewServer(a.routes())
	t.Cleanup(func() { srv.Close(); closeFn() })
	return srv
}

// call sends a request with the API key and returns the status and decoded
// body, failing the test on a transport error.
func call(t *testing.T, srv *httptest.Server, method, path, key, idem string, body any) (int, map[string]any) {
	t.Helper()
	status, out, err := send(srv, method, path, key, idem, body)
	require.NoError(t, err)
	return status, out
}

// send is call for goroutines other than the test's: it returns its error.
func send(srv *httptest.Server, method, path, key, idem string, body any) (int, map[string]any, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return 0, nil, fmt.Errorf("body %q: %w", raw, err)
		}
	}
	return resp.StatusCode, out, nil
}

func webOrder(sku string, qty int) map[string]any {
	return map[string]any{
		"channel":  "web",
		"currency": "USD",
		"ship_to":  map[string]any{"line1": "1 Main St", "city": "Austin", "region": "TX", "postal_code": "78701", "country": "US"},
		"lines": []any{map[string]any{"sku": sku, "quantity": qty,
			"unit_price": map[string]any{"amount": "19.99", "currency": "USD"}}},
	}
}

func TestServiceHealthAndAuth(t *testing.T) {
	srv := newTestServer(t, "")
	status, body := call(t, srv, "GET", "/healthz", "", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok", body["status"])

	for _, key := range []string{"", "wrong-key", "acme-key-but-longer"} {
		status, body = call(t, srv, "GET", "/v1/stock", key, "", nil)
		assert.Equal(t, http.StatusUnauthorized, status, "key %q", key)
		assert.Equal(t, "unauthorized", body["kind"])
	}
}

func TestServiceOrders(t *testing.T) {
	srv := newTestServer(t, "")
	status, placed := call(t, srv, "POST", "/v1/orders", "acme-key", "place-1", webOrder("TSHIRT", 2))
	require.Equal(t, http.StatusCreated, status, "%v", placed)
	id := placed["id"].(string)
	assert.Equal(t, "pending", placed["status"])

	// A retry with the same key returns the same order, marked as a replay by its status.
	status, again := call(t, srv, "POST", "/v1/orders", "acme-key", "place-1", webOrder("TSHIRT", 2))
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, id, again["id"])
	// The same key with another body is refused.
	status, prob := call(t, srv, "POST", "/v1/orders", "acme-key", "place-1", webOrder("TSHIRT", 3))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "idempotency_conflict", prob["kind"])

	// Another owner cannot see or change it.
	status, prob = call(t, srv, "GET", "/v1/orders/"+id, "globex-key", "", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "not_found", prob["kind"])
	status, _ = call(t, srv, "POST", "/v1/orders/"+id+"/cancel", "globex-key", "", map[string]any{})
	assert.Equal(t, http.StatusNotFound, status)

	// Hold, release by ID, then cancel.
	status, res := call(t, srv, "POST", "/v1/orders/"+id+"/holds", "acme-key", "", map[string]any{
		"holds": []any{map[string]any{"id": "fraud-1", "kind": "fraud_review", "source": "fraud-service"}}})
	require.Equal(t, http.StatusOK, status, "%v", res)
	assert.Equal(t, "on_hold", res["order"].(map[string]any)["status"])
	status, res = call(t, srv, "POST", "/v1/orders/"+id+"/release", "acme-key", "", map[string]any{"holds": []string{"fraud-1"}})
	require.Equal(t, http.StatusOK, status, "%v", res)
	assert.Equal(t, "pending", res["order"].(map[string]any)["status"])
	status, res = call(t, srv, "POST", "/v1/orders/"+id+"/cancel", "acme-key", "", map[string]any{"reason": "customer asked"})
	require.Equal(t, http.StatusOK, status, "%v", res)
	assert.Equal(t, "cancelled", res["order"].(map[string]any)["status"])
	// Cancelling twice is an invalid transition, explained.
	status, prob = call(t, srv, "POST", "/v1/orders/"+id+"/cancel", "acme-key", "", map[string]any{})
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "invalid_transition", prob["kind"])

	status, got := call(t, srv, "GET", "/v1/orders/"+id, "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "cancelled", got["status"])
}

func TestServiceBadInput(t *testing.T) {
	srv := newTestServer(t, "")
	for _, tc := range []struct {
		name, path string
		body       any
		kind       string
	}{
		{"malformed JSON", "/v1/orders", `{"channel":`, "invalid_request"},
		{"unknown field", "/v1/orders", `{"chanel":"web"}`, "invalid_request"},
		{"wrong type", "/v1/stock/receive", `{"sku":"A","location":"W","quantity":"3"}`, "invalid_request"},
		{"zero quantity", "/v1/stock/receive", map[string]any{"sku": "A", "location": "W", "quantity": 0}, "invalid_operation"},
		{"negative quantity", "/v1/reservations", map[string]any{"lines": []any{map[string]any{"sku": "A", "location": "W", "quantity": -1}}}, "invalid_operation"},
		{"bad address", "/v1/orders", func() any { o := webOrder("A", 1); o["ship_to"] = map[string]any{"country": "ZZ"}; return o }(), "invalid_address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, prob := call(t, srv, "POST", tc.path, "acme-key", "", tc.body)
			assert.Equal(t, http.StatusBadRequest, status, "%v", prob)
			assert.Equal(t, tc.kind, prob["kind"], "%v", prob)
			assert.NotEmpty(t, prob["detail"])
		})
	}
	status, _ := call(t, srv, "GET", "/v1/orders/not-a-uuid", "acme-key", "", nil)
	assert.Equal(t, http.StatusNotFound, status)

	req, err := http.NewRequest("POST", srv.URL+"/v1/orders", bytes.NewBufferString("{"))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", "acme-key")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))

	big := bytes.Repeat([]byte(" "), maxBody+1)
	req, err = http.NewRequest("POST", srv.URL+"/v1/orders", bytes.NewReader(big))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", "acme-key")
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "an oversized body is refused")
}

func TestServiceStockIsPerOwner(t *testing.T) {
	srv := newTestServer(t, "")
	status, body := call(t, srv, "POST", "/v1/stock/receive", "acme-key", "rcv-1", map[string]any{"sku": "MUG", "location": "WH1", "quantity": 5})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	status, _ = call(t, srv, "POST", "/v1/stock/receive", "acme-key", "rcv-1", map[string]any{"sku": "MUG", "location": "WH1", "quantity": 5})
	assert.Equal(t, http.StatusOK, status, "a retried receive applies once")

	status, body = call(t, srv, "GET", "/v1/stock?sku=MUG", "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	levels := body["levels"].([]any)
	require.Len(t, levels, 1)
	assert.EqualValues(t, 5, levels[0].(map[string]any)["available"])

	// globex sees none of acme's stock and cannot reserve it.
	status, body = call(t, srv, "GET", "/v1/stock?sku=MUG", "globex-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Empty(t, body["levels"])
	status, prob := call(t, srv, "POST", "/v1/reservations", "globex-key", "", map[string]any{
		"lines": []any{map[string]any{"sku": "MUG", "location": "WH1", "quantity": 1}}})
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "insufficient_stock", prob["kind"])

	// acme reserves all-or-nothing: 4 + 2 of 5 fails whole, naming the shortage.
	status, prob = call(t, srv, "POST", "/v1/reservations", "acme-key", "", map[string]any{
		"lines": []any{map[string]any{"sku": "MUG", "location": "WH1", "quantity": 4}, map[string]any{"sku": "MUG", "location": "WH1", "quantity": 2}}})
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, prob["detail"], "MUG")
	status, _ = call(t, srv, "POST", "/v1/reservations", "acme-key", "", map[string]any{
		"lines": []any{map[string]any{"sku": "MUG", "location": "WH1", "quantity": 5}}})
	assert.Equal(t, http.StatusCreated, status)
	_, body = call(t, srv, "GET", "/v1/stock?sku=MUG&location=WH1", "acme-key", "", nil)
	assert.EqualValues(t, 0, body["levels"].([]any)[0].(map[string]any)["available"])
}
