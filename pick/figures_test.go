package pick

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var figures = flag.Bool("figures", false, "compute the quality figures from testdata/figures.json")

// figureSpec is testdata/figures.json: the seeded instance generators of the
// published quality figures.
type figureSpec struct {
	Routing struct {
		Layout    RectConfig `json:"layout"`
		More      []int      `json:"more_cross_aisles"`
		Middle    []int      `json:"middle_depot_cross_aisles"` // the depot on cross aisle (k-1)/2
		Picks     []int      `json:"picks"`
		Instances int        `json:"instances"`
		Seed      uint64     `json:"seed"`
	} `json:"routing"`
	Batching struct {
		Layout       RectConfig `json:"layout"`
		Instances    int        `json:"instances"`
		MinOrders    int        `json:"min_orders"`
		MaxOrders    int        `json:"max_orders"`
		MaxLines     int        `json:"max_lines"`
		MinCartLines int        `json:"min_cart_lines"`
		MaxCartLines int        `json:"max_cart_lines"`
		Seed         uint64     `json:"seed"`
		Budget       string     `json:"budget"`
	} `json:"batching"`
}

func loadFigureSpec(t *testing.T) figureSpec {
	data, err := os.ReadFile("testdata/figures.json")
	require.NoError(t, err)
	var spec figureSpec
	require.NoError(t, json.Unmarshal(data, &spec))
	return spec
}

// TestFigureRoutingGaps reports each heuristic's mean gap above the optimum
// (go test -run TestFigureRoutingGaps -figures -v ./pick), with the depot at
// the front, and on a middle cross aisle. Without -figures it runs a few
// instances as a check that the heuristics' routes verify and never beat it.
func TestFigureRoutingGaps(t *testing.T) {
	spec := loadFigureSpec(t).Routing
	n := spec.Instances
	if !*figures {
		n = 20
	}
	ctx := context.Background()
	heur := allRouters[1:7] // the five policies and TwoOpt
	type row struct{ k, depot int }
	var rows []row
	for _, k := range append([]int{spec.Layout.CrossAisles}, spec.More...) {
		rows = append(rows, row{k, spec.Layout.Depot.CrossAisle})
	}
	for _, k := range spec.Middle {
		rows = append(rows, row{k, (k - 1) / 2})
	}
	for _, rw := range rows {
		cfg := spec.Layout
		cfg.CrossAisles, cfg.Depot.CrossAisle = rw.k, rw.depot
		r, err := NewRect(cfg)
		require.NoError(t, err)
		for _, picks := range spec.Picks {
			rng := rand.New(rand.NewPCG(spec.Seed, uint64(picks)))
			sum := make([]float64, len(heur))
			for range n {
				bins := randomBins(rng, r, picks)
				opt, err := Optimal{}.Route(ctx, r, bins)
				require.NoError(t, err)
				for h, rt := range heur {
					got, err := rt.r.Route(ctx, r, bins)
					require.NoError(t, err)
					require.NoError(t, Verify(r, bins, got))
					require.GreaterOrEqual(t, got.Length, opt.Length)
					sum[h] += float64(got.Length-opt.Length) / float64(opt.Length)
				}
			}
			line := fmt.Sprintf("k=%d depot=%d picks=%2d", rw.k, rw.depot, picks)
			for h, rt := range heur {
				line += fmt.Sprintf("  %s %+.1f%%", rt.name, 100*sum[h]/float64(n))
			}
			t.Log(line)
		}
	}
}

// TestFigureBatching reports total walking distance of each batcher against
// FCFS (go test -run TestFigureBatching -figures -v ./pick).
func TestFigureBatching(t *testing.T) {
	if !*figures {
		t.Skip("run with -figures")
	}
	spec := loadFigureSpec(t).Batching
	r, err := NewRect(spec.Layout)
	require.NoError(t, err)
	budget, err := time.ParseDuration(spec.Budget)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(spec.Seed, 1))
	var sumSav, sumSeed, sumLS, sumLSvsSav float64
	for i := range spec.Instances {
		n := spec.MinOrders + rng.IntN(spec.MaxOrders-spec.MinOrders+1)
		orders := randomOrders(rng, r, n, spec.MaxLines)
		c := Capacity{Lines: spec.MinCartLines + rng.IntN(spec.MaxCartLines-spec.MinCartLines+1)}
		ctx := context.Background()
		fc, err := FCFS{}.Batch(ctx, r, orders, c)
		require.NoError(t, err)
		sd, err := SeedBatcher{}.Batch(ctx, r, orders, c)
		require.NoError(t, err)
		t0 := time.Now()
		sv, err := Savings{}.Batch(ctx, r, orders, c)
		require.NoError(t, err)
		tSav := time.Since(t0)
		lctx, cancel := context.WithTimeout(ctx, budget)
		t0 = time.Now()
		ls, err := LocalSearch{Seed: uint64(i), Rounds: 1000}.Batch(lctx, r, orders, c)
		tLS := time.Since(t0)
		cancel()
		require.NoError(t, err)
		checkBatching(t, r, orders, c, ls)
		f := float64(fc.Length)
		sumSav += 1 - float64(sv.Length)/f
		sumSeed += 1 - float64(sd.Length)/f
		sumLS += 1 - float64(ls.Length)/f
		sumLSvsSav += 1 - float64(ls.Length)/float64(sv.Length)
		t.Logf("instance %d: %d orders, cart %d lines: fcfs %.0fm seed %.0fm savings %.0fm (%v) local %.0fm (%v): local %.1f%% under fcfs, %.1f%% under savings",
			i, n, c.Lines, fc.Length.Meters(), sd.Length.Meters(), sv.Length.Meters(), tSav.Round(time.Millisecond),
			ls.Length.Meters(), tLS.Round(time.Millisecond), 100*(1-float64(ls.Length)/f), 100*(1-float64(ls.Length)/float64(sv.Length)))
	}
	k := float64(spec.Instances)
	t.Logf("mean saving under FCFS: seed %.1f%%, savings %.1f%%, local search %.1f%%; local search under savings %.1f%%",
		100*sumSeed/k, 100*sumSav/k, 100*sumLS/k, 100*sumLSvsSav/k)
}
