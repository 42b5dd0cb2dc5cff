package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOrderMigrateRetention writes keyed requests through a Service, with
// CreatedAt in another zone and to the nanosecond, and records dated at
// the zero time and outside the years the column holds; copies the rows
// into a database at schema version 8 (what the package wrote before
// version 9), migrates it to 9, and checks that every record is dated as
// the store dates it, that the store keeps working over the rows, and that
// PruneIdempotency drops what the dates say and never an undated record.
func TestOrderMigrateRetention(t *testing.T) {
	testURL(t)
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 11, 0, 0, 123456789, time.FixedZone("EET", 2*60*60))
	clock := fulfill.NewFakeClock(start)
	src := testDB(t)
	rng := rand.NewChaCha8([32]byte{7})
	svc := &order.Service{Store: NewOrderStore(src), Clock: clock, Random: rng}
	placed, err := svc.Place(ctx, "acme", "place-old", orderPlace)
	require.NoError(t, err)
	id := placed.Order.ID()
	clock.Advance(time.Hour)
	confirmed, err := svc.Execute(ctx, "acme", id, "confirm", order.ConfirmRequest{})
	require.NoError(t, err)
	// Records the Service does not write: dated at the zero time, before
	// and after the column's range.
	for key, at := range map[string]time.Time{
		"zero":    {},
		"ancient": time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC),
		"future":  time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		oid, err := fulfill.NewOrderID(rng)
		require.NoError(t, err)
		o, events, err := order.Place(oid, "acme", start, orderPlace)
		require.NoError(t, err)
		require.NoError(t, svc.Store.Create(ctx, order.Change{Order: o, Events: events, Idempotency: &order.IdempotencyRecord{
			Owner: "acme", Key: key, Command: order.CommandPlace, Fingerprint: key, OrderID: oid, Events: events, CreatedAt: at}}))
	}
	_, err = svc.Place(ctx, "globex", "place-old", orderPlace)
	require.NoError(t, err)

	// The same rows at version 8.
	old := openSchema(t, testSchema(t), nil)
	migrateTo(t, old, 8)
	srcSchema := pgx.Identifier{src.cfg.RuntimeParams["search_path"]}.Sanitize()
	require.NoError(t, old.withConn(ctx, func(c *pgx.Conn) error {
		for table, cols := range map[string]string{
			"orders":            `id, owner, version, status, snapshot, created_ns, updated_ns, expires_ns`,
			"order_owners":      `owner, position`,
			"order_events":      `owner, position, order_id, version, type, event`,
			"order_idempotency": `owner, key, command, record`,
		} {
			if _, err := c.Exec(ctx, `INSERT INTO `+table+` (`+cols+`) SELECT `+cols+` FROM `+srcSchema+`.`+table); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		return nil
	}))
	require.NoError(t, old.Migrate(ctx))

	// dates maps each record to its date, "" for none.
	dates := func(db *DB) map[string]string {
		t.Helper()
		out := map[string]string{}
		require.NoError(t, db.withConn(ctx, func(c *pgx.Conn) error {
			rows, _ := c.Query(ctx, `SELECT owner || '/' || key, created_ns FROM order_idempotency`)
			var key string
			var at *int64
			_, err := pgx.ForEachRow(rows, []any{&key, &at}, func() error {
				out[key] = ""
				if at != nil {
					out[key] = fmt.Sprint(*at)
				}
				return nil
			})
			return err
		}))
		return out
	}
	ns := func(t time.Time) string { return fmt.Sprint(t.UnixNano()) }
	want := map[string]string{
		"acme/place-old":   ns(start),
		"acme/confirm":     ns(start.Add(time.Hour)),
		"acme/zero":        "",
		"acme/ancient":     "-9223372036854775808",
		"acme/future":      "9223372036854775807",
		"globex/place-old": ns(start.Add(time.Hour)),
	}
	assert.Equal(t, want, dates(src), "as the store writes them")
	assert.Equal(t, want, dates(old), "as the migration backfills them")

	// The store keeps working over the migrated rows: retries replayed,
	// the log read whole and numbered on.
	store := NewOrderStore(old)
	osvc := &order.Service{Store: store, Clock: clock, Random: rng}
	again, err := osvc.Place(ctx, "acme", "place-old", orderPlace)
	require.NoError(t, err)
	assert.True(t, again.Replayed)
	assert.Equal(t, id, again.Order.ID())
	res, err := osvc.Execute(ctx, "acme", id, "confirm", order.ConfirmRequest{})
	require.NoError(t, err)
	assert.True(t, res.Replayed)
	assert.Equal(t, confirmed.Events[0].ID, res.Events[0].ID)
	log, err := store.EventsAfter(ctx, "acme", 0, 0)
	require.NoError(t, err)
	require.Len(t, log, 5)
	held, err := osvc.Execute(ctx, "acme", id, "hold", order.HoldRequest{Holds: []order.Hold{{ID: "h", Kind: order.HoldCustomerRequest, Source: "test"}}})
	require.NoError(t, err)
	tail, err := store.EventsAfter(ctx, "acme", 5, 0)
	require.NoError(t, err)
	require.Len(t, tail, 1)
	assert.Equal(t, order.Position(6), tail[0].Position, "numbered on")
	assert.Equal(t, held.Events[0].ID, tail[0].Event.ID)

	// Prune as dated: half an hour after the start, place-old and the
	// ancient record; much later, all but the undated and the future one.
	n, err := store.PruneIdempotency(ctx, "acme", start.Add(30*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	res, err = osvc.Place(ctx, "acme", "place-old", orderPlace)
	require.NoError(t, err)
	assert.False(t, res.Replayed, "a pruned key runs anew")
	assert.NotEqual(t, id, res.Order.ID())
	n, err = store.PruneIdempotency(ctx, "acme", start.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 3, n, "confirm, hold and the new place-old")
	assert.Equal(t, map[string]string{"acme/zero": "", "acme/future": "9223372036854775807", "globex/place-old": ns(start.Add(time.Hour))}, dates(old))
	trimmed, err := store.TrimEvents(ctx, "acme", 7)
	require.NoError(t, err)
	assert.Equal(t, 7, trimmed)
}

// orderPlace is a valid PlaceRequest.
var orderPlace = order.PlaceRequest{
	Channel:  order.ChannelWeb,
	ShipTo:   fulfill.Address{Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"},
	Currency: "USD",
	Lines:    []order.NewLine{{SKU: "A", Quantity: 3, UnitPrice: fulfill.MustMoney("10.00", "USD")}},
}

// TestOrderRetentionMatchesMemStore writes the same random orders, holds
// and idempotency records (many sharing a date) to the in-memory store and
// to this one, and now and then trims both logs (through any position, bad
// ones included) and prunes both with the same cutoff, this store deleting
// in batches of one to three rows. Every error, every count of what was
// dropped, the log and the records kept must be the same.
func TestOrderRetentionMatchesMemStore(t *testing.T) {
	testURL(t)
	t.Parallel()
	ctx := context.Background()
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 9))
			ids := rand.NewChaCha8([32]byte{byte(seed)})
			mem := &order.MemStore{}
			pg := NewOrderStore(testDB(t))
			pg.trimBatch, pg.pruneBatch = 1+int(seed), 1+int(seed)
			stores := []order.Store{mem, pg}
			var (
				orders []fulfill.OrderID
				keys   []string
				last   order.Position
			)
			date := func() time.Time {
				if rng.IntN(10) == 0 {
					return time.Time{}
				}
				return t0.Add(time.Duration(rng.IntN(20)) * time.Minute)
			}
			record := func(key string, id fulfill.OrderID, cmd order.Command, events []order.Event) *order.IdempotencyRecord {
				if key == "" {
					return nil
				}
				keys = append(keys, key)
				return &order.IdempotencyRecord{Owner: "acme", Key: key, Command: cmd, Fingerprint: key, OrderID: id, Events: events, CreatedAt: date()}
			}
			var trimmed, pruned, refused int
			defer func() { t.Logf("%d events trimmed, %d records pruned, %d trims refused", trimmed, pruned, refused) }()
			for step := range 120 {
				key := ""
				if rng.IntN(3) > 0 {
					key = fmt.Sprint("k", step)
				}
				var errs [2]error
				var counts [2]int
				op := ""
				switch r := rng.IntN(10); {
				case r < 3 || len(orders) == 0:
					op = "create"
					id, err := fulfill.NewOrderID(ids)
					require.NoError(t, err)
					o, events, err := order.Place(id, "acme", t0, orderPlace)
					require.NoError(t, err)
					c := order.Change{Order: o, Events: events, Idempotency: record(key, id, order.CommandPlace, events)}
					for i, s := range stores {
						errs[i] = s.Create(ctx, c)
					}
					orders = append(orders, id)
					last += order.Position(len(events))
				case r < 6:
					op = "hold"
					id := orders[rng.IntN(len(orders))]
					o, err := mem.Get(ctx, "acme", id)
					require.NoError(t, err)
					v := o.Version()
					events, err := o.Execute(t0, order.HoldRequest{Holds: []order.Hold{{ID: fmt.Sprint("h", step), Kind: order.HoldCustomerRequest, Source: "test"}}})
					require.NoError(t, err)
					c := order.Change{Order: o, ExpectedVersion: v, Events: events, Idempotency: record(key, id, order.CommandHold, events)}
					for i, s := range stores {
						errs[i] = s.Save(ctx, c)
					}
					last += order.Position(len(events))
				case r < 8:
					through := order.Position(rng.Int64N(int64(last)+3)) - 1
					op = fmt.Sprint("trim through ", through)
					for i, s := range stores {
						counts[i], errs[i] = s.(order.EventTrimmer).TrimEvents(ctx, "acme", through)
					}
				default:
					before := t0.Add(time.Duration(rng.IntN(22)-1) * time.Minute)
					op = fmt.Sprint("prune before ", before.Format(time.TimeOnly))
					for i, s := range stores {
						counts[i], errs[i] = s.(order.IdempotencyPruner).PruneIdempotency(ctx, "acme", before)
					}
				}
				if op == "create" || op == "hold" {
					require.NoError(t, errs[0], "step %d: %s", step, op)
				}
				require.Equal(t, errs[0] == nil, errs[1] == nil, "step %d: %s: %v, %v", step, op, errs[0], errs[1])
				require.Equal(t, errors.Is(errs[0], order.ErrInvalidOrder), errors.Is(errs[1], order.ErrInvalidOrder), "step %d: %s", step, op)
				require.Equal(t, counts[0], counts[1], "step %d: %s dropped", step, op)
				switch {
				case errs[0] != nil:
					refused++
				case op[0] == 't':
					trimmed += counts[0]
				default:
					pruned += counts[0]
				}
				// The logs and the records kept.
				var logs [2][]order.StoredEvent
				var kept [2][]string
				for i, s := range stores {
					logs[i], errs[i] = s.EventsAfter(ctx, "acme", 0, 1000)
					require.NoError(t, errs[i])
					for _, k := range keys {
						if _, err := s.Idempotency(ctx, "acme", k); err == nil {
							kept[i] = append(kept[i], k)
						} else {
							require.ErrorIs(t, err, order.ErrNotFound)
						}
					}
				}
				require.Equal(t, positions(logs[0]), positions(logs[1]), "step %d: %s: the logs", step, op)
				require.Equal(t, kept[0], kept[1], "step %d: %s: the records kept", step, op)
			}
		})
	}
}

// positions lists the positions and event IDs of a log.
func positions(log []order.StoredEvent) []string {
	out := make([]string, 0, len(log))
	for _, se := range log {
		out = append(out, fmt.Sprint(se.Position, " ", se.Event.ID))
	}
	return slices.Clip(out)
}

// BenchmarkOrderIdempotencyIndexWrites measures what the date index of
// schema version 9 costs the writes that store a record: each iteration
// places an order under a key and confirms it under another, through a
// Service on a store with the index and on one without, in alternating
// order. The metric with/without is the ratio of their times in the same
// run.
func BenchmarkOrderIdempotencyIndexWrites(b *testing.B) {
	testURL(b)
	ctx := context.Background()
	without := testDB(b)
	if err := without.withConn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `DROP INDEX order_idempotency_created`)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	clock := fulfill.NewFakeClock(t0)
	rng := rand.NewChaCha8([32]byte{3})
	svcs := []*order.Service{
		{Store: NewOrderStore(testDB(b)), Clock: clock, Random: rng},
		{Store: NewOrderStore(without), Clock: clock, Random: rng},
	}
	var took [2]time.Duration
	i := 0
	for b.Loop() {
		for o := range svcs {
			j := (i + o) % 2
			start := time.Now()
			res, err := svcs[j].Place(ctx, "acme", fmt.Sprint("place-", i), orderPlace)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svcs[j].Execute(ctx, "acme", res.Order.ID(), fmt.Sprint("confirm-", i), order.ConfirmRequest{}); err != nil {
				b.Fatal(err)
			}
			took[j] += time.Since(start)
		}
		i++
		clock.Advance(time.Second)
	}
	b.ReportMetric(float64(took[0])/float64(took[1]), "with/without")
}
