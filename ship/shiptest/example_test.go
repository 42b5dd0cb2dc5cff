package shiptest_test

import (
	"testing"

	"github.com/fulfillkit/fulfill/ship"
	"github.com/fulfillkit/fulfill/ship/shiptest"
)

// A store implementation runs the suite from one of its tests, with a new
// empty store for each subtest.
func ExampleRun() {
	_ = func(t *testing.T) { // in a _test.go file: func TestStore(t *testing.T)
		shiptest.Run(t, func(t *testing.T) ship.Store {
			return new(ship.MemStore) // or a store over a fresh database schema
		})
	}
}
