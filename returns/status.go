package returns

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fulfillkit/fulfill/order"
)

// Status is a return's lifecycle stage. The string values are stable and
// safe to persist.
type Status string

// The statuses, in the order of progress. Each lists the actions that leave
// it; [Transitions] has the full table with the reason for every refusal.
const (
	// StatusRequested: asked for, awaiting a decision. Exits: approve,
	// decline, cancel. Not terminal.
	StatusRequested Status = "requested"
	// StatusApproved: authorised; the customer may send the units.
	// Exits: issue_label, ship, receive, exchange, cancel.
	StatusApproved Status = "approved"
	// StatusLabelIssued: a return label was bought. Exits: ship, receive,
	// exchange, cancel.
	StatusLabelIssued Status = "label_issued"
	// StatusInTransit: the parcel is on its way back. Exits: receive, exchange.
	StatusInTransit Status = "in_transit"
	// StatusPartiallyReceived: some units are accounted for, not all.
	// Exits: receive, inspect, dispose, exchange.
	StatusPartiallyReceived Status = "partially_received"
	// StatusReceived: every unit is accounted for (received, lost, wrong
	// item or missing); some present unit awaits inspection. Exits:
	// inspect, dispose.
	StatusReceived Status = "received"
	// StatusInspected: every present unit is graded. Exits: dispose, close.
	StatusInspected Status = "inspected"
	// StatusClosed: done; a refund may or may not have been issued.
	// Exit: reopen. Terminal unless reopened.
	StatusClosed Status = "closed"
	// StatusDeclined: refused by policy or by an agent. Exit: reopen (back
	// to requested, for an appeal). Terminal unless reopened.
	StatusDeclined Status = "declined"
	// StatusCancelled: withdrawn before the parcel left. Terminal.
	StatusCancelled Status = "cancelled"
)

var statuses = []Status{
	StatusRequested, StatusApproved, StatusLabelIssued, StatusInTransit, StatusPartiallyReceived,
	StatusReceived, StatusInspected, StatusClosed, StatusDeclined, StatusCancelled,
}

// Statuses returns every status, in progress order.
func Statuses() []Status { return slices.Clone(statuses) }

// Valid reports whether s is one of the statuses of this package.
func (s Status) Valid() bool { return slices.Contains(statuses, s) }

// String returns the stable name.
func (s Status) String() string { return string(s) }

// UnmarshalText decodes a status name, rejecting unknown values with a
// *[fulfill.FieldError] of kind [ErrInvalidReturn].
func (s *Status) UnmarshalText(b []byte) error {
	v := Status(b)
	if !v.Valid() {
		return invalid("status", string(b), "unknown status")
	}
	*s = v
	return nil
}

// Action names what can be done to a return. The string values are stable.
type Action string

// The actions. [ActionRequest] creates a return and [ActionRefund] refunds
// its units through the order's refund [Account]; neither appears in the
// transition table, where every other action has a rule in every status.
const (
	ActionRequest    Action = "request"
	ActionApprove    Action = "approve"
	ActionDecline    Action = "decline"
	ActionIssueLabel Action = "issue_label"
	ActionShip       Action = "ship"
	ActionReceive    Action = "receive"
	ActionInspect    Action = "inspect"
	ActionDispose    Action = "dispose"
	ActionExchange   Action = "exchange"
	ActionClose      Action = "close"
	ActionCancel     Action = "cancel"
	ActionReopen     Action = "reopen"
	// ActionRefund is a refund of the return's units ([Account.Issue] with
	// [RefundReturn]), which leaves the status as it is. [Return.Can]
	// allows it once the return is approved, unless declined or
	// cancelled, while some unit is neither exchanged, missing nor a wrong
	// item; [Return.CanWith] also asks the account.
	ActionRefund Action = "refund"
)

var actions = []Action{
	ActionApprove, ActionDecline, ActionIssueLabel, ActionShip, ActionReceive, ActionInspect,
	ActionDispose, ActionExchange, ActionClose, ActionCancel, ActionReopen,
}

// Actions returns the actions of the transition table, in table order.
func Actions() []Action { return slices.Clone(actions) }

// String returns the stable name.
func (a Action) String() string { return string(a) }

// Transition is one cell of the transition table: whether an action is allowed
// in a status, the statuses it can lead to, or why it is refused.
type Transition struct {
	Allowed bool
	To      []Status // when allowed: every status the action can leave the return in
	Reason  string   // when refused: why
}

func allow(to ...Status) Transition { return Transition{Allowed: true, To: to} }
func deny(reason string) Transition { return Transition{Reason: reason} }
func denyAll(reason string) map[Action]Transition {
	row := make(map[Action]Transition, len(actions))
	for _, a := range actions {
		row[a] = deny(reason)
	}
	return row
}

// with returns row with the given cells replaced.
func with(row map[Action]Transition, cells map[Action]Transition) map[Action]Transition {
	for a, r := range cells {
		row[a] = r
	}
	return row
}

// Reasons shared by several cells.
const (
	whyNotApproved   = "the return is not approved yet"
	whyDecided       = "the return is already decided"
	whyNothingHere   = "nothing has been received yet"
	whyOnTheWay      = "the parcel is on its way; receive it instead"
	whyAllAccounted  = "every unit is accounted for"
	whyNotClosed     = "only a closed or declined return is reopened"
	whyNotInspected  = "received units are not all inspected yet"
	whyStillComing   = "units are still to come back"
	whyClosed        = "the return is closed; reopen it first"
	whyDeclined      = "the return is declined; reopen it to appeal"
	whyCancelled     = "the return is cancelled; request a new one"
	whyLabelTooLate  = "the parcel has already left"
	whyExchangeLate  = "every unit is accounted for; place a new order instead"
	whyAlreadyInTran = "the parcel is already in transit"
	whyNotRefundable = "only an approved return is refunded"
	whyNoneToRefund  = "every unit is already exchanged, missing or a wrong item"
	whyAllSettled    = "every unit is already refunded, exchanged, replaced, missing or a wrong item"
)

// transitions is the transition table: for every status and action, the
// rule. A test checks that every pair is present and that every action run
// in the property tests ends in one of the statuses its rule lists.
var transitions = map[Status]map[Action]Transition{
	StatusRequested: with(denyAll(whyNotApproved), map[Action]Transition{
		ActionApprove: allow(StatusApproved), ActionDecline: allow(StatusDeclined),
		ActionCancel: allow(StatusCancelled), ActionReopen: deny(whyNotClosed),
	}),
	StatusApproved: with(denyAll(whyNothingHere), map[Action]Transition{
		ActionApprove: deny(whyDecided), ActionDecline: deny(whyDecided),
		ActionIssueLabel: allow(StatusLabelIssued), ActionShip: allow(StatusInTransit),
		ActionReceive:  allow(StatusPartiallyReceived, StatusReceived, StatusInspected),
		ActionExchange: allow(StatusApproved), ActionClose: deny(whyStillComing),
		ActionCancel: allow(StatusCancelled), ActionReopen: deny(whyNotClosed),
	}),
	StatusLabelIssued: with(denyAll(whyNothingHere), map[Action]Transition{
		ActionApprove: deny(whyDecided), ActionDecline: deny(whyDecided),
		ActionIssueLabel: deny("a label is already issued"), ActionShip: allow(StatusInTransit),
		ActionReceive:  allow(StatusPartiallyReceived, StatusReceived, StatusInspected),
		ActionExchange: allow(StatusLabelIssued), ActionClose: deny(whyStillComing),
		ActionCancel: allow(StatusCancelled), ActionReopen: deny(whyNotClosed),
	}),
	StatusInTransit: with(denyAll(whyNothingHere), map[Action]Transition{
		ActionApprove: deny(whyDecided), ActionDecline: deny(whyDecided),
		ActionIssueLabel: deny(whyLabelTooLate), ActionShip: deny(whyAlreadyInTran),
		ActionReceive:  allow(StatusPartiallyReceived, StatusReceived, StatusInspected),
		ActionExchange: allow(StatusInTransit), ActionClose: deny(whyStillComing),
		ActionCancel: deny(whyOnTheWay), ActionReopen: deny(whyNotClosed),
	}),
	StatusPartiallyReceived: {
		ActionApprove: deny(whyDecided), ActionDecline: deny(whyDecided), ActionIssueLabel: deny(whyLabelTooLate),
		ActionShip: deny(whyLabelTooLate), ActionReceive: allow(StatusPartiallyReceived, StatusReceived, StatusInspected),
		ActionInspect: allow(StatusPartiallyReceived), ActionDispose: allow(StatusPartiallyReceived),
		ActionExchange: allow(StatusPartiallyReceived), ActionClose: deny(whyStillComing),
		ActionCancel: deny("units have arrived"), ActionReopen: deny(whyNotClosed),
	},
	StatusReceived: {
		ActionApprove: deny(whyDecided), ActionDecline: deny(whyDecided), ActionIssueLabel: deny(whyLabelTooLate),
		ActionShip: deny(whyLabelTooLate), ActionReceive: deny(whyAllAccounted),
		ActionInspect: allow(StatusReceived, StatusInspected), ActionDispose: allow(StatusReceived),
		ActionExchange: deny(whyExchangeLate), ActionClose: deny(whyNotInspected),
		ActionCancel: deny("units have arrived"), ActionReopen: deny(whyNotClosed),
	},
	StatusInspected: {
		ActionApprove: deny(whyDecided), ActionDecline: deny(whyDecided), ActionIssueLabel: deny(whyLabelTooLate),
		ActionShip: deny(whyLabelTooLate), ActionReceive: deny(whyAllAccounted),
		ActionInspect: deny("every present unit is inspected"), ActionDispose: allow(StatusInspected),
		ActionExchange: deny(whyExchangeLate), ActionClose: allow(StatusClosed),
		ActionCancel: deny("units have arrived"), ActionReopen: deny(whyNotClosed),
	},
	StatusClosed:    with(denyAll(whyClosed), map[Action]Transition{ActionReopen: allow(StatusInspected)}),
	StatusDeclined:  with(denyAll(whyDeclined), map[Action]Transition{ActionReopen: allow(StatusRequested)}),
	StatusCancelled: denyAll(whyCancelled),
}

// Transitions returns a copy of the transition table: for every status and
// every action of [Actions], the rule.
func Transitions() map[Status]map[Action]Transition {
	out := make(map[Status]map[Action]Transition, len(transitions))
	for s, row := range transitions {
		r := make(map[Action]Transition, len(row))
		for a, rule := range row {
			rule.To = slices.Clone(rule.To)
			r[a] = rule
		}
		out[s] = r
	}
	return out
}

// Permission is an action and whether the return allows it now.
type Permission struct {
	Action  Action
	Allowed bool
	Reason  string // why not, when not allowed
}

// AllowedActions returns, for every action of [Actions] in table order,
// whether r allows it now and, if not, why: the transition table's reason
// or a precondition on the units (nothing left to receive, a unit without a
// disposition, ...). An allowed action may still fail on its request's
// details, such as a quantity larger than a line holds.
func AllowedActions(r *Return) []Permission {
	out := make([]Permission, len(actions))
	for i, a := range actions {
		out[i] = Permission{Action: a, Allowed: true}
		if err := r.Can(a); err != nil {
			out[i].Allowed = false
			out[i].Reason = err.(*TransitionError).Reason
		}
	}
	return out
}

// Can returns nil if r allows action a now, or a *[TransitionError] saying
// why not. See [AllowedActions]. [ActionRefund], not in the table, is
// refused while the return is requested, declined or cancelled, and when
// every unit is exchanged, missing or a wrong item.
//
// Can sees the return alone: it may allow a refund or an exchange of
// units that the order's refund account has already refunded (by claim
// or in another return), exchanged or replaced. [Return.CanWith] sees the
// account too.
func (r *Return) Can(a Action) error {
	deny := func(reason string) error { return &TransitionError{From: r.status, Action: a, Reason: reason} }
	if a == ActionRefund {
		switch r.status {
		case StatusRequested, StatusDeclined, StatusCancelled:
			return deny(whyNotRefundable)
		}
		if r.counts().exchangeable == 0 {
			return deny(whyNoneToRefund)
		}
		return nil
	}
	rule, ok := transitions[r.status][a]
	if !ok {
		return deny(fmt.Sprintf("unknown action %q", string(a)))
	}
	if !rule.Allowed {
		return deny(rule.Reason)
	}
	if reason := r.precondition(a); reason != "" {
		return deny(reason)
	}
	return nil
}

// AllowedActionsWith returns, for every action of [Actions] in table order
// and then [ActionRefund], whether r allows it now and, if not, why, as
// [Return.CanWith] answers with o, the order r returns units of, and a, its
// refund [Account] (nil means one with nothing recorded yet): what
// [AllowedActions] says, except that a refund or an exchange is also
// refused when a leaves no unit of r to refund or exchange. An o or a that
// is not r's fails with a *[fulfill.FieldError] of kind [ErrInvalidReturn].
func AllowedActionsWith(r *Return, o *order.Order, a *Account) ([]Permission, error) {
	if err := r.checkWith(o, a); err != nil {
		return nil, err
	}
	out := make([]Permission, 0, len(actions)+1)
	for _, act := range append(slices.Clone(actions), ActionRefund) {
		p := Permission{Action: act, Allowed: true}
		if err := r.CanWith(act, o, a); err != nil {
			p.Allowed = false
			p.Reason = err.(*TransitionError).Reason
		}
		out = append(out, p)
	}
	return out, nil
}

// CanWith returns nil if r allows action act now, or a *[TransitionError]
// saying why not, given o, the order r returns units of, and a, its refund
// [Account] (nil means one with nothing recorded yet, as [NewAccount]). It
// answers as [Return.Can] does, and also refuses [ActionRefund] and
// [ActionExchange] when a leaves no unit of r to take: each unit is
// refunded for r, exchanged, missing or a wrong item, or its order line
// has no shipped unit left that is not refunded (a claim or another return
// included), exchanged or replaced for a claim ([Account.Replace]). An o
// or a that is not r's fails with a *[fulfill.FieldError] of kind
// [ErrInvalidReturn]. See [AllowedActionsWith].
//
// An allowed refund or exchange may still fail on its request's details,
// such as more units than a line has left.
func (r *Return) CanWith(act Action, o *order.Order, a *Account) error {
	if err := r.checkWith(o, a); err != nil {
		return err
	}
	if err := r.Can(act); err != nil {
		return err
	}
	if act != ActionRefund && act != ActionExchange {
		return nil
	}
	if a == nil {
		a = NewAccount(o)
	}
	for _, l := range r.lines {
		ol, ok := o.Line(l.OrderLine)
		if ok && min(a.unsettled(r.id, l), ol.Shipped-a.taken(ol.ID)) > 0 {
			return nil
		}
	}
	return &TransitionError{From: r.status, Action: act, Reason: whyAllSettled}
}

// checkWith checks that o is r's order and a, if not nil, its refund
// account.
func (r *Return) checkWith(o *order.Order, a *Account) error {
	if o == nil || o.ID() != r.order || o.Owner() != r.owner {
		return invalid("order", "", "not the return's order")
	}
	if a != nil && (a.order != r.order || a.owner != r.owner) {
		return invalid("account", "", "not the refund account of the return's order")
	}
	return nil
}

// precondition returns why the units leave nothing for a to do, or "".
func (r *Return) precondition(a Action) string {
	c := r.counts()
	switch a {
	case ActionReceive:
		if c.pending == 0 {
			return whyAllAccounted
		}
	case ActionInspect:
		if c.ungraded == 0 {
			return "no received unit awaits inspection"
		}
	case ActionDispose:
		if c.disposable == 0 {
			return "no inspected unit awaits a disposition"
		}
	case ActionClose:
		if c.undisposed > 0 {
			return "present units have no disposition yet"
		}
	case ActionExchange:
		if c.exchangeable == 0 {
			return "every unit is already exchanged or accounted for"
		}
	}
	return ""
}

// Mermaid renders the transition table as a Mermaid state diagram: one
// arrow per pair of different statuses, labelled with the actions that lead
// from one to the other. Actions that keep the status are not drawn. The
// package documentation embeds its output.
func Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s: %s\n", StatusRequested, ActionRequest)
	for _, from := range statuses {
		edges := map[Status][]string{}
		for _, a := range actions {
			for _, to := range transitions[from][a].To {
				if to != from {
					edges[to] = append(edges[to], string(a))
				}
			}
		}
		for _, to := range statuses {
			if as := edges[to]; len(as) > 0 {
				fmt.Fprintf(&b, "    %s --> %s: %s\n", from, to, strings.Join(as, ", "))
			}
		}
	}
	for _, s := range statuses {
		if s == StatusCancelled {
			fmt.Fprintf(&b, "    %s --> [*]\n", s)
		}
	}
	return b.String()
}
