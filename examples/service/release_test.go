package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
)

// orderOf returns an order for lines given as SKU, quantity pairs; the
// lines get IDs 1, 2, ... in that order.
func orderOf(lines ...any) map[string]any {
	o := webOrder("", 1)
	var ls []any
	for i := 0; i < len(lines); i += 2 {
		ls = append(ls, map[string]any{"sku": lines[i], "quantity": lines[i+1],
			"unit_price": map[string]any{"amount": "10.00", "currency": "USD"}})
	}
	o["lines"] = ls
	return o
}

// stockFixture is a service on a fake clock with acme's stock received.
type stockFixture struct {
	t     *testing.T
	a     *app
	srv   *httptest.Server
	clock *fulfill.FakeClock
	// flaky, if not nil, is the service's inventory store.
	flaky *flakyReleases
}

// newStockFixture starts a service in memory (or on db) and receives onHand
// units of each SKU at WH1 for acme. With flaky, the inventory store is a
// *flakyReleases whose releases can be made to fail.
func newStockFixture(t *testing.T, db string, onHand map[string]int, flaky bool) *stockFixture {
	t.Helper()
	clock := fulfill.NewFakeClock(housekeepStart)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, closeFn, err := newApp(context.Background(), config{db: db, keys: serviceKeys, retention: 24 * time.Hour}, log, clock)
	require.NoError(t, err)
	f := &stockFixture{t: t, a: a, clock: clock}
	if flaky {
		f.flaky = &flakyReleases{Store: a.inventory.Store()}
		a.inventory = inventory.New(f.flaky, &inventory.Options{Clock: clock})
	}
	f.srv = httptest.NewServer(a.routes())
	t.Cleanup(func() { f.srv.Close(); closeFn() })
	for sku, n := range onHand {
		status, body := call(t, f.srv, "POST", "/v1/stock/receive", "acme-key", "", map[string]any{"sku": sku, "location": "WH1", "quantity": n})
		require.Equal(t, http.StatusCreated, status, "%v", body)
	}
	return f
}

// place places an order for acme and returns its ID.
func (f *stockFixture) place(o map[string]any) string {
	f.t.Helper()
	status, placed := call(f.t, f.srv, "POST", "/v1/orders", "acme-key", "", o)
	require.Equal(f.t, http.StatusCreated, status, "%v", placed)
	return placed["id"].(string)
}

// reserve holds stock for order id (none: a cart hold) at WH1, lines given
// as SKU, quantity, line triples, and returns the reservation IDs.
func (f *stockFixture) reserve(id string, lines ...any) []string {
	f.t.Helper()
	req := map[string]any{}
	if id != "" {
		req["order"] = id
	}
	var ls []any
	for i := 0; i < len(lines); i += 3 {
		ls = append(ls, map[string]any{"sku": lines[i], "location": "WH1", "quantity": lines[i+1], "line": lines[i+2]})
	}
	req["lines"] = ls
	status, body := call(f.t, f.srv, "POST", "/v1/reservations", "acme-key", "", req)
	require.Equal(f.t, http.StatusCreated, status, "%v", body)
	var ids []string
	for _, r := range body["reservations"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	return ids
}

// cancel cancels order id (some lines, if given) and returns the reply.
func (f *stockFixture) cancel(id, key string, lines ...any) map[string]any {
	f.t.Helper()
	req := map[string]any{}
	if len(lines) > 0 {
		var ls []any
		for i := 0; i < len(lines); i += 2 {
			ls = append(ls, map[string]any{"line": lines[i], "quantity": lines[i+1]})
		}
		req["lines"] = ls
	}
	status, body := call(f.t, f.srv, "POST", "/v1/orders/"+id+"/cancel", "acme-key", key, req)
	require.Equal(f.t, http.StatusOK, status, "%v", body)
	return body
}

// stock returns the "stock" part of a cancel reply.
func stockOf(t *testing.T, reply map[string]any) stockReturn {
	t.Helper()
	s, ok := reply["stock"].(map[string]any)
	require.True(t, ok, "the cancel reply has a stock part: %v", reply)
	p, _ := s["pending"].(bool)
	return stockReturn{Released: int64(s["released"].(float64)), Committed: int64(s["committed"].(float64)), Pending: p}
}

// buckets returns the available, reserved and committed units of sku at WH1.
func (f *stockFixture) buckets(sku string) [3]int64 {
	f.t.Helper()
	l := level(f.t, f.srv, sku)
	return [3]int64{int64(l["available"].(float64)), int64(l["reserved"].(float64)), int64(l["committed"].(float64))}
}

// held returns the held units of the order's live reservations, by line.
func (f *stockFixture) held(id string) map[string]int64 {
	f.t.Helper()
	rs, err := f.a.orderReservations(context.Background(), "acme", fulfill.MustOrderID(id))
	require.NoError(f.t, err)
	out := map[string]int64{}
	for _, r := range rs {
		out[r.Line] += r.Reserved
	}
	return out
}

// releases counts acme's ledger entries releasing held units.
func (f *stockFixture) releases() int {
	f.t.Helper()
	entries, err := f.a.inventory.Ledger(context.Background(), inventory.LedgerQuery{Owner: "acme"})
	require.NoError(f.t, err)
	n := 0
	for _, e := range entries {
		if e.Kind == inventory.KindRelease {
			n++
		}
	}
	return n
}

// cancelReq is a line quantity of a partial cancel.
func cancelReq(line, qty int) []any { return []any{line, qty} }

func TestCancelReleasesTheOrderStock(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 10, "CUP": 4}, false)
	id := f.place(orderOf("MUG", 3, "CUP", 2))
	f.reserve(id, "MUG", 3, "1", "CUP", 2, "2")
	f.reserve("", "MUG", 1, "cart-line") // not the order's
	require.Equal(t, [3]int64{6, 4, 0}, f.buckets("MUG"))
	require.Equal(t, [3]int64{2, 2, 0}, f.buckets("CUP"))

	reply := f.cancel(id, "cancel-1")
	assert.Equal(t, "cancelled", reply["order"].(map[string]any)["status"])
	assert.Equal(t, stockReturn{Released: 5}, stockOf(t, reply))
	assert.Equal(t, [3]int64{9, 1, 0}, f.buckets("MUG"), "the order's 3 mugs are back; the cart keeps its mug")
	assert.Equal(t, [3]int64{4, 0, 0}, f.buckets("CUP"))
	assert.Equal(t, 2, f.releases())

	// Another client takes the stock given back; the replayed cancel
	// then releases nothing, and leaves the others' holds alone.
	f.reserve("", "MUG", 9, "")
	reply = f.cancel(id, "cancel-1")
	assert.Equal(t, stockReturn{}, stockOf(t, reply), "a replay releases nothing more")
	assert.Equal(t, [3]int64{0, 10, 0}, f.buckets("MUG"))
	assert.Equal(t, 2, f.releases())
	assert.Equal(t, housekept{}, pass(t, f.a), "nothing left to reconcile")
	assert.Equal(t, [3]int64{0, 10, 0}, f.buckets("MUG"))
}

func TestPartialCancelReleasesTheCancelledLines(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 10, "CUP": 10}, false)
	id := f.place(orderOf("MUG", 5, "CUP", 3))
	// Line 1's stock is held by two reservations; line 2 is over-held by
	// one unit; one mug is held for the order without a line.
	f.reserve(id, "MUG", 3, "1", "MUG", 2, "1", "CUP", 4, "2", "MUG", 1, "")
	require.Equal(t, [3]int64{4, 6, 0}, f.buckets("MUG"))

	tests := []struct {
		name     string
		lines    []any
		released int64
		mug, cup [3]int64
	}{
		{"two of line 1", cancelReq(1, 2), 2, [3]int64{6, 4, 0}, [3]int64{6, 4, 0}},
		// Line 2 gives one unit per unit cancelled, never its spare unit
		// in the same breath: the cancellation covers one unit.
		{"one of line 2", cancelReq(2, 1), 1, [3]int64{6, 4, 0}, [3]int64{7, 3, 0}},
		{"the rest of line 1", cancelReq(1, 3), 3, [3]int64{9, 1, 0}, [3]int64{7, 3, 0}},
	}
	for i, tc := range tests {
		reply := f.cancel(id, "partial-"+tc.name, tc.lines...)
		assert.Equal(t, stockReturn{Released: tc.released}, stockOf(t, reply), tc.name)
		assert.Equal(t, tc.mug, f.buckets("MUG"), tc.name)
		assert.Equal(t, tc.cup, f.buckets("CUP"), tc.name)
		// Replaying every cancellation so far releases nothing more.
		for _, prev := range tests[:i+1] {
			reply := f.cancel(id, "partial-"+prev.name, prev.lines...)
			assert.Equal(t, stockReturn{}, stockOf(t, reply), "replay of %s", prev.name)
		}
		assert.Equal(t, tc.mug, f.buckets("MUG"), "after the replays of %s", tc.name)
		assert.Equal(t, tc.cup, f.buckets("CUP"), "after the replays of %s", tc.name)
	}
	assert.Equal(t, map[string]int64{"": 1, "2": 3}, f.held(id), "the line-less mug and line 2's 3 units stay held")

	// Cancelling the last line cancels the order: everything held goes,
	// the line-less reservation and line 2's spare unit included.
	reply := f.cancel(id, "", 2, 2)
	assert.Equal(t, "cancelled", reply["order"].(map[string]any)["status"])
	assert.Equal(t, stockReturn{Released: 4}, stockOf(t, reply))
	assert.Equal(t, [3]int64{10, 0, 0}, f.buckets("MUG"))
	assert.Equal(t, [3]int64{10, 0, 0}, f.buckets("CUP"))
}

func TestPartialCancelNeverReleasesWhatTheLineNeeds(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 10}, false)
	id := f.place(orderOf("MUG", 5))
	f.reserve(id, "MUG", 3, "1") // two units short
	reply := f.cancel(id, "", 1, 1)
	assert.Equal(t, stockReturn{}, stockOf(t, reply), "the line still needs the 3 units held for its 4 live units")
	reply = f.cancel(id, "", 1, 2)
	assert.Equal(t, stockReturn{Released: 1}, stockOf(t, reply), "2 live units need 2 of the 3 held")
	assert.Equal(t, [3]int64{8, 2, 0}, f.buckets("MUG"))
}

func TestExpiryReleasesTheOrderStock(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 5}, false)
	due := f.place(func() map[string]any { o := orderOf("MUG", 2); o["ttl"] = int64(time.Hour); return o }())
	lasting := f.place(orderOf("MUG", 1))
	f.reserve(due, "MUG", 2, "1")
	f.reserve(lasting, "MUG", 1, "1")

	f.clock.Advance(59 * time.Minute)
	assert.Equal(t, housekept{}, pass(t, f.a))
	assert.Equal(t, [3]int64{2, 3, 0}, f.buckets("MUG"))

	f.clock.Advance(2 * time.Minute)
	assert.Equal(t, housekept{Expired: 1, Released: 2}, pass(t, f.a))
	assert.Equal(t, "cancelled", orderStatus(t, f.srv, "acme-key", due))
	assert.Equal(t, [3]int64{4, 1, 0}, f.buckets("MUG"), "the live order keeps its hold")
	assert.Equal(t, housekept{}, pass(t, f.a), "released once")
	assert.Equal(t, 1, f.releases())
}

// flakyReleases is an inventory store whose Release transactions fail
// while failing is above zero, as if the process died after the order
// write.
type flakyReleases struct {
	inventory.Store
	mu      sync.Mutex // guards failing
	failing int
}

func (s *flakyReleases) Apply(ctx context.Context, t *inventory.Txn) (*inventory.Receipt, error) {
	s.mu.Lock()
	fail := t.Kind == inventory.KindRelease && s.failing > 0
	if fail {
		s.failing--
	}
	s.mu.Unlock()
	if fail {
		return nil, errors.New("connection reset")
	}
	return s.Store.Apply(ctx, t)
}

// failReleases makes the next n releases of f's service fail.
func (f *stockFixture) failReleases(n int) {
	f.flaky.mu.Lock()
	defer f.flaky.mu.Unlock()
	f.flaky.failing = n
}

func TestFailedReleaseIsRepaired(t *testing.T) {
	t.Run("by housekeeping for a cancelled order", func(t *testing.T) {
		f := newStockFixture(t, "", map[string]int{"MUG": 5}, true)
		id := f.place(orderOf("MUG", 3))
		f.reserve(id, "MUG", 3, "1")
		f.failReleases(1)

		reply := f.cancel(id, "cancel-1")
		assert.Equal(t, "cancelled", reply["order"].(map[string]any)["status"], "the order is cancelled all the same")
		assert.Equal(t, stockReturn{Pending: true}, stockOf(t, reply))
		assert.Equal(t, [3]int64{2, 3, 0}, f.buckets("MUG"))

		assert.Equal(t, housekept{Released: 3}, pass(t, f.a))
		assert.Equal(t, [3]int64{5, 0, 0}, f.buckets("MUG"))
		assert.Equal(t, housekept{}, pass(t, f.a))
		reply = f.cancel(id, "cancel-1")
		assert.Equal(t, stockReturn{}, stockOf(t, reply), "the replay after the repair releases nothing")
		assert.Equal(t, 1, f.releases())
	})

	t.Run("by a retry for a partial cancel", func(t *testing.T) {
		f := newStockFixture(t, "", map[string]int{"MUG": 5}, true)
		id := f.place(orderOf("MUG", 4))
		f.reserve(id, "MUG", 4, "1")
		f.failReleases(1)

		reply := f.cancel(id, "partial", 1, 1)
		assert.Equal(t, stockReturn{Pending: true}, stockOf(t, reply))
		assert.Equal(t, housekept{}, pass(t, f.a), "housekeeping leaves a live order's stock alone")
		assert.Equal(t, [3]int64{1, 4, 0}, f.buckets("MUG"))

		reply = f.cancel(id, "partial", 1, 1)
		assert.Equal(t, stockReturn{Released: 1}, stockOf(t, reply), "the retry releases the unit")
		reply = f.cancel(id, "partial", 1, 1)
		assert.Equal(t, stockReturn{}, stockOf(t, reply), "once")
		assert.Equal(t, [3]int64{2, 3, 0}, f.buckets("MUG"))
	})

	t.Run("by the same pass for an expired order", func(t *testing.T) {
		f := newStockFixture(t, "", map[string]int{"MUG": 5}, true)
		due := f.place(func() map[string]any { o := orderOf("MUG", 2); o["ttl"] = int64(time.Minute); return o }())
		f.reserve(due, "MUG", 2, "1")
		f.failReleases(1)
		f.clock.Advance(time.Hour)
		h, err := f.a.housekeep(context.Background())
		assert.ErrorContains(t, err, "connection reset", "the failed release is reported")
		assert.Equal(t, housekept{Expired: 1, Released: 2}, h, "and repaired by the reconciliation")
		assert.Equal(t, [3]int64{5, 0, 0}, f.buckets("MUG"))
	})
}

func TestCancelLeavesCommittedUnits(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 10}, false)
	ctx := context.Background()
	commit := func(id, res string, q int64) {
		t.Helper()
		_, err := f.a.inventory.Apply(ctx, &inventory.Commit{
			Meta:  inventory.Meta{Owner: "acme", Ref: inventory.OrderRef(fulfill.MustOrderID(id))},
			Parts: []inventory.Part{{Reservation: res, Quantity: q, Line: "1"}},
		})
		require.NoError(t, err)
	}

	// A partial cancel takes held units first and counts the committed
	// ones the line no longer needs.
	id := f.place(orderOf("MUG", 3))
	res := f.reserve(id, "MUG", 3, "1")
	commit(id, res[0], 2) // being picked
	require.Equal(t, [3]int64{7, 1, 2}, f.buckets("MUG"))
	reply := f.cancel(id, "", 1, 2)
	assert.Equal(t, stockReturn{Released: 1, Committed: 1}, stockOf(t, reply))
	assert.Equal(t, [3]int64{8, 0, 2}, f.buckets("MUG"), "committed units stay committed")

	// A whole cancel releases every held unit and counts every committed one.
	other := f.place(orderOf("MUG", 4))
	res = f.reserve(other, "MUG", 4, "1")
	commit(other, res[0], 1)
	reply = f.cancel(other, "")
	assert.Equal(t, stockReturn{Released: 3, Committed: 1}, stockOf(t, reply))
	assert.Equal(t, [3]int64{7, 0, 3}, f.buckets("MUG"))
	assert.Equal(t, housekept{}, pass(t, f.a), "housekeeping leaves committed units alone")
	assert.Equal(t, [3]int64{7, 0, 3}, f.buckets("MUG"))

	// The warehouse puts the units back with an Unreserve.
	_, err := f.a.inventory.Apply(ctx, &inventory.Unreserve{Meta: inventory.Meta{Owner: "acme", Reason: inventory.ReasonCancelled}, Reservations: []string{res[0]}})
	require.NoError(t, err)
	assert.Equal(t, [3]int64{8, 0, 2}, f.buckets("MUG"))
}

func TestHousekeepReconcilesCancelledOrders(t *testing.T) {
	f := newStockFixture(t, "", map[string]int{"MUG": 20}, false)
	ctx := context.Background()
	// Stock held for orders already cancelled or closed, as after a crash
	// between the two writes.
	var ended []string
	for i := range 3 {
		id := f.place(orderOf("MUG", 2))
		f.cancel(id, "")
		if i == 2 {
			_, err := f.a.orders.Execute(ctx, "acme", fulfill.MustOrderID(id), "", order.CloseRequest{})
			require.NoError(t, err)
			require.Equal(t, "closed", orderStatus(t, f.srv, "acme-key", id))
		}
		f.reserve(id, "MUG", 2, "1")
		ended = append(ended, id)
	}
	live := f.place(orderOf("MUG", 2))
	f.reserve(live, "MUG", 2, "1")
	unknown := fulfill.MustOrderID("01900000-0000-7000-8000-000000000001").String()
	f.reserve(unknown, "MUG", 1, "1")
	f.reserve("", "MUG", 1, "") // a cart
	require.Equal(t, [3]int64{10, 10, 0}, f.buckets("MUG"))

	// One order per pass: every order holding stock is looked at in turn.
	f.a.reconcilePage = 1
	var released int64
	for range 5 {
		h := pass(t, f.a)
		assert.LessOrEqual(t, h.Released, int64(2), "one order per pass")
		released += h.Released
	}
	assert.EqualValues(t, 6, released)
	for _, id := range ended {
		assert.Empty(t, f.held(id))
	}
	assert.Equal(t, map[string]int64{"1": 2}, f.held(live), "a live order keeps its stock")
	assert.Equal(t, map[string]int64{"1": 1}, f.held(unknown), "stock held for an unknown order is left to its TTL")
	assert.Equal(t, [3]int64{16, 4, 0}, f.buckets("MUG"))
	assert.Equal(t, housekept{}, pass(t, f.a))
}

func TestStockKeysAreReserved(t *testing.T) {
	f := newStockFixture(t, "", nil, false)
	for path, body := range map[string]any{
		"/v1/stock/receive": map[string]any{"sku": "MUG", "location": "WH1", "quantity": 1},
		"/v1/reservations":  map[string]any{"lines": []any{map[string]any{"sku": "MUG", "location": "WH1", "quantity": 1}}},
	} {
		status, prob := call(t, f.srv, "POST", path, "acme-key", "order-stock:x:1", body)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %v", path, prob)
		assert.Equal(t, "invalid_request", prob["kind"], path)
	}
}

// TestReleasePropertiesRandomSequences places orders with lines held
// short, exactly or beyond their need (some stock held without a line),
// then runs random steps with a fixed seed: partial and whole cancels,
// some of whose releases fail, commits, replays of earlier cancels and
// housekeeping passes. After every step the stock agrees with its ledger,
// no line of a live order holds less than it still needs (up to what it
// held to begin with), gives back more than its cancellations cover, or,
// once its releases have all gone through, keeps held units that its
// cancellations cover. At the end, retrying the failed cancels and a pass
// leave no held unit on a cancelled order.
func TestReleasePropertiesRandomSequences(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { checkReleaseSequence(t, seed) })
	}
}

func checkReleaseSequence(t *testing.T, seed uint64) {
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(seed, 7))
	skus := []string{"MUG", "CUP", "TEE"}
	f := newStockFixture(t, "", map[string]int{"MUG": 1000, "CUP": 1000, "TEE": 1000}, true)

	type lineState struct {
		covered0  int64 // units held for the line to begin with
		cancelled int64 // units cancelled
	}
	type orderState struct {
		id    string
		lines map[order.LineID]*lineState
	}
	type cancelCall struct {
		order string
		key   string
		body  []any
	}
	var (
		orders  []*orderState
		calls   []cancelCall
		pending = map[string]bool{} // keys whose release failed and was not retried
	)
	for range 5 {
		var spec []any
		n := 1 + rnd.IntN(3)
		for i := range n {
			spec = append(spec, skus[i], 1+rnd.IntN(5))
		}
		o := &orderState{id: f.place(orderOf(spec...)), lines: map[order.LineID]*lineState{}}
		var res []any
		for i := range n {
			qty := int64(spec[2*i+1].(int))
			cover := max(0, qty+int64(rnd.IntN(5))-2)
			o.lines[order.LineID(i+1)] = &lineState{covered0: cover}
			for cover > 0 {
				part := cover
				if cover > 1 && rnd.IntN(2) == 0 {
					part = 1 + rnd.Int64N(cover-1)
				}
				res = append(res, skus[i], part, order.LineID(i+1).String())
				cover -= part
			}
		}
		if rnd.IntN(3) == 0 {
			res = append(res, skus[0], 1, "")
		}
		if len(res) > 0 {
			f.reserve(o.id, res...)
		}
		orders = append(orders, o)
	}

	// coverage returns the held and the held plus committed units of the
	// order's live reservations, by line.
	coverage := func(id string) (held, covered map[string]int64) {
		rs, err := f.a.orderReservations(ctx, "acme", fulfill.MustOrderID(id))
		require.NoError(t, err)
		held, covered = map[string]int64{}, map[string]int64{}
		for _, r := range rs {
			held[r.Line] += r.Reserved
			covered[r.Line] += r.Reserved + r.Committed
		}
		return held, covered
	}
	get := func(id string) *order.Order {
		o, err := f.a.orders.Store.Get(ctx, "acme", fulfill.MustOrderID(id))
		require.NoError(t, err)
		return o
	}
	check := func(step string) {
		t.Helper()
		d, err := f.a.inventory.Reconcile(ctx, "acme")
		require.NoError(t, err)
		require.Empty(t, d, "%s: the stock agrees with its ledger", step)
		for _, o := range orders {
			ord := get(o.id)
			if needsNothing(ord) {
				continue
			}
			settled := true
			for _, c := range calls {
				if c.order == o.id && pending[c.key] {
					settled = false
				}
			}
			held, covered := coverage(o.id)
			for id, ls := range o.lines {
				l, _ := ord.Line(id)
				ref := id.String()
				require.GreaterOrEqual(t, covered[ref], min(ls.covered0, l.Unshipped()), "%s: order %s line %s keeps what it needs", step, o.id, ref)
				require.GreaterOrEqual(t, covered[ref], ls.covered0-ls.cancelled, "%s: order %s line %s gives back no more than its cancellations cover", step, o.id, ref)
				if settled && held[ref] > 0 {
					require.LessOrEqual(t, covered[ref], max(l.Unshipped(), ls.covered0-ls.cancelled), "%s: order %s line %s keeps nothing its cancellations cover", step, o.id, ref)
				}
			}
		}
	}

	for step := range 80 {
		o := orders[rnd.IntN(len(orders))]
		ord := get(o.id)
		name := fmt.Sprint("step ", step)
		switch op := rnd.IntN(10); {
		case op < 5 && ord.Quantities().Unshipped() > 0: // cancel units of a line, or the whole order
			c := cancelCall{order: o.id, key: fmt.Sprintf("cancel-%d", step)}
			if rnd.IntN(4) > 0 {
				var lines []order.LineID
				for l := range ord.Lines() {
					if l.Unshipped() > 0 {
						lines = append(lines, l.ID)
					}
				}
				l, _ := ord.Line(lines[rnd.IntN(len(lines))])
				c.body = []any{int(l.ID), 1 + rnd.IntN(int(l.Unshipped()))}
			}
			if rnd.IntN(4) == 0 {
				f.failReleases(1)
			}
			reply := f.cancel(o.id, c.key, c.body...)
			f.failReleases(0)
			if c.body == nil {
				for id, ls := range o.lines {
					l, _ := ord.Line(id)
					ls.cancelled += l.Unshipped()
				}
			} else {
				o.lines[order.LineID(c.body[0].(int))].cancelled += int64(c.body[1].(int))
			}
			pending[c.key] = stockOf(t, reply).Pending
			calls = append(calls, c)
			name += " cancel " + fmt.Sprint(c.body)
		case op < 7: // commit held units
			rs, err := f.a.orderReservations(ctx, "acme", fulfill.MustOrderID(o.id))
			require.NoError(t, err)
			var held []inventory.Reservation
			for _, r := range rs {
				if r.Reserved > 0 {
					held = append(held, r)
				}
			}
			if len(held) == 0 {
				continue
			}
			r := held[rnd.IntN(len(held))]
			_, err = f.a.inventory.Apply(ctx, &inventory.Commit{Meta: inventory.Meta{Owner: "acme"},
				Parts: []inventory.Part{{Reservation: r.ID, Quantity: 1 + rnd.Int64N(r.Reserved)}}})
			require.NoError(t, err)
			name += " commit"
		case op < 9 && len(calls) > 0: // replay a cancel
			c := calls[rnd.IntN(len(calls))]
			reply := f.cancel(c.order, c.key, c.body...)
			got := stockOf(t, reply)
			require.False(t, got.Pending, "%s: the replay released", name)
			if !pending[c.key] {
				require.Zero(t, got.Released, "%s: a replay of %v releases nothing more", name, c)
			}
			pending[c.key] = false
			name += " replay"
		default:
			_, err := f.a.housekeep(ctx)
			require.NoError(t, err)
			name += " housekeeping"
		}
		check(name)
	}

	for _, c := range calls {
		if pending[c.key] {
			got := stockOf(t, f.cancel(c.order, c.key, c.body...))
			require.False(t, got.Pending)
			pending[c.key] = false
		}
	}
	for range len(orders) {
		pass(t, f.a)
	}
	check("settled")
	for _, o := range orders {
		if needsNothing(get(o.id)) {
			held, _ := coverage(o.id)
			for line, n := range held {
				assert.Zero(t, n, "cancelled order %s keeps held units of line %q", o.id, line)
			}
		}
	}
}
