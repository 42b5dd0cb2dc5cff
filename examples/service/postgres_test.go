package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
)

// testDatabase returns a connection string for a new, empty schema of the
// database named by FULFILL_TEST_DATABASE_URL, or skips the test.
func testDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("FULFILL_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("FULFILL_TEST_DATABASE_URL is not set: skipping the PostgreSQL test")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	require.NoError(t, err)
	defer conn.Close(ctx)
	schema := fmt.Sprintf("service_test_%d", time.Now().UnixNano())
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestServiceTwoInstancesNeverOversell runs two service instances over one
// PostgreSQL database and has them take reservations for the same scarce
// SKU at once: exactly the units in stock are reserved, never one more.
func TestServiceTwoInstancesNeverOversell(t *testing.T) {
	db := testDatabase(t)
	a, b := newTestServer(t, db), newTestServer(t, db)

	const stock, clients = 10, 16
	status, body := call(t, a, "POST", "/v1/stock/receive", "acme-key", "", map[string]any{"sku": "HOT", "location": "WH1", "quantity": stock})
	require.Equal(t, http.StatusCreated, status, "%v", body)

	var (
		mu       sync.Mutex
		won, out int
		other    []string
		wg       sync.WaitGroup
	)
	for i := range 2 * clients {
		srv := a
		if i%2 == 1 {
			srv = b
		}
		wg.Go(func() {
			for range 2 {
				status, body, err := send(srv, "POST", "/v1/reservations", "acme-key", "", map[string]any{
					"lines": []any{map[string]any{"sku": "HOT", "location": "WH1", "quantity": 1}}})
				mu.Lock()
				switch {
				case err != nil:
					other = append(other, err.Error())
				case status == http.StatusCreated:
					won++
				case status == http.StatusConflict && body["kind"] == "insufficient_stock":
					out++
				default:
					other = append(other, fmt.Sprint(status, body))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Empty(t, other, "every request either wins a unit or is told the stock is out")
	assert.Equal(t, stock, won, "exactly the units in stock are reserved")
	assert.Equal(t, 4*clients-stock, out)

	for name, srv := range map[string]*httptest.Server{"a": a, "b": b} {
		status, body = call(t, srv, "GET", "/v1/stock?sku=HOT", "acme-key", "", nil)
		require.Equal(t, http.StatusOK, status)
		level := body["levels"].([]any)[0].(map[string]any)
		assert.EqualValues(t, stock, level["reserved"], "instance %s", name)
		assert.EqualValues(t, 0, level["available"], "instance %s", name)
	}

	// Orders placed through one instance are read through the other, and
	// stay invisible to another owner.
	status, placed := call(t, a, "POST", "/v1/orders", "acme-key", "pg-place", webOrder("HOT", 1))
	require.Equal(t, http.StatusCreated, status, "%v", placed)
	status, got := call(t, b, "GET", "/v1/orders/"+placed["id"].(string), "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, placed["id"], got["id"])
	status, _ = call(t, b, "GET", "/v1/orders/"+placed["id"].(string), "globex-key", "", nil)
	assert.Equal(t, http.StatusNotFound, status)
	status, again := call(t, b, "POST", "/v1/orders", "acme-key", "pg-place", webOrder("HOT", 1))
	assert.Equal(t, http.StatusOK, status, "the retry through the other instance is recognised")
	assert.Equal(t, placed["id"], again["id"])

	// A shipment made through one instance is tracked through the other.
	shipment := map[string]any{
		"id": "SHP-PG-1", "order": placed["id"], "origin": "WH1",
		"packages": []any{map[string]any{
			"ref": "box-1", "dimensions": map[string]any{"length": "12in", "width": "10in", "height": "6in"}, "mass": "1lb",
			"label": map[string]any{"ref": "L1", "tracking_number": "PG001", "carrier": "parcelco", "created_at": "2026-11-25T09:00:00Z",
				"cost": map[string]any{"amount": "9.50", "currency": "USD"}},
			"lines": []any{map[string]any{"line_id": "1", "sku": "HOT", "quantity": 1}},
		}},
	}
	status, sh := call(t, a, "POST", "/v1/shipments", "acme-key", "", shipment)
	require.Equal(t, http.StatusCreated, status, "%v", sh)
	status, body = call(t, b, "POST", "/v1/webhooks/tracking/generic", "acme-key", "",
		`[{"id":"pg-e1","tracking_number":"PG001","source":"shippo","status":"TRANSIT","occurred_at":"2026-11-25T12:00:00Z"}]`)
	require.Equal(t, http.StatusOK, status, "%v", body)
	status, sh = call(t, a, "GET", "/v1/shipments/SHP-PG-1", "acme-key", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "in_transit", sh["status"])
	status, _ = call(t, b, "GET", "/v1/shipments/SHP-PG-1", "globex-key", "", nil)
	assert.Equal(t, http.StatusNotFound, status)
}

// TestServiceHousekeepingOnPostgres runs housekeeping passes from two
// service instances at once over one PostgreSQL database: the lapsed hold
// is collected and the order past its TTL expired, each exactly once, and
// what is older than the retention trimmed and pruned once.
func TestServiceHousekeepingOnPostgres(t *testing.T) {
	db := testDatabase(t)
	clock := fulfill.NewFakeClock(housekeepStart)
	a, srvA := newHousekeptServer(t, db, clock, time.Hour)
	b, _ := newHousekeptServer(t, db, clock, time.Hour)

	status, body := call(t, srvA, "POST", "/v1/stock/receive", "acme-key", "pg-rcv", map[string]any{"sku": "MUG", "location": "WH1", "quantity": 2})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	status, body = call(t, srvA, "POST", "/v1/reservations", "acme-key", "", map[string]any{"ttl_seconds": 60,
		"lines": []any{map[string]any{"sku": "MUG", "location": "WH1", "quantity": 2}}})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	due := placeWithTTL(t, srvA, "acme-key", time.Minute)
	lasting := placeWithTTL(t, srvA, "acme-key", 0)

	h, err := a.housekeep(context.Background())
	require.NoError(t, err)
	assert.Equal(t, housekept{}, h, "nothing is due yet")

	entries, err := a.inventory.Store().Ledger(context.Background(), inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	clock.Advance(2 * time.Hour)
	var (
		wg     sync.WaitGroup
		passes [2]housekept
		errs   [2]error
	)
	for i, x := range []*app{a, b} {
		wg.Go(func() { passes[i], errs[i] = x.housekeep(context.Background()) })
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	assert.Equal(t, 1, passes[0].Swept+passes[1].Swept, "the hold is collected once")
	assert.Equal(t, 1, passes[0].Expired+passes[1].Expired, "the order is expired once")
	// Everything written before the retention is dropped once: the
	// ledger entries, and the receipt's idempotency record (the hold was
	// collected just now, after the cutoff, so it stays).
	// The receipt, the hold, and its collection, dated when the hold
	// lapsed: all three are older than the retention.
	assert.Len(t, entries, 2)
	assert.Equal(t, 3, passes[0].Trimmed+passes[1].Trimmed, "each entry is trimmed once")
	kept, err := a.inventory.Store().Ledger(context.Background(), inventory.LedgerQuery{Owner: "acme"})
	require.NoError(t, err)
	assert.Empty(t, kept)
	assert.Equal(t, inventory.Pruned{IdempotencyKeys: 1}, inventory.Pruned{
		Reservations:    passes[0].Pruned.Reservations + passes[1].Pruned.Reservations,
		IdempotencyKeys: passes[0].Pruned.IdempotencyKeys + passes[1].Pruned.IdempotencyKeys})

	mug := level(t, srvA, "MUG")
	assert.EqualValues(t, 0, mug["reserved"])
	assert.EqualValues(t, 2, mug["available"])
	assert.Equal(t, "cancelled", orderStatus(t, srvA, "acme-key", due))
	assert.Equal(t, "pending", orderStatus(t, srvA, "acme-key", lasting))
	status, _ = call(t, srvA, "POST", "/v1/stock/receive", "acme-key", "pg-rcv", map[string]any{"sku": "MUG", "location": "WH1", "quantity": 2})
	assert.Equal(t, http.StatusCreated, status, "a retry past the retention is applied anew")
}

// TestServiceCancelReleasesOnceOnPostgres sends one cancel (one
// Idempotency-Key) to two service instances over one PostgreSQL database
// at once, while both run a housekeeping pass: the order's stock is
// released once. A partial cancel of a line held beyond its need gives
// back one unit per unit cancelled, however many instances run it; the
// whole cancel then gives back the rest, with one ledger entry each.
func TestServiceCancelReleasesOnceOnPostgres(t *testing.T) {
	db := testDatabase(t)
	clock := fulfill.NewFakeClock(housekeepStart)
	a, srvA := newHousekeptServer(t, db, clock, time.Hour)
	b, srvB := newHousekeptServer(t, db, clock, time.Hour)

	status, body := call(t, srvA, "POST", "/v1/stock/receive", "acme-key", "", map[string]any{"sku": "MUG", "location": "WH1", "quantity": 10})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	status, placed := call(t, srvA, "POST", "/v1/orders", "acme-key", "", orderOf("MUG", 4))
	require.Equal(t, http.StatusCreated, status, "%v", placed)
	id := placed["id"].(string)
	status, body = call(t, srvB, "POST", "/v1/reservations", "acme-key", "", map[string]any{"order": id,
		"lines": []any{map[string]any{"sku": "MUG", "location": "WH1", "quantity": 6, "line": "1"}}})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	res := body["reservations"].([]any)[0].(map[string]any)["id"].(string)

	// race sends the cancel to both instances and runs a pass on each, all
	// at once, and returns the units the four released.
	race := func(key string, req map[string]any) int64 {
		t.Helper()
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			released int64
			errs     []error
		)
		for _, srv := range []*httptest.Server{srvA, srvB} {
			wg.Go(func() {
				status, body, err := send(srv, "POST", "/v1/orders/"+id+"/cancel", "acme-key", key, req)
				mu.Lock()
				defer mu.Unlock()
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("status %d: %v", status, body)
				}
				if err != nil {
					errs = append(errs, err)
					return
				}
				stock := body["stock"].(map[string]any)
				if stock["pending"] == true {
					errs = append(errs, fmt.Errorf("release pending: %v", body))
				}
				released += int64(stock["released"].(float64))
			})
		}
		for _, x := range []*app{a, b} {
			wg.Go(func() {
				h, err := x.housekeep(context.Background())
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				}
				released += h.Released
			})
		}
		wg.Wait()
		require.Empty(t, errs)
		return released
	}
	releases := func() int {
		entries, err := a.inventory.Ledger(context.Background(), inventory.LedgerQuery{Owner: "acme"})
		require.NoError(t, err)
		n := 0
		for _, e := range entries {
			if e.Kind == inventory.KindRelease {
				assert.Equal(t, res, e.Reservation)
				n++
			}
		}
		return n
	}

	assert.EqualValues(t, 1, race("pg-partial", map[string]any{"lines": []any{map[string]any{"line": 1, "quantity": 1}}}),
		"one unit cancelled, one released")
	mug := level(t, srvB, "MUG")
	assert.EqualValues(t, 5, mug["reserved"])
	assert.EqualValues(t, 5, mug["available"])
	assert.Equal(t, 1, releases())

	assert.EqualValues(t, 5, race("pg-cancel", map[string]any{}), "the rest released once")
	assert.Equal(t, "cancelled", orderStatus(t, srvA, "acme-key", id))
	mug = level(t, srvA, "MUG")
	assert.EqualValues(t, 0, mug["reserved"])
	assert.EqualValues(t, 10, mug["available"])
	assert.Equal(t, 2, releases())
}

// TestServiceReservationLifecycleOnPostgres walks a cart hold through
// commit, release and consume on one service instance over PostgreSQL,
// with the levels, the reservations and the replays read through a
// second. Both instances then get the same consume, under one
// Idempotency-Key, at once: the units ship once.
func TestServiceReservationLifecycleOnPostgres(t *testing.T) {
	db := testDatabase(t)
	f := newStockFixture(t, db, map[string]int{"MUG": 10}, false)
	g := newStockFixture(t, db, nil, false)
	walkLifecycle(t, f, g)

	id := g.place(orderOf("MUG", 3))
	rs := g.reserve(id, "MUG", 3, "1")
	g.mustStep("commit", "pg-commit", map[string]any{"order": id, "parts": []any{part(rs[0], 0, "1")}})
	require.Equal(t, [3]int64{5, 0, 3}, f.buckets("MUG"))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		replayed int
		errs     []error
	)
	for _, x := range []*stockFixture{f, g, f, g} {
		wg.Go(func() {
			status, body, err := send(x.srv, "POST", "/v1/reservations/consume", "acme-key", "pg-ship",
				map[string]any{"order": id, "parts": []any{part(rs[0], 3, "")}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
			case status != http.StatusOK:
				errs = append(errs, fmt.Errorf("status %d: %v", status, body))
			case body["replayed"] == true:
				replayed++
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	assert.Equal(t, 3, replayed, "one consume applies, the others are replays")
	assert.Equal(t, [3]int64{5, 0, 0}, g.buckets("MUG"))
	assert.EqualValues(t, 5, f.onHand("MUG"))
	assert.Empty(t, f.reservations("order="+id))
}
