package carrier

import (
	"errors"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Request is a shipment to be rated: where it goes from and to, its
// packages, when it ships and its options. It is a value; rating never
// modifies it.
type Request struct {
	Origin      fulfill.Address `json:"origin"`           // where it ships from
	Destination fulfill.Address `json:"destination"`      // Residential selects residential surcharges
	Packages    []Package       `json:"packages"`         // at least one
	ShipTime    time.Time       `json:"ship_time"`        // selects the rate card version and starts transit
	Options     Options         `json:"options,omitzero"` // extra services; the zero value asks for none
}

// Package is one parcel of a shipment: its outer dimensions and its actual
// mass (what carriers call weight).
type Package struct {
	Dimensions fulfill.Dimensions `json:"dimensions"`          // outer dimensions
	Mass       fulfill.Mass       `json:"mass"`                // actual mass, positive
	Reference  string             `json:"reference,omitempty"` // the host's box reference, echoed nowhere
}

// Options are the extra services asked for. The zero Options asks for
// none.
type Options struct {
	Signature        bool          `json:"signature,omitempty"`         // signature on delivery
	SaturdayDelivery bool          `json:"saturday_delivery,omitempty"` // delivery on a Saturday
	DeclaredValue    fulfill.Money `json:"declared_value,omitzero"`     // value declared for carrier liability; zero declares none
	// OrderValue is the merchandise value of the order, which merchant
	// rate tables use for order-value tiers and free shipping. Zero means
	// unknown.
	OrderValue fulfill.Money `json:"order_value,omitzero"`
}

// MaxPackages is the most packages one [Request] may hold.
const MaxPackages = 1000

// Validate reports whether r can be rated: origin and destination have a
// country, at least one and at most [MaxPackages] packages, each with
// valid dimensions and a positive mass, and a ship time. Every failure is
// reported, each a *[fulfill.FieldError] unwrapping to [ErrInvalidRequest],
// joined with [errors.Join].
func (r Request) Validate() error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &fulfill.FieldError{Field: field, Value: value, Reason: reason, Kind: ErrInvalidRequest})
	}
	for _, a := range []struct {
		name string
		addr fulfill.Address
	}{{"origin", r.Origin}, {"destination", r.Destination}} {
		if c := a.addr.Country; len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			bad(a.name+".country", c, "want an ISO 3166-1 alpha-2 code")
		}
	}
	switch {
	case len(r.Packages) == 0:
		bad("packages", "", "at least one package required")
	case len(r.Packages) > MaxPackages:
		bad("packages", strconv.Itoa(len(r.Packages)), "more than "+strconv.Itoa(MaxPackages)+" packages")
	}
	for i, p := range r.Packages {
		if i >= MaxPackages {
			break
		}
		field := "packages[" + strconv.Itoa(i) + "]"
		if err := p.Dimensions.Validate(); err != nil {
			bad(field+".dimensions", p.Dimensions.String(), err.Error())
		}
		if p.Mass <= 0 {
			bad(field+".mass", p.Mass.String(), "must be positive")
		}
	}
	if r.ShipTime.IsZero() {
		bad("ship_time", "", "required")
	}
	return errors.Join(errs...)
}
