package carrier_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/carrier/carriertest"
	"github.com/shopspring/decimal"
)

// tenServiceCard returns the test card grown to ten services: GROUND,
// EXPRESS and RETAIL plus variants with other divisors.
func tenServiceCard(b testing.TB) *carrier.RateCard {
	c := loadCard(b, "acme-2026.json")
	base := c.Services
	for i := 0; len(c.Services) < 10; i++ {
		s := base[i%len(base)]
		s.Code = fmt.Sprintf("%s_%d", s.Code, i)
		d := *s.Dim
		d.Divisor = decimal.NewFromInt(int64(139 + 9*i))
		s.Dim = &d
		c.Services = append(c.Services, s)
	}
	return c
}

// BenchmarkQuote prices one residential package with ten services.
// "compiled" is the Tariff built once; "baseline" is a naive use that
// validates and compiles the card on every call, as a reader of raw card
// data would.
func BenchmarkQuote(b *testing.B) {
	card := tenServiceCard(b)
	req := request(b, "60601", true, pkg(b, "14.2x10x6in", "4.3lb"))
	tr, err := carrier.NewTariff(card)
	if err != nil {
		b.Fatal(err)
	}
	if qs, _, _ := tr.Quotes(req); len(qs) != 10 {
		b.Fatalf("want 10 quotes, got %d", len(qs))
	}
	b.Run("compiled", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if _, _, err := tr.Quotes(req); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			t, err := carrier.NewTariff(card)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := t.Quotes(req); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
}

// reportCPU reports the process CPU time per operation since start, GC
// included: on a shared machine it is steadier than wall time.
func reportCPU(b *testing.B, start time.Duration) {
	if end := cpuTime(); end > 0 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkShop shops ten carriers that each take 1 ms. "direct" calls one
// such carrier (the floor: the slowest carrier's latency); "shop" is the
// concurrent Shopper, whose overhead is shop - direct; "sequential" is a
// naive shopper asking one carrier after another. The "-instant" variants
// use carriers that answer at once, isolating the fan-out's own cost.
func BenchmarkShop(b *testing.B) {
	var cs []carrier.Carrier
	for i := range 10 {
		f := carriertest.New(fmt.Sprintf("C%d", i), "STD", "10.00", "USD", 1)
		f.Latency = time.Millisecond
		cs = append(cs, f)
	}
	req := request(b, "94105", false, pkg(b, "10x10x10in", "1lb"))
	ctx := context.Background()
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if _, err := cs[0].Rate(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("shop", func(b *testing.B) {
		b.ReportAllocs()
		s := carrier.NewShopper(cs...)
		s.Timeout = time.Second
		for b.Loop() {
			res, err := s.Shop(ctx, req)
			if err != nil || len(res.Quotes) != 10 {
				b.Fatal(err, len(res.Quotes))
			}
		}
	})
	// With carriers that answer at once, shop measures the fan-out alone:
	// goroutines, deadlines and collecting ten answers.
	instant := make([]carrier.Carrier, len(cs))
	for i := range cs {
		instant[i] = carriertest.New(fmt.Sprintf("I%d", i), "STD", "10.00", "USD", 1)
	}
	b.Run("direct-instant", func(b *testing.B) {
		start := cpuTime()
		for b.Loop() {
			if _, err := instant[0].Rate(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run("shop-instant", func(b *testing.B) {
		b.ReportAllocs()
		s := carrier.NewShopper(instant...)
		start := cpuTime()
		for b.Loop() {
			if res, err := s.Shop(ctx, req); err != nil || len(res.Quotes) != 10 {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for _, c := range cs {
				cctx, cancel := context.WithTimeout(ctx, time.Second)
				q, err := c.Rate(cctx, req)
				cancel()
				if err == nil {
					n += len(q)
				}
			}
			if n != 10 {
				b.Fatal(n)
			}
		}
	})
}
