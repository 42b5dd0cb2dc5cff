package fulfill

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"

	"github.com/shopspring/decimal"
)

// Money is an exact decimal amount in one ISO 4217 currency. It is an
// immutable value: every method returns a new Money.
//
// Arithmetic and comparison on two currencies return a
// *[CurrencyMismatchError]; nothing is ever converted silently. Amounts keep
// all their decimals until a caller rounds them with [Money.Round].
//
// The zero Money is zero with no currency. It acts as zero of whatever
// currency it meets in [Money.Add], [Money.Sub] and [Money.Cmp], so a
// running total can start from the zero value:
//
//	var total fulfill.Money
//	for _, l := range lines {
//		if total, err = total.Add(l.Price); err != nil { ... }
//	}
type Money struct {
	amount   decimal.Decimal
	currency Currency
}

// NewMoney returns amount in currency c, or an error wrapping
// [ErrUnknownCurrency] if c is not an active ISO 4217 code.
func NewMoney(amount decimal.Decimal, c Currency) (Money, error) {
	if _, ok := c.MinorUnits(); !ok {
		return Money{}, fmt.Errorf("%w: %q", ErrUnknownCurrency, string(c))
	}
	return Money{amount: amount, currency: c}, nil
}

// ParseMoney parses a plain decimal amount such as "12.30" or "-0.5" (no
// exponent, no thousands separators) in currency c. A malformed amount
// returns a *[ParseError] wrapping [ErrSyntax]; an unknown currency an error
// wrapping [ErrUnknownCurrency].
func ParseMoney(amount string, c Currency) (Money, error) {
	d, err := parseAmount(amount)
	if err != nil {
		return Money{}, &ParseError{Func: "ParseMoney", Input: amount, Err: err}
	}
	return NewMoney(d, c)
}

// MustMoney is like [ParseMoney] but panics on error. It is meant for
// literals in tests and examples, never for user input.
func MustMoney(amount string, c Currency) Money {
	m, err := ParseMoney(amount, c)
	if err != nil {
		panic(err)
	}
	return m
}

// MoneyFromMinor returns units minor units of currency c: 1230 USD cents is
// 12.30 USD, 1230 JPY is 1230 yen.
func MoneyFromMinor(units int64, c Currency) (Money, error) {
	n, ok := c.MinorUnits()
	if !ok {
		return Money{}, fmt.Errorf("%w: %q", ErrUnknownCurrency, string(c))
	}
	return Money{amount: decimal.New(units, -n), currency: c}, nil
}

// parseAmount accepts an optional minus sign, digits, and an optional
// fraction: the only form Money reads from text.
func parseAmount(s string) (decimal.Decimal, error) {
	digits := s
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	seenPoint, seenDigit := false, false
	for i := 0; i < len(digits); i++ {
		switch c := digits[i]; {
		case c >= '0' && c <= '9':
			seenDigit = true
		case c == '.' && !seenPoint && seenDigit && i+1 < len(digits):
			seenPoint = true
		default:
			return decimal.Decimal{}, fmt.Errorf("%w: amount %q is not a plain decimal number", ErrSyntax, s)
		}
	}
	if !seenDigit {
		return decimal.Decimal{}, fmt.Errorf("%w: amount %q is not a plain decimal number", ErrSyntax, s)
	}
	return decimal.NewFromString(s)
}

// Amount returns the decimal amount.
func (m Money) Amount() decimal.Decimal { return m.amount }

// Currency returns the currency; it is empty only for the zero Money.
func (m Money) Currency() Currency { return m.currency }

// IsZero reports whether the amount is zero, in any currency.
func (m Money) IsZero() bool { return m.amount.IsZero() }

// Sign returns -1, 0 or +1 as the amount is negative, zero or positive.
func (m Money) Sign() int { return m.amount.Sign() }

// Neg returns -m.
func (m Money) Neg() Money { return Money{amount: m.amount.Neg(), currency: m.currency} }

// Abs returns |m|.
func (m Money) Abs() Money { return Money{amount: m.amount.Abs(), currency: m.currency} }

// common returns the currency two amounts share; the zero Money takes on the
// other's currency.
func (m Money) common(o Money) (Currency, error) {
	switch {
	case m.currency == o.currency:
		return m.currency, nil
	case m.currency == "" && m.amount.IsZero():
		return o.currency, nil
	case o.currency == "" && o.amount.IsZero():
		return m.currency, nil
	}
	return "", &CurrencyMismatchError{A: m.currency, B: o.currency}
}

// Add returns m+o, or a *[CurrencyMismatchError] if the currencies differ.
func (m Money) Add(o Money) (Money, error) {
	c, err := m.common(o)
	if err != nil {
		return Money{}, err
	}
	return Money{amount: m.amount.Add(o.amount), currency: c}, nil
}

// Sub returns m-o, or a *[CurrencyMismatchError] if the currencies differ.
func (m Money) Sub(o Money) (Money, error) {
	c, err := m.common(o)
	if err != nil {
		return Money{}, err
	}
	return Money{amount: m.amount.Sub(o.amount), currency: c}, nil
}

// Sum returns the total of ms, which is the zero Money if ms is empty, or a
// *[CurrencyMismatchError] naming the first two currencies that differ.
func Sum(ms ...Money) (Money, error) {
	var total Money
	for _, m := range ms {
		var err error
		if total, err = total.Add(m); err != nil {
			return Money{}, err
		}
	}
	return total, nil
}

// Mul returns m times a quantity, such as a unit price times the units
// ordered. The result is exact.
func (m Money) Mul(n int64) Money {
	return Money{amount: m.amount.Mul(decimal.NewFromInt(n)), currency: m.currency}
}

// MulDecimal returns m times d, such as a price times a tax rate of 0.0825.
// The result is exact and keeps every decimal; round it with [Money.Round].
func (m Money) MulDecimal(d decimal.Decimal) Money {
	return Money{amount: m.amount.Mul(d), currency: m.currency}
}

// Cmp compares m and o and returns -1, 0 or +1, or a
// *[CurrencyMismatchError] if the currencies differ.
func (m Money) Cmp(o Money) (int, error) {
	if _, err := m.common(o); err != nil {
		return 0, err
	}
	return m.amount.Cmp(o.amount), nil
}

// Equal reports whether m and o are the same amount in the same currency.
// Trailing zeros do not matter: 12.3 USD equals 12.30 USD. The zero Money
// equals a zero amount in any currency.
func (m Money) Equal(o Money) bool {
	_, err := m.common(o)
	return err == nil && m.amount.Equal(o.amount)
}

// RoundingMode says how [Money.Round] treats the digits it drops. The zero
// value is [RoundHalfUp].
type RoundingMode uint8

// Rounding modes.
const (
	// RoundHalfUp rounds to the nearest minor unit, halves away from zero
	// (commercial rounding: 0.125 -> 0.13, -0.125 -> -0.13).
	RoundHalfUp RoundingMode = iota
	// RoundHalfEven rounds to the nearest minor unit, halves to the even
	// neighbour (banker's rounding: 0.125 -> 0.12, 0.135 -> 0.14).
	RoundHalfEven
	// RoundDown rounds towards zero (truncation).
	RoundDown
	// RoundUp rounds away from zero.
	RoundUp
	// RoundFloor rounds towards negative infinity.
	RoundFloor
	// RoundCeiling rounds towards positive infinity.
	RoundCeiling
)

// places returns the number of decimals a money value is kept to: the
// currency's minor unit, or more if the amount already has more.
func (m Money) places() int32 {
	n, _ := m.currency.MinorUnits()
	return max(n, -m.amount.Exponent())
}

// Round returns m rounded to its currency's minor unit (cents for USD, whole
// yen for JPY) in the given mode. The zero Money rounds to itself.
func (m Money) Round(mode RoundingMode) Money {
	n, _ := m.currency.MinorUnits()
	var a decimal.Decimal
	switch mode {
	case RoundHalfEven:
		a = m.amount.RoundBank(n)
	case RoundDown:
		a = m.amount.RoundDown(n)
	case RoundUp:
		a = m.amount.RoundUp(n)
	case RoundFloor:
		a = m.amount.RoundFloor(n)
	case RoundCeiling:
		a = m.amount.RoundCeil(n)
	default:
		a = m.amount.Round(n)
	}
	return Money{amount: a, currency: m.currency}
}

// MinorUnits returns m as a whole number of minor units (cents), or an error
// wrapping [ErrInvalidMoney] if m has digits below the minor unit, or
// [ErrOverflow] if the count does not fit in an int64.
func (m Money) MinorUnits() (int64, error) {
	n, _ := m.currency.MinorUnits()
	if m.places() > n {
		return 0, fmt.Errorf("%w: %s has digits below the minor unit", ErrInvalidMoney, m)
	}
	v := m.amount.Shift(n).BigInt()
	if !v.IsInt64() {
		return 0, &OverflowError{Op: "Money.MinorUnits", Operands: []string{m.String()}}
	}
	return v.Int64(), nil
}

// Allocate splits m into len(ratios) parts in proportion to ratios, such as
// an order discount across its lines in proportion to their totals, and
// returns the parts in the order of ratios.
//
// The parts always add up to exactly m: no cent is lost or invented. Each
// part is a whole number of minor units (or of m's smallest decimal, if m has
// more decimals than its currency) and differs from its exact proportional
// share by less than one such unit. The units left over after rounding every
// share down go, one each, to the parts with the largest dropped fractions,
// ties to the earlier part, so the result is deterministic.
//
// Ratios must be non-negative and at least one must be positive; otherwise
// Allocate returns an error wrapping [ErrInvalidMoney].
func (m Money) Allocate(ratios ...decimal.Decimal) ([]Money, error) {
	if len(ratios) == 0 {
		return nil, fmt.Errorf("%w: allocate %s: no ratios", ErrInvalidMoney, m)
	}
	// Scale the ratios to integers sharing one exponent.
	minExp := int32(0)
	for i, r := range ratios {
		if r.Sign() < 0 {
			return nil, fmt.Errorf("%w: allocate %s: ratio %d is negative (%s)", ErrInvalidMoney, m, i, r)
		}
		minExp = min(minExp, r.Exponent())
	}
	weights := make([]*big.Int, len(ratios))
	total := new(big.Int)
	for i, r := range ratios {
		weights[i] = r.Shift(-minExp).BigInt()
		total.Add(total, weights[i])
	}
	if total.Sign() == 0 {
		return nil, fmt.Errorf("%w: allocate %s: every ratio is zero", ErrInvalidMoney, m)
	}

	places := m.places()
	units := m.amount.Abs().Shift(places).BigInt() // exact: places covers every decimal
	parts := make([]*big.Int, len(ratios))
	rems := make([]*big.Int, len(ratios))
	given := new(big.Int)
	for i, w := range weights {
		share := new(big.Int).Mul(units, w)
		parts[i], rems[i] = new(big.Int).QuoRem(share, total, new(big.Int))
		given.Add(given, parts[i])
	}
	order := make([]int, len(ratios))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
	left := new(big.Int).Sub(units, given).Int64() // fewer than len(ratios)
	for _, i := range order[:left] {
		parts[i].Add(parts[i], big.NewInt(1))
	}

	out := make([]Money, len(parts))
	for i, p := range parts {
		a := decimal.NewFromBigInt(p, -places)
		if m.amount.Sign() < 0 {
			a = a.Neg()
		}
		out[i] = Money{amount: a, currency: m.currency}
	}
	return out, nil
}

// String returns the amount with at least the currency's minor-unit decimals
// and the code: "12.30 USD", "1230 JPY". The zero Money is "0".
func (m Money) String() string {
	if m.currency == "" {
		return m.amount.String()
	}
	return m.amount.StringFixed(m.places()) + " " + string(m.currency)
}

// moneyJSON is the wire form of Money.
type moneyJSON struct {
	Amount   *string  `json:"amount"`
	Currency Currency `json:"currency"`
}

// MarshalJSON encodes m as {"amount":"12.30","currency":"USD"}: the amount
// is a string with at least the currency's minor-unit decimals, so no JSON
// reader turns it into a float.
func (m Money) MarshalJSON() ([]byte, error) {
	a := m.amount.StringFixed(m.places())
	return json.Marshal(moneyJSON{Amount: &a, Currency: m.currency})
}

// UnmarshalJSON decodes the form [Money.MarshalJSON] writes. The amount must
// be a string holding a plain decimal number and the currency an active ISO
// 4217 code; an empty currency is accepted only with a zero amount (the zero
// Money). Unknown fields are rejected. Errors are *[FieldError] values naming
// the field.
func (m *Money) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w moneyJSON
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("%w: money: %v", ErrInvalidMoney, err)
	}
	if w.Amount == nil {
		return &FieldError{Field: "amount", Reason: "required", Kind: ErrInvalidMoney}
	}
	a, err := parseAmount(*w.Amount)
	if err != nil {
		return &FieldError{Field: "amount", Value: *w.Amount, Reason: "not a plain decimal number", Kind: ErrInvalidMoney}
	}
	if w.Currency == "" && a.IsZero() {
		*m = Money{}
		return nil
	}
	if _, ok := w.Currency.MinorUnits(); !ok {
		return &FieldError{Field: "currency", Value: string(w.Currency), Reason: "not an active ISO 4217 code", Kind: ErrUnknownCurrency}
	}
	*m = Money{amount: a, currency: w.Currency}
	return nil
}
