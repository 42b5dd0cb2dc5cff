package postgres

import (
	"testing"

	"github.com/fulfillkit/fulfill/returns"
	"github.com/fulfillkit/fulfill/returns/returnstest"
)

func TestReturnConformance(t *testing.T) {
	testURL(t)
	t.Parallel()
	returnstest.Run(t, func(t *testing.T) returns.Store {
		return NewReturnStore(testDB(t))
	})
}
