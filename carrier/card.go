package carrier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fulfillkit/fulfill"
	"github.com/shopspring/decimal"
)

// RateCard is one version of a carrier's published rates, in effect from
// Effective until the next version of the same carrier (see [Tariff]). It
// is plain data, loaded from JSON with [ParseRateCard] or built in Go, and
// checked by [RateCard.Validate].
//
// Pricing a package with a service follows these steps, each recorded in
// the quote's [Explanation]:
//
//  1. The zone comes from [ZoneChart] for origin and destination ZIP3.
//  2. Each side is rounded by the service's [Rounding] (every fraction of
//     an inch up, say), and the service's [Limits] are checked against the
//     rounded sides and the actual weight.
//  3. The actual weight is rounded by [Rounding]. If the service has a
//     [DimRule] and the rounded volume exceeds its threshold, the
//     dimensional weight volume/divisor is computed exactly and rounded the
//     same way.
//  4. The billable weight is the largest of the rounded actual weight, the
//     dimensional weight, the service's minimum and the minimum of any large
//     package surcharge that applies.
//  5. The base price is the grid's price for the zone and the first weight
//     break at or above the billable weight.
//  6. Surcharges apply per package in card order, except those superseded
//     by another that applies; the declared-value surcharge applies once per
//     shipment.
//  7. Fuel is FuelPercent of the base prices plus surcharges, rounded half
//     up to the currency's minor unit.
type RateCard struct {
	Carrier   string           `json:"carrier"`   // the carrier's name, such as "ACME"
	Version   string           `json:"version"`   // the version's label, such as "2026-01"
	Effective time.Time        `json:"effective"` // when this version takes effect
	Currency  fulfill.Currency `json:"currency"`  // the currency of every amount on the card
	// Units is the system the card's dimensional divisors and explanation
	// texts use. Empty means imperial (inches, pounds).
	Units Units `json:"units,omitempty"`
	// Rounding is the default for services that have none.
	Rounding   Rounding      `json:"rounding,omitzero"`
	Zones      ZoneChart     `json:"zones"`                // origin and destination ZIP3 to zone
	Services   []ServiceRule `json:"services"`             // in the order quotes are returned
	Surcharges []Surcharge   `json:"surcharges,omitempty"` // applied in this order
	// FuelPercent is the fuel surcharge as a percentage, such as 12.5,
	// applied after every other surcharge. Zero means no fuel surcharge.
	FuelPercent decimal.Decimal `json:"fuel_percent,omitzero"`
}

// Units is a system of units for dimensional weight and explanations.
type Units string

// The systems of units. Imperial divisors are in cubic inches per pound,
// metric ones in cubic centimetres per kilogram.
const (
	UnitsImperial Units = "imperial"
	UnitsMetric   Units = "metric"
)

// RoundMode says which way a [Rounding] goes. The empty RoundMode is
// [RoundModeUp].
type RoundMode string

// The rounding modes.
const (
	RoundModeUp      RoundMode = "up"      // every fraction up, as most carriers do
	RoundModeNearest RoundMode = "nearest" // to the nearest step, halves up
	RoundModeDown    RoundMode = "down"    // fractions dropped
)

// Rounding is how a carrier rounds measurements before pricing, as data,
// since carriers change it: for example sides up to the next inch and
// weights up to the next pound. A zero step means no rounding.
type Rounding struct {
	Length     fulfill.Length `json:"length,omitzero"`       // the step sides are rounded to, such as "1in"
	LengthMode RoundMode      `json:"length_mode,omitempty"` // empty means up
	Weight     fulfill.Mass   `json:"weight,omitzero"`       // the step weights are rounded to, such as "1lb"
	WeightMode RoundMode      `json:"weight_mode,omitempty"` // empty means up
}

// DimRule is a service's dimensional-weight rule: the volume divided by
// Divisor, in the cubic units per mass unit of Units (139 in³/lb for daily
// rates, 166 for retail, 5000 cm³/kg metric).
type DimRule struct {
	Divisor decimal.Decimal `json:"divisor"` // cubic units per mass unit, positive
	// Units is the divisor's system; empty means the card's.
	Units Units `json:"units,omitempty"`
	// Above is the volume, in cubic inches or cubic centimetres, that the
	// rounded volume must exceed for dimensional weight to apply, such as
	// 1728 for "only above one cubic foot". Zero means always.
	Above decimal.Decimal `json:"above,omitzero"`
}

// Limits are a service's per-package limits; a package beyond any of them
// makes the service ineligible. A zero limit is no limit.
type Limits struct {
	MaxWeight          fulfill.Mass   `json:"max_weight,omitzero"`            // actual weight
	MaxLength          fulfill.Length `json:"max_length,omitzero"`            // longest rounded side
	MaxLengthPlusGirth fulfill.Length `json:"max_length_plus_girth,omitzero"` // of the rounded sides
}

// PriceTable is a price grid: Zones maps each zone to one price per weight
// break, and a billable weight w is priced at the first break >= w. Weights
// must be strictly increasing. A zone missing from Zones is not served.
type PriceTable struct {
	Weights []fulfill.Mass               `json:"weights"` // the weight breaks, increasing
	Zones   map[string][]decimal.Decimal `json:"zones"`   // zone -> one price per weight break
}

// ServiceRule is one service of a rate card.
type ServiceRule struct {
	Code string `json:"code"`           // stable code, such as "GROUND"
	Name string `json:"name,omitempty"` // display name
	// Dim is the dimensional-weight rule; nil means none.
	Dim *DimRule `json:"dim,omitempty"`
	// Rounding overrides the card's rounding; nil means the card's.
	Rounding *Rounding `json:"rounding,omitempty"`
	// MinBillable is the least billable weight; zero means none.
	MinBillable fulfill.Mass `json:"min_billable,omitzero"`
	Prices      PriceTable   `json:"prices"` // the price grid
	// Transit is the number of business days in transit by zone; a zone
	// missing from it leaves the quote without an estimated delivery.
	Transit map[string]int `json:"transit,omitempty"`
	Limits  Limits         `json:"limits,omitzero"` // per-package limits; zero means none
}

// SurchargeKind says when a [Surcharge] applies.
type SurchargeKind string

// The kinds of surcharge.
const (
	// SurchargeResidential applies to packages for a residential address.
	SurchargeResidential SurchargeKind = "residential"
	// SurchargeDeliveryArea applies when the destination ZIP code starts
	// with one of the surcharge's ZIPs (five digits or a prefix).
	SurchargeDeliveryArea SurchargeKind = "delivery_area"
	// SurchargeHandling applies to a package over any of the surcharge's
	// thresholds (longest side, second side, length plus girth, weight).
	SurchargeHandling SurchargeKind = "additional_handling"
	// SurchargeLargePackage is like SurchargeHandling and also raises the
	// package's billable weight to MinBillable.
	SurchargeLargePackage SurchargeKind = "large_package"
	// SurchargeSignature applies per package when a signature is asked for.
	SurchargeSignature SurchargeKind = "signature"
	// SurchargeSaturday applies per package for Saturday delivery.
	SurchargeSaturday SurchargeKind = "saturday"
	// SurchargeDeclaredValue applies once per shipment: Amount for every
	// Per (or part of it) of declared value above Free.
	SurchargeDeclaredValue SurchargeKind = "declared_value"
)

var surchargeKinds = map[SurchargeKind]bool{
	SurchargeResidential: true, SurchargeDeliveryArea: true, SurchargeHandling: true,
	SurchargeLargePackage: true, SurchargeSignature: true, SurchargeSaturday: true, SurchargeDeclaredValue: true,
}

// Surcharge is an accessorial charge of a rate card.
type Surcharge struct {
	Name   string          `json:"name"`   // unique on the card, such as "ahs_weight"
	Kind   SurchargeKind   `json:"kind"`   // when it applies
	Amount decimal.Decimal `json:"amount"` // per package (per Per for declared value)
	// ByZone overrides Amount for the zones it lists.
	ByZone map[string]decimal.Decimal `json:"by_zone,omitempty"`
	// Services lists the service codes it applies to; empty means all.
	Services []string `json:"services,omitempty"`

	// ZIPs lists the destination ZIP codes or prefixes of a delivery-area
	// surcharge.
	ZIPs []string `json:"zips,omitempty"`

	// The thresholds of handling and large-package surcharges: the
	// surcharge applies when any non-zero one is exceeded (strictly).
	LongestOver         fulfill.Length `json:"longest_over,omitzero"`
	SecondOver          fulfill.Length `json:"second_over,omitzero"`            // the second-longest side
	LengthPlusGirthOver fulfill.Length `json:"length_plus_girth_over,omitzero"` // longest side plus girth
	WeightOver          fulfill.Mass   `json:"weight_over,omitzero"`            // the actual weight
	// MinBillable is a large package's minimum billable weight.
	MinBillable fulfill.Mass `json:"min_billable,omitzero"`
	// Supersedes names surcharges not charged on a package this one
	// applies to, such as additional handling under a large package. A
	// surcharge whose thresholds are hit supersedes even when it is itself
	// superseded, so the order of a card's surcharges never matters.
	Supersedes []string `json:"supersedes,omitempty"`

	// Per and Free shape a declared-value surcharge: Amount for every Per
	// of value (or part of it) above Free. Per defaults to 100.
	Per  decimal.Decimal `json:"per,omitzero"`
	Free decimal.Decimal `json:"free,omitzero"` // value covered without charge
}

// MaxCardJSON is the largest rate card document [ParseRateCard] reads.
const MaxCardJSON = 16 << 20

// ParseRateCard decodes a rate card from JSON, rejecting unknown fields and
// trailing data, and validates it. Lengths and masses are strings with a
// unit ("12in", "150lb"), amounts decimal strings or numbers. Errors wrap
// [ErrInvalidCard].
func ParseRateCard(data []byte) (*RateCard, error) {
	c, err := decodeRateCard(data)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeRateCard decodes a card strictly without validating it.
func decodeRateCard(data []byte) (*RateCard, error) {
	if len(data) > MaxCardJSON {
		return nil, &CardError{Reason: fmt.Sprintf("document larger than %d bytes", MaxCardJSON)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c RateCard
	if err := dec.Decode(&c); err != nil {
		return nil, &CardError{Reason: "malformed JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &CardError{Reason: "unexpected data after the JSON document"}
	}
	return &c, nil
}

// name returns "carrier version".
func (c *RateCard) name() string { return c.Carrier + " " + c.Version }

// Validate reports every problem with the card: a missing carrier, version,
// effective time or currency, unknown units, services without a code or
// with duplicate codes, price grids that are not rectangular or whose
// weights do not increase, negative amounts, unusable divisors and rounding
// modes, a missing or malformed zone chart, and surcharges without a name, of an unknown
// kind, without thresholds or referring to unknown services. It returns
// *[CardError] values joined with [errors.Join].
func (c *RateCard) Validate() error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &CardError{Card: c.name(), Field: field, Value: value, Reason: reason})
	}
	if strings.TrimSpace(c.Carrier) == "" {
		bad("carrier", c.Carrier, "required")
	}
	if strings.TrimSpace(c.Version) == "" {
		bad("version", c.Version, "required")
	}
	text := func(field, v string) {
		if !validText(v) {
			bad(field, v, "not valid UTF-8 text")
		}
	}
	text("carrier", c.Carrier)
	text("version", c.Version)
	for i, z := range append(slices.Clone(c.Zones.Ranges), c.Zones.Exceptions...) {
		text(fmt.Sprintf("zones[%d].zone", i), z.Zone)
	}
	for i, s := range c.Services {
		text(fmt.Sprintf("services[%d].code", i), s.Code)
		text(fmt.Sprintf("services[%d].name", i), s.Name)
		for z := range s.Prices.Zones {
			text(fmt.Sprintf("services[%d].prices.zones", i), z)
		}
		for z := range s.Transit {
			text(fmt.Sprintf("services[%d].transit", i), z)
		}
	}
	for i, s := range c.Surcharges {
		text(fmt.Sprintf("surcharges[%d].name", i), s.Name)
		for z := range s.ByZone {
			text(fmt.Sprintf("surcharges[%d].by_zone", i), z)
		}
	}
	if c.Effective.IsZero() {
		bad("effective", "", "required")
	}
	if _, ok := c.Currency.MinorUnits(); !ok {
		bad("currency", string(c.Currency), "not an active ISO 4217 code")
	}
	if c.Units != "" && c.Units != UnitsImperial && c.Units != UnitsMetric {
		bad("units", string(c.Units), `want "imperial" or "metric"`)
	}
	validRounding("rounding", c.Rounding, bad)
	if len(c.Zones.Ranges) == 0 && len(c.Zones.Exceptions) == 0 {
		bad("zones", "", "at least one zone range required")
	}
	for i, z := range c.Zones.Ranges {
		validZoneRange(fmt.Sprintf("zones.ranges[%d]", i), z, bad)
	}
	for i, z := range c.Zones.Exceptions {
		validZoneRange(fmt.Sprintf("zones.exceptions[%d]", i), z, bad)
	}
	if len(c.Services) == 0 {
		bad("services", "", "at least one service required")
	}
	codes := map[string]bool{}
	for i, s := range c.Services {
		f := fmt.Sprintf("services[%d]", i)
		switch {
		case strings.TrimSpace(s.Code) == "":
			bad(f+".code", s.Code, "required")
		case codes[s.Code]:
			bad(f+".code", s.Code, "duplicate service code")
		}
		codes[s.Code] = true
		if s.Dim != nil {
			if s.Dim.Divisor.Sign() <= 0 {
				bad(f+".dim.divisor", s.Dim.Divisor.String(), "must be positive")
			}
			if s.Dim.Units != "" && s.Dim.Units != UnitsImperial && s.Dim.Units != UnitsMetric {
				bad(f+".dim.units", string(s.Dim.Units), `want "imperial" or "metric"`)
			}
			if s.Dim.Above.Sign() < 0 {
				bad(f+".dim.above", s.Dim.Above.String(), "must not be negative")
			}
		}
		if s.Rounding != nil {
			validRounding(f+".rounding", *s.Rounding, bad)
		}
		if s.MinBillable < 0 {
			bad(f+".min_billable", s.MinBillable.String(), "must not be negative")
		}
		if s.Limits.MaxWeight < 0 || s.Limits.MaxLength < 0 || s.Limits.MaxLengthPlusGirth < 0 {
			bad(f+".limits", "", "limits must not be negative")
		}
		validPrices(f+".prices", s.Prices, bad)
		for z, d := range s.Transit {
			if d < 0 || d > 365 {
				bad(f+".transit."+z, strconv.Itoa(d), "want 0 to 365 days")
			}
		}
	}
	names := map[string]bool{}
	for i, s := range c.Surcharges {
		f := fmt.Sprintf("surcharges[%d]", i)
		switch {
		case strings.TrimSpace(s.Name) == "":
			bad(f+".name", s.Name, "required")
		case names[s.Name]:
			bad(f+".name", s.Name, "duplicate surcharge name")
		}
		names[s.Name] = true
		if !surchargeKinds[s.Kind] {
			bad(f+".kind", string(s.Kind), "unknown surcharge kind")
		}
		if s.Amount.Sign() < 0 {
			bad(f+".amount", s.Amount.String(), "must not be negative")
		}
		for z, a := range s.ByZone {
			if a.Sign() < 0 {
				bad(f+".by_zone."+z, a.String(), "must not be negative")
			}
		}
		for _, code := range s.Services {
			if !codes[code] {
				bad(f+".services", code, "unknown service")
			}
		}
		switch s.Kind {
		case SurchargeDeliveryArea:
			if len(s.ZIPs) == 0 {
				bad(f+".zips", "", "a delivery-area surcharge needs ZIP codes")
			}
			for _, z := range s.ZIPs {
				if z == "" || len(z) > 5 || strings.Trim(z, "0123456789") != "" {
					bad(f+".zips", z, "want up to five digits")
				}
			}
		case SurchargeHandling, SurchargeLargePackage:
			if s.LongestOver <= 0 && s.SecondOver <= 0 && s.LengthPlusGirthOver <= 0 && s.WeightOver <= 0 {
				bad(f, s.Name, "needs at least one positive threshold")
			}
			if s.LongestOver < 0 || s.SecondOver < 0 || s.LengthPlusGirthOver < 0 || s.WeightOver < 0 || s.MinBillable < 0 {
				bad(f, s.Name, "thresholds must not be negative")
			}
		case SurchargeDeclaredValue:
			if s.Per.Sign() < 0 || s.Free.Sign() < 0 {
				bad(f, s.Name, "per and free must not be negative")
			}
		}
	}
	for i, s := range c.Surcharges {
		for _, n := range s.Supersedes {
			if !names[n] || n == s.Name {
				bad(fmt.Sprintf("surcharges[%d].supersedes", i), n, "unknown surcharge")
			}
		}
	}
	if c.FuelPercent.Sign() < 0 || c.FuelPercent.GreaterThan(decimal.NewFromInt(1000)) {
		bad("fuel_percent", c.FuelPercent.String(), "want 0 to 1000")
	}
	return errors.Join(errs...)
}

// validText reports whether s is valid UTF-8 without control characters,
// so that it survives a JSON round trip and prints safely.
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func validRounding(f string, r Rounding, bad func(field, value, reason string)) {
	if r.Length < 0 {
		bad(f+".length", r.Length.String(), "must not be negative")
	}
	if r.Weight < 0 {
		bad(f+".weight", r.Weight.String(), "must not be negative")
	}
	for _, m := range []RoundMode{r.LengthMode, r.WeightMode} {
		if m != "" && m != RoundModeUp && m != RoundModeNearest && m != RoundModeDown {
			bad(f, string(m), `want rounding mode "up", "nearest" or "down"`)
		}
	}
}

func validPrices(f string, p PriceTable, bad func(field, value, reason string)) {
	if len(p.Weights) == 0 {
		bad(f+".weights", "", "at least one weight break required")
	}
	for i, w := range p.Weights {
		if w <= 0 {
			bad(fmt.Sprintf("%s.weights[%d]", f, i), w.String(), "must be positive")
		}
		if i > 0 && w <= p.Weights[i-1] {
			bad(fmt.Sprintf("%s.weights[%d]", f, i), w.String(), "weights must increase")
		}
	}
	if len(p.Zones) == 0 {
		bad(f+".zones", "", "at least one zone required")
	}
	for z, row := range p.Zones {
		if z == "" {
			bad(f+".zones", z, "empty zone name")
		}
		if len(row) != len(p.Weights) {
			bad(f+".zones."+z, strconv.Itoa(len(row)), fmt.Sprintf("want %d prices, one per weight", len(p.Weights)))
		}
		for i, d := range row {
			if d.Sign() < 0 {
				bad(fmt.Sprintf("%s.zones.%s[%d]", f, z, i), d.String(), "must not be negative")
			}
		}
	}
}

func validZoneRange(f string, z ZoneRange, bad func(field, value, reason string)) {
	if z.Zone == "" {
		bad(f+".zone", "", "required")
	}
	if !z.Origin.valid() {
		bad(f+".origin", z.Origin.String(), "want a ZIP range such as 900-961")
	}
	if !z.Destination.valid() {
		bad(f+".destination", z.Destination.String(), "want a ZIP range such as 900-961")
	}
}
