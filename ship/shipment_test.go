package ship

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testOrder = fulfill.MustOrderID("01936d3e-8c2a-7b1e-9f4d-2a6c8e0b1d3f")

// twoBoxSpec is a shipment of two packages from one warehouse.
func twoBoxSpec() Spec {
	label := func(ref, tn, cost string) Label {
		return Label{Ref: ref, TrackingNumber: tn, Carrier: "ups", Service: "ground", Account: "A1",
			CreatedAt: ts("2026-11-20T14:00:00Z"), Cost: fulfill.MustMoney(cost, "USD")}
	}
	return Spec{
		ID: "SHP-1", Order: testOrder, Owner: "acme", Origin: "WH-EAST",
		CreatedAt: ts("2026-11-20T14:00:00Z"),
		Packages: []Package{
			{Ref: "box-1", Box: "M", Dimensions: fulfill.Dims(12*fulfill.Inch, 10*fulfill.Inch, 8*fulfill.Inch),
				Mass: 3 * fulfill.Pound, Label: label("lbl-1", "1Z1", "12.40"),
				Lines: []Line{{LineID: "L1", SKU: "MUG", Quantity: 2}, {LineID: "L2", SKU: "TEA", Quantity: 1}}},
			{Ref: "box-2", Box: "S", Dimensions: fulfill.Dims(8*fulfill.Inch, 6*fulfill.Inch, 4*fulfill.Inch),
				Mass: 1 * fulfill.Pound, Label: label("lbl-2", "1Z2", "8.15"),
				Lines: []Line{{LineID: "L1", SKU: "MUG", Quantity: 1}}},
		},
	}
}

func mustShipment(t *testing.T) *Shipment {
	t.Helper()
	s, err := New(twoBoxSpec())
	require.NoError(t, err)
	return s
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Spec)
		fields []string
	}{
		{"no id", func(s *Spec) { s.ID = "" }, []string{"id"}},
		{"no order", func(s *Spec) { s.Order = fulfill.OrderID{} }, []string{"order"}},
		{"bad owner", func(s *Spec) { s.Owner = " acme" }, []string{"owner"}},
		{"no packages", func(s *Spec) { s.Packages = nil }, []string{"packages"}},
		{"no created", func(s *Spec) { s.CreatedAt = ts("0001-01-01T00:00:00Z") }, []string{"created_at"}},
		{"duplicate tracking", func(s *Spec) { s.Packages[1].Label.TrackingNumber = "1Z1" }, []string{"packages[1].label.tracking_number"}},
		{"duplicate package", func(s *Spec) { s.Packages[1].Ref = "box-1" }, []string{"packages[1].ref"}},
		{"zero mass and bad dims", func(s *Spec) {
			s.Packages[0].Mass = 0
			s.Packages[0].Dimensions.Height = 0
		}, []string{"packages[0].dimensions", "packages[0].mass"}},
		{"bad line", func(s *Spec) {
			s.Packages[0].Lines[0].Quantity = 0
			s.Packages[0].Lines[1].SKU = ""
		}, []string{"packages[0].lines[0].quantity", "packages[0].lines[1].sku"}},
		{"line twice in a package", func(s *Spec) { s.Packages[0].Lines[1].LineID = "L1" }, []string{"packages[0].lines[1].line_id"}},
		{"no lines", func(s *Spec) { s.Packages[1].Lines = nil }, []string{"packages[1].lines"}},
		{"no carrier", func(s *Spec) { s.Packages[0].Label.Carrier = "" }, []string{"packages[0].label.carrier"}},
		{"other origin", func(s *Spec) { s.Packages[0].Label.Origin = "WH-WEST" }, []string{"packages[0].label.origin"}},
		{"negative cost", func(s *Spec) { s.Packages[0].Label.Cost = fulfill.MustMoney("-1", "USD") }, []string{"packages[0].label.cost"}},
		{"bad destination", func(s *Spec) { s.Destination = fulfill.Address{Line1: "1 Main St", Country: "US"} }, []string{"destination"}},
		{"NUL in a destination without a line", func(s *Spec) { s.Destination = fulfill.Address{City: "Spring\x00field"} }, []string{"destination.city"}},
		{"destination not UTF-8", func(s *Spec) { s.Destination = fulfill.Address{Name: "J\xfcrgen", Phone: "\xff"} }, []string{"destination.name", "destination.phone"}},
		{"bad address with a NUL", func(s *Spec) { s.Destination = fulfill.Address{Line1: "1 Main\x00St", Country: "US"} }, []string{"destination", "destination.line1"}},
		{"NUL in a tracking number", func(s *Spec) { s.Packages[0].Label.TrackingNumber = "1Z\x001" }, []string{"packages[0].label.tracking_number"}},
		{"service not UTF-8", func(s *Spec) { s.Packages[1].Label.Service = "gr\xf6und" }, []string{"packages[1].label.service"}},
		{"NUL in a line ID", func(s *Spec) { s.Packages[1].Lines[0].LineID = "L\x00" }, []string{"packages[1].lines[0].line_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := twoBoxSpec()
			tt.edit(&spec)
			s, err := New(spec)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.ErrorIs(t, err, ErrInvalidShipment)
			var fields []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				fe, ok := errors.AsType[*fulfill.FieldError](e)
				require.True(t, ok)
				fields = append(fields, fe.Field)
			}
			assert.Equal(t, tt.fields, fields)
		})
	}
}

// TestNewKeepsText: destination text that is valid UTF-8 without NUL
// characters is accepted as given, line breaks and replacement characters
// included, and survives a JSON round trip of the snapshot unchanged.
func TestNewKeepsText(t *testing.T) {
	spec := twoBoxSpec()
	spec.Destination = fulfill.Address{Name: "Jürgen \"Jo\" Ölçü", Company: "Ünïcode 📦 GmbH", Line1: "Hauptstraße 1",
		Line2: "Hinterhaus\n3. OG\tlinks", City: "Köln", PostalCode: "50667", Country: "DE", Phone: `\u0000 \ufffd �`}
	s, err := New(spec)
	require.NoError(t, err)
	assert.Equal(t, spec.Destination, s.Destination())
	b, err := json.Marshal(s.Snapshot())
	require.NoError(t, err)
	var snap Snapshot
	require.NoError(t, json.Unmarshal(b, &snap))
	r, err := Restore(snap)
	require.NoError(t, err)
	assert.Equal(t, spec.Destination, r.Destination())
}

func TestNewCopiesInput(t *testing.T) {
	spec := twoBoxSpec()
	s, err := New(spec)
	require.NoError(t, err)
	spec.Packages[0].Lines[0].Quantity = 99
	p, ok := s.Package("box-1")
	require.True(t, ok)
	assert.Equal(t, int64(2), p.Lines[0].Quantity)
	p.Lines[0].Quantity = 50
	p2, _ := s.Package("box-1")
	assert.Equal(t, int64(2), p2.Lines[0].Quantity)
	assert.Equal(t, fulfill.LocationID("WH-EAST"), p2.Label.Origin, "label origin filled in")
}

func TestShipmentLinesAndCost(t *testing.T) {
	s := mustShipment(t)
	assert.Equal(t, []Line{{"L1", "MUG", 3}, {"L2", "TEA", 1}}, s.Lines())
	assert.Empty(t, s.DeliveredLines())
	cost, err := s.Cost()
	require.NoError(t, err)
	assert.True(t, cost.Amount().Equal(fulfill.MustMoney("20.55", "USD").Amount()))

	_, err = s.Ingest(Event{ID: "d2", TrackingNumber: "1Z2", Status: StatusDelivered, At: ts("2026-11-22T10:00:00Z")})
	require.NoError(t, err)
	assert.Equal(t, []Line{{"L1", "MUG", 1}}, s.DeliveredLines())

	spec := twoBoxSpec()
	spec.Packages[1].Label.Cost = fulfill.MustMoney("7", "EUR")
	mixed, err := New(spec)
	require.NoError(t, err)
	_, err = mixed.Cost()
	assert.ErrorIs(t, err, fulfill.ErrCurrencyMismatch)
}

func TestShipmentStatus(t *testing.T) {
	tests := []struct {
		a, b Status
		want Status
	}{
		{StatusPreTransit, StatusPreTransit, StatusPreTransit},
		{StatusInTransit, StatusPreTransit, StatusPreTransit},
		{StatusDelivered, StatusOutForDelivery, StatusOutForDelivery},
		{StatusDelivered, StatusDelivered, StatusDelivered},
		{StatusDelivered, StatusDeliveryException, StatusDeliveryException},
		{StatusReturnedToSender, StatusDelivered, StatusReturnedToSender},
		{StatusCancelled, StatusDelivered, StatusDelivered},
		{StatusCancelled, StatusCancelled, StatusCancelled},
	}
	for _, tt := range tests {
		t.Run(string(tt.a)+"+"+string(tt.b), func(t *testing.T) {
			s := mustShipment(t)
			for tn, st := range map[string]Status{"1Z1": tt.a, "1Z2": tt.b} {
				if st != StatusPreTransit {
					_, err := s.Ingest(Event{TrackingNumber: tn, Status: st, At: ts("2026-11-21T10:00:00Z")})
					require.NoError(t, err)
				}
			}
			assert.Equal(t, tt.want, s.Status())
		})
	}
}

func TestShipmentIngest(t *testing.T) {
	s := mustShipment(t)
	_, err := s.Ingest(Event{TrackingNumber: "NOPE", Status: StatusInTransit, At: ts("2026-11-21T10:00:00Z")})
	assert.ErrorIs(t, err, ErrUnknownTrackingNumber)
	_, err = s.Ingest(Event{TrackingNumber: "NOPE", Status: "lost", At: ts("2026-11-21T10:00:00Z")})
	assert.ErrorIs(t, err, ErrInvalidEvent)
	assert.Equal(t, int64(0), s.Version())

	e := Event{ID: "x", TrackingNumber: "1Z1", Status: StatusInTransit, At: ts("2026-11-21T10:00:00Z")}
	c, err := s.Ingest(e)
	require.NoError(t, err)
	assert.True(t, c.Changed())
	assert.Equal(t, int64(1), s.Version())
	c, err = s.Ingest(e)
	require.NoError(t, err)
	assert.True(t, c.Duplicate)
	assert.Equal(t, int64(1), s.Version(), "duplicates do not change the version")
	st, ok := s.PackageStatus("1Z1")
	assert.True(t, ok)
	assert.Equal(t, StatusInTransit, st)
	_, ok = s.PackageStatus("1Z9")
	assert.False(t, ok)

	tr, ok := s.Tracking("1Z1")
	require.True(t, ok)
	_, _ = tr.Ingest(Event{TrackingNumber: "1Z1", Status: StatusDelivered, At: ts("2026-11-22T10:00:00Z")})
	st, _ = s.PackageStatus("1Z1")
	assert.Equal(t, StatusInTransit, st, "Tracking returns a copy")
}

func TestShipmentVoid(t *testing.T) {
	s := mustShipment(t)
	at := ts("2026-11-20T15:00:00Z")
	c, err := s.Void("1Z2", at)
	require.NoError(t, err)
	assert.Equal(t, StatusCancelled, c.To)
	p, _ := s.Package("box-2")
	assert.True(t, p.Label.Voided)
	assert.Equal(t, []Line{{"L1", "MUG", 2}, {"L2", "TEA", 1}}, s.Lines(), "a voided package carries nothing")
	cost, _ := s.Cost()
	assert.Equal(t, "12.40 USD", cost.String())
	v := s.Version()

	c, err = s.Void("1Z2", at.Add(1))
	require.NoError(t, err)
	assert.True(t, c.Duplicate)
	assert.Equal(t, v, s.Version())

	_, err = s.Ingest(Event{TrackingNumber: "1Z1", Status: StatusInTransit, At: ts("2026-11-20T18:00:00Z")})
	require.NoError(t, err)
	_, err = s.Void("1Z1", ts("2026-11-20T19:00:00Z"))
	te, ok := errors.AsType[*TransitionError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, StatusInTransit, te.From)
	_, err = s.Void("1Z9", at)
	assert.ErrorIs(t, err, ErrUnknownTrackingNumber)

	assert.ErrorIs(t, s.MarkManifested("lbl-2", "M1"), ErrInvalidManifest)
}

func TestMultiPackageLabel(t *testing.T) {
	spec := twoBoxSpec()
	spec.Packages[1].Label.Ref = "lbl-1" // one label, two tracking numbers
	s, err := New(spec)
	require.NoError(t, err)
	require.NoError(t, s.MarkManifested("lbl-1", "M1"))
	for _, l := range s.Labels() {
		assert.Equal(t, "M1", l.ManifestID, l.TrackingNumber)
	}
	assert.Equal(t, int64(1), s.Version())
	require.NoError(t, s.MarkManifested("lbl-1", "M1"))
	assert.Equal(t, int64(1), s.Version(), "marking again changes nothing")

	spec.Packages[0].Label.Voided = true // one package of the label voided
	s, err = New(spec)
	require.NoError(t, err)
	err = s.MarkManifested("lbl-1", "M1")
	assert.ErrorIs(t, err, ErrInvalidManifest)
	for _, l := range s.Labels() {
		assert.Empty(t, l.ManifestID, "nothing is marked when one package fails")
	}
}

func TestShipmentMarkManifested(t *testing.T) {
	s := mustShipment(t)
	require.NoError(t, s.MarkManifested("lbl-1", "M1"))
	require.NoError(t, s.MarkManifested("lbl-1", "M1"))
	err := s.MarkManifested("lbl-1", "M2")
	me, ok := errors.AsType[*ManifestError](err)
	require.True(t, ok)
	assert.Equal(t, "lbl-1", me.Label)
	assert.ErrorIs(t, s.MarkManifested("lbl-1", ""), ErrInvalidManifest)
	for _, id := range []string{"M\x00", "M\xff", strings.Repeat("M", MaxCodeLen+1)} {
		err := s.MarkManifested("lbl-2", id)
		me, ok := errors.AsType[*ManifestError](err)
		require.True(t, ok, "%q: %v", id, err)
		assert.True(t, strings.HasPrefix(me.Reason, "manifest ID: "), "%q: %s", id, me.Reason)
	}
	p, _ := s.Package("box-2")
	assert.Empty(t, p.Label.ManifestID, "a refused manifest ID was recorded")
	assert.ErrorIs(t, s.MarkManifested("lbl-9", "M1"), ErrInvalidShipment)
	_, err = s.Void("1Z1", ts("2026-11-20T15:00:00Z"))
	assert.ErrorIs(t, err, ErrInvalidShipment, "a manifested label cannot be voided")
}

func TestSnapshotRestore(t *testing.T) {
	s := mustShipment(t)
	for _, e := range []Event{
		{ID: "1", TrackingNumber: "1Z1", Status: StatusInTransit, At: ts("2026-11-21T10:00:00Z")},
		{ID: "2", TrackingNumber: "1Z1", Status: StatusDelivered, At: ts("2026-11-22T10:00:00Z")},
		{ID: "3", TrackingNumber: "1Z1", Status: StatusInTransit, At: ts("2026-11-23T10:00:00Z")},
	} {
		_, err := s.Ingest(e)
		require.NoError(t, err)
	}
	_, err := s.Void("1Z2", ts("2026-11-20T15:00:00Z"))
	require.NoError(t, err)

	b, err := json.Marshal(s.Snapshot())
	require.NoError(t, err)
	var snap Snapshot
	require.NoError(t, json.Unmarshal(b, &snap))
	r, err := Restore(snap)
	require.NoError(t, err)
	assert.Equal(t, s.Status(), r.Status())
	assert.Equal(t, s.Version(), r.Version())
	assert.Equal(t, s.Lines(), r.Lines())
	assert.Equal(t, s.DeliveredLines(), r.DeliveredLines())
	assert.Equal(t, s.Order(), r.Order())
	tr, _ := r.Tracking("1Z1")
	assert.Len(t, tr.Anomalies(), 1)
	b2, err := json.Marshal(r.Snapshot())
	require.NoError(t, err)
	assert.JSONEq(t, string(b), string(b2))

	snap.Events = append(snap.Events, Event{TrackingNumber: "OTHER", Status: StatusInTransit, At: ts("2026-11-21T10:00:00Z")})
	_, err = Restore(snap)
	assert.ErrorIs(t, err, ErrUnknownTrackingNumber)
}

func FuzzRestore(f *testing.F) {
	s, err := New(twoBoxSpec())
	if err != nil {
		f.Fatal(err)
	}
	_, _ = s.Ingest(Event{ID: "1", TrackingNumber: "1Z1", Status: StatusInTransit, At: ts("2026-11-21T10:00:00Z")})
	b, _ := json.Marshal(s.Snapshot())
	f.Add(b)
	f.Add([]byte(strings.Replace(string(b), `"1Z2"`, `"1Z1"`, 1)))
	f.Add([]byte(`{}`))
	f.Add([]byte(strings.Replace(string(b), `"destination":{`, `"destination":{"city":"a\u0000b",`, 1)))
	f.Add([]byte(strings.Replace(string(b), `"destination":{`, `"destination":{"line2":"a\nb \\u0000 \ud800",`, 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var snap Snapshot
		if json.Unmarshal(data, &snap) != nil {
			return
		}
		r, err := Restore(snap)
		if err != nil {
			return
		}
		// A restored shipment snapshots to something that restores the same.
		again, err := Restore(r.Snapshot())
		if err != nil {
			t.Fatalf("restoring a snapshot of a restored shipment: %v", err)
		}
		if again.Status() != r.Status() || again.Version() != r.Version() {
			t.Fatalf("status %s/%s, version %d/%d", again.Status(), r.Status(), again.Version(), r.Version())
		}
		// Its text is what a store can keep: the destination holds no NUL
		// character and the snapshot survives JSON unchanged.
		for _, f := range addressText(r.Destination()) {
			if freeTextProblem(f[1]) != "" {
				t.Fatalf("destination %s %q was accepted", f[0], f[1])
			}
		}
		b1, err := json.Marshal(r.Snapshot())
		if err != nil {
			t.Fatalf("encoding a restored shipment: %v", err)
		}
		var snap2 Snapshot
		if err := json.Unmarshal(b1, &snap2); err != nil {
			t.Fatalf("decoding the snapshot of a restored shipment: %v", err)
		}
		r2, err := Restore(snap2)
		if err != nil {
			t.Fatalf("restoring the decoded snapshot of a restored shipment: %v", err)
		}
		if b2, _ := json.Marshal(r2.Snapshot()); string(b2) != string(b1) {
			t.Fatalf("JSON changed the snapshot:\n%s\n%s", b1, b2)
		}
	})
}

// TestShipmentInvariants runs random sequences of events and voids and
// checks after each step what a host relies on: delivered quantities never
// exceed shipped ones, shipped quantities are those of the live packages,
// the version counts the changes, and the overall status agrees with the
// packages'.
func TestShipmentInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for round := range 100 {
		s := mustShipment(t)
		changes := int64(0)
		for step := range 30 {
			tn := []string{"1Z1", "1Z2"}[r.IntN(2)]
			at := ts("2026-11-20T15:00:00Z").Add(time.Duration(r.IntN(200)) * time.Hour)
			var c Change
			var err error
			if r.IntN(10) == 0 {
				c, err = s.Void(tn, at)
			} else {
				c, err = s.Ingest(Event{ID: fmt.Sprintf("e%d", r.IntN(40)), TrackingNumber: tn,
					Status: statuses[r.IntN(len(statuses))], At: at})
			}
			if err == nil && !c.Duplicate {
				changes++
			}
			require.Equal(t, changes, s.Version(), "round %d step %d", round, step)

			shipped := map[string]int64{}
			for _, l := range s.Lines() {
				shipped[l.LineID] += l.Quantity
			}
			live := map[string]int64{}
			allDelivered, anyLive := true, false
			for p := range s.Packages() {
				st, _ := s.PackageStatus(p.Label.TrackingNumber)
				if st != StatusCancelled {
					anyLive = true
					allDelivered = allDelivered && st == StatusDelivered
				}
				if p.Label.Voided {
					continue
				}
				for _, l := range p.Lines {
					live[l.LineID] += l.Quantity
				}
			}
			require.Equal(t, live, shipped)
			for _, l := range s.DeliveredLines() {
				require.LessOrEqual(t, l.Quantity, shipped[l.LineID])
			}
			require.Equal(t, anyLive && allDelivered, s.Status() == StatusDelivered, "round %d step %d", round, step)
			require.Equal(t, !anyLive, s.Status() == StatusCancelled)
		}
	}
}
