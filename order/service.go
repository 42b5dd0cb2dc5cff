package order

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Service runs commands through a [Store]: load, execute, save with the
// version read, and idempotency keys. Store is required; a Service without
// one returns an error wrapping [ErrInvalidOrder]. A Service is safe for
// concurrent use if its Store is.
type Service struct {
	// Store keeps the orders. Required.
	Store Store
	// Clock stamps events. Nil means the system clock.
	Clock fulfill.Clock
	// Random is the source of new order IDs. Nil means crypto/rand.
	Random io.Reader
}

// Result is what a command run through a [Service] produced.
type Result struct {
	// Order is the order as stored after the command. For a retried request
	// it is the order as stored now, which may be later than the original
	// result.
	Order *Order
	// Events are the events the command produced; a retry returns the
	// original ones.
	Events []Event
	// Replayed is set when the result comes from an idempotency record.
	Replayed bool
}

// fingerprint hashes a request with its command and order ID.
func fingerprint(c Command, id fulfill.OrderID, r any) (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(c))
	h.Write([]byte{0})
	h.Write([]byte(id.String()))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// replay returns the result recorded under key, a *IdempotencyError if the
// record is for another request, or an error wrapping ErrNotFound if there is
// no record.
func (s *Service) replay(ctx context.Context, owner fulfill.OwnerID, key, fp string) (Result, error) {
	rec, err := s.Store.Idempotency(ctx, owner, key)
	if err != nil {
		return Result{}, err
	}
	if rec.Fingerprint != fp {
		return Result{}, &IdempotencyError{Key: key, Command: rec.Command}
	}
	o, err := s.Store.Get(ctx, owner, rec.OrderID)
	if err != nil {
		return Result{}, err
	}
	return Result{Order: o, Events: rec.Events, Replayed: true}, nil
}

// Place places a new order for owner with a fresh ID and creates it in the
// store. A non-empty key makes the request idempotent: placing again with
// the same key and request returns the first result (and the same order ID);
// the same key with another request returns a *[IdempotencyError].
func (s *Service) Place(ctx context.Context, owner fulfill.OwnerID, key string, r PlaceRequest) (Result, error) {
	if s.Store == nil {
		return Result{}, invalid("store", "", "a Service needs a Store")
	}
	var fp string
	if key != "" {
		var err error
		if fp, err = fingerprint(CommandPlace, fulfill.OrderID{}, r); err != nil {
			return Result{}, err
		}
		if res, err := s.replay(ctx, owner, key, fp); !errors.Is(err, ErrNotFound) {
			return res, err
		}
	}
	random := s.Random
	if random == nil {
		random = rand.Reader
	}
	id, err := fulfill.NewOrderID(random)
	if err != nil {
		return Result{}, err
	}
	now := fulfill.Now(s.Clock)
	o, events, err := Place(id, owner, now, r)
	if err != nil {
		return Result{}, err
	}
	c := Change{Order: o, Events: events}
	if key != "" {
		c.Idempotency = &IdempotencyRecord{Owner: owner, Key: key, Command: CommandPlace, Fingerprint: fp, OrderID: id, Events: events, CreatedAt: now}
	}
	if err := s.Store.Create(ctx, c); err != nil {
		if key != "" && errors.Is(err, ErrIdempotencyConflict) {
			return s.replay(ctx, owner, key, fp)
		}
		return Result{}, err
	}
	return Result{Order: o, Events: events}, nil
}

// Execute loads order id of owner, runs r on it and saves it with the
// version it read. A concurrent change makes the save fail with a
// *[ConflictError]: nothing is written and the caller may run it again. A
// non-empty key makes the request idempotent, as for [Service.Place]; only
// successful results are recorded.
func (s *Service) Execute(ctx context.Context, owner fulfill.OwnerID, id fulfill.OrderID, key string, r Request) (Result, error) {
	return s.execute(ctx, owner, id, key, r, fulfill.Now(s.Clock))
}

// execute is [Service.Execute] at the time now.
func (s *Service) execute(ctx context.Context, owner fulfill.OwnerID, id fulfill.OrderID, key string, r Request, now time.Time) (Result, error) {
	if r == nil {
		return Result{}, invalid("request", "", "required")
	}
	if s.Store == nil {
		return Result{}, invalid("store", "", "a Service needs a Store")
	}
	var fp string
	if key != "" {
		var err error
		if fp, err = fingerprint(r.Command(), id, r); err != nil {
			return Result{}, err
		}
		if res, err := s.replay(ctx, owner, key, fp); !errors.Is(err, ErrNotFound) {
			return res, err
		}
	}
	o, err := s.Store.Get(ctx, owner, id)
	if err != nil {
		return Result{}, err
	}
	expected := o.Version()
	events, err := o.Execute(now, r)
	if err != nil {
		return s.settle(ctx, owner, key, fp, err)
	}
	c := Change{Order: o, ExpectedVersion: expected, Events: events}
	if key != "" {
		c.Idempotency = &IdempotencyRecord{Owner: owner, Key: key, Command: r.Command(), Fingerprint: fp, OrderID: id, Events: events, CreatedAt: now}
	}
	if err := s.Store.Save(ctx, c); err != nil {
		if key != "" && errors.Is(err, ErrIdempotencyConflict) {
			return s.replay(ctx, owner, key, fp)
		}
		if errors.Is(err, ErrConflict) {
			return s.settle(ctx, owner, key, fp, err)
		}
		return Result{}, err
	}
	return Result{Order: o, Events: events}, nil
}

// settle decides what a keyed command that failed returns. A concurrent
// attempt with the same key may have committed after this one looked the key
// up and before it loaded the order, so that this one ran on the changed
// order and failed (a hold already active, a stale version): the committed
// attempt's record, if there is one now, is the answer. Otherwise it is err.
func (s *Service) settle(ctx context.Context, owner fulfill.OwnerID, key, fp string, err error) (Result, error) {
	if key != "" {
		if res, rerr := s.replay(ctx, owner, key, fp); !errors.Is(rerr, ErrNotFound) {
			return res, rerr
		}
	}
	return Result{}, err
}
