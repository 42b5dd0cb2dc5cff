package fulfill_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fulfillkit/fulfill"
)

func FuzzParseLength(f *testing.F) {
	for _, tc := range lengthCases {
		f.Add(tc.in)
	}
	f.Add("5ft 3in")
	f.Add("-.5 m")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := fulfill.ParseLength(s)
		if err != nil {
			if !errors.Is(err, fulfill.ErrSyntax) && !errors.Is(err, fulfill.ErrOverflow) {
				t.Fatalf("ParseLength(%q): error of an undocumented kind: %v", s, err)
			}
			return
		}
		back, err := fulfill.ParseLength(l.String())
		if err != nil || back != l {
			t.Fatalf("ParseLength(%q) = %d, whose String %q parses to %d, %v", s, l, l.String(), back, err)
		}
	})
}

func FuzzParseMass(f *testing.F) {
	for _, s := range []string{"2 lb", "750g", "1.5 kg", "3oz", "2lb 4oz", "0.5mg", "16 OUNCES", "1e3g", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := fulfill.ParseMass(s)
		if err != nil {
			if !errors.Is(err, fulfill.ErrSyntax) && !errors.Is(err, fulfill.ErrOverflow) {
				t.Fatalf("ParseMass(%q): error of an undocumented kind: %v", s, err)
			}
			return
		}
		back, err := fulfill.ParseMass(m.String())
		if err != nil || back != m {
			t.Fatalf("ParseMass(%q) = %d, whose String %q parses to %d, %v", s, m, m.String(), back, err)
		}
	})
}

func FuzzParseDimensions(f *testing.F) {
	for _, s := range []string{"12x10x8 in", "300 x 230 x 30mm", "30cmx20cmx1.5in", "xx", "1x1x1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := fulfill.ParseDimensions(s)
		if err != nil {
			return
		}
		back, err := fulfill.ParseDimensions(d.String())
		if err != nil || back != d {
			t.Fatalf("ParseDimensions(%q) = %v, whose String parses to %v, %v", s, d, back, err)
		}
	})
}

func FuzzMoneyJSON(f *testing.F) {
	for _, s := range []string{
		`{"amount":"12.30","currency":"USD"}`, `{"amount":"-0.125","currency":"KWD"}`,
		`{"amount":"0","currency":""}`, `{"amount":"1e9","currency":"USD"}`, `{"amount":1}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m fulfill.Money
		if err := json.Unmarshal(b, &m); err != nil {
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal(%v): %v", m, err)
		}
		var back fulfill.Money
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%s does not decode: %v", out, err)
		}
		if !back.Equal(m) || back.Currency() != m.Currency() {
			t.Fatalf("%s decodes to %v, want %v", out, back, m)
		}
	})
}

func FuzzMoneyAllocate(f *testing.F) {
	f.Add(int64(1000), uint8(2), []byte{1, 1, 1})
	f.Add(int64(-5), uint8(0), []byte{3, 7})
	f.Add(int64(1), uint8(3), []byte{0, 0, 9})
	f.Fuzz(func(t *testing.T, units int64, scale uint8, raw []byte) {
		if len(raw) == 0 || len(raw) > 64 {
			return
		}
		m, err := fulfill.NewMoney(decimal.New(units, -int32(scale%6)), "USD")
		if err != nil {
			t.Fatal(err)
		}
		ratios := make([]decimal.Decimal, len(raw))
		positive := false
		for i, r := range raw {
			ratios[i] = decimal.New(int64(r), -int32(i%3))
			positive = positive || r > 0
		}
		parts, err := m.Allocate(ratios...)
		if !positive {
			if !errors.Is(err, fulfill.ErrInvalidMoney) {
				t.Fatalf("all-zero ratios: want ErrInvalidMoney, got %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkAllocation(t, m, ratios, parts)
	})
}
