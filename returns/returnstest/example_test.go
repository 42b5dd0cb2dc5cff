package returnstest_test

import (
	"testing"

	"github.com/fulfillkit/fulfill/returns"
	"github.com/fulfillkit/fulfill/returns/returnstest"
)

// A store implementation runs the suite from one of its tests, with a new
// empty store for each subtest.
func ExampleRun() {
	_ = func(t *testing.T) { // in a _test.go file: func TestStore(t *testing.T)
		returnstest.Run(t, func(t *testing.T) returns.Store {
			return new(returns.MemStore) // or a store over a fresh database schema
		})
	}
}
