package inventory

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fulfillkit/fulfill"
)

// MemStore is the in-memory [Store]. It locks each level separately, so
// operations on different levels run in parallel; an operation on several
// levels locks them in [Key.Compare] order, then the owner's ledger. It is
// safe for concurrent use. The zero MemStore is empty and ready to use; it
// must not be copied after first use.
//
// A MemStore keeps every ledger entry, closed reservation and idempotency
// record until told otherwise: a service that keeps one running drops them
// with [MemStore.TrimLedger] once its consumer has processed the entries,
// and with [MemStore.Prune] once the retry window it promises has passed.
type MemStore struct {
	cells   sync.Map // Key -> *cell
	bySKU   sync.Map // skuKey -> *keySet: the keys of an owner's SKU
	owners  sync.Map // fulfill.OwnerID -> *ownerData
	resKeys sync.Map // resKey -> Key: the level of each reservation
	idem    sync.Map // idemKey -> *idemRecord
	serials sync.Map // skuKey -> *serialSet
}

var (
	_ Store       = (*MemStore)(nil)
	_ Sweeper     = (*MemStore)(nil)
	_ SerialStore = (*MemStore)(nil)
)

// serialSet holds the serial numbers in stock of one owner's SKU.
type serialSet struct {
	mu sync.Mutex        // guards m
	m  map[string]Serial // by serial number
}

// serialSet returns the set of k, creating it if needed.
func (s *MemStore) serialSet(k skuKey) *serialSet {
	if v, ok := s.serials.Load(k); ok {
		return v.(*serialSet)
	}
	v, _ := s.serials.LoadOrStore(k, &serialSet{m: map[string]Serial{}})
	return v.(*serialSet)
}

// cell is one level and the reservations on it.
type cell struct {
	mu      sync.Mutex             // guards level, live, closed and serials
	level   Level                  // Version 0 until created
	live    map[string]Reservation // reservations holding or committing units
	closed  map[string]closedRes   // reservations with nothing left
	serials int64                  // serial numbers in stock at the level
}

// closedRes is a closed reservation and the time of the operation that
// closed it, which [MemStore.Prune] compares with its cutoff.
type closedRes struct {
	r  Reservation
	at time.Time
}

// keySet lists the keys of one owner's SKU.
type keySet struct {
	mu   sync.Mutex // guards keys
	keys []Key
}

// ownerData is one owner's ledger and key list.
type ownerData struct {
	mu      sync.Mutex // guards entries, trimmed, checkpoint and keys
	entries []Entry    // the kept entries: entries[i].Seq is trimmed+i+1
	trimmed int64      // the Seq of the last entry dropped by TrimLedger
	// checkpoint holds the entries dropped by TrimLedger: its through is
	// trimmed.
	checkpoint folder
	keys       []Key
}

type skuKey struct {
	owner fulfill.OwnerID
	sku   fulfill.SKU
}

type resKey struct {
	owner fulfill.OwnerID
	id    string
}

type idemKey struct {
	owner fulfill.OwnerID
	key   string
}

// idemRecord is an idempotency key being applied (done open) or applied
// (done closed, receipt set). A failed attempt deletes its record.
type idemRecord struct {
	fingerprint string
	at          time.Time // the Txn's time, which Prune compares with its cutoff
	done        chan struct{}
	receipt     *Receipt // written before done is closed
}

// NewMemStore returns an empty MemStore; new(MemStore) does the same.
func NewMemStore() *MemStore { return new(MemStore) }

// cell returns the cell of k, creating it (empty) if needed.
func (s *MemStore) cell(k Key) *cell {
	if c, ok := s.cells.Load(k); ok {
		return c.(*cell)
	}
	c, loaded := s.cells.LoadOrStore(k, &cell{level: Level{Key: k}, live: map[string]Reservation{}, closed: map[string]closedRes{}})
	if !loaded {
		ks, _ := s.bySKU.LoadOrStore(skuKey{k.Owner, k.SKU}, &keySet{})
		set := ks.(*keySet)
		set.mu.Lock()
		set.keys = append(set.keys, k)
		set.mu.Unlock()
		o := s.owner(k.Owner)
		o.mu.Lock()
		o.keys = append(o.keys, k)
		o.mu.Unlock()
	}
	return c.(*cell)
}

// owner returns the data of owner o, creating it if needed.
func (s *MemStore) owner(o fulfill.OwnerID) *ownerData {
	if d, ok := s.owners.Load(o); ok {
		return d.(*ownerData)
	}
	d, _ := s.owners.LoadOrStore(o, &ownerData{})
	return d.(*ownerData)
}

// Apply applies t atomically; see [Store].
func (s *MemStore) Apply(ctx context.Context, t *Txn) (*Receipt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.IdempotencyKey == "" {
		return s.apply(t)
	}
	ik := idemKey{t.Owner, t.IdempotencyKey}
	for {
		rec := &idemRecord{fingerprint: t.Fingerprint, at: t.At, done: make(chan struct{})}
		v, loaded := s.idem.LoadOrStore(ik, rec)
		if loaded {
			old := v.(*idemRecord)
			if old.fingerprint != t.Fingerprint {
				return nil, &IdempotencyConflictError{Owner: t.Owner, Key: t.IdempotencyKey}
			}
			select {
			case <-old.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if old.receipt != nil {
				r := old.receipt.Clone()
				r.Replayed = true
				return r, nil
			}
			continue // the first attempt failed; try to apply it ourselves
		}
		r, err := s.apply(t)
		if err != nil {
			s.idem.Delete(ik)
			close(rec.done)
			return nil, err
		}
		rec.receipt = r.Clone()
		close(rec.done)
		return r, nil
	}
}

// apply locks the levels of t in key order, computes and saves.
func (s *MemStore) apply(t *Txn) (*Receipt, error) {
	keyOf := func(id string) (Key, bool) {
		k, ok := s.resKeys.Load(resKey{t.Owner, id})
		if !ok {
			return Key{}, false
		}
		return k.(Key), true
	}
	keys := t.Keys(keyOf)
	cells := make(map[Key]*cell, len(keys))
	for _, k := range keys {
		c := s.cell(k)
		c.mu.Lock()
		defer c.mu.Unlock()
		cells[k] = c
	}
	// Claim the IDs of new reservations.
	var claimed []resKey
	release := func() {
		for _, rk := range claimed {
			s.resKeys.Delete(rk)
		}
	}
	for _, h := range t.Holds {
		rk := resKey{t.Owner, h.ID}
		if _, loaded := s.resKeys.LoadOrStore(rk, h.Key); loaded {
			release()
			return nil, &ConflictError{Key: h.Key, Field: "reservation " + h.ID + " exists", Expected: 0, Actual: 1}
		}
		claimed = append(claimed, rk)
	}
	st := State{Levels: make(map[Key]Level, len(keys)), Reservations: map[string]Reservation{}}
	for k, c := range cells {
		if c.level.Version > 0 {
			st.Levels[k] = c.level
		}
		for id, r := range c.live {
			if !r.ExpiresAt.IsZero() {
				st.Reservations[id] = r
			}
		}
	}
	for _, step := range t.Steps {
		if k, ok := keyOf(step.Reservation); ok {
			c := cells[k]
			if r, ok := c.live[step.Reservation]; ok {
				st.Reservations[r.ID] = r
			} else if cr, ok := c.closed[step.Reservation]; ok {
				st.Reservations[cr.r.ID] = cr.r
			}
		}
	}
	// Lock the serial numbers' SKUs after the levels, in order.
	sets := map[skuKey]*serialSet{}
	if ids := t.SerialIDs(keyOf); len(ids) > 0 {
		var sks []skuKey
		for _, id := range ids {
			sk := skuKey{id.Owner, id.SKU}
			if _, ok := sets[sk]; !ok {
				sets[sk] = s.serialSet(sk)
				sks = append(sks, sk)
			}
		}
		slices.SortFunc(sks, func(a, b skuKey) int {
			return Key{Owner: a.owner, SKU: a.sku}.Compare(Key{Owner: b.owner, SKU: b.sku})
		})
		for _, sk := range sks {
			set := sets[sk]
			set.mu.Lock()
			defer set.mu.Unlock()
		}
		st.Serials = map[SerialID]Key{}
		for _, id := range ids {
			if r, ok := sets[skuKey{id.Owner, id.SKU}].m[id.Serial]; ok {
				st.Serials[id] = r.Key
			}
		}
	}
	if ks := t.SerialLevels(keyOf); len(ks) > 0 {
		st.SerialCounts = make(map[Key]int64, len(ks))
		for _, k := range ks {
			st.SerialCounts[k] = cells[k].serials
		}
	}
	out, err := Compute(t, st)
	if err != nil {
		release()
		return nil, err
	}
	// Every level a serial number leaves or reaches is among the locked
	// keys (see Txn.Keys), so its count is guarded.
	for _, sr := range out.Serials {
		set := sets[skuKey{sr.Owner, sr.SKU}]
		if old, ok := st.Serials[sr.SerialID]; ok {
			cells[old].serials--
		}
		if sr.Key == (Key{}) {
			delete(set.m, sr.Serial)
		} else {
			set.m[sr.Serial] = sr
			cells[sr.Key].serials++
		}
	}
	for _, l := range out.Levels {
		cells[l.Key].level = l
	}
	for _, r := range out.Reservations {
		c := cells[r.Key]
		if r.Live() {
			c.live[r.ID] = r
		} else {
			delete(c.live, r.ID)
			c.closed[r.ID] = closedRes{r: r, at: t.At}
		}
	}
	o := s.owner(t.Owner)
	o.mu.Lock()
	for i := range out.Entries {
		out.Entries[i].Seq = o.trimmed + int64(len(o.entries)) + 1
		o.entries = append(o.entries, out.Entries[i])
	}
	o.mu.Unlock()
	return &Receipt{Entries: out.Entries, Levels: out.Levels, Reservations: out.Reservations, Events: out.Events, Serials: out.Serials}, nil
}

// keys returns the keys that may match q.
func (s *MemStore) keys(q *LevelQuery) []Key {
	var ks []Key
	if len(q.SKUs) > 0 {
		for _, sku := range q.SKUs {
			v, ok := s.bySKU.Load(skuKey{q.Owner, sku})
			if !ok {
				continue
			}
			set := v.(*keySet)
			set.mu.Lock()
			ks = append(ks, set.keys...)
			set.mu.Unlock()
		}
	} else {
		o := s.owner(q.Owner)
		o.mu.Lock()
		ks = slices.Clone(o.keys)
		o.mu.Unlock()
	}
	slices.SortFunc(ks, Key.Compare)
	return slices.Compact(ks)
}

// Levels returns the owner's levels matching q; see [Store].
func (s *MemStore) Levels(ctx context.Context, q LevelQuery) ([]Level, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Owner.Validate(); err != nil {
		return nil, err
	}
	var out []Level
	for _, k := range s.keys(&q) {
		if !q.match(k) {
			continue
		}
		c := s.cell(k)
		c.mu.Lock()
		l := c.level
		if l.Version > 0 {
			out = append(out, l.At(q.At, c.live))
		}
		c.mu.Unlock()
	}
	return out, nil
}

// Reservations returns the owner's reservations matching q; see [Store].
func (s *MemStore) Reservations(ctx context.Context, q ReservationQuery) ([]Reservation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Owner.Validate(); err != nil {
		return nil, err
	}
	var ks []Key
	if q.ID != "" {
		k, ok := s.resKeys.Load(resKey{q.Owner, q.ID})
		if !ok {
			return nil, nil
		}
		ks = []Key{k.(Key)}
	} else {
		lq := LevelQuery{Owner: q.Owner}
		if q.SKU != "" {
			lq.SKUs = []fulfill.SKU{q.SKU}
		}
		ks = s.keys(&lq)
	}
	var out []Reservation
	for _, k := range ks {
		c := s.cell(k)
		c.mu.Lock()
		for _, r := range c.live {
			if r = r.At(q.At); q.match(r) {
				out = append(out, r)
			}
		}
		for _, cr := range c.closed {
			if r := cr.r.At(q.At); q.match(r) {
				out = append(out, r)
			}
		}
		c.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b Reservation) int {
		if a.ID < b.ID {
			return -1
		} else if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out, nil
}

// Ledger returns a page of the owner's ledger; see [Store]. After
// [MemStore.TrimLedger], a page starting at or before the last dropped
// entry starts with the first entry kept.
func (s *MemStore) Ledger(ctx context.Context, q LedgerQuery) ([]Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Owner.Validate(); err != nil {
		return nil, err
	}
	if q.After < 0 || q.Limit < 0 {
		return nil, invalid("after", itoa(q.After), "negative after or limit")
	}
	o := s.owner(q.Owner)
	o.mu.Lock()
	defer o.mu.Unlock()
	from := max(q.After-o.trimmed, 0)
	if from >= int64(len(o.entries)) {
		return nil, nil
	}
	page := o.entries[from:]
	if q.Limit > 0 && len(page) > q.Limit {
		page = page[:q.Limit]
	}
	return slices.Clone(page), nil
}

// Sweep collects every hold of owner that lapsed at or before at, with a
// ledger entry each, and returns how many it collected.
func (s *MemStore) Sweep(ctx context.Context, owner fulfill.OwnerID, at time.Time) (int, error) {
	if err := owner.Validate(); err != nil {
		return 0, err
	}
	var touch []Key
	for _, k := range s.keys(&LevelQuery{Owner: owner}) {
		c := s.cell(k)
		c.mu.Lock()
		for _, r := range c.live {
			if r.Reserved > 0 && r.Expired(at) {
				touch = append(touch, k)
				break
			}
		}
		c.mu.Unlock()
	}
	n := 0
	for _, k := range touch {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		r, err := s.Apply(ctx, &Txn{Owner: owner, Kind: KindExpire, Reason: ReasonExpired, At: at, Touch: []Key{k}})
		if err != nil {
			return n, err
		}
		n += len(r.Entries)
	}
	return n, nil
}

// Serials returns the owner's serial numbers of sku in stock, sorted.
func (s *MemStore) Serials(ctx context.Context, owner fulfill.OwnerID, sku fulfill.SKU) ([]Serial, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := owner.Validate(); err != nil {
		return nil, err
	}
	v, ok := s.serials.Load(skuKey{owner, sku})
	if !ok {
		return nil, nil
	}
	set := v.(*serialSet)
	set.mu.Lock()
	out := make([]Serial, 0, len(set.m))
	for _, r := range set.m {
		out = append(out, r)
	}
	set.mu.Unlock()
	slices.SortFunc(out, func(a, b Serial) int { return strings.Compare(a.Serial, b.Serial) })
	return out, nil
}
