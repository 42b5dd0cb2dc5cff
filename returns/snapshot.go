package returns

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/order"
	"github.com/fulfillkit/fulfill/ship"
)

// Snapshot is the whole state of a [Return] as plain data, for stores: it
// encodes to JSON without loss, and [Restore] turns it back into a return.
type Snapshot struct {
	ID        ID                `json:"id"`
	Owner     fulfill.OwnerID   `json:"owner"`
	Order     fulfill.OrderID   `json:"order"`
	Currency  fulfill.Currency  `json:"currency"`
	Channel   Channel           `json:"channel"`
	Note      string            `json:"note,omitempty"`
	Status    Status            `json:"status"`
	Lines     []Line            `json:"lines"`
	Review    []Finding         `json:"review,omitempty"`
	Label     *carrier.Label    `json:"label,omitempty"`
	Tracking  ship.Status       `json:"tracking,omitempty"`
	Hold      *Hold             `json:"hold,omitempty"`
	Exchanges []fulfill.OrderID `json:"exchanges,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	Seq       int64             `json:"seq"`     // events recorded so far
	Version   int64             `json:"version"` // the store version
}

// Snapshot returns the state of r.
func (r *Return) Snapshot() Snapshot {
	c := r.Clone()
	return Snapshot{ID: c.id, Owner: c.owner, Order: c.order, Currency: c.currency, Channel: c.channel, Note: c.note,
		Status: c.status, Lines: c.lines, Review: c.review, Label: c.label, Tracking: c.tracking, Hold: c.hold,
		Exchanges: c.exchanges, CreatedAt: c.created, UpdatedAt: c.updated, Seq: c.seq, Version: c.version}
}

// Restore rebuilds a return from a snapshot, checking it as thoroughly as
// the commands would have: codes, lines, every unit's outcome, grade and
// disposition, and a status that agrees with the units. Every failure is
// a *[fulfill.FieldError] of kind [ErrInvalidReturn] (or of the failing
// code's kind), joined with [errors.Join].
func Restore(s Snapshot) (*Return, error) {
	var errs []error
	bad := func(field, value, reason string) { errs = append(errs, invalid(field, value, reason)) }
	if err := s.ID.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := s.Owner.Validate(); err != nil {
		errs = append(errs, err)
	}
	if s.Order.IsZero() {
		bad("order", "", "required")
	}
	if _, ok := s.Currency.MinorUnits(); !ok {
		bad("currency", string(s.Currency), "unknown currency")
	}
	if !s.Channel.Valid() {
		bad("channel", string(s.Channel), "unknown channel")
	}
	if !s.Status.Valid() {
		bad("status", string(s.Status), "unknown status")
	}
	if s.Tracking != "" && !s.Tracking.Valid() {
		bad("tracking", string(s.Tracking), "unknown tracking status")
	}
	if s.Seq < 0 || s.Version < 0 {
		bad("seq", strconv.FormatInt(s.Seq, 10), "seq and version must not be negative")
	}
	if len(s.Lines) == 0 {
		bad("lines", "", "at least one line required")
	}
	seen := map[uint32]bool{}
	for i, l := range s.Lines {
		f := "lines[" + strconv.Itoa(i) + "]"
		switch {
		case l.No != i+1:
			bad(f+".no", strconv.Itoa(l.No), "lines are numbered 1, 2, ... in order")
		case l.OrderLine == 0 || seen[uint32(l.OrderLine)]:
			bad(f+".order_line", l.OrderLine.String(), "required and unique")
		case l.Quantity <= 0 || l.Quantity > MaxUnits || int64(len(l.Units)) != l.Quantity:
			bad(f+".quantity", strconv.FormatInt(l.Quantity, 10), fmt.Sprintf("must be 1 to %d, one unit each", MaxUnits))
		case !l.Reason.Valid() || !l.Condition.Valid():
			bad(f+".reason", string(l.Reason), "unknown reason or condition")
		case l.Exchanged < 0 || l.Exchanged > l.Quantity:
			bad(f+".exchanged", strconv.FormatInt(l.Exchanged, 10), "must be 0 to quantity")
		}
		seen[uint32(l.OrderLine)] = true
		if err := l.SKU.Validate(); err != nil {
			errs = append(errs, err)
		}
		if len(l.Units) > MaxUnits {
			continue
		}
		for j, u := range l.Units {
			if reason := u.check(); reason != "" {
				bad(f+".units["+strconv.Itoa(j)+"]", string(u.Outcome), reason)
			}
		}
	}
	if s.Hold != nil {
		h := s.Hold
		if (h.State != HoldActive && h.State != HoldReleased && h.State != HoldCaptured) || h.Amount.Currency() != s.Currency || h.Amount.Sign() < 0 || h.Order.IsZero() {
			bad("hold", string(h.State), "state, order or amount not valid")
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r := &Return{id: s.ID, owner: s.Owner, order: s.Order, currency: s.Currency, channel: s.Channel, note: s.Note,
		status: s.Status, lines: s.Lines, review: s.Review, label: s.Label, tracking: s.Tracking, hold: s.Hold,
		exchanges: s.Exchanges, created: s.CreatedAt, updated: s.UpdatedAt, seq: s.Seq, version: s.Version}
	r = r.Clone()
	if reason := r.statusAgrees(); reason != "" {
		return nil, invalid("status", string(s.Status), reason)
	}
	return r, nil
}

// check returns why a unit's state is impossible, or "".
func (u Unit) check() string {
	switch {
	case u.Outcome != "" && !u.Outcome.Valid():
		return "unknown outcome"
	case u.ReceivedSKU != "" && (u.Outcome != OutcomeWrongItem || u.ReceivedSKU.Validate() != nil):
		return "a received SKU belongs to a wrong item and must be a valid code"
	case u.Grade != "" && (!u.Grade.Valid() || u.Outcome != OutcomeReceived):
		return "only a received unit is graded, with a known grade"
	case u.Disposition == "":
		return ""
	case !u.Disposition.Valid() || !u.Outcome.Present():
		return "only a present unit has a disposition, a known one"
	case u.Outcome == OutcomeReceived && u.Grade == "":
		return "a received unit is graded before its disposition"
	case u.Disposition == DispositionRestock && (u.Outcome != OutcomeReceived || u.Grade != GradeResellable):
		return "only a resellable unit is restocked"
	case u.Outcome == OutcomeWrongItem && u.Disposition != DispositionQuarantine && u.Disposition != DispositionDispose:
		return "a wrong item is only quarantined or disposed of"
	case u.Outcome == OutcomeWrongItem && u.Disposition == DispositionQuarantine && u.ReceivedSKU == "":
		return "a quarantined wrong item needs its SKU"
	}
	if _, _, stocked := u.Disposition.bucket(); stocked && u.Location.Validate() != nil {
		return "a unit put into stock needs its location"
	}
	return ""
}

// statusAgrees returns why r's status contradicts its units, or "".
func (r *Return) statusAgrees() string {
	c := r.counts()
	accounted := c.total - c.pending
	switch r.status {
	case StatusRequested, StatusApproved, StatusLabelIssued, StatusInTransit, StatusDeclined, StatusCancelled:
		if accounted > 0 {
			return "units are accounted for, so the return was received"
		}
	case StatusPartiallyReceived:
		if c.pending == 0 {
			return "every unit is accounted for"
		}
	case StatusReceived:
		if c.pending > 0 || c.ungraded == 0 {
			return "received means every unit accounted for and some awaiting inspection"
		}
	case StatusInspected:
		if c.pending > 0 || c.ungraded > 0 {
			return "inspected means every unit accounted for and graded"
		}
	case StatusClosed:
		if c.pending > 0 || c.ungraded > 0 || c.undisposed > 0 {
			return "closed means every present unit has its disposition"
		}
	}
	if r.label != nil && r.status == StatusRequested {
		return "a requested return has no label"
	}
	return ""
}

// AccountSnapshot is the state of an [Account] as plain data, for stores.
// What each line has refunded, exchanged and replaced is derived from the
// refunds, the exchanges and the replacements on restore.
type AccountSnapshot struct {
	Owner        fulfill.OwnerID   `json:"owner"`
	Order        fulfill.OrderID   `json:"order"`
	Currency     fulfill.Currency  `json:"currency"`
	Refunds      []Refund          `json:"refunds"`
	Fingerprints map[string]string `json:"fingerprints"` // refund key -> request fingerprint
	// Exchanges are the exchanges recorded by [Return.Exchange], oldest
	// first. A snapshot without them (written before the account recorded
	// exchanges) restores with none.
	Exchanges []ExchangeRecord `json:"exchanges,omitempty"`
	// Replacements are the claim replacements recorded by
	// [Account.Replace], oldest first. A snapshot without them (written
	// before the account recorded replacements) restores with none.
	Replacements []ReplacementRecord `json:"replacements,omitempty"`
	Version      int64               `json:"version"`
}

// Snapshot returns the state of a.
func (a *Account) Snapshot() AccountSnapshot {
	c := a.Clone()
	return AccountSnapshot{Owner: c.owner, Order: c.order, Currency: c.currency, Refunds: c.refunds, Fingerprints: c.fingerprints,
		Exchanges: c.exchanges, Replacements: c.replacements, Version: c.version}
}

// RestoreAccount rebuilds an account from a snapshot, checking every
// refund's arithmetic (Total is the lines' amounts plus shipping, no
// negative amount, one currency), unique keys with their fingerprints,
// original shipping refunded at most once, every exchange's return, line,
// positive quantity (at most [MaxUnits] per return line) and replacement
// order, and every claim replacement's line, positive quantity (at most
// [order.MaxQuantity] per order line), SKU and replacement order, which is
// not an exchange's. Failures are joined *[fulfill.FieldError] values of
// kind [ErrInvalidReturn] (or of the failing code's kind).
func RestoreAccount(s AccountSnapshot) (*Account, error) {
	var errs []error
	bad := func(field, value, reason string) { errs = append(errs, invalid(field, value, reason)) }
	if err := s.Owner.Validate(); err != nil {
		errs = append(errs, err)
	}
	if s.Order.IsZero() {
		bad("order", "", "required")
	}
	if _, ok := s.Currency.MinorUnits(); !ok {
		bad("currency", string(s.Currency), "unknown currency")
	}
	if s.Version < 0 {
		bad("version", strconv.FormatInt(s.Version, 10), "negative")
	}
	a := &Account{owner: s.Owner, order: s.Order, currency: s.Currency, version: s.Version}
	keys := map[string]bool{}
	for i, f := range s.Refunds {
		field := "refunds[" + strconv.Itoa(i) + "]"
		if f.Key == "" || keys[f.Key] || s.Fingerprints[f.Key] == "" {
			bad(field+".key", f.Key, "required, unique, with a fingerprint")
		}
		keys[f.Key] = true
		if !slices.Contains([]RefundKind{RefundReturn, RefundClaim, RefundGoodwill}, f.Kind) || (f.Method != MethodOriginal && f.Method != MethodStoreCredit) {
			bad(field+".kind", string(f.Kind), "unknown kind or method")
		}
		if f.Order != s.Order {
			bad(field+".order", f.Order.String(), "not the account's order")
		}
		total := zero(s.Currency)
		amounts := []fulfill.Money{f.Shipping, f.Total, f.LabelDeduction}
		for _, l := range f.Lines {
			amounts = append(amounts, l.Amount)
			if l.Quantity < 0 || l.Line == 0 {
				bad(field+".lines", l.Line.String(), "a line and a non-negative quantity required")
			}
			total, _ = total.Add(l.Amount)
		}
		ok := true
		for _, m := range amounts {
			if m.Currency() != s.Currency || m.Sign() < 0 {
				ok = false
			}
		}
		if total, _ = total.Add(f.Shipping); !ok || !total.Equal(f.Total) {
			bad(field+".total", f.Total.String(), "amounts must be non-negative, in "+string(s.Currency)+", and add up to the total")
		}
		if !f.Shipping.IsZero() {
			if a.shippingRefunded {
				bad(field+".shipping", f.Shipping.String(), "shipping is refunded once")
			}
			a.shippingRefunded = true
		}
	}
	for k := range s.Fingerprints {
		if !keys[k] {
			bad("fingerprints", k, "no refund has this key")
		}
	}
	exchanged := map[returnLine]int64{}
	for i, x := range s.Exchanges {
		field := "exchanges[" + strconv.Itoa(i) + "]"
		if err := x.Return.Validate(); err != nil {
			errs = append(errs, err)
		}
		k := returnLine{x.Return, x.Line}
		switch {
		case x.Line == 0:
			bad(field+".line", x.Line.String(), "required")
		case x.Quantity <= 0 || x.Quantity > MaxUnits-exchanged[k]:
			bad(field+".quantity", strconv.FormatInt(x.Quantity, 10), fmt.Sprintf("must be positive, at most %d per return line", MaxUnits))
		case x.Replacement.IsZero():
			bad(field+".replacement", "", "required")
		default:
			exchanged[k] += x.Quantity
		}
	}
	replaced := map[order.LineID]int64{}
	for i, x := range s.Replacements {
		field := "replacements[" + strconv.Itoa(i) + "]"
		if x.SKU != "" {
			if err := x.SKU.Validate(); err != nil {
				errs = append(errs, err)
			}
		}
		switch {
		case x.Line == 0:
			bad(field+".line", x.Line.String(), "required")
		case x.Quantity <= 0 || x.Quantity > order.MaxQuantity-replaced[x.Line]:
			bad(field+".quantity", strconv.FormatInt(x.Quantity, 10), fmt.Sprintf("must be positive, at most %d per order line", order.MaxQuantity))
		case x.Replacement.IsZero():
			bad(field+".replacement", "", "required")
		case slices.ContainsFunc(s.Exchanges, func(e ExchangeRecord) bool { return e.Replacement == x.Replacement }):
			bad(field+".replacement", x.Replacement.String(), "also the replacement order of an exchange")
		default:
			replaced[x.Line] += x.Quantity
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, x := range s.Exchanges {
		a.recordExchange(x)
	}
	for _, x := range s.Replacements {
		a.recordReplacement(x)
	}
	if len(s.Refunds) == 0 {
		return a, nil // no refunds: no refund maps yet, as new
	}
	a.refunds = slices.Clone(s.Refunds)
	a.fingerprints, a.lines, a.returned, a.labelDeducted = map[string]string{}, map[order.LineID]lineState{}, map[returnLine]int64{}, map[ID]bool{}
	for k, v := range s.Fingerprints {
		a.fingerprints[k] = v
	}
	for i := range a.refunds {
		f := &a.refunds[i]
		f.Lines = slices.Clone(f.Lines)
		f.Replayed = false
		for _, l := range f.Lines {
			st := a.lines[l.Line]
			st.Units += l.Quantity
			st.Amount, _ = st.Amount.Add(l.Amount)
			a.lines[l.Line] = st
			if f.Return != "" {
				a.returned[returnLine{f.Return, l.Line}] += l.Quantity
			}
		}
		if !f.LabelDeduction.IsZero() {
			a.labelDeducted[f.Return] = true
		}
	}
	return a, nil
}
