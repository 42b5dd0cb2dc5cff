package ship

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var decodeEventTests = []struct {
	name  string
	in    string
	want  Event
	err   error  // kind, nil for success
	field string // the field a *fulfill.FieldError names, if any
}{
	{
		name: "canonical",
		in:   `{"id":"evt_1","tracking_number":"1Z999","carrier":"ups","status":"in_transit","occurred_at":"2026-11-20T09:30:00-05:00","location":"Memphis, TN","message":"Departed"}`,
		want: Event{ID: "evt_1", TrackingNumber: "1Z999", Carrier: "ups", Status: StatusInTransit,
			At: ts("2026-11-20T14:30:00Z"), Location: "Memphis, TN", Message: "Departed"},
	},
	{
		name: "shippo with substatus",
		in:   `{"tracking_number":"9400","source":"shippo","status":"TRANSIT","detail":"out_for_delivery","occurred_at":"2026-11-21T08:00:00Z"}`,
		want: Event{TrackingNumber: "9400", Status: StatusOutForDelivery, Detail: "out_for_delivery", At: ts("2026-11-21T08:00:00Z")},
	},
	{
		name: "shipengine",
		in:   `{"tracking_number":"9400","source":"shipengine","status":"DE","occurred_at":"2026-11-21T15:04:05.123456789+01:00"}`,
		want: Event{TrackingNumber: "9400", Status: StatusDelivered, At: time.Date(2026, 11, 21, 14, 4, 5, 123456789, time.UTC)},
	},
	{
		name: "easypost",
		in:   `{"tracking_number":"EZ1","source":"easypost","status":"return_to_sender","occurred_at":"2026-11-22T10:00:00Z"}`,
		want: Event{TrackingNumber: "EZ1", Status: StatusReturnedToSender, At: ts("2026-11-22T10:00:00Z")},
	},
	{name: "carrier code without source", in: `{"tracking_number":"1","status":"TRANSIT","occurred_at":"2026-11-20T09:30:00Z"}`, err: ErrInvalidEvent, field: "status"},
	{name: "unmapped code", in: `{"tracking_number":"1","source":"shippo","status":"LOST","occurred_at":"2026-11-20T09:30:00Z"}`, err: ErrUnmappedStatus},
	{name: "unknown source", in: `{"tracking_number":"1","source":"fedex","status":"DL","occurred_at":"2026-11-20T09:30:00Z"}`, err: ErrUnmappedStatus},
	{name: "unknown field", in: `{"tracking_number":"1","status":"delivered","occurred_at":"2026-11-20T09:30:00Z","weight":3}`, err: ErrInvalidEvent},
	{name: "missing time", in: `{"tracking_number":"1","status":"delivered"}`, err: ErrInvalidEvent, field: "occurred_at"},
	{name: "bad time", in: `{"tracking_number":"1","status":"delivered","occurred_at":"20 Nov 2026"}`, err: ErrInvalidEvent, field: "occurred_at"},
	{name: "missing tracking number", in: `{"status":"delivered","occurred_at":"2026-11-20T09:30:00Z"}`, err: ErrInvalidEvent, field: "tracking_number"},
	{name: "control character", in: `{"tracking_number":"1\u0000","status":"delivered","occurred_at":"2026-11-20T09:30:00Z"}`, err: ErrInvalidEvent, field: "tracking_number"},
	{name: "too long", in: `{"tracking_number":"` + strings.Repeat("9", MaxCodeLen+1) + `","status":"delivered","occurred_at":"2026-11-20T09:30:00Z"}`, err: ErrInvalidEvent, field: "tracking_number"},
	{name: "trailing data", in: `{"tracking_number":"1","status":"delivered","occurred_at":"2026-11-20T09:30:00Z"} {}`, err: ErrInvalidEvent},
	{name: "not an object", in: `[1,2]`, err: ErrInvalidEvent},
	{name: "empty", in: ``, err: ErrInvalidEvent},
	{name: "number as status", in: `{"tracking_number":"1","status":3,"occurred_at":"2026-11-20T09:30:00Z"}`, err: ErrInvalidEvent},
}

func TestDecodeEvent(t *testing.T) {
	for _, tt := range decodeEventTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeEvent([]byte(tt.in))
			if tt.err != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.err)
				assert.ErrorIs(t, err, ErrInvalidEvent, "every decode error is an invalid event")
				if tt.field != "" {
					fe, ok := errors.AsType[*fulfill.FieldError](err)
					require.True(t, ok, "%v", err)
					assert.Equal(t, tt.field, fe.Field)
				}
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Same(got), "got %+v", got)
			// Round trip through the generic form.
			b, err := json.Marshal(got)
			require.NoError(t, err)
			back, err := DecodeEvent(b)
			require.NoError(t, err)
			assert.True(t, got.Same(back))
			assert.Equal(t, got.Key(), back.Key())
		})
	}
}

func TestDecodeEvents(t *testing.T) {
	evs, err := DecodeEvents([]byte(`[
		{"id":"a","tracking_number":"1","status":"in_transit","occurred_at":"2026-11-20T09:30:00Z"},
		{"id":"b","tracking_number":"1","source":"easypost","status":"delivered","occurred_at":"2026-11-21T09:30:00Z"}]`))
	require.NoError(t, err)
	require.Len(t, evs, 2)
	assert.Equal(t, StatusDelivered, evs[1].Status)

	_, err = DecodeEvents([]byte(`[{"id":"a","tracking_number":"1","status":"in_transit","occurred_at":"2026-11-20T09:30:00Z"},{"id":"b"}]`))
	assert.ErrorIs(t, err, ErrInvalidEvent)
	assert.Contains(t, err.Error(), "event 1")
	_, err = DecodeEvents([]byte(`{}`))
	assert.ErrorIs(t, err, ErrInvalidEvent)
	_, err = DecodeEvents([]byte(`[] x`))
	assert.ErrorIs(t, err, ErrInvalidEvent)
}

func TestEventKey(t *testing.T) {
	e := Event{TrackingNumber: "1", Status: StatusInTransit, At: ts("2026-11-20T09:30:00Z"), Location: "A"}
	same := e
	same.At = e.At.In(time.FixedZone("x", 3600)) // same instant, other zone
	assert.Equal(t, e.Key(), same.Key())
	moved := e
	moved.Location = "B"
	assert.NotEqual(t, e.Key(), moved.Key())
	// Fields are length-prefixed: moving text from one field to the next changes the key.
	a := Event{TrackingNumber: "1", Status: StatusInTransit, At: e.At, Location: "ab", Message: "c"}
	b := Event{TrackingNumber: "1", Status: StatusInTransit, At: e.At, Location: "a", Message: "bc"}
	assert.NotEqual(t, a.Key(), b.Key())
	withID := e
	withID.ID = "evt_9"
	assert.Equal(t, "id:evt_9", withID.Key())
	assert.True(t, strings.HasPrefix(e.Key(), "fp:"))
	_, err := json.Marshal(Event{})
	assert.ErrorIs(t, err, ErrInvalidEvent)
	far := Event{TrackingNumber: "1", Status: StatusDelivered, At: time.Date(12026, 1, 1, 0, 0, 0, 0, time.UTC)}
	assert.ErrorIs(t, far.Validate(), ErrInvalidEvent, "a year with no RFC 3339 form")
}

func FuzzDecodeEvent(f *testing.F) {
	for _, tt := range decodeEventTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := DecodeEvent(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("error %v does not wrap ErrInvalidEvent", err)
			}
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("decoded an invalid event: %v", err)
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("cannot encode decoded event %+v: %v", e, err)
		}
		back, err := DecodeEvent(b)
		if err != nil {
			t.Fatalf("cannot decode %s: %v", b, err)
		}
		if !e.Same(back) || e.Key() != back.Key() {
			t.Fatalf("round trip changed %+v into %+v", e, back)
		}
	})
}
