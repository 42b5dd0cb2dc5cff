package postgres

import (
	"testing"

	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/order/ordertest"
)

func TestOrderConformance(t *testing.T) {
	testURL(t)
	t.Parallel()
	ordertest.Run(t, func(t *testing.T) order.Store {
		return NewOrderStore(testDB(t))
	})
}
