package carriertest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/fulfillkit/fulfill/carrier"
)

// Conformance checks that c keeps the [carrier.Carrier] contract for req, a
// request c can rate:
//
//   - Rate returns quotes (or a *carrier.NoRateError), each naming its
//     service and priced with a currency, never negative;
//   - a request without packages is refused with carrier.ErrInvalidRequest;
//   - a cancelled context makes Rate return an error;
//   - Rate does not modify the request;
//   - concurrent calls are safe (run the test with -race) and agree;
//   - if c (or a carrier it wraps) is a [carrier.Labeler], buying twice with
//     one idempotency key returns the same label, and another key another
//     label.
//
// It is meant for every carrier integration's tests, in the style of
// testing/fstest.TestFS.
func Conformance(t *testing.T, c carrier.Carrier, req carrier.Request) {
	t.Helper()
	ctx := t.Context()
	before := cloneRequest(req)
	quotes, err := c.Rate(ctx, req)
	if err != nil {
		if _, ok := errors.AsType[*carrier.NoRateError](err); !ok {
			t.Fatalf("Rate: %v", err)
		}
	}
	for i, q := range quotes {
		if q.Service.Code == "" {
			t.Errorf("quote %d: no service code", i)
		}
		if q.Price.Currency() == "" {
			t.Errorf("quote %d (%s): price %s has no currency", i, q.Service, q.Price)
		}
		if q.Price.Sign() < 0 {
			t.Errorf("quote %d (%s): negative price %s", i, q.Service, q.Price)
		}
	}
	if !reflect.DeepEqual(before, req) {
		t.Errorf("Rate modified the request")
	}

	bad := req
	bad.Packages = nil
	if _, err := c.Rate(ctx, bad); !errors.Is(err, carrier.ErrInvalidRequest) {
		t.Errorf("Rate without packages: got %v, want an error wrapping carrier.ErrInvalidRequest", err)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if q, err := c.Rate(cctx, req); err == nil {
		t.Errorf("Rate with a cancelled context: got %d quotes and no error", len(q))
	}

	var wg sync.WaitGroup
	results := make([][]carrier.Quote, 8)
	for i := range results {
		wg.Go(func() { results[i], _ = c.Rate(ctx, req) })
	}
	wg.Wait()
	for i, r := range results {
		if !slices.EqualFunc(r, quotes, func(a, b carrier.Quote) bool { return a.Service == b.Service && a.Price.Equal(b.Price) }) {
			t.Errorf("concurrent call %d: quotes differ from the first call", i)
		}
	}

	if len(quotes) == 0 {
		return
	}
	lr := carrier.LabelRequest{IdempotencyKey: "conformance-1", Request: req, Quote: quotes[0]}
	l1, err := carrier.BuyLabel(ctx, c, lr)
	if errors.Is(err, carrier.ErrUnsupported) {
		return
	}
	if err != nil {
		t.Fatalf("BuyLabel: %v", err)
	}
	l2, err := carrier.BuyLabel(ctx, c, lr)
	if err != nil || l2.ID != l1.ID {
		t.Errorf("BuyLabel with the same key: got %q, %v; want label %q again", l2.ID, err, l1.ID)
	}
	lr.IdempotencyKey = "conformance-2"
	l3, err := carrier.BuyLabel(ctx, c, lr)
	if err != nil || l3.ID == l1.ID {
		t.Errorf("BuyLabel with another key: got %q, %v; want a new label", l3.ID, err)
	}
}

func cloneRequest(r carrier.Request) carrier.Request {
	r.Packages = slices.Clone(r.Packages)
	return r
}
