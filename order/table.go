package order

import (
	"fmt"
	"iter"
	"slices"
	"strings"
)

// Command names what can be done to an order. The string values are stable.
type Command string

// The commands. [CommandPlace] creates an order and appears in no row of
// the transition table; every other command has a rule in every status.
const (
	CommandPlace          Command = "place"
	CommandConfirm        Command = "confirm"
	CommandAllocate       Command = "allocate"
	CommandBackorder      Command = "backorder"
	CommandPick           Command = "pick"
	CommandPack           Command = "pack"
	CommandShip           Command = "ship"
	CommandDeliver        Command = "deliver"
	CommandCancel         Command = "cancel"
	CommandHold           Command = "hold"
	CommandRelease        Command = "release"
	CommandEdit           Command = "edit"
	CommandExpire         Command = "expire"
	CommandReopen         Command = "reopen"
	CommandClose          Command = "close"
	CommandRequestReturn  Command = "request_return"
	CommandRecordReturn   Command = "record_return"
	CommandWithdrawReturn Command = "withdraw_return"
	CommandSplit          Command = "split"
	CommandMove           Command = "move"
	CommandMerge          Command = "merge"
)

// commands lists the commands of the transition table, in table order.
var commands = []Command{
	CommandConfirm, CommandAllocate, CommandBackorder, CommandPick, CommandPack, CommandShip, CommandDeliver,
	CommandCancel, CommandHold, CommandRelease, CommandEdit, CommandExpire, CommandReopen, CommandClose,
	CommandRequestReturn, CommandRecordReturn, CommandWithdrawReturn, CommandSplit, CommandMove, CommandMerge,
}

// Commands returns the commands of the transition table, in table order
// (every command but [CommandPlace]).
func Commands() []Command { return slices.Clone(commands) }

// String returns the stable name, such as "request_return".
func (c Command) String() string { return string(c) }

// Rule is one cell of the transition table: whether a command is allowed in
// a status, the statuses it can lead to, or why it is refused.
type Rule struct {
	Allowed bool
	To      []Status // when allowed: every status the command can leave the order in
	Reason  string   // when refused: why
}

// allow returns an allowing rule leading to the statuses to.
func allow(to ...Status) Rule { return Rule{Allowed: true, To: to} }

// deny returns a refusing rule.
func deny(reason string) Rule { return Rule{Reason: reason} }

// Reasons shared by several cells of the table.
const (
	whyNotConfirmed = "the order is not confirmed yet"
	whyNoFulfill    = "no fulfillment order exists yet"
	whyNotShipped   = "nothing has shipped"
	whyNoHold       = "no hold is active"
	whyNotPending   = "only an unconfirmed order expires"
	whyNotClosed    = "the order is not closed"
	whyStillOpen    = "units are still to ship"
	whyAllShipped   = "every unit has shipped"
	whyNoEdit       = "delivery or returns have begun; place a new order instead"
	whyNothingAlloc = "nothing is allocated"
	whyAllAllocated = "every unit is allocated"
	whyAllReturned  = "every shipped unit came back"
	whyHeld         = "the order is on hold; release its holds first"
	whyCancelled    = "the order is cancelled"
	whyClosed       = "the order is closed; reopen it first"
	whyUndelivered  = "shipped units are not delivered yet"
)

// open lists the statuses an order can be in while not on hold, cancelled
// or closed.
var open = []Status{
	StatusPending, StatusConfirmed, StatusBackordered, StatusPartiallyAllocated, StatusAllocated, StatusInProgress,
	StatusPartiallyShipped, StatusShipped, StatusPartiallyDelivered, StatusDelivered, StatusPartiallyReturned, StatusReturned,
}

// transitions is the transition table: for every status and command, the
// rule. A test checks that every pair is present and that every command run
// in the property tests ends in one of the statuses its rule lists.
var transitions = map[Status]map[Command]Rule{
	StatusPending: {
		CommandConfirm: allow(StatusConfirmed), CommandAllocate: deny(whyNotConfirmed), CommandBackorder: deny(whyNotConfirmed),
		CommandPick: deny(whyNotConfirmed), CommandPack: deny(whyNotConfirmed), CommandShip: deny(whyNotConfirmed),
		CommandDeliver: deny(whyNotShipped), CommandCancel: allow(StatusPending, StatusCancelled), CommandHold: allow(StatusOnHold),
		CommandRelease: deny(whyNoHold), CommandEdit: allow(StatusPending), CommandExpire: allow(StatusCancelled),
		CommandReopen: deny(whyNotClosed), CommandClose: deny(whyStillOpen), CommandRequestReturn: deny(whyNotShipped),
		CommandWithdrawReturn: deny(whyNotShipped), CommandRecordReturn: deny(whyNotShipped), CommandSplit: deny(whyNotConfirmed), CommandMove: deny(whyNotConfirmed),
		CommandMerge: deny(whyNotConfirmed),
	},
	StatusConfirmed: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: allow(StatusPartiallyAllocated, StatusAllocated),
		CommandBackorder: allow(StatusBackordered), CommandPick: deny(whyNothingAlloc), CommandPack: deny(whyNothingAlloc),
		CommandShip: deny(whyNothingAlloc), CommandDeliver: deny(whyNotShipped), CommandCancel: allow(StatusConfirmed, StatusCancelled),
		CommandHold: allow(StatusOnHold), CommandRelease: deny(whyNoHold), CommandEdit: allow(StatusConfirmed),
		CommandExpire: deny(whyNotPending), CommandReopen: deny(whyNotClosed), CommandClose: deny(whyStillOpen),
		CommandRequestReturn: deny(whyNotShipped), CommandWithdrawReturn: deny(whyNotShipped), CommandRecordReturn: deny(whyNotShipped), CommandSplit: deny(whyNoFulfill),
		CommandMove: deny(whyNoFulfill), CommandMerge: deny(whyNoFulfill),
	},
	StatusBackordered: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: allow(StatusPartiallyAllocated, StatusAllocated),
		CommandBackorder: allow(StatusBackordered), CommandPick: deny(whyNothingAlloc), CommandPack: deny(whyNothingAlloc),
		CommandShip: deny(whyNothingAlloc), CommandDeliver: deny(whyNotShipped),
		CommandCancel: allow(StatusBackordered, StatusConfirmed, StatusCancelled), CommandHold: allow(StatusOnHold),
		CommandRelease: deny(whyNoHold), CommandEdit: allow(StatusBackordered, StatusConfirmed), CommandExpire: deny(whyNotPending),
		CommandReopen: deny(whyNotClosed), CommandClose: deny(whyStillOpen), CommandRequestReturn: deny(whyNotShipped),
		CommandWithdrawReturn: deny(whyNotShipped), CommandRecordReturn: deny(whyNotShipped), CommandSplit: deny(whyNoFulfill), CommandMove: deny(whyNoFulfill),
		CommandMerge: deny(whyNoFulfill),
	},
	StatusPartiallyAllocated: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: allow(StatusPartiallyAllocated, StatusAllocated),
		CommandBackorder: allow(StatusPartiallyAllocated), CommandPick: allow(StatusInProgress), CommandPack: allow(StatusInProgress),
		CommandShip: allow(StatusPartiallyShipped), CommandDeliver: deny(whyNotShipped),
		CommandCancel: allow(StatusPartiallyAllocated, StatusAllocated, StatusBackordered, StatusConfirmed, StatusCancelled),
		CommandHold:   allow(StatusOnHold), CommandRelease: deny(whyNoHold), CommandEdit: allow(StatusPartiallyAllocated, StatusAllocated),
		CommandExpire: deny(whyNotPending), CommandReopen: deny(whyNotClosed), CommandClose: deny(whyStillOpen),
		CommandRequestReturn: deny(whyNotShipped), CommandWithdrawReturn: deny(whyNotShipped), CommandRecordReturn: deny(whyNotShipped),
		CommandSplit: allow(StatusPartiallyAllocated), CommandMove: allow(StatusPartiallyAllocated), CommandMerge: allow(StatusPartiallyAllocated),
	},
	StatusAllocated: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: deny(whyAllAllocated),
		CommandBackorder: deny(whyAllAllocated), CommandPick: allow(StatusInProgress), CommandPack: allow(StatusInProgress),
		CommandShip: allow(StatusPartiallyShipped, StatusShipped), CommandDeliver: deny(whyNotShipped),
		CommandCancel: allow(StatusAllocated, StatusCancelled), CommandHold: allow(StatusOnHold), CommandRelease: deny(whyNoHold),
		CommandEdit: allow(StatusAllocated, StatusPartiallyAllocated), CommandExpire: deny(whyNotPending),
		CommandReopen: deny(whyNotClosed), CommandClose: deny(whyStillOpen), CommandRequestReturn: deny(whyNotShipped),
		CommandWithdrawReturn: deny(whyNotShipped), CommandRecordReturn: deny(whyNotShipped), CommandSplit: allow(StatusAllocated), CommandMove: allow(StatusAllocated),
		CommandMerge: allow(StatusAllocated),
	},
	StatusInProgress: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: allow(StatusInProgress),
		CommandBackorder: allow(StatusInProgress), CommandPick: allow(StatusInProgress), CommandPack: allow(StatusInProgress),
		CommandShip: allow(StatusPartiallyShipped, StatusShipped), CommandDeliver: deny(whyNotShipped),
		CommandCancel: allow(StatusInProgress, StatusAllocated, StatusPartiallyAllocated, StatusBackordered, StatusConfirmed, StatusCancelled),
		CommandHold:   allow(StatusOnHold), CommandRelease: deny(whyNoHold), CommandEdit: allow(StatusInProgress),
		CommandExpire: deny(whyNotPending), CommandReopen: deny(whyNotClosed), CommandClose: deny(whyStillOpen),
		CommandRequestReturn: deny(whyNotShipped), CommandWithdrawReturn: deny(whyNotShipped), CommandRecordReturn: deny(whyNotShipped), CommandSplit: allow(StatusInProgress),
		CommandMove: allow(StatusInProgress), CommandMerge: allow(StatusInProgress),
	},
	StatusPartiallyShipped: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: allow(StatusPartiallyShipped),
		CommandBackorder: allow(StatusPartiallyShipped), CommandPick: allow(StatusPartiallyShipped), CommandPack: allow(StatusPartiallyShipped),
		CommandShip: allow(StatusPartiallyShipped, StatusShipped), CommandDeliver: allow(StatusPartiallyDelivered),
		CommandCancel: allow(StatusPartiallyShipped, StatusShipped), CommandHold: allow(StatusOnHold), CommandRelease: deny(whyNoHold),
		CommandEdit: allow(StatusPartiallyShipped, StatusShipped), CommandExpire: deny(whyNotPending), CommandReopen: deny(whyNotClosed),
		CommandClose: deny(whyStillOpen), CommandRequestReturn: allow(StatusPartiallyShipped), CommandWithdrawReturn: allow(StatusPartiallyShipped), CommandRecordReturn: allow(StatusPartiallyReturned),
		CommandSplit: allow(StatusPartiallyShipped), CommandMove: allow(StatusPartiallyShipped), CommandMerge: allow(StatusPartiallyShipped),
	},
	StatusShipped: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: deny(whyAllShipped), CommandBackorder: deny(whyAllShipped),
		CommandPick: deny(whyAllShipped), CommandPack: deny(whyAllShipped), CommandShip: deny(whyAllShipped),
		CommandDeliver: allow(StatusPartiallyDelivered, StatusDelivered), CommandCancel: deny(whyAllShipped), CommandHold: allow(StatusOnHold),
		CommandRelease: deny(whyNoHold), CommandEdit: deny(whyAllShipped), CommandExpire: deny(whyNotPending),
		CommandReopen: deny(whyNotClosed), CommandClose: deny(whyUndelivered), CommandRequestReturn: allow(StatusShipped),
		CommandWithdrawReturn: allow(StatusShipped), CommandRecordReturn: allow(StatusPartiallyReturned, StatusReturned), CommandSplit: deny(whyAllShipped),
		CommandMove: deny(whyAllShipped), CommandMerge: deny(whyAllShipped),
	},
	StatusPartiallyDelivered: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: allow(StatusPartiallyDelivered),
		CommandBackorder: allow(StatusPartiallyDelivered), CommandPick: allow(StatusPartiallyDelivered), CommandPack: allow(StatusPartiallyDelivered),
		CommandShip: allow(StatusPartiallyDelivered), CommandDeliver: allow(StatusPartiallyDelivered, StatusDelivered),
		CommandCancel: allow(StatusPartiallyDelivered, StatusDelivered), CommandHold: allow(StatusOnHold), CommandRelease: deny(whyNoHold),
		CommandEdit: deny(whyNoEdit), CommandExpire: deny(whyNotPending), CommandReopen: deny(whyNotClosed),
		CommandClose: deny(whyStillOpen), CommandRequestReturn: allow(StatusPartiallyDelivered),
		CommandWithdrawReturn: allow(StatusPartiallyDelivered), CommandRecordReturn: allow(StatusPartiallyReturned, StatusReturned), CommandSplit: allow(StatusPartiallyDelivered),
		CommandMove: allow(StatusPartiallyDelivered), CommandMerge: allow(StatusPartiallyDelivered),
	},
	StatusDelivered: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: deny(whyAllShipped), CommandBackorder: deny(whyAllShipped),
		CommandPick: deny(whyAllShipped), CommandPack: deny(whyAllShipped), CommandShip: deny(whyAllShipped),
		CommandDeliver: deny("every shipment is delivered"), CommandCancel: deny(whyAllShipped), CommandHold: allow(StatusOnHold),
		CommandRelease: deny(whyNoHold), CommandEdit: deny(whyNoEdit), CommandExpire: deny(whyNotPending),
		CommandReopen: deny(whyNotClosed), CommandClose: allow(StatusClosed), CommandRequestReturn: allow(StatusDelivered),
		CommandWithdrawReturn: allow(StatusDelivered), CommandRecordReturn: allow(StatusPartiallyReturned, StatusReturned), CommandSplit: deny(whyAllShipped),
		CommandMove: deny(whyAllShipped), CommandMerge: deny(whyAllShipped),
	},
	StatusPartiallyReturned: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: allow(StatusPartiallyReturned),
		CommandBackorder: allow(StatusPartiallyReturned), CommandPick: allow(StatusPartiallyReturned), CommandPack: allow(StatusPartiallyReturned),
		CommandShip: allow(StatusPartiallyReturned), CommandDeliver: allow(StatusPartiallyReturned),
		CommandCancel: allow(StatusPartiallyReturned, StatusReturned), CommandHold: allow(StatusOnHold), CommandRelease: deny(whyNoHold),
		CommandEdit: deny(whyNoEdit), CommandExpire: deny(whyNotPending), CommandReopen: deny(whyNotClosed),
		CommandClose: allow(StatusClosed), CommandRequestReturn: allow(StatusPartiallyReturned),
		CommandWithdrawReturn: allow(StatusPartiallyReturned), CommandRecordReturn: allow(StatusPartiallyReturned, StatusReturned), CommandSplit: allow(StatusPartiallyReturned),
		CommandMove: allow(StatusPartiallyReturned), CommandMerge: allow(StatusPartiallyReturned),
	},
	StatusReturned: {
		CommandConfirm: deny("the order is already confirmed"), CommandAllocate: deny(whyAllShipped), CommandBackorder: deny(whyAllShipped),
		CommandPick: deny(whyAllShipped), CommandPack: deny(whyAllShipped), CommandShip: deny(whyAllShipped),
		CommandDeliver: deny(whyAllReturned), CommandCancel: deny(whyAllShipped), CommandHold: allow(StatusOnHold),
		CommandRelease: deny(whyNoHold), CommandEdit: deny(whyNoEdit), CommandExpire: deny(whyNotPending),
		CommandReopen: deny(whyNotClosed), CommandClose: allow(StatusClosed), CommandRequestReturn: deny(whyAllReturned),
		CommandWithdrawReturn: deny(whyAllReturned), CommandRecordReturn: deny(whyAllReturned), CommandSplit: deny(whyAllShipped), CommandMove: deny(whyAllShipped),
		CommandMerge: deny(whyAllShipped),
	},
	StatusOnHold: {
		CommandConfirm: deny(whyHeld), CommandAllocate: allow(StatusOnHold), CommandBackorder: allow(StatusOnHold),
		CommandPick: deny(whyHeld), CommandPack: deny(whyHeld), CommandShip: deny(whyHeld), CommandDeliver: allow(StatusOnHold),
		CommandCancel: allow(StatusOnHold, StatusCancelled), CommandHold: allow(StatusOnHold),
		CommandRelease: allow(append([]Status{StatusOnHold}, open...)...), CommandEdit: allow(StatusOnHold),
		CommandExpire: allow(StatusCancelled), CommandReopen: deny(whyNotClosed), CommandClose: deny(whyHeld),
		CommandRequestReturn: allow(StatusOnHold), CommandWithdrawReturn: allow(StatusOnHold), CommandRecordReturn: allow(StatusOnHold), CommandSplit: allow(StatusOnHold),
		CommandMove: allow(StatusOnHold), CommandMerge: allow(StatusOnHold),
	},
	StatusCancelled: {
		CommandConfirm: deny(whyCancelled), CommandAllocate: deny(whyCancelled), CommandBackorder: deny(whyCancelled),
		CommandPick: deny(whyCancelled), CommandPack: deny(whyCancelled), CommandShip: deny(whyCancelled),
		CommandDeliver: deny(whyCancelled), CommandCancel: deny(whyCancelled), CommandHold: deny(whyCancelled),
		CommandRelease: deny(whyCancelled), CommandEdit: deny(whyCancelled), CommandExpire: deny(whyCancelled),
		CommandReopen: deny("a cancelled order stays cancelled; place a new one"), CommandClose: allow(StatusClosed),
		CommandRequestReturn: deny(whyCancelled), CommandWithdrawReturn: deny(whyCancelled), CommandRecordReturn: deny(whyCancelled), CommandSplit: deny(whyCancelled),
		CommandMove: deny(whyCancelled), CommandMerge: deny(whyCancelled),
	},
	StatusClosed: {
		CommandConfirm: deny(whyClosed), CommandAllocate: deny(whyClosed), CommandBackorder: deny(whyClosed),
		CommandPick: deny(whyClosed), CommandPack: deny(whyClosed), CommandShip: deny(whyClosed),
		CommandDeliver: deny(whyClosed), CommandCancel: deny(whyClosed), CommandHold: deny(whyClosed),
		CommandRelease: deny(whyClosed), CommandEdit: deny(whyClosed), CommandExpire: deny(whyClosed),
		CommandReopen: allow(StatusDelivered, StatusPartiallyReturned, StatusReturned, StatusCancelled), CommandClose: deny("the order is already closed"),
		CommandRequestReturn: deny(whyClosed), CommandWithdrawReturn: deny(whyClosed), CommandRecordReturn: deny(whyClosed), CommandSplit: deny(whyClosed),
		CommandMove: deny(whyClosed), CommandMerge: deny(whyClosed),
	},
}

// Transitions returns a copy of the transition table: for every status and
// every command of [Commands], the rule.
func Transitions() map[Status]map[Command]Rule {
	out := make(map[Status]map[Command]Rule, len(transitions))
	for s, row := range transitions {
		r := make(map[Command]Rule, len(row))
		for c, rule := range row {
			rule.To = slices.Clone(rule.To)
			r[c] = rule
		}
		out[s] = r
	}
	return out
}

// Action is a command and whether the order allows it now.
type Action struct {
	Command Command
	Allowed bool
	Reason  string // why not, when not allowed
}

// AllowedActions returns, for every command of [Commands] in table order,
// whether o allows it now and, if not, why: the transition table's reason,
// or a precondition on the quantities (nothing left to cancel, no hold to
// release, ...). A command it allows may still fail on its request's
// details, such as a quantity larger than a bucket holds.
func AllowedActions(o *Order) []Action {
	out := make([]Action, len(commands))
	for i, c := range commands {
		out[i] = Action{Command: c, Allowed: true}
		if err := o.Can(c); err != nil {
			out[i].Allowed = false
			if te, ok := err.(*TransitionError); ok {
				out[i].Reason = te.Reason
			} else {
				out[i].Reason = err.Error()
			}
		}
	}
	return out
}

// Allowed returns the commands o allows now, in table order: those for
// which [Order.Can] returns nil.
func (o *Order) Allowed() iter.Seq[Command] {
	return func(yield func(Command) bool) {
		for _, c := range commands {
			if o.Can(c) == nil && !yield(c) {
				return
			}
		}
	}
}

// Can returns nil if the order allows command c now, or a
// *[TransitionError] saying why not. See [AllowedActions].
func (o *Order) Can(c Command) error {
	q := o.Quantities()
	s := deriveStatus(q, o.confirmed, o.closed, len(o.holds) > 0)
	deny := func(reason string) error { return &TransitionError{From: s, Command: c, Reason: reason} }
	row, ok := transitions[s]
	if !ok {
		return deny("unknown status")
	}
	rule, ok := row[c]
	if !ok {
		return deny(fmt.Sprintf("unknown command %q", string(c)))
	}
	if !rule.Allowed {
		return deny(rule.Reason)
	}
	if s == StatusOnHold && c != CommandRelease && c != CommandHold {
		// A hold blocks some commands; the status under it still rules the rest.
		if under := transitions[progressStatus(q, o.confirmed)][c]; !under.Allowed {
			return deny(under.Reason)
		}
	}
	if reason := o.precondition(c, q); reason != "" {
		return deny(reason)
	}
	return nil
}

// precondition returns why the ledger leaves nothing for c to do, or "".
func (o *Order) precondition(c Command, q Quantities) string {
	switch c {
	case CommandAllocate:
		if q.Unallocated()+q.Backordered == 0 {
			return "no unit is waiting for allocation"
		}
	case CommandBackorder:
		if q.Unallocated() == 0 {
			return "no unit is unallocated"
		}
	case CommandPick:
		if q.Allocated == 0 {
			return "no allocated unit to pick"
		}
	case CommandPack:
		if q.Allocated+q.Picked == 0 {
			return "no allocated or picked unit to pack"
		}
	case CommandShip:
		if q.InFlight() == 0 {
			return "no allocated, picked or packed unit to ship"
		}
	case CommandDeliver:
		if !slices.ContainsFunc(o.shipments, func(s Shipment) bool { return !s.Delivered }) {
			return "every shipment is delivered"
		}
	case CommandCancel:
		if q.Unshipped() == 0 {
			return whyAllShipped
		}
	case CommandRelease:
		if len(o.holds) == 0 {
			return whyNoHold
		}
	case CommandExpire:
		if o.expiresAt.IsZero() {
			return "the order has no expiry time"
		}
	case CommandClose:
		switch {
		case q.Live() == 0:
		case q.Unshipped() > 0:
			return whyStillOpen
		case q.ReturnRequested > 0:
			return "returns are still awaited"
		case slices.ContainsFunc(o.shipments, func(s Shipment) bool { return !s.Delivered }) && q.Returned < q.Shipped:
			return whyUndelivered
		}
	case CommandRequestReturn:
		if q.Shipped-q.Returned-q.ReturnRequested == 0 {
			return "every shipped unit is returned or awaited"
		}
	case CommandRecordReturn:
		if q.Shipped-q.Returned == 0 {
			return "every shipped unit is returned"
		}
	case CommandWithdrawReturn:
		if q.ReturnRequested == 0 {
			return "no return is awaited"
		}
	case CommandSplit:
		if !slices.ContainsFunc(o.fulfillments, func(f Fulfillment) bool {
			return slices.ContainsFunc(f.Lines, func(l FulfillmentLine) bool { return l.Allocated > 0 })
		}) {
			return "no fulfillment order has allocated units"
		}
	case CommandMove:
		if !slices.ContainsFunc(o.fulfillments, func(f Fulfillment) bool { return !f.started() }) {
			return "every fulfillment order has started"
		}
	case CommandMerge:
		for _, a := range o.fulfillments {
			for _, b := range o.fulfillments {
				if a.ID != b.ID && a.Location == b.Location && !b.started() {
					return ""
				}
			}
		}
		return "no two fulfillment orders at one location can be merged"
	}
	return ""
}

// Mermaid renders the transition table as a Mermaid state diagram: one
// arrow per pair of different statuses, labelled with the commands that
// lead from one to the other. Commands that keep the status are in the
// table but not drawn. The package documentation embeds its output.
func Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s: %s\n", StatusPending, CommandPlace)
	for _, from := range statuses {
		edges := map[Status][]string{}
		for _, c := range commands {
			for _, to := range transitions[from][c].To {
				if to != from {
					edges[to] = append(edges[to], string(c))
				}
			}
		}
		for _, to := range statuses {
			if cs := edges[to]; len(cs) > 0 {
				fmt.Fprintf(&b, "    %s --> %s: %s\n", from, to, strings.Join(cs, ", "))
			}
		}
	}
	return b.String()
}
