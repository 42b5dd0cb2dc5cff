package inventorytest_test

import (
	"testing"

	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/inventory/inventorytest"
)

// A store implementation runs the suite from one of its tests, with a new
// empty store for each subtest.
func ExampleRun() {
	_ = func(t *testing.T) { // in a _test.go file: func TestStore(t *testing.T)
		inventorytest.Run(t, func(t *testing.T) inventory.Store {
			return new(inventory.MemStore) // or a store over a fresh database schema
		})
	}
}

func TestRunWithOptions(t *testing.T) {
	inventorytest.RunWith(t, func(*testing.T) inventory.Store { return inventory.NewMemStore() },
		inventorytest.Options{Goroutines: 4, Steps: 80, Seed: 7})
}
