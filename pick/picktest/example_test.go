package picktest_test

import (
	"testing"

	"github.com/fulfillkit/fulfill/pick"
	"github.com/fulfillkit/fulfill/pick/picktest"
)

// A router or batcher of one's own runs the suites from its tests: every
// route must verify and never beat the optimum, every batching must place
// each order once within capacity.
func ExampleRouter() {
	_ = func(t *testing.T) { // in a _test.go file: func TestMyRouter(t *testing.T)
		picktest.Router(t, pick.TwoOpt{})
		picktest.Batcher(t, pick.Savings{})
	}
}
