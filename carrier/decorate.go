package carrier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fulfillkit/fulfill"
)

// permanent reports whether err will not go away by asking again at once: a
// bad request, no eligible service, no card in effect, an open circuit, or
// the caller giving up.
func permanent(ctx context.Context, err error) bool {
	return errors.Is(err, ErrInvalidRequest) || errors.Is(err, ErrNoRate) || errors.Is(err, ErrIneligible) ||
		errors.Is(err, ErrNoCard) || errors.Is(err, ErrCircuitOpen) || ctx.Err() != nil
}

// RetryOptions configure [NewRetry]. The zero RetryOptions means three
// attempts, backing off 100 ms then 200 ms (up to 2 s), with jitter from
// seed 0.
type RetryOptions struct {
	// Attempts is the total number of calls, the first included. Zero
	// means 3.
	Attempts int
	// Base is the backoff before the second attempt; it doubles with each
	// attempt up to Max. Zero means 100 ms.
	Base time.Duration
	// Max caps the backoff. Zero means 2 s.
	Max time.Duration
	// Seed seeds the jitter: each wait is drawn uniformly from half to
	// all of the backoff, reproducibly.
	Seed uint64
	// Retryable says which errors are worth another attempt. Nil means
	// every error except a bad request, no eligible service, no card in
	// effect, an open circuit breaker, and the caller's context ending.
	Retryable func(error) bool
}

// Retry is a [Carrier] that retries failed rating calls with exponential
// backoff and jitter. It retries Rate only: labels are bought through the
// wrapped carrier, never retried (see [BuyLabel]). It is safe for
// concurrent use.
type Retry struct {
	c    Carrier
	opts RetryOptions

	mu  sync.Mutex // guards rng
	rng *rand.Rand
}

// NewRetry wraps c with retries.
func NewRetry(c Carrier, opts RetryOptions) *Retry {
	if opts.Attempts <= 0 {
		opts.Attempts = 3
	}
	if opts.Base <= 0 {
		opts.Base = 100 * time.Millisecond
	}
	if opts.Max <= 0 {
		opts.Max = 2 * time.Second
	}
	return &Retry{c: c, opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))}
}

// Unwrap returns the wrapped carrier.
func (r *Retry) Unwrap() Carrier { return r.c }

// Backoff returns the wait before attempt n (n >= 2) without jitter.
func (r *Retry) Backoff(n int) time.Duration {
	d := r.opts.Base
	for i := 2; i < n && d < r.opts.Max; i++ {
		d *= 2
	}
	return min(d, r.opts.Max)
}

// Rate calls the wrapped carrier up to Attempts times while it fails with
// a retryable error, waiting between attempts; it gives up early when ctx
// ends and returns the last error.
func (r *Retry) Rate(ctx context.Context, req Request) ([]Quote, error) {
	var err error
	for n := 1; n <= r.opts.Attempts; n++ {
		if n > 1 {
			d := r.Backoff(n)
			r.mu.Lock()
			d = d/2 + time.Duration(r.rng.Int64N(int64(d/2)+1))
			r.mu.Unlock()
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, err
			case <-t.C:
			}
		}
		var q []Quote
		q, err = r.c.Rate(ctx, req)
		if err == nil {
			return q, nil
		}
		if r.opts.Retryable != nil && !r.opts.Retryable(err) || r.opts.Retryable == nil && permanent(ctx, err) {
			return nil, err
		}
	}
	return nil, err
}

// Hedge is a [Carrier] that sends a second, identical rating call if the
// first has not answered after Delay, and returns whichever succeeds first,
// cancelling the other: it trims the tail latency of a carrier API. A
// first call that fails before Delay starts the second at once. It is safe
// for concurrent use.
type Hedge struct {
	c     Carrier
	delay time.Duration
}

// NewHedge wraps c with a hedged request after delay.
func NewHedge(c Carrier, delay time.Duration) *Hedge { return &Hedge{c: c, delay: delay} }

// Unwrap returns the wrapped carrier.
func (h *Hedge) Unwrap() Carrier { return h.c }

// Rate implements [Carrier]. If both calls fail it returns both errors
// joined.
func (h *Hedge) Rate(ctx context.Context, req Request) ([]Quote, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type answer struct {
		q   []Quote
		err error
	}
	answers := make(chan answer, 2)
	call := func() {
		q, err := h.c.Rate(ctx, req)
		answers <- answer{q, err}
	}
	go call()
	started, pending := 1, 1
	timer := time.NewTimer(h.delay)
	defer timer.Stop()
	var errs []error
	for {
		select {
		case <-timer.C:
			if started == 1 {
				started, pending = 2, pending+1
				go call()
			}
		case a := <-answers:
			pending--
			if a.err == nil {
				return a.q, nil
			}
			errs = append(errs, a.err)
			if started == 1 && !permanent(ctx, a.err) {
				started, pending = 2, pending+1
				go call()
				continue
			}
			if pending == 0 {
				return nil, errors.Join(errs...)
			}
		case <-ctx.Done():
			return nil, errors.Join(append(errs, ctx.Err())...)
		}
	}
}

// BreakerState is the state of a [Breaker].
type BreakerState string

// The states of a breaker.
const (
	// BreakerClosed lets every call through and counts consecutive
	// failures; enough of them open the circuit.
	BreakerClosed BreakerState = "closed"
	// BreakerOpen refuses every call with an *[OpenError] until the
	// cooldown ends, then becomes half-open.
	BreakerOpen BreakerState = "open"
	// BreakerHalfOpen lets one trial call through: success closes the
	// circuit, failure opens it again.
	BreakerHalfOpen BreakerState = "half-open"
)

// BreakerOptions configure [NewBreaker]. The zero BreakerOptions opens
// after 5 consecutive failures for 30 s, on the system clock.
type BreakerOptions struct {
	Failures int           // consecutive failures that open the circuit; zero means 5
	Cooldown time.Duration // how long the circuit stays open; zero means 30 s
	Clock    fulfill.Clock // nil means the system clock
}

// Breaker is a circuit breaker around a carrier: after Failures
// consecutive failed rating calls it refuses calls for Cooldown instead of
// waiting on a carrier that is down, then lets one trial call through.
// Failures that are the request's fault (bad request, no eligible service)
// or the caller's (context ended) do not count. It is safe for concurrent
// use.
type Breaker struct {
	c    Carrier
	opts BreakerOptions

	mu       sync.Mutex // guards the fields below
	state    BreakerState
	failures int
	until    time.Time
	last     error
	trial    bool // a half-open trial call is in flight
}

// NewBreaker wraps c with a circuit breaker, initially closed.
func NewBreaker(c Carrier, opts BreakerOptions) *Breaker {
	if opts.Failures <= 0 {
		opts.Failures = 5
	}
	if opts.Cooldown <= 0 {
		opts.Cooldown = 30 * time.Second
	}
	return &Breaker{c: c, opts: opts, state: BreakerClosed}
}

// Unwrap returns the wrapped carrier.
func (b *Breaker) Unwrap() Carrier { return b.c }

// State returns the breaker's state now.
func (b *Breaker) State() BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerOpen && !fulfill.Now(b.opts.Clock).Before(b.until) {
		return BreakerHalfOpen
	}
	return b.state
}

// Rate implements [Carrier].
func (b *Breaker) Rate(ctx context.Context, req Request) ([]Quote, error) {
	b.mu.Lock()
	now := fulfill.Now(b.opts.Clock)
	if b.state == BreakerOpen && !now.Before(b.until) {
		b.state = BreakerHalfOpen
	}
	switch {
	case b.state == BreakerOpen:
		err := &OpenError{Carrier: Name(b.c), Until: b.until, Last: b.last}
		b.mu.Unlock()
		return nil, err
	case b.state == BreakerHalfOpen && b.trial:
		err := &OpenError{Carrier: Name(b.c), Until: now, Last: b.last}
		b.mu.Unlock()
		return nil, err
	case b.state == BreakerHalfOpen:
		b.trial = true
	}
	b.mu.Unlock()

	q, err := b.c.Rate(ctx, req)

	b.mu.Lock()
	defer b.mu.Unlock()
	wasTrial := b.trial
	b.trial = false
	switch {
	case err != nil && ctx.Err() != nil:
		// The caller gave up: no evidence either way. A trial is retried
		// by the next call.
	case err == nil || permanent(ctx, err):
		// The carrier answered, even if it could not rate this request.
		b.state, b.failures = BreakerClosed, 0
	default:
		b.failures++
		b.last = err
		if wasTrial || b.failures >= b.opts.Failures {
			b.state, b.until = BreakerOpen, fulfill.Now(b.opts.Clock).Add(b.opts.Cooldown)
		}
	}
	return q, err
}

// Fingerprint returns a canonical key of what a rate depends on, so that
// equal shipments share it: the origin's and destination's country,
// postal code (upper case, without spaces), region, city (case-folded) and
// residential flag; each package's sides sorted (so a turned box is the
// same box) and mass, in request order; the ship date and UTC offset; and
// the options. Names, street lines and phone numbers do not count. The key
// is a hex SHA-256.
func Fingerprint(req Request) string {
	var b strings.Builder
	addr := func(a fulfill.Address) {
		b.WriteString(strings.ToUpper(strings.TrimSpace(a.Country)))
		b.WriteByte('|')
		b.WriteString(strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(a.PostalCode)), " ", ""))
		b.WriteByte('|')
		b.WriteString(strings.ToUpper(strings.TrimSpace(a.Region)))
		b.WriteByte('|')
		b.WriteString(strings.ToLower(strings.TrimSpace(a.City)))
		b.WriteByte('|')
		b.WriteString(strconv.FormatBool(a.Residential))
		b.WriteByte('\n')
	}
	addr(req.Origin)
	addr(req.Destination)
	for _, p := range req.Packages {
		d := p.Dimensions.Sorted()
		for _, v := range []int64{int64(d.Length), int64(d.Width), int64(d.Height), int64(p.Mass)} {
			b.WriteString(strconv.FormatInt(v, 10))
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	_, off := req.ShipTime.Zone()
	b.WriteString(req.ShipTime.Format(time.DateOnly))
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(off))
	b.WriteByte('\n')
	o := req.Options
	b.WriteString(strconv.FormatBool(o.Signature) + "|" + strconv.FormatBool(o.SaturdayDelivery) + "|" +
		o.DeclaredValue.Amount().String() + string(o.DeclaredValue.Currency()) + "|" +
		o.OrderValue.Amount().String() + string(o.OrderValue.Currency()))
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// CacheOptions configure [NewCache]. The zero CacheOptions keeps quotes
// for 5 minutes, at most 10,000 shipments, on the system clock.
type CacheOptions struct {
	TTL        time.Duration // how long quotes are kept; zero means 5 minutes
	MaxEntries int           // the most shipments kept; zero means 10,000
	Clock      fulfill.Clock // nil means the system clock
}

// Cache is a [Carrier] that keeps the quotes of a wrapped carrier for a
// time, keyed on the shipment's [Fingerprint]. Errors are not cached.
// Concurrent calls for the same shipment share one call to the carrier.
// When full, it drops expired entries, then the oldest. It is safe for
// concurrent use.
type Cache struct {
	c    Carrier
	opts CacheOptions

	mu      sync.Mutex // guards entries, order, flights, hits and misses
	entries map[string]cacheEntry
	order   []string // keys in insertion order, for eviction
	flights map[string]*flight
	hits    int
	misses  int
}

type cacheEntry struct {
	quotes  []Quote
	expires time.Time
}

type flight struct {
	done   chan struct{}
	quotes []Quote
	err    error
}

// NewCache wraps c with a quote cache.
func NewCache(c Carrier, opts CacheOptions) *Cache {
	if opts.TTL <= 0 {
		opts.TTL = 5 * time.Minute
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 10_000
	}
	return &Cache{c: c, opts: opts, entries: map[string]cacheEntry{}, flights: map[string]*flight{}}
}

// Unwrap returns the wrapped carrier.
func (c *Cache) Unwrap() Carrier { return c.c }

// Stats returns the number of calls answered from the cache and the number
// that went to the carrier.
func (c *Cache) Stats() (hits, misses int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

// Rate returns cached quotes for an equal shipment if they have not
// expired, and otherwise asks the wrapped carrier.
func (c *Cache) Rate(ctx context.Context, req Request) ([]Quote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := Fingerprint(req)
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && fulfill.Now(c.opts.Clock).Before(e.expires) {
		c.hits++
		c.mu.Unlock()
		return cloneQuotes(e.quotes), nil
	}
	if f, ok := c.flights[key]; ok {
		c.hits++
		c.mu.Unlock()
		select {
		case <-f.done:
			return cloneQuotes(f.quotes), f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c.misses++
	f := &flight{done: make(chan struct{})}
	c.flights[key] = f
	c.mu.Unlock()

	f.quotes, f.err = c.c.Rate(ctx, req)

	c.mu.Lock()
	delete(c.flights, key)
	if f.err == nil {
		c.store(key, cloneQuotes(f.quotes))
	}
	c.mu.Unlock()
	close(f.done)
	return f.quotes, f.err
}

// store adds an entry, evicting if full; c.mu is held.
func (c *Cache) store(key string, q []Quote) {
	now := fulfill.Now(c.opts.Clock)
	if _, ok := c.entries[key]; !ok {
		if len(c.entries) >= c.opts.MaxEntries {
			kept := c.order[:0]
			for _, k := range c.order {
				if e, ok := c.entries[k]; ok && now.Before(e.expires) {
					kept = append(kept, k)
				} else {
					delete(c.entries, k)
				}
			}
			c.order = kept
			for len(c.entries) >= c.opts.MaxEntries {
				delete(c.entries, c.order[0])
				c.order = c.order[1:]
			}
		}
		c.order = append(c.order, key)
	}
	c.entries[key] = cacheEntry{quotes: q, expires: now.Add(c.opts.TTL)}
}

func cloneQuotes(qs []Quote) []Quote {
	out := slices.Clone(qs)
	for i := range out {
		out[i].Explanation = slices.Clone(out[i].Explanation)
	}
	return out
}

// Fallback is a [Carrier] that rates with a primary carrier and, when it
// fails, with a fallback such as a [Tariff] built from the primary's
// published rate card: a carrier API being down then still yields a price.
// Quotes from the fallback start with a [StepFallback] step naming the
// primary's failure. Labels are bought from the primary (see [BuyLabel]).
// It is safe for concurrent use if both carriers are.
type Fallback struct {
	primary, fallback Carrier
	// PrimaryTimeout, if positive, bounds the primary call, leaving the
	// rest of the caller's deadline to the fallback.
	PrimaryTimeout time.Duration
}

// NewFallback returns a Fallback from primary to fallback.
func NewFallback(primary, fallback Carrier) *Fallback {
	return &Fallback{primary: primary, fallback: fallback}
}

// Unwrap returns the primary carrier.
func (f *Fallback) Unwrap() Carrier { return f.primary }

// Rate implements [Carrier]. A bad request, or the caller's context
// ending, is returned without trying the fallback; if both carriers fail,
// both errors are returned joined.
func (f *Fallback) Rate(ctx context.Context, req Request) ([]Quote, error) {
	pctx, cancel := ctx, context.CancelFunc(func() {})
	if f.PrimaryTimeout > 0 {
		pctx, cancel = context.WithTimeout(ctx, f.PrimaryTimeout)
	}
	q, err := f.primary.Rate(pctx, req)
	cancel()
	if err == nil || errors.Is(err, ErrInvalidRequest) || ctx.Err() != nil {
		return q, err
	}
	fq, ferr := f.fallback.Rate(ctx, req)
	if ferr != nil {
		return nil, errors.Join(err, ferr)
	}
	for i := range fq {
		by := fq[i].Source
		if by == "" {
			by = Name(f.fallback)
		}
		step := Step{Kind: StepFallback, Rule: Name(f.fallback), Text: Name(f.primary) + " failed (" + err.Error() + "): quoted from " + by}
		fq[i].Explanation = append(Explanation{step}, fq[i].Explanation...)
	}
	return fq, nil
}

var (
	_ Carrier = (*Retry)(nil)
	_ Carrier = (*Hedge)(nil)
	_ Carrier = (*Breaker)(nil)
	_ Carrier = (*Cache)(nil)
	_ Carrier = (*Fallback)(nil)
)
