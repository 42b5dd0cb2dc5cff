package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
)

// housekeepStart is when the housekeeping tests' fake clocks start.
var housekeepStart = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// newHousekeptServer starts the service in memory (or on db when not empty)
// on clock, keeping finished work for retention, and returns the app, for
// running housekeeping passes, with its server.
func newHousekeptServer(t *testing.T, db string, clock fulfill.Clock, retention time.Duration) (*app, *httptest.Server) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, closeFn, err := newApp(context.Background(), config{db: db, keys: serviceKeys, retention: retention}, log, clock)
	require.NoError(t, err)
	srv := httptest.NewServer(a.routes())
	t.Cleanup(func() { srv.Close(); closeFn() })
	return a, srv
}

// level returns the one level of acme's sku at WH1 as the API shows it.
func level(t *testing.T, srv *httptest.Server, sku string) map[string]any {
	t.Helper()
	status, body := call(t, srv, "GET", "/v1/stock?location=WH1&sku="+sku, "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	levels := body["levels"].([]any)
	require.Len(t, levels, 1)
	return levels[0].(map[string]any)
}

// pass runs one housekeeping pass and fails the test on an error.
func pass(t *testing.T, a *app) housekept {
	t.Helper()
	h, err := a.housekeep(context.Background())
	require.NoError(t, err)
	return h
}

func TestHousekeepCollectsLapsedHolds(t *testing.T) {
	clock := fulfill.NewFakeClock(housekeepStart)
	a, srv := newHousekeptServer(t, "", clock, 24*time.Hour)
	status, body := call(t, srv, "POST", "/v1/stock/receive", "acme-key", "", map[string]any{"sku": "MUG", "location": "WH1", "quantity": 5})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	status, body = call(t, srv, "POST", "/v1/reservations", "acme-key", "", map[string]any{"ttl_seconds": 600,
		"lines": []any{map[string]any{"sku": "MUG", "location": "WH1", "quantity": 5}}})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	held := level(t, srv, "MUG")
	assert.EqualValues(t, 0, held["available"])

	clock.Advance(5 * time.Minute)
	assert.Equal(t, housekept{}, pass(t, a), "nothing has lapsed yet")
	assert.Equal(t, held, level(t, srv, "MUG"))

	swept := clock.Advance(5*time.Minute + time.Second)
	// A lapsed hold counts as available before any sweep; the level keeps
	// it until a pass collects it.
	assert.EqualValues(t, 5, level(t, srv, "MUG")["available"])
	stored, err := a.inventory.Store().Levels(context.Background(), inventory.LevelQuery{Owner: "acme"})
	require.NoError(t, err)
	require.Len(t, stored, 1)
	assert.EqualValues(t, 5, stored[0].Reserved, "not collected before a pass")

	assert.Equal(t, housekept{Swept: 1}, pass(t, a))
	after := level(t, srv, "MUG")
	assert.EqualValues(t, 5, after["available"])
	assert.EqualValues(t, 0, after["reserved"])
	assert.EqualValues(t, held["version"].(float64)+1, after["version"], "the sweep changed the level")
	assert.Equal(t, swept.Format(time.RFC3339Nano), after["updated"])
	stored, err = a.inventory.Store().Levels(context.Background(), inventory.LevelQuery{Owner: "acme"})
	require.NoError(t, err)
	assert.EqualValues(t, 0, stored[0].Reserved, "collected")
	assert.Equal(t, housekept{}, pass(t, a), "a hold is collected once")

	status, body = call(t, srv, "POST", "/v1/reservations", "acme-key", "", map[string]any{
		"lines": []any{map[string]any{"sku": "MUG", "location": "WH1", "quantity": 5}}})
	assert.Equal(t, http.StatusCreated, status, "the collected units can be reserved again: %v", body)
}

// placeWithTTL places an order for owner's key with a TTL and returns its ID.
func placeWithTTL(t *testing.T, srv *httptest.Server, key string, ttl time.Duration) string {
	t.Helper()
	o := webOrder("TSHIRT", 1)
	if ttl > 0 {
		o["ttl"] = int64(ttl)
	}
	status, placed := call(t, srv, "POST", "/v1/orders", key, "", o)
	require.Equal(t, http.StatusCreated, status, "%v", placed)
	return placed["id"].(string)
}

// orderStatus returns the status of the order id as the API shows it.
func orderStatus(t *testing.T, srv *httptest.Server, key, id string) string {
	t.Helper()
	status, got := call(t, srv, "GET", "/v1/orders/"+id, key, "", nil)
	require.Equal(t, http.StatusOK, status, "%v", got)
	return got["status"].(string)
}

func TestHousekeepExpiresOrdersAfterTTL(t *testing.T) {
	clock := fulfill.NewFakeClock(housekeepStart)
	a, srv := newHousekeptServer(t, "", clock, 24*time.Hour)
	due := placeWithTTL(t, srv, "acme-key", time.Hour)
	lasting := placeWithTTL(t, srv, "acme-key", 0)

	clock.Advance(59 * time.Minute)
	assert.Equal(t, housekept{}, pass(t, a), "not before its TTL")
	assert.Equal(t, "pending", orderStatus(t, srv, "acme-key", due))

	clock.Advance(time.Minute + time.Second)
	assert.Equal(t, housekept{Expired: 1}, pass(t, a))
	assert.Equal(t, "cancelled", orderStatus(t, srv, "acme-key", due), "expired after its TTL")
	assert.Equal(t, "pending", orderStatus(t, srv, "acme-key", lasting), "an order without a TTL never expires")
	assert.Equal(t, housekept{}, pass(t, a), "an order is expired once")

	// One pass drains every owner's backlog, page after page.
	a.expirePage = 2
	var ids []string
	for range 5 {
		ids = append(ids, placeWithTTL(t, srv, "acme-key", time.Minute))
	}
	other := placeWithTTL(t, srv, "globex-key", time.Minute)
	clock.Advance(2 * time.Minute)
	assert.Equal(t, housekept{Expired: 6}, pass(t, a))
	for _, id := range ids {
		assert.Equal(t, "cancelled", orderStatus(t, srv, "acme-key", id))
	}
	assert.Equal(t, "cancelled", orderStatus(t, srv, "globex-key", other))
	assert.Equal(t, "pending", orderStatus(t, srv, "acme-key", lasting))
}

// TestHousekeepPrunesAfterRetention checks that retries within the
// retention are still recognised, and that a retry of a request older
// than the retention is served anew, as Prune documents: a stock receipt
// is applied again, an order placed again, and a reply is no longer
// replayed or guarded.
func TestHousekeepPrunesAfterRetention(t *testing.T) {
	clock := fulfill.NewFakeClock(housekeepStart)
	a, srv := newHousekeptServer(t, "", clock, 24*time.Hour)
	ctx := context.Background()
	receive := func(idem string, qty int) int {
		status, body := call(t, srv, "POST", "/v1/stock/receive", "acme-key", idem, map[string]any{"sku": "MUG", "location": "WH1", "quantity": qty})
		require.Contains(t, []int{http.StatusCreated, http.StatusOK}, status, "%v", body)
		return status
	}
	quote := func(idem, policy string) int {
		body := ratesBody()
		body["policy"] = policy
		body["ship_time"] = clock.Now().Add(time.Hour).Format(time.RFC3339)
		status, _ := call(t, srv, "POST", "/v1/rates", "acme-key", idem, body)
		return status
	}
	closed := func() int {
		res, err := a.inventory.Reservations(ctx, inventory.ReservationQuery{Owner: "acme", IncludeClosed: true})
		require.NoError(t, err)
		return len(res)
	}
	place := func(idem string) (int, string) {
		status, placed := call(t, srv, "POST", "/v1/orders", "acme-key", idem, webOrder("TSHIRT", 1))
		require.Contains(t, []int{http.StatusCreated, http.StatusOK}, status, "%v", placed)
		return status, placed["id"].(string)
	}
	firstSeq := func() int64 {
		entries, err := a.inventory.Ledger(ctx, inventory.LedgerQuery{Owner: "acme", Limit: 1})
		require.NoError(t, err)
		require.Len(t, entries, 1)
		return entries[0].Seq
	}

	// Day 0: a receipt of mugs (ledger 1), a quote, and a cup received
	// (ledger 2) and held for a minute (ledger 3).
	require.Equal(t, http.StatusCreated, receive("rcv-old", 5))
	require.Equal(t, http.StatusOK, quote("quote-old", "cheapest"))
	status, body := call(t, srv, "POST", "/v1/stock/receive", "acme-key", "", map[string]any{"sku": "CUP", "location": "WH1", "quantity": 1})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	status, body = call(t, srv, "POST", "/v1/reservations", "acme-key", "", map[string]any{"ttl_seconds": 60,
		"lines": []any{map[string]any{"sku": "CUP", "location": "WH1", "quantity": 1}}})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	_, oldOrder := place("place-old")

	// 12 hours on: another receipt of mugs (ledger 4), a quote and an
	// order; the pass collects the hold (ledger 5) and prunes nothing.
	clock.Advance(12 * time.Hour)
	require.Equal(t, http.StatusCreated, receive("rcv-new", 3))
	require.Equal(t, http.StatusOK, quote("quote-new", "cheapest"))
	_, newOrder := place("place-new")
	assert.Equal(t, housekept{Swept: 1}, pass(t, a))
	assert.Equal(t, 1, closed())

	// A day and a minute on: day 0's records go, the rest stays.
	clock.Advance(12*time.Hour + time.Minute)
	assert.Equal(t, housekept{Pruned: inventory.Pruned{IdempotencyKeys: 1}, Trimmed: 3, Replies: 1,
		Orders: ordersPruned{Keys: 1, Events: 1}}, pass(t, a))
	assert.EqualValues(t, 4, firstSeq(), "the ledger keeps the entries within the retention")
	assert.Equal(t, 1, closed(), "the hold was closed 12 hours ago")
	events, err := a.orders.Store.EventsAfter(ctx, "acme", 0, 10)
	require.NoError(t, err)
	require.Len(t, events, 1, "the order events keep those within the retention")
	assert.Equal(t, newOrder, events[0].Event.OrderID.String())
	status, again := place("place-new")
	assert.Equal(t, http.StatusOK, status, "an order placed within the retention is replayed")
	assert.Equal(t, newOrder, again)
	status, again = place("place-old")
	assert.Equal(t, http.StatusCreated, status, "an order placed before the retention is placed anew")
	assert.NotEqual(t, oldOrder, again)
	assert.Equal(t, "pending", orderStatus(t, srv, "acme-key", oldOrder), "the order itself is kept")

	assert.Equal(t, http.StatusOK, receive("rcv-new", 3), "a retry within the retention is replayed")
	assert.EqualValues(t, 8, level(t, srv, "MUG")["on_hand"])
	assert.Equal(t, http.StatusUnprocessableEntity, quote("quote-new", "fastest"), "a reply within the retention still guards its key")

	assert.Equal(t, http.StatusCreated, receive("rcv-old", 5), "a retry after the retention is applied as a new operation")
	assert.EqualValues(t, 13, level(t, srv, "MUG")["on_hand"])
	assert.Equal(t, http.StatusOK, quote("quote-old", "fastest"), "a reply dropped no longer guards its key")
	assert.Equal(t, http.StatusOK, receive("rcv-old", 5), "the new operation is recognised in turn")
	assert.EqualValues(t, 13, level(t, srv, "MUG")["on_hand"])

	// Another 12 hours: the 12-hour-old records go, the hold's included;
	// those of the retried requests stay.
	clock.Advance(12 * time.Hour)
	assert.Equal(t, housekept{Pruned: inventory.Pruned{Reservations: 1, IdempotencyKeys: 1}, Trimmed: 2, Replies: 1,
		Orders: ordersPruned{Keys: 1, Events: 1}}, pass(t, a))
	assert.Equal(t, 0, closed())
	assert.EqualValues(t, 6, firstSeq())
	assert.Equal(t, http.StatusOK, receive("rcv-old", 5))
	assert.Equal(t, http.StatusCreated, receive("rcv-new", 3))
	assert.EqualValues(t, 16, level(t, srv, "MUG")["on_hand"])

	t.Run("no retention keeps everything", func(t *testing.T) {
		clock := fulfill.NewFakeClock(housekeepStart)
		a, srv := newHousekeptServer(t, "", clock, 0)
		status, _ := call(t, srv, "POST", "/v1/stock/receive", "acme-key", "rcv", map[string]any{"sku": "MUG", "location": "WH1", "quantity": 1})
		require.Equal(t, http.StatusCreated, status)
		clock.Advance(365 * 24 * time.Hour)
		assert.Equal(t, housekept{}, pass(t, a))
		status, _ = call(t, srv, "POST", "/v1/stock/receive", "acme-key", "rcv", map[string]any{"sku": "MUG", "location": "WH1", "quantity": 1})
		assert.Equal(t, http.StatusOK, status)
	})
}

// TestServeStopsHousekeeping checks that serve stops its jobs and waits for
// them, whether it stops for its context or because the server failed.
func TestServeStopsHousekeeping(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, closeFn, err := newApp(context.Background(), config{keys: serviceKeys, retention: time.Hour}, log, nil)
	require.NoError(t, err)
	defer closeFn()

	for _, tc := range []struct {
		name    string
		prepare func(ln net.Listener, cancel context.CancelFunc)
		wantErr bool
	}{
		{"context cancelled", func(_ net.Listener, cancel context.CancelFunc) { cancel() }, false},
		{"server failed", func(ln net.Listener, _ context.CancelFunc) { ln.Close() }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tc.prepare(ln, cancel)
			started, stopped := make(chan struct{}), make(chan struct{})
			job := func(ctx context.Context) {
				close(started)
				a.keepHouse(ctx, time.Millisecond)
				time.Sleep(20 * time.Millisecond) // as a slow pass would
				close(stopped)
			}
			srv := &http.Server{Handler: a.routes()}
			err = serve(ctx, srv, ln, log, job)
			if tc.wantErr {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
			}
			<-started
			select {
			case <-stopped:
			default:
				t.Fatal("serve returned before its housekeeping stopped")
			}
		})
	}
}

// flakyExpirer fails its first ExpiringBy call, panics in its second and
// works from then on.
type flakyExpirer struct {
	*order.MemStore
	mu    sync.Mutex // guards calls
	calls int
}

func (f *flakyExpirer) ExpiringBy(ctx context.Context, owner fulfill.OwnerID, by time.Time, limit int) ([]fulfill.OrderID, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	switch n {
	case 1:
		return nil, errors.New("database unreachable")
	case 2:
		panic("bug")
	}
	return f.MemStore.ExpiringBy(ctx, owner, by, limit)
}

// count returns how many times ExpiringBy was called.
func (f *flakyExpirer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// lockedBuffer is a bytes.Buffer safe for concurrent use, for logs.
type lockedBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestKeepHouseRunsEveryPeriod runs the loop on the system clock inside a
// synctest bubble: a pass runs every period, an order expires at the first
// pass after its TTL, an error or a panic in a pass is logged and the next
// pass runs, and the loop returns once its context is cancelled.
func TestKeepHouseRunsEveryPeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs lockedBuffer
		log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		a, closeFn, err := newApp(context.Background(), config{keys: "acme-key=acme"}, log, nil)
		require.NoError(t, err)
		defer closeFn()
		store := &flakyExpirer{MemStore: new(order.MemStore)}
		a.orders.Store = store

		var req order.PlaceRequest
		raw, err := json.Marshal(webOrder("TSHIRT", 1))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &req))
		req.TTL = 90 * time.Second
		placed, err := a.orders.Place(context.Background(), "acme", "", req)
		require.NoError(t, err)
		id := placed.Order.ID()
		statusOf := func() order.Status {
			o, err := store.Get(context.Background(), "acme", id)
			require.NoError(t, err)
			return o.Status()
		}

		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { a.keepHouse(ctx, time.Minute); close(stopped) }()

		time.Sleep(time.Minute + time.Second)
		synctest.Wait()
		assert.Equal(t, order.StatusPending, statusOf())
		assert.Contains(t, logs.String(), "database unreachable", "the first pass's error is logged")

		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Equal(t, order.StatusPending, statusOf(), "the second pass panicked")
		assert.Contains(t, logs.String(), "housekeeping panicked: bug")

		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Equal(t, order.StatusCancelled, statusOf(), "the third pass, after the TTL, expired it")
		assert.Equal(t, 2, strings.Count(logs.String(), `"level":"ERROR"`))

		cancel()
		<-stopped
		calls := store.count()
		time.Sleep(time.Hour)
		assert.Equal(t, calls, store.count(), "no pass after the loop returned")
	})

	t.Run("disabled", func(t *testing.T) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		a, closeFn, err := newApp(context.Background(), config{keys: serviceKeys}, log, nil)
		require.NoError(t, err)
		defer closeFn()
		a.keepHouse(context.Background(), 0) // returns at once
	})
}
