package carrier

// This file keeps the previous pricing code, as it was before the
// allocation work, as the baseline of BenchmarkQuote ("previous") and as a
// second reference for the tests: the same cards and requests must give
// the same quotes, field by field.

import (
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

// PreviousQuoter compiles c with the previous pricing code and returns a
// function that validates a request and quotes it as [Tariff.Quotes] did,
// for the benchmark's baseline. c must be valid.
func PreviousQuoter(c *RateCard) func(Request) ([]Quote, []*IneligibleError, error) {
	cc := prevCompileCard(c)
	return func(req Request) ([]Quote, []*IneligibleError, error) {
		if err := req.Validate(); err != nil {
			return nil, nil, err
		}
		qs, inel := cc.quote(req)
		return qs, inel, nil
	}
}

// prevCompiledCard is a validated card in the form pricing uses.
type prevCompiledCard struct {
	carrier, version, source string
	effective                time.Time
	currency                 fulfill.Currency
	units                    Units
	zones                    ZoneChart
	services                 []prevCompiledService
	surcharges               []prevCompiledSurcharge
	fuelPct                  decimal.Decimal // as written, such as 12.5
	fuelText                 string          // "12.5%"

	// fast says every amount is an int64 count of 10^-scale units (at
	// most 1e15 of them), so sums run in integers; minor is the
	// currency's minor unit, and fuel is fuelNum/fuelDiv of a subtotal in
	// units, in minor units.
	fast             bool
	scale, minor     int32
	fuelNum, fuelDiv uint64
	fuel             decimal.Decimal // as a fraction, such as 0.125
}

type prevCompiledService struct {
	svc         Service
	round       Rounding
	dim         *prevCompiledDim
	minBillable fulfill.Mass
	weights     []fulfill.Mass
	upTo        []string // weights, formatted
	prices      map[string][]prevPriced
	transit     map[string]int
	limits      Limits
	surcharges  []int // indices of the card's surcharges that apply to this service
}

// prevCompiledDim computes dimensional weight exactly: volume (µm³) * num / den
// is the weight in nanograms.
type prevCompiledDim struct {
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

type prevCompiledSurcharge struct {
	Surcharge
	superseded map[string]bool       // names this one supersedes
	amount     prevPriced            // Amount
	byZone     map[string]prevPriced // ByZone
}

// prevPriced is an amount with its Money and text computed once.
type prevPriced struct {
	d     decimal.Decimal
	units int64 // d in 10^-scale units, if the card is fast
	m     fulfill.Money
	text  string
	// step is the text of a base-price step for a grid cell:
	// "base price zone 5, up to 10lb: 19.00 USD".
	step string
}

func (c *prevCompiledCard) prevPriced(d decimal.Decimal) prevPriced {
	m := c.money(d)
	p := prevPriced{d: d, m: m, text: prevFmtMoney(m)}
	if c.fast {
		p.units = d.Shift(c.scale).IntPart() // exact: checked by planFast
	}
	return p
}

func prevCompileCard(c *RateCard) *prevCompiledCard {
	units := c.Units
	if units == "" {
		units = UnitsImperial
	}
	cc := &prevCompiledCard{
		carrier: c.Carrier, version: c.Version, source: c.name(), effective: c.Effective,
		currency: c.Currency, units: units,
		zones:   ZoneChart{Ranges: slices.Clone(c.Zones.Ranges), Exceptions: slices.Clone(c.Zones.Exceptions)},
		fuelPct: c.FuelPercent, fuel: c.FuelPercent.Shift(-2), fuelText: c.FuelPercent.String() + "%",
	}
	cc.planFast(c)
	for _, s := range c.Surcharges {
		cs := prevCompiledSurcharge{Surcharge: s}
		cs.ByZone = cloneMap(s.ByZone)
		cs.Services = slices.Clone(s.Services)
		cs.ZIPs = slices.Clone(s.ZIPs)
		cs.Supersedes = slices.Clone(s.Supersedes)
		cs.superseded = map[string]bool{}
		for _, n := range s.Supersedes {
			cs.superseded[n] = true
		}
		if cs.Per.IsZero() {
			cs.Per = decimal.NewFromInt(100)
		}
		cs.amount = cc.prevPriced(s.Amount)
		cs.byZone = make(map[string]prevPriced, len(s.ByZone))
		for z, a := range s.ByZone {
			cs.byZone[z] = cc.prevPriced(a)
		}
		cc.surcharges = append(cc.surcharges, cs)
	}
	for _, s := range c.Services {
		r := c.Rounding
		if s.Rounding != nil {
			r = *s.Rounding
		}
		cs := prevCompiledService{
			svc:   Service{Carrier: c.Carrier, Code: s.Code, Name: s.Name},
			round: r, minBillable: s.MinBillable, limits: s.Limits,
			weights: slices.Clone(s.Prices.Weights),
			upTo:    make([]string, len(s.Prices.Weights)),
			prices:  make(map[string][]prevPriced, len(s.Prices.Zones)),
			transit: cloneMap(s.Transit),
		}
		for i, w := range s.Prices.Weights {
			cs.upTo[i] = fmtMass(w, units)
		}
		for z, row := range s.Prices.Zones {
			cells := make([]prevPriced, len(row))
			for i, d := range row {
				cells[i] = cc.prevPriced(d)
				cells[i].step = "base price zone " + z + ", up to " + fmtMass(s.Prices.Weights[i], units) + ": " + cells[i].text
			}
			cs.prices[z] = cells
		}
		if s.Dim != nil {
			cs.dim = prevCompileDim(*s.Dim, units)
		}
		for i, sc := range c.Surcharges {
			if len(sc.Services) == 0 || slices.Contains(sc.Services, s.Code) {
				cs.surcharges = append(cs.surcharges, i)
			}
		}
		cc.services = append(cc.services, cs)
	}
	return cc
}

// planFast decides whether the card's sums can run in int64 units.
func (cc *prevCompiledCard) planFast(c *RateCard) {
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
func (c *prevCompiledCard) fuel64(sub int64) (int64, bool) {
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
func (c *prevCompiledCard) moneyUnits(v int64, scale int32) fulfill.Money {
	return c.money(decimal.New(v, -scale))
}

// prevUnitsOf returns the volume and mass units of a system.
func prevUnitsOf(u Units) (vol fulfill.Volume, mass fulfill.Mass) {
	if u == UnitsMetric {
		return fulfill.CubicCentimeter, fulfill.Kilogram
	}
	return fulfill.CubicInch, fulfill.Pound
}

func prevCompileDim(d DimRule, cardUnits Units) *prevCompiledDim {
	u := d.Units
	if u == "" {
		u = cardUnits
	}
	vol, mass := prevUnitsOf(u)
	// weight = volume * mass / (divisor * vol), divisor = coef * 10^exp.
	num := big.NewInt(int64(mass))
	den := new(big.Int).Mul(d.Divisor.Coefficient(), big.NewInt(int64(vol)))
	if e := d.Divisor.Exponent(); e < 0 {
		num.Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil))
	} else if e > 0 {
		den.Mul(den, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
	}
	cd := &prevCompiledDim{units: u, divisor: d.Divisor, divisorText: d.Divisor.String(), num: num, den: den}
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
func (d *prevCompiledDim) same(o *prevCompiledDim) bool {
	return d.units == o.units && d.divisor.Equal(o.divisor) && d.aboveActive == o.aboveActive && d.above == o.above
}

// weight returns the dimensional weight of vol rounded by step and mode,
// and the exact weight truncated to a nanogram, for the explanation.
func (d *prevCompiledDim) weight(vol fulfill.Volume, step fulfill.Mass, mode RoundMode) (rounded, exact fulfill.Mass) {
	if d.fast && vol >= 0 {
		if r, e, ok := d.weight64(uint64(vol), step, mode); ok {
			return r, e
		}
	}
	n := new(big.Int).Mul(big.NewInt(int64(vol)), d.num)
	q := new(big.Int).Quo(n, d.den)
	exact = prevSatMass(q)
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
	return prevSatMass(q), exact
}

// weight64 is weight in 64- and 128-bit arithmetic: a = vol*num, b = den,
// and a/(b*step) is rounded through q = floor(a/b), using
// ceil(a/(bc)) = ceil(ceil(a/b)/c) and the like. ok is false if a/b does
// not fit in 64 bits.
func (d *prevCompiledDim) weight64(vol uint64, step fulfill.Mass, mode RoundMode) (rounded, exact fulfill.Mass, ok bool) {
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

func prevSatMass(v *big.Int) fulfill.Mass {
	if v.IsInt64() {
		return fulfill.Mass(v.Int64())
	}
	return fulfill.MaxMass
}

func prevRoundLength(l, step fulfill.Length, mode RoundMode) fulfill.Length {
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

func prevRoundMass(m, step fulfill.Mass, mode RoundMode) fulfill.Mass {
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

// prevRoundPhrase says how a value was rounded: "rounded up to 1in",
// "rounded down to 1lb", "rounded to the nearest 1in".
func prevRoundPhrase(m RoundMode, step string) string {
	switch m {
	case RoundModeNearest:
		return "rounded to the nearest " + step
	case RoundModeDown:
		return "rounded down to " + step
	}
	return "rounded up to " + step
}

// money returns d in the card's currency; the currency was validated when
// the card was compiled.
func (c *prevCompiledCard) money(d decimal.Decimal) fulfill.Money {
	m, err := fulfill.NewMoney(d, c.currency)
	if err != nil {
		return fulfill.Money{}
	}
	return m
}

// prevMeasured is a package prevMeasured under one rounding rule, shared by the
// services that use that rule.
type prevMeasured struct {
	round    Rounding
	dims     fulfill.Dimensions // rounded
	sorted   fulfill.Dimensions
	lpg      fulfill.Length
	actual   fulfill.Mass // rounded
	vol      fulfill.Volume
	volErr   bool
	dimsStep Step
	massStep Step
}

// prevDimMemo is a dimensional weight computed for one package under one
// rule, shared by the services with the same rule.
type prevDimMemo struct {
	pkg   int
	dim   *prevCompiledDim
	round Rounding
	step  Step
	w     fulfill.Mass
}

// prevQuoteState is what one request shares across the services of a card.
type prevQuoteState struct {
	req          Request
	zone         string
	zoneRule     string // "zone 5"
	transit      []prevTransitMemo
	billable     []prevBillableMemo
	zoneStep     Step
	prevMeasured [][]prevMeasured // by package, one per rounding rule met
	dims         []prevDimMemo
}

func (st *prevQuoteState) measure(c *prevCompiledCard, i int, r Rounding) *prevMeasured {
	for k := range st.prevMeasured[i] {
		if st.prevMeasured[i][k].round == r {
			return &st.prevMeasured[i][k]
		}
	}
	u := c.units
	p := st.req.Packages[i]
	n := i + 1
	m := prevMeasured{round: r}
	m.dims = fulfill.Dimensions{
		Length: prevRoundLength(p.Dimensions.Length, r.Length, r.LengthMode),
		Width:  prevRoundLength(p.Dimensions.Width, r.Length, r.LengthMode),
		Height: prevRoundLength(p.Dimensions.Height, r.Length, r.LengthMode),
	}
	m.sorted = m.dims.Sorted()
	m.lpg = m.dims.LengthPlusGirth()
	vol, err := m.dims.Volume()
	m.vol, m.volErr = vol, err != nil
	rounded := fmtDims(m.dims, u)
	text := "dimensions " + fmtDims(p.Dimensions, u)
	if r.Length > 0 {
		text += " " + prevRoundPhrase(r.LengthMode, fmtLength(r.Length, u)) + ": " + rounded
	}
	m.dimsStep = Step{Kind: StepDimensions, Package: n, Rule: "rounding", Value: rounded, Text: text}
	m.actual = prevRoundMass(p.Mass, r.Weight, r.WeightMode)
	text = "actual weight " + fmtMass(p.Mass, u)
	if r.Weight > 0 {
		text += " " + prevRoundPhrase(r.WeightMode, fmtMass(r.Weight, u)) + ": " + fmtMass(m.actual, u)
	}
	m.massStep = Step{Kind: StepActual, Package: n, Value: fmtMass(m.actual, u), Text: text}
	st.prevMeasured[i] = append(st.prevMeasured[i], m)
	return &st.prevMeasured[i][len(st.prevMeasured[i])-1]
}

// dimWeight returns the dimensional-weight step of package i, or ok false
// if the volume is out of range.
func (st *prevQuoteState) dimWeight(i int, d *prevCompiledDim, m *prevMeasured) (Step, fulfill.Mass, bool) {
	if m.volErr {
		return Step{}, 0, false
	}
	for _, x := range st.dims {
		if x.pkg == i && x.round == m.round && (x.dim == d || x.dim.same(d)) {
			return x.step, x.w, true
		}
	}
	n := i + 1
	du := d.units
	var st1 Step
	var w fulfill.Mass
	if d.aboveActive && m.vol <= d.above {
		st1 = Step{Kind: StepDimWeight, Package: n, Rule: "dim_threshold", Threshold: d.aboveText,
			Value: prevFmtVolume(m.vol, du), Text: "volume " + prevFmtVolume(m.vol, du) + " not above " + d.aboveText + ": no dimensional weight"}
	} else {
		dw, exact := d.weight(m.vol, m.round.Weight, m.round.WeightMode)
		text := "dimensional weight " + prevFmtVolume(m.vol, du) + " / " + d.divisorText + " = " + fmtMass(exact, du)
		if m.round.Weight > 0 {
			text += ", " + prevRoundPhrase(m.round.WeightMode, fmtMass(m.round.Weight, du)) + ": " + fmtMass(dw, du)
		}
		st1 = Step{Kind: StepDimWeight, Package: n, Rule: "dim_divisor", Value: fmtMass(dw, du), Text: text}
		if d.aboveActive {
			st1.Threshold = d.aboveText
		}
		w = dw
	}
	st.dims = append(st.dims, prevDimMemo{pkg: i, dim: d, round: m.round, step: st1, w: w})
	return st1, w, true
}

// prevBillableMemo is a billable-weight step, shared by services that reach
// the same weight the same way.
type prevBillableMemo struct {
	w    fulfill.Mass
	why  string
	step Step
}

func (st *prevQuoteState) billableStep(n int, w fulfill.Mass, why string, u Units) Step {
	for _, b := range st.billable {
		if b.w == w && b.why == why && b.step.Package == n {
			return b.step
		}
	}
	bt := fmtMass(w, u)
	step := Step{Kind: StepBillable, Package: n, Rule: why, Value: bt, Text: "billable weight " + bt + " (" + why + ")"}
	st.billable = append(st.billable, prevBillableMemo{w: w, why: why, step: step})
	return step
}

// prevTransitMemo is an estimated delivery and its step for a number of days.
type prevTransitMemo struct {
	days int
	at   time.Time
	step Step
}

func (st *prevQuoteState) transitStep(days int) (time.Time, Step) {
	for _, t := range st.transit {
		if t.days == days {
			return t.at, t.step
		}
	}
	at := prevAddBusinessDays(st.req.ShipTime, days)
	step := Step{Kind: StepTransit, Rule: st.zoneRule, Value: at.Format(time.DateOnly),
		Text: strconv.Itoa(days) + " business days in zone " + st.zone + ": delivery expected " + at.Format("Mon 2006-01-02")}
	st.transit = append(st.transit, prevTransitMemo{days: days, at: at, step: step})
	return at, step
}

// quote prices req with every service.
func (c *prevCompiledCard) quote(req Request) ([]Quote, []*IneligibleError) {
	var quotes []Quote
	var inel []*IneligibleError
	zone, zr, ok := c.zones.Zone(req.Origin, req.Destination)
	var dv decimal.Decimal
	dvErr := ""
	if !req.Options.DeclaredValue.IsZero() {
		if cur := req.Options.DeclaredValue.Currency(); cur != c.currency {
			dvErr = fmt.Sprintf("declared value in %s, card in %s", cur, c.currency)
		}
		dv = req.Options.DeclaredValue.Amount()
	}
	st := &prevQuoteState{req: req, zone: zone, zoneRule: "zone " + zone, prevMeasured: make([][]prevMeasured, len(req.Packages))}
	if ok {
		st.zoneStep = Step{Kind: StepZone, Rule: zr.String(), Value: zone,
			Text: "zone " + zone + ": origin " + req.Origin.PostalCode + ", destination " + req.Destination.PostalCode + " (" + zr.Origin.String() + " to " + zr.Destination.String() + ")"}
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
		case s.prices[zone] == nil:
			fail(0, "zone", "", zone, "zone "+zone+" not served")
			continue
		case dvErr != "":
			fail(0, "declared_value", "", "", dvErr)
			continue
		}
		q, e := c.quoteService(s, st, dv)
		if e != nil {
			inel = append(inel, e)
			continue
		}
		quotes = append(quotes, q)
	}
	return quotes, inel
}

// prevApplied is a surcharge that applies to a package and why.
type prevApplied struct {
	idx       int
	threshold string
	why       string
}

func (c *prevCompiledCard) quoteService(s *prevCompiledService, st *prevQuoteState, dv decimal.Decimal) (Quote, *IneligibleError) {
	u := c.units
	req, zone := st.req, st.zone
	fail := func(pkg int, rule, limit, actual, reason string) (Quote, *IneligibleError) {
		return Quote{}, &IneligibleError{Carrier: c.carrier, Service: s.svc.Code, Package: pkg, Rule: rule, Limit: limit, Actual: actual, Reason: reason}
	}
	steps := make(Explanation, 0, 2+7*len(req.Packages)+3)
	steps = append(steps, st.zoneStep)
	row := s.prices[zone]
	fast := c.fast // sums in int64 units until something does not fit
	var sub int64
	add := func(units int64) {
		if fast {
			var ok bool
			if sub, ok = addInt64(sub, units); !ok {
				fast = false
			}
		}
	}
	var buf [8]prevApplied
	for i, p := range req.Packages {
		n := i + 1
		m := st.measure(c, i, s.round)
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
			step, dw, ok := st.dimWeight(i, s.dim, m)
			if !ok {
				return fail(n, "volume", "", fmtDims(m.dims, u), "volume of "+fmtDims(m.dims, u)+" out of range")
			}
			steps = append(steps, step)
			if dw > billable {
				billable, basis = dw, "dimensional weight"
			}
		}
		// Which per-package surcharges apply, before any supersedes another.
		hits := buf[:0]
		for _, idx := range s.surcharges {
			if a, ok := c.surcharges[idx].applies(idx, req, p.Mass, m.sorted, m.lpg, u); ok {
				hits = append(hits, a)
			}
		}
		kept := make([]prevApplied, 0, len(hits)) // not in place: a dropped surcharge still supersedes
		for _, a := range hits {
			superseded := false
			for _, b := range hits {
				superseded = superseded || c.surcharges[b.idx].superseded[c.surcharges[a.idx].Name]
			}
			if !superseded {
				kept = append(kept, a)
			}
		}
		for _, a := range kept {
			sc := &c.surcharges[a.idx]
			if sc.Kind == SurchargeLargePackage && sc.MinBillable > billable {
				billable, basis = sc.MinBillable, sc.Name+" minimum"
				steps = append(steps, Step{Kind: StepMinimum, Package: n, Rule: sc.Name, Threshold: fmtMass(sc.MinBillable, u),
					Value: fmtMass(billable, u), Text: "large package minimum billable weight " + fmtMass(sc.MinBillable, u)})
			}
		}
		if s.minBillable > billable {
			billable, basis = s.minBillable, "service minimum"
			steps = append(steps, Step{Kind: StepMinimum, Package: n, Rule: "min_billable", Threshold: fmtMass(s.minBillable, u),
				Value: fmtMass(billable, u), Text: "minimum billable weight " + fmtMass(s.minBillable, u)})
		}
		bstep := st.billableStep(n, billable, basis, u)
		bt := bstep.Value
		steps = append(steps, bstep)
		k, _ := slices.BinarySearch(s.weights, billable)
		if k == len(s.weights) {
			last := s.weights[len(s.weights)-1]
			return fail(n, "max_billable", fmtMass(last, u), bt, "billable weight "+bt+" over the heaviest price break "+fmtMass(last, u))
		}
		base := row[k]
		add(base.units)
		steps = append(steps, Step{Kind: StepBasePrice, Package: n, Rule: st.zoneRule, Threshold: s.upTo[k], Amount: base.m, Text: base.step})
		for _, a := range kept {
			sc := &c.surcharges[a.idx]
			amt := sc.amount
			if z, ok := sc.byZone[zone]; ok {
				amt = z
			}
			add(amt.units)
			steps = append(steps, Step{Kind: StepSurcharge, Package: n, Rule: sc.Name, Threshold: a.threshold, Amount: amt.m,
				Text: sc.Name + " (" + a.why + "): " + amt.text})
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
	var subtotalM, fuelM, totalM fulfill.Money
	hasFuel := c.fuel.Sign() > 0
	if fast {
		subtotalM = c.moneyUnits(sub, c.scale)
		totalM = subtotalM
		if hasFuel {
			f, ok := c.fuel64(sub)
			fu, ok2 := mulInt64(f, pow10[c.scale-c.minor])
			t, ok3 := addInt64(sub, fu)
			if fast = ok && ok2 && ok3; fast {
				fuelM, totalM = c.moneyUnits(f, c.minor), c.moneyUnits(t, c.scale)
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
		subtotalM = c.money(subtotal)
		totalM = subtotalM
		if hasFuel {
			fuelM = c.money(subtotal.Mul(c.fuel)).Round(fulfill.RoundHalfUp)
			totalM = c.money(subtotal.Add(fuelM.Amount()))
		}
	}
	if hasFuel {
		steps = append(steps, Step{Kind: StepFuel, Rule: "fuel", Threshold: c.fuelText, Amount: fuelM,
			Text: "fuel " + c.fuelText + " of " + prevFmtMoney(subtotalM) + ": " + prevFmtMoney(fuelM)})
	}
	q := Quote{Service: s.svc, Source: c.source}
	if days, ok := s.transit[zone]; ok {
		at, step := st.transitStep(days)
		q.TransitDays, q.EstimatedDelivery = days, at
		steps = append(steps, step)
	}
	q.Price = totalM
	steps = append(steps, Step{Kind: StepTotal, Amount: q.Price, Text: "total " + prevFmtMoney(q.Price)})
	q.Explanation = steps
	return q, nil
}

// applies reports whether a per-package surcharge applies to a package,
// with the threshold hit and a phrase saying why.
func (sc *prevCompiledSurcharge) applies(idx int, req Request, mass fulfill.Mass, sorted fulfill.Dimensions, lpg fulfill.Length, u Units) (prevApplied, bool) {
	a := prevApplied{idx: idx}
	switch sc.Kind {
	case SurchargeResidential:
		a.why = "residential destination"
		return a, req.Destination.Residential
	case SurchargeSignature:
		a.why = "signature requested"
		return a, req.Options.Signature
	case SurchargeSaturday:
		a.why = "Saturday delivery"
		return a, req.Options.SaturdayDelivery
	case SurchargeDeliveryArea:
		z, ok := zip5(req.Destination)
		if !ok {
			return a, false
		}
		for _, p := range sc.ZIPs {
			if strings.HasPrefix(z, p) {
				a.threshold, a.why = p, "destination "+z+" in delivery area "+p
				return a, true
			}
		}
	case SurchargeHandling, SurchargeLargePackage:
		switch {
		case sc.LongestOver > 0 && sorted.Length > sc.LongestOver:
			a.threshold, a.why = fmtLength(sc.LongestOver, u), "longest side "+fmtLength(sorted.Length, u)+" over "+fmtLength(sc.LongestOver, u)
		case sc.SecondOver > 0 && sorted.Width > sc.SecondOver:
			a.threshold, a.why = fmtLength(sc.SecondOver, u), "second side "+fmtLength(sorted.Width, u)+" over "+fmtLength(sc.SecondOver, u)
		case sc.LengthPlusGirthOver > 0 && lpg > sc.LengthPlusGirthOver:
			a.threshold, a.why = fmtLength(sc.LengthPlusGirthOver, u), "length plus girth "+fmtLength(lpg, u)+" over "+fmtLength(sc.LengthPlusGirthOver, u)
		case sc.WeightOver > 0 && mass > sc.WeightOver:
			a.threshold, a.why = fmtMass(sc.WeightOver, u), "weight "+fmtMass(mass, u)+" over "+fmtMass(sc.WeightOver, u)
		default:
			return a, false
		}
		return a, true
	}
	return a, false
}

// prevAddBusinessDays returns the date n business days (Monday to Friday) after
// t's date, at midnight in t's location. Holidays are the ship package's
// concern.
func prevAddBusinessDays(t time.Time, n int) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}

// prevFmtMoney returns exactly m.String(), without the allocations of the
// general decimal formatting when the amount fits in an int64 at its
// currency's scale.
func prevFmtMoney(m fulfill.Money) string {
	a := m.Amount()
	minor, ok := m.Currency().MinorUnits()
	exp := a.Exponent()
	if !ok || exp > 0 || exp < -18 || a.NumDigits() > 18 {
		return m.String()
	}
	places := max(minor, -exp)
	if places > 18 {
		return m.String()
	}
	c := a.CoefficientInt64()
	shift := places + exp // >= 0: extra zeros to show
	if shift > 18 {
		return m.String()
	}
	if hi, lo := bits.Mul64(absU64(c), uint64(pow10[shift])); hi != 0 || lo > math.MaxInt64 {
		return m.String()
	}
	c *= pow10[shift]
	var buf [48]byte
	b := buf[:0]
	if c < 0 {
		b = append(b, '-')
	}
	u := absU64(c)
	unit := uint64(pow10[places])
	b = strconv.AppendUint(b, u/unit, 10)
	if places > 0 {
		b = append(b, '.')
		var fb [24]byte
		frac := strconv.AppendUint(fb[:0], u%unit+unit, 10)
		b = append(b, frac[1:]...)
	}
	b = append(b, ' ')
	b = append(b, m.Currency()...)
	return string(b)
}

func prevFmtVolume(v fulfill.Volume, u Units) string {
	if u == UnitsMetric {
		return fmtScaled(int64(v), int64(fulfill.CubicCentimeter), "cm³")
	}
	return fmtScaled(int64(v), int64(fulfill.CubicInch), "in³")
}
