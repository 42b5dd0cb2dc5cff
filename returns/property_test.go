package returns

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// chooser draws the random choices of a scenario.
type chooser interface {
	IntN(n int) int
	Done() bool
}

// randChooser draws from a seeded PCG.
type randChooser struct{ r *rand.Rand }

func (c randChooser) IntN(n int) int {
	if n <= 1 {
		return 0
	}
	return c.r.IntN(n)
}
func (randChooser) Done() bool { return false }

// byteChooser draws from fuzz input; it is done when the input is.
type byteChooser struct {
	b []byte
	i int
}

func (c *byteChooser) IntN(n int) int {
	if n <= 1 || c.i >= len(c.b) {
		return 0
	}
	v := int(c.b[c.i])
	c.i++
	return v % n
}
func (c *byteChooser) Done() bool { return c.i >= len(c.b) }

func cents(n int) fulfill.Money {
	m, _ := fulfill.MoneyFromMinor(int64(n), usd)
	return m
}

// randomOrder places a random order with discounts, tax and shipping,
// cancels some units, ships the rest and maybe delivers them.
func randomOrder(t testing.TB, ch chooser) *order.Order {
	req := order.PlaceRequest{Channel: order.ChannelWeb, ShipTo: shipTo, Currency: usd, Shipping: cents(ch.IntN(1500))}
	net := 0
	for i := range 1 + ch.IntN(4) {
		price := 1 + ch.IntN(5000)
		disc := ch.IntN(price + 1)
		qty := 1 + ch.IntN(5)
		req.Lines = append(req.Lines, order.NewLine{SKU: fulfill.SKU(fmt.Sprint("SKU", i)), Quantity: int64(qty),
			UnitPrice: cents(price), UnitDiscount: cents(disc), UnitTax: cents(ch.IntN(400))})
		net += (price - disc) * qty
	}
	req.Discount = cents(ch.IntN(net/2 + 1))
	o, _, err := order.Place(orderID, owner, t0, req)
	require.NoError(t, err)
	_, err = o.Confirm(t0)
	require.NoError(t, err)
	if n := ch.IntN(int(req.Lines[0].Quantity)); n > 0 {
		_, err = o.Cancel(t0, order.CancelRequest{Lines: []order.LineQuantity{{Line: 1, Quantity: int64(n)}}})
		require.NoError(t, err)
	}
	var lines []order.LineQuantity
	for l := range o.Lines() {
		lines = append(lines, order.LineQuantity{Line: l.ID, Quantity: l.Unallocated()})
	}
	_, err = o.Allocate(t0, order.AllocateRequest{Location: "WH1", Lines: lines})
	require.NoError(t, err)
	_, err = o.Ship(t0, order.ShipRequest{Shipment: "S1", Fulfillment: 1})
	require.NoError(t, err)
	if ch.IntN(4) > 0 {
		_, err = o.Deliver(t0.Add(24*time.Hour), order.DeliverRequest{Shipment: "S1"})
		require.NoError(t, err)
	}
	return o
}

var (
	outcomes     = []Outcome{OutcomeReceived, OutcomeReceived, OutcomeLost, OutcomeWrongItem, OutcomeMissing}
	grades       = []Grade{GradeResellable, GradeResellable, GradeDamaged, GradeDefective, GradeMissingParts}
	dispositions = []Disposition{DispositionRestock, DispositionQuarantine, DispositionRefurbish, DispositionReturnToVendor, DispositionDispose}
	locations    = []fulfill.LocationID{"WH1", "WH2"}
	policies     = []RefundPolicy{{}, {RestockingFee: decimal.RequireFromString("0.15"), Shipping: ShippingSellerFault, DeductLabel: true},
		{RestockingFee: decimal.RequireFromString("0.333"), Rounding: fulfill.RoundHalfEven, Shipping: ShippingAlways, DeductLabel: true}}
)

// randomAct runs a random action with random details on r; an exchange
// records its units in a.
func randomAct(ch chooser, r *Return, o *order.Order, a *Account, inv Inventory, now time.Time) ([]Event, Action, error) {
	act := actions[ch.IntN(len(actions))]
	if ch.IntN(3) > 0 { // mostly an action the return allows now
		var allowed []Action
		for _, p := range AllowedActions(r) {
			if p.Allowed {
				allowed = append(allowed, p.Action)
			}
		}
		if len(allowed) > 0 {
			act = allowed[ch.IntN(len(allowed))]
		}
	}
	line := 1 + ch.IntN(len(r.lines))
	if ch.IntN(8) == 0 {
		line = len(r.lines) + 1 // a line that does not exist
	}
	qty := int64(ch.IntN(4))
	switch act {
	case ActionApprove:
		ev, err := r.Approve(now, "")
		return ev, act, err
	case ActionDecline:
		ev, err := r.Decline(now, "no")
		return ev, act, err
	case ActionIssueLabel:
		ev, err := r.IssueLabel(context.Background(), now, &fakeLabeler{}, carrier.LabelRequest{})
		return ev, act, err
	case ActionShip:
		ev, err := r.Ship(now, "")
		return ev, act, err
	case ActionReceive:
		rl := ReceiveLine{Line: line, Quantity: qty, Outcome: outcomes[ch.IntN(len(outcomes))]}
		if rl.Outcome == OutcomeWrongItem && ch.IntN(2) == 0 {
			rl.ReceivedSKU = "BRICK"
		}
		ev, err := r.Receive(now, ReceiveRequest{Lines: []ReceiveLine{rl}})
		return ev, act, err
	case ActionInspect:
		ev, err := r.Inspect(now, InspectRequest{Lines: []InspectLine{{Line: line, Quantity: qty, Grade: grades[ch.IntN(len(grades))]}}})
		return ev, act, err
	case ActionDispose:
		dl := DisposeLine{Line: line, Quantity: qty, Disposition: dispositions[ch.IntN(len(dispositions))], Location: locations[ch.IntN(len(locations))]}
		ev, err := r.Dispose(context.Background(), inv, now, DisposeRequest{Lines: []DisposeLine{dl}})
		return ev, act, err
	case ActionExchange:
		req := ExchangeRequest{Lines: []ExchangeLine{{Line: line, Quantity: qty}}}
		if ch.IntN(2) == 0 {
			req.CrossShip, req.HoldUntil = true, now.Add(7*24*time.Hour)
		}
		_, _, ev, err := r.Exchange(now, o, a, newID, req)
		return ev, act, err
	case ActionClose:
		ev, err := r.Close(now, "")
		return ev, act, err
	case ActionCancel:
		ev, err := r.Cancel(now, "")
		return ev, act, err
	}
	ev, err := r.Reopen(now, "")
	return ev, act, err
}

// refundedUnits returns the units refunded of r's order lines, for r or
// by claim.
func refundedUnits(a *Account, r *Return) int64 {
	var n int64
	for _, l := range r.lines {
		u, _ := a.RefundedLine(l.OrderLine)
		n += u
	}
	return n
}

// typed reports whether err is one of the kinds callers branch on.
func typed(err error) bool {
	for _, k := range []error{ErrInvalidTransition, ErrQuantity, ErrInvalidReturn, ErrRefundLimit, ErrIdempotencyConflict, fulfill.ErrInvalidCode} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// replacementIDs are the claim replacement orders of a scenario: few, so
// that IDs are reused, retried and refused.
var replacementIDs = []fulfill.OrderID{
	fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8090"),
	fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8091"),
	fulfill.MustOrderID("01890a5d-ac96-774b-bcce-b302099a8092"),
}

// claimed is what a scenario's claim replacements should have recorded:
// the lines of each replacement order, and the last replacement made.
type claimed struct {
	lines map[fulfill.OrderID][]ReplacementLine
	last  fulfill.OrderID
}

// randomReplace replaces random units of o for a claim, sometimes retrying
// the last replacement, sometimes into an exchange's replacement order.
func randomReplace(t testing.TB, step int, ch chooser, o *order.Order, a *Account, model *claimed, seen map[string]int, now time.Time) {
	id := replacementIDs[ch.IntN(len(replacementIDs))]
	var lines []ReplacementLine
	for range 1 + ch.IntN(2) {
		rl := ReplacementLine{OrderLine: order.LineID(1 + ch.IntN(4)), Quantity: int64(ch.IntN(3))}
		if ch.IntN(5) == 0 {
			rl.SKU = "SKU-ALT"
		}
		lines = append(lines, rl)
	}
	switch ch.IntN(12) {
	case 0, 1, 2, 3:
		if model.last != (fulfill.OrderID{}) {
			id, lines = model.last, slices.Clone(model.lines[model.last])
		}
	case 4:
		id = newID // the exchanges' replacement order
	}
	before := a.Snapshot()
	ro, _, err := a.Replace(now, o, id, lines, nil)
	if err != nil {
		require.True(t, typed(err), "step %d: replace: untyped error %v", step, err)
		require.Nil(t, ro, "step %d: a failed replacement placed an order", step)
		require.Equal(t, before, a.Snapshot(), "step %d: failed replacement changed the account", step)
		if errors.Is(err, ErrQuantity) {
			for _, l := range lines {
				if refunded, _ := a.RefundedLine(l.OrderLine); refunded+a.ExchangedLine(l.OrderLine) > 0 && l.Quantity > 0 {
					seen["replacement refused after a refund or exchange"]++
					break
				}
			}
		}
		if errors.Is(err, ErrInvalidReturn) && model.lines[id] != nil {
			seen["replacement order reused for other units"]++
		}
		return
	}
	require.Equal(t, id, ro.ID())
	if done, ok := model.lines[id]; ok {
		require.Equal(t, done, lines, "step %d: a replacement order was reused for other units", step)
		require.Equal(t, before, a.Snapshot(), "step %d: a retried replacement changed the account", step)
		seen["replacement retried"]++
	} else {
		model.lines[id] = lines
		seen["replacement"]++
	}
	model.last = id
}

// runScenario runs random returns, receptions, dispositions, exchanges,
// claim replacements and refunds of every kind on a random order, and
// checks after every step that refunds never exceed what was paid per line
// and per order, that no unit is paid for twice (refunded, exchanged or
// replaced, per return line and per order line), that the account counts
// each claim replacement once however often it is retried, that
// CanWith allows a refund or an exchange exactly when one unit can be
// taken, that returned units never exceed shipped ones, that dispositions
// match the inventory and every unit of a closed return has exactly one,
// and that a failed step changes nothing.
func runScenario(t testing.TB, ch chooser, steps int, seen map[string]int) {
	if seen == nil {
		seen = map[string]int{}
	}
	o := randomOrder(t, ch)
	inv := newInventory()
	a := NewAccount(o)
	var rs []*Return
	model := &claimed{lines: map[fulfill.OrderID][]ReplacementLine{}}
	now := t0.Add(48 * time.Hour)
	for step := 0; step < steps && !ch.Done(); step++ {
		now = now.Add(time.Duration(ch.IntN(48)) * time.Hour)
		switch op := ch.IntN(10); {
		case op == 0 || len(rs) == 0:
			var lines []RequestLine
			for l := range o.Lines() {
				if room := l.Shipped - l.Returned - l.ReturnRequested; room > 0 && ch.IntN(2) == 0 {
					lines = append(lines, RequestLine{OrderLine: l.ID, Quantity: 1 + int64(ch.IntN(int(room))), Reason: reasons[ch.IntN(len(reasons)-2)]})
				}
			}
			r, _, err := New(ID(fmt.Sprint("R", len(rs))), o, now, Request{Channel: ChannelMail, Lines: lines})
			if err != nil {
				require.True(t, typed(err), "step %d: new: %v", step, err)
				continue
			}
			_, err = o.RequestReturn(now, r.OrderRequest())
			require.NoError(t, err, "step %d: the order refused a return New accepted", step)
			rs = append(rs, r)
		case op <= 6:
			r := rs[ch.IntN(len(rs))]
			before, from, account := snap(t, r), r.Status(), a.Snapshot()
			events, act, err := randomAct(ch, r, o, a, inv, now)
			if err != nil {
				require.True(t, typed(err), "step %d: %s: untyped error %v", step, act, err)
				require.Equal(t, before, snap(t, r), "step %d: failed %s changed the return", step, act)
				require.Equal(t, account, a.Snapshot(), "step %d: failed %s changed the account", step, act)
				if act == ActionExchange && errors.Is(err, ErrQuantity) && refundedUnits(a, r) > 0 {
					seen["exchange refused after a refund"]++
				}
				continue
			}
			require.Contains(t, transitions[from][act].To, r.Status(), "step %d: %s from %s", step, act, from)
			seen[string(act)]++
			if rec, ok := RecordReturnRequest(events); ok {
				_, err := o.RecordReturn(now, rec)
				require.NoError(t, err, "step %d: the order refused units received", step)
			}
		case op == 7 && ch.IntN(2) == 0:
			randomReplace(t, step, ch, o, a, model, seen, now)
		default:
			req := RefundRequest{Key: fmt.Sprint("k", ch.IntN(6)), Method: []Method{"", MethodStoreCredit}[ch.IntN(2)]}
			var r *Return
			switch ch.IntN(3) {
			case 0:
				req.Kind, r = RefundReturn, rs[ch.IntN(len(rs))]
				if ch.IntN(2) == 0 {
					req.Lines = []order.LineQuantity{{Line: order.LineID(1 + ch.IntN(4)), Quantity: int64(ch.IntN(4))}}
				}
			case 1:
				req.Kind, req.Reason = RefundClaim, ReasonMissing
				req.Lines = []order.LineQuantity{{Line: order.LineID(1 + ch.IntN(4)), Quantity: int64(ch.IntN(4))}}
			default:
				req.Kind, req.Amount = RefundGoodwill, cents(1+ch.IntN(3000))
			}
			before := len(a.Refunds())
			f, err := a.Issue(now, o, r, policies[ch.IntN(len(policies))], req)
			if err != nil {
				require.True(t, typed(err), "step %d: refund: untyped error %v", step, err)
				require.Len(t, a.Refunds(), before, "step %d: failed refund recorded", step)
				if req.Kind == RefundClaim && errors.Is(err, ErrQuantity) && a.ReplacedLine(req.Lines[0].Line) > 0 {
					seen["claim refused after a replacement"]++
				}
				continue
			}
			checkRefund(t, f)
			if !f.Replayed {
				seen["refund "+string(f.Kind)]++
			} else {
				seen["replayed"]++
			}
		}
		checkScenario(t, step, o, a, rs, inv)
		checkClaimed(t, step, o, a, rs, model)
	}
	for _, r := range rs {
		roundTrip(t, r)
	}
	roundTripAccount(t, a)
}

// checkScenario checks the invariants of a scenario.
func checkScenario(t testing.TB, step int, o *order.Order, a *Account, rs []*Return, inv *inventory.Inventory) {
	require.NoError(t, o.CheckInvariants(), "step %d", step)
	tot, err := o.Totals()
	require.NoError(t, err)
	n, err := a.Refunded().Cmp(tot.Due)
	require.NoError(t, err)
	require.LessOrEqual(t, n, 0, "step %d: refunded %s of %s paid", step, a.Refunded(), tot.Due)
	received := map[order.LineID]int64{}
	exchanged := map[order.LineID]int64{}
	stock := map[inventory.Key]inventory.Buckets{}
	for _, r := range rs {
		for _, l := range r.lines {
			require.Len(t, l.Units, int(l.Quantity))
			refunded := a.RefundedForReturn(r.id, l.OrderLine)
			require.LessOrEqual(t, refunded+l.Exchanged, l.Quantity,
				"step %d: return %s line %d: refunded %d + exchanged %d of %d units", step, r.id, l.No, refunded, l.Exchanged, l.Quantity)
			require.Equal(t, l.Exchanged, a.ExchangedForReturn(r.id, l.OrderLine), "step %d: return %s line %d: the return and the account disagree on the units exchanged", step, r.id, l.No)
			exchanged[l.OrderLine] += l.Exchanged
			for _, u := range l.Units {
				if u.Outcome == OutcomeReceived {
					received[l.OrderLine]++
				}
				require.True(t, u.Disposition == "" || u.Outcome.Present(), "step %d: a unit not present has a disposition", step)
				require.True(t, u.Grade == "" || u.Outcome == OutcomeReceived, "step %d: a unit not received has a grade", step)
				if r.status == StatusClosed && u.Outcome.Present() {
					require.NotEmpty(t, u.Disposition, "step %d: closed return %s has a present unit without a disposition", step, r.id)
				}
				if into, _, ok := u.Disposition.bucket(); ok {
					sku := l.SKU
					if u.Outcome == OutcomeWrongItem {
						sku = u.ReceivedSKU
					}
					k := inventory.Key{Owner: owner, SKU: sku, Location: u.Location}
					b := stock[k]
					b.OnHand++
					switch into {
					case inventory.BucketQuarantine:
						b.Quarantine++
					case inventory.BucketDamaged:
						b.Damaged++
					}
					stock[k] = b
				}
			}
		}
	}
	for l := range o.Lines() {
		require.LessOrEqual(t, received[l.ID], l.Shipped, "step %d: line %d returned more than shipped", step, l.ID)
		require.Equal(t, received[l.ID], l.Returned, "step %d: line %d: order ledger and returns disagree", step, l.ID)
		units, amt := a.RefundedLine(l.ID)
		replaced := a.ReplacedLine(l.ID)
		require.LessOrEqual(t, units+exchanged[l.ID]+replaced, l.Shipped, "step %d: line %d: refunded %d + exchanged %d + replaced %d units of %d shipped",
			step, l.ID, units, exchanged[l.ID], replaced, l.Shipped)
		require.Equal(t, exchanged[l.ID], a.ExchangedLine(l.ID), "step %d: line %d: the returns and the account disagree on the units exchanged", step, l.ID)
		total, err := o.ValueOfUnits(l.ID, 0, l.Ordered)
		require.NoError(t, err)
		sum, _ := amt.Add(l.CancelledValue)
		n, _ := sum.Cmp(total)
		require.LessOrEqual(t, n, 0, "step %d: line %d refunded %s + cancelled %s of %s", step, l.ID, amt, l.CancelledValue, total)
	}
	levels, err := inv.Levels(context.Background(), inventory.LevelQuery{Owner: owner})
	require.NoError(t, err)
	got := map[inventory.Key]inventory.Buckets{}
	for _, l := range levels {
		if !l.Buckets.IsZero() {
			got[l.Key] = l.Buckets
		}
	}
	require.Equal(t, stock, got, "step %d: inventory does not match the dispositions", step)
}

// checkClaimed checks that the account counts the units of each claim
// replacement once, and that CanWith allows a refund or an exchange of a
// return exactly when some unit of it can be taken.
func checkClaimed(t testing.TB, step int, o *order.Order, a *Account, rs []*Return, model *claimed) {
	want := map[order.LineID]int64{}
	for _, lines := range model.lines {
		for _, l := range lines {
			want[l.OrderLine] += l.Quantity
		}
	}
	for l := range o.Lines() {
		require.Equal(t, want[l.ID], a.ReplacedLine(l.ID), "step %d: line %d: units replaced", step, l.ID)
	}
	for _, r := range rs {
		for _, act := range []Action{ActionRefund, ActionExchange} {
			err := r.CanWith(act, o, a)
			require.Equal(t, err == nil, takes(t, r, o, a, act), "step %d: return %s: %s: CanWith says %v", step, r.id, act, err)
		}
	}
}

func TestPropertyRandomSequences(t *testing.T) {
	seeds := 300
	if testing.Short() || raceEnabled {
		seeds = 40
	}
	seen := map[string]int{}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			runScenario(t, randChooser{rand.New(rand.NewPCG(uint64(seed), 8))}, 80, seen)
		})
	}
	// The sequences reach every action and every kind of refund.
	for _, a := range actions {
		require.Positive(t, seen[string(a)], "%s never succeeded", a)
	}
	for _, k := range []string{"refund return", "refund claim", "refund goodwill", "replayed", "exchange refused after a refund",
		"replacement", "replacement retried", "replacement refused after a refund or exchange", "replacement order reused for other units",
		"claim refused after a replacement"} {
		require.Positive(t, seen[k], "%s never happened", k)
	}
	t.Logf("%v", seen)
}

func FuzzReturnSequences(f *testing.F) {
	for seed := range 8 {
		r := rand.New(rand.NewPCG(uint64(seed), 8))
		b := make([]byte, 200)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		runScenario(t, &byteChooser{b: data}, 60, nil)
	})
}
