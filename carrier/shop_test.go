package carrier_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/carrier/carriertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tenCarriers returns 8 good carriers answering within 80 ms, one that
// hangs (ignoring its context if stubborn) and one that fails.
func tenCarriers(stubborn bool) ([]carrier.Carrier, *carriertest.Fake, *carriertest.Fake) {
	var cs []carrier.Carrier
	for i := range 8 {
		f := carriertest.New(fmt.Sprintf("C%d", i), "STD", fmt.Sprintf("%d.00", 20-i), "USD", i%4+1)
		f.Latency = time.Duration(10*(i+1)) * time.Millisecond
		cs = append(cs, f)
	}
	hang := carriertest.New("HANG", "STD", "1.00", "USD", 1)
	if stubborn {
		hang.Latency, hang.IgnoreContext = time.Hour, true
	} else {
		hang.Hang = true
	}
	fail := carriertest.New("FAIL", "STD", "1.00", "USD", 1)
	fail.Latency, fail.Err = 5*time.Millisecond, errors.New("upstream 503")
	cs = append(cs[:3], append([]carrier.Carrier{hang}, cs[3:]...)...)
	cs = append(cs, fail)
	return cs, hang, fail
}

// TestIssue7ShopTenCarriers is the figure of issue 7: ten carriers, one
// hanging and one failing, return within the deadline with eight quotes
// and two typed errors.
func TestIssue7ShopTenCarriers(t *testing.T) {
	for _, stubborn := range []bool{false, true} {
		t.Run(fmt.Sprintf("ignores context=%v", stubborn), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cs, _, _ := tenCarriers(stubborn)
				s := carrier.NewShopper(cs...)
				s.Timeout = 200 * time.Millisecond
				start := time.Now()
				res, err := s.Shop(t.Context(), request(t, "94105", false, pkg(t, "10x10x10in", "1lb")))
				require.NoError(t, err)
				assert.Equal(t, 200*time.Millisecond, time.Since(start), "returns exactly at the deadline")
				require.Len(t, res.Quotes, 8)
				require.Len(t, res.Errors, 2)
				// Quotes keep the carriers' order.
				for i, q := range res.Quotes {
					assert.Equal(t, fmt.Sprintf("C%d", i), q.Service.Carrier)
				}
				hangErr, failErr := res.Errors[0], res.Errors[1]
				assert.Equal(t, "HANG", hangErr.Carrier)
				assert.Equal(t, 3, hangErr.Index)
				assert.ErrorIs(t, hangErr, carrier.ErrTimeout)
				assert.ErrorIs(t, hangErr, context.DeadlineExceeded)
				assert.ErrorIs(t, hangErr, carrier.ErrCarrierFailed)
				assert.Equal(t, 200*time.Millisecond, hangErr.Elapsed)
				assert.Equal(t, "FAIL", failErr.Carrier)
				assert.Equal(t, 9, failErr.Index)
				assert.ErrorIs(t, failErr, carrier.ErrCarrierFailed)
				assert.NotErrorIs(t, failErr, carrier.ErrTimeout)
				assert.Contains(t, failErr.Error(), "upstream 503")
				assert.Equal(t, 5*time.Millisecond, failErr.Elapsed)
				_, ok := errors.AsType[*carrier.TimeoutError](res.Err())
				assert.True(t, ok)

				q, err := res.Select(carrier.Cheapest{})
				require.NoError(t, err)
				assert.Equal(t, "C7", q.Service.Carrier) // 13.00
				if stubborn {
					// The abandoned call ends in the background; its answer is dropped.
					time.Sleep(time.Hour)
					synctest.Wait()
				}
			})
		})
	}
}

func TestShopAllGoodReturnsWithSlowest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cs []carrier.Carrier
		for i := range 5 {
			f := carriertest.New(fmt.Sprintf("C%d", i), "STD", "10.00", "USD", 2)
			f.Latency = time.Duration(i+1) * 30 * time.Millisecond
			cs = append(cs, f)
		}
		s := carrier.NewShopper(cs...)
		start := time.Now()
		res, err := s.Shop(t.Context(), request(t, "94105", false, pkg(t, "10x10x10in", "1lb")))
		require.NoError(t, err)
		assert.Equal(t, 150*time.Millisecond, time.Since(start), "concurrent: the slowest carrier's latency, not the sum")
		assert.Len(t, res.Quotes, 5)
		assert.NoError(t, res.Err())
	})
}

func TestShopCallerDeadlineShortensCarriers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cs, _, _ := tenCarriers(false)
		s := carrier.NewShopper(cs...)
		ctx, cancel := context.WithTimeout(t.Context(), 35*time.Millisecond)
		defer cancel()
		start := time.Now()
		res, err := s.Shop(ctx, request(t, "94105", false, pkg(t, "10x10x10in", "1lb")))
		require.NoError(t, err)
		assert.Equal(t, 35*time.Millisecond, time.Since(start))
		assert.Len(t, res.Quotes, 3) // 10, 20, 30 ms
		assert.Len(t, res.Errors, 7)
	})
}

func TestShopCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cs, _, _ := tenCarriers(false)
		s := carrier.NewShopper(cs...)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(15*time.Millisecond, cancel)
		res, err := s.Shop(ctx, request(t, "94105", false, pkg(t, "10x10x10in", "1lb")))
		require.NoError(t, err)
		assert.Len(t, res.Quotes, 1)
		for _, e := range res.Errors[1:] {
			if e.Carrier != "FAIL" {
				assert.ErrorIs(t, e, context.Canceled, e.Error())
				assert.NotErrorIs(t, e, carrier.ErrTimeout)
			}
		}
	})
}

func TestShopPanickingCarrier(t *testing.T) {
	boom := carrier.RateFunc(func(context.Context, carrier.Request) ([]carrier.Quote, error) { panic("boom") })
	good := carriertest.New("OK", "STD", "5.00", "USD", 1)
	res, err := carrier.NewShopper(boom, good).Shop(t.Context(), request(t, "94105", false, pkg(t, "10x10x10in", "1lb")))
	require.NoError(t, err)
	assert.Len(t, res.Quotes, 1)
	require.Len(t, res.Errors, 1)
	assert.Contains(t, res.Errors[0].Error(), "panicked: boom")
	assert.Equal(t, "carrier.RateFunc", res.Errors[0].Carrier)
}

func TestShopInvalidRequest(t *testing.T) {
	f := carriertest.New("OK", "STD", "5.00", "USD", 1)
	_, err := carrier.NewShopper(f).Shop(t.Context(), carrier.Request{})
	assert.ErrorIs(t, err, carrier.ErrInvalidRequest)
	assert.Zero(t, f.Calls(), "an invalid request is not sent")
}

func TestShopTariffs(t *testing.T) {
	tr := acme(t)
	res, err := carrier.NewShopper(tr).Shop(t.Context(), request(t, "94105", false, pkg(t, "12.2x10.1x8in", "5.2lb")))
	require.NoError(t, err)
	require.Len(t, res.Quotes, 3)
	q, err := res.Select(carrier.Cheapest{})
	require.NoError(t, err)
	assert.Equal(t, "GROUND", q.Service.Code)
	q, err = res.Select(carrier.Fastest{})
	require.NoError(t, err)
	assert.Equal(t, "GROUND", q.Service.Code, "GROUND and EXPRESS both 1 day in zone 2; GROUND is cheaper")
}

func TestPolicies(t *testing.T) {
	ship := shipTime
	mk := func(c, price string, d int) carrier.Quote {
		q := carriertest.Quote(c, "STD", price, "USD", d)
		q.EstimatedDelivery = ship.AddDate(0, 0, d)
		return q
	}
	quotes := []carrier.Quote{mk("A", "12.00", 5), mk("B", "20.00", 2), mk("C", "15.00", 3), mk("D", "12.00", 4), mk("E", "30.00", 1)}
	cases := []struct {
		name  string
		p     carrier.Policy
		f     []carrier.Filter
		want  string
		errIs error
	}{
		{"cheapest, tie to sooner", carrier.Cheapest{}, nil, "D", nil},
		{"fastest", carrier.Fastest{}, nil, "E", nil},
		{"arrive by day 3: cheapest of B, C, E", carrier.ArriveBy{Date: ship.AddDate(0, 0, 3).Add(-5 * time.Hour)}, nil, "C", nil},
		{"arrive by yesterday", carrier.ArriveBy{Date: ship.AddDate(0, 0, -1)}, nil, "", carrier.ErrNoQuote},
		// scores with 2.00 a day: A 22, B 24, C 21, D 20, E 32
		{"best value 2/day", carrier.BestValue{PerDay: fulfill.MustMoney("2", "USD")}, nil, "D", nil},
		// 5.00 a day: A 37, B 30, C 30, D 32, E 35: B and C tie on score, C cheaper
		{"best value 5/day", carrier.BestValue{PerDay: fulfill.MustMoney("5", "USD")}, nil, "C", nil},
		{"best value zero is cheapest", carrier.BestValue{}, nil, "D", nil},
		{"filter carriers", carrier.Cheapest{}, []carrier.Filter{carrier.Carriers("B", "E")}, "B", nil},
		{"exclude carriers", carrier.Cheapest{}, []carrier.Filter{carrier.ExcludeCarriers("A", "D")}, "C", nil},
		{"services by carrier/code", carrier.Fastest{}, []carrier.Filter{carrier.Services("A/STD", "C/STD")}, "C", nil},
		{"nothing passes", carrier.Cheapest{}, []carrier.Filter{carrier.Services("NONE")}, "", carrier.ErrNoQuote},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := carrier.Select(quotes, tc.p, tc.f...)
			if tc.errIs != nil {
				assert.ErrorIs(t, err, tc.errIs)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, q.Service.Carrier)
		})
	}
	mixed := append(quotes[:1:1], carriertest.Quote("X", "STD", "1.00", "EUR", 1))
	_, err := carrier.Select(mixed, carrier.Cheapest{})
	assert.ErrorIs(t, err, fulfill.ErrCurrencyMismatch)
}

// TestPolicyOrderIndependent: each policy picks the same quote whatever
// the order of the quotes (property over random permutations, fixed seed).
func TestPolicyOrderIndependent(t *testing.T) {
	rng := newRand(7)
	for range 200 {
		n := 1 + rng.IntN(8)
		var qs []carrier.Quote
		for i := range n {
			q := carriertest.Quote(fmt.Sprintf("C%d", i), "S", fmt.Sprintf("%d.%02d", 5+rng.IntN(5), rng.IntN(4)*25), "USD", 1+rng.IntN(4))
			q.EstimatedDelivery = shipTime.AddDate(0, 0, q.TransitDays)
			qs = append(qs, q)
		}
		for _, p := range []carrier.Policy{carrier.Cheapest{}, carrier.Fastest{}, carrier.BestValue{PerDay: fulfill.MustMoney("1.5", "USD")}, carrier.ArriveBy{Date: shipTime.AddDate(0, 0, 3)}} {
			a, errA := carrier.Select(qs, p)
			shuffled := append([]carrier.Quote(nil), qs...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			b, errB := carrier.Select(shuffled, p)
			require.Equal(t, errA == nil, errB == nil)
			if errA == nil {
				require.Equal(t, a.Service, b.Service, "%T", p)
				// Cheapest really is no dearer than any other quote.
				if _, ok := p.(carrier.Cheapest); ok {
					for _, q := range qs {
						c, _ := a.Price.Cmp(q.Price)
						require.LessOrEqual(t, c, 0)
					}
				}
			}
		}
	}
}
