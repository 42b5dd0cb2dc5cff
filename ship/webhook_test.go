package ship

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var webhookFixtures = []struct {
	src      Source
	file     string
	statuses []Status
	ids      []string
	location string // of the last event
}{
	{SourceEasyPost, "easypost_tracker_updated.json",
		[]Status{StatusPreTransit, StatusInTransit, StatusOutForDelivery, StatusDelivered}, nil, "AUSTIN, TX, 78756, US"},
	{SourceShippo, "shippo_track_updated.json",
		[]Status{StatusPreTransit, StatusInTransit, StatusOutForDelivery, StatusDelivered}, []string{"st_1", "st_2", "st_3", "st_4"}, "Las Vegas, NV, 89101, US"},
	{SourceShipEngine, "shipengine_api_track.json",
		[]Status{StatusDelivered, StatusOutForDelivery, StatusInTransit, StatusInTransit}, nil, ""},
}

func TestDecodeWebhook(t *testing.T) {
	for _, fx := range webhookFixtures {
		t.Run(string(fx.src), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", fx.file))
			require.NoError(t, err)
			evs, err := DecodeWebhook(fx.src, data)
			require.NoError(t, err)
			var statuses []Status
			var ids []string
			for _, e := range evs {
				statuses = append(statuses, e.Status)
				if e.ID != "" {
					ids = append(ids, e.ID)
				}
				require.NoError(t, e.Validate())
				assert.NotContains(t, e.Message, "\n")
			}
			assert.Equal(t, fx.statuses, statuses)
			assert.Equal(t, fx.ids, ids)
			assert.Equal(t, fx.location, evs[len(evs)-1].Location)

			// Ingesting the webhook twice, in reverse the second time,
			// ends delivered with each event once.
			var tr Tracking
			for _, e := range evs {
				_, err := tr.Ingest(e)
				require.NoError(t, err)
			}
			for i := len(evs) - 1; i >= 0; i-- {
				c, err := tr.Ingest(evs[i])
				require.NoError(t, err)
				assert.True(t, c.Duplicate)
			}
			assert.Equal(t, StatusDelivered, tr.Status())
			assert.Empty(t, tr.Anomalies())
		})
	}
}

func TestDecodeWebhookDetails(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "easypost_tracker_updated.json"))
	require.NoError(t, err)
	evs, err := DecodeWebhook(SourceEasyPost, data)
	require.NoError(t, err)
	assert.Equal(t, "Out for delivery expect it today", evs[2].Message, "control characters cleaned")
	assert.Equal(t, "MEMPHIS, TN, 38118", evs[1].Location, "numeric ZIP read as text")
	assert.Equal(t, "", evs[0].Location)
	assert.Equal(t, "USPS", evs[0].Carrier)
	assert.Equal(t, "EZ4000000004", evs[0].TrackingNumber)

	// The bare tracker works as well as the envelope.
	bare := `{"tracking_code":"EZ1","carrier":"UPS","tracking_details":[{"status":"in_transit","datetime":"2026-11-21T09:12:00Z","message":"` +
		strings.Repeat("é", MaxTextLen) + `"}]}`
	evs, err = DecodeWebhook(SourceEasyPost, []byte(bare))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	assert.LessOrEqual(t, len(evs[0].Message), MaxTextLen, "long text cut on a character boundary")

	// ShipEngine: an event with no status code of its own, not the latest, is left out.
	se := `{"tracking_number":"1Z","status_code":"DE","events":[
		{"occurred_at":"2026-11-21T09:12:00Z","description":"scan"},
		{"occurred_at":"2026-11-23T16:10:00Z","description":"Delivered"}]}`
	evs, err = DecodeWebhook(SourceShipEngine, []byte(se))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	assert.Equal(t, StatusDelivered, evs[0].Status)
}

func TestDecodeWebhookErrors(t *testing.T) {
	tests := []struct {
		src  Source
		in   string
		kind error
	}{
		{SourceEasyPost, `{"tracking_code":"EZ1","tracking_details":[{"status":"lost","datetime":"2026-11-21T09:12:00Z"}]}`, ErrUnmappedStatus},
		{SourceEasyPost, `{"tracking_code":"EZ1","tracking_details":[{"status":"delivered","datetime":"yesterday"}]}`, ErrInvalidEvent},
		{SourceEasyPost, `{"tracking_code":"","tracking_details":[{"status":"delivered","datetime":"2026-11-21T09:12:00Z"}]}`, ErrInvalidEvent},
		{SourceShippo, `{"event":"track_updated","data":{"tracking_number":"1","tracking_history":[{"status":"LOST","status_date":"2026-11-21T09:12:00Z"}]}}`, ErrUnmappedStatus},
		{SourceShippo, `{"event":"track_updated","data":[1]}`, ErrInvalidEvent},
		{SourceShipEngine, `{"tracking_number":"1","events":[{"occurred_at":"2026-11-21T09:12:00Z","status_code":"ZZ"}]}`, ErrUnmappedStatus},
		{SourceShipEngine, `{"tracking_number":"1","events":[{"occurred_at":{},"status_code":"IT"}]}`, ErrInvalidEvent},
		{SourceShipEngine, `not json`, ErrInvalidEvent},
		{Source("aftership"), `{}`, ErrInvalidEvent},
	}
	for _, tt := range tests {
		t.Run(string(tt.src)+" "+tt.in, func(t *testing.T) {
			_, err := DecodeWebhook(tt.src, []byte(tt.in))
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind)
			assert.ErrorIs(t, err, ErrInvalidEvent)
		})
	}
}

func FuzzDecodeWebhook(f *testing.F) {
	for i, fx := range webhookFixtures {
		data, err := os.ReadFile(filepath.Join("testdata", fx.file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
	}
	f.Add(uint8(2), []byte(`{"tracking_number":"1","status_code":"DE","events":[{"occurred_at":"2026-11-21T09:12:00Z"}]}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		src := Sources()[int(which)%len(Sources())]
		evs, err := DecodeWebhook(src, data)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("error %v does not wrap ErrInvalidEvent", err)
			}
			return
		}
		var tr Tracking
		for _, e := range evs {
			if err := e.Validate(); err != nil {
				t.Fatalf("decoded an invalid event: %v", err)
			}
			if _, err := tr.Ingest(e); err != nil && !errors.Is(err, ErrEventConflict) {
				t.Fatalf("ingest: %v", err)
			}
		}
	})
}
