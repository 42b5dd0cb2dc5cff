package carrier

import (
	"math/rand/v2"
	"testing"

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
