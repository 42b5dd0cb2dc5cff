package carrier

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/shopspring/decimal"
)

// TestDimWeightFastPath: the 64-bit path agrees with the big.Int path for
// random volumes, divisors, steps and modes.
func TestDimWeightFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	divisors := []string{"139", "166", "5000", "194", "139.5", "0.7", "1", "250"}
	steps := []fulfill.Mass{0, fulfill.Pound, fulfill.Ounce, fulfill.Kilogram / 2, fulfill.Gram, 3}
	modes := []RoundMode{"", RoundModeUp, RoundModeNearest, RoundModeDown}
	for i := 0; i < 20000; i++ {
		u := UnitsImperial
		if rng.IntN(2) == 0 {
			u = UnitsMetric
		}
		d := compileDim(DimRule{Divisor: decimal.RequireFromString(divisors[rng.IntN(len(divisors))])}, u)
		if !d.fast {
			continue
		}
		var vol fulfill.Volume
		switch rng.IntN(3) {
		case 0:
			vol = fulfill.Volume(rng.Int64N(int64(2 * fulfill.CubicFoot)))
		case 1:
			vol = fulfill.Volume(rng.Int64N(1 << 62))
		default:
			vol = fulfill.Volume(rng.Int64N(1000)) * fulfill.CubicInch
		}
		step, mode := steps[rng.IntN(len(steps))], modes[rng.IntN(len(modes))]
		fr, fe, ok := d.weight64(uint64(vol), step, mode)
		if !ok {
			continue
		}
		slow := *d
		slow.fast = false
		sr, se := slow.weight(vol, step, mode)
		if fr != sr || fe != se {
			t.Fatalf("vol %d divisor %s step %d mode %q: fast %d/%d, big %d/%d", vol, d.divisor, step, mode, fr, fe, sr, se)
		}
	}
}

// TestFmtMoney: fmtMoney writes exactly what Money.String writes.
func TestFmtMoney(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	curs := []fulfill.Currency{"USD", "JPY", "KWD", "EUR"}
	for i := 0; i < 20000; i++ {
		var d decimal.Decimal
		switch rng.IntN(4) {
		case 0:
			d = decimal.New(rng.Int64N(1_000_000)-500_000, -int32(rng.IntN(6)))
		case 1:
			d = decimal.New(rng.Int64(), -int32(rng.IntN(20)))
		case 2:
			d = decimal.New(rng.Int64N(1000), int32(rng.IntN(4)))
		default:
			d = decimal.New(-rng.Int64(), -2)
		}
		m, err := fulfill.NewMoney(d, curs[rng.IntN(len(curs))])
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmtMoney(m), m.String(); got != want {
			t.Fatalf("fmtMoney(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestFastSumsMatchDecimal: quotes summed in int64 units equal quotes
// summed in decimals, step by step, for random packages and options.
func TestFastSumsMatchDecimal(t *testing.T) {
	data, err := os.ReadFile("testdata/acme-2026.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseRateCard(data)
	if err != nil {
		t.Fatal(err)
	}
	c.FuelPercent = decimal.RequireFromString("12.375")
	fast, err := NewTariff(c)
	if err != nil {
		t.Fatal(err)
	}
	if !fast.cards[0].fast {
		t.Fatal("the test card should take the fast path")
	}
	slowCard := *fast.cards[0]
	slowCard.fast = false
	slow := &Tariff{carrier: fast.carrier, cards: []*compiledCard{&slowCard}}
	rng := rand.New(rand.NewPCG(9, 9))
	zips := []string{"94105", "60601", "80202", "97201", "99501"}
	for i := 0; i < 2000; i++ {
		var pkgs []Package
		for range 1 + rng.IntN(3) {
			side := func() fulfill.Length { return fulfill.Length(1 + rng.Int64N(int64(50*fulfill.Inch))) }
			pkgs = append(pkgs, Package{Dimensions: fulfill.Dims(side(), side(), side()), Mass: fulfill.Mass(1 + rng.Int64N(int64(100*fulfill.Pound)))})
		}
		req := Request{
			Origin:      fulfill.Address{PostalCode: "90210", Country: "US"},
			Destination: fulfill.Address{PostalCode: zips[rng.IntN(len(zips))], Country: "US", Residential: rng.IntN(2) == 0},
			Packages:    pkgs, ShipTime: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
			Options: Options{Signature: rng.IntN(2) == 0},
		}
		a, _, err := fast.Quotes(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _, _ := slow.Quotes(req)
		if len(a) != len(b) {
			t.Fatalf("fast %d quotes, slow %d", len(a), len(b))
		}
		for k := range a {
			if !a[k].Price.Equal(b[k].Price) || a[k].Explanation.String() != b[k].Explanation.String() {
				t.Fatalf("fast and decimal sums differ:\n%s\n%s", a[k].Explanation, b[k].Explanation)
			}
		}
	}
}
