package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
)

// expirePage is how many due orders one ExpireDue call expires at most; a
// pass calls it again until nothing is left.
const expirePage = 100

// ledgerPage is how many ledger entries a pass reads at a time when it
// looks for the entries to trim.
const ledgerPage = 500

// housekept counts what one housekeeping pass did, over every owner.
type housekept struct {
	Swept    int              // lapsed holds collected
	Expired  int              // orders expired after their TTL
	Released int64            // held units given back for expired, cancelled or closed orders
	Pruned   inventory.Pruned // closed reservations and idempotency records dropped
	Trimmed  int              // ledger entries dropped
	Replies  int              // replies dropped from the Idempotency-Key cache
	Orders   ordersPruned     // the order store's idempotency records and events dropped
}

// ordersPruned counts what housekeeping dropped from the order store.
type ordersPruned struct {
	Keys   int // idempotency records
	Events int // events of the outbox
}

// empty reports whether the pass did nothing.
func (h housekept) empty() bool { return h == housekept{} }

// keepHouse runs a housekeeping pass every period until ctx is done, and
// returns once the pass under way, if any, has stopped. A period <= 0
// disables it: it returns at once. A pass's errors are logged and the next
// pass runs as planned; none ends the loop.
func (a *app) keepHouse(ctx context.Context, every time.Duration) {
	if every <= 0 {
		a.log.Info("housekeeping disabled: lapsed holds are collected only when their level changes, orders never expire, and nothing is pruned")
		return
	}
	a.log.Debug("housekeeping", "every", every, "retention", a.retention)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := a.housekeepSafely(ctx); err != nil && ctx.Err() == nil {
			a.log.ErrorContext(ctx, "housekeeping", "error", err)
		}
	}
}

// housekeepSafely is housekeep with a panic turned into an error, so that
// a bug met in the background cannot bring the service down.
func (a *app) housekeepSafely(ctx context.Context) (h housekept, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("housekeeping panicked: %v", r)
		}
	}()
	return a.housekeep(ctx)
}

// housekeep runs one housekeeping pass, for every owner an API key maps
// to: it collects the lapsed inventory holds, expires every order whose
// TTL has passed and gives its held stock back, releases the held stock
// left on reservations of cancelled or closed orders (a page of orders
// per pass, see reconcileStock), and, with a retention, drops what the
// stock and order stores keep of work finished before now minus the
// retention, and the replies kept for Idempotency-Key.
// It goes on past an error, to the next step and the next owner, and
// returns what it did with the errors joined. It stops early if ctx is
// done.
//
// Several instances over one database may run passes at the same time:
// a hold or an order is collected or expired by one of them, and an
// order's stock released once.
func (a *app) housekeep(ctx context.Context) (housekept, error) {
	var (
		h    housekept
		errs []error
	)
	start, now := time.Now(), fulfill.Now(a.clock)
	var cutoff time.Time
	if a.retention > 0 {
		cutoff = now.Add(-a.retention)
	}
	// Both stores of the library can trim and prune; a store of the
	// host's own may not.
	trimmer, _ := a.inventory.Store().(interface {
		inventory.Store
		inventory.LedgerTrimmer
	})
	pruner, _ := a.inventory.Store().(inventory.Pruner)
	orderKeys, _ := a.orders.Store.(order.IdempotencyPruner)
	orderEvents, _ := a.orders.Store.(order.EventTrimmer)
	for _, owner := range a.keys.distinctOwners() {
		if ctx.Err() != nil {
			break
		}
		var did housekept
		fail := func(step string, err error) {
			errs = append(errs, fmt.Errorf("owner %s: %s: %w", owner, step, err))
		}

		n, err := a.inventory.Sweep(ctx, owner)
		did.Swept = n
		if err != nil {
			fail("collecting lapsed holds", err)
		}

		for ctx.Err() == nil {
			n, released, err := a.expireDue(ctx, owner, a.expirePageSize())
			did.Expired += n
			did.Released += released
			if err != nil {
				fail("expiring orders", err)
				break
			}
			if n == 0 {
				break
			}
		}

		if ctx.Err() == nil {
			released, err := a.reconcileStock(ctx, owner)
			did.Released += released
			if err != nil {
				fail("releasing the stock of cancelled orders", err)
			}
		}

		if !cutoff.IsZero() {
			// The service may trim the ledger: it neither serves the
			// ledger to anyone nor relays it (Inventory.Reconcile and
			// Inventory.Arrivals carry on from the stores' checkpoints). A
			// host that adds a ledger feed or a relay must trim only
			// through what those have read.
			if trimmer != nil {
				n, err := trimLedger(ctx, trimmer, owner, cutoff)
				did.Trimmed = n
				if err != nil {
					fail("trimming the ledger", err)
				}
			}
			if pruner != nil {
				p, err := pruner.Prune(ctx, owner, cutoff)
				did.Pruned = p
				if err != nil {
					fail("pruning the stock records", err)
				}
			}
			// Nothing reads the orders' outbox either: the service
			// publishes no events.
			if orderEvents != nil {
				n, err := trimOrderEvents(ctx, a.orders.Store, orderEvents, owner, cutoff)
				did.Orders.Events = n
				if err != nil {
					fail("trimming the order events", err)
				}
			}
			if orderKeys != nil {
				n, err := orderKeys.PruneIdempotency(ctx, owner, cutoff)
				did.Orders.Keys = n
				if err != nil {
					fail("pruning the order idempotency records", err)
				}
			}
		}

		if !did.empty() {
			a.log.InfoContext(ctx, "housekeeping", "owner", owner, "holds_collected", did.Swept,
				"orders_expired", did.Expired, "units_released", did.Released, "ledger_trimmed", did.Trimmed,
				"reservations_pruned", did.Pruned.Reservations, "idempotency_keys_pruned", did.Pruned.IdempotencyKeys,
				"order_events_trimmed", did.Orders.Events, "order_keys_pruned", did.Orders.Keys)
		}
		h.Swept += did.Swept
		h.Expired += did.Expired
		h.Released += did.Released
		h.Trimmed += did.Trimmed
		h.Pruned.Reservations += did.Pruned.Reservations
		h.Pruned.IdempotencyKeys += did.Pruned.IdempotencyKeys
		h.Orders.Keys += did.Orders.Keys
		h.Orders.Events += did.Orders.Events
	}
	if !cutoff.IsZero() && ctx.Err() == nil {
		h.Replies = a.idem.prune(cutoff)
		if h.Replies > 0 {
			a.log.InfoContext(ctx, "housekeeping", "replies_pruned", h.Replies)
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	err := errors.Join(errs...)
	a.log.DebugContext(ctx, "housekeeping pass", "holds_collected", h.Swept, "orders_expired", h.Expired,
		"units_released", h.Released,
		"ledger_trimmed", h.Trimmed, "reservations_pruned", h.Pruned.Reservations,
		"order_events_trimmed", h.Orders.Events, "order_keys_pruned", h.Orders.Keys,
		"idempotency_keys_pruned", h.Pruned.IdempotencyKeys, "replies_pruned", h.Replies,
		"failed", err != nil, "took", time.Since(start))
	return h, err
}

// expirePageSize is the page size of ExpireDue, expirePage unless a test
// set another.
func (a *app) expirePageSize() int {
	if a.expirePage > 0 {
		return a.expirePage
	}
	return expirePage
}

// trimLedger drops the owner's ledger entries from the first one up to,
// not including, the first dated at or after before, and returns how many
// it dropped. An entry dated before the cutoff but appended after one
// dated at or after it is kept, so nothing newer than the cutoff goes.
func trimLedger(ctx context.Context, s interface {
	inventory.Store
	inventory.LedgerTrimmer
}, owner fulfill.OwnerID, before time.Time) (int, error) {
	var through, after int64
	for {
		page, err := s.Ledger(ctx, inventory.LedgerQuery{Owner: owner, After: after, Limit: ledgerPage})
		if err != nil {
			return 0, err
		}
		i := slices.IndexFunc(page, func(e inventory.Entry) bool { return !e.At.Before(before) })
		if i >= 0 {
			page = page[:i]
		}
		if len(page) > 0 {
			through = page[len(page)-1].Seq
		}
		if i >= 0 || len(page) < ledgerPage {
			break
		}
		after = through
	}
	if through == 0 {
		return 0, nil
	}
	return s.TrimLedger(ctx, owner, through)
}

// trimOrderEvents drops the owner's order events from the first one up
// to, not including, the first dated at or after before, and returns how
// many it dropped.
func trimOrderEvents(ctx context.Context, s order.Store, t order.EventTrimmer, owner fulfill.OwnerID, before time.Time) (int, error) {
	var through, after order.Position
	for {
		page, err := s.EventsAfter(ctx, owner, after, ledgerPage)
		if err != nil {
			return 0, err
		}
		i := slices.IndexFunc(page, func(e order.StoredEvent) bool { return !e.Event.At.Before(before) })
		if i >= 0 {
			page = page[:i]
		}
		if len(page) > 0 {
			through = page[len(page)-1].Position
		}
		if i >= 0 || len(page) < ledgerPage {
			break
		}
		after = through
	}
	if through == 0 {
		return 0, nil
	}
	return t.TrimEvents(ctx, owner, through)
}

// distinctOwners returns the owners the keys map to, each once, in the
// order the keys were given.
func (k *keyring) distinctOwners() []fulfill.OwnerID {
	var out []fulfill.OwnerID
	for _, o := range k.owners {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}
