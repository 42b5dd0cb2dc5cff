package pick

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var binCases = []struct {
	in   string
	want Bin
	ok   bool
}{
	{"03-012-1-L", Bin{Aisle: 3, Slot: 12, Level: 1, Side: SideLeft}, true},
	{"0-0-0-r", Bin{Side: SideRight}, true},
	{"999999-999999-999999-R", Bin{Aisle: MaxBinIndex, Slot: MaxBinIndex, Level: MaxBinIndex, Side: SideRight}, true},
	{"1000000-0-0-L", Bin{}, false},
	{"3-12-1", Bin{}, false},
	{"3-12-1-X", Bin{}, false},
	{"-3-12-1-L", Bin{}, false},
	{"3--1-L", Bin{}, false},
	{"3-+1-1-L", Bin{}, false},
	{"a-1-1-L", Bin{}, false},
	{"", Bin{}, false},
	{"3-12-1-L-", Bin{}, false},
}

func TestParseBin(t *testing.T) {
	for _, tt := range binCases {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBin(tt.in)
			if !tt.ok {
				require.ErrorIs(t, err, ErrInvalidBin)
				_, isBE := err.(*BinError)
				assert.True(t, isBE)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			back, err := ParseBin(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, back)
		})
	}
	assert.Equal(t, "03-012-1-L", Bin{Aisle: 3, Slot: 12, Level: 1, Side: SideLeft}.String())
}

func TestBinText(t *testing.T) {
	b := Bin{Aisle: 4, Slot: 7, Side: SideRight}
	text, err := b.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "04-007-0-R", string(text))
	var back Bin
	require.NoError(t, back.UnmarshalText(text))
	assert.Equal(t, b, back)
	_, err = Bin{Aisle: -1, Side: SideLeft}.MarshalText()
	assert.ErrorIs(t, err, ErrInvalidBin)
	// JSON carries bins in their printed form.
	data, err := json.Marshal([]Bin{b})
	require.NoError(t, err)
	assert.JSONEq(t, `["04-007-0-R"]`, string(data))
	var bins []Bin
	require.NoError(t, json.Unmarshal(data, &bins))
	assert.Equal(t, []Bin{b}, bins)
	assert.ErrorIs(t, json.Unmarshal([]byte(`["4-7-0"]`), &bins), ErrInvalidBin)
}

func FuzzParseBin(f *testing.F) {
	for _, tt := range binCases {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBin(s)
		if err != nil {
			return
		}
		require.NoError(t, b.Validate())
		back, err := ParseBin(b.String())
		require.NoError(t, err)
		require.Equal(t, b, back)
	})
}
