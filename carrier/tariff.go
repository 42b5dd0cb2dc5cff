package carrier

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/shopspring/decimal"
)

// Tariff is a carrier priced offline from its rate cards: every version of
// one carrier's card, each in effect from its Effective time until the next.
// It rates with the version in effect at the request's ship time. A Tariff
// is immutable and safe for concurrent use; it keeps no reference to the
// cards it was built from.
type Tariff struct {
	carrier string
	cards   []*compiledCard // by Effective, ascending
}

var _ Carrier = (*Tariff)(nil)

// NewTariff validates cards and compiles them into a Tariff. The cards must
// all name the same carrier and have distinct Effective times. Errors wrap
// [ErrInvalidCard].
func NewTariff(cards ...*RateCard) (*Tariff, error) {
	if len(cards) == 0 {
		return nil, &CardError{Reason: "a tariff needs at least one rate card"}
	}
	var errs []error
	t := &Tariff{carrier: cards[0].Carrier}
	for _, c := range cards {
		if c == nil {
			errs = append(errs, &CardError{Reason: "nil rate card"})
			continue
		}
		if err := c.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if c.Carrier != t.carrier {
			errs = append(errs, &CardError{Card: c.name(), Field: "carrier", Value: c.Carrier, Reason: "a tariff holds one carrier's cards, not " + t.carrier + "'s too"})
			continue
		}
		t.cards = append(t.cards, compileCard(c))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortStableFunc(t.cards, func(a, b *compiledCard) int { return a.effective.Compare(b.effective) })
	for i := 1; i < len(t.cards); i++ {
		if t.cards[i].effective.Equal(t.cards[i-1].effective) {
			return nil, &CardError{Card: t.cards[i].source, Field: "effective", Value: t.cards[i].effective.Format(time.RFC3339),
				Reason: "same effective time as version " + t.cards[i-1].version}
		}
	}
	return t, nil
}

// Name returns the carrier's name.
func (t *Tariff) Name() string { return t.carrier }

// Version returns the version of the card in effect at the given time, or
// an error wrapping [ErrNoCard] if it is before every version.
func (t *Tariff) Version(at time.Time) (string, error) {
	c, err := t.card(at)
	if err != nil {
		return "", err
	}
	return c.version, nil
}

func (t *Tariff) card(at time.Time) (*compiledCard, error) {
	i, _ := slices.BinarySearchFunc(t.cards, at, func(c *compiledCard, at time.Time) int {
		if c.effective.After(at) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return nil, fmt.Errorf("%w: %s has no card in effect at %s (first effective %s)", ErrNoCard, t.carrier,
			at.Format(time.RFC3339), t.cards[0].effective.Format(time.RFC3339))
	}
	return t.cards[i-1], nil
}

// Rate quotes every eligible service of the card in effect at
// req.ShipTime, in card order. If no service is eligible it returns a
// *[NoRateError] with every service's reason.
func (t *Tariff) Rate(ctx context.Context, req Request) ([]Quote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	quotes, inel, err := t.Quotes(req)
	if err != nil {
		return nil, err
	}
	if len(quotes) == 0 {
		return nil, &NoRateError{Carrier: t.carrier, Reasons: inel}
	}
	return quotes, nil
}

// Quotes prices req with every service of the card in effect at
// req.ShipTime and returns the quotes of the eligible services and the
// reasons of the others, both in card order. The quotes' explanations
// share their backing arrays, each with a capacity of its own length, so
// that appending to or changing one explanation leaves the others as they
// were. The error is non-nil only for an invalid request
// ([ErrInvalidRequest]) or a ship time before every card ([ErrNoCard]).
// [Tariff.Prices] gives the same prices for less, without explanations.
func (t *Tariff) Quotes(req Request) ([]Quote, []*IneligibleError, error) {
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	c, err := t.card(req.ShipTime)
	if err != nil {
		return nil, nil, err
	}
	quotes, inel := c.quote(req)
	return quotes, inel, nil
}

// compiledCard is a validated card in the form pricing uses: zones are
// numbered, so that a request finds its prices, transit times and zone
// amounts by index, and the texts that do not depend on the request are
// written once.
type compiledCard struct {
	carrier, version, source string
	effective                time.Time
	currency                 fulfill.Currency
	units                    Units
	zones                    ZoneChart
	chart                    []compiledZone // exceptions, then ranges
	zoneNames                []string       // by zone index
	zoneRules                []string       // "zone 5", by zone index
	services                 []compiledService
	surcharges               []compiledSurcharge
	fuelPct                  decimal.Decimal // as written, such as 12.5
	fuelText                 string          // "12.5%"
	fuelHead                 string          // "fuel 12.5% of "
	// roundings and dimClasses count the services' distinct rounding
	// rules and (dimensional rule, rounding) pairs, whose measurements a
	// request shares.
	roundings, dimClasses int

	// fast says every amount is an int64 count of 10^-scale units (at
	// most 1e15 of them), so sums run in integers; minor is the
	// currency's minor unit, and fuel is fuelNum/fuelDiv of a subtotal in
	// units, in minor units.
	fast             bool
	scale, minor     int32
	fuelNum, fuelDiv uint64
	fuel             decimal.Decimal // as a fraction, such as 0.125
}

// compiledZone is a row of the zone chart with its texts.
type compiledZone struct {
	r     ZoneRange
	valid bool
	zone  int    // index into compiledCard.zoneNames
	rule  string // "900-961 to 000-799: zone 5"
	head  string // "zone 5: origin "
	tail  string // " (900-961 to 000-799)"
}

type compiledService struct {
	svc         Service
	round       Rounding
	roundIdx    int // the class of round among the card's services
	dim         *compiledDim
	dimIdx      int // the class of (dim, round) among the card's services
	minBillable fulfill.Mass
	minStep     Step // the service-minimum step, Package unset
	weights     []fulfill.Mass
	upTo        []string   // weights, formatted
	prices      [][]priced // by zone index; nil if the zone is not served
	transit     []int      // days by zone index; -1 if not given
	limits      Limits
	surcharges  []int // indices of the card's surcharges that apply to this service
	// steps is the most steps a quote with one package and with every
	// surcharge applying has; it sizes the request's step buffer.
	steps int
}

// compiledDim computes dimensional weight exactly: volume (µm³) * num / den
// is the weight in nanograms.
type compiledDim struct {
	units       Units
	divisor     decimal.Decimal
	divisorText string
	num, den    *big.Int
	// num64 and den64 are num and den when both fit in a uint64, for the
	// allocation-free path; fast says they do.
	num64, den64 uint64
	fast         bool
	above        fulfill.Volume // volumes at or below it have no dim weight
	aboveActive  bool
	aboveText    string
}

type compiledSurcharge struct {
	Surcharge
	supersedes []int    // indices of the surcharges this one supersedes
	amount     priced   // Amount
	byZone     []priced // by zone index; zoned[i] says byZone[i] is set
	zoned      []bool
	why        string // the reason of a kind that has a fixed one
	minStep    Step   // a large package's minimum step, Package unset
	minBasis   string // "large_package minimum"
	// the thresholds, formatted
	longestText, secondText, lpgText, weightText string
}

// priced is an amount with its Money and text computed once.
type priced struct {
	d     decimal.Decimal
	units int64 // d in 10^-scale units, if the card is fast
	m     fulfill.Money
	text  string
	// step is the text of a base-price step for a grid cell:
	// "base price zone 5, up to 10lb: 19.00 USD".
	step string
}

func (c *compiledCard) priced(d decimal.Decimal) priced {
	m := c.money(d)
	p := priced{d: d, m: m, text: fmtMoney(m)}
	if c.fast {
		p.units = d.Shift(c.scale).IntPart() // exact: checked by planFast
	}
	return p
}

func compileCard(c *RateCard) *compiledCard {
	units := c.Units
	if units == "" {
		units = UnitsImperial
	}
	cc := &compiledCard{
		carrier: c.Carrier, version: c.Version, source: c.name(), effective: c.Effective,
		currency: c.Currency, units: units,
		zones:   ZoneChart{Ranges: slices.Clone(c.Zones.Ranges), Exceptions: slices.Clone(c.Zones.Exceptions)},
		fuelPct: c.FuelPercent, fuel: c.FuelPercent.Shift(-2), fuelText: c.FuelPercent.String() + "%",
	}
	cc.fuelHead = "fuel " + cc.fuelText + " of "
	cc.planFast(c)
	zoneIdx := map[string]int{}
	for _, list := range [2][]ZoneRange{cc.zones.Exceptions, cc.zones.Ranges} {
		for _, r := range list {
			i, ok := zoneIdx[r.Zone]
			if !ok {
				i = len(cc.zoneNames)
				zoneIdx[r.Zone] = i
				cc.zoneNames = append(cc.zoneNames, r.Zone)
				cc.zoneRules = append(cc.zoneRules, "zone "+r.Zone)
			}
			cc.chart = append(cc.chart, compiledZone{
				r: r, valid: r.Origin.valid() && r.Destination.valid(), zone: i, rule: r.String(),
				head: "zone " + r.Zone + ": origin ", tail: " (" + r.Origin.String() + " to " + r.Destination.String() + ")",
			})
		}
	}
	nz := len(cc.zoneNames)
	for i, s := range c.Surcharges {
		cs := compiledSurcharge{Surcharge: s}
		cs.ByZone = cloneMap(s.ByZone)
		cs.Services = slices.Clone(s.Services)
		cs.ZIPs = slices.Clone(s.ZIPs)
		cs.Supersedes = slices.Clone(s.Supersedes)
		for j, o := range c.Surcharges {
			if j != i && slices.Contains(s.Supersedes, o.Name) {
				cs.supersedes = append(cs.supersedes, j)
			}
		}
		if cs.Per.IsZero() {
			cs.Per = decimal.NewFromInt(100)
		}
		cs.amount = cc.priced(s.Amount)
		cs.byZone, cs.zoned = make([]priced, nz), make([]bool, nz)
		for z, name := range cc.zoneNames {
			if a, ok := s.ByZone[name]; ok {
				cs.byZone[z], cs.zoned[z] = cc.priced(a), true
			}
		}
		cs.longestText, cs.secondText = fmtLength(s.LongestOver, units), fmtLength(s.SecondOver, units)
		cs.lpgText, cs.weightText = fmtLength(s.LengthPlusGirthOver, units), fmtMass(s.WeightOver, units)
		switch s.Kind {
		case SurchargeResidential:
			cs.why = "residential destination"
		case SurchargeSignature:
			cs.why = "signature requested"
		case SurchargeSaturday:
			cs.why = "Saturday delivery"
		case SurchargeLargePackage:
			t := fmtMass(s.MinBillable, units)
			cs.minStep = Step{Kind: StepMinimum, Rule: s.Name, Threshold: t, Value: t, Text: "large package minimum billable weight " + t}
			cs.minBasis = s.Name + " minimum"
		}
		cc.surcharges = append(cc.surcharges, cs)
	}
	var roundings []Rounding
	type dimClass struct {
		dim      *compiledDim
		roundIdx int
	}
	var dims []dimClass
	for _, s := range c.Services {
		r := c.Rounding
		if s.Rounding != nil {
			r = *s.Rounding
		}
		cs := compiledService{
			svc:   Service{Carrier: c.Carrier, Code: s.Code, Name: s.Name},
			round: r, minBillable: s.MinBillable, limits: s.Limits,
			weights: slices.Clone(s.Prices.Weights),
			upTo:    make([]string, len(s.Prices.Weights)),
			prices:  make([][]priced, nz),
			transit: make([]int, nz),
			dimIdx:  -1,
		}
		cs.roundIdx = slices.Index(roundings, r)
		if cs.roundIdx < 0 {
			cs.roundIdx = len(roundings)
			roundings = append(roundings, r)
		}
		if s.MinBillable > 0 {
			t := fmtMass(s.MinBillable, units)
			cs.minStep = Step{Kind: StepMinimum, Rule: "min_billable", Threshold: t, Value: t, Text: "minimum billable weight " + t}
		}
		for i, w := range s.Prices.Weights {
			cs.upTo[i] = fmtMass(w, units)
		}
		for z, name := range cc.zoneNames {
			cs.transit[z] = -1
			if d, ok := s.Transit[name]; ok {
				cs.transit[z] = d
			}
			row, ok := s.Prices.Zones[name]
			if !ok {
				continue
			}
			cells := make([]priced, len(row))
			for i, d := range row {
				cells[i] = cc.priced(d)
				cells[i].step = "base price zone " + name + ", up to " + fmtMass(s.Prices.Weights[i], units) + ": " + cells[i].text
			}
			cs.prices[z] = cells
		}
		if s.Dim != nil {
			cs.dim = compileDim(*s.Dim, units)
			cs.dimIdx = slices.IndexFunc(dims, func(d dimClass) bool { return d.roundIdx == cs.roundIdx && d.dim.same(cs.dim) })
			if cs.dimIdx < 0 {
				cs.dimIdx = len(dims)
				dims = append(dims, dimClass{cs.dim, cs.roundIdx})
			}
		}
		for i, sc := range c.Surcharges {
			if len(sc.Services) == 0 || slices.Contains(sc.Services, s.Code) {
				cs.surcharges = append(cs.surcharges, i)
			}
		}
		// zone, dimensions, actual, dim weight, minimum, billable, base
		// price, two per surcharge (a large package's minimum), fuel,
		// transit, total.
		cs.steps = 10 + 2*len(cs.surcharges)
		cc.services = append(cc.services, cs)
	}
	cc.roundings, cc.dimClasses = len(roundings), len(dims)
	return cc
}

// planFast decides whether the card's sums can run in int64 units.
func (cc *compiledCard) planFast(c *RateCard) {
	minor, _ := c.Currency.MinorUnits()
	var amounts []decimal.Decimal
	for _, s := range c.Surcharges {
		amounts = append(amounts, s.Amount)
		for _, a := range s.ByZone {
			amounts = append(amounts, a)
		}
	}
	for _, s := range c.Services {
		for _, row := range s.Prices.Zones {
			amounts = append(amounts, row...)
		}
	}
	scale := minor
	for _, a := range amounts {
		scale = max(scale, -a.Exponent())
	}
	if scale > 9 {
		return
	}
	limit := decimal.New(1, 15)
	for _, a := range amounts {
		if a.Shift(scale).Abs().GreaterThan(limit) {
			return
		}
	}
	// fuel fraction = coef * 10^e / 100, in minor units of a subtotal in
	// 10^-scale units: divide by a further 10^(scale-minor).
	p := c.FuelPercent
	coef := p.Coefficient()
	num, div := new(big.Int).Set(coef), big.NewInt(100)
	if e := p.Exponent(); e >= 0 {
		num.Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
	} else {
		div.Mul(div, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil))
	}
	div.Mul(div, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-minor)), nil))
	if !num.IsUint64() || !div.IsUint64() || num.Sign() < 0 {
		return
	}
	cc.fast, cc.scale, cc.minor, cc.fuelNum, cc.fuelDiv = true, scale, minor, num.Uint64(), div.Uint64()
}

// fuel64 returns the fuel on a subtotal of sub units in minor units,
// rounded half up, or ok false if it does not fit.
func (c *compiledCard) fuel64(sub int64) (int64, bool) {
	if sub < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(sub), c.fuelNum)
	lo, carry := bits.Add64(lo, c.fuelDiv/2, 0)
	hi += carry
	if hi >= c.fuelDiv {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, c.fuelDiv)
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}

// moneyUnits returns v x 10^-scale in the card's currency.
func (c *compiledCard) moneyUnits(v int64, scale int32) fulfill.Money {
	return c.money(decimal.New(v, -scale))
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// unitsOf returns the volume and mass units of a system.
func unitsOf(u Units) (vol fulfill.Volume, mass fulfill.Mass) {
	if u == UnitsMetric {
		return fulfill.CubicCentimeter, fulfill.Kilogram
	}
	return fulfill.CubicInch, fulfill.Pound
}

func compileDim(d DimRule, cardUnits Units) *compiledDim {
	u := d.Units
	if u == "" {
		u = cardUnits
	}
	vol, mass := unitsOf(u)
	// weight = volume * mass / (divisor * vol), divisor = coef * 10^exp.
	num := big.NewInt(int64(mass))
	den := new(big.Int).Mul(d.Divisor.Coefficient(), big.NewInt(int64(vol)))
	if e := d.Divisor.Exponent(); e < 0 {
		num.Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil))
	} else if e > 0 {
		den.Mul(den, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
	}
	cd := &compiledDim{units: u, divisor: d.Divisor, divisorText: d.Divisor.String(), num: num, den: den}
	if num.IsUint64() && den.IsUint64() && den.Sign() > 0 {
		cd.num64, cd.den64, cd.fast = num.Uint64(), den.Uint64(), true
	}
	if d.Above.Sign() > 0 {
		cd.aboveActive = true
		cd.aboveText = d.Above.String() + cubicSuffix(u)
		lim := d.Above.Mul(decimal.NewFromInt(int64(vol))).Floor().BigInt()
		if lim.IsInt64() {
			cd.above = fulfill.Volume(lim.Int64())
		} else {
			cd.above = fulfill.Volume(math.MaxInt64)
		}
	}
	return cd
}

// same reports whether d and o compute the same weights.
func (d *compiledDim) same(o *compiledDim) bool {
	return d.units == o.units && d.divisor.Equal(o.divisor) && d.aboveActive == o.aboveActive && d.above == o.above
}

// weight returns the dimensional weight of vol rounded by step and mode,
// and the exact weight truncated to a nanogram, for the explanation.
func (d *compiledDim) weight(vol fulfill.Volume, step fulfill.Mass, mode RoundMode) (rounded, exact fulfill.Mass) {
	if d.fast && vol >= 0 {
		if r, e, ok := d.weight64(uint64(vol), step, mode); ok {
			return r, e
		}
	}
	n := new(big.Int).Mul(big.NewInt(int64(vol)), d.num)
	q := new(big.Int).Quo(n, d.den)
	exact = satMass(q)
	if step <= 0 {
		step = fulfill.Nanogram
		mode = RoundModeUp
	}
	den := new(big.Int).Mul(d.den, big.NewInt(int64(step)))
	r := new(big.Int)
	q.QuoRem(n, den, r)
	switch mode {
	case RoundModeDown:
	case RoundModeNearest:
		if r.Lsh(r, 1).Cmp(den) >= 0 {
			q.Add(q, big.NewInt(1))
		}
	default:
		if r.Sign() > 0 {
			q.Add(q, big.NewInt(1))
		}
	}
	q.Mul(q, big.NewInt(int64(step)))
	return satMass(q), exact
}

// weight64 is weight in 64- and 128-bit arithmetic: a = vol*num, b = den,
// and a/(b*step) is rounded through q = floor(a/b), using
// ceil(a/(bc)) = ceil(ceil(a/b)/c) and the like. ok is false if a/b does
// not fit in 64 bits.
func (d *compiledDim) weight64(vol uint64, step fulfill.Mass, mode RoundMode) (rounded, exact fulfill.Mass, ok bool) {
	hi, lo := bits.Mul64(vol, d.num64)
	if hi >= d.den64 {
		return 0, 0, false
	}
	q, r := bits.Div64(hi, lo, d.den64) // a/b = q + r/b
	if q > math.MaxInt64 {
		return 0, 0, false
	}
	exact = fulfill.Mass(q)
	if step <= 0 {
		step, mode = fulfill.Nanogram, RoundModeUp
	}
	c := uint64(step)
	q2, r2 := q/c, q%c // a/(bc) = q2 + (r2 + r/b)/c
	switch mode {
	case RoundModeDown:
	case RoundModeNearest:
		// round half up: (r2 + r/b)/c >= 1/2
		if 2*r2 > c || 2*r2 == c || (c%2 == 1 && 2*r2+1 == c && r >= d.den64-r) {
			q2++
		}
	default:
		if r2 > 0 || r > 0 {
			q2++
		}
	}
	hi, lo = bits.Mul64(q2, c)
	if hi != 0 || lo > math.MaxInt64 {
		return fulfill.MaxMass, exact, true
	}
	return fulfill.Mass(lo), exact, true
}

func satMass(v *big.Int) fulfill.Mass {
	if v.IsInt64() {
		return fulfill.Mass(v.Int64())
	}
	return fulfill.MaxMass
}

func roundLength(l, step fulfill.Length, mode RoundMode) fulfill.Length {
	switch {
	case step <= 0:
		return l
	case mode == RoundModeNearest:
		return l.Round(step)
	case mode == RoundModeDown:
		return l.Floor(step)
	}
	return l.Ceil(step)
}

func roundMass(m, step fulfill.Mass, mode RoundMode) fulfill.Mass {
	switch {
	case step <= 0:
		return m
	case mode == RoundModeNearest:
		return m.Round(step)
	case mode == RoundModeDown:
		return m.Floor(step)
	}
	return m.Ceil(step)
}

// money returns d in the card's currency; the currency was validated when
// the card was compiled.
func (c *compiledCard) money(d decimal.Decimal) fulfill.Money {
	m, err := fulfill.NewMoney(d, c.currency)
	if err != nil {
		return fulfill.Money{}
	}
	return m
}

// measured is a package measured under one rounding rule, shared by the
// services that use that rule.
type measured struct {
	done     bool
	dims     fulfill.Dimensions // rounded
	sorted   fulfill.Dimensions
	lpg      fulfill.Length
	actual   fulfill.Mass // rounded
	vol      fulfill.Volume
	volErr   bool
	dimsStep Step // empty unless quoteState.explain
	massStep Step // empty unless quoteState.explain
}

// dimMemo is a dimensional weight computed for one package under one
// (dimensional rule, rounding) class, shared by the services of the class.
type dimMemo struct {
	done bool
	step Step
	w    fulfill.Mass
}

// transitMemo is an estimated delivery and its step for a number of days.
type transitMemo struct {
	days int
	at   time.Time
	step Step
}

// moneyMemo is an amount of v x 10^-scale made once per request: quotes
// with equal totals or fuel share it.
type moneyMemo struct {
	v     int64
	scale int32
	m     fulfill.Money
}

// quoteState is what one request shares across the services of a card.
// It holds no pointer into itself, so that it can live on the stack; its
// small memos are arrays, and a request too large for them takes slices.
type quoteState struct {
	req      Request
	zone     string
	zoneIdx  int    // -1 if no zone
	zoneRule string // "zone 5"
	zoneStep Step
	dest5    string // the destination's ZIP5, if it has one
	dest5OK  bool
	// explain says the steps and texts are wanted; without it only the
	// numbers are computed, and zoneStep and the memos' steps stay empty.
	explain  bool
	text     textArena
	steps    []Step // spare capacity that explanations are built in
	stepsEst int    // the steps a quote is expected to have

	// measured is by package * card.roundings + rounding class, dims by
	// package * card.dimClasses + dim class; the arrays serve when they
	// are large enough, else the slices.
	measuredArr [2]measured
	measured    []measured
	dimsArr     [8]dimMemo
	dims        []dimMemo
	// transit and moneys remember up to their size; later values are
	// made each time.
	transit  [4]transitMemo
	ntransit int
	moneys   [12]moneyMemo
	nmoneys  int
}

func (st *quoteState) init(c *compiledCard, req Request, explain bool) {
	st.req, st.explain = req, explain
	n := len(req.Packages)
	if k := n * c.roundings; k > len(st.measuredArr) {
		st.measured = make([]measured, k)
	}
	if k := n * c.dimClasses; k > len(st.dimsArr) {
		st.dims = make([]dimMemo, k)
	}
	st.text.size = min(256+192*len(c.services)*n, 32<<10) // made on first use
	// zone, fuel, transit and total, and per package dimensions, actual
	// weight, dimensional weight, billable weight, base price and the
	// surcharges the options ask for.
	perPkg := 5
	for _, on := range [...]bool{req.Destination.Residential, req.Options.Signature, req.Options.SaturdayDelivery} {
		if on {
			perPkg++
		}
	}
	st.stepsEst = min(4+perPkg*n, 1<<12)
	st.dest5, st.dest5OK = zip5(req.Destination)
	st.zoneIdx = -1
	o, ok := zip5(req.Origin)
	if !ok || !st.dest5OK {
		return
	}
	for k := range c.chart {
		z := &c.chart[k]
		if z.valid && z.r.Origin.contains(o) && z.r.Destination.contains(st.dest5) {
			st.zoneIdx, st.zone, st.zoneRule = z.zone, c.zoneNames[z.zone], c.zoneRules[z.zone]
			if !explain {
				return
			}
			b := st.text.open()
			b = append(b, z.head...)
			b = append(b, req.Origin.PostalCode...)
			b = append(b, ", destination "...)
			b = append(b, req.Destination.PostalCode...)
			b = append(b, z.tail...)
			st.zoneStep = Step{Kind: StepZone, Rule: z.rule, Value: st.zone, Text: st.text.close(b)}
			return
		}
	}
}

// money returns v x 10^-scale in the card's currency, made once per
// request.
func (st *quoteState) money(c *compiledCard, v int64, scale int32) fulfill.Money {
	for _, m := range st.moneys[:st.nmoneys] {
		if m.v == v && m.scale == scale {
			return m.m
		}
	}
	m := c.moneyUnits(v, scale)
	if st.nmoneys < len(st.moneys) {
		st.moneys[st.nmoneys] = moneyMemo{v: v, scale: scale, m: m}
		st.nmoneys++
	}
	return m
}

// open returns an empty explanation to build in the request's step
// buffer, where the explanations of the left services still to be priced
// are expected to fit. If one outgrows it, append moves it out.
func (st *quoteState) open(left int) []Step {
	if cap(st.steps)-len(st.steps) < st.stepsEst {
		st.steps = make([]Step, 0, st.stepsEst*left)
	}
	return st.steps[len(st.steps):len(st.steps)]
}

// keep returns steps, built from open, as an explanation of its own
// capacity, and moves the step buffer past it if it is there.
func (st *quoteState) keep(steps []Step) Explanation {
	n := len(steps)
	if rest := st.steps[len(st.steps):cap(st.steps)]; len(rest) >= n && &rest[0] == &steps[0] {
		st.steps = st.steps[:len(st.steps)+n]
	} else {
		// This quote has more steps than expected: expect as many.
		st.stepsEst = max(st.stepsEst, n)
	}
	return Explanation(steps[:n:n])
}

func (st *quoteState) measure(c *compiledCard, i int, s *compiledService) *measured {
	var m *measured
	if k := i*c.roundings + s.roundIdx; st.measured != nil {
		m = &st.measured[k]
	} else {
		m = &st.measuredArr[k]
	}
	if m.done {
		return m
	}
	r := s.round
	u := c.units
	p := st.req.Packages[i]
	n := i + 1
	m.done = true
	m.dims = fulfill.Dimensions{
		Length: roundLength(p.Dimensions.Length, r.Length, r.LengthMode),
		Width:  roundLength(p.Dimensions.Width, r.Length, r.LengthMode),
		Height: roundLength(p.Dimensions.Height, r.Length, r.LengthMode),
	}
	m.sorted = m.dims.Sorted()
	m.lpg = m.dims.LengthPlusGirth()
	vol, err := m.dims.Volume()
	m.vol, m.volErr = vol, err != nil
	m.actual = roundMass(p.Mass, r.Weight, r.WeightMode)
	if !st.explain {
		return m
	}

	// "dimensions 14.2x10x6in rounded up to 1in: 15x10x6in", whose value
	// is the rounded dimensions (the given ones if not rounded).
	b := append(st.text.open(), "dimensions "...)
	lo := len(b)
	b = appendDims(b, p.Dimensions, u)
	if r.Length > 0 {
		b = append(b, ' ')
		b = appendRoundPhrase(b, r.LengthMode)
		b = appendLength(b, r.Length, u)
		b = append(b, ": "...)
		lo = len(b)
		b = appendDims(b, m.dims, u)
	}
	text := st.text.close(b)
	m.dimsStep = Step{Kind: StepDimensions, Package: n, Rule: "rounding", Value: text[lo:], Text: text}

	b = append(st.text.open(), "actual weight "...)
	lo = len(b)
	b = appendMass(b, p.Mass, u)
	if r.Weight > 0 {
		b = append(b, ' ')
		b = appendRoundPhrase(b, r.WeightMode)
		b = appendMass(b, r.Weight, u)
		b = append(b, ": "...)
		lo = len(b)
		b = appendMass(b, m.actual, u)
	}
	text = st.text.close(b)
	m.massStep = Step{Kind: StepActual, Package: n, Value: text[lo:], Text: text}
	return m
}

// dimWeight returns the dimensional weight of package i with service s
// and its step (empty unless st.explain), or ok false if the volume is out
// of range.
func (st *quoteState) dimWeight(c *compiledCard, i int, s *compiledService, m *measured) (Step, fulfill.Mass, bool) {
	if m.volErr {
		return Step{}, 0, false
	}
	var memo *dimMemo
	if k := i*c.dimClasses + s.dimIdx; st.dims != nil {
		memo = &st.dims[k]
	} else {
		memo = &st.dimsArr[k]
	}
	if memo.done {
		return memo.step, memo.w, true
	}
	d, r := s.dim, s.round
	n := i + 1
	du := d.units
	var step Step
	var w fulfill.Mass
	if !st.explain {
		if !d.aboveActive || m.vol > d.above {
			w, _ = d.weight(m.vol, r.Weight, r.WeightMode)
		}
		*memo = dimMemo{done: true, w: w}
		return step, w, true
	}
	if d.aboveActive && m.vol <= d.above {
		// "volume 900in³ not above 1728in³: no dimensional weight"
		b := append(st.text.open(), "volume "...)
		b = appendVolume(b, m.vol, du)
		hi := len(b)
		b = append(b, " not above "...)
		b = append(b, d.aboveText...)
		b = append(b, ": no dimensional weight"...)
		text := st.text.close(b)
		step = Step{Kind: StepDimWeight, Package: n, Rule: "dim_threshold", Threshold: d.aboveText,
			Value: text[len("volume "):hi], Text: text}
	} else {
		// "dimensional weight 900in³ / 139 = 6.475lb, rounded up to 1lb: 7lb"
		dw, exact := d.weight(m.vol, r.Weight, r.WeightMode)
		b := append(st.text.open(), "dimensional weight "...)
		b = appendVolume(b, m.vol, du)
		b = append(b, " / "...)
		b = append(b, d.divisorText...)
		b = append(b, " = "...)
		b = appendMass(b, exact, du)
		if r.Weight > 0 {
			b = append(b, ", "...)
			b = appendRoundPhrase(b, r.WeightMode)
			b = appendMass(b, r.Weight, du)
			b = append(b, ": "...)
		}
		lo := len(b)
		b = appendMass(b, dw, du)
		text := st.text.close(b)
		value := text[lo:]
		if r.Weight <= 0 {
			text = text[:lo]
		}
		step = Step{Kind: StepDimWeight, Package: n, Rule: "dim_divisor", Value: value, Text: text}
		if d.aboveActive {
			step.Threshold = d.aboveText
		}
		w = dw
	}
	*memo = dimMemo{done: true, step: step, w: w}
	return step, w, true
}

// billableStep returns the billable-weight step of package n.
func (st *quoteState) billableStep(n int, w fulfill.Mass, why string, u Units) Step {
	// "billable weight 7lb (dimensional weight)"
	b := append(st.text.open(), "billable weight "...)
	b = appendMass(b, w, u)
	hi := len(b)
	b = append(b, " ("...)
	b = append(b, why...)
	b = append(b, ')')
	text := st.text.close(b)
	return Step{Kind: StepBillable, Package: n, Rule: why, Value: text[len("billable weight "):hi], Text: text}
}

// transitStep returns the day a shipment is expected after days business
// days in transit, and its step if st.explain.
func (st *quoteState) transitStep(days int) (time.Time, Step) {
	for _, t := range st.transit[:st.ntransit] {
		if t.days == days {
			return t.at, t.step
		}
	}
	at := addBusinessDays(st.req.ShipTime, days)
	if !st.explain {
		if st.ntransit < len(st.transit) {
			st.transit[st.ntransit] = transitMemo{days: days, at: at}
			st.ntransit++
		}
		return at, Step{}
	}
	// "4 business days in zone 5: delivery expected Fri 2026-03-06"
	b := strconv.AppendInt(st.text.open(), int64(days), 10)
	b = append(b, " business days in zone "...)
	b = append(b, st.zone...)
	b = append(b, ": delivery expected "...)
	b = at.AppendFormat(b, "Mon 2006-01-02")
	hi := len(b)
	b = at.AppendFormat(b, time.DateOnly)
	text := st.text.close(b)
	step := Step{Kind: StepTransit, Rule: st.zoneRule, Value: text[hi:], Text: text[:hi]}
	if st.ntransit < len(st.transit) {
		st.transit[st.ntransit] = transitMemo{days: days, at: at, step: step}
		st.ntransit++
	}
	return at, step
}

// quote prices req with every service.
func (c *compiledCard) quote(req Request) ([]Quote, []*IneligibleError) {
	var quotes []Quote
	var inel []*IneligibleError
	var st quoteState
	st.init(c, req, true)
	ok, zone := st.zoneIdx >= 0, st.zone
	var dv decimal.Decimal
	dvErr := ""
	if !req.Options.DeclaredValue.IsZero() {
		if cur := req.Options.DeclaredValue.Currency(); cur != c.currency {
			dvErr = fmt.Sprintf("declared value in %s, card in %s", cur, c.currency)
		}
		dv = req.Options.DeclaredValue.Amount()
	}
	for i := range c.services {
		s := &c.services[i]
		fail := func(pkg int, rule, limit, actual, reason string) {
			inel = append(inel, &IneligibleError{Carrier: c.carrier, Service: s.svc.Code, Package: pkg, Rule: rule, Limit: limit, Actual: actual, Reason: reason})
		}
		switch {
		case !ok:
			fail(0, "zone", "", req.Origin.PostalCode+" to "+req.Destination.PostalCode,
				fmt.Sprintf("no zone from %s %q to %s %q", req.Origin.Country, req.Origin.PostalCode, req.Destination.Country, req.Destination.PostalCode))
			continue
		case s.prices[st.zoneIdx] == nil:
			fail(0, "zone", "", zone, "zone "+zone+" not served")
			continue
		case dvErr != "":
			fail(0, "declared_value", "", "", dvErr)
			continue
		}
		q, e := c.quoteService(s, &st, dv, len(c.services)-i)
		if e != nil {
			inel = append(inel, e)
			continue
		}
		if quotes == nil {
			quotes = make([]Quote, 0, len(c.services)-i)
		}
		quotes = append(quotes, q)
	}
	return quotes, inel
}

// applied is a surcharge that applies to a package and why.
type applied struct {
	idx       int
	threshold string
	why       string
}

// quoteService prices the request with service s, the first of left
// services still to be priced.
func (c *compiledCard) quoteService(s *compiledService, st *quoteState, dv decimal.Decimal, left int) (Quote, *IneligibleError) {
	u := c.units
	req, zi := &st.req, st.zoneIdx
	fail := func(pkg int, rule, limit, actual, reason string) (Quote, *IneligibleError) {
		return Quote{}, &IneligibleError{Carrier: c.carrier, Service: s.svc.Code, Package: pkg, Rule: rule, Limit: limit, Actual: actual, Reason: reason}
	}
	steps := append(st.open(left), st.zoneStep)
	row := s.prices[zi]
	fast := c.fast // sums in int64 units until something does not fit
	var sub int64
	var hitsBuf, keptBuf [8]applied
	add := func(units int64) {
		if fast {
			var ok bool
			if sub, ok = addInt64(sub, units); !ok {
				fast = false
			}
		}
	}
	for i, p := range req.Packages {
		n := i + 1
		m := st.measure(c, i, s)
		steps = append(steps, m.dimsStep)
		switch l := s.limits; {
		case l.MaxWeight > 0 && p.Mass > l.MaxWeight:
			return fail(n, "max_weight", fmtMass(l.MaxWeight, u), fmtMass(p.Mass, u), "weight "+fmtMass(p.Mass, u)+" over the maximum "+fmtMass(l.MaxWeight, u))
		case l.MaxLength > 0 && m.sorted.Length > l.MaxLength:
			return fail(n, "max_length", fmtLength(l.MaxLength, u), fmtLength(m.sorted.Length, u), "length "+fmtLength(m.sorted.Length, u)+" over the maximum "+fmtLength(l.MaxLength, u))
		case l.MaxLengthPlusGirth > 0 && m.lpg > l.MaxLengthPlusGirth:
			return fail(n, "max_length_plus_girth", fmtLength(l.MaxLengthPlusGirth, u), fmtLength(m.lpg, u), "length plus girth "+fmtLength(m.lpg, u)+" over the maximum "+fmtLength(l.MaxLengthPlusGirth, u))
		}
		steps = append(steps, m.massStep)
		billable, basis := m.actual, "actual weight"
		if s.dim != nil {
			step, dw, ok := st.dimWeight(c, i, s, m)
			if !ok {
				return fail(n, "volume", "", fmtDims(m.dims, u), "volume of "+fmtDims(m.dims, u)+" out of range")
			}
			steps = append(steps, step)
			if dw > billable {
				billable, basis = dw, "dimensional weight"
			}
		}
		// Which per-package surcharges apply.
		hits := hitsBuf[:0]
		for _, idx := range s.surcharges {
			if a, ok := st.applies(c, idx, p.Mass, m); ok {
				hits = append(hits, a)
			}
		}
		kept := c.unsuperseded(hits, keptBuf[:0])
		for _, a := range kept {
			sc := &c.surcharges[a.idx]
			if sc.Kind == SurchargeLargePackage && sc.MinBillable > billable {
				billable, basis = sc.MinBillable, sc.minBasis
				step := sc.minStep
				step.Package = n
				steps = append(steps, step)
			}
		}
		if s.minBillable > billable {
			billable, basis = s.minBillable, "service minimum"
			step := s.minStep
			step.Package = n
			steps = append(steps, step)
		}
		bstep := st.billableStep(n, billable, basis, u)
		bt := bstep.Value
		steps = append(steps, bstep)
		k, _ := slices.BinarySearch(s.weights, billable)
		if k == len(s.weights) {
			last := s.weights[len(s.weights)-1]
			return fail(n, "max_billable", fmtMass(last, u), bt, "billable weight "+bt+" over the heaviest price break "+fmtMass(last, u))
		}
		base := &row[k]
		add(base.units)
		steps = append(steps, Step{Kind: StepBasePrice, Package: n, Rule: st.zoneRule, Threshold: s.upTo[k], Amount: base.m, Text: base.step})
		for _, a := range kept {
			sc := &c.surcharges[a.idx]
			amt := &sc.amount
			if sc.zoned[zi] {
				amt = &sc.byZone[zi]
			}
			add(amt.units)
			// "residential (residential destination): 5.00 USD"
			b := append(st.text.open(), sc.Name...)
			b = append(b, " ("...)
			b = append(b, a.why...)
			b = append(b, "): "...)
			b = append(b, amt.text...)
			steps = append(steps, Step{Kind: StepSurcharge, Package: n, Rule: sc.Name, Threshold: a.threshold, Amount: amt.m,
				Text: st.text.close(b)})
		}
	}
	for _, sc := range c.surcharges {
		if sc.Kind != SurchargeDeclaredValue || dv.Sign() <= 0 || (len(sc.Services) > 0 && !slices.Contains(sc.Services, s.svc.Code)) {
			continue
		}
		over := dv.Sub(sc.Free)
		if over.Sign() <= 0 {
			continue
		}
		units := over.Div(sc.Per).Ceil()
		amt := units.Mul(sc.Amount)
		fast = false
		am := c.money(amt)
		steps = append(steps, Step{Kind: StepSurcharge, Rule: sc.Name, Threshold: sc.Free.String(), Amount: am,
			Text: sc.Name + " (declared value " + c.money(dv).String() + ", " + units.String() + " x " + sc.amount.text + " per " + sc.Per.String() + " above " + sc.Free.String() + "): " + am.String()})
	}
	var fuelM, totalM fulfill.Money
	var fuelText string
	hasFuel := c.fuel.Sign() > 0
	total := sub // in 10^-scale units, if fast
	if fast {
		if !hasFuel {
			totalM = st.money(c, sub, c.scale)
		} else {
			f, ok := c.fuel64(sub)
			fu, ok2 := mulInt64(f, pow10[c.scale-c.minor])
			t, ok3 := addInt64(sub, fu)
			if fast = ok && ok2 && ok3; fast {
				fuelM, totalM, total = st.money(c, f, c.minor), st.money(c, t, c.scale), t
				// "fuel 10% of 19.00 USD: 1.90 USD"
				b := append(st.text.open(), c.fuelHead...)
				b = appendFixed(b, sub, c.scale, c.currency)
				b = append(b, ": "...)
				b = appendFixed(b, f, c.minor, c.currency)
				fuelText = st.text.close(b)
			}
		}
	}
	if !fast {
		var subtotal decimal.Decimal
		for _, st := range steps {
			if st.Kind == StepBasePrice || st.Kind == StepSurcharge {
				subtotal = subtotal.Add(st.Amount.Amount())
			}
		}
		subtotalM := c.money(subtotal)
		totalM = subtotalM
		if hasFuel {
			fuelM = c.money(subtotal.Mul(c.fuel)).Round(fulfill.RoundHalfUp)
			totalM = c.money(subtotal.Add(fuelM.Amount()))
			b := append(st.text.open(), c.fuelHead...)
			b = appendMoney(b, subtotalM)
			b = append(b, ": "...)
			b = appendMoney(b, fuelM)
			fuelText = st.text.close(b)
		}
	}
	if hasFuel {
		steps = append(steps, Step{Kind: StepFuel, Rule: "fuel", Threshold: c.fuelText, Amount: fuelM, Text: fuelText})
	}
	q := Quote{Service: s.svc, Source: c.source}
	if days := s.transit[zi]; days >= 0 {
		at, step := st.transitStep(days)
		q.TransitDays, q.EstimatedDelivery = days, at
		steps = append(steps, step)
	}
	q.Price = totalM
	b := append(st.text.open(), "total "...)
	if fast {
		b = appendFixed(b, total, c.scale, c.currency)
	} else {
		b = appendMoney(b, q.Price)
	}
	steps = append(steps, Step{Kind: StepTotal, Amount: q.Price, Text: st.text.close(b)})
	q.Explanation = st.keep(steps)
	return q, nil
}

// applies reports whether the card's surcharge idx applies to a package
// of the given mass measured as m, with the threshold hit and a phrase
// saying why.
func (st *quoteState) applies(c *compiledCard, idx int, mass fulfill.Mass, m *measured) (applied, bool) {
	sc := &c.surcharges[idx]
	a := applied{idx: idx, why: sc.why}
	rule, ok := st.hits(c, idx, mass, m)
	if !ok {
		return a, false
	}
	u := c.units
	var b []byte
	switch sc.Kind {
	case SurchargeDeliveryArea:
		p := sc.ZIPs[rule]
		b = append(st.text.open(), "destination "...)
		b = append(b, st.dest5...)
		b = append(b, " in delivery area "...)
		b = append(b, p...)
		a.threshold, a.why = p, st.text.close(b)
		return a, true
	case SurchargeHandling, SurchargeLargePackage:
		switch rule {
		case hitLongest:
			b = appendLength(append(st.text.open(), "longest side "...), m.sorted.Length, u)
			a.threshold = sc.longestText
		case hitSecond:
			b = appendLength(append(st.text.open(), "second side "...), m.sorted.Width, u)
			a.threshold = sc.secondText
		case hitLengthPlusGirth:
			b = appendLength(append(st.text.open(), "length plus girth "...), m.lpg, u)
			a.threshold = sc.lpgText
		default:
			b = appendMass(append(st.text.open(), "weight "...), mass, u)
			a.threshold = sc.weightText
		}
		b = append(b, " over "...)
		b = append(b, a.threshold...)
		a.why = st.text.close(b)
	}
	return a, true
}

// The thresholds of a handling or large-package surcharge, as hits
// reports them.
const (
	hitLongest = iota
	hitSecond
	hitLengthPlusGirth
	hitWeight
)

// hits reports whether the card's surcharge idx applies to a package of
// the given mass measured as m, and by which rule: for a delivery area
// the index of the ZIP prefix matched, for a handling or large-package
// surcharge the first threshold exceeded (hitLongest to hitWeight).
func (st *quoteState) hits(c *compiledCard, idx int, mass fulfill.Mass, m *measured) (int, bool) {
	sc := &c.surcharges[idx]
	req := &st.req
	switch sc.Kind {
	case SurchargeResidential:
		return 0, req.Destination.Residential
	case SurchargeSignature:
		return 0, req.Options.Signature
	case SurchargeSaturday:
		return 0, req.Options.SaturdayDelivery
	case SurchargeDeliveryArea:
		if !st.dest5OK {
			return 0, false
		}
		for i, p := range sc.ZIPs {
			if strings.HasPrefix(st.dest5, p) {
				return i, true
			}
		}
	case SurchargeHandling, SurchargeLargePackage:
		switch {
		case sc.LongestOver > 0 && m.sorted.Length > sc.LongestOver:
			return hitLongest, true
		case sc.SecondOver > 0 && m.sorted.Width > sc.SecondOver:
			return hitSecond, true
		case sc.LengthPlusGirthOver > 0 && m.lpg > sc.LengthPlusGirthOver:
			return hitLengthPlusGirth, true
		case sc.WeightOver > 0 && mass > sc.WeightOver:
			return hitWeight, true
		}
	}
	return 0, false
}

// unsuperseded appends to kept the surcharges of hits that no surcharge
// of hits supersedes. A surcharge is dropped if any surcharge whose
// thresholds are hit supersedes it, whether or not that one is dropped in
// turn, so card order never matters.
func (c *compiledCard) unsuperseded(hits, kept []applied) []applied {
	for _, a := range hits {
		superseded := false
		for _, b := range hits {
			superseded = superseded || slices.Contains(c.surcharges[b.idx].supersedes, a.idx)
		}
		if !superseded {
			kept = append(kept, a)
		}
	}
	return kept
}

// addBusinessDays returns the date n business days (Monday to Friday) after
// t's date, at midnight in t's location. Holidays are the ship package's
// concern.
func addBusinessDays(t time.Time, n int) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}
