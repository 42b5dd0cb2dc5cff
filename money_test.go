package fulfill_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fulfillkit/fulfill"
)

func usd(s string) fulfill.Money { return fulfill.MustMoney(s, "USD") }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decs(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = dec(s)
	}
	return out
}

func TestMoneyArithmetic(t *testing.T) {
	sum, err := usd("12.30").Add(usd("0.75"))
	require.NoError(t, err)
	assert.True(t, sum.Equal(usd("13.05")), "got %s", sum)

	diff, err := usd("1").Sub(usd("2.5"))
	require.NoError(t, err)
	assert.True(t, diff.Equal(usd("-1.5")))
	assert.Equal(t, -1, diff.Sign())
	assert.True(t, diff.Abs().Equal(usd("1.5")))
	assert.True(t, diff.Neg().Equal(usd("1.50")))

	assert.True(t, usd("19.99").Mul(3).Equal(usd("59.97")))
	assert.True(t, usd("10.00").MulDecimal(dec("0.0825")).Equal(usd("0.825")), "MulDecimal keeps every digit")

	c, err := usd("2").Cmp(usd("10"))
	require.NoError(t, err)
	assert.Equal(t, -1, c)

	total, err := fulfill.Sum(usd("1.10"), usd("2.20"), usd("3.30"))
	require.NoError(t, err)
	assert.True(t, total.Equal(usd("6.60")))
	empty, err := fulfill.Sum()
	require.NoError(t, err)
	assert.True(t, empty.IsZero())
}

func TestMoneyCurrencyMismatch(t *testing.T) {
	eur := fulfill.MustMoney("1", "EUR")
	for name, op := range map[string]func() error{
		"Add": func() error { _, err := usd("1").Add(eur); return err },
		"Sub": func() error { _, err := usd("1").Sub(eur); return err },
		"Cmp": func() error { _, err := usd("1").Cmp(eur); return err },
		"Sum": func() error { _, err := fulfill.Sum(usd("1"), usd("2"), eur); return err },
	} {
		t.Run(name, func(t *testing.T) {
			err := op()
			require.ErrorIs(t, err, fulfill.ErrCurrencyMismatch)
			me, ok := errors.AsType[*fulfill.CurrencyMismatchError](err)
			require.True(t, ok)
			assert.Equal(t, fulfill.Currency("USD"), me.A)
			assert.Equal(t, fulfill.Currency("EUR"), me.B)
			assert.Equal(t, "fulfill: currency mismatch: USD and EUR", err.Error())
		})
	}
	assert.False(t, usd("1").Equal(eur))
}

func TestMoneyZeroValue(t *testing.T) {
	var total fulfill.Money
	assert.True(t, total.IsZero())
	total, err := total.Add(usd("4.20"))
	require.NoError(t, err)
	assert.Equal(t, fulfill.Currency("USD"), total.Currency())
	c, err := fulfill.Money{}.Cmp(usd("0.01"))
	require.NoError(t, err)
	assert.Equal(t, -1, c)
	assert.True(t, fulfill.Money{}.Equal(usd("0")))
	assert.Equal(t, "0", fulfill.Money{}.String())
}

func TestMoneyConstructors(t *testing.T) {
	_, err := fulfill.ParseMoney("1.00", "XYZ")
	assert.ErrorIs(t, err, fulfill.ErrUnknownCurrency)
	_, err = fulfill.ParseMoney("1.00", "usd")
	assert.ErrorIs(t, err, fulfill.ErrUnknownCurrency)
	for _, bad := range []string{"", "-", "1.", ".5", "1e3", "1,000.00", "+1", " 1", "0x10", "1..2"} {
		_, err := fulfill.ParseMoney(bad, "USD")
		assert.ErrorIs(t, err, fulfill.ErrSyntax, "%q", bad)
	}
	m, err := fulfill.MoneyFromMinor(1230, "USD")
	require.NoError(t, err)
	assert.Equal(t, "12.30 USD", m.String())
	m, err = fulfill.MoneyFromMinor(1230, "JPY")
	require.NoError(t, err)
	assert.Equal(t, "1230 JPY", m.String())
	m, err = fulfill.MoneyFromMinor(1230, "KWD")
	require.NoError(t, err)
	assert.Equal(t, "1.230 KWD", m.String())
	units, err := usd("12.30").MinorUnits()
	require.NoError(t, err)
	assert.Equal(t, int64(1230), units)
	_, err = usd("12.305").MinorUnits()
	assert.ErrorIs(t, err, fulfill.ErrInvalidMoney)
	_, err = usd("99999999999999999999").MinorUnits()
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	assert.Panics(t, func() { fulfill.MustMoney("x", "USD") })
}

func TestMoneyRound(t *testing.T) {
	for _, tc := range []struct {
		in   string
		mode fulfill.RoundingMode
		want string
	}{
		{"0.125", fulfill.RoundHalfUp, "0.13"},
		{"-0.125", fulfill.RoundHalfUp, "-0.13"},
		{"0.125", fulfill.RoundHalfEven, "0.12"},
		{"0.135", fulfill.RoundHalfEven, "0.14"},
		{"0.129", fulfill.RoundDown, "0.12"},
		{"-0.129", fulfill.RoundDown, "-0.12"},
		{"0.121", fulfill.RoundUp, "0.13"},
		{"-0.121", fulfill.RoundUp, "-0.13"},
		{"-0.121", fulfill.RoundFloor, "-0.13"},
		{"-0.129", fulfill.RoundCeiling, "-0.12"},
		{"12.3", fulfill.RoundHalfUp, "12.30"},
	} {
		got := usd(tc.in).Round(tc.mode)
		assert.True(t, got.Equal(usd(tc.want)), "%s mode %d: got %s, want %s", tc.in, tc.mode, got, tc.want)
	}
	yen := fulfill.MustMoney("100.5", "JPY").Round(fulfill.RoundHalfUp)
	assert.Equal(t, "101 JPY", yen.String())
}

var allocateCases = []struct {
	name   string
	amount string
	ratios []string
	want   []string
}{
	{"thirds", "10.00", []string{"1", "1", "1"}, []string{"3.34", "3.33", "3.33"}},
	{"proportional to line totals", "5.00", []string{"19.99", "5.01", "75"}, []string{"1.00", "0.25", "3.75"}},
	{"remainder to the largest fraction", "0.05", []string{"3", "7"}, []string{"0.02", "0.03"}}, // 0.015 / 0.035: a tie, the earlier part wins
	{"negative amount", "-10.00", []string{"1", "2"}, []string{"-3.33", "-6.67"}},
	{"zero ratio gets nothing", "1.00", []string{"0", "1", "0"}, []string{"0.00", "1.00", "0.00"}},
	{"extra precision kept", "0.005", []string{"1", "1"}, []string{"0.003", "0.002"}},
	{"one part", "7.77", []string{"42"}, []string{"7.77"}},
	{"fractional ratios", "1.00", []string{"0.5", "0.25", "0.25"}, []string{"0.50", "0.25", "0.25"}},
}

func TestMoneyAllocate(t *testing.T) {
	for _, tc := range allocateCases {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := usd(tc.amount).Allocate(decs(tc.ratios...)...)
			require.NoError(t, err)
			require.Len(t, parts, len(tc.want))
			for i, w := range tc.want {
				assert.True(t, parts[i].Equal(usd(w)), "part %d: got %s, want %s", i, parts[i], w)
			}
			checkAllocation(t, usd(tc.amount), decs(tc.ratios...), parts)
		})
	}
	for _, bad := range [][]string{nil, {"0", "0"}, {"1", "-1"}} {
		_, err := usd("1.00").Allocate(decs(bad...)...)
		assert.ErrorIs(t, err, fulfill.ErrInvalidMoney, "ratios %v", bad)
	}
}

// checkAllocation asserts Allocate's contract: the parts sum to the whole,
// and each is within one unit of the smallest decimal of its exact share.
func checkAllocation(t testing.TB, m fulfill.Money, ratios []decimal.Decimal, parts []fulfill.Money) {
	t.Helper()
	sum, err := fulfill.Sum(parts...)
	require.NoError(t, err)
	require.True(t, sum.Equal(m), "parts of %s sum to %s", m, sum)
	total := decimal.Zero
	for _, r := range ratios {
		total = total.Add(r)
	}
	minor, _ := m.Currency().MinorUnits()
	unit := decimal.New(1, -max(minor, -m.Amount().Exponent()))
	for i, r := range ratios {
		// |part*total - amount*r| < unit*total  <=>  |part - exact share| < unit
		gap := parts[i].Amount().Mul(total).Sub(m.Amount().Mul(r)).Abs()
		require.True(t, gap.LessThan(unit.Mul(total)), "part %d = %s is a unit or more from its share of %s", i, parts[i], m)
		require.Equal(t, m.Currency(), parts[i].Currency())
	}
}

func TestMoneyAllocateProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	currencies := []fulfill.Currency{"USD", "JPY", "KWD"}
	for range 2000 {
		c := currencies[rng.IntN(len(currencies))]
		minor, _ := c.MinorUnits()
		m, err := fulfill.NewMoney(decimal.New(rng.Int64N(2_000_001)-1_000_000, -minor), c)
		require.NoError(t, err)
		ratios := make([]decimal.Decimal, 1+rng.IntN(12))
		for i := range ratios {
			ratios[i] = decimal.New(rng.Int64N(100_000), -int32(rng.IntN(4)))
		}
		ratios[rng.IntN(len(ratios))] = decimal.New(1+rng.Int64N(1000), 0)
		parts, err := m.Allocate(ratios...)
		require.NoError(t, err)
		checkAllocation(t, m, ratios, parts)
	}
}

func TestMoneyJSON(t *testing.T) {
	for _, tc := range []struct {
		m    fulfill.Money
		json string
	}{
		{usd("12.3"), `{"amount":"12.30","currency":"USD"}`},
		{usd("-0.125"), `{"amount":"-0.125","currency":"USD"}`},
		{fulfill.MustMoney("1500", "JPY"), `{"amount":"1500","currency":"JPY"}`},
		{fulfill.Money{}, `{"amount":"0","currency":""}`},
	} {
		b, err := json.Marshal(tc.m)
		require.NoError(t, err)
		assert.JSONEq(t, tc.json, string(b))
		var back fulfill.Money
		require.NoError(t, json.Unmarshal(b, &back))
		assert.True(t, back.Equal(tc.m), "%s round-tripped to %s", tc.m, back)
		assert.Equal(t, tc.m.Currency(), back.Currency())
	}
}

func TestMoneyJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		in    string
		field string
	}{
		{`{"amount":12.3,"currency":"USD"}`, ""},
		{`{"currency":"USD"}`, "amount"},
		{`{"amount":"12,30","currency":"USD"}`, "amount"},
		{`{"amount":"1","currency":"XXX"}`, "currency"},
		{`{"amount":"1","currency":""}`, "currency"},
		{`{"amount":"1","currency":"USD","rate":2}`, ""},
		{`[1,2]`, ""},
		{`{"amount":"1","currency":"USD"`, ""},
	} {
		var m fulfill.Money
		err := json.Unmarshal([]byte(tc.in), &m)
		require.Error(t, err, tc.in)
		if tc.field != "" {
			fe, ok := errors.AsType[*fulfill.FieldError](err)
			require.True(t, ok, "%s: want a *FieldError, got %v", tc.in, err)
			assert.Equal(t, tc.field, fe.Field)
		}
	}
}
