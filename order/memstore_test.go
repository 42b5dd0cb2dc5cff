package order_test

import (
	"testing"

	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/order/ordertest"
)

func TestMemStore(t *testing.T) {
	ordertest.Run(t, func(t *testing.T) order.Store { return new(order.MemStore) })
}

func TestJSONStore(t *testing.T) {
	ordertest.Run(t, func(t *testing.T) order.Store { return newJSONStore() })
}
