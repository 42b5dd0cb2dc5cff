package inventory

import (
	"cmp"
	"math"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
)

// LotID names a production lot or batch of a lot-tracked SKU. The empty
// LotID means the stock is not lot-tracked.
type LotID string

// Key identifies one stock level: an owner's SKU at a location, and the lot
// when the SKU is lot-tracked. Keys are comparable and usable as map keys.
// Stock of one owner never mixes with another's: every operation names its
// owner and may touch only keys of that owner.
type Key struct {
	Owner    fulfill.OwnerID    `json:"owner"`
	SKU      fulfill.SKU        `json:"sku"`
	Location fulfill.LocationID `json:"location"`
	Lot      LotID              `json:"lot,omitempty"`
}

// String returns "owner/sku@location" or "owner/sku@location#lot".
func (k Key) String() string {
	s := string(k.Owner) + "/" + string(k.SKU) + "@" + string(k.Location)
	if k.Lot != "" {
		s += "#" + string(k.Lot)
	}
	return s
}

// Validate reports whether every code of k is usable (see
// [fulfill.SKU.Validate]); the lot may be empty.
func (k Key) Validate() error {
	if err := k.Owner.Validate(); err != nil {
		return err
	}
	if err := k.SKU.Validate(); err != nil {
		return err
	}
	if err := k.Location.Validate(); err != nil {
		return err
	}
	if k.Lot != "" {
		if err := fulfill.SKU(k.Lot).Validate(); err != nil {
			return invalid("lot", string(k.Lot), "not a usable code")
		}
	}
	return nil
}

// Compare orders keys by owner, SKU, location and lot. It is the lock order
// of every [Store]: an operation touching several levels locks them in
// ascending Compare order, so that concurrent multi-level operations cannot
// deadlock.
func (k Key) Compare(o Key) int {
	if c := cmp.Compare(k.Owner, o.Owner); c != 0 {
		return c
	}
	if c := cmp.Compare(k.SKU, o.SKU); c != 0 {
		return c
	}
	if c := cmp.Compare(k.Location, o.Location); c != 0 {
		return c
	}
	return cmp.Compare(k.Lot, o.Lot)
}

// Bucket names a bucket of a level. Available is not stored: it is what
// the other buckets leave of OnHand (see [Buckets.Available]).
type Bucket string

// The buckets an operation can name.
const (
	// BucketAvailable is on-hand stock free to reserve.
	BucketAvailable Bucket = "available"
	// BucketOnHand is every unit physically at the location.
	BucketOnHand Bucket = "on_hand"
	// BucketReserved is on-hand stock held for an order line or a cart.
	BucketReserved Bucket = "reserved"
	// BucketCommitted is on-hand stock allocated to an order and being picked.
	BucketCommitted Bucket = "committed"
	// BucketDamaged is on-hand stock that cannot be sold.
	BucketDamaged Bucket = "damaged"
	// BucketQuarantine is on-hand stock held for quality control, a recall or
	// a return's inspection.
	BucketQuarantine Bucket = "quarantine"
	// BucketSafety is on-hand stock kept back from sale as safety stock.
	BucketSafety Bucket = "safety"
	// BucketIncoming is stock expected at the location (a purchase order),
	// not part of on hand.
	BucketIncoming Bucket = "incoming"
	// BucketInTransit is stock shipped to the location by a transfer and not
	// yet received, not part of on hand.
	BucketInTransit Bucket = "in_transit"
)

// Valid reports whether b is one of the named buckets.
func (b Bucket) Valid() bool {
	switch b {
	case BucketAvailable, BucketOnHand, BucketReserved, BucketCommitted, BucketDamaged,
		BucketQuarantine, BucketSafety, BucketIncoming, BucketInTransit:
		return true
	}
	return false
}

// held reports whether b is a bucket of on-hand stock that a Move can take
// units to or from: available, damaged, quarantine or safety.
func (b Bucket) held() bool {
	switch b {
	case BucketAvailable, BucketDamaged, BucketQuarantine, BucketSafety:
		return true
	}
	return false
}

// Buckets are the quantities of one level, in integer units. The zero value
// is an empty level. The invariant, checked by [Buckets.Check] after every
// operation, is that no bucket is negative and that
//
//	Available = OnHand - Reserved - Committed - Damaged - Quarantine - Safety >= 0
//
// Incoming and InTransit are not part of OnHand. Backorders are never
// negative stock: they are explicit quantities in a [Plan].
type Buckets struct {
	OnHand     int64 `json:"on_hand"`
	Reserved   int64 `json:"reserved"`
	Committed  int64 `json:"committed"`
	Damaged    int64 `json:"damaged"`
	Quarantine int64 `json:"quarantine"`
	Safety     int64 `json:"safety"`
	Incoming   int64 `json:"incoming"`
	InTransit  int64 `json:"in_transit"`
}

// Available returns OnHand less every bucket set aside from it. For buckets
// that break the invariant it may be negative; it saturates instead of
// overflowing.
func (b Buckets) Available() int64 {
	v := b.OnHand
	for _, x := range [...]int64{b.Reserved, b.Committed, b.Damaged, b.Quarantine, b.Safety} {
		if d, ok := sub(v, x); ok {
			v = d
		} else {
			return math.MinInt64
		}
	}
	return v
}

// Quantity returns the quantity in bucket q (Available computed).
func (b Buckets) Quantity(q Bucket) int64 {
	switch q {
	case BucketAvailable:
		return b.Available()
	case BucketOnHand:
		return b.OnHand
	case BucketReserved:
		return b.Reserved
	case BucketCommitted:
		return b.Committed
	case BucketDamaged:
		return b.Damaged
	case BucketQuarantine:
		return b.Quarantine
	case BucketSafety:
		return b.Safety
	case BucketIncoming:
		return b.Incoming
	case BucketInTransit:
		return b.InTransit
	}
	return 0
}

// IsZero reports whether every bucket is zero.
func (b Buckets) IsZero() bool { return b == Buckets{} }

// Add returns b+d bucket by bucket, or an error wrapping
// [fulfill.ErrOverflow] if a sum leaves the int64 range.
func (b Buckets) Add(d Buckets) (Buckets, error) {
	var r Buckets
	var ok bool
	pairs := [...]struct {
		dst  *int64
		x, y int64
	}{
		{&r.OnHand, b.OnHand, d.OnHand}, {&r.Reserved, b.Reserved, d.Reserved},
		{&r.Committed, b.Committed, d.Committed}, {&r.Damaged, b.Damaged, d.Damaged},
		{&r.Quarantine, b.Quarantine, d.Quarantine}, {&r.Safety, b.Safety, d.Safety},
		{&r.Incoming, b.Incoming, d.Incoming}, {&r.InTransit, b.InTransit, d.InTransit},
	}
	for _, p := range pairs {
		if *p.dst, ok = add(p.x, p.y); !ok {
			return Buckets{}, overflow("Buckets.Add", p.x, p.y)
		}
	}
	return r, nil
}

// Neg returns -b bucket by bucket, or an error if a bucket is math.MinInt64.
func (b Buckets) Neg() (Buckets, error) {
	return Buckets{}.sub(b)
}

// sub returns b-d bucket by bucket, or an overflow error.
func (b Buckets) sub(d Buckets) (Buckets, error) {
	var n Buckets
	for _, p := range [...]struct {
		dst *int64
		v   int64
	}{
		{&n.OnHand, d.OnHand}, {&n.Reserved, d.Reserved}, {&n.Committed, d.Committed},
		{&n.Damaged, d.Damaged}, {&n.Quarantine, d.Quarantine}, {&n.Safety, d.Safety},
		{&n.Incoming, d.Incoming}, {&n.InTransit, d.InTransit},
	} {
		if p.v == math.MinInt64 {
			return Buckets{}, overflow("Buckets.Neg", p.v)
		}
		*p.dst = -p.v
	}
	return b.Add(n)
}

// violations returns, for each bucket of b that is negative (Available
// included), the bucket and its value, in a fixed order.
func (b Buckets) violations() []Bucket {
	var out []Bucket
	for _, q := range [...]Bucket{BucketOnHand, BucketReserved, BucketCommitted, BucketDamaged,
		BucketQuarantine, BucketSafety, BucketIncoming, BucketInTransit} {
		if b.Quantity(q) < 0 {
			out = append(out, q)
		}
	}
	if len(out) == 0 && b.Available() < 0 {
		out = append(out, BucketAvailable)
	}
	return out
}

// Check reports whether b keeps the invariant: no bucket negative and
// Available not negative. It returns an *[InsufficientStockError] naming
// each broken bucket otherwise.
func (b Buckets) Check() error {
	v := b.violations()
	if len(v) == 0 {
		return nil
	}
	e := &InsufficientStockError{}
	for _, q := range v {
		e.Shortages = append(e.Shortages, Shortage{Bucket: q, Available: b.Quantity(q)})
	}
	return e
}

// Level is the stock of one [Key]: its buckets, the dates of its lot, and
// a version that grows by one with every operation that changes it (for
// compare-and-set). Levels are plain values, safe to copy and to persist.
type Level struct {
	Key
	Buckets
	// Expires is the lot's expiry date; zero for stock that does not expire.
	// A lot is never allocated at or after its expiry.
	Expires time.Time `json:"expires,omitzero"`
	// Received is when the lot was first received, for FIFO removal.
	Received time.Time `json:"received,omitzero"`
	// Version counts the operations that changed the level; 0 means the
	// level does not exist yet.
	Version int64 `json:"version"`
	// Updated is the time of the last operation that changed the level.
	Updated time.Time `json:"updated,omitzero"`
}

// Expired reports whether the level's lot has expired at now.
func (l Level) Expired(now time.Time) bool {
	return !l.Expires.IsZero() && !now.Before(l.Expires)
}

// LotInfo is what a receipt records about a lot when it first arrives at a
// level: its expiry date (zero if it does not expire) and its receipt date
// (zero means the operation's time).
type LotInfo struct {
	Expires  time.Time `json:"expires,omitzero"`
	Received time.Time `json:"received,omitzero"`
}

// add returns a+b and whether it fits in an int64.
func add(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

// sub returns a-b and whether it fits in an int64.
func sub(a, b int64) (int64, bool) {
	s := a - b
	return s, (s < a) == (b > 0)
}

// itoa formats an int64.
func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// UnmarshalText accepts the name of a bucket, or the empty text (the
// default bucket of an operation), and rejects anything else with a
// *[fulfill.FieldError] wrapping [ErrInvalid].
func (b *Bucket) UnmarshalText(text []byte) error {
	v := Bucket(text)
	if v != "" && !v.Valid() {
		return invalid("bucket", string(text), "unknown bucket")
	}
	*b = v
	return nil
}
