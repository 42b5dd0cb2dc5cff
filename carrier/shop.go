package carrier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// DefaultTimeout is a [Shopper]'s per-carrier deadline when its Timeout is
// zero.
const DefaultTimeout = 10 * time.Second

// Shopper asks several carriers for rates at once. It is safe for
// concurrent use once configured; set its fields before the first call to
// [Shopper.Shop].
type Shopper struct {
	carriers []Carrier
	names    []string

	// Timeout is each carrier's deadline, counted from the start of Shop
	// and shortened by any deadline of the caller's context. Zero means
	// [DefaultTimeout].
	Timeout time.Duration
	// Clock measures how long each carrier took, for [CarrierError]. Nil
	// means the system clock.
	Clock fulfill.Clock
}

// NewShopper returns a Shopper over the given carriers, asked in this
// order; the order of the results follows it. Hosts pass their carriers in
// explicitly: there is no registry.
func NewShopper(carriers ...Carrier) *Shopper {
	s := &Shopper{carriers: slices.Clone(carriers)}
	for _, c := range s.carriers {
		s.names = append(s.names, Name(c))
	}
	return s
}

// Result is the outcome of one round of rate shopping: every good quote and
// one error per carrier that failed. Both are in the order of the
// shopper's carriers.
type Result struct {
	Quotes []Quote         // every good quote
	Errors []*CarrierError // one per failed carrier
}

// Err returns the carriers' errors joined with [errors.Join], or nil if
// every carrier answered.
func (r *Result) Err() error {
	errs := make([]error, len(r.Errors))
	for i, e := range r.Errors {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// Select picks one of r's quotes with [Select].
func (r *Result) Select(p Policy, filters ...Filter) (Quote, error) {
	return Select(r.Quotes, p, filters...)
}

// outcome is what one carrier answered.
type outcome struct {
	index   int
	quotes  []Quote
	err     error
	elapsed time.Duration
}

// Shop asks every carrier for rates concurrently, each in its own goroutine
// under its own deadline ([Shopper.Timeout]) derived from ctx, and waits
// for all of them or their deadlines, whichever comes first. It returns
// every good quote and one *[CarrierError] per carrier that failed, timed
// out or panicked: one failure cancels nothing else, and the result is
// never all-or-nothing. A carrier that returns quotes and an error counts
// as failed.
//
// A carrier that ignores its context is abandoned at its deadline (its
// goroutine finishes in the background and its answer is dropped); the
// request given to it is a private copy, so the caller may reuse req. If
// ctx is cancelled, Shop returns at once with the answers it has.
//
// Shop returns an error only for a request that fails [Request.Validate];
// the carriers' errors are in the Result.
func (s *Shopper) Shop(ctx context.Context, req Request) (*Result, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	req.Packages = slices.Clone(req.Packages)
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	n := len(s.carriers)
	start := fulfill.Now(s.Clock)
	answers := make(chan outcome, n) // buffered: an abandoned carrier never blocks
	for i, c := range s.carriers {
		go s.ask(ctx, i, c, req, timeout, start, answers)
	}
	outs := make([]outcome, n)
	got := make([]bool, n)
	pending := n
	wait := time.NewTimer(timeout)
	defer wait.Stop()
	collect := func(o outcome) {
		if !got[o.index] {
			outs[o.index], got[o.index] = o, true
			pending--
		}
	}
waiting:
	for pending > 0 {
		select {
		case o := <-answers:
			collect(o)
		case <-wait.C:
			break waiting
		case <-ctx.Done():
			break waiting
		}
	}
	for pending > 0 { // keep the answers that arrived with the deadline
		select {
		case o := <-answers:
			collect(o)
			continue
		default:
		}
		break
	}
	if pending > 0 {
		elapsed := fulfill.Now(s.Clock).Sub(start)
		cause := ctx.Err()
		if cause == nil {
			cause = context.DeadlineExceeded
		}
		for i := range outs {
			if got[i] {
				continue
			}
			err := cause
			if errors.Is(cause, context.DeadlineExceeded) {
				err = &TimeoutError{Carrier: s.names[i], After: timeout, Cause: cause}
			}
			outs[i] = outcome{index: i, err: err, elapsed: elapsed}
		}
	}
	res := &Result{}
	for i, o := range outs {
		if o.err != nil {
			res.Errors = append(res.Errors, &CarrierError{Index: i, Carrier: s.names[i], Elapsed: o.elapsed, Err: o.err})
			continue
		}
		res.Quotes = append(res.Quotes, o.quotes...)
	}
	return res, nil
}

// ask calls one carrier under its own deadline and sends its answer.
func (s *Shopper) ask(ctx context.Context, i int, c Carrier, req Request, timeout time.Duration, start time.Time, answers chan<- outcome) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	o := outcome{index: i}
	defer func() {
		if p := recover(); p != nil {
			o.quotes, o.err = nil, fmt.Errorf("%w: %s panicked: %v", ErrCarrierFailed, s.names[i], p)
		}
		if o.err != nil {
			o.quotes = nil
			if errors.Is(o.err, context.DeadlineExceeded) && !errors.Is(o.err, ErrTimeout) {
				o.err = &TimeoutError{Carrier: s.names[i], After: timeout, Cause: o.err}
			}
		}
		o.elapsed = fulfill.Now(s.Clock).Sub(start)
		answers <- o
	}()
	o.quotes, o.err = c.Rate(cctx, req)
}
