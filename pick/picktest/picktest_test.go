package picktest_test

import (
	"testing"

	"github.com/fulfillkit/fulfill/pick"
	"github.com/fulfillkit/fulfill/pick/picktest"
)

func TestRouters(t *testing.T) {
	for name, r := range map[string]pick.Router{
		"optimal": pick.Optimal{}, "sshape": pick.SShape{}, "return": pick.Return{}, "midpoint": pick.Midpoint{},
		"largest-gap": pick.LargestGap{}, "combined": pick.Combined{}, "exact": pick.Exact{}, "2-opt": pick.TwoOpt{}, "auto": pick.Auto{},
	} {
		t.Run(name, func(t *testing.T) { picktest.Router(t, r) })
	}
}

func TestBatchers(t *testing.T) {
	for name, b := range map[string]pick.Batcher{
		"fcfs": pick.FCFS{}, "seed": pick.SeedBatcher{}, "savings": pick.Savings{},
		"local": pick.LocalSearch{Seed: 3, Rounds: 3},
	} {
		t.Run(name, func(t *testing.T) { picktest.Batcher(t, b) })
	}
}
