package inventory

import (
	"time"

	"github.com/fulfillkit/fulfill"
)

// RefType says what a [Reference] points at.
type RefType string

// Reference types used by this package; hosts may add their own.
const (
	RefOrder         RefType = "order"
	RefPurchaseOrder RefType = "purchase_order"
	RefReturn        RefType = "return"
	RefTransfer      RefType = "transfer"
	RefCart          RefType = "cart"
	RefCount         RefType = "count"
)

// Reference says why an operation happened: the order, purchase order,
// return, transfer or cart behind it. When the reference is an order, Order
// holds its ID. The zero Reference is "no reference".
type Reference struct {
	Type  RefType         `json:"type,omitempty"`
	ID    string          `json:"id,omitempty"`
	Order fulfill.OrderID `json:"order,omitzero"`
}

// OrderRef returns a Reference to the order id.
func OrderRef(id fulfill.OrderID) Reference { return Reference{Type: RefOrder, Order: id} }

// Reason is the reason code of an operation, recorded in the ledger:
// "received", "damaged", "cycle_count", ... Hosts may use their own codes.
type Reason string

// Reason codes used by this package.
const (
	ReasonReceived   Reason = "received"
	ReasonCorrection Reason = "correction"
	ReasonDamaged    Reason = "damaged"
	ReasonShrinkage  Reason = "shrinkage"
	ReasonCycleCount Reason = "cycle_count"
	ReasonReturn     Reason = "return"
	ReasonRecall     Reason = "recall"
	ReasonTransfer   Reason = "transfer"
	ReasonOrder      Reason = "order"
	ReasonCart       Reason = "cart"
	ReasonShipped    Reason = "shipped"
	ReasonCancelled  Reason = "cancelled"
	// ReasonExpired is recorded when a hold's TTL passes and it is collected.
	ReasonExpired Reason = "expired"
)

// Kind is the kind of a ledger [Entry] and of a [Txn].
type Kind string

// The kinds of operation.
const (
	KindExpect      Kind = "expect"       // incoming stock announced
	KindReceive     Kind = "receive"      // stock received into a bucket
	KindAdjust      Kind = "adjust"       // a bucket corrected up or down
	KindMove        Kind = "move"         // units moved between buckets of a level
	KindTransferOut Kind = "transfer_out" // units shipped to another location, now in transit
	KindTransferIn  Kind = "transfer_in"  // in-transit units received
	KindCount       Kind = "count"        // a cycle count posting its difference
	KindReserve     Kind = "reserve"      // a reservation or hold created
	KindRelease     Kind = "release"      // held units released to available
	KindCommit      Kind = "commit"       // held units committed to an order
	KindConsume     Kind = "consume"      // committed units shipped and gone
	KindUnreserve   Kind = "unreserve"    // a reservation cancelled, held and committed units back to available
	KindExpire      Kind = "expire"       // a hold collected after its TTL
)

// step reports whether k is the kind of a [Step].
func (k Kind) step() bool {
	switch k {
	case KindRelease, KindCommit, KindConsume, KindUnreserve:
		return true
	}
	return false
}

// Reservation holds units of one level for an order line or a cart. Its
// Reserved units are held (and lapse at ExpiresAt if set); its Committed
// units are allocated to an order and being picked, and never lapse. A
// reservation with nothing reserved or committed is closed. Reservations are
// plain values, safe to copy and to persist.
type Reservation struct {
	ID        string    `json:"id"`
	Key       Key       `json:"key"`
	Reserved  int64     `json:"reserved"`
	Committed int64     `json:"committed"`
	Ref       Reference `json:"ref,omitzero"`
	// Line is the host's order-line reference, if any.
	Line string `json:"line,omitempty"`
	// ExpiresAt is when the held units lapse; zero means never. Expiry is
	// decided when the reservation is read or touched, from the clock of the
	// operation; a sweep only collects lapsed holds.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Created   time.Time `json:"created"`
	// Version counts the operations that changed the reservation.
	Version int64 `json:"version"`
}

// Live reports whether the reservation still holds or commits any unit.
func (r Reservation) Live() bool { return r.Reserved > 0 || r.Committed > 0 }

// Expired reports whether r's held units have lapsed at now.
func (r Reservation) Expired(now time.Time) bool {
	return !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt)
}

// At returns r as seen at now: held units of a lapsed hold count as released.
func (r Reservation) At(now time.Time) Reservation {
	if r.Expired(now) {
		r.Reserved = 0
	}
	return r
}

// apply returns r after step kind k of qty units (0: all that applies), and
// the change to r's level.
func (r Reservation) apply(k Kind, qty int64, at time.Time) (Reservation, Buckets, error) {
	var d Buckets
	take := func(have int64, b Bucket) (int64, error) {
		if qty == 0 {
			return have, nil
		}
		if qty > have {
			return 0, &InsufficientStockError{Shortages: []Shortage{{Key: r.Key, Bucket: b, Wanted: qty, Available: have}}}
		}
		return qty, nil
	}
	switch k {
	case KindRelease:
		q, err := take(r.Reserved, BucketReserved)
		if err != nil {
			return r, d, err
		}
		r.Reserved -= q
		d.Reserved = -q
	case KindCommit:
		if r.Reserved == 0 && r.Expired(at) {
			return r, d, &ExpiredError{Key: r.Key, Reservation: r.ID, Expired: r.ExpiresAt.Format(time.RFC3339Nano)}
		}
		q, err := take(r.Reserved, BucketReserved)
		if err != nil {
			return r, d, err
		}
		r.Reserved -= q
		r.Committed += q
		d.Reserved, d.Committed = -q, q
	case KindConsume:
		q, err := take(r.Committed, BucketCommitted)
		if err != nil {
			return r, d, err
		}
		r.Committed -= q
		d.Committed, d.OnHand = -q, -q
	case KindUnreserve:
		if qty != 0 {
			return r, d, invalid("quantity", itoa(qty), "unreserve takes no quantity: it cancels the whole reservation")
		}
		d.Reserved, d.Committed = -r.Reserved, -r.Committed
		r.Reserved, r.Committed = 0, 0
	default:
		return r, d, invalid("kind", string(k), "not a reservation step")
	}
	r.Version++
	return r, d, nil
}

// Valid reports whether k is one of the kinds of this package.
func (k Kind) Valid() bool {
	switch k {
	case KindExpect, KindReceive, KindAdjust, KindMove, KindTransferOut, KindTransferIn, KindCount,
		KindReserve, KindRelease, KindCommit, KindConsume, KindUnreserve, KindExpire:
		return true
	}
	return false
}

// UnmarshalText accepts the name of a kind, or the empty text, and rejects
// anything else with a *[fulfill.FieldError] wrapping [ErrInvalid].
func (k *Kind) UnmarshalText(text []byte) error {
	v := Kind(text)
	if v != "" && !v.Valid() {
		return invalid("kind", string(text), "unknown kind")
	}
	*k = v
	return nil
}
