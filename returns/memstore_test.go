package returns_test

import (
	"testing"

	"github.com/fulfillkit/fulfill/returns"
	"github.com/fulfillkit/fulfill/returns/returnstest"
)

func TestMemStore(t *testing.T) {
	returnstest.Run(t, func(*testing.T) returns.Store { return new(returns.MemStore) })
}
