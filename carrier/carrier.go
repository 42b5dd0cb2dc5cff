package carrier

import (
	"context"
	"fmt"
)

// Carrier quotes rates for a shipment.
//
// Rate returns one [Quote] per service that can carry req, in the carrier's
// order, or an error. A carrier none of whose services can carry req returns
// a *[NoRateError] saying why; a malformed req an error wrapping
// [ErrInvalidRequest]. Rate must honour ctx's deadline and cancellation; the
// [Shopper] abandons a call that does not. Rate must not modify req or keep
// references to its slices, and implementations must be safe for concurrent
// use.
type Carrier interface {
	Rate(ctx context.Context, req Request) ([]Quote, error)
}

// RateFunc adapts a function to [Carrier].
type RateFunc func(ctx context.Context, req Request) ([]Quote, error)

// Rate calls f.
func (f RateFunc) Rate(ctx context.Context, req Request) ([]Quote, error) { return f(ctx, req) }

// Labeler is the optional capability to buy a label for a quote.
//
// BuyLabel must be idempotent on req.IdempotencyKey: a second call with the
// same key returns the label bought by the first, never a second label. It
// is never retried by this package's decorators. It is safe for concurrent
// use.
type Labeler interface {
	BuyLabel(ctx context.Context, req LabelRequest) (Label, error)
}

// LabelFunc adapts a function to [Labeler].
type LabelFunc func(ctx context.Context, req LabelRequest) (Label, error)

// BuyLabel calls f.
func (f LabelFunc) BuyLabel(ctx context.Context, req LabelRequest) (Label, error) { return f(ctx, req) }

// Voider is the optional capability to void (cancel) an unused label.
// Voiding a label already voided returns nil.
type Voider interface {
	VoidLabel(ctx context.Context, labelID string) error
}

// VoidFunc adapts a function to [Voider].
type VoidFunc func(ctx context.Context, labelID string) error

// VoidLabel calls f.
func (f VoidFunc) VoidLabel(ctx context.Context, labelID string) error { return f(ctx, labelID) }

// Tracker is the optional capability to fetch the tracking events of a
// package, oldest first, as the carrier reports them.
type Tracker interface {
	Track(ctx context.Context, trackingNumber string) ([]TrackingEvent, error)
}

// TrackFunc adapts a function to [Tracker].
type TrackFunc func(ctx context.Context, trackingNumber string) ([]TrackingEvent, error)

// Track calls f.
func (f TrackFunc) Track(ctx context.Context, trackingNumber string) ([]TrackingEvent, error) {
	return f(ctx, trackingNumber)
}

// Namer is the optional capability to name a carrier for errors and
// quotes. [Name] falls back to the carrier's Go type.
type Namer interface {
	Name() string
}

// Name returns c's name: c.Name() if c, or a carrier it wraps, is a
// [Namer], otherwise its Go type such as "carrier.RateFunc".
func Name(c Carrier) string {
	for w := c; w != nil; w = unwrap(w) {
		if n, ok := w.(Namer); ok {
			return n.Name()
		}
	}
	return fmt.Sprintf("%T", c)
}

// unwrap returns the carrier c decorates, or nil.
func unwrap(c Carrier) Carrier {
	if u, ok := c.(interface{ Unwrap() Carrier }); ok {
		return u.Unwrap()
	}
	return nil
}

// find returns the first carrier in c's Unwrap chain that implements T.
func find[T any](c Carrier) (T, bool) {
	for w := c; w != nil; w = unwrap(w) {
		if t, ok := w.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}

// BuyLabel buys a label from c, or from the carrier c decorates, whichever
// is the first to implement [Labeler]; otherwise it returns an
// *[UnsupportedError]. The purchase is made exactly once: decorators such as
// [Retry] and [Hedge] apply to rating only.
func BuyLabel(ctx context.Context, c Carrier, req LabelRequest) (Label, error) {
	l, ok := find[Labeler](c)
	if !ok {
		return Label{}, &UnsupportedError{Carrier: Name(c), Capability: "label"}
	}
	return l.BuyLabel(ctx, req)
}

// VoidLabel voids a label through the first [Voider] in c's Unwrap chain,
// or returns an *[UnsupportedError].
func VoidLabel(ctx context.Context, c Carrier, labelID string) error {
	v, ok := find[Voider](c)
	if !ok {
		return &UnsupportedError{Carrier: Name(c), Capability: "void"}
	}
	return v.VoidLabel(ctx, labelID)
}

// Track fetches tracking events through the first [Tracker] in c's Unwrap
// chain, or returns an *[UnsupportedError].
func Track(ctx context.Context, c Carrier, trackingNumber string) ([]TrackingEvent, error) {
	t, ok := find[Tracker](c)
	if !ok {
		return nil, &UnsupportedError{Carrier: Name(c), Capability: "track"}
	}
	return t.Track(ctx, trackingNumber)
}

var (
	_ Carrier = RateFunc(nil)
	_ Labeler = LabelFunc(nil)
	_ Voider  = VoidFunc(nil)
	_ Tracker = TrackFunc(nil)
)
