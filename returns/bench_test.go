package returns

import (
	"context"
	"fmt"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/require"
)

// benchReturn returns an inspected return of 4 lines x 150 units, graded
// resellable, and the dispositions spreading them over 2 locations and 3
// dispositions.
func benchReturn(b *testing.B) (*Return, DisposeRequest) {
	req := order.PlaceRequest{Channel: order.ChannelWeb, ShipTo: shipTo, Currency: usd}
	for i := range 4 {
		req.Lines = append(req.Lines, order.NewLine{SKU: fulfill.SKU(fmt.Sprint("SKU", i)), Quantity: 150, UnitPrice: usdAmt("10.00")})
	}
	o := deliveredOf(b, req)
	var rl []RequestLine
	var recv []ReceiveLine
	var insp []InspectLine
	var disp DisposeRequest
	for i := range 4 {
		rl = append(rl, RequestLine{OrderLine: order.LineID(i + 1), Quantity: 150, Reason: ReasonNoLongerNeeded})
		recv = append(recv, ReceiveLine{Line: i + 1, Quantity: 150, Outcome: OutcomeReceived})
		insp = append(insp, InspectLine{Line: i + 1, Quantity: 150, Grade: GradeResellable})
		for _, d := range []Disposition{DispositionRestock, DispositionQuarantine, DispositionRefurbish} {
			for _, loc := range []fulfill.LocationID{"WH1", "WH2"} {
				disp.Lines = append(disp.Lines, DisposeLine{Line: i + 1, Quantity: 25, Disposition: d, Location: loc})
			}
		}
	}
	r, _, err := New("RMA-B", o, t0, Request{Channel: ChannelMail, Lines: rl})
	require.NoError(b, err)
	ok(b)(r.Approve(t0, ""))
	ok(b)(r.Receive(t0, ReceiveRequest{Lines: recv}))
	ok(b)(r.Inspect(t0, InspectRequest{Lines: insp}))
	return r, disp
}

// disposePerUnit is the naive baseline: the same dispositions, one
// inventory operation per unit.
func disposePerUnit(ctx context.Context, inv Inventory, r *Return, req DisposeRequest) error {
	c := r.Clone()
	for _, dl := range req.Lines {
		l := &c.lines[dl.Line-1]
		idx := l.take(dl.Quantity, func(u Unit) bool { return u.Disposition == "" && u.Grade != "" })
		for _, u := range idx {
			l.Units[u].Disposition, l.Units[u].Location = dl.Disposition, dl.Location
			into, reason, _ := dl.Disposition.bucket()
			_, err := inv.Apply(ctx, &inventory.Receive{
				Meta: inventory.Meta{Owner: r.owner, Reason: reason, IdempotencyKey: fmt.Sprintf("%s:%d:%d", r.id, dl.Line, u)},
				Key:  inventory.Key{Owner: r.owner, SKU: l.SKU, Location: dl.Location}, Quantity: 1, Into: into,
			})
			if err != nil {
				return err
			}
		}
	}
	*r = *c
	return nil
}

// BenchmarkDispose compares Dispose, which groups units into one
// inventory operation per SKU, location and disposition, with the per-unit
// baseline, on 600 units in 24 groups. Both start each iteration from a
// copy of the inspected return and an empty real in-memory inventory.
func BenchmarkDispose(b *testing.B) {
	ctx := context.Background()
	r, req := benchReturn(b)
	b.Run("grouped", func(b *testing.B) {
		for b.Loop() {
			c, inv := r.Clone(), newInventory()
			if _, err := c.Dispose(ctx, inv, t0, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("per_unit_baseline", func(b *testing.B) {
		for b.Loop() {
			c, inv := r.Clone(), newInventory()
			if err := disposePerUnit(ctx, inv, c, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
