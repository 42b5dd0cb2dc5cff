// Package ordertest checks implementations of [order.Store] against the
// contract written in its documentation, as [testing/fstest] does for file
// systems. A store's own tests call [Run] with a constructor:
//
//	func TestStore(t *testing.T) {
//		ordertest.Run(t, func(t *testing.T) order.Store { return newTestStore(t) })
//	}
package ordertest
