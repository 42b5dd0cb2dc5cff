package returns

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/carrier"
	"github.com/fulfillkit/fulfill/order"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden state diagram and the diagram in doc.go")

// act runs action a on r with a request valid for the fixtures.
func act(r *Return, o *order.Order, a Action, now time.Time) ([]Event, error) {
	ctx := context.Background()
	switch a {
	case ActionApprove:
		return r.Approve(now, "ok")
	case ActionDecline:
		return r.Decline(now, "no")
	case ActionIssueLabel:
		return r.IssueLabel(ctx, now, &fakeLabeler{}, carrier.LabelRequest{})
	case ActionShip:
		return r.Ship(now, "")
	case ActionReceive:
		var lines []ReceiveLine
		for l := range r.Lines() {
			if n := l.count(func(u Unit) bool { return u.Outcome == "" }); n > 0 {
				lines = append(lines, ReceiveLine{Line: l.No, Quantity: n, Outcome: OutcomeReceived})
			}
		}
		return r.Receive(now, ReceiveRequest{Lines: lines})
	case ActionInspect:
		var lines []InspectLine
		for l := range r.Lines() {
			if n := l.count(func(u Unit) bool { return u.Outcome == OutcomeReceived && u.Grade == "" }); n > 0 {
				lines = append(lines, InspectLine{Line: l.No, Quantity: n, Grade: GradeDamaged})
			}
		}
		return r.Inspect(now, InspectRequest{Lines: lines})
	case ActionDispose:
		var lines []DisposeLine
		for l := range r.Lines() {
			if n := l.count(func(u Unit) bool { return u.Disposition == "" && u.Grade != "" }); n > 0 {
				lines = append(lines, DisposeLine{Line: l.No, Quantity: n, Disposition: DispositionQuarantine, Location: "WH1"})
			}
		}
		return r.Dispose(ctx, newInventory(), now, DisposeRequest{Lines: lines})
	case ActionExchange:
		_, _, events, err := r.Exchange(now, o, NewAccount(o), newID, ExchangeRequest{Lines: []ExchangeLine{{Line: 1, Quantity: 1}}})
		return events, err
	case ActionClose:
		return r.Close(now, "")
	case ActionCancel:
		return r.Cancel(now, "")
	case ActionReopen:
		return r.Reopen(now, "")
	}
	panic("unknown action " + a)
}

// snap renders the state of r for comparison.
func snap(t testing.TB, r *Return) string {
	b, err := json.Marshal(struct {
		S   Status
		L   []Line
		Lab *carrier.Label
		H   *Hold
		E   []fulfill.OrderID
		Seq int64
	}{r.status, r.lines, r.label, r.hold, r.exchanges, r.seq})
	require.NoError(t, err)
	return string(b)
}

// TestTransitionTableIsComplete checks that every status has a rule for
// every action, and that an allowed rule names where it leads.
func TestTransitionTableIsComplete(t *testing.T) {
	require.Len(t, transitions, len(statuses))
	for _, s := range statuses {
		row, ok := transitions[s]
		require.True(t, ok, "no row for %s", s)
		assert.Len(t, row, len(actions), "row %s", s)
		for _, a := range actions {
			rule, ok := row[a]
			require.True(t, ok, "no rule for (%s, %s)", s, a)
			if rule.Allowed {
				assert.NotEmpty(t, rule.To, "(%s, %s) allowed without targets", s, a)
				assert.Empty(t, rule.Reason)
			} else {
				assert.NotEmpty(t, rule.Reason, "(%s, %s) denied without a reason", s, a)
				assert.Empty(t, rule.To)
			}
		}
	}
}

// TestEveryActionInEveryStatus runs every action on a fixture in every
// status: a refused action is a *TransitionError with the table's reason
// (or a precondition) and changes nothing; an allowed one ends in a status
// its rule lists.
func TestEveryActionInEveryStatus(t *testing.T) {
	covered := map[Status]bool{}
	succeeded := map[[2]string]bool{}
	for _, fx := range fixtures {
		for _, a := range actions {
			t.Run(fx.name+"/"+string(a), func(t *testing.T) {
				r, o := fx.build(t)
				require.Equal(t, fx.status, r.Status())
				covered[fx.status] = true
				rule := transitions[fx.status][a]
				before := snap(t, r)
				can := r.Can(a)
				events, err := act(r, o, a, t0.Add(time.Hour))
				if !rule.Allowed {
					te, ok := errors_AsTransition(err)
					require.True(t, ok, "want *TransitionError, got %v", err)
					assert.Equal(t, rule.Reason, te.Reason)
					assert.Equal(t, before, snap(t, r))
					return
				}
				if can != nil {
					require.ErrorIs(t, err, ErrInvalidTransition)
					assert.Equal(t, before, snap(t, r))
					return
				}
				require.NoError(t, err)
				require.NotEmpty(t, events)
				assert.Contains(t, rule.To, r.Status(), "(%s, %s) ended in %s", fx.status, a, r.Status())
				succeeded[[2]string{string(fx.status), string(a)}] = true
			})
		}
	}
	for _, s := range statuses {
		assert.True(t, covered[s], "no fixture in status %s", s)
	}
	// Every allowed cell succeeds at least once from the fixtures.
	for _, s := range statuses {
		for _, a := range actions {
			if transitions[s][a].Allowed {
				assert.True(t, succeeded[[2]string{string(s), string(a)}], "allowed (%s, %s) never succeeded", s, a)
			}
		}
	}
}

func errors_AsTransition(err error) (*TransitionError, bool) {
	te, ok := err.(*TransitionError)
	return te, ok
}

// TestAllowedActionsMatchCan checks that AllowedActions says what Can says.
func TestAllowedActionsMatchCan(t *testing.T) {
	for _, fx := range fixtures {
		r, _ := fx.build(t)
		perms := AllowedActions(r)
		require.Len(t, perms, len(actions))
		for i, p := range perms {
			assert.Equal(t, actions[i], p.Action)
			err := r.Can(p.Action)
			assert.Equal(t, err == nil, p.Allowed, "%s %s", fx.name, p.Action)
			if err != nil {
				assert.Equal(t, err.(*TransitionError).Reason, p.Reason)
			}
		}
	}
}

func TestAllowedActionsAnswerWhy(t *testing.T) {
	tests := []struct {
		fixture string
		action  Action
		allowed bool
		reason  string
	}{
		{"requested", ActionReceive, false, whyNotApproved},
		{"approved", ActionReceive, true, ""},
		{"in_transit", ActionCancel, false, whyOnTheWay},
		{"received", ActionClose, false, whyNotInspected},
		{"inspected", ActionClose, false, "present units have no disposition yet"},
		{"closed", ActionReopen, true, ""},
		{"cancelled", ActionReopen, false, whyCancelled},
		{"declined", ActionReopen, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+"/"+string(tt.action), func(t *testing.T) {
			for _, fx := range fixtures {
				if fx.name != tt.fixture {
					continue
				}
				r, _ := fx.build(t)
				for _, p := range AllowedActions(r) {
					if p.Action == tt.action {
						assert.Equal(t, tt.allowed, p.Allowed)
						assert.Equal(t, tt.reason, p.Reason)
					}
				}
			}
		})
	}
}

const (
	diagramGolden = "testdata/states.mmd"
	docBegin      = "//\tstateDiagram-v2\n"
	docEnd        = "//\n// The table behind it"
)

// TestStateDiagramIsCurrent checks the golden diagram and the one in the
// package documentation against the transition table. Run with -update to
// rewrite both.
func TestStateDiagramIsCurrent(t *testing.T) {
	m := Mermaid()
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	start := strings.Index(string(doc), docBegin)
	end := strings.Index(string(doc), docEnd)
	require.True(t, start >= 0 && end > start, "doc.go has no diagram block")
	var b strings.Builder
	for _, line := range strings.SplitAfter(m, "\n") {
		if line != "" {
			b.WriteString("//\t" + line)
		}
	}
	newDoc := string(doc[:start]) + b.String() + string(doc[end:])
	if *update {
		require.NoError(t, os.WriteFile(diagramGolden, []byte(m), 0o644))
		require.NoError(t, os.WriteFile("doc.go", []byte(newDoc), 0o644))
		doc = []byte(newDoc)
	}
	golden, err := os.ReadFile(diagramGolden)
	require.NoError(t, err)
	assert.Equal(t, string(golden), m, "testdata/states.mmd is stale: go test ./returns -run StateDiagram -update")
	assert.Equal(t, string(doc), newDoc, "the diagram in doc.go is stale: go test ./returns -run StateDiagram -update")
}

func TestMermaidShape(t *testing.T) {
	m := Mermaid()
	assert.True(t, strings.HasPrefix(m, "stateDiagram-v2\n    [*] --> requested: request\n"))
	assert.Contains(t, m, "    requested --> approved: approve\n")
	assert.Contains(t, m, "    inspected --> closed: close\n")
	assert.Contains(t, m, "    closed --> inspected: reopen\n")
	assert.NotContains(t, m, "inspected --> inspected")
	for _, s := range statuses {
		assert.Contains(t, m, " "+string(s), "status %s missing", s)
	}
}

func TestStatusText(t *testing.T) {
	var s Status
	require.NoError(t, s.UnmarshalText([]byte("received")))
	assert.Equal(t, StatusReceived, s)
	err := s.UnmarshalText([]byte("lost"))
	assert.ErrorIs(t, err, ErrInvalidReturn)
	assert.Equal(t, StatusReceived, s)
	var r Reason
	assert.ErrorIs(t, r.UnmarshalText([]byte("bored")), ErrInvalidReturn)
	require.NoError(t, r.UnmarshalText([]byte("defective")))
	assert.True(t, r.SellerFault())
	assert.False(t, ReasonNoLongerNeeded.SellerFault())
}
