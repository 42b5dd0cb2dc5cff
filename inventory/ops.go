package inventory

import (
	"time"

	"github.com/fulfillkit/fulfill"
)

// Meta is what every [Operation] carries: whose stock it is, why, for what,
// and the idempotency key that makes a retry apply once.
type Meta struct {
	Owner  fulfill.OwnerID `json:"owner"`
	Reason Reason          `json:"reason,omitempty"`
	Ref    Reference       `json:"ref,omitzero"`
	// IdempotencyKey, if not empty, makes the operation apply at most once:
	// a retry returns the original receipt, and the same key with another
	// payload fails with [ErrIdempotencyConflict]. Keys are per owner.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// Operation is an inventory operation: [Expect], [Receive], [Adjust],
// [Move], [Transfer], [ReceiveTransfer], [Count], [Reserve], [Release],
// [Commit], [Consume], [Unreserve] or [Recall]. Apply one with
// [Inventory.Apply]. The set is closed.
type Operation interface {
	kind() Kind
	meta() *Meta
	build(b *builder) (*Txn, error)
}

// builder gives an Operation what it needs to become a Txn.
type builder struct {
	at     time.Time
	level  func(Key) (Level, error)           // current level, for counts
	levels func(fulfill.SKU) ([]Level, error) // the owner's levels of a SKU, for recalls
	newID  func() (string, error)             // a new reservation ID
}

// txn starts the Txn of operation op.
func (b *builder) txn(op Operation) *Txn {
	m := op.meta()
	return &Txn{Owner: m.Owner, Kind: op.kind(), Reason: m.Reason, Ref: m.Ref, IdempotencyKey: m.IdempotencyKey, At: b.at}
}

// positive checks that q is a positive quantity.
func positive(field string, q int64) error {
	if q <= 0 {
		return invalid(field, itoa(q), "must be positive")
	}
	return nil
}

// into returns the delta that adds q units to on-hand bucket b (available,
// damaged, quarantine or safety).
func into(b Bucket, q int64) (Buckets, error) {
	d := Buckets{OnHand: q}
	switch b {
	case BucketAvailable, "":
	case BucketDamaged:
		d.Damaged = q
	case BucketQuarantine:
		d.Quarantine = q
	case BucketSafety:
		d.Safety = q
	default:
		return d, invalid("bucket", string(b), "not available, damaged, quarantine or safety")
	}
	return d, nil
}

// Expect announces Quantity units coming to Key by the date Due (a
// purchase order, with its reference in Meta): they are counted in
// Incoming, not in on hand, until received. [Arrivals] lists what is still
// expected, by date.
type Expect struct {
	Meta
	Key      Key       `json:"key"`
	Quantity int64     `json:"quantity"`
	Due      time.Time `json:"due,omitzero"`
	Lot      *LotInfo  `json:"lot,omitempty"`
}

func (o *Expect) kind() Kind  { return KindExpect }
func (o *Expect) meta() *Meta { return &o.Meta }
func (o *Expect) build(b *builder) (*Txn, error) {
	if err := positive("quantity", o.Quantity); err != nil {
		return nil, err
	}
	t := b.txn(o)
	t.Changes = []Change{{Key: o.Key, Delta: Buckets{Incoming: o.Quantity}, Lot: o.Lot, Due: o.Due}}
	return t, nil
}

// Receive puts Quantity units on hand at Key, into the bucket Into
// (available if empty; damaged, quarantine or safety otherwise). FromIncoming
// of them (at most Quantity) were expected and leave Incoming. Returns
// restock with Into available and quarantine with Into quarantine.
type Receive struct {
	Meta
	Key          Key      `json:"key"`
	Quantity     int64    `json:"quantity"`
	FromIncoming int64    `json:"from_incoming,omitempty"`
	Into         Bucket   `json:"into,omitempty"`
	Lot          *LotInfo `json:"lot,omitempty"`
	// Serials, if any, are the serial numbers of the units, one each; none
	// may be in stock already.
	Serials []string `json:"serials,omitempty"`
}

func (o *Receive) kind() Kind  { return KindReceive }
func (o *Receive) meta() *Meta { return &o.Meta }
func (o *Receive) build(b *builder) (*Txn, error) {
	if err := positive("quantity", o.Quantity); err != nil {
		return nil, err
	}
	if o.FromIncoming < 0 || o.FromIncoming > o.Quantity {
		return nil, invalid("from_incoming", itoa(o.FromIncoming), "must be 0 to quantity")
	}
	d, err := into(o.Into, o.Quantity)
	if err != nil {
		return nil, err
	}
	d.Incoming = -o.FromIncoming
	t := b.txn(o)
	t.Changes = []Change{{Key: o.Key, Delta: d, Lot: o.Lot}}
	if err := serialMoves(t, o.Serials, o.Quantity, Key{}, o.Key); err != nil {
		return nil, err
	}
	return t, nil
}

// Adjust changes Bucket at Key by Delta units (negative to remove):
// available (the default), damaged, quarantine or safety change on hand
// with them; incoming and in_transit change alone. If Expected is set, the
// bucket must hold exactly that many units first (compare-and-set), or the
// adjustment fails with a *[ConflictError].
type Adjust struct {
	Meta
	Key      Key    `json:"key"`
	Bucket   Bucket `json:"bucket,omitempty"`
	Delta    int64  `json:"delta"`
	Expected *int64 `json:"expected,omitempty"`
	// Serials, if any, number the units found (Delta > 0) or written off
	// (Delta < 0), one each. Incoming units carry no serial numbers;
	// in-transit units carry those a [Transfer] shipped them with.
	Serials []string `json:"serials,omitempty"`
}

func (o *Adjust) kind() Kind  { return KindAdjust }
func (o *Adjust) meta() *Meta { return &o.Meta }
func (o *Adjust) build(b *builder) (*Txn, error) {
	if o.Delta == 0 {
		return nil, invalid("delta", "0", "must not be zero")
	}
	bucket := o.Bucket
	if bucket == "" {
		bucket = BucketAvailable
	}
	var d Buckets
	switch bucket {
	case BucketIncoming:
		d.Incoming = o.Delta
	case BucketInTransit:
		d.InTransit = o.Delta
	default:
		var err error
		if d, err = into(bucket, o.Delta); err != nil {
			return nil, err
		}
	}
	c := Change{Key: o.Key, Delta: d}
	if o.Expected != nil {
		c.Expect = &Expectation{Bucket: bucket, Quantity: *o.Expected}
	}
	t := b.txn(o)
	t.Changes = []Change{c}
	if len(o.Serials) > 0 {
		if bucket == BucketIncoming {
			return nil, invalid("serials", o.Serials[0], "incoming units carry no serial numbers")
		}
		from, to, n := Key{}, o.Key, o.Delta
		if o.Delta < 0 {
			from, to, n = o.Key, Key{}, -o.Delta
		}
		if err := serialMoves(t, o.Serials, n, from, to); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Move moves Quantity on-hand units at Key from one bucket to another among
// available, damaged, quarantine and safety: damaging stock, quarantining
// it, releasing it from quarantine, setting safety stock aside.
type Move struct {
	Meta
	Key      Key    `json:"key"`
	From     Bucket `json:"from"`
	To       Bucket `json:"to"`
	Quantity int64  `json:"quantity"`
}

func (o *Move) kind() Kind  { return KindMove }
func (o *Move) meta() *Meta { return &o.Meta }
func (o *Move) build(b *builder) (*Txn, error) {
	if err := positive("quantity", o.Quantity); err != nil {
		return nil, err
	}
	if !o.From.held() || !o.To.held() || o.From == o.To {
		return nil, invalid("bucket", string(o.From)+" to "+string(o.To), "must be two different buckets of available, damaged, quarantine and safety")
	}
	from, _ := into(o.From, -o.Quantity)
	to, _ := into(o.To, o.Quantity)
	d, err := from.Add(to)
	if err != nil {
		return nil, err
	}
	t := b.txn(o)
	t.Changes = []Change{{Key: o.Key, Delta: d}}
	return t, nil
}

// Transfer ships Quantity available units from the level From to location
// To: they leave From's on hand and are in transit at To (same owner, SKU
// and lot) until a [ReceiveTransfer].
type Transfer struct {
	Meta
	From     Key                `json:"from"`
	To       fulfill.LocationID `json:"to"`
	Quantity int64              `json:"quantity"`
	// Serials, if any, are the serial numbers of the units shipped, one each.
	Serials []string `json:"serials,omitempty"`
}

func (o *Transfer) kind() Kind  { return KindTransferOut }
func (o *Transfer) meta() *Meta { return &o.Meta }
func (o *Transfer) build(b *builder) (*Txn, error) {
	if err := positive("quantity", o.Quantity); err != nil {
		return nil, err
	}
	to := o.From
	to.Location = o.To
	if to == o.From {
		return nil, invalid("to", string(o.To), "same location as from")
	}
	t := b.txn(o)
	t.Changes = []Change{
		{Key: o.From, Delta: Buckets{OnHand: -o.Quantity}},
		{Key: to, Delta: Buckets{InTransit: o.Quantity}},
	}
	if err := serialMoves(t, o.Serials, o.Quantity, o.From, to); err != nil {
		return nil, err
	}
	return t, nil
}

// ReceiveTransfer receives Quantity in-transit units at Key into the bucket
// Into (available if empty).
type ReceiveTransfer struct {
	Meta
	Key      Key    `json:"key"`
	Quantity int64  `json:"quantity"`
	Into     Bucket `json:"into,omitempty"`
}

func (o *ReceiveTransfer) kind() Kind  { return KindTransferIn }
func (o *ReceiveTransfer) meta() *Meta { return &o.Meta }
func (o *ReceiveTransfer) build(b *builder) (*Txn, error) {
	if err := positive("quantity", o.Quantity); err != nil {
		return nil, err
	}
	d, err := into(o.Into, o.Quantity)
	if err != nil {
		return nil, err
	}
	d.InTransit = -o.Quantity
	t := b.txn(o)
	t.Changes = []Change{{Key: o.Key, Delta: d}}
	return t, nil
}

// Count posts a cycle count: OnHand is the number of units counted at Key,
// and the difference with the recorded on hand is posted to available
// stock. The count is a compare-and-set on the on hand it read, retried by
// [Inventory.Apply] if the level changes meanwhile. A count below the
// reserved, committed and set-aside units fails with ErrInsufficientStock:
// release reservations (backorder them) first. A count that would leave
// fewer units than serial numbers at the level fails with [ErrSerialCount]:
// write the missing units off with an [Adjust] naming their serial numbers.
type Count struct {
	Meta
	Key    Key   `json:"key"`
	OnHand int64 `json:"on_hand"`
}

func (o *Count) kind() Kind  { return KindCount }
func (o *Count) meta() *Meta { return &o.Meta }
func (o *Count) build(b *builder) (*Txn, error) {
	if o.OnHand < 0 {
		return nil, invalid("on_hand", itoa(o.OnHand), "negative")
	}
	if err := o.Key.Validate(); err != nil {
		return nil, err
	}
	l, err := b.level(o.Key)
	if err != nil {
		return nil, err
	}
	d, ok := sub(o.OnHand, l.OnHand)
	if !ok {
		return nil, overflow("Count", o.OnHand, l.OnHand)
	}
	t := b.txn(o)
	t.Changes = []Change{{Key: o.Key, Delta: Buckets{OnHand: d}, Expect: &Expectation{Bucket: BucketOnHand, Quantity: l.OnHand}}}
	return t, nil
}

// ReserveLine is one line of a [Reserve].
type ReserveLine struct {
	Key      Key   `json:"key"`
	Quantity int64 `json:"quantity"`
	// Line is the host's order-line reference, kept on the reservation.
	Line string `json:"line,omitempty"`
	// ID is the reservation's ID; empty means a new random one.
	ID string `json:"id,omitempty"`
	// IfVersion, if not zero, is the level version the line was planned
	// against: the reservation fails with ErrConflict if the level changed.
	IfVersion int64 `json:"if_version,omitempty"`
}

// Reserve holds stock for an order's lines or a cart, all lines or none.
// Lines on the same level are summed before checking, and a shortage
// reports every short level. With a TTL the holds lapse after it (cart
// holds); without, they last until released, committed or unreserved.
type Reserve struct {
	Meta
	Lines []ReserveLine `json:"lines"`
	TTL   time.Duration `json:"ttl,omitempty"`
}

func (o *Reserve) kind() Kind  { return KindReserve }
func (o *Reserve) meta() *Meta { return &o.Meta }
func (o *Reserve) build(b *builder) (*Txn, error) {
	if len(o.Lines) == 0 {
		return nil, invalid("lines", "", "required")
	}
	if o.TTL < 0 {
		return nil, invalid("ttl", o.TTL.String(), "negative")
	}
	t := b.txn(o)
	for i, l := range o.Lines {
		if err := positive("lines["+itoa(int64(i))+"].quantity", l.Quantity); err != nil {
			return nil, err
		}
		id := l.ID
		if id == "" {
			var err error
			if id, err = b.newID(); err != nil {
				return nil, err
			}
		}
		r := Reservation{ID: id, Key: l.Key, Reserved: l.Quantity, Ref: o.Ref, Line: l.Line}
		if o.TTL > 0 {
			r.ExpiresAt = b.at.Add(o.TTL)
		}
		t.Holds = append(t.Holds, r)
		if l.IfVersion != 0 {
			t.Changes = append(t.Changes, Change{Key: l.Key, IfVersion: l.IfVersion})
		}
	}
	return t, nil
}

// Part names a reservation and a quantity of it; a zero Quantity means all
// of it that the step applies to.
type Part struct {
	Reservation string `json:"reservation"`
	Quantity    int64  `json:"quantity,omitempty"`
	// Serials are the serial numbers of the units a [Consume] ships, one
	// each; they leave stock.
	Serials []string `json:"serials,omitempty"`
	// Line, on a [Commit] only, is the host's order-line reference the
	// reservation takes when its units are committed (see [Commit]).
	Line string `json:"line,omitempty"`
}

// steps builds the steps of kind k over parts.
func steps(b *builder, op Operation, k Kind, parts []Part) (*Txn, error) {
	if len(parts) == 0 {
		return nil, invalid("parts", "", "required")
	}
	t := b.txn(op)
	for _, p := range parts {
		t.Steps = append(t.Steps, Step{Reservation: p.Reservation, Kind: k, Quantity: p.Quantity, Serials: p.Serials, Line: p.Line})
	}
	return t, nil
}

// Release releases held (not committed) units of reservations back to
// available: a cart abandoned, a hold no longer needed. Releasing a lapsed
// hold does nothing.
type Release struct {
	Meta
	Parts []Part `json:"parts"`
}

func (o *Release) kind() Kind                     { return KindRelease }
func (o *Release) meta() *Meta                    { return &o.Meta }
func (o *Release) build(b *builder) (*Txn, error) { return steps(b, o, KindRelease, o.Parts) }

// Commit commits held units of reservations to their order: they stop
// lapsing and are being picked. Committing a lapsed hold fails with
// ErrExpired.
//
// If Meta.Ref is set, each reservation that commits units is re-pointed at
// it: a cart hold (a [RefCart] reference) committed with the order's
// reference ([OrderRef]) becomes the order's, so that looking reservations
// up by the order finds it and by the cart does not. The whole reservation
// moves, held units included (they still lapse at its TTL; release those
// the order does not take). Without a Ref, reservations keep theirs.
//
// A reservation's Line belongs to its Ref: a reservation re-pointed at
// another Ref takes its Part's Line, the order line, and without one its
// Line is cleared, since the cart's line means nothing to the order. A
// Part's Line also replaces the Line of a reservation that keeps its Ref.
// Otherwise the Line is kept. A reservation named by two parts of one
// Commit takes at most one Line; two different ones fail with ErrInvalid.
// A part that commits no unit (the reservation's units are all committed
// already) changes neither Ref nor Line.
type Commit struct {
	Meta
	Parts []Part `json:"parts"`
}

func (o *Commit) kind() Kind                     { return KindCommit }
func (o *Commit) meta() *Meta                    { return &o.Meta }
func (o *Commit) build(b *builder) (*Txn, error) { return steps(b, o, KindCommit, o.Parts) }

// Consume ships committed units: they leave on hand.
type Consume struct {
	Meta
	Parts []Part `json:"parts"`
}

func (o *Consume) kind() Kind                     { return KindConsume }
func (o *Consume) meta() *Meta                    { return &o.Meta }
func (o *Consume) build(b *builder) (*Txn, error) { return steps(b, o, KindConsume, o.Parts) }

// Unreserve cancels reservations (an order cancelled): their held and
// committed units return to available.
type Unreserve struct {
	Meta
	Reservations []string `json:"reservations"`
}

func (o *Unreserve) kind() Kind  { return KindUnreserve }
func (o *Unreserve) meta() *Meta { return &o.Meta }
func (o *Unreserve) build(b *builder) (*Txn, error) {
	parts := make([]Part, len(o.Reservations))
	for i, id := range o.Reservations {
		parts[i] = Part{Reservation: id}
	}
	return steps(b, o, KindUnreserve, parts)
}

// Recall quarantines every available unit of a lot of SKU, at every
// location, so that it is never allocated; reservations already made on it
// are left to the host to cancel.
type Recall struct {
	Meta
	SKU fulfill.SKU `json:"sku"`
	Lot LotID       `json:"lot"`
}

func (o *Recall) kind() Kind  { return KindMove }
func (o *Recall) meta() *Meta { return &o.Meta }
func (o *Recall) build(b *builder) (*Txn, error) {
	if o.Lot == "" {
		return nil, invalid("lot", "", "required")
	}
	if err := o.SKU.Validate(); err != nil {
		return nil, err
	}
	ls, err := b.levels(o.SKU)
	if err != nil {
		return nil, err
	}
	t := b.txn(o)
	for _, l := range ls {
		if l.Lot != o.Lot {
			continue
		}
		t.Touch = append(t.Touch, l.Key)
		if a := l.Available(); a > 0 {
			t.Changes = append(t.Changes, Change{Key: l.Key, Delta: Buckets{Quarantine: a}, IfVersion: l.Version})
		}
	}
	if len(t.Touch) == 0 {
		return nil, &NotFoundError{Owner: o.Owner, SKU: o.SKU, Lot: o.Lot}
	}
	return t, nil
}

// serialMoves adds to t the moves of serials (none, or exactly n of them)
// from one level to another.
func serialMoves(t *Txn, serials []string, n int64, from, to Key) error {
	if len(serials) == 0 {
		return nil
	}
	if int64(len(serials)) != n {
		return invalid("serials", itoa(int64(len(serials))), "must number every unit, "+itoa(n))
	}
	for _, s := range serials {
		t.Serials = append(t.Serials, SerialChange{Serial: s, From: from, To: to})
	}
	return nil
}
