package carrier

import (
	"strconv"
	"strings"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Service names a carrier's service level, such as ACME's "GROUND".
type Service struct {
	Carrier string `json:"carrier"`        // the carrier, such as "ACME"
	Code    string `json:"code"`           // the service code, stable, such as "GROUND"
	Name    string `json:"name,omitempty"` // the service's display name
}

// String returns "carrier/code".
func (s Service) String() string { return s.Carrier + "/" + s.Code }

// Quote is the price of a shipment with one service, with the estimated
// delivery and the explanation of how the price was made.
type Quote struct {
	Service Service       `json:"service"` // the carrier and service
	Price   fulfill.Money `json:"price"`   // the total for every package, surcharges and fuel included
	// TransitDays is the number of business days in transit, or 0 if
	// unknown.
	TransitDays int `json:"transit_days,omitempty"`
	// EstimatedDelivery is the day the shipment is expected, or the zero
	// time if unknown.
	EstimatedDelivery time.Time `json:"estimated_delivery,omitzero"`
	// Source names what produced the quote: a rate card version such as
	// "ACME 2026-01", a merchant table, or a carrier's API.
	Source      string      `json:"source,omitempty"`
	Explanation Explanation `json:"explanation,omitempty"` // how the price was made
}

// StepKind classifies a [Step] of an [Explanation].
type StepKind string

// The kinds of explanation step.
const (
	StepZone       StepKind = "zone"       // the zone from origin to destination
	StepDimensions StepKind = "dimensions" // the package's dimensions after rounding
	StepActual     StepKind = "actual"     // the actual weight after rounding
	StepDimWeight  StepKind = "dim_weight" // the dimensional weight (or why none applies)
	StepMinimum    StepKind = "minimum"    // a minimum billable weight applied
	StepBillable   StepKind = "billable"   // the billable weight
	StepBasePrice  StepKind = "base_price" // the price from the grid
	StepSurcharge  StepKind = "surcharge"  // an accessorial charge
	StepFuel       StepKind = "fuel"       // the fuel surcharge
	StepTransit    StepKind = "transit"    // the transit time and estimated delivery
	StepTable      StepKind = "table"      // a merchant table's tier
	StepMarkup     StepKind = "markup"     // a markup or a free-shipping threshold
	StepFallback   StepKind = "fallback"   // the quote came from a fallback carrier
	StepTotal      StepKind = "total"      // the total price
)

// Step is one step of an [Explanation], as data and as text.
type Step struct {
	Kind StepKind `json:"kind"` // what the step is about
	// Package is the package the step is about (1-based), or 0 for the
	// whole shipment.
	Package int `json:"package,omitempty"`
	// Rule names the rule that applied, such as "additional_handling"
	// or "dim_divisor".
	Rule string `json:"rule,omitempty"`
	// Threshold is the rule's threshold that was hit, formatted, if any.
	Threshold string `json:"threshold,omitempty"`
	// Value is the step's resulting quantity, formatted, such as "8lb".
	Value  string        `json:"value,omitempty"`
	Amount fulfill.Money `json:"amount,omitzero"` // the money this step adds, if any
	Text   string        `json:"text"`            // the step as a sentence
}

// Explanation lists the steps that made a quote's price, in order.
type Explanation []Step

// String renders the explanation as text, one step a line, each prefixed
// with its package number if it has one.
func (e Explanation) String() string {
	var b strings.Builder
	for i, s := range e {
		if i > 0 {
			b.WriteByte('\n')
		}
		if s.Package > 0 {
			b.WriteString("package ")
			b.WriteString(strconv.Itoa(s.Package))
			b.WriteString(": ")
		}
		b.WriteString(s.Text)
	}
	return b.String()
}

// LabelRequest asks a [Labeler] for a label.
type LabelRequest struct {
	// IdempotencyKey identifies the purchase: repeating a request with
	// the same key returns the same label. Required.
	IdempotencyKey string  `json:"idempotency_key"`
	Request        Request `json:"request"` // the shipment
	Quote          Quote   `json:"quote"`   // the quote being bought
}

// Label is a bought shipping label.
type Label struct {
	ID              string        `json:"id"`               // the carrier's label ID, for voiding
	Service         Service       `json:"service"`          // the service bought
	TrackingNumbers []string      `json:"tracking_numbers"` // one per package, in request order
	Cost            fulfill.Money `json:"cost"`             // what the carrier charges
	Format          string        `json:"format,omitempty"` // such as "PDF" or "ZPL"
	Data            []byte        `json:"data,omitempty"`   // the printable label
	Created         time.Time     `json:"created"`          // when it was bought
}

// TrackingEvent is one scan or status update as a carrier reports it. The
// ship package normalises these into its tracking states.
type TrackingEvent struct {
	TrackingNumber string    `json:"tracking_number"`       // the package tracked
	Code           string    `json:"code"`                  // the carrier's status code, uninterpreted
	Description    string    `json:"description,omitempty"` // the carrier's text
	Time           time.Time `json:"time"`                  // when it happened
	Location       string    `json:"location,omitempty"`    // where, as the carrier writes it
}
