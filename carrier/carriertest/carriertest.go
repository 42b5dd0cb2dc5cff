package carriertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
)

// ErrFailure is the error a [Fake] returns when it fails and its Err is nil.
var ErrFailure = errors.New("carriertest: simulated failure")

// Fake is a configurable carrier. Set its fields before use; its methods
// are then safe for concurrent use. The zero Fake answers at once with no
// quotes.
type Fake struct {
	// ID is the carrier's name, returned by Name and written into quotes
	// whose Service.Carrier is empty.
	ID string
	// Quotes are returned by Rate, copied. A quote with TransitDays and no
	// EstimatedDelivery gets the ship date plus TransitDays calendar days.
	Quotes []carrier.Quote
	// Latency is how long Rate takes. Rate returns early with the
	// context's error if ctx ends first, unless IgnoreContext is set.
	Latency time.Duration
	// Hang makes Rate block until its context ends, then return the
	// context's error.
	Hang bool
	// IgnoreContext makes Latency uninterruptible, like a carrier client
	// that does not honour its context.
	IgnoreContext bool
	// Err, if not nil, is returned by every Rate call after Latency.
	Err error
	// FailFirst makes the first FailFirst Rate calls fail with Err, or
	// ErrFailure if Err is nil; later calls succeed.
	FailFirst int
	// Events are returned by Track for every tracking number.
	Events []carrier.TrackingEvent
	// Clock stamps bought labels; nil means the system clock.
	Clock fulfill.Clock

	calls     atomic.Int64
	purchases atomic.Int64

	mu     sync.Mutex               // guards labels and voided
	labels map[string]carrier.Label // by idempotency key
	voided map[string]bool          // by label ID
}

var (
	_ carrier.Carrier = (*Fake)(nil)
	_ carrier.Labeler = (*Fake)(nil)
	_ carrier.Voider  = (*Fake)(nil)
	_ carrier.Tracker = (*Fake)(nil)
	_ carrier.Namer   = (*Fake)(nil)
)

// New returns a Fake named id quoting one service at price (a decimal
// string) in currency cur with the given transit days. It panics on a
// malformed price; it is meant for test literals.
func New(id, service, price string, cur fulfill.Currency, transitDays int) *Fake {
	return &Fake{ID: id, Quotes: []carrier.Quote{Quote(id, service, price, cur, transitDays)}}
}

// Quote returns a quote literal; it panics on a malformed price.
func Quote(id, service, price string, cur fulfill.Currency, transitDays int) carrier.Quote {
	return carrier.Quote{
		Service:     carrier.Service{Carrier: id, Code: service},
		Price:       fulfill.MustMoney(price, cur),
		TransitDays: transitDays,
		Source:      id + " (test)",
	}
}

// Name returns f.ID.
func (f *Fake) Name() string { return f.ID }

// Calls returns how many times Rate was called.
func (f *Fake) Calls() int { return int(f.calls.Load()) }

// Purchases returns how many labels were bought (not counting repeats of
// an idempotency key).
func (f *Fake) Purchases() int { return int(f.purchases.Load()) }

// Rate validates req like a real carrier, waits Latency (or hangs), then
// returns f.Err or f's quotes.
func (f *Fake) Rate(ctx context.Context, req carrier.Request) ([]carrier.Quote, error) {
	n := f.calls.Add(1)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.Hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if f.Latency > 0 {
		if f.IgnoreContext {
			time.Sleep(f.Latency)
		} else {
			t := time.NewTimer(f.Latency)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
	}
	if int(n) <= f.FailFirst {
		if f.Err != nil {
			return nil, f.Err
		}
		return nil, fmt.Errorf("%w: call %d of %s", ErrFailure, n, f.ID)
	}
	if f.Err != nil {
		return nil, f.Err
	}
	out := slices.Clone(f.Quotes)
	for i := range out {
		if out[i].Service.Carrier == "" {
			out[i].Service.Carrier = f.ID
		}
		if out[i].EstimatedDelivery.IsZero() && out[i].TransitDays > 0 && !req.ShipTime.IsZero() {
			y, m, d := req.ShipTime.Date()
			out[i].EstimatedDelivery = time.Date(y, m, d+out[i].TransitDays, 0, 0, 0, 0, req.ShipTime.Location())
		}
	}
	return out, nil
}

// BuyLabel returns a label for req.Quote, the same one for every call with
// the same idempotency key. An empty key is refused.
func (f *Fake) BuyLabel(ctx context.Context, req carrier.LabelRequest) (carrier.Label, error) {
	if err := ctx.Err(); err != nil {
		return carrier.Label{}, err
	}
	if req.IdempotencyKey == "" {
		return carrier.Label{}, fmt.Errorf("%w: idempotency key required", carrier.ErrInvalidRequest)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if l, ok := f.labels[req.IdempotencyKey]; ok {
		return l, nil
	}
	if f.labels == nil {
		f.labels = map[string]carrier.Label{}
	}
	n := f.purchases.Add(1)
	l := carrier.Label{
		ID:      fmt.Sprintf("%s-L%d", f.ID, n),
		Service: req.Quote.Service,
		Cost:    req.Quote.Price,
		Format:  "ZPL",
		Created: fulfill.Now(f.Clock),
	}
	for i := range req.Request.Packages {
		l.TrackingNumbers = append(l.TrackingNumbers, fmt.Sprintf("%s%06d%02d", f.ID, n, i+1))
	}
	f.labels[req.IdempotencyKey] = l
	return l, nil
}

// VoidLabel marks a bought label void. Unknown IDs are an error wrapping
// carrier.ErrInvalidRequest; voiding twice is not an error.
func (f *Fake) VoidLabel(ctx context.Context, labelID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range f.labels {
		if l.ID == labelID {
			if f.voided == nil {
				f.voided = map[string]bool{}
			}
			f.voided[labelID] = true
			return nil
		}
	}
	return fmt.Errorf("%w: no label %q", carrier.ErrInvalidRequest, labelID)
}

// Voided reports whether the label was voided.
func (f *Fake) Voided(labelID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.voided[labelID]
}

// Track returns f.Events with their tracking number set to trackingNumber.
func (f *Fake) Track(ctx context.Context, trackingNumber string) ([]carrier.TrackingEvent, error) {
	out := slices.Clone(f.Events)
	for i := range out {
		out[i].TrackingNumber = trackingNumber
	}
	return out, nil
}
