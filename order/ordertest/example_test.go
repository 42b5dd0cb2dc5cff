package ordertest_test

import (
	"testing"

	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/order/ordertest"
)

// A store implementation runs the suite from one of its tests, with a new
// empty store for each subtest.
func ExampleRun() {
	_ = func(t *testing.T) { // in a _test.go file: func TestStore(t *testing.T)
		ordertest.Run(t, func(t *testing.T) order.Store {
			return new(order.MemStore) // or a store over a fresh database schema
		})
	}
}
