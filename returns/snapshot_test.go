package returns

import (
	"encoding/json"
	"testing"

	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTrip encodes r's snapshot to JSON, decodes and restores it, and
// checks the result is the same return.
func roundTrip(t testing.TB, r *Return) {
	t.Helper()
	b, err := json.Marshal(r.Snapshot())
	require.NoError(t, err)
	var s Snapshot
	require.NoError(t, json.Unmarshal(b, &s))
	got, err := Restore(s)
	require.NoError(t, err, "%s", b)
	b2, err := json.Marshal(got.Snapshot())
	require.NoError(t, err)
	require.JSONEq(t, string(b), string(b2))
	require.Equal(t, snap(t, r), snap(t, got))
}

// roundTripAccount does the same for an account.
func roundTripAccount(t testing.TB, a *Account) {
	t.Helper()
	b, err := json.Marshal(a.Snapshot())
	require.NoError(t, err)
	var s AccountSnapshot
	require.NoError(t, json.Unmarshal(b, &s))
	got, err := RestoreAccount(s)
	require.NoError(t, err, "%s", b)
	b2, err := json.Marshal(got.Snapshot())
	require.NoError(t, err)
	require.JSONEq(t, string(b), string(b2))
	require.Equal(t, a.lines, got.lines)
	require.Equal(t, a.returned, got.returned)
	require.Equal(t, a.shippingRefunded, got.shippingRefunded)
	require.Equal(t, a.labelDeducted, got.labelDeducted)
	require.Equal(t, a.exchanged, got.exchanged)
	require.Equal(t, a.replaced, got.replaced)
}

func TestSnapshotRoundTrip(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			r, _ := fx.build(t)
			roundTrip(t, r)
		})
	}
}

func TestRestoreRejects(t *testing.T) {
	r, _ := inspectedFixture(t)
	good := r.Snapshot()
	tests := []struct {
		name string
		edit func(s *Snapshot)
	}{
		{"no id", func(s *Snapshot) { s.ID = "" }},
		{"bad owner", func(s *Snapshot) { s.Owner = " x" }},
		{"unknown status", func(s *Snapshot) { s.Status = "lost" }},
		{"status contradicts units", func(s *Snapshot) { s.Status = StatusApproved }},
		{"closed with undisposed units", func(s *Snapshot) { s.Status = StatusClosed }},
		{"unit count", func(s *Snapshot) { s.Lines[0].Units = s.Lines[0].Units[:1] }},
		{"restocked defective", func(s *Snapshot) {
			s.Lines[1].Units[0].Disposition, s.Lines[1].Units[0].Location = DispositionRestock, "WH1"
		}},
		{"graded lost unit", func(s *Snapshot) { s.Lines[0].Units[0].Outcome = OutcomeLost }},
		{"stocked without location", func(s *Snapshot) { s.Lines[0].Units[0].Disposition = DispositionQuarantine }},
		{"line numbers", func(s *Snapshot) { s.Lines[1].No = 5 }},
		{"exchanged too many", func(s *Snapshot) { s.Lines[0].Exchanged = 3 }},
		{"hold currency", func(s *Snapshot) { s.Hold = &Hold{Order: orderID, State: HoldActive} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := r.Clone().Snapshot()
			tt.edit(&s)
			_, err := Restore(s)
			assert.Error(t, err)
		})
	}
	_, err := Restore(good)
	require.NoError(t, err)
}

func FuzzRestore(f *testing.F) {
	for _, fx := range fixtures {
		r, _ := fx.build(f)
		b, err := json.Marshal(r.Snapshot())
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Snapshot
		if json.Unmarshal(b, &s) != nil {
			return
		}
		r, err := Restore(s)
		if err != nil {
			return
		}
		roundTrip(t, r)
		for _, a := range actions {
			_ = r.Can(a)
		}
	})
}

func FuzzRestoreAccount(f *testing.F) {
	o := delivered(f)
	a := NewAccount(o)
	r := approvedOf2(f, o)
	for i, req := range []RefundRequest{
		{Key: "1", Kind: RefundReturn},
		{Key: "2", Kind: RefundGoodwill, Amount: usdAmt("3.00")},
		{Key: "3", Kind: RefundClaim, Reason: ReasonMissing, Lines: []order.LineQuantity{{Line: 3, Quantity: 1}}},
	} {
		_, err := a.Issue(t0, o, map[bool]*Return{true: r}[i == 0], RefundPolicy{Shipping: ShippingAlways}, req)
		require.NoError(f, err)
		b, _ := json.Marshal(a.Snapshot())
		f.Add(b)
	}
	r2, _, err := New("RMA-G", o, t0, Request{Channel: ChannelMail, Lines: []RequestLine{{OrderLine: 2, Quantity: 2, Reason: ReasonDefective}}})
	require.NoError(f, err)
	_, err = r2.Approve(t0, "")
	require.NoError(f, err)
	_, _, _, err = r2.Exchange(t0, o, a, newID, ExchangeRequest{Lines: []ExchangeLine{{Line: 1, Quantity: 1}}})
	require.NoError(f, err)
	b, _ := json.Marshal(a.Snapshot())
	f.Add(b)
	_, _, err = a.Replace(t0, o, claimID, []ReplacementLine{{OrderLine: 1, Quantity: 1, SKU: "MUG-RED"}}, nil)
	require.NoError(f, err)
	b, _ = json.Marshal(a.Snapshot())
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var s AccountSnapshot
		if json.Unmarshal(b, &s) != nil {
			return
		}
		a, err := RestoreAccount(s)
		if err != nil {
			return
		}
		roundTripAccount(t, a)
	})
}

// approvedOf2 returns an approved return of two mugs for fuzz seeds.
func approvedOf2(t testing.TB, o *order.Order) *Return {
	r, _, err := New("RMA-F", o, t0, Request{Channel: ChannelMail, Lines: []RequestLine{{OrderLine: 1, Quantity: 2, Reason: ReasonDamaged}}})
	require.NoError(t, err)
	_, err = r.Approve(t0, "")
	require.NoError(t, err)
	return r
}
