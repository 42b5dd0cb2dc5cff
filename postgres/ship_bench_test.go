package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill/ship"
	"github.com/fulfillkit/fulfill/ship/shiptest"
	"github.com/jackc/pgx/v5"
)

// lockingShipStore is the baseline: the textbook Update in one
// transaction, reading the shipment with SELECT ... FOR UPDATE, running
// the closure while the row lock is held, and writing the result back
// whether or not it changed.
type lockingShipStore struct {
	*ShipStore
}

func (l lockingShipStore) Update(ctx context.Context, id ship.ID, fn func(*ship.Shipment) error) error {
	return l.db.inTx(ctx, func(tx pgx.Tx) error {
		var b []byte
		if err := tx.QueryRow(ctx, `SELECT snapshot FROM shipments WHERE id = $1 FOR UPDATE`, string(id)).Scan(&b); err != nil {
			return err
		}
		s, err := decodeShipment(b)
		if err != nil {
			return err
		}
		if err := fn(s); err != nil {
			return err
		}
		r, err := encodeShipment(s)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE shipments SET status = $2, version = $3, revision = revision + 1, snapshot = $4::jsonb
			WHERE id = $1`, r.id, r.status, r.version, string(r.snapshot))
		return err
	})
}

// BenchmarkShipIngest measures tracking events ingested per second through
// ship.IngestEvent by 16 concurrent clients: the locking transaction
// (baseline) against the store's Update (optimistic, falling back to the
// row lock after a lost race), in the same run. With
// spread, each client updates a shipment of its own; with hot, all update
// one shipment (a package each); with redelivered, every event is sent
// twice, as at-least-once webhooks do.
func BenchmarkShipIngest(b *testing.B) {
	for _, mode := range []string{"spread", "hot", "redelivered"} {
		b.Run(mode, func(b *testing.B) { benchShipIngest(b, mode) })
	}
}

func benchShipIngest(b *testing.B, mode string) {
	ctx := context.Background()
	db := openSchema(b, testSchema(b), &Options{MaxConns: benchClients, MaxRetries: 100})
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	st := NewShipStore(db)
	stores := map[string]ship.Store{"lock": lockingShipStore{st}, "opt": st}
	// number returns the tracking number client c sends to.
	number := func(name string, c int) string {
		if mode == "hot" {
			return fmt.Sprintf("%s-0-%d", name, c+1)
		}
		return fmt.Sprintf("%s-%d-1", name, c)
	}
	for name := range stores {
		if mode == "hot" {
			if err := st.Create(ctx, shiptest.Shipment(b, ship.ID(name+"-0"), benchClients)); err != nil {
				b.Fatal(err)
			}
			continue
		}
		for c := range benchClients {
			if err := st.Create(ctx, shiptest.Shipment(b, ship.ID(fmt.Sprintf("%s-%d", name, c)), 1)); err != nil {
				b.Fatal(err)
			}
		}
	}
	const per = 4
	var seq atomic.Int64
	t0 := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	ingest := func(name string) func(c, i int) error {
		return func(c, i int) error {
			n := seq.Add(1)
			e := ship.Event{ID: fmt.Sprint("e", n), TrackingNumber: number(name, c), Status: ship.StatusInTransit,
				At: t0.Add(time.Duration(n) * time.Second)}
			sends := 1
			if mode == "redelivered" {
				sends = 2
			}
			for range sends {
				for {
					_, _, err := ship.IngestEvent(ctx, stores[name], e)
					if err == nil {
						break
					}
					if _, ok := err.(*ShipConflictError); !ok {
						return err
					}
				}
			}
			return nil
		}
	}
	var lock, opt time.Duration
	for b.Loop() {
		lock += batch(b, per, ingest("lock"))
		opt += batch(b, per, ingest("opt"))
	}
	events := float64(b.N * per * benchClients)
	b.ReportMetric(events/lock.Seconds(), "lock-events/s")
	b.ReportMetric(events/opt.Seconds(), "opt-events/s")
	b.ReportMetric(lock.Seconds()/opt.Seconds(), "opt-x")
	b.StopTimer()
	// Every event landed once in each store.
	for name := range stores {
		var total int64
		for c := range benchClients {
			id, err := st.ByTrackingNumber(ctx, number(name, c))
			if err != nil {
				b.Fatal(err)
			}
			s, err := st.Shipment(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			tr, _ := s.Tracking(number(name, c))
			for range tr.Events() {
				total++
			}
		}
		if want := int64(b.N * per * benchClients); total != want {
			b.Fatalf("%s: %d events stored, want %d", name, total, want)
		}
	}
}
