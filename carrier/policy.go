package carrier

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// Policy chooses one quote among several.
//
// Choose returns the index of the best of quotes, which is never empty, or
// an error wrapping [ErrNoQuote] if none is acceptable (such as none
// arriving in time). Quotes in different currencies make the price-based
// policies return a *[fulfill.CurrencyMismatchError].
type Policy interface {
	Choose(quotes []Quote) (int, error)
}

// PolicyFunc adapts a function to [Policy].
type PolicyFunc func(quotes []Quote) (int, error)

// Choose calls f.
func (f PolicyFunc) Choose(quotes []Quote) (int, error) { return f(quotes) }

// Filter keeps the quotes for which it returns true.
type Filter func(Quote) bool

// Carriers keeps the quotes of the named carriers.
func Carriers(names ...string) Filter {
	return func(q Quote) bool { return slices.Contains(names, q.Service.Carrier) }
}

// ExcludeCarriers drops the quotes of the named carriers.
func ExcludeCarriers(names ...string) Filter {
	return func(q Quote) bool { return !slices.Contains(names, q.Service.Carrier) }
}

// Services keeps the quotes of the given services, each written as a code
// ("GROUND", any carrier) or as carrier/code ("ACME/GROUND").
func Services(services ...string) Filter {
	return func(q Quote) bool {
		return slices.Contains(services, q.Service.Code) || slices.Contains(services, q.Service.String())
	}
}

// Select applies filters, then p, and returns the chosen quote. It returns
// an error wrapping [ErrNoQuote] if no quote passes the filters.
func Select(quotes []Quote, p Policy, filters ...Filter) (Quote, error) {
	kept := make([]Quote, 0, len(quotes))
	for _, q := range quotes {
		ok := true
		for _, f := range filters {
			ok = ok && f(q)
		}
		if ok {
			kept = append(kept, q)
		}
	}
	if len(kept) == 0 {
		return Quote{}, fmt.Errorf("%w: none of %d quotes passes the filters", ErrNoQuote, len(quotes))
	}
	i, err := p.Choose(kept)
	if err != nil {
		return Quote{}, err
	}
	if i < 0 || i >= len(kept) {
		return Quote{}, fmt.Errorf("%w: policy chose quote %d of %d", ErrNoQuote, i, len(kept))
	}
	return kept[i], nil
}

// tieBreak orders quotes that a policy finds equal: cheaper, then sooner,
// then by service name, so every policy is deterministic.
func tieBreak(a, b Quote) int {
	if c, err := a.Price.Cmp(b.Price); err == nil && c != 0 {
		return c
	}
	if c := cmp.Compare(days(a), days(b)); c != 0 {
		return c
	}
	return cmp.Compare(a.Service.String(), b.Service.String())
}

// days returns the transit days, with unknown after every known value.
func days(q Quote) int {
	if q.TransitDays <= 0 && q.EstimatedDelivery.IsZero() {
		return 1 << 30
	}
	return q.TransitDays
}

// best returns the index of the least quote by less, which may fail.
func best(quotes []Quote, compare func(a, b Quote) (int, error)) (int, error) {
	bi := 0
	for i := 1; i < len(quotes); i++ {
		c, err := compare(quotes[i], quotes[bi])
		if err != nil {
			return 0, err
		}
		if c < 0 || (c == 0 && tieBreak(quotes[i], quotes[bi]) < 0) {
			bi = i
		}
	}
	return bi, nil
}

// Cheapest chooses the lowest price; ties go to the sooner delivery.
type Cheapest struct{}

// Choose implements [Policy].
func (Cheapest) Choose(quotes []Quote) (int, error) {
	return best(quotes, func(a, b Quote) (int, error) { return a.Price.Cmp(b.Price) })
}

// Fastest chooses the earliest estimated delivery (by transit days when a
// quote has no date); quotes with neither come last. Ties go to the lower
// price.
type Fastest struct{}

// Choose implements [Policy].
func (Fastest) Choose(quotes []Quote) (int, error) {
	return best(quotes, func(a, b Quote) (int, error) {
		if !a.EstimatedDelivery.IsZero() && !b.EstimatedDelivery.IsZero() {
			return a.EstimatedDelivery.Compare(b.EstimatedDelivery), nil
		}
		return cmp.Compare(days(a), days(b)), nil
	})
}

// ArriveBy chooses the cheapest quote whose estimated delivery falls on or
// before Date's calendar day (in Date's location). Quotes without an
// estimated delivery are not considered.
type ArriveBy struct {
	Date time.Time // the last acceptable delivery day
}

// Choose implements [Policy].
func (p ArriveBy) Choose(quotes []Quote) (int, error) {
	y, m, d := p.Date.Date()
	end := time.Date(y, m, d, 0, 0, 0, 0, p.Date.Location()).AddDate(0, 0, 1)
	bi := -1
	for i, q := range quotes {
		if q.EstimatedDelivery.IsZero() || !q.EstimatedDelivery.Before(end) {
			continue
		}
		if bi < 0 {
			bi = i
			continue
		}
		c, err := q.Price.Cmp(quotes[bi].Price)
		if err != nil {
			return 0, err
		}
		if c < 0 || (c == 0 && tieBreak(q, quotes[bi]) < 0) {
			bi = i
		}
	}
	if bi < 0 {
		return 0, fmt.Errorf("%w: none of %d quotes arrives by %s", ErrNoQuote, len(quotes), p.Date.Format(time.DateOnly))
	}
	return bi, nil
}

// BestValue weighs price against speed: each quote scores its price plus
// PerDay for every business day in transit, and the lowest score wins.
// PerDay is what a day sooner is worth to the shipper (the zero Money
// makes BestValue the same as [Cheapest]). A quote without transit days
// counts as UnknownDays days; zero means 10. Ties go to the lower price.
type BestValue struct {
	PerDay      fulfill.Money // what one business day sooner is worth
	UnknownDays int           // transit days assumed when a quote has none; zero means 10
}

// Score returns q's score under p.
func (p BestValue) Score(q Quote) (fulfill.Money, error) {
	n := q.TransitDays
	if n <= 0 {
		n = p.UnknownDays
		if n <= 0 {
			n = 10
		}
	}
	return q.Price.Add(p.PerDay.Mul(int64(n)))
}

// Choose implements [Policy].
func (p BestValue) Choose(quotes []Quote) (int, error) {
	return best(quotes, func(a, b Quote) (int, error) {
		sa, err := p.Score(a)
		if err != nil {
			return 0, err
		}
		sb, err := p.Score(b)
		if err != nil {
			return 0, err
		}
		return sa.Cmp(sb)
	})
}

var (
	_ Policy = Cheapest{}
	_ Policy = Fastest{}
	_ Policy = ArriveBy{}
	_ Policy = BestValue{}
	_ Policy = PolicyFunc(nil)
)
