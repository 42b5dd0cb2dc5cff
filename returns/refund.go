package returns

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/order"
	"github.com/shopspring/decimal"
)

// RefundKind says what a refund is for.
type RefundKind string

// The refund kinds.
const (
	// RefundReturn refunds units of a return, before or after they arrive.
	RefundReturn RefundKind = "return"
	// RefundClaim refunds units the customer never had to send back: a
	// unit missing from the delivery, a wrong or broken item.
	RefundClaim RefundKind = "claim"
	// RefundGoodwill refunds an amount, not units, without a return.
	RefundGoodwill RefundKind = "goodwill"
)

// Method is how a refund is paid.
type Method string

// The refund methods. The zero Method is [MethodOriginal].
const (
	MethodOriginal    Method = "original_payment"
	MethodStoreCredit Method = "store_credit"
)

// ShippingRefund says when the original shipping charge is refunded. It is
// refunded at most once per order, in full, with the first refund that
// qualifies.
type ShippingRefund string

// The shipping refund rules. The zero value is [ShippingNever].
const (
	ShippingNever       ShippingRefund = ""
	ShippingSellerFault ShippingRefund = "seller_fault" // when a refunded line's reason is the seller's fault
	ShippingAlways      ShippingRefund = "always"       // with the first return or claim refund
)

// RefundPolicy is how refunds are computed. The zero RefundPolicy refunds
// what was paid for the units, keeps no fee, deducts no label and never
// refunds shipping.
type RefundPolicy struct {
	// RestockingFee is the share of the item amount (after discounts,
	// before tax) kept on units returned for a reason that is not the
	// seller's fault, such as 0.15. Zero means none. It is rounded to the
	// minor unit with Rounding.
	RestockingFee decimal.Decimal
	// Rounding rounds the restocking fee; the zero value is
	// [fulfill.RoundHalfUp].
	Rounding fulfill.RoundingMode
	// Shipping says when original shipping is refunded.
	Shipping ShippingRefund
	// DeductLabel deducts the return label's cost from a return's refund
	// when no line's reason is the seller's fault, once per return.
	DeductLabel bool
}

// RefundRequest asks for a refund. Preview shows it; Issue records it once
// per Key.
type RefundRequest struct {
	// Key identifies the refund: issuing the same request with the same
	// key again returns the first refund; another request with the same key
	// fails with an *[IdempotencyError]. Required.
	Key  string     `json:"key"`
	Kind RefundKind `json:"kind"`
	// Lines are the units to refund, by order line. A return refunds units
	// of its lines that are not exchanged, not refunded yet, and not found
	// missing or replaced by a wrong item at reception (units lost in
	// transit are refundable); empty means all of them, up to the shipped
	// units of each order line that no claim has refunded or replaced. A claim refunds
	// shipped units of its order lines that are neither refunded nor
	// exchanged in any return of the order, nor replaced
	// ([Account.Replace]).
	Lines []order.LineQuantity `json:"lines,omitempty"`
	// Amount is the goodwill amount. For a goodwill refund Lines, if set,
	// only restrict which lines it is taken from (their quantities are
	// ignored).
	Amount fulfill.Money `json:"amount,omitzero"`
	Method Method        `json:"method,omitempty"`
	// Reason is why, for a claim or goodwill refund; a return refund uses
	// each return line's reason.
	Reason Reason `json:"reason,omitempty"`
	Note   string `json:"note,omitempty"`
}

// RefundLine is the refund of one order line, explained: what the units
// cost (Gross), their line discount and their share of the order discount,
// their tax, what was paid for them (Paid = Gross - LineDiscount -
// OrderDiscount + Tax), then what is kept back, and the refund (Amount).
type RefundLine struct {
	Line          order.LineID  `json:"line"`
	SKU           fulfill.SKU   `json:"sku"`
	Quantity      int64         `json:"quantity"` // 0 for goodwill
	Reason        Reason        `json:"reason,omitempty"`
	Gross         fulfill.Money `json:"gross"`
	LineDiscount  fulfill.Money `json:"line_discount"`
	OrderDiscount fulfill.Money `json:"order_discount"`
	Tax           fulfill.Money `json:"tax"`
	Paid          fulfill.Money `json:"paid"`
	// Capped is what Paid was reduced by because earlier refunds of the
	// line (such as goodwill) already returned part of it.
	Capped         fulfill.Money `json:"capped"`
	RestockingFee  fulfill.Money `json:"restocking_fee"`
	LabelDeduction fulfill.Money `json:"label_deduction"`
	Amount         fulfill.Money `json:"amount"` // Paid - Capped - RestockingFee - LabelDeduction, or the goodwill share
}

// Refund is a computed (previewed) or issued refund.
type Refund struct {
	Key            string          `json:"key"`
	Kind           RefundKind      `json:"kind"`
	Method         Method          `json:"method"`
	Order          fulfill.OrderID `json:"order"`
	Return         ID              `json:"return,omitempty"`
	Reason         Reason          `json:"reason,omitempty"`
	Note           string          `json:"note,omitempty"`
	Lines          []RefundLine    `json:"lines"`
	Shipping       fulfill.Money   `json:"shipping"`        // original shipping refunded
	LabelDeduction fulfill.Money   `json:"label_deduction"` // the sum of the lines' label deductions
	Total          fulfill.Money   `json:"total"`           // the lines' amounts plus Shipping
	IssuedAt       time.Time       `json:"issued_at,omitzero"`
	// Replayed is set when Issue returned a refund already issued under
	// the same key.
	Replayed bool `json:"-"`
}

// Explain renders the refund line by line, every amount to the cent.
func (f Refund) Explain() string {
	var b strings.Builder
	for _, l := range f.Lines {
		if f.Kind == RefundGoodwill {
			fmt.Fprintf(&b, "line %d %s: goodwill share %s\n", l.Line, l.SKU, l.Amount)
			continue
		}
		fmt.Fprintf(&b, "line %d %s x%d (%s): price %s - line discount %s - order discount %s + tax %s = paid %s\n",
			l.Line, l.SKU, l.Quantity, l.Reason, l.Gross, l.LineDiscount, l.OrderDiscount, l.Tax, l.Paid)
		if !l.Capped.IsZero() {
			fmt.Fprintf(&b, "  - already refunded %s\n", l.Capped)
		}
		if !l.RestockingFee.IsZero() {
			fmt.Fprintf(&b, "  - restocking fee %s\n", l.RestockingFee)
		}
		if !l.LabelDeduction.IsZero() {
			fmt.Fprintf(&b, "  - return label %s\n", l.LabelDeduction)
		}
		fmt.Fprintf(&b, "  = refund %s\n", l.Amount)
	}
	if !f.Shipping.IsZero() {
		fmt.Fprintf(&b, "original shipping %s\n", f.Shipping)
	}
	fmt.Fprintf(&b, "total %s to %s", f.Total, f.Method)
	return b.String()
}

// lineState is what an account has refunded of one order line.
type lineState struct {
	Units  int64         `json:"units"`
	Amount fulfill.Money `json:"amount"`
}

// returnLine names an order line within a return.
type returnLine struct {
	Return ID
	Line   order.LineID
}

// ExchangeRecord is an exchange as the refund account of the order keeps
// it: Quantity units of order line Line, in return Return, replaced by the
// order Replacement at At instead of refunded.
type ExchangeRecord struct {
	Return      ID              `json:"return"`
	Line        order.LineID    `json:"line"`
	Quantity    int64           `json:"quantity"`
	Replacement fulfill.OrderID `json:"replacement"`
	At          time.Time       `json:"at"`
}

// ReplacementRecord is a claim replacement as the refund account of the
// order keeps it: Quantity units of order line Line, replaced without a
// return by the order Replacement at At ([Account.Replace]), with SKU
// (empty means the SKU sold).
type ReplacementRecord struct {
	Line        order.LineID    `json:"line"`
	Quantity    int64           `json:"quantity"`
	SKU         fulfill.SKU     `json:"sku,omitempty"`
	Replacement fulfill.OrderID `json:"replacement"`
	At          time.Time       `json:"at"`
}

// Account is the refund ledger of one order: every refund issued, and what
// each line has refunded so far. The [Refund] that Issue returns is the
// record to persist or publish (outbox style); its Key identifies it.
// Refunds are decoupled from returns: an account takes return refunds
// (before or after the units arrive), claim and goodwill refunds, and never
// refunds more than was paid for a line's units, or for the order.
//
// The account also records the units [Return.Exchange] exchanged and the
// units [Account.Replace] replaced for a claim, so that no unit is paid
// for twice, whichever comes first and however it is refunded: the
// refunded, exchanged and replaced units of an order line never exceed
// what it shipped, nor the refunded and exchanged units of a return line
// its quantity. An Account is not safe for concurrent use.
type Account struct {
	owner            fulfill.OwnerID
	order            fulfill.OrderID
	currency         fulfill.Currency
	refunds          []Refund
	fingerprints     map[string]string
	lines            map[order.LineID]lineState
	returned         map[returnLine]int64
	labelDeducted    map[ID]bool
	shippingRefunded bool
	exchanges        []ExchangeRecord
	exchanged        map[returnLine]int64
	replacements     []ReplacementRecord
	replaced         map[order.LineID]int64
	version          int64
}

// NewAccount returns the empty refund account of order o.
func NewAccount(o *order.Order) *Account {
	return &Account{owner: o.Owner(), order: o.ID(), currency: o.Currency()}
}

// Owner returns the owner of the order.
func (a *Account) Owner() fulfill.OwnerID { return a.owner }

// Order returns the order the account refunds.
func (a *Account) Order() fulfill.OrderID { return a.order }

// Version returns the version the account was stored with: 0 before its
// first store write.
func (a *Account) Version() int64 { return a.version }

// Refunds returns the issued refunds, oldest first.
func (a *Account) Refunds() []Refund {
	out := slices.Clone(a.refunds)
	for i := range out {
		out[i].Lines = slices.Clone(out[i].Lines)
	}
	return out
}

// Refunded returns the total refunded so far, shipping included.
func (a *Account) Refunded() fulfill.Money {
	total := zero(a.currency)
	for _, f := range a.refunds {
		total, _ = total.Add(f.Total)
	}
	return total
}

// RefundedLine returns how many units of line id were refunded and the
// amount refunded for the line (goodwill included).
func (a *Account) RefundedLine(id order.LineID) (units int64, amount fulfill.Money) {
	s, ok := a.lines[id]
	if !ok {
		return 0, zero(a.currency)
	}
	return s.Units, s.Amount
}

// RefundedForReturn returns how many units of order line id were refunded
// against return rid.
func (a *Account) RefundedForReturn(rid ID, id order.LineID) int64 {
	return a.returned[returnLine{rid, id}]
}

// Exchanges returns the exchanges recorded by [Return.Exchange], oldest
// first.
func (a *Account) Exchanges() []ExchangeRecord { return slices.Clone(a.exchanges) }

// ExchangedLine returns how many units of order line id were exchanged,
// in all the order's returns.
func (a *Account) ExchangedLine(id order.LineID) int64 {
	var n int64
	for k, q := range a.exchanged {
		if k.Line == id {
			n += q
		}
	}
	return n
}

// ExchangedForReturn returns how many units of order line id were
// exchanged in return rid.
func (a *Account) ExchangedForReturn(rid ID, id order.LineID) int64 {
	return a.exchanged[returnLine{rid, id}]
}

// Replacements returns the claim replacements recorded by
// [Account.Replace], oldest first.
func (a *Account) Replacements() []ReplacementRecord { return slices.Clone(a.replacements) }

// ReplacedLine returns how many units of order line id were replaced for
// claims by [Account.Replace].
func (a *Account) ReplacedLine(id order.LineID) int64 { return a.replaced[id] }

// taken returns the units of order line id refunded (by return or by
// claim), exchanged or replaced: what no refund, exchange or replacement
// may take again.
func (a *Account) taken(id order.LineID) int64 {
	return a.lines[id].Units + a.ExchangedLine(id) + a.replaced[id]
}

// recordReplacement records that x.Quantity units were replaced.
func (a *Account) recordReplacement(x ReplacementRecord) {
	if a.replaced == nil {
		a.replaced = map[order.LineID]int64{}
	}
	a.replaced[x.Line] += x.Quantity
	a.replacements = append(a.replacements, x)
}

// recordExchange records that x.Quantity units were exchanged.
func (a *Account) recordExchange(x ExchangeRecord) {
	if a.exchanged == nil {
		a.exchanged = map[returnLine]int64{}
	}
	a.exchanged[returnLine{x.Return, x.Line}] += x.Quantity
	a.exchanges = append(a.exchanges, x)
}

// forgetExchange removes the records of the exchange of return rid into
// replacement order id.
func (a *Account) forgetExchange(rid ID, id fulfill.OrderID) {
	a.exchanges = slices.DeleteFunc(a.exchanges, func(x ExchangeRecord) bool {
		if x.Return != rid || x.Replacement != id {
			return false
		}
		k := returnLine{x.Return, x.Line}
		if a.exchanged[k] -= x.Quantity; a.exchanged[k] <= 0 {
			delete(a.exchanged, k)
		}
		return true
	})
}

// Clone returns a deep copy of a.
func (a *Account) Clone() *Account {
	c := *a
	c.refunds = a.Refunds()
	c.fingerprints = maps.Clone(a.fingerprints)
	c.lines = maps.Clone(a.lines)
	c.returned = maps.Clone(a.returned)
	c.labelDeducted = maps.Clone(a.labelDeducted)
	c.exchanges = slices.Clone(a.exchanges)
	c.exchanged = maps.Clone(a.exchanged)
	c.replacements = slices.Clone(a.replacements)
	c.replaced = maps.Clone(a.replaced)
	return &c
}

// zero returns zero in currency c.
func zero(c fulfill.Currency) fulfill.Money {
	m, _ := fulfill.NewMoney(decimal.Zero, c)
	return m
}

// fingerprint hashes what makes two refund requests the same.
func fingerprint(req RefundRequest, rid ID) string {
	b, _ := json.Marshal(struct {
		R   RefundRequest
		Ret ID
	}{req, rid})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Preview computes the refund req would issue against order o (and return
// r, for a return refund; nil otherwise) under policy p, without recording
// it. A key already issued returns that refund, with Replayed set.
func (a *Account) Preview(o *order.Order, r *Return, p RefundPolicy, req RefundRequest) (Refund, error) {
	f, _, err := a.compute(o, r, p, req)
	return f, err
}

// Issue computes the refund as [Account.Preview] does and records it at
// now. Issuing the same request with the same key again records nothing and
// returns the first refund with Replayed set.
func (a *Account) Issue(now time.Time, o *order.Order, r *Return, p RefundPolicy, req RefundRequest) (Refund, error) {
	f, fp, err := a.compute(o, r, p, req)
	if err != nil || f.Replayed {
		return f, err
	}
	f.IssuedAt = now
	if a.fingerprints == nil {
		a.fingerprints, a.lines, a.returned, a.labelDeducted = map[string]string{}, map[order.LineID]lineState{}, map[returnLine]int64{}, map[ID]bool{}
	}
	for _, l := range f.Lines {
		s := a.lines[l.Line]
		s.Units += l.Quantity
		if s.Amount, err = s.Amount.Add(l.Amount); err != nil {
			return Refund{}, err
		}
		a.lines[l.Line] = s
		if f.Return != "" {
			a.returned[returnLine{f.Return, l.Line}] += l.Quantity
		}
	}
	if !f.LabelDeduction.IsZero() {
		a.labelDeducted[f.Return] = true
	}
	if !f.Shipping.IsZero() {
		a.shippingRefunded = true
	}
	a.fingerprints[req.Key] = fp
	a.refunds = append(a.refunds, f)
	return f, nil
}

// compute does the work of Preview and Issue.
func (a *Account) compute(o *order.Order, r *Return, p RefundPolicy, req RefundRequest) (Refund, string, error) {
	if req.Key == "" {
		return Refund{}, "", invalid("key", "", "required")
	}
	if o == nil || o.ID() != a.order || o.Owner() != a.owner {
		return Refund{}, "", invalid("order", "", "not the account's order")
	}
	var rid ID
	if r != nil {
		rid = r.id
	}
	fp := fingerprint(req, rid)
	if old, ok := a.fingerprints[req.Key]; ok {
		if old != fp {
			return Refund{}, "", &IdempotencyError{Key: req.Key}
		}
		for _, f := range a.refunds {
			if f.Key == req.Key {
				f.Lines = slices.Clone(f.Lines)
				f.Replayed = true
				return f, fp, nil
			}
		}
	}
	method := req.Method
	switch method {
	case "":
		method = MethodOriginal
	case MethodOriginal, MethodStoreCredit:
	default:
		return Refund{}, "", invalid("method", string(method), "want original_payment or store_credit")
	}
	if p.RestockingFee.Sign() < 0 || p.RestockingFee.GreaterThan(decimal.NewFromInt(1)) {
		return Refund{}, "", invalid("restocking_fee", p.RestockingFee.String(), "must be 0 to 1")
	}
	c := a.currency
	f := Refund{Key: req.Key, Kind: req.Kind, Method: method, Order: a.order, Return: rid, Reason: req.Reason, Note: req.Note,
		Shipping: zero(c), LabelDeduction: zero(c), Total: zero(c)}
	var err error
	switch req.Kind {
	case RefundReturn:
		err = a.returnLines(o, r, p, req, &f)
	case RefundClaim:
		err = a.claimLines(o, req, &f)
	case RefundGoodwill:
		err = a.goodwillLines(o, req, &f)
	default:
		err = invalid("kind", string(req.Kind), "want return, claim or goodwill")
	}
	if err != nil {
		return Refund{}, "", err
	}
	if req.Kind != RefundGoodwill && !a.shippingRefunded {
		seller := slices.ContainsFunc(f.Lines, func(l RefundLine) bool { return l.Reason.SellerFault() })
		if p.Shipping == ShippingAlways || (p.Shipping == ShippingSellerFault && seller) {
			t, err := o.Totals()
			if err != nil {
				return Refund{}, "", err
			}
			f.Shipping = t.Shipping
		}
	}
	total := f.Shipping
	for _, l := range f.Lines {
		if total, err = total.Add(l.Amount); err != nil {
			return Refund{}, "", err
		}
		if f.LabelDeduction, err = f.LabelDeduction.Add(l.LabelDeduction); err != nil {
			return Refund{}, "", err
		}
	}
	f.Total = total
	return f, fp, nil
}

// remaining returns what is left to refund of order line l: its total
// after discounts with tax, less cancellations and refunds so far.
func (a *Account) remaining(o *order.Order, l order.Line) (fulfill.Money, error) {
	total, err := o.ValueOfUnits(l.ID, 0, l.Ordered)
	if err != nil {
		return fulfill.Money{}, err
	}
	left, err := total.Sub(l.CancelledValue)
	if err != nil {
		return fulfill.Money{}, err
	}
	if s, ok := a.lines[l.ID]; ok {
		if left, err = left.Sub(s.Amount); err != nil {
			return fulfill.Money{}, err
		}
	}
	if left.Sign() < 0 {
		return zero(a.currency), nil
	}
	return left, nil
}

// unitLine explains the refund of n more units of order line l, which
// must be shipped and neither refunded, exchanged nor replaced yet. Units are taken
// from the end of the line (cancellations take them from the start), so
// that everything cancelled and refunded adds up to the line's total.
func (a *Account) unitLine(o *order.Order, l order.Line, n int64, reason Reason) (RefundLine, error) {
	done := a.lines[l.ID].Units
	if avail := l.Shipped - a.taken(l.ID); n <= 0 || n > avail {
		return RefundLine{}, &QuantityError{Line: "order line " + l.ID.String(), What: "refund of shipped units not yet refunded, exchanged or replaced", Available: max(avail, 0), Requested: n}
	}
	paid, err := o.ValueOfUnits(l.ID, l.Ordered-done-n, n)
	if err != nil {
		return RefundLine{}, err
	}
	c := a.currency
	rl := RefundLine{Line: l.ID, SKU: l.SKU, Quantity: n, Reason: reason, Paid: paid,
		Gross: l.UnitPrice.Mul(n), LineDiscount: l.UnitDiscount.Mul(n), Tax: l.UnitTax.Mul(n),
		Capped: zero(c), RestockingFee: zero(c), LabelDeduction: zero(c)}
	items, err := paid.Sub(rl.Tax)
	if err != nil {
		return RefundLine{}, err
	}
	if items.Sign() < 0 { // a fully discounted line: the tax is all that was paid
		items, rl.Tax = zero(c), paid
	}
	net, err := rl.Gross.Sub(rl.LineDiscount)
	if err == nil {
		rl.OrderDiscount, err = net.Sub(items)
	}
	if err != nil {
		return RefundLine{}, err
	}
	left, err := a.remaining(o, l)
	if err != nil {
		return RefundLine{}, err
	}
	rl.Amount = paid
	if n, _ := paid.Cmp(left); n > 0 {
		rl.Capped, _ = paid.Sub(left)
		rl.Amount = left
	}
	return rl, nil
}

// returnLines fills f with the units of return r that req refunds.
func (a *Account) returnLines(o *order.Order, r *Return, p RefundPolicy, req RefundRequest, f *Refund) error {
	if r == nil {
		return invalid("return", "", "required for a return refund")
	}
	if r.order != a.order || r.owner != a.owner {
		return invalid("return", string(r.id), "not a return of the account's order")
	}
	switch r.status {
	case StatusRequested, StatusDeclined, StatusCancelled:
		return &TransitionError{From: r.status, Action: ActionRefund, Reason: whyNotRefundable}
	}
	// refundable units of each return line: not exchanged, not refunded,
	// not missing from the parcel or replaced by a wrong item.
	avail := func(l Line) int64 {
		return a.unsettled(r.id, l)
	}
	want := req.Lines
	if len(want) == 0 {
		// Every unsettled unit, up to what the order line still has: a
		// claim may have refunded or replaced some of its shipped units.
		for _, l := range r.lines {
			n := avail(l)
			if ol, ok := o.Line(l.OrderLine); ok {
				n = min(n, ol.Shipped-a.taken(l.OrderLine))
			}
			if n > 0 {
				want = append(want, order.LineQuantity{Line: l.OrderLine, Quantity: n})
			}
		}
		if len(want) == 0 {
			return &QuantityError{Line: "return " + string(r.id), What: "refund of the units not yet refunded, exchanged, missing or replaced by a wrong item", Available: 0, Requested: 0}
		}
	}
	seen := map[order.LineID]bool{}
	for _, lq := range want {
		i := slices.IndexFunc(r.lines, func(l Line) bool { return l.OrderLine == lq.Line })
		if i < 0 || seen[lq.Line] {
			return invalid("lines", lq.Line.String(), "not a line of the return, or listed twice")
		}
		seen[lq.Line] = true
		l := r.lines[i]
		if n := avail(l); lq.Quantity <= 0 || lq.Quantity > n {
			return &QuantityError{Line: "order line " + lq.Line.String(), What: "refund for return " + string(r.id), Available: n, Requested: lq.Quantity}
		}
		ol, _ := o.Line(lq.Line)
		rl, err := a.unitLine(o, ol, lq.Quantity, l.Reason)
		if err != nil {
			return err
		}
		if !l.Reason.SellerFault() && p.RestockingFee.Sign() > 0 {
			items, _ := rl.Paid.Sub(rl.Tax)
			fee := items.MulDecimal(p.RestockingFee).Round(p.Rounding)
			if n, _ := fee.Cmp(rl.Amount); n > 0 {
				fee = rl.Amount
			}
			rl.RestockingFee = fee
			rl.Amount, _ = rl.Amount.Sub(fee)
		}
		f.Lines = append(f.Lines, rl)
	}
	label, ok := r.Label()
	seller := slices.ContainsFunc(f.Lines, func(l RefundLine) bool { return l.Reason.SellerFault() })
	if p.DeductLabel && ok && !seller && !a.labelDeducted[r.id] && label.Cost.Sign() > 0 {
		return deductLabel(f, label.Cost)
	}
	return nil
}

// unsettled returns the units of return line l of return rid that are
// neither refunded nor exchanged, nor found missing or replaced by a wrong
// item: what a refund or an exchange may still take. The exchanged units
// are the larger of the line's and the account's count, should the two
// disagree.
func (a *Account) unsettled(rid ID, l Line) int64 {
	k := returnLine{rid, l.OrderLine}
	bad := l.count(func(u Unit) bool { return u.Outcome == OutcomeMissing || u.Outcome == OutcomeWrongItem })
	return max(0, l.Quantity-max(l.Exchanged, a.exchanged[k])-bad-a.returned[k])
}

// deductLabel takes cost, at most the lines' amounts, from the lines in
// proportion to their amounts.
func deductLabel(f *Refund, cost fulfill.Money) error {
	var sum fulfill.Money
	ratios := make([]decimal.Decimal, len(f.Lines))
	for i, l := range f.Lines {
		var err error
		if sum, err = sum.Add(l.Amount); err != nil {
			return err
		}
		ratios[i] = l.Amount.Amount()
	}
	n, err := cost.Cmp(sum)
	if err != nil {
		return err
	}
	if n > 0 {
		cost = sum
	}
	if cost.IsZero() {
		return nil
	}
	parts, err := cost.Allocate(ratios...)
	if err != nil {
		return err
	}
	for i := range f.Lines {
		f.Lines[i].LabelDeduction = parts[i]
		f.Lines[i].Amount, _ = f.Lines[i].Amount.Sub(parts[i])
	}
	return nil
}

// claimLines fills f with the claimed units.
func (a *Account) claimLines(o *order.Order, req RefundRequest, f *Refund) error {
	if !req.Reason.Valid() {
		return invalid("reason", string(req.Reason), "a claim needs a reason, such as missing or wrong_item")
	}
	if len(req.Lines) == 0 {
		return invalid("lines", "", "a claim needs the units claimed")
	}
	seen := map[order.LineID]bool{}
	for _, lq := range req.Lines {
		ol, ok := o.Line(lq.Line)
		if !ok || seen[lq.Line] {
			return invalid("lines", lq.Line.String(), "no such order line, or listed twice")
		}
		seen[lq.Line] = true
		rl, err := a.unitLine(o, ol, lq.Quantity, req.Reason)
		if err != nil {
			return err
		}
		f.Lines = append(f.Lines, rl)
	}
	return nil
}

// goodwillLines spreads the goodwill amount over the lines in proportion
// to what is left to refund of each.
func (a *Account) goodwillLines(o *order.Order, req RefundRequest, f *Refund) error {
	if req.Amount.Sign() <= 0 || req.Amount.Currency() != a.currency {
		return invalid("amount", req.Amount.String(), "a goodwill refund needs a positive amount in "+string(a.currency))
	}
	if _, err := req.Amount.MinorUnits(); err != nil {
		return invalid("amount", req.Amount.String(), "not a whole number of minor units")
	}
	var lines []order.Line
	for l := range o.Lines() {
		if len(req.Lines) == 0 || slices.ContainsFunc(req.Lines, func(lq order.LineQuantity) bool { return lq.Line == l.ID }) {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return invalid("lines", "", "no such order line")
	}
	var left fulfill.Money
	ratios := make([]decimal.Decimal, len(lines))
	for i, l := range lines {
		r, err := a.remaining(o, l)
		if err != nil {
			return err
		}
		ratios[i] = r.Amount()
		if left, err = left.Add(r); err != nil {
			return err
		}
	}
	if n, _ := req.Amount.Cmp(left); n > 0 || left.IsZero() {
		return &LimitError{Scope: "order " + a.order.String(), Requested: req.Amount, Remaining: left}
	}
	parts, err := req.Amount.Allocate(ratios...)
	if err != nil {
		return err
	}
	c := a.currency
	for i, l := range lines {
		if parts[i].IsZero() {
			continue
		}
		f.Lines = append(f.Lines, RefundLine{Line: l.ID, SKU: l.SKU, Reason: req.Reason, Gross: zero(c), LineDiscount: zero(c),
			OrderDiscount: zero(c), Tax: zero(c), Paid: zero(c), Capped: zero(c), RestockingFee: zero(c), LabelDeduction: zero(c), Amount: parts[i]})
	}
	return nil
}
