package postgres

import (
	"context"
	"testing"

	"github.com/fulfillkit/fulfill/inventory"
)

// FuzzOpen parses connection strings: a bad one is an error, never a
// panic. The context is cancelled, so that a good one fails to connect
// without trying.
func FuzzOpen(f *testing.F) {
	for _, s := range []string{"", "postgres://u@h:5432/db?sslmode=disable", "host=h port=x", "postgres://%zz",
		"postgres://u@[::1]:1/db?search_path=a,b", "user=a password='b c' dbname=d", "postgres://h/db?pool_max_conns=4"} {
		f.Add(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.Fuzz(func(t *testing.T, s string) {
		db, err := Open(ctx, s, &Options{MaxConns: 1})
		if err == nil {
			db.Close()
			t.Fatalf("Open(%q) connected with a cancelled context", s)
		}
	})
}

// FuzzReplay decodes stored idempotency records: a corrupt one is an
// error, never a panic, and a decoded one is marked replayed.
func FuzzReplay(f *testing.F) {
	f.Add([]byte(`{"entries":[{"seq":0,"at":"2026-03-01T09:00:00Z","key":{"owner":"acme","sku":"A","location":"WH1"},"kind":"reserve","delta":{"on_hand":0,"reserved":1,"committed":0,"damaged":0,"quarantine":0,"safety":0,"incoming":0,"in_transit":0}}],"levels":[{"owner":"acme","sku":"A","location":"WH1","version":0}]}`),
		[]byte(`[10,1,0,0,0,0,0,0,2,null,1772355600000000000]`), int64(7))
	f.Add([]byte(`{"entries":[],"levels":[]}`), []byte(nil), int64(0))
	f.Add([]byte(`{`), []byte(`[1]`), int64(-1))
	f.Add([]byte(`null`), []byte(`[null,null,null,null,null,null,null,null,null,null,null]`), int64(1))
	t := &inventory.Txn{Owner: "acme", Fingerprint: "f", IdempotencyKey: "k"}
	f.Fuzz(func(tt *testing.T, receipt, level []byte, seq0 int64) {
		rec := &idemRecord{fingerprint: "f", receipt: receipt, level: level}
		if seq0 != 0 {
			rec.seq0 = &seq0
		}
		r, err := rec.replay(t)
		if err == nil && !r.Replayed {
			tt.Fatal("a replayed receipt is not marked replayed")
		}
		rec.fingerprint = "other"
		if _, err := rec.replay(t); err == nil {
			tt.Fatal("another fingerprint replayed")
		}
	})
}
