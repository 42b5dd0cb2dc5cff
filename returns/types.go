package returns

import (
	"slices"
	"unicode/utf8"
)

// ID identifies a return authorisation (RMA), chosen by the host: "RMA-1042".
// IDs are compared exactly and scoped to an owner.
type ID string

// Validate reports whether id is usable: 1 to 128 bytes of valid UTF-8
// without control characters. Otherwise it returns a *[fulfill.FieldError]
// of kind [ErrInvalidReturn].
func (id ID) Validate() error {
	s := string(id)
	switch {
	case s == "":
		return invalid("id", s, "required")
	case len(s) > 128:
		return invalid("id", s, "longer than 128 bytes")
	case !utf8.ValidString(s):
		return invalid("id", s, "not valid UTF-8")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return invalid("id", s, "contains a control character")
		}
	}
	return nil
}

// Reason is why a customer returns a unit. The string values are stable.
type Reason string

// The return reasons. Damaged, defective, wrong item, not as described and
// arrived late are the seller's fault ([Reason.SellerFault]); the others
// are the customer's choice.
const (
	ReasonDamaged        Reason = "damaged"
	ReasonDefective      Reason = "defective"
	ReasonWrongItem      Reason = "wrong_item"
	ReasonNotAsDescribed Reason = "not_as_described"
	ReasonNoLongerNeeded Reason = "no_longer_needed"
	ReasonArrivedLate    Reason = "arrived_late"
	// ReasonOther needs a note saying what.
	ReasonOther Reason = "other"
	// ReasonMissing is for claims: a unit missing from the delivery.
	ReasonMissing Reason = "missing"
)

var reasons = []Reason{ReasonDamaged, ReasonDefective, ReasonWrongItem, ReasonNotAsDescribed, ReasonNoLongerNeeded, ReasonArrivedLate, ReasonOther, ReasonMissing}

// Valid reports whether r is one of the reasons of this package.
func (r Reason) Valid() bool { return slices.Contains(reasons, r) }

// SellerFault reports whether the reason blames the seller rather than the
// customer's choice; policies waive fees and refund shipping on it.
func (r Reason) SellerFault() bool {
	switch r {
	case ReasonDamaged, ReasonDefective, ReasonWrongItem, ReasonNotAsDescribed, ReasonArrivedLate, ReasonMissing:
		return true
	}
	return false
}

// UnmarshalText decodes a reason, rejecting unknown values with a
// *[fulfill.FieldError] of kind [ErrInvalidReturn].
func (r *Reason) UnmarshalText(b []byte) error {
	v := Reason(b)
	if !v.Valid() {
		return invalid("reason", string(b), "unknown reason")
	}
	*r = v
	return nil
}

// Channel is how the customer sends the units back.
type Channel string

// The return channels.
const (
	ChannelMail    Channel = "mail"     // by parcel, usually with a return label
	ChannelDropOff Channel = "drop_off" // at a carrier or partner drop-off point
	ChannelStore   Channel = "store"    // handed in at a store
)

// Valid reports whether c is one of the channels of this package.
func (c Channel) Valid() bool { return c == ChannelMail || c == ChannelDropOff || c == ChannelStore }

// Condition is the state the customer declares a unit is in when asking to
// return it; policies may require one.
type Condition string

// The declared conditions. The zero Condition is "not declared".
const (
	ConditionUnopened Condition = "unopened"
	ConditionOpened   Condition = "opened"
	ConditionUsed     Condition = "used"
	ConditionDamaged  Condition = "damaged"
)

// Valid reports whether c is empty or one of the conditions of this package.
func (c Condition) Valid() bool {
	switch c {
	case "", ConditionUnopened, ConditionOpened, ConditionUsed, ConditionDamaged:
		return true
	}
	return false
}

// Outcome is what reception found for one unit. The zero Outcome means the
// unit has not been accounted for yet.
type Outcome string

// The reception outcomes. Received and wrong item units are physically
// present and each needs exactly one [Disposition]; lost and missing units
// are not.
const (
	OutcomeReceived  Outcome = "received"
	OutcomeLost      Outcome = "lost_in_transit"
	OutcomeWrongItem Outcome = "wrong_item_received"
	OutcomeMissing   Outcome = "missing"
)

// Valid reports whether o is one of the outcomes of this package.
func (o Outcome) Valid() bool {
	switch o {
	case OutcomeReceived, OutcomeLost, OutcomeWrongItem, OutcomeMissing:
		return true
	}
	return false
}

// Present reports whether a unit with outcome o is physically at the
// location: received, or a wrong item received in its place.
func (o Outcome) Present() bool { return o == OutcomeReceived || o == OutcomeWrongItem }

// Grade is the result of inspecting a received unit. The zero Grade means
// not inspected.
type Grade string

// The inspection grades.
const (
	GradeResellable   Grade = "resellable"
	GradeDamaged      Grade = "damaged"
	GradeDefective    Grade = "defective"
	GradeMissingParts Grade = "missing_parts"
)

// Valid reports whether g is one of the grades of this package.
func (g Grade) Valid() bool {
	switch g {
	case GradeResellable, GradeDamaged, GradeDefective, GradeMissingParts:
		return true
	}
	return false
}

// Disposition is what happens to a unit that came back. The zero
// Disposition means none yet.
type Disposition string

// The dispositions and what each does to inventory at the chosen location
// (see [Dispose]).
const (
	// DispositionRestock puts the unit into available stock. Only a
	// resellable unit of the SKU sold may be restocked.
	DispositionRestock Disposition = "restock"
	// DispositionQuarantine puts the unit on hand in the quarantine bucket.
	DispositionQuarantine Disposition = "quarantine"
	// DispositionRefurbish puts the unit on hand in the damaged bucket,
	// unsellable until refurbished and moved to available.
	DispositionRefurbish Disposition = "refurbish"
	// DispositionReturnToVendor puts the unit on hand in the damaged
	// bucket, reason "return_to_vendor", until it is shipped to the vendor.
	DispositionReturnToVendor Disposition = "return_to_vendor"
	// DispositionDispose writes the unit off: it never enters stock.
	DispositionDispose Disposition = "dispose"
)

// Valid reports whether d is one of the dispositions of this package.
func (d Disposition) Valid() bool {
	switch d {
	case DispositionRestock, DispositionQuarantine, DispositionRefurbish, DispositionReturnToVendor, DispositionDispose:
		return true
	}
	return false
}
