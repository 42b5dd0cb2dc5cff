package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/returns"
	"github.com/fulfillkit/fulfill/ship"
)

// fuzzRoute is a route the fuzz targets call, with the statuses it
// documents. In a path, $ORDER stands for the fixture's order.
type fuzzRoute struct {
	method, path string
	statuses     []int
}

// The statuses each route answers with. None is a 5xx: the in-memory
// stores do not fail, and the carriers are rate cards, which answer at
// once, so no request may fail on the server's side (504 is for a carrier
// that times out, which these cannot).
var (
	placeStatuses   = []int{200, 201, 400, 409, 422}
	commandStatuses = []int{200, 400, 404, 409, 422}
	stockStatuses   = []int{200, 201, 400, 409, 422}
	stepStatuses    = []int{200, 400, 404, 409, 422}
	createStatuses  = []int{201, 400, 404, 409, 422}
	queryStatuses   = []int{200, 400}
)

// fuzzRoutes are the POST routes, and the GET routes that read a query
// string (for those, the fuzzed body is the query).
var fuzzRoutes = []fuzzRoute{
	{"POST", "/v1/orders", placeStatuses},
	{"POST", "/v1/orders/$ORDER/cancel", commandStatuses},
	{"POST", "/v1/orders/$ORDER/holds", commandStatuses},
	{"POST", "/v1/orders/$ORDER/release", commandStatuses},
	{"POST", "/v1/orders/$ORDER/confirm", commandStatuses},
	{"POST", "/v1/orders/$ORDER/allocate", commandStatuses},
	{"POST", "/v1/stock/receive", stockStatuses},
	{"POST", "/v1/reservations", stockStatuses},
	{"POST", "/v1/reservations/commit", stepStatuses},
	{"POST", "/v1/reservations/consume", stepStatuses},
	{"POST", "/v1/reservations/release", stepStatuses},
	{"POST", "/v1/reservations/unreserve", stepStatuses},
	{"POST", "/v1/rates", []int{200, 400, 422}},
	{"POST", "/v1/shipments", createStatuses},
	{"POST", "/v1/webhooks/tracking/generic", commandStatuses},
	{"POST", "/v1/webhooks/tracking/easypost", commandStatuses},
	{"POST", "/v1/webhooks/tracking/shippo", commandStatuses},
	{"POST", "/v1/webhooks/tracking/shipengine", commandStatuses},
	{"POST", "/v1/returns", createStatuses},
	{"POST", "/v1/returns/RMA-1/cancel", commandStatuses},
	{"GET", "/v1/stock", queryStatuses},
	{"GET", "/v1/reservations", queryStatuses},
}

// fuzzApp is a service in memory on a fake clock, called through its
// handler, with acme's stock and one order for the requests to work on.
type fuzzApp struct {
	t       testing.TB
	a       *app
	h       http.Handler
	clock   *fulfill.FakeClock
	order   string // the fixture's order
	reserve string // its reservation of 2 mugs for line 1
}

// newFuzzApp builds the service with IDs drawn from a fixed seed, receives
// 10 mugs and 5 cups at WH1 for acme, places an order for 2 mugs,
// confirms it, allocates it at WH1, reserves its mugs and records their
// shipment SHP-1.
func newFuzzApp(t testing.TB) *fuzzApp {
	t.Helper()
	clock := fulfill.NewFakeClock(housekeepStart)
	log := slog.New(slog.DiscardHandler)
	a, closeFn, err := newApp(context.Background(), config{keys: serviceKeys, retention: 24 * time.Hour}, log, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeFn)
	a.orders.Random = rand.NewChaCha8([32]byte{1})
	a.inventory = inventory.New(a.inventory.Store(), &inventory.Options{Clock: clock, Rand: rand.NewChaCha8([32]byte{2})})
	f := &fuzzApp{t: t, a: a, h: a.routes(), clock: clock}
	for _, r := range []string{`{"sku":"MUG","location":"WH1","quantity":10}`, `{"sku":"CUP","location":"WH1","quantity":5}`} {
		f.must("POST", "/v1/stock/receive", "", r, http.StatusCreated)
	}
	placed := f.must("POST", "/v1/orders", "", orderBody("MUG", 2), http.StatusCreated)
	f.order = placed.ID
	f.must("POST", "/v1/orders/"+f.order+"/confirm", "", `{}`, http.StatusOK)
	f.must("POST", "/v1/orders/"+f.order+"/allocate", "", `{"location":"WH1","lines":[{"line":1,"quantity":2}]}`, http.StatusOK)
	rc := f.must("POST", "/v1/reservations", "", `{"order":"`+f.order+`","lines":[{"sku":"MUG","location":"WH1","quantity":2,"line":"1"}]}`, http.StatusCreated)
	f.reserve = rc.Reservations[0].ID
	f.must("POST", "/v1/shipments", "", strings.ReplaceAll(shipmentBody, "$ORDER", f.order), http.StatusCreated)
	return f
}

// shipmentBody ships the fixture's order as SHP-1, tracking number 1Z001.
const shipmentBody = `{"id":"SHP-1","order":"$ORDER","origin":"WH1","fulfillment":1,"packages":[{"ref":"box-1",` +
	`"dimensions":{"length":"12in","width":"10in","height":"6in"},"mass":"1lb","label":{"ref":"L1","tracking_number":"1Z001",` +
	`"carrier":"parcelco","created_at":"2026-11-25T09:00:00Z","cost":{"amount":"9.50","currency":"USD"}},` +
	`"lines":[{"line_id":"1","sku":"MUG","quantity":2}]}]}`

// orderBody is a web order for qty units of sku, as JSON.
func orderBody(sku string, qty int) string {
	return fmt.Sprintf(`{"channel":"web","currency":"USD","ship_to":{"line1":"1 Main St","city":"Austin","region":"TX","postal_code":"78701","country":"US"},`+
		`"lines":[{"sku":%q,"quantity":%d,"unit_price":{"amount":"19.99","currency":"USD"}}]}`, sku, qty)
}

// do sends a request as acme through the handler; body is the query for
// a GET. It returns the recorded response.
func (f *fuzzApp) do(method, path, key string, body []byte) *httptest.ResponseRecorder {
	var req *http.Request
	if method == "GET" {
		req = httptest.NewRequest(method, path, nil)
		req.URL.RawQuery = string(body)
	} else {
		req = httptest.NewRequest(method, path, bytes.NewReader(body))
	}
	req.Header.Set("Authorization", "Bearer acme-key")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// created is the part of a reply the fixture reads: an order's ID, or a
// receipt's reservations.
type created struct {
	ID           string `json:"id"`
	Reservations []struct {
		ID string `json:"id"`
	} `json:"reservations"`
}

// must sends a request that must answer with status, and returns the IDs
// it created.
func (f *fuzzApp) must(method, path, key, body string, status int) created {
	f.t.Helper()
	rec := f.do(method, path, key, []byte(body))
	if rec.Code != status {
		f.t.Fatalf("%s %s: status %d, want %d: %s", method, path, rec.Code, status, rec.Body)
	}
	var out created
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	return out
}

// state is what a request must leave alone when it fails: acme's stock
// levels as stored, and the version of each of its orders.
type state struct {
	levels []inventory.Level
	orders map[string]int64
	// records has the version of each of the shipments and returns
	// named that exists.
	records map[string]int64
}

// records are the shipment and return IDs the fixture's requests name.
var records = []string{"SHP-1", "SHP-2", "RMA-1", "RMA-2"}

// state reads acme's levels and the versions of the orders ids.
func (f *fuzzApp) state(ids ...string) state {
	f.t.Helper()
	ctx := context.Background()
	levels, err := f.a.inventory.Levels(ctx, inventory.LevelQuery{Owner: "acme", At: time.Time{}})
	if err != nil {
		f.t.Fatal(err)
	}
	slices.SortFunc(levels, func(a, b inventory.Level) int {
		return strings.Compare(string(a.SKU)+"\x00"+string(a.Location), string(b.SKU)+"\x00"+string(b.Location))
	})
	s := state{levels: levels, orders: map[string]int64{}, records: map[string]int64{}}
	for _, id := range records {
		if sh, err := f.a.shipments.Shipment(ctx, ship.ID(id)); err == nil {
			s.records["shipment "+id] = sh.Version()
		}
		if rma, err := f.a.returns.Get(ctx, "acme", returns.ID(id)); err == nil {
			s.records["return "+id] = rma.Version()
		}
	}
	for _, id := range ids {
		o, err := f.a.orders.Store.Get(ctx, "acme", fulfill.MustOrderID(id))
		if err != nil {
			f.t.Fatal(err)
		}
		s.orders[id] = o.Version()
	}
	return s
}

// checkStock fails the test unless acme's stock agrees with its ledger and
// every level, stored and as seen now, keeps its invariant.
func (f *fuzzApp) checkStock(step string) {
	f.t.Helper()
	ctx := context.Background()
	d, err := f.a.inventory.Reconcile(ctx, "acme")
	if err != nil {
		f.t.Fatalf("%s: reconcile: %v", step, err)
	}
	if len(d) > 0 {
		f.t.Fatalf("%s: the stock disagrees with its ledger: %+v", step, d)
	}
	for _, at := range []time.Time{{}, f.clock.Now()} {
		levels, err := f.a.inventory.Levels(ctx, inventory.LevelQuery{Owner: "acme", At: at})
		if err != nil {
			f.t.Fatalf("%s: levels: %v", step, err)
		}
		for _, l := range levels {
			if err := l.Check(); err != nil {
				f.t.Fatalf("%s: level %s at %s: %v", step, l.SKU, l.Location, err)
			}
		}
	}
}

// checkReply fails the test unless rec answers with one of statuses, an
// error as a problem document with the documented fields and a success as
// JSON.
func (f *fuzzApp) checkReply(step, path string, rec *httptest.ResponseRecorder, statuses []int) {
	f.t.Helper()
	if !slices.Contains(statuses, rec.Code) {
		f.t.Fatalf("%s: status %d is not one of %v: %s", step, rec.Code, statuses, rec.Body)
	}
	if rec.Code < 400 {
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			f.t.Fatalf("%s: Content-Type %q", step, ct)
		}
		if !json.Valid(rec.Body.Bytes()) {
			f.t.Fatalf("%s: the reply is not JSON: %s", step, rec.Body)
		}
		return
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		f.t.Fatalf("%s: Content-Type %q for status %d", step, ct, rec.Code)
	}
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	var p problem
	if err := dec.Decode(&p); err != nil {
		f.t.Fatalf("%s: the problem does not decode: %v: %s", step, err, rec.Body)
	}
	switch {
	case p.Status != rec.Code:
		f.t.Fatalf("%s: the problem's status %d, the reply's %d", step, p.Status, rec.Code)
	case p.Type != "/problems/"+p.Kind || p.Kind == "" || p.Kind == "internal":
		f.t.Fatalf("%s: the problem's type %q and kind %q", step, p.Type, p.Kind)
	case p.Title == "" || p.Detail == "":
		f.t.Fatalf("%s: the problem has no title or detail: %s", step, rec.Body)
	case p.Instance != path:
		f.t.Fatalf("%s: the problem's instance %q, the path %q", step, p.Instance, path)
	}
}

// checkUnchanged fails the test if acme's stock or orders moved from was.
func (f *fuzzApp) checkUnchanged(step string, was state) {
	f.t.Helper()
	now := f.state(slices.Collect(maps.Keys(was.orders))...)
	if !levelsEqual(was.levels, now.levels) {
		f.t.Fatalf("%s: the stock changed:\n was %+v\n now %+v", step, was.levels, now.levels)
	}
	if !maps.Equal(was.records, now.records) {
		f.t.Fatalf("%s: the shipments and returns changed from %v to %v", step, was.records, now.records)
	}
	for id, v := range was.orders {
		if now.orders[id] != v {
			f.t.Fatalf("%s: order %s moved from version %d to %d", step, id, v, now.orders[id])
		}
	}
}

// levelsEqual compares levels by value, times with Equal.
func levelsEqual(a, b []inventory.Level) bool {
	return slices.EqualFunc(a, b, func(x, y inventory.Level) bool {
		return x.Key == y.Key && x.Buckets == y.Buckets && x.Version == y.Version &&
			x.Expires.Equal(y.Expires) && x.Received.Equal(y.Received) && x.Updated.Equal(y.Updated)
	})
}

// FuzzRoutes sends one request of the fuzzer's making to a route of its
// choosing, with an Idempotency-Key or none, on a service holding stock
// and an order, and then the same request again if it has a key. The
// reply has one of the route's statuses, an error is a problem document,
// a failed request changes neither the stock nor the order, a replay
// changes nothing, and the stock agrees with its ledger throughout. In
// the body, $ORDER and $RES stand for the order and its reservation.
func FuzzRoutes(f *testing.F) {
	order := orderBody("MUG", 2)
	seeds := []struct {
		route int
		key   string
		body  string
	}{
		{0, "place-1", order},
		{0, "", `{"channel":`},
		{0, "", `{"chanel":"web"}`},
		{1, "cancel-1", `{"reason":"customer asked"}`},
		{1, "", `{"lines":[{"line":1,"quantity":1}]}`},
		{1, "", `{"lines":[{"line":1,"quantity":-1}]}`},
		{2, "", `{"holds":[{"id":"fraud-1","kind":"fraud_review","source":"fraud-service"}]}`},
		{3, "", `{"holds":["fraud-1"]}`},
		{4, "", `{}`},
		{5, "", `{"location":"WH1","lines":[{"line":1,"quantity":2}]}`},
		{6, "rcv-1", `{"sku":"MUG","location":"WH1","quantity":5}`},
		{6, "", `{"sku":"A","location":"W","quantity":"3"}`},
		{6, "order-stock:x", `{"sku":"MUG","location":"WH1","quantity":5}`},
		{7, "", `{"lines":[{"sku":"MUG","location":"WH1","quantity":-1}]}`},
		{7, "res-1", `{"order":"$ORDER","lines":[{"sku":"CUP","location":"WH1","quantity":2,"line":"1"}],"ttl_seconds":900}`},
		{8, "commit-1", `{"order":"$ORDER","parts":[{"reservation":"$RES","quantity":1,"line":"1"}]}`},
		{8, "", `{"parts":[{"reservation":"$RES"}]}`},
		{9, "consume-1", `{"parts":[{"reservation":"$RES","quantity":3}]}`},
		{10, "release-1", `{"parts":[{"reservation":"$RES","quantity":1}]}`},
		{11, "unreserve-1", `{"order":"$ORDER","reservations":["$RES"]}`},
		{11, "unreserve-2", `{"reservations":["nope"]}`},
		{12, "quote-1", `{"origin":{"line1":"100 Port St","city":"Newark","region":"NJ","postal_code":"07102","country":"US"},` +
			`"destination":{"line1":"500 Congress Ave","city":"Austin","region":"TX","postal_code":"78701","country":"US","residential":true},` +
			`"ship_time":"2026-11-25T15:00:00Z","packages":[{"dimensions":{"length":"12in","width":"10in","height":"6in"},"mass":"3lb"}],"policy":"fastest"}`},
		{12, "", `{"policy":"slowest"}`},
		{13, "ship-1", `{"id":"SHP-1","order":"$ORDER","origin":"WH1","fulfillment":1,"packages":[{"ref":"box-1",` +
			`"dimensions":{"length":"12in","width":"10in","height":"6in"},"mass":"1lb","label":{"ref":"L1","tracking_number":"1Z001",` +
			`"carrier":"parcelco","created_at":"2026-11-25T09:00:00Z","cost":{"amount":"9.50","currency":"USD"}},` +
			`"lines":[{"line_id":"1","sku":"MUG","quantity":2}]}]}`},
		{13, "", `{"id":"SHP-2","order":"$ORDER","origin":"WH1","fulfillment":7,"packages":[{"ref":"box-1",` +
			`"dimensions":{"length":"12in","width":"10in","height":"6in"},"mass":"1lb","label":{"ref":"L1","tracking_number":"1Z002",` +
			`"carrier":"parcelco","created_at":"2026-11-25T09:00:00Z","cost":{"amount":"9.50","currency":"USD"}},` +
			`"lines":[{"line_id":"1","sku":"MUG","quantity":2}]}]}`},
		{14, "hook-1", `[{"id":"e1","tracking_number":"1Z001","source":"shippo","status":"TRANSIT","occurred_at":"2026-11-25T12:00:00Z"}]`},
		{14, "", `[{"id":"x"`},
		{14, "", `[{"id":"e1","tracking_number":"1Z001","source":"shippo","status":"TRANSIT","occurred_at":"2026-11-25T12:00:00Z"},` +
			`{"id":"e2","tracking_number":"1Z999","source":"shippo","status":"TRANSIT","occurred_at":"2026-11-25T13:00:00Z"}]`},
		{15, "", `{"result":{"tracking_code":"1Z001","status":"delivered"}}`},
		{16, "", `{"data":{"tracking_number":"1Z001","tracking_status":{"status":"DELIVERED"}}}`},
		{17, "", `{"data":{"tracking_number":"1Z001","status_code":"DE"}}`},
		{18, "rma-1", `{"id":"RMA-1","order":"$ORDER","channel":"mail","lines":[{"order_line":1,"quantity":1,"reason":"defective"}]}`},
		{19, "cancel-rma-1", `{"reason":"customer keeps it"}`},
		{20, "", "sku=MUG&location=WH1"},
		{20, "", "sku=%zz"},
		{21, "", "order=$ORDER&closed=true"},
		{21, "", "order=nope&closed=maybe"},
	}
	for _, s := range seeds {
		f.Add(uint8(s.route), s.key, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, key string, body []byte) {
		fa := newFuzzApp(t)
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		path := strings.ReplaceAll(r.path, "$ORDER", fa.order)
		body = bytes.ReplaceAll(body, []byte("$ORDER"), []byte(fa.order))
		body = bytes.ReplaceAll(body, []byte("$RES"), []byte(fa.reserve))
		step := r.method + " " + r.path

		was := fa.state(fa.order)
		rec := fa.do(r.method, path, key, body)
		fa.checkReply(step, path, rec, r.statuses)
		if rec.Code >= 400 {
			fa.checkUnchanged(step, was)
		}
		fa.checkStock(step)
		if key == "" || r.method != "POST" {
			return
		}

		step += " replayed"
		was = fa.state(fa.order)
		again := fa.do(r.method, path, key, body)
		fa.checkReply(step, path, again, r.statuses)
		if (again.Code >= 400) != (rec.Code >= 400) {
			t.Fatalf("%s: status %d, the first attempt's %d: %s", step, again.Code, rec.Code, again.Body)
		}
		fa.checkUnchanged(step, was)
		fa.checkStock(step)
	})
}

// fuzzBytes hands out the fuzz input a byte at a time, then zeros.
type fuzzBytes []byte

func (b *fuzzBytes) next() int {
	if len(*b) == 0 {
		return 0
	}
	c := (*b)[0]
	*b = (*b)[1:]
	return int(c)
}

// withField returns the JSON object body with field k set to v.
func withField(body, k string, v any) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		panic(err)
	}
	m[k] = v
	raw, _ := json.Marshal(m)
	return string(raw)
}

// sentRequest is a keyed request a sequence made, for replays.
type sentRequest struct {
	path, key   string
	body, other string // other is another body for the same route
	at          time.Time
	ok          bool // the first attempt succeeded
	cancel      string
}

// FuzzRouteSequences drives a short sequence of requests from the fuzz
// bytes: orders placed, stock received, reserved for an order or a cart,
// committed, consumed, released and unreserved, orders cancelled whole or
// in part, housekeeping passes and the clock moved on, with keyed
// requests replayed and their keys reused with another body. After every
// step the replies have the routes' statuses, a failed request has
// changed nothing, the stock agrees with its ledger and no level breaks
// its invariant; a replay of a request that succeeded changes no stock,
// and its key reused with another body is refused, while the key is kept.
// (A replayed cancel may release units held for the order since it was
// cancelled, as cancelOrder says; it changes nothing else.)
func FuzzRouteSequences(f *testing.F) {
	// Place an order, reserve for it, commit, replay all three (the
	// order with another body too), cancel the order, reserve for it
	// again, replay the cancel, reuse the commit's key, consume, replay
	// it, then a day later housekeeping and a replay of the order.
	f.Add([]byte{0, 1, 1, 0, 1, 2, 1, 0, 1, 0, 1, 1, 1, 3, 1, 1, 1, 1, 10, 1, 2, 1, 10, 1, 1, 1, 10, 1, 0, 0,
		7, 1, 1, 0, 2, 1, 0, 0, 0, 1, 1, 1, 10, 1, 3, 1, 10, 1, 2, 0, 4, 1, 1, 0, 10, 1, 5, 1,
		9, 1, 0, 0, 8, 1, 10, 1, 0, 1})
	f.Add([]byte{0, 2, 1, 2, 0, 1, 3, 3, 0, 1, 0, 4, 0, 0, 7, 0, 0, 1, 10, 0, 0})
	f.Add([]byte{0, 3, 1, 2, 0, 0, 1, 3, 5, 0, 2, 1, 6, 0, 1, 8, 9, 100, 10, 1, 1})
	f.Add([]byte{2, 1, 3, 4, 0, 0, 9, 7, 8, 10, 0, 0, 3, 0, 0, 1, 4, 0, 0, 0, 10, 2, 1})
	f.Add([]byte{0, 5, 0, 2, 0, 0, 2, 1, 7, 0, 1, 1, 2, 10, 3, 0, 8, 10, 2, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 256 {
			data = data[:256]
		}
		in := fuzzBytes(data)
		fa := newFuzzApp(t)
		orders := []string{fa.order}
		reservations := []string{fa.reserve}
		var sent []sentRequest
		skus := []string{"MUG", "CUP"}

		for i := 0; len(in) > 0 && i < 24; i++ {
			op := in.next() % 11
			key := ""
			if in.next()%4 != 0 {
				key = fmt.Sprint("k-", i)
			}
			var (
				path, body, other string
				statuses          []int
				cancel            string
			)
			switch op {
			case 0: // place an order
				n, m := 1+in.next()%4, in.next()%3
				o := orderOf("MUG", n)
				if m > 0 {
					o = orderOf("MUG", n, "CUP", m)
				}
				if in.next()%2 == 0 {
					o["ttl"] = int64(time.Hour)
				}
				raw, _ := json.Marshal(o)
				o["customer"] = "other"
				alt, _ := json.Marshal(o)
				path, body, other, statuses = "/v1/orders", string(raw), string(alt), placeStatuses
			case 1: // receive
				path, statuses = "/v1/stock/receive", stockStatuses
				body = fmt.Sprintf(`{"sku":%q,"location":"WH1","quantity":%d}`, skus[in.next()%2], 1+in.next()%5)
				other = withField(body, "reason", "found")
			case 2: // reserve for an order or a cart
				path, statuses = "/v1/reservations", stockStatuses
				req := map[string]any{"lines": []any{map[string]any{"sku": skus[in.next()%2], "location": "WH1",
					"quantity": 1 + in.next()%4, "line": []string{"1", "2", ""}[in.next()%3]}}}
				if c := in.next() % 3; c > 0 {
					req["order"] = orders[in.next()%len(orders)]
				}
				if in.next()%2 == 0 {
					req["ttl_seconds"] = 600
				}
				raw, _ := json.Marshal(req)
				req["ttl_seconds"] = 60
				alt, _ := json.Marshal(req)
				body, other = string(raw), string(alt)
			case 3, 4, 5: // commit, consume or release (0 is every unit)
				route := []string{"commit", "consume", "release"}[op-3]
				path, statuses = "/v1/reservations/"+route, stepStatuses
				req := map[string]any{"parts": []any{part(reservations[in.next()%len(reservations)], in.next()%4, "")}}
				if route == "commit" && in.next()%2 == 0 {
					req["order"] = orders[in.next()%len(orders)]
				}
				raw, _ := json.Marshal(req)
				req["reason"] = "other"
				alt, _ := json.Marshal(req)
				body, other = string(raw), string(alt)
			case 6: // unreserve
				path, statuses = "/v1/reservations/unreserve", stepStatuses
				body = fmt.Sprintf(`{"reservations":[%q]}`, reservations[in.next()%len(reservations)])
				other = withField(body, "reason", "other")
			case 7: // cancel an order, whole or a line in part
				cancel = orders[in.next()%len(orders)]
				path, statuses = "/v1/orders/"+cancel+"/cancel", commandStatuses
				body = `{}`
				if n := in.next() % 3; n > 0 {
					body = fmt.Sprintf(`{"lines":[{"line":%d,"quantity":%d}]}`, n, 1+in.next()%2)
				}
				other = withField(body, "reason", "other")
			case 8: // housekeeping
				if _, err := fa.a.housekeep(context.Background()); err != nil {
					t.Fatalf("step %d: housekeeping: %v", i, err)
				}
				fa.checkStock(fmt.Sprintf("step %d: housekeeping", i))
				continue
			case 9: // the clock moves on: minutes, or past the retention
				d := time.Duration(1+in.next()%8) * 15 * time.Minute
				if in.next()%8 == 0 {
					d = 25 * time.Hour
				}
				fa.clock.Advance(d)
				fa.checkStock(fmt.Sprintf("step %d: %s later", i, d))
				continue
			case 10: // replay a keyed request, or reuse its key with another body
				if len(sent) == 0 {
					continue
				}
				s := sent[in.next()%len(sent)]
				alt := in.next()%3 == 0
				b := s.body
				if alt {
					b = s.other
				}
				step := fmt.Sprintf("step %d: replay of %s (alt %t, ok %t)", i, s.path, alt, s.ok)
				was := fa.state(orders...)
				rec := fa.do("POST", s.path, s.key, []byte(b))
				fa.checkReply(step, s.path, rec, slices.Concat(placeStatuses, commandStatuses))
				fa.checkStock(step)
				if !s.ok || fa.clock.Now().Sub(s.at) >= fa.a.retention {
					continue // the key is not kept: the request runs as a new one
				}
				if alt {
					if rec.Code != http.StatusUnprocessableEntity {
						t.Fatalf("%s: status %d, want 422: %s", step, rec.Code, rec.Body)
					}
					fa.checkUnchanged(step, was)
					continue
				}
				if rec.Code >= 300 {
					t.Fatalf("%s: status %d: %s", step, rec.Code, rec.Body)
				}
				if s.cancel == "" {
					fa.checkUnchanged(step, was)
					continue
				}
				// A replayed cancel may only release held units.
				now := fa.state()
				if len(now.levels) != len(was.levels) {
					t.Fatalf("%s: the levels changed: %+v", step, now.levels)
				}
				for j, l := range now.levels {
					w := was.levels[j]
					if l.OnHand != w.OnHand || l.Committed != w.Committed || l.Reserved > w.Reserved {
						t.Fatalf("%s: level %s moved from %+v to %+v", step, l.SKU, w.Buckets, l.Buckets)
					}
				}
				continue
			}

			step := fmt.Sprintf("step %d: POST %s %s (key %q)", i, path, body, key)
			was := fa.state(orders...)
			rec := fa.do("POST", path, key, []byte(body))
			fa.checkReply(step, path, rec, statuses)
			if rec.Code >= 400 {
				fa.checkUnchanged(step, was)
			}
			fa.checkStock(step)
			if rec.Code < 300 && (op == 0 || op == 2) {
				var out created
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				if op == 0 && !slices.Contains(orders, out.ID) {
					orders = append(orders, out.ID)
				}
				for _, r := range out.Reservations {
					if !slices.Contains(reservations, r.ID) {
						reservations = append(reservations, r.ID)
					}
				}
			}
			if key != "" {
				sent = append(sent, sentRequest{path: path, key: key, body: body, other: other,
					at: fa.clock.Now(), ok: rec.Code < 300, cancel: cancel})
			}
		}
	})
}
