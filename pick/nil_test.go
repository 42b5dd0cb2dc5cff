package pick

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// TestNilLayoutAndRouter feeds every entry point a nil layout, a typed nil
// layout and an unconfigured one, and typed nil routers and batchers: each
// gives an error, or the documented default for a nil router, never a panic.
func TestNilLayoutAndRouter(t *testing.T) {
	ctx := context.Background()
	bins := []Bin{{Aisle: 1, Slot: 2, Side: SideLeft}, {Aisle: 3, Slot: 4, Side: SideRight}}
	orders := []Order{{ID: "a", Lines: []Line{{Bin: bins[0], Quantity: 1}}}, {ID: "b", Lines: []Line{{Bin: bins[1], Quantity: 1}}}}
	lines := orders[0].Lines
	layouts := map[string]Layout{"nil": nil, "nil *Rect": (*Rect)(nil), "nil *Graph": (*Graph)(nil), "new(Rect)": new(Rect), "new(Graph)": new(Graph)}
	routers := []Router{Auto{}, Optimal{}, SShape{}, Return{}, Midpoint{}, LargestGap{}, Combined{}, Exact{}, TwoOpt{}}
	batchers := []Batcher{FCFS{}, SeedBatcher{}, Savings{}, LocalSearch{}}
	for name, l := range layouts {
		for _, r := range routers {
			t.Run(fmt.Sprintf("%s/%T", name, r), func(t *testing.T) {
				_, err := r.Route(ctx, l, bins)
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("Route: got %v, want ErrUnsupported", err)
				}
			})
		}
		for _, b := range batchers {
			t.Run(fmt.Sprintf("%s/%T", name, b), func(t *testing.T) {
				_, err := b.Batch(ctx, l, orders, Capacity{})
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("Batch: got %v, want ErrUnsupported", err)
				}
			})
		}
		t.Run(name+"/others", func(t *testing.T) {
			if err := Verify(l, bins, Route{Stops: []int{0, 1}}); !errors.Is(err, ErrUnsupported) {
				t.Errorf("Verify: got %v", err)
			}
			if err := SVG(new(bytes.Buffer), l, bins, Route{Stops: []int{0, 1}}); !errors.Is(err, ErrUnsupported) {
				t.Errorf("SVG: got %v", err)
			}
			if _, _, err := List(ctx, l, nil, lines); !errors.Is(err, ErrUnsupported) {
				t.Errorf("List: got %v", err)
			}
			if _, err := BatchWaves(ctx, l, FCFS{}, orders, nil, Capacity{}); !errors.Is(err, ErrUnsupported) {
				t.Errorf("BatchWaves: got %v", err)
			}
		})
	}
	r := benchBlock(t, 2)
	want, err := Auto{}.Route(ctx, r, bins)
	if err != nil {
		t.Fatal(err)
	}
	// A typed nil router means the default, as a nil one does.
	for _, router := range []Router{(*Auto)(nil), (*Optimal)(nil), RouterFunc(nil)} {
		t.Run(fmt.Sprintf("router %T", router), func(t *testing.T) {
			_, got, err := List(ctx, r, router, []Line{{Bin: bins[0], Quantity: 1}, {Bin: bins[1], Quantity: 1}})
			if err != nil || got.Length != want.Length {
				t.Errorf("List: %v, %v; want %v", got, err, want)
			}
			for _, b := range []Batcher{FCFS{Router: router}, SeedBatcher{Router: router}, Savings{Router: router}, LocalSearch{Router: router}} {
				if _, err := b.Batch(ctx, r, orders, Capacity{}); err != nil {
					t.Errorf("%T: %v", b, err)
				}
			}
		})
	}
	// A nil start of LocalSearch means Savings.
	ls, err := LocalSearch{}.Batch(ctx, r, orders, Capacity{})
	if err != nil {
		t.Fatal(err)
	}
	for _, start := range []Batcher{(*Savings)(nil), BatcherFunc(nil)} {
		got, err := LocalSearch{Start: start}.Batch(ctx, r, orders, Capacity{})
		if err != nil || !reflect.DeepEqual(got, ls) {
			t.Errorf("LocalSearch with start %T: %v, %v; want %v", start, got, err, ls)
		}
	}
	// A nil batcher means LocalSearch.
	want2, err := BatchWaves(ctx, r, LocalSearch{}, orders, nil, Capacity{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []Batcher{nil, (*FCFS)(nil), BatcherFunc(nil)} {
		got, err := BatchWaves(ctx, r, b, orders, nil, Capacity{})
		if err != nil || !reflect.DeepEqual(got, want2) {
			t.Errorf("BatchWaves with %T: %v, %v; want %v", b, got, err, want2)
		}
	}
}
