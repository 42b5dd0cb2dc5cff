package inventory

import (
	"context"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Channel is a sales channel's view of stock: a marketplace or storefront
// is offered a share of the available units at its eligible locations, less
// a buffer kept back. The zero Channel publishes everything, everywhere.
type Channel struct {
	Name string `json:"name"`
	// Locations are the locations whose stock the channel sells; empty
	// means every location.
	Locations []fulfill.LocationID `json:"locations,omitempty"`
	// Percent is the share of available units published, 1 to 100; 0 means
	// 100. Shares round down.
	Percent int64 `json:"percent,omitempty"`
	// Buffer is the number of units kept back after the share is taken.
	Buffer int64 `json:"buffer,omitempty"`
}

// Validate reports whether c is usable.
func (c Channel) Validate() error {
	if c.Percent < 0 || c.Percent > 100 {
		return invalid("percent", itoa(c.Percent), "must be 0 to 100")
	}
	if c.Buffer < 0 {
		return invalid("buffer", itoa(c.Buffer), "negative")
	}
	for _, l := range c.Locations {
		if err := l.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Publish returns what the channel offers of available units: the share
// (rounded down) less the buffer, never below zero.
func (c Channel) Publish(available int64) int64 {
	if available <= 0 {
		return 0
	}
	p := c.Percent
	if p == 0 || p > 100 {
		p = 100
	}
	share := available/100*p + available%100*p/100
	if share -= c.Buffer; share < 0 {
		return 0
	}
	return share
}

// Available returns the units of sku the channel may sell, given levels
// seen at at: the available units of unexpired levels at its locations,
// published by [Channel.Publish].
func (c Channel) Available(levels []Level, sku fulfill.SKU, at time.Time) int64 {
	var total int64
	for _, l := range levels {
		if l.SKU != sku || l.Expired(at) || (len(c.Locations) > 0 && !slices.Contains(c.Locations, l.Location)) {
			continue
		}
		if a := l.Available(); a > 0 {
			total = satAdd(total, a)
		}
	}
	return c.Publish(total)
}

// ChannelChanged is the event of a channel's available-to-sell quantity of
// a SKU changing, for syncing a storefront or a marketplace.
type ChannelChanged struct {
	Channel string          `json:"channel"`
	Owner   fulfill.OwnerID `json:"owner"`
	SKU     fulfill.SKU     `json:"sku"`
	Before  int64           `json:"before"`
	After   int64           `json:"after"`
	At      time.Time       `json:"at"`
}

// ChannelAvailable returns the units of sku the channel may sell now.
func (inv *Inventory) ChannelAvailable(ctx context.Context, owner fulfill.OwnerID, sku fulfill.SKU, c Channel) (int64, error) {
	if err := c.Validate(); err != nil {
		return 0, err
	}
	now := fulfill.Now(inv.clock)
	ls, err := inv.store.Levels(ctx, LevelQuery{Owner: owner, SKUs: []fulfill.SKU{sku}, At: now})
	if err != nil {
		return 0, err
	}
	return c.Available(ls, sku, now), nil
}

// ChannelChanges turns a receipt's availability events into channel
// events: for each SKU the receipt changed and each channel, the
// available-to-sell before and after, where they differ. After is computed
// from the levels as they are now, Before from the same levels with the
// receipt's changes taken back.
func (inv *Inventory) ChannelChanges(ctx context.Context, r *Receipt, channels []Channel) ([]ChannelChanged, error) {
	for _, c := range channels {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	type skuKey struct {
		owner fulfill.OwnerID
		sku   fulfill.SKU
	}
	var order []skuKey
	before := map[Key]int64{}
	var at time.Time
	for _, e := range r.Events {
		sk := skuKey{e.Key.Owner, e.Key.SKU}
		if !slices.Contains(order, sk) {
			order = append(order, sk)
		}
		before[e.Key] = e.Before
		at = e.At
	}
	var out []ChannelChanged
	now := fulfill.Now(inv.clock)
	for _, sk := range order {
		ls, err := inv.store.Levels(ctx, LevelQuery{Owner: sk.owner, SKUs: []fulfill.SKU{sk.sku}, At: now})
		if err != nil {
			return nil, err
		}
		old := slices.Clone(ls)
		seen := map[Key]bool{}
		for i := range old {
			if b, ok := before[old[i].Key]; ok {
				seen[old[i].Key] = true
				old[i].Buckets = Buckets{OnHand: b}
			}
		}
		for k, b := range before {
			if k.Owner == sk.owner && k.SKU == sk.sku && !seen[k] {
				old = append(old, Level{Key: k, Buckets: Buckets{OnHand: b}, Version: 1})
			}
		}
		for _, c := range channels {
			a, b := c.Available(old, sk.sku, now), c.Available(ls, sk.sku, now)
			if a != b {
				out = append(out, ChannelChanged{Channel: c.Name, Owner: sk.owner, SKU: sk.sku, Before: a, After: b, At: at})
			}
		}
	}
	return out, nil
}
