package carrier_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"

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
// "compiled" is the Tariff built once; "previous" is the same card
// compiled and priced by the code before the allocation work (kept in
// legacy_test.go); "compiled-3pkg" and "previous-3pkg" price three
// packages with a signature; "naive" is naiveQuotes, a
// straightforward pricer reading the card's data in decimals (the
// baseline); "baseline" validates and compiles the card on every call.
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
	prev := carrier.PreviousQuoter(card)
	b.Run("previous", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if _, _, err := prev(req); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	req3 := request(b, "60601", true, pkg(b, "14.2x10x6in", "4.3lb"), pkg(b, "30x20x12in", "22lb"), pkg(b, "8x6x4in", "0.7lb"))
	req3.Options.Signature = true
	if qs, _, _ := tr.Quotes(req3); len(qs) != 10 {
		b.Fatalf("want 10 quotes, got %d", len(qs))
	}
	for _, bm := range []struct {
		name  string
		quote func(carrier.Request) ([]carrier.Quote, []*carrier.IneligibleError, error)
	}{{"compiled-3pkg", tr.Quotes}, {"previous-3pkg", prev}} {
		quote := bm.quote
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if _, _, err := quote(req3); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
	naive := naiveQuotes(card, req)
	want, _, _ := tr.Quotes(req)
	for i := range want {
		if !naive[i].Equal(want[i].Price) {
			b.Fatalf("naive card: %s, tariff: %s", naive[i], want[i].Price)
		}
	}
	b.Run("naive", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			naiveQuotes(card, req)
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

// BenchmarkPrices prices the same requests with Quotes (the baseline)
// and with Prices into a reused slice, with the ten-service card: "1pkg"
// is BenchmarkQuote's residential package, "3pkg" its three packages with
// a signature, and "parcels" 24 candidate parcels of a cartonization (six
// boxes, each at four weights) to one residential address, one request
// each, per op.
func BenchmarkPrices(b *testing.B) {
	tr, err := carrier.NewTariff(tenServiceCard(b))
	if err != nil {
		b.Fatal(err)
	}
	one := request(b, "60601", true, pkg(b, "14.2x10x6in", "4.3lb"))
	three := request(b, "60601", true, pkg(b, "14.2x10x6in", "4.3lb"), pkg(b, "30x20x12in", "22lb"), pkg(b, "8x6x4in", "0.7lb"))
	three.Options.Signature = true
	var parcels []carrier.Request
	for _, box := range []string{"6x6x4in", "9x6x3in", "12x10x8in", "14x12x6in", "18x14x12in", "24x18x16in"} {
		for _, mass := range []string{"0.6lb", "2.3lb", "7.9lb", "19lb"} {
			parcels = append(parcels, request(b, "97201", true, pkg(b, box, mass)))
		}
	}
	for _, set := range []struct {
		name string
		reqs []carrier.Request
	}{{"1pkg", []carrier.Request{one}}, {"3pkg", []carrier.Request{three}}, {"parcels", parcels}} {
		for _, req := range set.reqs {
			samePrices(b, tr, req)
		}
		b.Run("quotes-"+set.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				for _, req := range set.reqs {
					if _, _, err := tr.Quotes(req); err != nil {
						b.Fatal(err)
					}
				}
			}
			reportCPU(b, start)
		})
		b.Run("prices-"+set.name, func(b *testing.B) {
			b.ReportAllocs()
			var dst []carrier.ServicePrice
			start := cpuTime()
			for b.Loop() {
				for _, req := range set.reqs {
					if dst, err = tr.Prices(req, dst[:0]); err != nil {
						b.Fatal(err)
					}
				}
			}
			reportCPU(b, start)
		})
	}
}

// naiveQuotes prices req with every service of card the straightforward
// way: straight from the card's data, in decimals, with fmt-built
// explanation lines, nothing precomputed. It covers what the benchmark
// request needs (zone ranges, rounding up, dimensional weight, residential
// and additional-handling surcharges, fuel) and is the baseline of
// BenchmarkQuote.
func naiveQuotes(card *carrier.RateCard, req carrier.Request) []fulfill.Money {
	var out []fulfill.Money
	o, d := req.Origin.PostalCode[:3], req.Destination.PostalCode[:3]
	zone := ""
	for _, r := range card.Zones.Ranges {
		if r.Origin.From <= o && o <= r.Origin.To && r.Destination.From <= d && d <= r.Destination.To {
			zone = r.Zone
			break
		}
	}
	for _, s := range card.Services {
		var lines []string
		lines = append(lines, fmt.Sprintf("zone %s", zone))
		subtotal := decimal.Zero
		for i, p := range req.Packages {
			l := p.Dimensions.Length.Ceil(fulfill.Inch)
			w := p.Dimensions.Width.Ceil(fulfill.Inch)
			h := p.Dimensions.Height.Ceil(fulfill.Inch)
			lines = append(lines, fmt.Sprintf("package %d: dimensions %vx%vx%v", i+1, l/fulfill.Inch, w/fulfill.Inch, h/fulfill.Inch))
			actual := p.Mass.Ceil(fulfill.Pound)
			billable := actual
			vol := decimal.NewFromInt(int64(l / fulfill.Inch)).Mul(decimal.NewFromInt(int64(w / fulfill.Inch))).Mul(decimal.NewFromInt(int64(h / fulfill.Inch)))
			if s.Dim != nil && vol.GreaterThan(s.Dim.Above) {
				lbs := vol.DivRound(s.Dim.Divisor, 9).Ceil()
				dim := fulfill.Mass(lbs.IntPart()) * fulfill.Pound
				lines = append(lines, fmt.Sprintf("package %d: dimensional weight %s / %s = %s lb", i+1, vol, s.Dim.Divisor, lbs))
				billable = max(billable, dim)
			}
			billable = max(billable, s.MinBillable)
			lines = append(lines, fmt.Sprintf("package %d: billable weight %v", i+1, billable))
			row := s.Prices.Zones[zone]
			for k, brk := range s.Prices.Weights {
				if billable <= brk {
					subtotal = subtotal.Add(row[k])
					lines = append(lines, fmt.Sprintf("package %d: base price %s", i+1, row[k].StringFixed(2)))
					break
				}
			}
			longest := max(l, w, h)
			for _, sc := range card.Surcharges {
				if len(sc.Services) > 0 && !slices.Contains(sc.Services, s.Code) {
					continue
				}
				hit := (sc.Kind == carrier.SurchargeResidential && req.Destination.Residential) ||
					(sc.Kind == carrier.SurchargeHandling && sc.LongestOver > 0 && longest > sc.LongestOver)
				if hit {
					subtotal = subtotal.Add(sc.Amount)
					lines = append(lines, fmt.Sprintf("package %d: %s %s", i+1, sc.Name, sc.Amount.StringFixed(2)))
				}
			}
		}
		fuel := subtotal.Mul(card.FuelPercent).Div(decimal.NewFromInt(100)).Round(2)
		total := subtotal.Add(fuel)
		lines = append(lines, fmt.Sprintf("fuel %s%% of %s: %s", card.FuelPercent, subtotal.StringFixed(2), fuel.StringFixed(2)))
		lines = append(lines, fmt.Sprintf("total %s", total.StringFixed(2)))
		_ = strings.Join(lines, "\n")
		m, _ := fulfill.NewMoney(total, card.Currency)
		out = append(out, m)
	}
	return out
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
