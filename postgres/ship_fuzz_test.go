package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/ship"
	"github.com/fulfillkit/fulfill/ship/shiptest"
)

// FuzzShipDecode decodes stored shipment snapshots: a corrupt one is an
// error wrapping ErrCorrupt, never a panic, and a decoded one encodes back
// to a snapshot that decodes to the same shipment.
func FuzzShipDecode(f *testing.F) {
	s := shiptest.Shipment(f, "S1", 2)
	if _, err := s.Ingest(ship.Event{ID: "e1", TrackingNumber: "S1-1", Status: ship.StatusInTransit, At: shipT0}); err != nil {
		f.Fatal(err)
	}
	good, err := json.Marshal(s.Snapshot())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"id": 7}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add(bytes.Replace(good, []byte(`"S1-2"`), []byte(`"S1-1"`), -1))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeShipment(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		r, err := encodeShipment(s)
		if err != nil {
			// ship validates every text a row cannot hold, so the store's
			// own check never fires on a shipment that decodes.
			t.Fatalf("a decoded shipment does not encode: %v", err)
		}
		again, err := decodeShipment(r.snapshot)
		if err != nil {
			t.Fatalf("an encoded shipment does not decode: %v", err)
		}
		r2, err := encodeShipment(again)
		if err != nil || !bytes.Equal(r.snapshot, r2.snapshot) {
			t.Fatalf("round trip changed the snapshot:\n%s\n%s", r.snapshot, r2.snapshot)
		}
	})
}

// FuzzShipStore stores shipments with arbitrary IDs, tracking numbers and
// city names: a shipment ship.New accepts is stored as given and found by
// its ID and tracking number, or refused with a conflict (one of them is
// taken); lookups of anything else are not found. Nothing else is an
// error: ship refuses the text the database cannot hold before the store
// sees it.
func FuzzShipStore(f *testing.F) {
	for _, seed := range [][3]string{{"S1", "1Z999", "Springfield"}, {"S2", "1Z999", ""}, {"S1", "X", ""},
		{"S\x00", "T", ""}, {"S3", "\xff", ""}, {"S4", "T4", "Z\x00rich"}, {"Ünïcode", "📦", "Köln"}} {
		f.Add(seed[0], seed[1], seed[2])
	}
	st := NewShipStore(testDB(f))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, id, tn, city string) {
		snap := shiptest.Shipment(t, "S", 1).Snapshot()
		snap.ID, snap.Packages[0].Label.TrackingNumber = ship.ID(id), tn
		snap.Destination = fulfill.Address{City: city}
		s, err := ship.Restore(snap)
		if err != nil {
			_, err := st.Shipment(ctx, ship.ID(id))
			if err != nil && !errors.Is(err, ship.ErrNotFound) {
				t.Fatalf("Shipment(%q): %v", id, err)
			}
			if _, err := st.ByTrackingNumber(ctx, tn); err != nil && !errors.Is(err, ship.ErrNotFound) {
				t.Fatalf("ByTrackingNumber(%q): %v", tn, err)
			}
			return
		}
		err = st.Create(ctx, s)
		switch {
		case err == nil:
			got, err := st.Shipment(ctx, ship.ID(id))
			if err != nil {
				t.Fatalf("Shipment(%q) after Create: %v", id, err)
			}
			a, _ := json.Marshal(s.Snapshot())
			b, _ := json.Marshal(got.Snapshot())
			if !bytes.Equal(a, b) {
				t.Fatalf("stored %s, loaded %s", a, b)
			}
			if owner, err := st.ByTrackingNumber(ctx, tn); err != nil || owner != ship.ID(id) {
				t.Fatalf("ByTrackingNumber(%q) = %q, %v", tn, owner, err)
			}
		case errors.Is(err, ship.ErrConflict):
			_, errID := st.Shipment(ctx, ship.ID(id))
			_, errTN := st.ByTrackingNumber(ctx, tn)
			if errID != nil && errTN != nil {
				t.Fatalf("conflict %v, yet neither %q nor %q is stored", err, id, tn)
			}
		default:
			t.Fatalf("Create: %v", err)
		}
	})
}
