package returns

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
)

// Inventory applies inventory operations. [*inventory.Inventory] is one:
// dispositions become [inventory.Receive] operations on it. Apply must be
// idempotent on the operation's IdempotencyKey (a retry returns the first
// receipt) and safe for concurrent use.
type Inventory interface {
	Apply(ctx context.Context, op inventory.Operation) (*inventory.Receipt, error)
}

// ReasonReturnToVendor is the inventory reason recorded for units held for
// a return to their vendor; the other dispositions record
// [inventory.ReasonReturn].
const ReasonReturnToVendor inventory.Reason = "return_to_vendor"

// DisposeRequest decides what happens to units that came back.
type DisposeRequest struct {
	Lines []DisposeLine `json:"lines"`
}

// DisposeLine gives Quantity units of return line Line a disposition at
// Location (required, except to dispose). The units are the line's first
// present units without a disposition that are graded (or are a wrong
// item). Only resellable units of the SKU sold may be restocked; a wrong
// item may only be quarantined (its SKU must be known) or disposed of.
type DisposeLine struct {
	Line        int                `json:"line"`
	Quantity    int64              `json:"quantity"`
	Disposition Disposition        `json:"disposition"`
	Location    fulfill.LocationID `json:"location,omitempty"`
}

// bucket returns the inventory bucket and reason a disposition receives
// units into, or false if it does not enter stock.
func (d Disposition) bucket() (inventory.Bucket, inventory.Reason, bool) {
	switch d {
	case DispositionRestock:
		return inventory.BucketAvailable, inventory.ReasonReturn, true
	case DispositionQuarantine:
		return inventory.BucketQuarantine, inventory.ReasonReturn, true
	case DispositionRefurbish:
		return inventory.BucketDamaged, inventory.ReasonReturn, true
	case DispositionReturnToVendor:
		return inventory.BucketDamaged, ReasonReturnToVendor, true
	}
	return "", "", false
}

// stockKey groups units that one inventory operation receives.
type stockKey struct {
	sku      fulfill.SKU
	location fulfill.LocationID
	d        Disposition
}

// Dispose gives units their disposition and applies it to inventory: one
// [inventory.Receive] per SKU, location and disposition, into available
// stock (restock), quarantine (quarantine) or damaged (refurbish, return to
// vendor); disposed units never enter stock. Every present unit gets
// exactly one disposition; a unit that has one is never taken again.
//
// The return changes only once every operation succeeded. Each operation
// carries an idempotency key derived from the return and its event
// sequence, so calling Dispose again with the same request after a
// failure re-applies nothing twice. A refused operation returns a
// *[DispositionError].
func (r *Return) Dispose(ctx context.Context, inv Inventory, now time.Time, req DisposeRequest) ([]Event, error) {
	if err := r.Can(ActionDispose); err != nil {
		return nil, err
	}
	if inv == nil {
		return nil, invalid("inventory", "", "required")
	}
	if len(req.Lines) == 0 {
		return nil, invalid("lines", "", "at least one line required")
	}
	c := r.Clone()
	var units []UnitChange
	counts := map[stockKey]int64{}
	var order []stockKey
	for i, dl := range req.Lines {
		f := "lines[" + strconv.Itoa(i) + "]"
		l, err := c.linePtr(f, dl.Line)
		if err != nil {
			return nil, err
		}
		if !dl.Disposition.Valid() {
			return nil, invalid(f+".disposition", string(dl.Disposition), "unknown disposition")
		}
		_, _, stocked := dl.Disposition.bucket()
		if stocked {
			if err := dl.Location.Validate(); err != nil {
				return nil, err
			}
		}
		ready := func(u Unit) bool {
			return u.Disposition == "" && (u.Outcome == OutcomeWrongItem || (u.Outcome == OutcomeReceived && u.Grade != ""))
		}
		idx := l.take(dl.Quantity, ready)
		if idx == nil {
			return nil, &QuantityError{Line: "return line " + strconv.Itoa(l.No), What: "dispose", Available: l.count(ready), Requested: dl.Quantity}
		}
		for _, u := range idx {
			unit := &l.Units[u]
			sku := l.SKU
			switch {
			case unit.Outcome == OutcomeWrongItem && dl.Disposition != DispositionQuarantine && dl.Disposition != DispositionDispose:
				return nil, invalid(f+".disposition", string(dl.Disposition), "a wrong item may only be quarantined or disposed of")
			case unit.Outcome == OutcomeWrongItem && dl.Disposition == DispositionQuarantine && unit.ReceivedSKU == "":
				return nil, invalid(f+".disposition", string(dl.Disposition), "the wrong item's SKU is not known; dispose of it")
			case unit.Outcome == OutcomeWrongItem:
				sku = unit.ReceivedSKU
			case dl.Disposition == DispositionRestock && unit.Grade != GradeResellable:
				return nil, invalid(f+".disposition", string(dl.Disposition), fmt.Sprintf("unit %d is graded %s, not resellable", u+1, unit.Grade))
			}
			unit.Disposition, unit.DisposedAt = dl.Disposition, now
			if stocked {
				unit.Location = dl.Location
				k := stockKey{sku, dl.Location, dl.Disposition}
				if _, ok := counts[k]; !ok {
					order = append(order, k)
				}
				counts[k]++
			}
			units = append(units, l.change(u))
		}
	}
	for _, k := range order {
		into, reason, _ := k.d.bucket()
		op := &inventory.Receive{
			Meta: inventory.Meta{Owner: r.owner, Reason: reason,
				Ref:            inventory.Reference{Type: inventory.RefReturn, ID: string(r.id), Order: r.order},
				IdempotencyKey: fmt.Sprintf("return:%s:%d:%s:%s:%s", r.id, r.seq+1, k.d, k.sku, k.location)},
			Key:      inventory.Key{Owner: r.owner, SKU: k.sku, Location: k.location},
			Quantity: counts[k],
			Into:     into,
		}
		if _, err := inv.Apply(ctx, op); err != nil {
			return nil, &DispositionError{Disposition: k.d, SKU: k.sku, Location: k.location, Err: err}
		}
	}
	e := c.event(now, EventDisposed, r.status, c.status, "")
	e.Units = units
	c.updated = now
	*r = *c
	return []Event{e}, nil
}
