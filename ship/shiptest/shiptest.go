package shiptest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/ship"
)

// Run tests the store newStore returns (a new, empty store on every call)
// against the contract of [ship.Store]: create, load, route by tracking
// number, conflicts, atomic updates, text kept exactly as [ship.New] and
// [ship.Shipment.Ingest] accept it, and concurrent writers that must all
// land.
func Run(t *testing.T, newStore func(t *testing.T) ship.Store) {
	t.Run("CreateAndLoad", func(t *testing.T) { testCreateAndLoad(t, newStore(t)) })
	t.Run("Text", func(t *testing.T) { testText(t, newStore(t)) })
	t.Run("Conflicts", func(t *testing.T) { testConflicts(t, newStore(t)) })
	t.Run("UpdateIsAtomic", func(t *testing.T) { testUpdateIsAtomic(t, newStore(t)) })
	t.Run("ConcurrentIngest", func(t *testing.T) { testConcurrentIngest(t, newStore(t)) })
}

var created = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// Shipment returns a valid shipment with ID id and n packages whose
// tracking numbers are id-1 ... id-n.
func Shipment(t testing.TB, id ship.ID, n int) *ship.Shipment {
	t.Helper()
	spec := ship.Spec{ID: id, Order: fulfill.MustOrderID("01936d3e-8c2a-7b1e-9f4d-2a6c8e0b1d3f"), Owner: "acme",
		Origin: "WH-EAST", CreatedAt: created}
	for i := range n {
		ref := fmt.Sprintf("%s-%d", id, i+1)
		spec.Packages = append(spec.Packages, ship.Package{
			Ref: ref, Dimensions: fulfill.Dims(30*fulfill.Centimeter, 20*fulfill.Centimeter, 10*fulfill.Centimeter),
			Mass:  fulfill.Kilogram,
			Label: ship.Label{Ref: "lbl-" + ref, TrackingNumber: ref, Carrier: "ups", Service: "ground", CreatedAt: created},
			Lines: []ship.Line{{LineID: fmt.Sprintf("L%d", i+1), SKU: "SKU-1", Quantity: 1}},
		})
	}
	s, err := ship.New(spec)
	if err != nil {
		t.Fatalf("shiptest: %v", err)
	}
	return s
}

func testCreateAndLoad(t *testing.T, st ship.Store) {
	ctx := context.Background()
	s := Shipment(t, "S1", 2)
	if err := st.Create(ctx, s); err != nil {
		t.Fatalf("Create: %v", err)
	}
	got, err := st.Shipment(ctx, "S1")
	if err != nil {
		t.Fatalf("Shipment: %v", err)
	}
	if got.ID() != "S1" || got.Status() != ship.StatusPreTransit || len(got.Labels()) != 2 {
		t.Fatalf("loaded %s in %s with %d labels", got.ID(), got.Status(), len(got.Labels()))
	}
	id, err := st.ByTrackingNumber(ctx, "S1-2")
	if err != nil || id != "S1" {
		t.Fatalf("ByTrackingNumber(S1-2) = %q, %v", id, err)
	}
	if _, err := st.Shipment(ctx, "nope"); !errors.Is(err, ship.ErrNotFound) {
		t.Fatalf("Shipment(nope) error %v, want ErrNotFound", err)
	}
	if _, err := st.ByTrackingNumber(ctx, "nope"); !errors.Is(err, ship.ErrNotFound) {
		t.Fatalf("ByTrackingNumber(nope) error %v, want ErrNotFound", err)
	}
	if err := st.Update(ctx, "nope", func(*ship.Shipment) error { return nil }); !errors.Is(err, ship.ErrNotFound) {
		t.Fatalf("Update(nope) error %v, want ErrNotFound", err)
	}
	// Changing a loaded shipment without Update changes nothing stored.
	if _, err := got.Ingest(ship.Event{TrackingNumber: "S1-1", Status: ship.StatusInTransit, At: created.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	again, _ := st.Shipment(ctx, "S1")
	if again.Version() != 0 {
		t.Fatalf("store shares its shipment with callers: version %d", again.Version())
	}
}

// testText creates and updates a shipment whose text is unusual but valid
// and expects it back unchanged each time; text no store can keep is
// refused by package ship before the store sees it.
func testText(t *testing.T, st ship.Store) {
	ctx := context.Background()
	snap := Shipment(t, "Ünï-📦", 1).Snapshot()
	snap.Packages[0].Label.TrackingNumber = "📦-Köln-1"
	snap.Packages[0].Label.Service = `\u0000 \ufffd \`
	snap.Destination = fulfill.Address{Name: "Jürgen \"Jo\" Ölçü", Company: "\ufffd", Line1: "Hauptstraße 1",
		Line2: "Hinterhaus\n3. OG\tlinks", City: "Köln", PostalCode: "50667", Country: "DE", Phone: `\u0000`}
	s, err := ship.Restore(snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Create(ctx, s); err != nil {
		t.Fatalf("Create: %v", err)
	}
	expectStored(t, st, s)
	if id, err := st.ByTrackingNumber(ctx, "📦-Köln-1"); err != nil || id != s.ID() {
		t.Fatalf("ByTrackingNumber(📦-Köln-1) = %q, %v", id, err)
	}
	e := ship.Event{ID: "ü\\u0000", TrackingNumber: "📦-Köln-1", Status: ship.StatusInTransit, At: created.Add(time.Hour),
		Location: "Köln\ufffd", Message: `"Paket" \u0000 angekommen \`}
	if _, _, err := ship.IngestEvent(ctx, st, e); err != nil {
		t.Fatalf("IngestEvent: %v", err)
	}
	if _, err := s.Ingest(e); err != nil {
		t.Fatal(err)
	}
	expectStored(t, st, s)

	// Text no store can keep never reaches one.
	snap.ID, snap.Packages[0].Label.TrackingNumber = "S2", "S2-1"
	for _, bad := range []string{"Spring\x00field", "K\xf6ln"} {
		snap.Destination = fulfill.Address{City: bad}
		if _, err := ship.Restore(snap); !errors.Is(err, ship.ErrInvalidShipment) {
			t.Fatalf("destination city %q: %v, want ErrInvalidShipment", bad, err)
		}
	}
	bad := e
	bad.ID, bad.Message = "e2", "a\x00b"
	if _, _, err := ship.IngestEvent(ctx, st, bad); !errors.Is(err, ship.ErrInvalidEvent) {
		t.Fatalf("IngestEvent of a message with a NUL: %v, want ErrInvalidEvent", err)
	}
	err = st.Update(ctx, s.ID(), func(s *ship.Shipment) error { return s.MarkManifested("lbl-Ünï-📦-1", "M\x00") })
	if !errors.Is(err, ship.ErrInvalidManifest) {
		t.Fatalf("MarkManifested with a NUL: %v, want ErrInvalidManifest", err)
	}
	expectStored(t, st, s)
}

// expectStored fails t unless st holds s as it is.
func expectStored(t *testing.T, st ship.Store, s *ship.Shipment) {
	t.Helper()
	got, err := st.Shipment(context.Background(), s.ID())
	if err != nil {
		t.Fatalf("Shipment(%q): %v", s.ID(), err)
	}
	want, err := json.Marshal(s.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	have, err := json.Marshal(got.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if string(have) != string(want) {
		t.Fatalf("stored shipment differs:\ngot  %s\nwant %s", have, want)
	}
}

func testConflicts(t *testing.T, st ship.Store) {
	ctx := context.Background()
	if err := st.Create(ctx, Shipment(t, "S1", 1)); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(ctx, Shipment(t, "S1", 1)); !errors.Is(err, ship.ErrConflict) {
		t.Fatalf("second Create of S1: %v, want ErrConflict", err)
	}
	// S1-1 is taken, whatever the shipment ID.
	other := Shipment(t, "S1", 1).Snapshot()
	other.ID = "S2"
	s2, err := ship.Restore(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Create(ctx, s2); !errors.Is(err, ship.ErrConflict) {
		t.Fatalf("Create with a taken tracking number: %v, want ErrConflict", err)
	}
	if _, err := st.Shipment(ctx, "S2"); !errors.Is(err, ship.ErrNotFound) {
		t.Fatalf("refused shipment was stored: %v", err)
	}
}

func testUpdateIsAtomic(t *testing.T, st ship.Store) {
	ctx := context.Background()
	if err := st.Create(ctx, Shipment(t, "S1", 1)); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := st.Update(ctx, "S1", func(s *ship.Shipment) error {
		if _, err := s.Ingest(ship.Event{TrackingNumber: "S1-1", Status: ship.StatusInTransit, At: created.Add(time.Hour)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the closure's error", err)
	}
	s, _ := st.Shipment(ctx, "S1")
	if s.Status() != ship.StatusPreTransit || s.Version() != 0 {
		t.Fatalf("failed update was stored: %s, version %d", s.Status(), s.Version())
	}
	_, c, err := ship.IngestEvent(ctx, st, ship.Event{ID: "e1", TrackingNumber: "S1-1", Status: ship.StatusDelivered, At: created.Add(time.Hour)})
	if err != nil || c.To != ship.StatusDelivered {
		t.Fatalf("IngestEvent: %+v, %v", c, err)
	}
	s, _ = st.Shipment(ctx, "S1")
	if s.Status() != ship.StatusDelivered || s.Version() != 1 {
		t.Fatalf("after IngestEvent: %s, version %d", s.Status(), s.Version())
	}
	if _, _, err := ship.IngestEvent(ctx, st, ship.Event{TrackingNumber: "X", Status: ship.StatusDelivered, At: created}); !errors.Is(err, ship.ErrNotFound) {
		t.Fatalf("IngestEvent for an unknown number: %v, want ErrNotFound", err)
	}
}

// testConcurrentIngest races writers over one shipment, each delivering its
// own events (and every event twice): none may be lost.
func testConcurrentIngest(t *testing.T, st ship.Store) {
	ctx := context.Background()
	const packages, perPackage = 4, 10
	if err := st.Create(ctx, Shipment(t, "S1", packages)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*packages*perPackage)
	for p := range packages {
		for i := range perPackage {
			e := ship.Event{ID: fmt.Sprintf("p%d-e%d", p, i), TrackingNumber: fmt.Sprintf("S1-%d", p+1),
				Status: ship.StatusInTransit, At: created.Add(time.Duration(i+1) * time.Hour)}
			if i == perPackage-1 {
				e.Status = ship.StatusDelivered
			}
			for range 2 {
				wg.Go(func() {
					for {
						_, _, err := ship.IngestEvent(ctx, st, e)
						if errors.Is(err, ship.ErrConflict) {
							continue // a store that detects races asks the caller to retry
						}
						errs <- err
						return
					}
				})
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("IngestEvent: %v", err)
		}
	}
	s, err := st.Shipment(ctx, "S1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Version() != packages*perPackage {
		t.Fatalf("version %d after %d distinct events: writes were lost", s.Version(), packages*perPackage)
	}
	if s.Status() != ship.StatusDelivered {
		t.Fatalf("status %s, want delivered", s.Status())
	}
}
