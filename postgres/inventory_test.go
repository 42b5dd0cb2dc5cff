package postgres

import (
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/inventory/inventorytest"
)

func TestInventoryConformance(t *testing.T) {
	testURL(t)
	t.Parallel()
	inventorytest.Run(t, func(t *testing.T) inventory.Store {
		return NewInventoryStore(testDB(t), nil)
	})
}

// TestInventoryConformanceSplit runs the suite with every level spread
// over three sub-rows.
func TestInventoryConformanceSplit(t *testing.T) {
	testURL(t)
	t.Parallel()
	inventorytest.Run(t, func(t *testing.T) inventory.Store {
		return NewInventoryStore(testDB(t), &InventoryOptions{Shards: func(inventory.Key) int { return 3 }})
	})
}

func inventoryLedgerQuery(owner fulfill.OwnerID) inventory.LedgerQuery {
	return inventory.LedgerQuery{Owner: owner}
}
