package pack

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/require"
)

// packBaseline packs in the manner of BoxPacker: it repeatedly tries every
// box type, smallest first, on the remaining units, keeps the box that
// takes the most units (then the smallest box), and goes on with the rest;
// cost plays no part. Geometry uses this package's extreme-point placement,
// so the comparison measures the box choice, not the placement.
func packBaseline(req Request) (Result, error) {
	e, st := newEngine(context.Background(), &req, &Options{MaxWork: 1 << 62})
	types := make([]int, len(e.types))
	for i := range types {
		types[i] = i
	}
	slices.SortStableFunc(types, func(a, b int) int { return cmpF(e.types[a].vol, e.types[b].vol) })
	rest := slices.Clone(st.units)
	e.sortUnits(rest, 0)
	s := st.pinned.clone()
	for len(rest) > 0 {
		var best *bin
		var bestLeft []int32
		for _, t := range types {
			b, left := e.fillOne(t, rest, meritLow)
			if len(b.pl) > 0 && (best == nil || len(b.pl) > len(best.pl)) {
				best, bestLeft = b, left
			}
		}
		if best == nil {
			s.noBox = append(s.noBox, rest...)
			break
		}
		s.bins = append(s.bins, best)
		rest = bestLeft
	}
	return e.result(st, s)
}

// packCostBound is a simple lower bound on the box cost of an order: the
// order needs a box for its most demanding unit, and boxes whose volumes add
// up to at least the volume of its units; the bound is the larger of the
// cheapest such box and the cheapest such set of boxes (an unbounded
// covering knapsack over volumes in decilitres, boxes rounded up and the
// order rounded down). It is the bound the figures quote.
func packCostBound(req Request) float64 {
	const unit = 100_000.0 // mm³ in a decilitre
	var worst, vol float64
	for _, it := range req.Items {
		cheapest := -1.0
		for _, b := range req.Boxes {
			if fitsRule(it.Dimensions, it.Rotation, b.Inner) && (b.MaxContent == 0 || it.Weight <= b.MaxContent) {
				if c := b.Cost.Amount().InexactFloat64(); cheapest < 0 || c < cheapest {
					cheapest = c
				}
			}
		}
		worst = max(worst, cheapest)
		vol += float64(it.Quantity) * it.Dimensions.Length.Millimeters() * it.Dimensions.Width.Millimeters() * it.Dimensions.Height.Millimeters()
	}
	need := int(vol / unit)
	dp := make([]float64, need+1) // dp[v]: least cost of boxes holding v decilitres
	for v := 1; v <= need; v++ {
		dp[v] = -1
		for _, b := range req.Boxes {
			bv := int(math.Ceil(b.Inner.Length.Millimeters() * b.Inner.Width.Millimeters() * b.Inner.Height.Millimeters() / unit))
			c := b.Cost.Amount().InexactFloat64() + dp[max(0, v-bv)]
			if dp[v] < 0 || c < dp[v] {
				dp[v] = c
			}
		}
	}
	return max(worst, dp[need])
}

// packFitBound is a stronger lower bound on the box cost of an order, for
// orders whose units all fit some box. Each unit may only go into the box
// types it fits in (by size, rotation rule and weight), so for any set S of
// box types, the units that fit only types of S must be held by the boxes of
// those types: their volume and their weight are at most the boxes'. The
// bound is the cheapest multiset of boxes meeting that for every set S made
// of one or two units' fit sets; a branch and bound over box counts finds
// it. Geometry beyond volume is ignored, so the bound is below the optimum.
func packFitBound(req Request) float64 {
	type unitClass struct {
		fit      uint64
		vol, wgt float64
	}
	nb := len(req.Boxes)
	cost := make([]float64, nb)
	bvol := make([]float64, nb)
	bwgt := make([]float64, nb) // +Inf when unlimited
	for i, b := range req.Boxes {
		cost[i] = b.Cost.Amount().InexactFloat64()
		bvol[i] = b.Inner.Length.Millimeters() * b.Inner.Width.Millimeters() * b.Inner.Height.Millimeters()
		bwgt[i] = math.Inf(1)
		if b.MaxContent > 0 {
			bwgt[i] = b.MaxContent.Grams()
		}
	}
	var classes []unitClass
	upper := 0.0 // every unit in its own cheapest box meets every constraint
	for _, it := range req.Items {
		var f uint64
		cheapest := math.Inf(1)
		for i, b := range req.Boxes {
			if fitsRule(it.Dimensions, it.Rotation, b.Inner) && (b.MaxContent == 0 || it.Weight <= b.MaxContent) {
				f |= 1 << i
				cheapest = min(cheapest, cost[i])
			}
		}
		if f == 0 {
			return math.NaN()
		}
		upper += float64(it.Quantity) * cheapest
		v := it.Dimensions.Length.Millimeters() * it.Dimensions.Width.Millimeters() * it.Dimensions.Height.Millimeters()
		classes = append(classes, unitClass{f, float64(it.Quantity) * v, float64(it.Quantity) * it.Weight.Grams()})
	}
	var sets []uint64
	for _, a := range classes {
		for _, b := range classes {
			if u := a.fit | b.fit; !slices.Contains(sets, u) {
				sets = append(sets, u)
			}
		}
	}
	type need struct {
		set      uint64
		vol, wgt float64
	}
	var needs []need
	for _, s := range sets {
		n := need{set: s}
		for _, c := range classes {
			if c.fit&^s == 0 {
				n.vol += c.vol
				n.wgt += c.wgt
			}
		}
		needs = append(needs, n)
	}
	count := make([]int, nb)
	best := upper
	var rec func(i int, spent float64)
	rec = func(i int, spent float64) {
		if spent >= best {
			return
		}
		if i == nb {
			for _, n := range needs {
				var v, w float64
				for j := range nb {
					if n.set&(1<<j) != 0 {
						v += float64(count[j]) * bvol[j]
						w += float64(count[j]) * bwgt[j]
					}
				}
				if v*(1+1e-12) < n.vol || w*(1+1e-12) < n.wgt {
					return
				}
			}
			best = spent
			return
		}
		for c := 0; spent+float64(c)*cost[i] < best; c++ {
			count[i] = c
			rec(i+1, spent+float64(c)*cost[i])
			if cost[i] <= 0 {
				break
			}
		}
		count[i] = 0
	}
	rec(0, 0)
	return best
}

// packOrders returns n seeded e-commerce orders whose items all fit the
// catalogue.
func packOrders(n int) []Request {
	rng := rand.New(rand.NewPCG(2026, 6))
	var out []Request
	for len(out) < n {
		req := packRandomOrder(rng)
		ok := true
		for _, it := range req.Items {
			fits := false
			for _, b := range req.Boxes {
				fits = fits || fitsRule(it.Dimensions, it.Rotation, b.Inner) && it.Weight <= b.MaxContent
			}
			ok = ok && fits
		}
		if ok {
			out = append(out, req)
		}
	}
	return out
}

func packCost(res Result) float64 { return res.Cost.Amount().InexactFloat64() }

// packMailerCatalogue is packCatalogue with the two mailers priced as poly
// mailers are against corrugated boxes: a fraction of a box of their volume.
// Box choice by volume then no longer picks the cheapest box.
func packMailerCatalogue() []Box {
	prices := map[string]string{"mailer-S": "0.12", "mailer-L": "0.22", "box-XS": "0.45", "box-S": "0.70",
		"box-M": "1.05", "box-L": "1.60", "box-XL": "2.35", "box-flat": "1.10"}
	boxes := packCatalogue()
	for i := range boxes {
		boxes[i].Cost = usd(prices[boxes[i].ID])
	}
	return boxes
}

// TestEcommerceFigures prints the e-commerce figures: total box cost of the
// fast and thorough modes against the two baselines (BoxPacker's box choice
// on this package's placement, and the BoxPacker-style packer) and the cost
// lower bounds, for the catalogue of the figures and, without thorough mode,
// for the same boxes with poly-mailer prices.
func TestEcommerceFigures(t *testing.T) {
	orders := packOrders(500)
	if !*packFigures {
		orders = orders[:40]
	}
	t.Run("catalogue", func(t *testing.T) { ecommerceFigures(t, orders, *packFigures) })
	mailers := make([]Request, len(orders))
	for i, req := range orders {
		req.Boxes = packMailerCatalogue()
		mailers[i] = req
	}
	t.Run("mailer-prices", func(t *testing.T) { ecommerceFigures(t, mailers, false) })
}

func ecommerceFigures(t *testing.T, orders []Request, thoroughToo bool) {
	var base, bp, fast, thorough, bound, fitBound float64
	var fastTime time.Duration
	var boxesBase, boxesBP, boxesFast int
	for i, req := range orders {
		rb, err := packBaseline(req)
		require.NoError(t, err)
		require.NoError(t, Verify(req, rb))
		rp, err := packBoxPacker(req)
		require.NoError(t, err)
		require.NoError(t, Verify(req, rp))
		require.Empty(t, rp.Unpacked)
		start := time.Now()
		rf, err := Pack(context.Background(), req, &Options{Objective: ObjectiveCost})
		fastTime += time.Since(start)
		require.NoError(t, err)
		require.NoError(t, Verify(req, rf))
		require.Empty(t, rf.Unpacked)
		// Packing for cost never costs more than packing for count first.
		require.LessOrEqual(t, packCost(rf), packCost(rp)+1e-9, "order %d", i)
		base += packCost(rb)
		bp += packCost(rp)
		fast += packCost(rf)
		boxesBase += rb.Boxes()
		boxesBP += rp.Boxes()
		boxesFast += rf.Boxes()
		bound += packCostBound(req)
		fb := max(packFitBound(req), packCostBound(req))
		// A lower bound never exceeds the cost of a verified packing.
		require.LessOrEqual(t, fb, packCost(rf)+1e-9)
		require.LessOrEqual(t, fb, packCost(rb)+1e-9)
		require.LessOrEqual(t, fb, packCost(rp)+1e-9)
		fitBound += fb
		if thoroughToo {
			rt, err := Pack(context.Background(), req, &Options{Objective: ObjectiveCost, Mode: ModeThorough, MaxWork: 200_000_000})
			require.NoError(t, err)
			require.NoError(t, Verify(req, rt))
			thorough += packCost(rt)
		}
	}
	// The cost objective never does worse than the count-first baselines in total.
	require.Less(t, fast, base)
	require.Less(t, fast, bp)
	t.Logf("%d orders: baseline %.2f (%d boxes), fast %.2f (%d boxes, %+.1f%% vs baseline), cost bound %.2f (fast %+.1f%%, baseline %+.1f%%), fast mean %v/order",
		len(orders), base, boxesBase, fast, boxesFast, 100*(fast-base)/base, bound, 100*(fast-bound)/bound, 100*(base-bound)/bound,
		fastTime/time.Duration(len(orders)))
	t.Logf("fit bound %.2f (fast %+.1f%%, baseline %+.1f%%)", fitBound, 100*(fast-fitBound)/fitBound, 100*(base-fitBound)/fitBound)
	t.Logf("boxpacker %.2f (%d boxes, %+.1f%% vs cost bound, %+.1f%% vs fit bound), fast %+.1f%% vs boxpacker",
		bp, boxesBP, 100*(bp-bound)/bound, 100*(bp-fitBound)/fitBound, 100*(fast-bp)/bp)
	if thorough > 0 {
		t.Logf("thorough %.2f (%+.1f%% vs baseline, %+.1f%% vs boxpacker, %+.1f%% vs bound, %+.1f%% vs fit bound)", thorough,
			100*(thorough-base)/base, 100*(thorough-bp)/bp, 100*(thorough-bound)/bound, 100*(thorough-fitBound)/fitBound)
	}
}

// TestEcommerceHeadroom measures how far the fast mode is from the best
// grouping of units into boxes on the orders of 7 to 12 units, where trying
// every grouping (the exact search fast mode uses up to 6 units) is still
// affordable: the room any packer has left on these orders.
func TestEcommerceHeadroom(t *testing.T) {
	if !*packFigures {
		t.Skip("run with -pack.figures")
	}
	var fast, exact, bound float64
	n := 0
	for _, req := range packOrders(500) {
		units := 0
		for _, it := range req.Items {
			units += it.Quantity
		}
		if units < 7 || units > 12 {
			continue
		}
		n++
		rf, err := Pack(context.Background(), req, &Options{Objective: ObjectiveCost})
		require.NoError(t, err)
		require.NoError(t, Verify(req, rf))
		re, err := Pack(context.Background(), req, &Options{Objective: ObjectiveCost, ExactUnits: 12, MaxWork: 1 << 40})
		require.NoError(t, err)
		require.NoError(t, Verify(req, re))
		fast += packCost(rf)
		exact += packCost(re)
		bound += max(packFitBound(req), packCostBound(req))
	}
	t.Logf("%d orders of 7 to 12 units: fast %.2f, exact grouping %.2f (fast %+.1f%%), fit bound %.2f",
		n, fast, exact, 100*(fast-exact)/exact, bound)
}

// packGround prices a parcel as a ground service bills it: by the larger of
// its actual weight and its dimensional weight (the outer volume at 139
// cubic inches a pound, the divisor of the large US parcel carriers), in
// whole pounds, at 9.00 USD for the first pound and 0.75 USD for each
// pound after.
func packGround(p Parcel) (fulfill.Money, error) {
	const mm3PerIn3 = 16_387.064
	vol := float64(p.Outer.Length/fulfill.Millimeter) * float64(p.Outer.Width/fulfill.Millimeter) * float64(p.Outer.Height/fulfill.Millimeter)
	lb := max(float64(p.Gross)/float64(fulfill.Gram)/453.59237, vol/mm3PerIn3/139)
	pounds := max(1, int64(math.Ceil(lb-1e-9)))
	return fulfill.MoneyFromMinor(900+75*(pounds-1), "USD")
}

// packLanded returns what res costs to send: its boxes and each package's
// postage at packGround's rates.
func packLanded(t *testing.T, res Result) float64 {
	total := packCost(res)
	for _, p := range res.Packages {
		m, err := packGround(Parcel{Box: p.Box, Outer: p.Outer, Gross: p.Gross})
		require.NoError(t, err)
		total += m.Amount().InexactFloat64()
	}
	return total
}

// TestEcommerceLanded compares the objectives on what the e-commerce orders
// cost to send, boxes and postage at packGround's rates, in both
// catalogues: packing for box cost alone uses more, smaller boxes, each
// paying postage, while ObjectiveTotalCost weighs the two. Without
// -pack.figures it runs 40 orders.
func TestEcommerceLanded(t *testing.T) {
	orders := packOrders(500)
	if !*packFigures {
		orders = orders[:40]
	}
	for _, mailers := range []bool{false, true} {
		var bp, cost, total, boxesBP, boxesCost, boxesTotal float64
		var parcelsBP, parcelsCost, parcelsTotal int
		for _, req := range orders {
			if mailers {
				req.Boxes = packMailerCatalogue()
			}
			rp, err := packBoxPacker(req)
			require.NoError(t, err)
			rc, err := Pack(context.Background(), req, &Options{Objective: ObjectiveCost})
			require.NoError(t, err)
			rt, err := Pack(context.Background(), req, &Options{Objective: ObjectiveTotalCost, Shipping: packGround})
			require.NoError(t, err)
			require.NoError(t, Verify(req, rt))
			require.Empty(t, rt.Unpacked)
			// The estimate Pack reports is the postage of its packages.
			require.InDelta(t, packLanded(t, rt)-packCost(rt), rt.Shipping.Amount().InexactFloat64(), 1e-9)
			bp += packLanded(t, rp)
			cost += packLanded(t, rc)
			total += packLanded(t, rt)
			boxesBP, boxesCost, boxesTotal = boxesBP+packCost(rp), boxesCost+packCost(rc), boxesTotal+packCost(rt)
			parcelsBP, parcelsCost, parcelsTotal = parcelsBP+rp.Boxes(), parcelsCost+rc.Boxes(), parcelsTotal+rt.Boxes()
		}
		// Weighing postage never sends the orders for more, in total, than
		// packing for boxes alone or in BoxPacker's manner.
		require.Less(t, total, cost)
		require.Less(t, total, bp)
		name := "catalogue"
		if mailers {
			name = "mailer prices"
		}
		t.Logf("%s, %d orders, boxes + postage: boxpacker %.2f (boxes %.2f, %d parcels); cost %.2f (%+.1f%%; boxes %.2f, %d parcels); total_cost %.2f (%+.1f%%; boxes %.2f, %d parcels)",
			name, len(orders), bp, boxesBP, parcelsBP, cost, 100*(cost-bp)/bp, boxesCost, parcelsCost, total, 100*(total-bp)/bp, boxesTotal, parcelsTotal)
	}
}

// BenchmarkOrders packs the same e-commerce orders with the baseline and
// with Pack; compare ns/op between the sub-benchmarks, and cost/order.
func BenchmarkOrders(b *testing.B) {
	orders := packOrders(50)
	run := func(b *testing.B, f func(Request) (Result, error)) {
		var cost float64
		for b.Loop() {
			cost = 0
			for _, req := range orders {
				res, err := f(req)
				if err != nil {
					b.Fatal(err)
				}
				cost += packCost(res)
			}
		}
		b.ReportMetric(cost/float64(len(orders)), "cost/order")
	}
	b.Run("baseline", func(b *testing.B) { run(b, packBaseline) })
	b.Run("boxpacker", func(b *testing.B) { run(b, packBoxPacker) })
	b.Run("fast", func(b *testing.B) {
		run(b, func(r Request) (Result, error) {
			return Pack(context.Background(), r, &Options{Objective: ObjectiveCost})
		})
	})
}

// BenchmarkMPV packs Martello-Pisinger-Vigo instances; boxes/L2 is the ratio
// of boxes used to the L2 bound, against the baseline's in the same run.
func BenchmarkMPV(b *testing.B) {
	var reqs []Request
	l2 := 0
	for c := 1; c <= 8; c++ {
		r := mpvInstance(c, 50, 99)
		reqs = append(reqs, r)
		l2 += packL2(r)
	}
	run := func(b *testing.B, f func(Request) (Result, error)) {
		boxes := 0
		for b.Loop() {
			boxes = 0
			for _, r := range reqs {
				res, err := f(r)
				if err != nil {
					b.Fatal(err)
				}
				boxes += res.Boxes()
			}
		}
		b.ReportMetric(float64(boxes)/float64(l2), "boxes/L2")
	}
	b.Run("baseline", func(b *testing.B) { run(b, packBaseline) })
	b.Run("boxpacker", func(b *testing.B) { run(b, packBoxPacker) })
	b.Run("fast", func(b *testing.B) {
		run(b, func(r Request) (Result, error) { return Pack(context.Background(), r, nil) })
	})
}
