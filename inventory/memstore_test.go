package inventory_test

import (
	"testing"

	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/inventory/inventorytest"
)

func TestMemStoreConformance(t *testing.T) {
	inventorytest.Run(t, func(*testing.T) inventory.Store { return new(inventory.MemStore) })
}
