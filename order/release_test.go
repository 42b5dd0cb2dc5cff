package order

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkReleased checks the money of every line of o against released, the
// sum of the amounts its cancellation events carried: the line records
// exactly that much, it is not more than the line's total, the units not
// cancelled are worth the rest of the total to the cent, no run of units
// is worth less than nothing, the line totals add up to the order's, and
// what is due is what the units not cancelled are worth, plus shipping
// unless the whole order is cancelled.
func checkReleased(t *testing.T, o *Order, released map[LineID]fulfill.Money, step int) {
	t.Helper()
	tot, err := o.Totals()
	require.NoError(t, err, "step %d", step)
	sum, err := fulfill.Sum(append(slices.Clone(tot.Lines), tot.Shipping)...)
	require.NoError(t, err)
	require.True(t, sum.Equal(tot.Total), "step %d: lines + shipping %s, total %s", step, sum, tot.Total)
	due := zero(o.currency)
	for i, l := range o.lines {
		r, ok := released[l.ID]
		if !ok {
			r = zero(o.currency)
		}
		total := tot.Lines[i]
		require.True(t, l.CancelledValue.Equal(r), "step %d: line %d records %s released, its events %s", step, l.ID, l.CancelledValue, r)
		c, err := r.Cmp(total)
		require.NoError(t, err)
		require.LessOrEqual(t, c, 0, "step %d: line %d released %s of a total of %s", step, l.ID, r, total)
		rest, err := o.ValueOfUnits(l.ID, l.Cancelled, l.Ordered-l.Cancelled)
		require.NoError(t, err)
		sum, err := r.Add(rest)
		require.NoError(t, err)
		require.True(t, sum.Equal(total), "step %d: line %d released %s + %s left = %s, total %s", step, l.ID, r, rest, sum, total)
		all, err := valueOfUnits(total, l, 0, l.Ordered)
		require.NoError(t, err)
		require.True(t, all.Equal(total), "step %d: line %d: all units %s, total %s", step, l.ID, all, total)
		first, err := valueOfUnits(total, l, 0, l.Cancelled)
		require.NoError(t, err)
		require.True(t, first.Equal(r), "step %d: line %d: cancelled units %s, released %s", step, l.ID, first, r)
		// Unit by unit, on the total just checked (ValueOfUnits would
		// compute it again for every unit). If nothing moved the line's
		// total since its cancellations, every unit is worth its plain
		// share, as before issue 3.
		plain := plainShare(t, total, l.Ordered, l.Cancelled).Equal(r)
		prev := zero(o.currency)
		for k := range l.Ordered {
			v, err := valueOfUnits(total, l, k, 1)
			if err != nil || v.Sign() < 0 {
				t.Fatalf("step %d: line %d: unit %d worth %s (%v)", step, l.ID, k+1, v, err)
			}
			if plain {
				next := plainShare(t, total, l.Ordered, k+1)
				if want, _ := next.Sub(prev); !v.Equal(want) {
					t.Fatalf("step %d: line %d: unit %d worth %s, its share %s", step, l.ID, k+1, v, want)
				}
				prev = next
			}
		}
		if l.Cancelled == l.Ordered {
			require.True(t, r.Equal(total), "step %d: line %d fully cancelled released %s of %s", step, l.ID, r, total)
		}
		if due, err = due.Add(rest); err != nil {
			t.Fatal(err)
		}
	}
	if q := o.Quantities(); q.Live() > 0 || q.Shipped > 0 {
		due, err = due.Add(tot.Shipping)
		require.NoError(t, err)
	}
	require.True(t, tot.Due.Equal(due), "step %d: due %s, lines left + shipping %s", step, tot.Due, due)
}

// plainShare returns the first k of ordered units' share of total.
func plainShare(t *testing.T, total fulfill.Money, ordered, k int64) fulfill.Money {
	t.Helper()
	switch k {
	case 0:
		return zero(total.Currency())
	case ordered:
		return total
	}
	parts, err := total.Allocate(decimal.NewFromInt(k), decimal.NewFromInt(ordered-k))
	if err != nil {
		t.Fatal(err)
	}
	return parts[0]
}

// cancelsDrifted reports whether req cancels units of a line whose
// released money is not its cancelled units' share of its total.
func cancelsDrifted(t *testing.T, o *Order, req Request) bool {
	t.Helper()
	c, ok := req.(CancelRequest)
	if !ok {
		return false
	}
	tot, err := o.Totals()
	require.NoError(t, err)
	for i, l := range o.lines {
		if l.Cancelled == 0 || (len(c.Lines) > 0 && !slices.ContainsFunc(c.Lines, func(lq LineQuantity) bool { return lq.Line == l.ID })) {
			continue
		}
		if !plainShare(t, tot.Lines[i], l.Ordered, l.Cancelled).Equal(l.CancelledValue) {
			return true
		}
	}
	return false
}

// settled reports whether a line of o cancelled in full has released
// other than the total the order discount's spread gives it, so that its
// total is settled to what it released.
func settled(t *testing.T, o *Order) bool {
	t.Helper()
	shares, err := discountShares(o.currency, o.lines, o.discount)
	require.NoError(t, err)
	for i, l := range o.lines {
		if l.Cancelled < l.Ordered {
			continue
		}
		net, err := l.UnitPrice.Sub(l.UnitDiscount)
		require.NoError(t, err)
		total, err := net.Add(l.UnitTax)
		require.NoError(t, err)
		total, err = total.Mul(l.Ordered).Sub(shares[i])
		require.NoError(t, err)
		if !total.Equal(l.CancelledValue) {
			return true
		}
	}
	return false
}

// addReleased adds the amounts of the cancellations among events to released.
func addReleased(t *testing.T, released map[LineID]fulfill.Money, events []Event) {
	t.Helper()
	for _, e := range events {
		var cls []CancelledLine
		switch d := e.Data.(type) {
		case Cancelled:
			cls = d.Lines
		case Expired:
			cls = d.Lines
		}
		for _, c := range cls {
			require.GreaterOrEqual(t, c.Amount.Sign(), 0, "line %d released %s", c.Line, c.Amount)
			if r, ok := released[c.Line]; ok {
				var err error
				released[c.Line], err = r.Add(c.Amount)
				require.NoError(t, err)
			} else {
				released[c.Line] = c.Amount
			}
		}
	}
}

// Issue 3 left open that editing a line after partial cancellations
// valued later cancellations on the new line total alone, so that what the
// cancellations of a line released did not add up to its total. Each case
// places an order, runs steps and pins the amount each cancellation
// releases; after every step the released money plus the value of the
// units left is the line's total, to the cent.
func TestIssue3EditAfterPartialCancel(t *testing.T) {
	nl := func(sku string, n int64, price string) NewLine {
		return NewLine{SKU: fulfill.SKU(sku), Quantity: n, UnitPrice: usdAmt(price)}
	}
	cancel := func(line LineID, n int64) Request {
		return CancelRequest{Lines: []LineQuantity{{Line: line, Quantity: n}}}
	}
	tests := []struct {
		name     string
		lines    []NewLine
		discount string
		steps    []Request
		want     []string // the amount released for line 1 by each cancellation
	}{{
		// 3 units for 10.00 after the 5.00 order discount: one unit is
		// 3.33. Raising the quantity to 4 makes the line 15.00, 3.75 a unit;
		// the next unit cancelled releases what the first one was short.
		name:     "quantity raised",
		lines:    []NewLine{nl("A", 3, "5.00")},
		discount: "5.00",
		steps: []Request{
			cancel(1, 1),
			EditRequest{SetQuantity: []LineQuantity{{Line: 1, Quantity: 4}}},
			cancel(1, 1),
			cancel(1, 2),
		},
		want: []string{"3.33", "4.17", "7.50"},
	}, {
		// Line 1 carries 4.69 of the discount (10.31, 3.44 a unit) until
		// line 2 is removed and it carries all 5.00 (10.00, 3.33 a unit).
		name:     "other line removed",
		lines:    []NewLine{nl("A", 3, "5.00"), nl("B", 1, "1.00")},
		discount: "5.00",
		steps: []Request{
			cancel(1, 1),
			EditRequest{Remove: []LineID{2}},
			CancelRequest{},
		},
		want: []string{"3.44", "6.56"},
	}, {
		// A 0.03 line takes 0.01 of the discount: line 1 goes from 10.00 to
		// 10.01, one cent more than the old split of the units left.
		name:     "line added",
		lines:    []NewLine{nl("A", 3, "5.00")},
		discount: "5.00",
		steps: []Request{
			cancel(1, 1),
			EditRequest{Add: []NewLine{nl("C", 1, "0.03")}},
			cancel(1, 2),
		},
		want: []string{"3.33", "6.68"},
	}, {
		// Line 1 carries 7.36 of the 27.00 discount (7.64, 2.55 a unit)
		// until line 2 shrinks to one unit and it carries 11.57 (3.43,
		// 1.14 a unit): the first unit released more than two units are
		// now worth together, so the next one releases nothing.
		name:     "other quantity lowered",
		lines:    []NewLine{nl("A", 3, "5.00"), nl("B", 2, "20.00")},
		discount: "27.00",
		steps: []Request{
			cancel(1, 1),
			EditRequest{SetQuantity: []LineQuantity{{Line: 2, Quantity: 1}}},
			cancel(1, 1),
			cancel(1, 1),
		},
		want: []string{"2.55", "0.00", "0.88"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rq := placeRq
			rq.Lines, rq.Discount = tt.lines, usdAmt(tt.discount)
			o, events, err := Place(testID, owner, t0, rq)
			require.NoError(t, err)
			released := map[LineID]fulfill.Money{}
			checkReleased(t, o, released, 0)
			var got []string
			for i, r := range tt.steps {
				evs, err := o.Execute(t0, r)
				require.NoError(t, err, "step %d: %s", i+1, r.Command())
				events = append(events, evs...)
				addReleased(t, released, evs)
				if d, ok := evs[0].Data.(Cancelled); ok {
					for _, c := range d.Lines {
						if c.Line == 1 {
							got = append(got, c.Amount.Amount().StringFixed(2))
						}
					}
				}
				checkReleased(t, o, released, i+1)
			}
			assert.Equal(t, tt.want, got)
			l, _ := o.Line(1)
			assert.Equal(t, l.Ordered, l.Cancelled, "line 1 is cancelled in full")
			replayed, err := Replay(events)
			require.NoError(t, err)
			assert.Equal(t, snapJSON(t, o), snapJSON(t, replayed))
		})
	}
}

// An edit that would lower a partly cancelled line's total below what its
// cancellations released is refused, and changes nothing; one that lowers
// it less, or raises it, goes through.
func TestIssue3EditBelowReleased(t *testing.T) {
	rq := placeRq
	rq.Lines = []NewLine{
		{SKU: "A", Quantity: 3, UnitPrice: usdAmt("5.00")},
		{SKU: "B", Quantity: 2, UnitPrice: usdAmt("20.00")},
	}
	rq.Discount = usdAmt("30.00") // line 1 carries 8.18 of it: 6.82, 2.27 a unit
	o, _, err := Place(testID, owner, t0, rq)
	require.NoError(t, err)
	must(t, o, CancelRequest{Lines: []LineQuantity{{Line: 1, Quantity: 1}}})
	l, _ := o.Line(1)
	require.True(t, l.CancelledValue.Equal(usdAmt("2.27")), "released %s", l.CancelledValue)

	// With one unit of line 2 left, line 1 would carry 12.86 of the
	// discount and be worth 2.14.
	before := snapJSON(t, o)
	shrink := EditRequest{SetQuantity: []LineQuantity{{Line: 2, Quantity: 1}}}
	_, err = o.Edit(t0, shrink)
	assert.ErrorIs(t, err, ErrInvalidOrder)
	re, ok := errors.AsType[*ReleasedError](err)
	require.True(t, ok, "got %v", err)
	assert.Equal(t, LineID(1), re.Line)
	assert.True(t, re.Total.Equal(usdAmt("2.14")) && re.Released.Equal(usdAmt("2.27")), "total %s, released %s", re.Total, re.Released)
	assert.Equal(t, "order: line 1: the edit would make its total 2.14 USD, below the 2.27 USD its cancellations released", err.Error())
	assert.Equal(t, before, snapJSON(t, o))
	_, err = o.PreviewEdit(t0, shrink)
	assert.ErrorIs(t, err, ErrInvalidOrder)

	// Adding units to line 2 takes discount off line 1: allowed.
	must(t, o, EditRequest{SetQuantity: []LineQuantity{{Line: 2, Quantity: 3}}})
	// Line 1 is now worth 9.00. Shrinking it to the unit cancelled and
	// one more lowers its total to 5.71, still above 2.27: allowed, and
	// cancelling the rest releases 3.44.
	must(t, o, EditRequest{SetQuantity: []LineQuantity{{Line: 1, Quantity: 2}}})
	events, err := o.Cancel(t0, CancelRequest{})
	require.NoError(t, err)
	tot, err := o.Totals()
	require.NoError(t, err)
	assert.True(t, tot.Due.IsZero() && tot.Cancelled.Equal(tot.Total), "due %s, cancelled %s of %s", tot.Due, tot.Cancelled, tot.Total)
	assert.True(t, events[0].Data.(Cancelled).Lines[0].Amount.Equal(usdAmt("3.44")), "line 1 released %s", events[0].Data.(Cancelled).Lines[0].Amount)
}

// Orders recorded before edits were checked against released money may
// have a line whose cancellations released more than its total, or less
// than its units' share. They still replay, restore from their snapshot
// and take commands; their remaining units are never worth less than zero.
func TestIssue3OrdersRecordedBefore(t *testing.T) {
	tests := []struct {
		name     string
		lines    []NewLine
		discount string
		released string // what the old rule released for the first unit of line 1
		edit     Edited // what the old rule let through
		left     string // what the units of line 1 not cancelled are worth
	}{
		{"released less than the share", []NewLine{{SKU: "A", Quantity: 3, UnitPrice: usdAmt("5.00")}}, "5.00",
			"3.33", Edited{Quantities: []LineQuantity{{Line: 1, Quantity: 4}}}, "11.67"},
		{"released more than the total", []NewLine{{SKU: "A", Quantity: 3, UnitPrice: usdAmt("5.00")}, {SKU: "B", Quantity: 2, UnitPrice: usdAmt("20.00")}}, "30.00",
			"2.27", Edited{Quantities: []LineQuantity{{Line: 2, Quantity: 1}}}, "0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rq := placeRq
			rq.Lines, rq.Discount = tt.lines, usdAmt(tt.discount)
			_, events, err := Place(testID, owner, t0, rq)
			require.NoError(t, err)
			event := func(d EventData) Event {
				v := int64(len(events) + 1)
				return Event{ID: eventID(testID, v), OrderID: testID, Owner: owner, Version: v, At: t0, Data: d}
			}
			events = append(events, event(Cancelled{Lines: []CancelledLine{{Line: 1, Unallocated: 1, Amount: usdAmt(tt.released)}}}))
			events = append(events, event(tt.edit))
			b, err := json.Marshal(events)
			require.NoError(t, err)
			var decoded []Event
			require.NoError(t, json.Unmarshal(b, &decoded))
			o, err := Replay(decoded)
			require.NoError(t, err)

			b, err = json.Marshal(o.Snapshot())
			require.NoError(t, err)
			var s Snapshot
			require.NoError(t, json.Unmarshal(b, &s))
			restored, err := Restore(s)
			require.NoError(t, err)
			assert.Equal(t, snapJSON(t, o), snapJSON(t, restored))

			l, _ := o.Line(1)
			left, err := o.ValueOfUnits(1, l.Cancelled, l.Ordered-l.Cancelled)
			require.NoError(t, err)
			assert.True(t, left.Equal(usdAmt(tt.left)), "left %s, want %s", left, tt.left)
			for k := range l.Ordered {
				v, err := o.ValueOfUnits(1, k, 1)
				require.NoError(t, err)
				assert.GreaterOrEqual(t, v.Sign(), 0, "unit %d worth %s", k+1, v)
			}
			// Editing the address of such an order still works; cancelling
			// the rest releases what the units left are worth.
			a := shipTo
			a.Line2 = "Apt 2"
			must(t, o, EditRequest{ShipTo: &a})
			evs, err := o.Cancel(t0, CancelRequest{Lines: []LineQuantity{{Line: 1, Quantity: l.Ordered - l.Cancelled}}})
			require.NoError(t, err)
			assert.True(t, evs[0].Data.(Cancelled).Lines[0].Amount.Equal(left), "released %s", evs[0].Data.(Cancelled).Lines[0].Amount)
		})
	}
}

// cancelEditRq is an order of three lines whose 50.00 discount takes most
// of their value, for randomCancelOrEdit.
var cancelEditRq = func() PlaceRequest {
	rq := placeRq
	rq.Lines = append(slices.Clone(rq.Lines), NewLine{SKU: "C", Quantity: 3, UnitPrice: usdAmt("3.33")})
	rq.Discount = usdAmt("50.00")
	return rq
}()

// randomCancelOrEdit returns a cancellation of part of a line or an edit of
// the lines, now and then another command of randomRequest: the commands
// that move a line's money.
func randomCancelOrEdit(o *Order, r chooser) Request {
	line := func() LineID {
		if len(o.lines) == 0 {
			return 1
		}
		return o.lines[r.IntN(len(o.lines))].ID
	}
	switch r.IntN(10) {
	case 0, 1, 2, 3:
		l, _ := o.Line(line())
		return CancelRequest{Lines: []LineQuantity{{Line: l.ID, Quantity: 1 + int64(r.IntN(int(max(l.Unshipped(), 1))))}}}
	case 4:
		prices := []string{"0.99", "3.33", "7.77", "19.99"}
		return EditRequest{Add: []NewLine{{SKU: "D", Quantity: 1 + int64(r.IntN(3)), UnitPrice: usdAmt(prices[r.IntN(len(prices))])}}}
	case 5, 6:
		return EditRequest{Remove: []LineID{line()}}
	case 7, 8:
		return EditRequest{SetQuantity: []LineQuantity{{Line: line(), Quantity: 1 + int64(r.IntN(6))}}}
	default:
		return randomRequest(o, r)
	}
}

// Random cancellations and edits of an order whose discount takes most of
// its value: after every step runSequence checks that each line's released
// money and the value of its units left add up to its total, and the runs
// reach edits refused with a *ReleasedError and lines cancelled in full
// whose share of the discount an edit changed.
func TestIssue3RandomCancelsAndEdits(t *testing.T) {
	seeds := 200
	if testing.Short() || raceEnabled {
		seeds = 60
	}
	var stats releaseStats
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			runSequence(t, newRand(uint64(seed)), 40, sequence{place: cancelEditRq, next: randomCancelOrEdit, stats: &stats})
		})
	}
	t.Logf("edits refused: %d, cancellations after a drift: %d, totals settled: %d", stats.refused, stats.drifted, stats.settled)
	assert.Positive(t, stats.refused, "edits refused")
	assert.Positive(t, stats.drifted, "cancellations after a drift")
	assert.Positive(t, stats.settled, "steps after which a line cancelled in full had its total settled")
}
