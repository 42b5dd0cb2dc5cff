package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
)

// Giving stock back when an order is cancelled.
//
// The order and the inventory are two stores, written one after the other:
// first the order (the cancellation or the expiry), then the inventory (a
// Release of the held units of the order's reservations, those whose Ref
// is inventory.OrderRef of the order). Three rules keep the units from
// being lost or released twice, across retries, crashes and instances:
//
//   - Every release carries an inventory idempotency key derived from the
//     order and the version of its cancelling event ("order-stock:ID:V"),
//     so that a retried request, or another instance running the same
//     release, applies it at most once: a replayed receipt or an
//     idempotency conflict (the key applied with another plan, computed
//     from other reservations) both mean it is done.
//   - A release never takes more than the order no longer needs, as the
//     order and the reservations are now: a line gives back at most the
//     units its cancellation took, and no unit the line still needs (its
//     live units not shipped, less what its reservations commit). An order
//     cancelled or closed needs nothing, so all its held units go; those
//     releases name each reservation without a quantity ("all held"),
//     which the store evaluates under its lock, so that running one twice
//     releases nothing more.
//   - Housekeeping reconciles: each pass looks at the owner's live
//     reservations held for orders, and releases those of orders that are
//     cancelled or closed. That is the repair path when a process died, or
//     the inventory failed, between the two writes.
//
// Committed units are never released: they are being picked. They stay
// committed, and the cancel reply counts those the order no longer needs,
// so that the warehouse stops the pick; once the units are back on the
// shelf, an Unreserve of the reservation (POST /v1/reservations/unreserve)
// returns them to available.

// stockKeyPrefix starts the idempotency key of every release made for a
// cancelled order.
const stockKeyPrefix = "order-stock:"

// reconcilePage is how many orders holding stock one housekeeping pass
// looks at per owner; the next pass goes on after the last one seen.
const reconcilePage = 100

// releaseTimeout bounds the inventory write that follows a cancellation,
// which runs even if the client has gone.
const releaseTimeout = 10 * time.Second

// stockReturn is what a cancellation gave back to stock, as the cancel
// route reports it under "stock".
type stockReturn struct {
	// Released counts the held units this request released to available.
	// A replay of a request whose units were released reports 0.
	Released int64 `json:"released"`
	// Committed counts the committed units that the cancelled lines no
	// longer need: they stay committed until the warehouse puts them back.
	Committed int64 `json:"committed"`
	// Pending is set when the release failed after the order was saved. A
	// retry with the same Idempotency-Key releases the units; for an order
	// left cancelled housekeeping releases them anyway.
	Pending bool `json:"pending,omitempty"`
}

// releasePlan is the Release that gives back what one cancelling event
// frees, with what it leaves committed.
type releasePlan struct {
	parts     []inventory.Part
	key       string
	committed int64
}

// needsNothing reports whether o needs no more stock: cancelled, or closed.
func needsNothing(o *order.Order) bool {
	s := o.Status()
	return s == order.StatusCancelled || s == order.StatusClosed
}

// cancelledLines returns the lines an event cancelled, and whether it ended
// the order's need for stock whatever the lines (a whole cancellation or an
// expiry); ok is false for an event that cancels nothing.
func cancelledLines(e order.Event) (lines []order.CancelledLine, whole, ok bool) {
	switch d := e.Data.(type) {
	case order.Cancelled:
		return d.Lines, d.Whole, true
	case order.Expired:
		return d.Lines, true, true
	}
	return nil, false, false
}

// planRelease decides the release of event e of order o (as it is now),
// given the order's live reservations as seen now. A plan without parts
// releases nothing.
func planRelease(o *order.Order, e order.Event, rs []inventory.Reservation) releasePlan {
	lines, whole, ok := cancelledLines(e)
	if !ok {
		return releasePlan{}
	}
	if whole || needsNothing(o) {
		p := releaseAll(rs)
		p.key = allKey(o.ID(), e.Version, p.parts)
		return p
	}
	p := releasePlan{key: fmt.Sprintf("%s%s:%d", stockKeyPrefix, o.ID(), e.Version)}
	cancelled := map[order.LineID]int64{}
	for _, cl := range lines {
		cancelled[cl.Line] += cl.Quantity()
	}
	for _, id := range slices.Sorted(maps.Keys(cancelled)) {
		ref, k := id.String(), cancelled[id]
		var held, committed int64
		for _, r := range rs {
			if r.Line == ref {
				held += r.Reserved
				committed += r.Committed
			}
		}
		var need int64
		if l, ok := o.Line(id); ok {
			need = l.Unshipped()
		}
		spare := max(0, held+committed-need) // what the line's reservations hold beyond its need
		take := min(k, held, spare)
		p.committed += min(committed, spare-take, k-take)
		for _, r := range rs {
			if take == 0 {
				break
			}
			if r.Line != ref || r.Reserved == 0 {
				continue
			}
			q := min(take, r.Reserved)
			p.parts = append(p.parts, inventory.Part{Reservation: r.ID, Quantity: q})
			take -= q
		}
	}
	return p
}

// releaseAll plans the release of every held unit of rs, each reservation
// named without a quantity, in ID order; it counts their committed units.
func releaseAll(rs []inventory.Reservation) releasePlan {
	var p releasePlan
	for _, r := range rs {
		p.committed += r.Committed
		if r.Reserved > 0 {
			p.parts = append(p.parts, inventory.Part{Reservation: r.ID})
		}
	}
	slices.SortFunc(p.parts, func(a, b inventory.Part) int { return cmp.Compare(a.Reservation, b.Reservation) })
	return p
}

// allKey is the idempotency key of a release of every held unit of the
// reservations parts names, for the order id at version: the reservations
// are part of it, so that stock held for the order after such a release
// is released by the next one.
func allKey(id fulfill.OrderID, version int64, parts []inventory.Part) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p.Reservation))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%s%s:%d:all-%s", stockKeyPrefix, id, version, hex.EncodeToString(h.Sum(nil)[:8]))
}

// orderReservations returns the live reservations made for order id, as
// seen now: the held units of a lapsed hold count as released.
func (a *app) orderReservations(ctx context.Context, owner fulfill.OwnerID, id fulfill.OrderID) ([]inventory.Reservation, error) {
	return a.inventory.Reservations(ctx, inventory.ReservationQuery{Owner: owner, Ref: inventory.OrderRef(id), At: fulfill.Now(a.clock)})
}

// applyRelease applies a plan for the order id and returns the held units
// it released: 0 if there was nothing to release or the key had been
// applied already (by a retry or another instance).
func (a *app) applyRelease(ctx context.Context, owner fulfill.OwnerID, id fulfill.OrderID, p releasePlan) (int64, error) {
	if len(p.parts) == 0 {
		return 0, nil
	}
	rc, err := a.inventory.Apply(ctx, &inventory.Release{
		Meta:  inventory.Meta{Owner: owner, Reason: inventory.ReasonCancelled, Ref: inventory.OrderRef(id), IdempotencyKey: p.key},
		Parts: p.parts,
	})
	if errors.Is(err, inventory.ErrIdempotencyConflict) {
		return 0, nil // applied before, with a plan made from other reservations
	}
	if err != nil {
		return 0, err
	}
	if rc.Replayed {
		return 0, nil
	}
	var n int64
	for _, e := range rc.Entries {
		if e.Kind == inventory.KindRelease {
			n -= e.Delta.Reserved
		}
	}
	return n, nil
}

// releaseCancelled gives back the stock that the cancelling events of a
// command's result free, one release per event. A plan that meets
// reservations changed meanwhile (ErrInsufficientStock: units committed or
// released since they were read) is made again, twice at most.
func (a *app) releaseCancelled(ctx context.Context, owner fulfill.OwnerID, res order.Result) (stockReturn, error) {
	var out stockReturn
	for _, e := range res.Events {
		if _, _, ok := cancelledLines(e); !ok {
			continue
		}
		var err error
		for range 3 {
			var rs []inventory.Reservation
			if rs, err = a.orderReservations(ctx, owner, res.Order.ID()); err != nil {
				break
			}
			p := planRelease(res.Order, e, rs)
			var n int64
			n, err = a.applyRelease(ctx, owner, res.Order.ID(), p)
			if !errors.Is(err, inventory.ErrInsufficientStock) {
				out.Released += n
				out.Committed += p.committed
				break
			}
		}
		if err != nil {
			out.Pending = true
			return out, fmt.Errorf("releasing the stock of order %s (version %d): %w", res.Order.ID(), e.Version, err)
		}
	}
	return out, nil
}

// stockCursor remembers, per owner, the last order the reconciliation
// looked at, so that the next pass goes on from there.
type stockCursor struct {
	mu    sync.Mutex // guards after
	after map[fulfill.OwnerID]string
}

// reconcileStock releases the held units left on reservations made for
// the owner's orders that are cancelled or closed, and returns how many
// units it released. It reads the owner's live reservations once, and
// looks at up to a page of the orders they are held for (in ID order,
// after the last order the previous pass looked at, wrapping around), so
// that a pass stays bounded and every order is seen in turn. Orders that
// do not exist for the owner, and orders still live, are left alone; so
// are committed units. An error on one order does not stop the others;
// they are returned joined.
func (a *app) reconcileStock(ctx context.Context, owner fulfill.OwnerID) (int64, error) {
	live, err := a.inventory.Reservations(ctx, inventory.ReservationQuery{Owner: owner, At: fulfill.Now(a.clock)})
	if err != nil {
		return 0, err
	}
	held := map[fulfill.OrderID][]inventory.Reservation{}
	for _, r := range live {
		if r.Ref.Type == inventory.RefOrder && !r.Ref.Order.IsZero() && r.Reserved > 0 {
			held[r.Ref.Order] = append(held[r.Ref.Order], r)
		}
	}
	if len(held) == 0 {
		return 0, nil
	}
	byString := make(map[string]fulfill.OrderID, len(held))
	for id := range held {
		byString[id.String()] = id
	}
	ids := slices.Sorted(maps.Keys(byString))

	a.stock.mu.Lock()
	after := a.stock.after[owner]
	a.stock.mu.Unlock()
	start, _ := slices.BinarySearch(ids, after)
	if start < len(ids) && ids[start] == after {
		start++
	}
	page := a.reconcilePage
	if page <= 0 {
		page = reconcilePage
	}
	var (
		released int64
		errs     []error
		last     string
	)
	for i := range min(page, len(ids)) {
		if ctx.Err() != nil {
			break
		}
		last = ids[(start+i)%len(ids)]
		id := byString[last]
		o, err := a.orders.Store.Get(ctx, owner, id)
		if errors.Is(err, order.ErrNotFound) {
			continue // stock held for an order the owner does not have: its TTL, if any, frees it
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("order %s: %w", id, err))
			continue
		}
		if !needsNothing(o) {
			continue
		}
		p := releaseAll(held[id])
		p.key = allKey(id, o.Version(), p.parts)
		n, err := a.applyRelease(ctx, owner, id, p)
		released += n
		if err != nil {
			errs = append(errs, fmt.Errorf("releasing the stock of order %s: %w", id, err))
		}
	}
	if last != "" {
		a.stock.mu.Lock()
		if a.stock.after == nil {
			a.stock.after = map[fulfill.OwnerID]string{}
		}
		a.stock.after[owner] = last
		a.stock.mu.Unlock()
	}
	return released, errors.Join(errs...)
}

// expireDue expires up to limit of the owner's orders whose TTL has passed,
// as order.Service.ExpireDue does, and gives back the stock of each order
// it expires right away. It returns how many orders it expired and how
// many held units it released. An order changed since it was listed is
// skipped. A failed release does not stop the sweep: the error is
// returned, joined, with the counts, and the reconciliation releases the
// units. Without an order.Expirer store it falls back to ExpireDue and
// leaves the stock to the reconciliation.
func (a *app) expireDue(ctx context.Context, owner fulfill.OwnerID, limit int) (int, int64, error) {
	ex, ok := a.orders.Store.(order.Expirer)
	if !ok {
		n, err := a.orders.ExpireDue(ctx, owner, limit)
		return n, 0, err
	}
	ids, err := ex.ExpiringBy(ctx, owner, fulfill.Now(a.clock), limit)
	if err != nil {
		return 0, 0, err
	}
	var (
		expired  int
		released int64
		errs     []error
	)
	for _, id := range ids {
		res, err := a.orders.Execute(ctx, owner, id, "", order.ExpireRequest{})
		switch {
		case err == nil:
		case errors.Is(err, order.ErrConflict), errors.Is(err, order.ErrInvalidTransition), errors.Is(err, order.ErrNotFound):
			continue // changed since it was listed
		default:
			return expired, released, errors.Join(append(errs, err)...)
		}
		expired++
		got, err := a.releaseCancelled(ctx, owner, res)
		released += got.Released
		if err != nil {
			errs = append(errs, err)
		}
	}
	return expired, released, errors.Join(errs...)
}

// isStockKey reports whether key is one the service derives for releases,
// which clients must not use for their own stock operations.
func isStockKey(key string) bool { return strings.HasPrefix(key, stockKeyPrefix) }
