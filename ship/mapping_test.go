package ship

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mapStatusTests = []struct {
	src            Source
	status, detail string
	want           Status // empty: unmapped
}{
	{SourceEasyPost, "pre_transit", "", StatusPreTransit},
	{SourceEasyPost, "in_transit", "arrived_at_facility", StatusInTransit},
	{SourceEasyPost, "out_for_delivery", "", StatusOutForDelivery},
	{SourceEasyPost, "available_for_pickup", "", StatusAvailableForPickup},
	{SourceEasyPost, "delivered", "", StatusDelivered},
	{SourceEasyPost, "return_to_sender", "", StatusReturnedToSender},
	{SourceEasyPost, "failure", "", StatusDeliveryException},
	{SourceEasyPost, "cancelled", "", StatusCancelled},
	{SourceEasyPost, "error", "", StatusUnknown},
	{SourceEasyPost, "unknown", "", StatusUnknown},
	{SourceEasyPost, "IN_TRANSIT", "", StatusInTransit}, // case folded
	{SourceEasyPost, "lost", "", ""},
	{SourceShippo, "PRE_TRANSIT", "information_received", StatusPreTransit},
	{SourceShippo, "TRANSIT", "package_departed", StatusInTransit},
	{SourceShippo, "TRANSIT", "out_for_delivery", StatusOutForDelivery},
	{SourceShippo, "TRANSIT", "pickup_available", StatusAvailableForPickup},
	{SourceShippo, "TRANSIT", "delivery_attempted", StatusDeliveryException},
	{SourceShippo, "TRANSIT", "address_issue", StatusDeliveryException},
	{SourceShippo, "TRANSIT", "brand_new_substatus", StatusInTransit}, // unknown details do no harm
	{SourceShippo, "transit", "OUT_FOR_DELIVERY", StatusOutForDelivery},
	{SourceShippo, "DELIVERED", "delivered", StatusDelivered},
	{SourceShippo, "RETURNED", "return_to_sender", StatusReturnedToSender},
	{SourceShippo, "FAILURE", "package_lost", StatusDeliveryException},
	{SourceShippo, "UNKNOWN", "other", StatusUnknown},
	{SourceShippo, "DELIVERED", "out_for_delivery", StatusDelivered}, // refinements apply to their parent only
	{SourceShippo, "CANCELLED", "", ""},
	{SourceShipEngine, "NY", "", StatusPreTransit},
	{SourceShipEngine, "AC", "PICKED_UP", StatusInTransit},
	{SourceShipEngine, "IT", "HUB_SCAN_OUT", StatusInTransit},
	{SourceShipEngine, "IT", "OUT_FOR_DELIVERY", StatusOutForDelivery},
	{SourceShipEngine, "IT", "AWAITING_COLLECTION_FROM_PICKUP_POINT", StatusAvailableForPickup},
	{SourceShipEngine, "SP", "", StatusAvailableForPickup},
	{SourceShipEngine, "AT", "ATTEMPTED_DELIVERY", StatusDeliveryException},
	{SourceShipEngine, "EX", "RETURN_TO_SENDER", StatusReturnedToSender},
	{SourceShipEngine, "EX", "PARCEL_DAMAGED", StatusDeliveryException},
	{SourceShipEngine, "DE", "", StatusDelivered},
	{SourceShipEngine, "de", "", StatusDelivered},
	{SourceShipEngine, "UN", "CARRIER_STATUS_NOT_MAPPED", StatusUnknown},
	{SourceShipEngine, "XX", "", ""},
	{Source("aftership"), "Delivered", "", ""},
	{SourceShippo, "", "", ""},
}

func TestMapStatus(t *testing.T) {
	for _, tt := range mapStatusTests {
		t.Run(string(tt.src)+"/"+tt.status+"/"+tt.detail, func(t *testing.T) {
			got, err := MapStatus(tt.src, tt.status, tt.detail)
			if tt.want == "" {
				require.ErrorIs(t, err, ErrUnmappedStatus)
				ue, ok := errors.AsType[*UnmappedError](err)
				require.True(t, ok)
				assert.Equal(t, tt.src, ue.Source)
				assert.Equal(t, tt.status, ue.Status)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestVocabulary(t *testing.T) {
	for _, src := range Sources() {
		rows := Vocabulary(src)
		require.NotEmpty(t, rows, src)
		covered := map[Status]bool{}
		for _, r := range rows {
			assert.True(t, r.To.Valid(), "%+v", r)
			got, err := MapStatus(src, r.Status, r.Detail)
			require.NoError(t, err, "%+v", r)
			assert.Equal(t, r.To, got, "%+v", r)
			covered[r.To] = true
		}
		// Every vocabulary can say delivered, in transit and exception.
		for _, s := range []Status{StatusDelivered, StatusInTransit, StatusDeliveryException, StatusUnknown} {
			assert.True(t, covered[s], "%s cannot say %s", src, s)
		}
	}
	assert.Nil(t, Vocabulary("nobody"))
	// EasyPost's vocabulary names every status but none is left over.
	assert.Len(t, Vocabulary(SourceEasyPost), 10)
}

func FuzzMapStatus(f *testing.F) {
	for _, tt := range mapStatusTests {
		f.Add(string(tt.src), tt.status, tt.detail)
	}
	f.Fuzz(func(t *testing.T, src, status, detail string) {
		got, err := MapStatus(Source(src), status, detail)
		if err != nil {
			if !errors.Is(err, ErrUnmappedStatus) {
				t.Fatalf("error %v does not wrap ErrUnmappedStatus", err)
			}
			return
		}
		if !got.Valid() {
			t.Fatalf("MapStatus(%q, %q, %q) = %q, not a status", src, status, detail, got)
		}
	})
}

func TestCodes(t *testing.T) {
	ups := Codes{"D": StatusDelivered, "I": StatusInTransit, "Z": Status("lost")}
	s, err := ups.Map("D")
	require.NoError(t, err)
	assert.Equal(t, StatusDelivered, s)
	for _, bad := range []string{"d", "Q", "Z", ""} {
		_, err := ups.Map(bad)
		assert.ErrorIs(t, err, ErrUnmappedStatus, bad)
	}
	_, err = Codes(nil).Map("D")
	assert.ErrorIs(t, err, ErrUnmappedStatus)
}
