package inventory

import (
	"maps"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Txn is one atomic unit of work handed to a [Store]: every change, new
// reservation and reservation step in it is applied, with its ledger entries
// and its idempotency record, or none is. A Txn is built by an [Inventory]
// from an [Operation]; stores apply it with [Compute] or with equivalent
// conditional updates. Txns are plain values, safe to persist.
type Txn struct {
	Owner  fulfill.OwnerID `json:"owner"`
	Kind   Kind            `json:"kind"`
	Reason Reason          `json:"reason,omitempty"`
	Ref    Reference       `json:"ref,omitzero"`
	// IdempotencyKey, if not empty, makes the Txn apply at most once per
	// owner: a retry with the same key and Fingerprint returns the original
	// Receipt; the same key with another Fingerprint fails with
	// ErrIdempotencyConflict. A failed Txn leaves no record.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// Fingerprint identifies the payload of the operation behind the key.
	Fingerprint string `json:"fingerprint,omitempty"`
	// At is the time of the operation, from the injected clock. It stamps the
	// ledger and decides which holds have lapsed.
	At time.Time `json:"at"`
	// Changes are bucket deltas on levels, guarded by compare-and-set.
	Changes []Change `json:"changes,omitempty"`
	// Holds are new reservations; each reserves its Reserved units on its key.
	Holds []Reservation `json:"holds,omitempty"`
	// Steps release, commit, consume or unreserve existing reservations.
	Steps []Step `json:"steps,omitempty"`
	// Touch lists levels to visit without changing, so that lapsed holds on
	// them are collected.
	Touch []Key `json:"touch,omitempty"`
	// Serials move serial numbers into, between or out of levels; only a
	// [SerialStore] applies them.
	Serials []SerialChange `json:"serials,omitempty"`
}

// Change adds Delta to the buckets of the level Key. If IfVersion is not
// zero the level's version must equal it, and if Expect is set the named
// bucket must hold the given quantity, or the Txn fails with a
// *[ConflictError]. Lot records the lot's dates when the change creates the
// level.
type Change struct {
	Key       Key          `json:"key"`
	Delta     Buckets      `json:"delta"`
	IfVersion int64        `json:"if_version,omitempty"`
	Expect    *Expectation `json:"expect,omitempty"`
	Lot       *LotInfo     `json:"lot,omitempty"`
	// Due is when incoming units are expected, recorded in the ledger entry.
	Due time.Time `json:"due,omitzero"`
}

// Expectation is a compare-and-set condition: Bucket must hold Quantity before
// the change, like a "change from quantity".
type Expectation struct {
	Bucket   Bucket `json:"bucket"`
	Quantity int64  `json:"quantity"`
}

// Step applies Kind (release, commit, consume or unreserve) to Quantity
// units of the reservation; a zero Quantity means every unit the step
// applies to.
type Step struct {
	Reservation string `json:"reservation"`
	Kind        Kind   `json:"kind"`
	Quantity    int64  `json:"quantity,omitempty"`
	// Serials are the serial numbers of the units a consume ships; they
	// leave stock.
	Serials []string `json:"serials,omitempty"`
	// Line, on a commit step only, is the order-line reference the
	// reservation takes (see [Commit]).
	Line string `json:"line,omitempty"`
}

// Entry is one movement of the append-only ledger: the change Delta to the
// level Key, why and when. Replaying every entry of an owner rebuilds its
// levels exactly (see [Replay]). Entries are plain values, safe to persist.
type Entry struct {
	// Seq numbers the owner's entries from 1, in the order they were applied.
	Seq            int64     `json:"seq"`
	At             time.Time `json:"at"`
	Key            Key       `json:"key"`
	Kind           Kind      `json:"kind"`
	Reason         Reason    `json:"reason,omitempty"`
	Ref            Reference `json:"ref,omitzero"`
	Reservation    string    `json:"reservation,omitempty"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	Delta          Buckets   `json:"delta"`
	// Serials are the serial numbers moved into or out of the level.
	Serials []string `json:"serials,omitempty"`
	// Due is when the incoming units of an expectation are expected.
	Due time.Time `json:"due,omitzero"`
}

// AvailabilityChanged is the event of a level whose available quantity
// changed, for syncing storefronts and marketplaces. Before is the level as
// stored before the operation, so that collecting lapsed holds (a sweep)
// raises the event too.
type AvailabilityChanged struct {
	Key    Key       `json:"key"`
	Before int64     `json:"before"`
	After  int64     `json:"after"`
	At     time.Time `json:"at"`
}

// Receipt is the result of an applied Txn: its ledger entries, the levels
// and reservations it changed (as they are after it), and the availability
// events. A retry with the same idempotency key returns the same Receipt
// with Replayed set.
type Receipt struct {
	Entries      []Entry               `json:"entries"`
	Levels       []Level               `json:"levels"`
	Reservations []Reservation         `json:"reservations,omitempty"`
	Events       []AvailabilityChanged `json:"events,omitempty"`
	Serials      []Serial              `json:"serials,omitempty"`
	Replayed     bool                  `json:"replayed,omitempty"`
}

// Clone returns a deep copy of r.
func (r *Receipt) Clone() *Receipt {
	c := *r
	c.Entries = slices.Clone(r.Entries)
	c.Levels = slices.Clone(r.Levels)
	c.Reservations = slices.Clone(r.Reservations)
	c.Events = slices.Clone(r.Events)
	c.Serials = slices.Clone(r.Serials)
	return &c
}

// Validate checks the shape of t: codes usable, one owner throughout,
// positive quantities where they must be. It returns a *[fulfill.FieldError]
// wrapping [ErrInvalid] (or [ErrOwnerMismatch]) for the first problem.
func (t *Txn) Validate() error {
	if err := t.Owner.Validate(); err != nil {
		return err
	}
	if t.At.IsZero() {
		return invalid("at", "", "required")
	}
	if !t.Kind.Valid() {
		return invalid("kind", string(t.Kind), "unknown kind")
	}
	if len(t.Changes)+len(t.Holds)+len(t.Steps)+len(t.Touch) == 0 {
		return invalid("changes", "", "empty transaction")
	}
	checkKey := func(k Key) error {
		if err := k.Validate(); err != nil {
			return err
		}
		if k.Owner != t.Owner {
			return &fulfill.FieldError{Field: "owner", Value: string(k.Owner), Reason: "not the operation's owner " + string(t.Owner), Kind: ErrOwnerMismatch}
		}
		return nil
	}
	for _, c := range t.Changes {
		if err := checkKey(c.Key); err != nil {
			return err
		}
		if c.IfVersion < 0 {
			return invalid("if_version", itoa(c.IfVersion), "negative")
		}
		if c.Expect != nil && (!c.Expect.Bucket.Valid() || c.Expect.Quantity < 0) {
			return invalid("expect", string(c.Expect.Bucket)+" "+itoa(c.Expect.Quantity), "not a bucket and a quantity >= 0")
		}
	}
	ids := make(map[string]bool, len(t.Holds))
	for _, h := range t.Holds {
		if err := checkKey(h.Key); err != nil {
			return err
		}
		if h.ID == "" || len(h.ID) > 256 {
			return invalid("reservation", h.ID, "id must be 1 to 256 bytes")
		}
		if ids[h.ID] {
			return invalid("reservation", h.ID, "duplicate id")
		}
		ids[h.ID] = true
		if h.Reserved <= 0 || h.Committed != 0 {
			return invalid("quantity", itoa(h.Reserved), "a new reservation holds a positive quantity and commits none")
		}
	}
	for _, s := range t.Steps {
		if s.Reservation == "" {
			return invalid("reservation", "", "required")
		}
		if !s.Kind.step() {
			return invalid("kind", string(s.Kind), "not release, commit, consume or unreserve")
		}
		if s.Quantity < 0 {
			return invalid("quantity", itoa(s.Quantity), "negative")
		}
	}
	for _, k := range t.Touch {
		if err := checkKey(k); err != nil {
			return err
		}
	}
	var lines map[string]string // the Line of each reservation given one
	for _, s := range t.Steps {
		if s.Line == "" {
			continue
		}
		if s.Kind != KindCommit {
			return invalid("line", s.Line, "only a commit gives a reservation a line")
		}
		if l, ok := lines[s.Reservation]; ok && l != s.Line {
			return invalid("line", s.Line, "reservation "+s.Reservation+" is given two lines, "+l+" and "+s.Line)
		}
		if lines == nil {
			lines = make(map[string]string)
		}
		lines[s.Reservation] = s.Line
	}
	for _, s := range t.Steps {
		if len(s.Serials) > 0 && s.Kind != KindConsume {
			return invalid("serials", s.Serials[0], "only a consume ships serial numbers")
		}
		if s.Quantity > 0 && len(s.Serials) > 0 && int64(len(s.Serials)) != s.Quantity {
			return invalid("serials", itoa(int64(len(s.Serials))), "must number the quantity consumed")
		}
		for _, n := range s.Serials {
			if err := validateSerial(n); err != nil {
				return err
			}
		}
	}
	for _, c := range t.Serials {
		if err := validateSerial(c.Serial); err != nil {
			return err
		}
		if c.From == (Key{}) && c.To == (Key{}) {
			return invalid("serials", c.Serial, "needs a from or a to level")
		}
		for _, k := range []Key{c.From, c.To} {
			if k != (Key{}) {
				if err := checkKey(k); err != nil {
					return err
				}
			}
		}
		if c.From != (Key{}) && c.To != (Key{}) && c.From.SKU != c.To.SKU {
			return invalid("serials", c.Serial, "moves between two SKUs")
		}
	}
	return nil
}

// State is what [Compute] needs to know before a Txn: the current level of
// every key the Txn touches (a missing key is a level that does not exist
// yet) and the reservations it names, plus every live reservation with a
// TTL on the keys it touches (so that lapsed holds are collected).
type State struct {
	Levels       map[Key]Level
	Reservations map[string]Reservation
	// Serials holds the level of every serial number the Txn names that is
	// in stock (see [Txn.SerialIDs]); a [SerialStore] fills it.
	Serials map[SerialID]Key
	// SerialCounts holds how many serial numbers are in stock at each level
	// of [Txn.SerialLevels]; a [SerialStore] fills it. A level missing from
	// it holds none.
	SerialCounts map[Key]int64
}

// Outcome is what [Compute] decides: the new levels and reservations to
// save, and the ledger entries to append (with Seq left zero for the store
// to number).
type Outcome struct {
	Levels       []Level
	Reservations []Reservation
	Entries      []Entry
	Events       []AvailabilityChanged
	// Serials are the serial numbers the Txn moved, with their new level
	// (the zero Key for a unit that left stock).
	Serials []Serial
}

// Keys returns the levels t touches (those its serial numbers move from or
// to included), sorted in lock order (see [Key.Compare]) and without
// duplicates. keyOf looks up the key of a reservation named by a step; a
// reservation it does not know is skipped (Compute then reports it as not
// found).
func (t *Txn) Keys(keyOf func(id string) (Key, bool)) []Key {
	var ks []Key
	for _, c := range t.Changes {
		ks = append(ks, c.Key)
	}
	for _, h := range t.Holds {
		ks = append(ks, h.Key)
	}
	for _, s := range t.Steps {
		if k, ok := keyOf(s.Reservation); ok {
			ks = append(ks, k)
		}
	}
	ks = append(ks, t.Touch...)
	for _, c := range t.Serials {
		for _, k := range [...]Key{c.From, c.To} {
			if k != (Key{}) {
				ks = append(ks, k)
			}
		}
	}
	slices.SortFunc(ks, Key.Compare)
	return slices.Compact(ks)
}

// Compute applies t to st, purely: it collects lapsed holds on the touched
// levels, applies the steps, the new reservations and the changes, checks
// every compare-and-set against the levels as they were, sums every change
// per level before checking the invariant (so that two lines of one SKU are
// checked together), and reports every short level in one
// *[InsufficientStockError]. It then checks the serial numbers: each must
// be where the Txn says (a *[SerialError]), and no level may be left with
// more serial numbers than units (a *[SerialCountError]). A commit step of
// a Txn with a Ref re-points its reservation at that Ref, and a commit
// step's Line becomes its reservation's (see [Commit] for the rule).
// On error nothing is to be saved. Stores call Compute with the levels
// locked (or selected for update).
func Compute(t *Txn, st State) (*Outcome, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	keyOf := func(id string) (Key, bool) {
		r, ok := st.Reservations[id]
		if !ok || r.Key.Owner != t.Owner {
			return Key{}, false
		}
		return r.Key, true
	}
	keys := t.Keys(keyOf)
	touched := make(map[Key]bool, len(keys))
	cur := make(map[Key]Level, len(keys))
	for _, k := range keys {
		touched[k] = true
		l, ok := st.Levels[k]
		if !ok {
			l = Level{Key: k}
		}
		l.Key = k
		cur[k] = l
	}
	res := make(map[string]Reservation)
	changed := make(map[string]bool)
	var entries []Entry
	entry := func(k Key, kind Kind, d Buckets, resID string) {
		entries = append(entries, Entry{At: t.At, Key: k, Kind: kind, Reason: t.Reason, Ref: t.Ref,
			Reservation: resID, IdempotencyKey: t.IdempotencyKey, Delta: d})
	}
	bumped := make(map[Key]bool)

	// Collect lapsed holds on touched levels.
	for _, id := range slices.Sorted(maps.Keys(st.Reservations)) {
		r := st.Reservations[id]
		if r.Key.Owner != t.Owner || !touched[r.Key] || r.Reserved <= 0 || !r.Expired(t.At) {
			continue
		}
		l := cur[r.Key]
		l.Reserved -= r.Reserved
		if l.Reserved < 0 {
			l.Reserved = 0
		}
		cur[r.Key] = l
		entries = append(entries, Entry{At: r.ExpiresAt, Key: r.Key, Kind: KindExpire, Reason: ReasonExpired,
			Ref: r.Ref, Reservation: id, Delta: Buckets{Reserved: -r.Reserved}})
		r.Reserved = 0
		r.Version++
		res[id] = r
		changed[id] = true
		bumped[r.Key] = true
	}
	pre := maps.Clone(cur)
	delta := make(map[Key]Buckets, len(keys))
	addDelta := func(k Key, d Buckets) error {
		s, err := delta[k].Add(d)
		if err != nil {
			return err
		}
		delta[k] = s
		if !d.IsZero() {
			bumped[k] = true
		}
		return nil
	}

	var stepKeys []Key
	for _, s := range t.Steps {
		r, ok := res[s.Reservation]
		if !ok {
			r, ok = st.Reservations[s.Reservation]
		}
		if !ok || r.Key.Owner != t.Owner {
			return nil, &NotFoundError{Owner: t.Owner, Reservation: s.Reservation}
		}
		stepKeys = append(stepKeys, r.Key)
		if len(s.Serials) > 0 && s.Quantity == 0 && int64(len(s.Serials)) != r.Committed {
			return nil, invalid("serials", itoa(int64(len(s.Serials))), "must number the quantity consumed, "+itoa(r.Committed))
		}
		nr, d, err := r.apply(s.Kind, s.Quantity, t.At)
		if err != nil {
			return nil, err
		}
		if d.IsZero() {
			continue
		}
		if s.Kind == KindCommit {
			nr.Ref, nr.Line = repoint(nr, t.Ref, s.Line)
		}
		res[r.ID], changed[r.ID] = nr, true
		if err := addDelta(r.Key, d); err != nil {
			return nil, err
		}
		entry(r.Key, s.Kind, d, r.ID)
	}
	for _, h := range t.Holds {
		if _, dup := st.Reservations[h.ID]; dup {
			return nil, &ConflictError{Key: h.Key, Field: "reservation " + h.ID + " exists", Expected: 0, Actual: 1}
		}
		if l := pre[h.Key]; l.Expired(t.At) {
			return nil, &ExpiredError{Key: h.Key, Expired: l.Expires.Format(time.RFC3339Nano)}
		}
		h.Created = t.At
		h.Version = 1
		if h.Ref == (Reference{}) {
			h.Ref = t.Ref
		}
		res[h.ID], changed[h.ID] = h, true
		d := Buckets{Reserved: h.Reserved}
		if err := addDelta(h.Key, d); err != nil {
			return nil, err
		}
		entry(h.Key, KindReserve, d, h.ID)
	}
	for _, c := range t.Changes {
		p := pre[c.Key]
		if c.IfVersion != 0 && p.Version != c.IfVersion {
			return nil, &ConflictError{Key: c.Key, Field: "version", Expected: c.IfVersion, Actual: p.Version}
		}
		if c.Expect != nil {
			if got := p.Quantity(c.Expect.Bucket); got != c.Expect.Quantity {
				return nil, &ConflictError{Key: c.Key, Field: string(c.Expect.Bucket), Expected: c.Expect.Quantity, Actual: got}
			}
		}
		if c.Delta.IsZero() {
			continue // a guard only
		}
		if err := addDelta(c.Key, c.Delta); err != nil {
			return nil, err
		}
		entry(c.Key, t.Kind, c.Delta, "")
		entries[len(entries)-1].Due = c.Due
	}

	out := &Outcome{}
	var short []Shortage
	// The levels whose serial numbers are counted, with their buckets
	// around t; most Txns have none and allocate nothing for them.
	serialLevels := t.SerialLevels(keyOf)
	var before, after map[Key]Buckets
	if len(serialLevels) > 0 {
		before, after = make(map[Key]Buckets, len(serialLevels)), make(map[Key]Buckets, len(serialLevels))
	}
	for _, k := range keys {
		p := pre[k]
		nb, err := p.Buckets.Add(delta[k])
		if err != nil {
			return nil, err
		}
		if before != nil {
			before[k], after[k] = p.Buckets, nb
		}
		for _, b := range nb.violations() {
			pq := p.Quantity(b)
			w, _ := sub(pq, nb.Quantity(b))
			short = append(short, Shortage{Key: k, Bucket: b, Wanted: w, Available: pq})
		}
		if !bumped[k] {
			continue
		}
		n := cur[k]
		n.Buckets = nb
		n.Version++
		n.Updated = t.At
		if st.Levels[k].Version == 0 && pre[k].Version == 0 {
			n.Expires, n.Received = lotInfo(t, k, st)
		}
		out.Levels = append(out.Levels, n)
		if before, after := st.Levels[k].Available(), nb.Available(); before != after {
			out.Events = append(out.Events, AvailabilityChanged{Key: k, Before: before, After: after, At: t.At})
		}
	}
	if len(short) > 0 {
		return nil, &InsufficientStockError{Shortages: short}
	}
	serials, moved, net, err := serialChanges(t, st, t.Steps, stepKeys)
	if err != nil {
		return nil, err
	}
	if err := checkSerialCounts(st, serialLevels, before, after, net); err != nil {
		return nil, err
	}
	out.Serials = serials
	for i := range entries {
		if m := moved[entries[i].Key]; len(m) > 0 && entries[i].Kind != KindExpire {
			entries[i].Serials = m
			delete(moved, entries[i].Key)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(changed)) {
		out.Reservations = append(out.Reservations, res[id])
	}
	out.Entries = entries
	return out, nil
}

// repoint returns the Ref and Line of reservation r committing units in a
// Txn with Ref ref and a step with Line line: a cart hold committed to its
// order becomes the order's, and a Line belongs to its Ref, so a new Ref
// takes the step's Line, even an empty one (see [Commit]).
func repoint(r Reservation, ref Reference, line string) (Reference, string) {
	if ref != (Reference{}) && ref != r.Ref {
		return ref, line
	}
	if line != "" {
		return r.Ref, line
	}
	return r.Ref, r.Line
}

// lotInfo returns the lot dates for a level t creates: those of its change,
// else those of another level of the same lot in st (a transfer), else
// the operation's time as the receipt date.
func lotInfo(t *Txn, k Key, st State) (expires, received time.Time) {
	for _, c := range t.Changes {
		if c.Key == k && c.Lot != nil {
			expires, received = c.Lot.Expires, c.Lot.Received
			if received.IsZero() {
				received = t.At
			}
			return expires, received
		}
	}
	if k.Lot != "" {
		var best *Level
		for _, l := range st.Levels {
			if l.Owner == k.Owner && l.SKU == k.SKU && l.Lot == k.Lot && l.Version > 0 {
				if best == nil || l.Key.Compare(best.Key) < 0 {
					best = &l
				}
			}
		}
		if best != nil {
			return best.Expires, best.Received
		}
	}
	return time.Time{}, t.At
}

// At returns l as seen at now, given the live reservations on it (any map
// holding at least those): the held units of lapsed holds count as
// available again.
func (l Level) At(now time.Time, reservations map[string]Reservation) Level {
	for _, r := range reservations {
		if r.Key == l.Key && r.Reserved > 0 && r.Expired(now) {
			l.Reserved -= r.Reserved
		}
	}
	if l.Reserved < 0 {
		l.Reserved = 0
	}
	return l
}
