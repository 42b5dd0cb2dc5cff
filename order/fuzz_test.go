package order

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzCommands drives random command sequences from the fuzzer's bytes and
// checks everything runSequence checks after every step.
func FuzzCommands(f *testing.F) {
	for seed := range 8 {
		r := newRand(uint64(seed))
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rq := placeRq
		if len(data) > 0 && data[0]%2 == 1 {
			rq = discountedRq
		}
		runSequence(t, &byteChooser{b: data}, min(len(data)/2, 150), sequence{place: rq})
	})
}

// fixtureSeeds returns the JSON of every fixture's snapshot and events.
func fixtureSeeds(f *testing.F) (snaps, events [][]byte) {
	for _, fx := range fixtures {
		o := fx.build(f)
		b, err := json.Marshal(o.Snapshot())
		if err != nil {
			f.Fatal(err)
		}
		snaps = append(snaps, b)
	}
	o := placed(f)
	evs := placedEvents(f)
	for _, r := range []Request{
		ConfirmRequest{},
		AllocateRequest{Location: "WH1", Lines: []LineQuantity{{1, 4}, {2, 2}}},
		HoldRequest{Holds: []Hold{{ID: "h", Kind: HoldScheduled, Source: "s", Until: t0}}},
		ReleaseRequest{Due: true},
		SplitRequest{Fulfillment: 1, Lines: []LineQuantity{{1, 1}}},
		MoveRequest{Fulfillment: 2, To: "WH2"},
		PackRequest{Fulfillment: 1, Lines: []LineQuantity{{1, 1}}},
		ShipRequest{Shipment: "S1", Fulfillment: 1},
		CancelRequest{Lines: []LineQuantity{{1, 1}}},
		DeliverRequest{Shipment: "S1"},
		RequestReturnRequest{Lines: []LineQuantity{{1, 1}}},
		RecordReturnRequest{Lines: []LineQuantity{{2, 1}}},
		WithdrawReturnRequest{Lines: []LineQuantity{{1, 1}}},
	} {
		more, err := o.Execute(t0.Add(time.Hour), r)
		if err != nil {
			f.Fatal(r.Command(), err)
		}
		evs = append(evs, more...)
	}
	b, err := json.Marshal(evs)
	if err != nil {
		f.Fatal(err)
	}
	return snaps, [][]byte{b}
}

// FuzzEventsJSON decodes an event list and replays it: errors are fine,
// panics are not, and whatever replays must survive a JSON round trip.
func FuzzEventsJSON(f *testing.F) {
	_, events := fixtureSeeds(f)
	for _, b := range events {
		f.Add(b)
	}
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var evs []Event
		if json.Unmarshal(data, &evs) != nil {
			return
		}
		o, err := Replay(evs)
		if err != nil {
			return
		}
		if err := o.CheckInvariants(); err != nil {
			t.Fatalf("replayed order breaks %v", err)
		}
		b, err := json.Marshal(evs)
		if err != nil {
			t.Fatalf("re-encoding replayable events: %v", err)
		}
		var again []Event
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("decoding re-encoded events: %v", err)
		}
		o2, err := Replay(again)
		if err != nil {
			t.Fatalf("replaying re-encoded events: %v", err)
		}
		if snapJSON(t, o) != snapJSON(t, o2) {
			t.Fatalf("replay differs after a JSON round trip")
		}
		_ = AllowedActions(o)
	})
}

// FuzzSnapshotJSON decodes and restores a snapshot: whatever restores keeps
// every invariant and survives a round trip.
func FuzzSnapshotJSON(f *testing.F) {
	snaps, _ := fixtureSeeds(f)
	for _, b := range snaps {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Snapshot
		if json.Unmarshal(data, &s) != nil {
			return
		}
		o, err := Restore(s)
		if err != nil {
			return
		}
		if err := o.CheckInvariants(); err != nil {
			t.Fatalf("restored order breaks %v", err)
		}
		if _, err := o.Totals(); err != nil {
			t.Fatalf("restored order has no totals: %v", err)
		}
		o2, err := Restore(o.Snapshot())
		if err != nil {
			t.Fatalf("restoring a restored order's snapshot: %v", err)
		}
		if snapJSON(t, o) != snapJSON(t, o2) {
			t.Fatalf("snapshot round trip differs")
		}
		for _, c := range commands {
			_ = o.Can(c)
		}
	})
}

// FuzzPlaceJSON decodes a place request from JSON and places it.
func FuzzPlaceJSON(f *testing.F) {
	b, err := json.Marshal(placeRq)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"channel":"b2b","currency":"JPY","lines":[{"sku":"X","quantity":1,"unit_price":{"amount":"1","currency":"JPY"}}],"ship_to":{"line1":"a","city":"b","country":"JP","postal_code":"100-0001"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r PlaceRequest
		if json.Unmarshal(data, &r) != nil {
			return
		}
		o, events, err := Place(testID, owner, t0, r)
		if err != nil {
			if o != nil || events != nil {
				t.Fatalf("failed Place returned an order")
			}
			return
		}
		if err := o.CheckInvariants(); err != nil {
			t.Fatal(err)
		}
		if _, err := o.Totals(); err != nil {
			t.Fatalf("placed order has no totals: %v", err)
		}
		if _, err := o.Cancel(t0, CancelRequest{}); err != nil {
			t.Fatalf("cancelling a placed order: %v", err)
		}
	})
}

// FuzzStatusText checks that only the statuses of the package decode.
func FuzzStatusText(f *testing.F) {
	for _, s := range statuses {
		f.Add(string(s))
	}
	f.Add("Pending")
	f.Fuzz(func(t *testing.T, in string) {
		var s Status
		err := s.UnmarshalText([]byte(in))
		if (err == nil) != Status(in).Valid() {
			t.Fatalf("UnmarshalText(%q) = %v, Valid = %v", in, err, Status(in).Valid())
		}
	})
}
