package inventory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fulfillkit/fulfill"
)

// ErrDuplicateSerial reports a serial number received while it is already
// in stock: a serial number exists at most once per owner and SKU. The
// detail is a *[SerialError].
var ErrDuplicateSerial = errors.New("inventory: duplicate serial number")

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

// SerialStore is an optional capability of a [Store]: tracking serial
// numbers. A SerialStore passes [State].Serials to [Compute] (the current
// level of every serial number a Txn names) and saves [Outcome].Serials
// with the rest of the Txn, atomically, so that a serial number is in stock
// at most once. It locks serial numbers after levels and before the ledger.
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

// validateSerial checks a serial number's text.
func validateSerial(s string) error {
	if err := fulfill.SKU(s).Validate(); err != nil {
		return invalid("serial", s, "not a usable serial number")
	}
	return nil
}

// serialChanges checks t's serial changes against st and returns the
// serial records to save and, per level, the serial numbers moved in or
// out of it.
func serialChanges(t *Txn, st State, steps []Step, stepKeys []Key) ([]Serial, map[Key][]string, error) {
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
			return nil, nil, &SerialError{ID: id, At: at, Err: ErrDuplicateSerial}
		case c.From != (Key{}) && (!ok || at != c.From):
			return nil, nil, &SerialError{ID: id, At: at, Want: c.From, Err: ErrNotFound}
		}
		if c.To == (Key{}) {
			delete(cur, id)
		} else {
			cur[id] = c.To
		}
		if c.From != (Key{}) {
			moved[c.From] = append(moved[c.From], c.Serial)
		}
		if c.To != (Key{}) && c.To != c.From {
			moved[c.To] = append(moved[c.To], c.Serial)
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
	return out, moved, nil
}
