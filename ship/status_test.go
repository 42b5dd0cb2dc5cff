package ship

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestStatusCan(t *testing.T) {
	tests := []struct {
		from, to Status
		want     bool
	}{
		{StatusPreTransit, StatusInTransit, true},
		{StatusPreTransit, StatusCancelled, true},
		{StatusPreTransit, StatusDelivered, true},
		{StatusInTransit, StatusInTransit, true}, // a second scan is not a transition
		{StatusInTransit, StatusOutForDelivery, true},
		{StatusInTransit, StatusCancelled, false}, // the carrier has it: too late to void
		{StatusInTransit, StatusPreTransit, false},
		{StatusInTransit, StatusUnknown, false}, // unknown never hides a known status
		{StatusOutForDelivery, StatusInTransit, true},
		{StatusDeliveryException, StatusDelivered, true},
		{StatusAvailableForPickup, StatusDelivered, true},
		{StatusAvailableForPickup, StatusOutForDelivery, false},
		{StatusUnknown, StatusInTransit, true},
		{StatusUnknown, StatusPreTransit, false},
		{StatusDelivered, StatusDelivered, true},
		{StatusDelivered, StatusInTransit, false},
		{StatusReturnedToSender, StatusDelivered, false},
		{StatusCancelled, StatusInTransit, false},
		{Status("lost"), StatusDelivered, false},
		{StatusPreTransit, Status("lost"), false},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"->"+string(tt.to), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.from.Can(tt.to))
			err := tt.from.Transition(tt.to)
			if tt.want {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			if tt.from.Valid() && tt.to.Valid() {
				te, ok := errors.AsType[*TransitionError](err)
				require.True(t, ok)
				assert.Equal(t, tt.from, te.From)
				assert.Equal(t, tt.to, te.To)
				assert.ErrorIs(t, err, ErrInvalidTransition)
			} else {
				assert.ErrorIs(t, err, ErrInvalidStatus)
			}
		})
	}
}

func TestStatusTable(t *testing.T) {
	for _, s := range Statuses() {
		assert.True(t, s.Valid(), s)
		next := slices.Collect(s.Next())
		assert.Equal(t, s.Terminal(), len(next) == 0, s)
		assert.NotContains(t, next, s, "self loops are implicit")
		assert.NotContains(t, next, StatusPreTransit, "nothing goes back to pre-transit")
		for _, n := range next {
			assert.True(t, s.Can(n))
		}
	}
	var terminal []Status
	for _, s := range Statuses() {
		if s.Terminal() {
			terminal = append(terminal, s)
		}
	}
	assert.Equal(t, []Status{StatusDelivered, StatusReturnedToSender, StatusCancelled}, terminal)
	// Every status is reachable from pre-transit.
	seen := map[Status]bool{StatusPreTransit: true}
	queue := []Status{StatusPreTransit}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for n := range s.Next() {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	assert.Len(t, seen, len(statuses))
	assert.Len(t, transitions, len(statuses))
}

func TestStatusText(t *testing.T) {
	for _, s := range Statuses() {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var got Status
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, s, got)
	}
	for _, bad := range []string{"", "IN_TRANSIT", "lost", "delivered "} {
		_, err := ParseStatus(bad)
		assert.ErrorIs(t, err, ErrInvalidStatus, bad)
	}
	_, err := Status("lost").MarshalText()
	assert.ErrorIs(t, err, ErrInvalidStatus)
}

func TestMermaidGolden(t *testing.T) {
	got := Mermaid()
	path := filepath.Join("testdata", "tracking.mmd")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create the golden file")
	assert.Equal(t, string(want), got)
	// The diagram has exactly one edge per table entry plus start and ends.
	edges := 0
	for _, s := range Statuses() {
		edges += len(transitions[s])
	}
	assert.Equal(t, 1+edges+3+1, len(strings.Split(strings.TrimSpace(got), "\n")))
}
