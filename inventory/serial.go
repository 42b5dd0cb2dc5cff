package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Kinds of serial-number error. Match them with [errors.Is].
var (
	// ErrDuplicateSerial reports a serial number received while it is
	// already in stock: a serial number exists at most once per owner and
	// SKU. The detail is a *[SerialError].
	ErrDuplicateSerial = errors.New("inventory: duplicate serial number")
	// ErrSerialCount reports an operation that would leave a level with
	// more serial numbers in stock than units (see [SerialCountError] for
	// the rule). The detail is a *[SerialCountError].
	ErrSerialCount = errors.New("inventory: more serial numbers than units")
)

// SerialID identifies one serialised unit: an owner's SKU and its serial
// number.
type SerialID struct {
	Owner  fulfill.OwnerID `json:"owner"`
	SKU    fulfill.SKU     `json:"sku"`
	Serial string          `json:"serial"`
}

// Serial is a serialised unit in stock and the level it is at.
type Serial struct {
	SerialID
	// Key is the level the unit is at; the zero Key in an [Outcome] means
	// the unit left stock (shipped or written off).
	Key     Key       `json:"key"`
	Updated time.Time `json:"updated"`
}

// SerialChange moves one serial number of a [Txn]: a zero From is a new
// unit (received or found), a zero To is a unit leaving stock (written off).
// From and To are levels of the same SKU.
type SerialChange struct {
	Serial string `json:"serial"`
	From   Key    `json:"from,omitzero"`
	To     Key    `json:"to,omitzero"`
}

// SerialError reports a serial number that is not where an operation says:
// already in stock (wrapping [ErrDuplicateSerial]) or not at the level it
// should leave (wrapping [ErrNotFound]).
type SerialError struct {
	ID   SerialID
	At   Key   // where the serial is; zero if not in stock
	Want Key   // where the operation expected it; zero for a new unit
	Err  error // ErrDuplicateSerial or ErrNotFound
}

// Error names the serial number and both places.
func (e *SerialError) Error() string {
	if errors.Is(e.Err, ErrDuplicateSerial) {
		return fmt.Sprintf("inventory: serial %q of %s already in stock at %s", e.ID.Serial, e.ID.SKU, e.At)
	}
	return fmt.Sprintf("inventory: serial %q of %s not at %s", e.ID.Serial, e.ID.SKU, e.Want)
}

// Unwrap returns the kind of error.
func (e *SerialError) Unwrap() error { return e.Err }

// SerialCountError reports a level that an operation would leave with more
// serial numbers in stock than units. The units of a level, for serial
// numbers, are its on-hand units plus its in-transit units: a [Transfer]
// moves the serial numbers of the units it ships to the destination level
// at once, where they are in transit until received. Incoming units carry
// no serial numbers.
//
// The rule, checked by [Compute] on every level where an operation lowers
// on-hand or in-transit units or brings serial numbers in: afterwards the
// level holds no more serial numbers than units. A level that already holds
// more (stock recorded before the rule was checked) must not get worse: an
// operation there may only narrow the gap. Units without serial numbers
// may sit beside serialised ones, so the rule is "at most", not "exactly".
// It unwraps to [ErrSerialCount].
type SerialCountError struct {
	Key       Key   // the level: owner, SKU, location and lot
	Serials   int64 // the serial numbers the level would hold
	OnHand    int64 // the on-hand units it would hold
	InTransit int64 // the in-transit units it would hold
}

// Error names the level and the three quantities.
func (e *SerialCountError) Error() string {
	return fmt.Sprintf("inventory: %s would hold %d serial numbers but only %d units (%d on hand, %d in transit)",
		e.Key, e.Serials, satAdd(e.OnHand, e.InTransit), e.OnHand, e.InTransit)
}

// Unwrap returns [ErrSerialCount].
func (e *SerialCountError) Unwrap() error { return ErrSerialCount }

// SerialStore is an optional capability of a [Store]: tracking serial
// numbers. A SerialStore passes [State].Serials to [Compute] (the current
// level of every serial number a Txn names) and [State].SerialCounts (how
// many serial numbers each level of [Txn.SerialLevels] holds), and saves
// [Outcome].Serials with the rest of the Txn, atomically, so that a serial
// number is in stock at most once and no level holds more serial numbers
// than units (see [SerialCountError]). It locks serial numbers after levels
// and before the ledger.
// [Inventory.Apply] refuses operations with serial numbers on a store that
// is not a SerialStore.
type SerialStore interface {
	Store
	// Serials returns the owner's serial numbers of sku in stock, sorted.
	Serials(ctx context.Context, owner fulfill.OwnerID, sku fulfill.SKU) ([]Serial, error)
}

// hasSerials reports whether t moves any serial number.
func (t *Txn) hasSerials() bool {
	if len(t.Serials) > 0 {
		return true
	}
	for _, s := range t.Steps {
		if len(s.Serials) > 0 {
			return true
		}
	}
	return false
}

// SerialIDs returns the serial numbers t names, given the key of each
// reservation its steps name (see [Txn.Keys]), in order without duplicates.
func (t *Txn) SerialIDs(keyOf func(id string) (Key, bool)) []SerialID {
	var out []SerialID
	seen := map[SerialID]bool{}
	addID := func(id SerialID) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, c := range t.Serials {
		k := c.From
		if k == (Key{}) {
			k = c.To
		}
		addID(SerialID{Owner: t.Owner, SKU: k.SKU, Serial: c.Serial})
	}
	for _, s := range t.Steps {
		if k, ok := keyOf(s.Reservation); ok {
			for _, n := range s.Serials {
				addID(SerialID{Owner: t.Owner, SKU: k.SKU, Serial: n})
			}
		}
	}
	return out
}

// SerialLevels returns the levels whose serial numbers [Compute] counts
// against their units (see [SerialCountError]), given the key of each
// reservation its steps name (see [Txn.Keys]): those where t may lower
// on-hand or in-transit units (a change taking units out of either, a
// consume) and those its serial numbers move to. They are sorted in lock
// order, without duplicates, and are among [Txn.Keys].
func (t *Txn) SerialLevels(keyOf func(id string) (Key, bool)) []Key {
	var ks []Key
	for _, c := range t.Changes {
		if c.Delta.OnHand < 0 || c.Delta.InTransit < 0 {
			ks = append(ks, c.Key)
		}
	}
	for _, s := range t.Steps {
		if s.Kind != KindConsume {
			continue
		}
		if k, ok := keyOf(s.Reservation); ok {
			ks = append(ks, k)
		}
	}
	for _, c := range t.Serials {
		if c.To != (Key{}) {
			ks = append(ks, c.To)
		}
	}
	slices.SortFunc(ks, Key.Compare)
	return slices.Compact(ks)
}

// checkSerialCounts applies the rule of [SerialCountError] to levels, a
// Txn's [Txn.SerialLevels]: before and after are the levels' buckets around
// the Txn, net the change it makes to each level's serial numbers.
func checkSerialCounts(st State, levels []Key, before, after map[Key]Buckets, net map[Key]int64) error {
	for _, k := range levels {
		was := st.SerialCounts[k]
		now, ok := add(was, net[k])
		if !ok {
			return overflow("serial count", was, net[k])
		}
		a := after[k]
		unitsAfter := satAdd(a.OnHand, a.InTransit)
		if now <= unitsAfter {
			continue
		}
		gap := now - unitsAfter // now > unitsAfter >= 0, so no overflow
		b := before[k]
		if unitsBefore := satAdd(b.OnHand, b.InTransit); was > unitsBefore && gap <= was-unitsBefore {
			continue // an old gap, not widened
		}
		return &SerialCountError{Key: k, Serials: now, OnHand: a.OnHand, InTransit: a.InTransit}
	}
	return nil
}

// validateSerial checks a serial number's text.
func validateSerial(s string) error {
	if err := fulfill.SKU(s).Validate(); err != nil {
		return invalid("serial", s, "not a usable serial number")
	}
	return nil
}

// serialChanges checks t's serial changes against st and returns the
// serial records to save, per level the serial numbers moved in or out of
// it, and per level the net change to the serial numbers it holds.
func serialChanges(t *Txn, st State, steps []Step, stepKeys []Key) ([]Serial, map[Key][]string, map[Key]int64, error) {
	cur := map[SerialID]Key{}
	for id, k := range st.Serials {
		cur[id] = k
	}
	var changes []SerialChange
	changes = append(changes, t.Serials...)
	for i, s := range steps {
		for _, n := range s.Serials {
			changes = append(changes, SerialChange{Serial: n, From: stepKeys[i]})
		}
	}
	moved := map[Key][]string{}
	net := map[Key]int64{}
	touched := map[SerialID]bool{}
	var order []SerialID
	for _, c := range changes {
		k := c.From
		if k == (Key{}) {
			k = c.To
		}
		id := SerialID{Owner: t.Owner, SKU: k.SKU, Serial: c.Serial}
		at, ok := cur[id]
		switch {
		case c.From == (Key{}) && ok:
			return nil, nil, nil, &SerialError{ID: id, At: at, Err: ErrDuplicateSerial}
		case c.From != (Key{}) && (!ok || at != c.From):
			return nil, nil, nil, &SerialError{ID: id, At: at, Want: c.From, Err: ErrNotFound}
		}
		if c.To == (Key{}) {
			delete(cur, id)
		} else {
			cur[id] = c.To
		}
		if c.From != (Key{}) {
			moved[c.From] = append(moved[c.From], c.Serial)
			net[c.From]--
		}
		if c.To != (Key{}) {
			if c.To != c.From {
				moved[c.To] = append(moved[c.To], c.Serial)
			}
			net[c.To]++
		}
		if !touched[id] {
			touched[id] = true
			order = append(order, id)
		}
	}
	var out []Serial
	for _, id := range order {
		out = append(out, Serial{SerialID: id, Key: cur[id], Updated: t.At})
	}
	return out, moved, net, nil
}
