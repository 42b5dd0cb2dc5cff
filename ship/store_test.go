package ship_test

import (
	"testing"

	"github.com/fulfillkit/fulfill/ship"
	"github.com/fulfillkit/fulfill/ship/shiptest"
)

func TestMemStore(t *testing.T) {
	shiptest.Run(t, func(*testing.T) ship.Store { return &ship.MemStore{} })
}
