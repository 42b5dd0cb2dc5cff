package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// step posts body to /v1/reservations/{kind} for acme under the
// Idempotency-Key key and returns the status and the reply.
func (f *stockFixture) step(kind, key string, body any) (int, map[string]any) {
	f.t.Helper()
	return call(f.t, f.srv, "POST", "/v1/reservations/"+kind, "acme-key", key, body)
}

// mustStep is step for a step that must succeed as a first attempt.
func (f *stockFixture) mustStep(kind, key string, body any) map[string]any {
	f.t.Helper()
	status, reply := f.step(kind, key, body)
	require.Equal(f.t, http.StatusOK, status, "%s: %v", kind, reply)
	require.Nil(f.t, reply["replayed"], "%s: a first attempt is not a replay", kind)
	return reply
}

// reservations lists acme's reservations through the API with the query.
func (f *stockFixture) reservations(query string) []map[string]any {
	f.t.Helper()
	status, body := call(f.t, f.srv, "GET", "/v1/reservations?"+query, "acme-key", "", nil)
	require.Equal(f.t, http.StatusOK, status, "%v", body)
	var out []map[string]any
	for _, r := range body["reservations"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

// onHand returns the on-hand units of sku at WH1.
func (f *stockFixture) onHand(sku string) int64 {
	f.t.Helper()
	return int64(level(f.t, f.srv, sku)["on_hand"].(float64))
}

// cartHold holds n units of sku at WH1 for a cart (line ref, a 15-minute
// TTL) and returns the reservation's ID.
func (f *stockFixture) cartHold(sku string, n int, ref string) string {
	f.t.Helper()
	status, body := call(f.t, f.srv, "POST", "/v1/reservations", "acme-key", "", map[string]any{"ttl_seconds": 900,
		"lines": []any{map[string]any{"sku": sku, "location": "WH1", "quantity": n, "line": ref}}})
	require.Equal(f.t, http.StatusCreated, status, "%v", body)
	return body["reservations"].([]any)[0].(map[string]any)["id"].(string)
}

func part(res string, qty int, line string) map[string]any {
	p := map[string]any{"reservation": res}
	if qty != 0 {
		p["quantity"] = qty
	}
	if line != "" {
		p["line"] = line
	}
	return p
}

// TestReservationLifecycle walks a cart hold through commit (re-pointed at
// the order with its order line), release and consume, checking the levels
// after each step.
func TestReservationLifecycle(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 10}, false)
	walkLifecycle(t, f, f)
}

// walkLifecycle runs the walk with the steps sent to f and the checks
// read through g (another instance over the same database, or f).
func walkLifecycle(t *testing.T, f, g *stockFixture) {
	id := f.place(orderOf("MUG", 2))
	cart := f.cartHold("MUG", 3, "cart-line-7")
	assert.Equal(t, [3]int64{7, 3, 0}, g.buckets("MUG"))
	assert.Empty(t, g.reservations("order="+id), "a cart hold is not the order's")

	// The checkout commits two of the cart's three units to the order,
	// for its line 1: the hold becomes the order's.
	reply := f.mustStep("commit", "commit-1", map[string]any{"order": id, "parts": []any{part(cart, 2, "1")}})
	require.Len(t, reply["reservations"], 1)
	res := reply["reservations"].([]any)[0].(map[string]any)
	assert.Equal(t, cart, res["id"])
	assert.EqualValues(t, 1, res["reserved"])
	assert.EqualValues(t, 2, res["committed"])
	assert.Equal(t, [3]int64{7, 1, 2}, g.buckets("MUG"))
	assert.EqualValues(t, 10, g.onHand("MUG"))
	rs := g.reservations("order=" + id)
	require.Len(t, rs, 1)
	assert.Equal(t, cart, rs[0]["id"])
	assert.Equal(t, "1", rs[0]["line"], "the order line replaces the cart's")
	assert.Equal(t, map[string]any{"type": "order", "order": id}, rs[0]["ref"])

	// The unit the order does not take goes back.
	f.mustStep("release", "release-1", map[string]any{"parts": []any{part(cart, 0, "")}})
	assert.Equal(t, [3]int64{8, 0, 2}, g.buckets("MUG"))
	assert.EqualValues(t, 10, g.onHand("MUG"))

	// The two picked units ship: they leave on hand.
	f.mustStep("consume", "consume-1", map[string]any{"order": id, "parts": []any{part(cart, 2, "")}})
	assert.Equal(t, [3]int64{8, 0, 0}, g.buckets("MUG"))
	assert.EqualValues(t, 8, g.onHand("MUG"))
	assert.Empty(t, g.reservations("order="+id), "nothing is left held or committed")
	closed := g.reservations("closed=true&order=" + id)
	require.Len(t, closed, 1)
	assert.EqualValues(t, 0, closed[0]["reserved"])
	assert.EqualValues(t, 0, closed[0]["committed"])

	// Every step retried under its key returns its first receipt and
	// changes nothing.
	for _, s := range []struct {
		kind, key string
		body      any
	}{
		{"commit", "commit-1", map[string]any{"order": id, "parts": []any{part(cart, 2, "1")}}},
		{"release", "release-1", map[string]any{"parts": []any{part(cart, 0, "")}}},
		{"consume", "consume-1", map[string]any{"order": id, "parts": []any{part(cart, 2, "")}}},
	} {
		status, again := g.step(s.kind, s.key, s.body)
		assert.Equal(t, http.StatusOK, status, "%s: %v", s.kind, again)
		assert.Equal(t, true, again["replayed"], s.kind)
	}
	assert.Equal(t, [3]int64{8, 0, 0}, f.buckets("MUG"))
	assert.EqualValues(t, 8, f.onHand("MUG"))
	d, err := f.a.inventory.Reconcile(t.Context(), "acme")
	require.NoError(t, err)
	assert.Empty(t, d, "the levels agree with the ledger")
}

func TestStepReplaysReturnTheFirstReceipt(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 10}, false)
	id := f.place(orderOf("MUG", 4))
	rs := f.reserve(id, "MUG", 4, "1")

	body := map[string]any{"order": id, "parts": []any{part(rs[0], 3, "")}}
	first := f.mustStep("commit", "commit-1", body)
	require.Equal(t, [3]int64{6, 1, 3}, f.buckets("MUG"))

	status, again := f.step("commit", "commit-1", body)
	require.Equal(t, http.StatusOK, status, "%v", again)
	assert.Equal(t, true, again["replayed"])
	delete(again, "replayed")
	assert.Equal(t, first, again, "the replay returns the first receipt")
	assert.Equal(t, [3]int64{6, 1, 3}, f.buckets("MUG"), "and commits nothing more")
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest("POST", f.srv.URL+"/v1/reservations/commit", bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", "acme-key")
	req.Header.Set("Idempotency-Key", "commit-1")
	resp, err := f.srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "true", resp.Header.Get("Idempotent-Replayed"), "a replay says so in its header")

	// The key with another body, or for another step, is refused.
	status, prob := f.step("commit", "commit-1", map[string]any{"order": id, "parts": []any{part(rs[0], 1, "")}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "idempotency_conflict", prob["kind"])
	status, prob = f.step("release", "commit-1", map[string]any{"parts": []any{part(rs[0], 1, "")}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "idempotency_conflict", prob["kind"])
	assert.Equal(t, [3]int64{6, 1, 3}, f.buckets("MUG"))

	// A consume retried under its key ships its units once.
	for range 3 {
		status, _ := f.step("consume", "ship-1", map[string]any{"parts": []any{part(rs[0], 2, "")}})
		require.Equal(t, http.StatusOK, status)
	}
	assert.Equal(t, [3]int64{6, 1, 1}, f.buckets("MUG"))
	assert.EqualValues(t, 8, f.onHand("MUG"))

	// An unreserve retried is replayed too.
	f.mustStep("unreserve", "unres-1", map[string]any{"reservations": []string{rs[0]}})
	status, again = f.step("unreserve", "unres-1", map[string]any{"reservations": []string{rs[0]}})
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, true, again["replayed"])
	assert.Equal(t, [3]int64{8, 0, 0}, f.buckets("MUG"))
}

func TestStepBadInputChangesNothing(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 10}, false)
	id := f.place(orderOf("MUG", 4))
	rs := f.reserve(id, "MUG", 4, "1")
	f.mustStep("commit", "commit-1", map[string]any{"parts": []any{part(rs[0], 1, "")}})
	lapsed := f.cartHold("MUG", 1, "")
	f.clock.Advance(time.Hour) // the cart hold lapses: its unit counts as available
	before := f.reservations("closed=true")
	require.Equal(t, [3]int64{6, 3, 1}, f.buckets("MUG"))

	ghost := "00000000-0000-4000-8000-000000000000"
	tests := []struct {
		name, route string
		apiKey      string // acme-key if empty
		idem        string // a fresh key if empty, none if "-"
		body        any
		status      int
		kind        string
	}{
		{"unknown reservation", "commit", "", "", map[string]any{"parts": []any{part(ghost, 1, "")}}, http.StatusNotFound, "not_found"},
		{"unknown reservation", "consume", "", "", map[string]any{"parts": []any{part(ghost, 1, "")}}, http.StatusNotFound, "not_found"},
		{"unknown reservation", "release", "", "", map[string]any{"parts": []any{part(ghost, 1, "")}}, http.StatusNotFound, "not_found"},
		{"unknown reservation", "unreserve", "", "", map[string]any{"reservations": []string{ghost}}, http.StatusNotFound, "not_found"},
		{"one unknown of two", "commit", "", "", map[string]any{"parts": []any{part(rs[0], 1, ""), part(ghost, 1, "")}}, http.StatusNotFound, "not_found"},
		{"another owner's reservation", "commit", "globex-key", "", map[string]any{"parts": []any{part(rs[0], 1, "")}}, http.StatusNotFound, "not_found"},
		{"another owner's reservation", "consume", "globex-key", "", map[string]any{"parts": []any{part(rs[0], 1, "")}}, http.StatusNotFound, "not_found"},
		{"another owner's reservation", "release", "globex-key", "", map[string]any{"parts": []any{part(rs[0], 0, "")}}, http.StatusNotFound, "not_found"},
		{"another owner's reservation", "unreserve", "globex-key", "", map[string]any{"reservations": []string{rs[0]}}, http.StatusNotFound, "not_found"},
		{"more than held", "commit", "", "", map[string]any{"parts": []any{part(rs[0], 4, "")}}, http.StatusConflict, "insufficient_stock"},
		{"more than committed", "consume", "", "", map[string]any{"parts": []any{part(rs[0], 2, "")}}, http.StatusConflict, "insufficient_stock"},
		{"more than held", "release", "", "", map[string]any{"parts": []any{part(rs[0], 4, "")}}, http.StatusConflict, "insufficient_stock"},
		{"a good part and one too many", "release", "", "", map[string]any{"parts": []any{part(rs[0], 1, ""), part(rs[0], 3, "")}}, http.StatusConflict, "insufficient_stock"},
		{"negative quantity", "commit", "", "", map[string]any{"parts": []any{part(rs[0], -1, "")}}, http.StatusBadRequest, "invalid_operation"},
		{"negative quantity", "consume", "", "", map[string]any{"parts": []any{part(rs[0], -1, "")}}, http.StatusBadRequest, "invalid_operation"},
		{"negative quantity", "release", "", "", map[string]any{"parts": []any{part(rs[0], -1, "")}}, http.StatusBadRequest, "invalid_operation"},
		{"no parts", "commit", "", "", map[string]any{"parts": []any{}}, http.StatusBadRequest, "invalid_operation"},
		{"no reservations", "unreserve", "", "", map[string]any{}, http.StatusBadRequest, "invalid_operation"},
		{"no reservation ID", "release", "", "", map[string]any{"parts": []any{map[string]any{"quantity": 1}}}, http.StatusBadRequest, "invalid_operation"},
		{"a line on a release", "release", "", "", map[string]any{"parts": []any{part(rs[0], 1, "2")}}, http.StatusBadRequest, "invalid_operation"},
		{"a lapsed hold", "commit", "", "", map[string]any{"parts": []any{part(lapsed, 0, "")}}, http.StatusConflict, "expired"},
		{"malformed JSON", "commit", "", "", `{"parts":[`, http.StatusBadRequest, "invalid_request"},
		{"malformed JSON", "unreserve", "", "", `{"reservations":`, http.StatusBadRequest, "invalid_request"},
		{"unknown field", "consume", "", "", `{"parts":[],"qty":1}`, http.StatusBadRequest, "invalid_request"},
		{"quantity as text", "commit", "", "", `{"parts":[{"reservation":"x","quantity":"1"}]}`, http.StatusBadRequest, "invalid_request"},
		{"bad order ID", "commit", "", "", map[string]any{"order": "nope", "parts": []any{part(rs[0], 1, "")}}, http.StatusBadRequest, "invalid_request"},
		{"unreserve with quantities", "unreserve", "", "", map[string]any{"parts": []any{part(rs[0], 1, "")}}, http.StatusBadRequest, "invalid_request"},
		{"no Idempotency-Key", "commit", "", "-", map[string]any{"parts": []any{part(rs[0], 1, "")}}, http.StatusBadRequest, "invalid_request"},
		{"no Idempotency-Key", "unreserve", "", "-", map[string]any{"reservations": []string{rs[0]}}, http.StatusBadRequest, "invalid_request"},
		{"a reserved Idempotency-Key", "release", "", "order-stock:" + id + ":2", map[string]any{"parts": []any{part(rs[0], 0, "")}}, http.StatusBadRequest, "invalid_request"},
		{"a reserved Idempotency-Key", "unreserve", "", "order-stock:x", map[string]any{"reservations": []string{rs[0]}}, http.StatusBadRequest, "invalid_request"},
	}
	for i, tc := range tests {
		t.Run(tc.route+" "+tc.name, func(t *testing.T) {
			apiKey, idem := tc.apiKey, tc.idem
			if apiKey == "" {
				apiKey = "acme-key"
			}
			switch idem {
			case "":
				idem = fmt.Sprint("bad-", i)
			case "-":
				idem = ""
			}
			status, prob := call(t, f.srv, "POST", "/v1/reservations/"+tc.route, apiKey, idem, tc.body)
			assert.Equal(t, tc.status, status, "%v", prob)
			assert.Equal(t, tc.kind, prob["kind"], "%v", prob)
			assert.NotEmpty(t, prob["detail"])
			assert.Equal(t, "/v1/reservations/"+tc.route, prob["instance"])
			assert.Equal(t, [3]int64{6, 3, 1}, f.buckets("MUG"), "the level is unchanged")
			assert.EqualValues(t, 10, f.onHand("MUG"))
			assert.Equal(t, before, f.reservations("closed=true"), "the reservations are unchanged")
		})
	}

	// A refused request records nothing under its key: the key then
	// serves a good request.
	status, _ := f.step("commit", "bad-0", map[string]any{"parts": []any{part(rs[0], 1, "")}})
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, [3]int64{6, 2, 2}, f.buckets("MUG"))
}

func TestReleaseAndUnreserve(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 10, "CUP": 5}, false)
	id := f.place(orderOf("MUG", 4, "CUP", 2))
	rs := append(f.reserve(id, "MUG", 4, "1"), f.reserve(id, "CUP", 2, "2")...)
	require.Equal(t, [3]int64{6, 4, 0}, f.buckets("MUG"))

	// Release some units of one reservation, and all of another.
	f.mustStep("release", "rel-1", map[string]any{"order": id, "parts": []any{part(rs[0], 1, ""), part(rs[1], 0, "")}})
	assert.Equal(t, [3]int64{7, 3, 0}, f.buckets("MUG"))
	assert.Equal(t, [3]int64{5, 0, 0}, f.buckets("CUP"))
	rsv := f.reservations("order=" + id)
	require.Len(t, rsv, 1, "the CUP reservation is closed")
	assert.EqualValues(t, 3, rsv[0]["reserved"])

	// Commit two, then unreserve: held and committed units go back.
	f.mustStep("commit", "com-1", map[string]any{"parts": []any{part(rs[0], 2, "")}})
	assert.Equal(t, [3]int64{7, 1, 2}, f.buckets("MUG"))
	reply := f.mustStep("unreserve", "unres-1", map[string]any{"order": id, "reservations": []string{rs[0]}})
	assert.Equal(t, [3]int64{10, 0, 0}, f.buckets("MUG"))
	assert.EqualValues(t, 10, f.onHand("MUG"))
	assert.Empty(t, f.reservations("order="+id))
	var kinds []string
	for _, e := range reply["entries"].([]any) {
		e := e.(map[string]any)
		kinds = append(kinds, e["kind"].(string))
		assert.Equal(t, "cancelled", e["reason"], "the default reason")
		assert.Equal(t, id, e["ref"].(map[string]any)["order"], "the order is the entry's reference")
	}
	assert.Equal(t, []string{"unreserve"}, kinds)

	// Releasing a closed reservation's held units releases nothing.
	status, again := f.step("release", "rel-2", map[string]any{"parts": []any{part(rs[0], 0, "")}})
	assert.Equal(t, http.StatusOK, status, "%v", again)
	assert.Empty(t, again["entries"])
	assert.Equal(t, [3]int64{10, 0, 0}, f.buckets("MUG"))
}

// TestUnreserveAfterCancel is the warehouse's side of a cancellation: the
// cancel releases the held units and leaves the committed ones, which an
// unreserve then puts back, so that the order's stock is all available.
func TestUnreserveAfterCancel(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 10}, false)
	id := f.place(orderOf("MUG", 3))
	rs := f.reserve(id, "MUG", 3, "1")
	f.mustStep("commit", "pick-1", map[string]any{"order": id, "parts": []any{part(rs[0], 2, "1")}})
	require.Equal(t, [3]int64{7, 1, 2}, f.buckets("MUG"))

	reply := f.cancel(id, "cancel-1")
	assert.Equal(t, stockReturn{Released: 1, Committed: 2}, stockOf(t, reply))
	assert.Equal(t, [3]int64{8, 0, 2}, f.buckets("MUG"), "the committed units stay committed")
	assert.Equal(t, housekept{}, pass(t, f.a), "housekeeping leaves them alone")

	left := f.reservations("order=" + id)
	require.Len(t, left, 1)
	assert.EqualValues(t, 2, left[0]["committed"])
	f.mustStep("unreserve", "putback-1", map[string]any{"order": id, "reservations": []string{left[0]["id"].(string)}})
	assert.Equal(t, [3]int64{10, 0, 0}, f.buckets("MUG"), "the order's stock is all available")
	assert.EqualValues(t, 10, f.onHand("MUG"))
	assert.Empty(t, f.reservations("order="+id))

	// The cancel replayed, and housekeeping, give nothing more back.
	assert.Equal(t, stockReturn{}, stockOf(t, f.cancel(id, "cancel-1")))
	assert.Equal(t, housekept{}, pass(t, f.a))
	assert.Equal(t, [3]int64{10, 0, 0}, f.buckets("MUG"))
}

func TestListReservations(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 10, "CUP": 10}, false)
	a, b := f.place(orderOf("MUG", 2)), f.place(orderOf("CUP", 1))
	ra := append(f.reserve(a, "MUG", 2, "1"), f.reserve(a, "CUP", 1, "2")...)
	rb := f.reserve(b, "CUP", 1, "1")
	cart := f.cartHold("MUG", 1, "")

	ids := func(rs []map[string]any) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r["id"].(string))
		}
		return out
	}
	assert.ElementsMatch(t, ra, ids(f.reservations("order="+a)))
	assert.ElementsMatch(t, rb, ids(f.reservations("order="+b)))
	assert.ElementsMatch(t, []string{ra[1], rb[0]}, ids(f.reservations("sku=CUP")))
	assert.ElementsMatch(t, []string{cart}, ids(f.reservations("id="+cart)))
	assert.ElementsMatch(t, append(append([]string{cart}, ra...), rb...), ids(f.reservations("")))

	// A lapsed hold is not live.
	f.clock.Advance(time.Hour)
	assert.Empty(t, f.reservations("id="+cart))
	assert.Len(t, f.reservations("closed=true&id="+cart), 1)

	// Another owner sees none of them.
	status, body := call(t, f.srv, "GET", "/v1/reservations?order="+a, "globex-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []any{}, body["reservations"])

	for _, q := range []string{"order=nope", "closed=maybe"} {
		status, prob := call(t, f.srv, "GET", "/v1/reservations?"+q, "acme-key", "", nil)
		assert.Equal(t, http.StatusBadRequest, status, q)
		assert.Equal(t, "invalid_request", prob["kind"], q)
	}
}

// TestStepsRandomSequences runs random reservations, commits, consumes,
// releases and unreserves through the API, some asking for more units than
// they may, with replays of earlier steps and earlier keys reused with
// another body, against a model of the reservations, with a fixed seed.
// After every step the level and the live reservations are the model's,
// and the stock agrees with its ledger.
func TestStepsRandomSequences(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { checkStepSequence(t, seed) })
	}
}

func checkStepSequence(t *testing.T, seed uint64) {
	rnd := rand.New(rand.NewPCG(seed, 11))
	f := newStockFixture(t, "", map[string]int{"MUG": 20}, false)
	id := f.place(orderOf("MUG", 5))
	type units struct{ held, committed int64 }
	var (
		onHand int64 = 20
		model        = map[string]units{}
		ids    []string
	)
	type sent struct {
		route, key string
		body       any
	}
	var done []sent // steps applied, for replays
	check := func(step string) {
		t.Helper()
		var held, committed int64
		live := map[string]units{}
		for r, u := range model {
			held += u.held
			committed += u.committed
			if u.held > 0 || u.committed > 0 {
				live[r] = u
			}
		}
		require.Equal(t, [3]int64{onHand - held - committed, held, committed}, f.buckets("MUG"), step)
		require.Equal(t, onHand, f.onHand("MUG"), step)
		got := map[string]units{}
		for _, r := range f.reservations("") {
			got[r["id"].(string)] = units{int64(r["reserved"].(float64)), int64(r["committed"].(float64))}
		}
		require.Equal(t, live, got, "%s: the live reservations", step)
		d, err := f.a.inventory.Reconcile(t.Context(), "acme")
		require.NoError(t, err)
		require.Empty(t, d, "%s: the stock agrees with its ledger", step)
	}

	for step := range 60 {
		name := fmt.Sprint("step ", step)
		key := fmt.Sprint("k-", step)
		var held, committed int64
		for _, u := range model {
			held += u.held
			committed += u.committed
		}
		available := onHand - held - committed
		op := rnd.IntN(10)
		if len(ids) == 0 {
			op = 0
		}
		switch {
		case op == 0: // reserve, for the order or a cart
			n := 1 + rnd.Int64N(4)
			req := map[string]any{"lines": []any{map[string]any{"sku": "MUG", "location": "WH1", "quantity": n}}}
			if rnd.IntN(2) == 0 {
				req["order"] = id
			}
			status, body := call(t, f.srv, "POST", "/v1/reservations", "acme-key", "", req)
			if n > available {
				require.Equal(t, http.StatusConflict, status, "%s: %v", name, body)
				break
			}
			require.Equal(t, http.StatusCreated, status, "%s: %v", name, body)
			r := body["reservations"].([]any)[0].(map[string]any)["id"].(string)
			model[r] = units{held: n}
			ids = append(ids, r)
			name += " reserve"
		case op < 8: // commit, consume or release some units, or too many
			route := []string{"commit", "consume", "release"}[op%3]
			r := ids[rnd.IntN(len(ids))]
			u := model[r]
			have := u.held
			if route == "consume" {
				have = u.committed
			}
			q := rnd.Int64N(have + 2) // 0 means all of them
			body := map[string]any{"parts": []any{part(r, int(q), "")}}
			if route == "commit" && rnd.IntN(2) == 0 {
				body["order"] = id
			}
			status, reply := f.step(route, key, body)
			name += fmt.Sprintf(" %s %d of %d", route, q, have)
			if q > have {
				require.Equal(t, http.StatusConflict, status, "%s: %v", name, reply)
				require.Equal(t, "insufficient_stock", reply["kind"], name)
				break
			}
			require.Equal(t, http.StatusOK, status, "%s: %v", name, reply)
			if q == 0 {
				q = have
			}
			switch route {
			case "commit":
				u.held, u.committed = u.held-q, u.committed+q
			case "consume":
				u.committed -= q
				onHand -= q
			case "release":
				u.held -= q
			}
			model[r] = u
			done = append(done, sent{route, key, body})
		case op == 8: // unreserve
			r := ids[rnd.IntN(len(ids))]
			body := map[string]any{"reservations": []string{r}}
			status, reply := f.step("unreserve", key, body)
			require.Equal(t, http.StatusOK, status, "%s: %v", name, reply)
			model[r] = units{}
			done = append(done, sent{"unreserve", key, body})
			name += " unreserve"
		default: // replay an earlier step, or reuse its key with another body
			if len(done) == 0 {
				continue
			}
			s := done[rnd.IntN(len(done))]
			if rnd.IntN(3) == 0 {
				status, reply := f.step("release", s.key, map[string]any{"parts": []any{part(ids[0], 0, "")}, "reason": "other"})
				require.Equal(t, http.StatusUnprocessableEntity, status, "%s: %v", name, reply)
				require.Equal(t, "idempotency_conflict", reply["kind"], name)
				name += " key reused"
				break
			}
			status, reply := f.step(s.route, s.key, s.body)
			require.Equal(t, http.StatusOK, status, "%s: %v", name, reply)
			require.Equal(t, true, reply["replayed"], name)
			name += " replay " + s.route
		}
		check(name)
	}
}
