package fulfill_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
)

func TestAddressValidate(t *testing.T) {
	good := fulfill.Address{Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62704", Country: "US"}
	for _, tc := range []struct {
		name   string
		edit   func(a *fulfill.Address)
		fields []string
	}{
		{"valid", func(*fulfill.Address) {}, nil},
		{"zip+4", func(a *fulfill.Address) { a.PostalCode = "62704-1234" }, nil},
		{"missing street and city", func(a *fulfill.Address) { a.Line1, a.City = " ", "" }, []string{"line1", "city"}},
		{"bad zip", func(a *fulfill.Address) { a.PostalCode = "6270" }, []string{"postal_code"}},
		{"missing zip and state", func(a *fulfill.Address) { a.PostalCode, a.Region = "", "" }, []string{"region", "postal_code"}},
		{"unknown country", func(a *fulfill.Address) { a.Country = "XX" }, []string{"country"}},
		{"lower-case country", func(a *fulfill.Address) { a.Country = "us" }, []string{"country"}},
		{"canada", func(a *fulfill.Address) { a.Country, a.Region, a.PostalCode = "CA", "ON", "K1A 0B1" }, nil},
		{"uk", func(a *fulfill.Address) { a.Country, a.Region, a.PostalCode = "GB", "", "SW1A 1AA" }, nil},
		{"unchecked format", func(a *fulfill.Address) { a.Country, a.Region, a.PostalCode = "CH", "", "" }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := good
			tc.edit(&a)
			err := a.Validate()
			if tc.fields == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, fulfill.ErrInvalidAddress)
			var got []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				fe, ok := errors.AsType[*fulfill.FieldError](e)
				require.True(t, ok)
				got = append(got, fe.Field)
			}
			assert.Equal(t, tc.fields, got)
		})
	}
}

func TestAddressZIP3AndJSON(t *testing.T) {
	a := fulfill.Address{Line1: "1 Main St", City: "Austin", Region: "TX", PostalCode: "78701-0001", Country: "US", Residential: true}
	z, ok := a.ZIP3()
	assert.True(t, ok)
	assert.Equal(t, "787", z)
	_, ok = fulfill.Address{Country: "CA", PostalCode: "K1A 0B1"}.ZIP3()
	assert.False(t, ok)

	b, err := json.Marshal(a)
	require.NoError(t, err)
	var back fulfill.Address
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, a, back)
}

func TestCodes(t *testing.T) {
	require.NoError(t, fulfill.SKU("TSHIRT-RED-M").Validate())
	require.NoError(t, fulfill.LocationID("WH-EAST").Validate())
	require.NoError(t, fulfill.OwnerID("acme").Validate())
	for _, bad := range []string{"", " x", "x ", "a\tb", "\xff", string(make([]byte, fulfill.MaxCodeLen+1))} {
		err := fulfill.SKU(bad).Validate()
		require.ErrorIs(t, err, fulfill.ErrInvalidCode, "%q", bad)
		fe, ok := errors.AsType[*fulfill.FieldError](err)
		require.True(t, ok)
		assert.Equal(t, "sku", fe.Field)
	}
	assert.ErrorIs(t, fulfill.OwnerID("").Validate(), fulfill.ErrInvalidCode)
	assert.ErrorIs(t, fulfill.LocationID("\n").Validate(), fulfill.ErrInvalidCode)
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestOrderID(t *testing.T) {
	id, err := fulfill.NewOrderID(zeroReader{})
	require.NoError(t, err)
	assert.False(t, id.IsZero())
	back, err := fulfill.ParseOrderID(id.String())
	require.NoError(t, err)
	assert.Equal(t, id, back)

	b, err := json.Marshal(map[string]fulfill.OrderID{"order": id})
	require.NoError(t, err)
	var m map[string]fulfill.OrderID
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, id, m["order"])

	for _, bad := range []string{"", "123", "urn:uuid:01234567-89ab-cdef-0123-456789abcdef", "{01234567-89ab-cdef-0123-456789abcdef}"} {
		_, err := fulfill.ParseOrderID(bad)
		assert.ErrorIs(t, err, fulfill.ErrSyntax, bad)
	}
	assert.True(t, fulfill.OrderID{}.IsZero())
	assert.Panics(t, func() { fulfill.MustOrderID("nope") })
}
