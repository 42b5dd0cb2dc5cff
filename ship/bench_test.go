package ship

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// naiveTracker is the baseline for ingestion: keep every distinct event in
// arrival order, find duplicates by scanning, and sort and re-run the state
// machine over the whole history after each event.
type naiveTracker struct{ events []Event }

func (n *naiveTracker) ingest(e Event) Status {
	k := e.Key()
	for _, o := range n.events {
		if o.Key() == k {
			return n.status()
		}
	}
	n.events = append(n.events, e)
	return n.status()
}

func (n *naiveTracker) status() Status {
	sorted := slices.Clone(n.events)
	slices.SortFunc(sorted, func(a, b Event) int {
		return compareEntries(newEntry(a, a.Key(), 0), newEntry(b, b.Key(), 0))
	})
	cur := StatusPreTransit
	for _, e := range sorted {
		if cur.Can(e.Status) {
			cur = e.Status
		}
	}
	return cur
}

// webhookStream returns the events of one package's journey (n scans,
// then delivery) as a webhook endpoint sees them: a fifth delivered twice,
// and neighbours swapped a fifth of the time.
func webhookStream(n int, seed uint64) []Event {
	r := rand.New(rand.NewPCG(seed, seed))
	t0 := ts("2026-11-20T10:00:00Z")
	var evs []Event
	for i := range n {
		s := StatusInTransit
		switch {
		case i == n-2:
			s = StatusOutForDelivery
		case i == n-1:
			s = StatusDelivered
		}
		e := Event{TrackingNumber: "1Z1", Carrier: "ups", Status: s, At: t0.Add(time.Duration(i) * 47 * time.Minute),
			Location: "Hub " + fmt.Sprint(i%7)}
		if i%3 != 0 {
			e.ID = fmt.Sprintf("evt_%d", i)
		}
		evs = append(evs, e)
	}
	stream := slices.Clone(evs)
	for range n / 5 {
		stream = append(stream, evs[r.IntN(n)])
	}
	for i := 1; i < len(stream); i++ {
		if r.IntN(5) == 0 {
			stream[i-1], stream[i] = stream[i], stream[i-1]
		}
	}
	return stream
}

func TestNaiveTrackerAgrees(t *testing.T) {
	for _, n := range []int{5, 20, 200} {
		stream := webhookStream(n, uint64(n))
		var tr Tracking
		var nv naiveTracker
		for _, e := range stream {
			c, err := tr.Ingest(e)
			if err != nil {
				t.Fatal(err)
			}
			if want := nv.ingest(e); want != c.To {
				t.Fatalf("n=%d: naive %s, tracking %s", n, want, c.To)
			}
		}
		if tr.Status() != StatusDelivered {
			t.Fatalf("n=%d: %s", n, tr.Status())
		}
	}
}

// loop runs f under b.Loop and reports CPU time per operation (and per
// event, when events > 0) besides the wall time.
func loop(b *testing.B, events int, f func()) {
	start := processCPU()
	for b.Loop() {
		f()
	}
	cpu := processCPU() - start
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	if events > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*events), "cpu-ns/event")
	}
}

// BenchmarkIngest ingests a whole webhook stream (with duplicates and
// reordering) per iteration; the naive baseline runs in the same benchmark.
func BenchmarkIngest(b *testing.B) {
	for _, n := range []int{20, 200} {
		stream := webhookStream(n, 1)
		b.Run(fmt.Sprintf("events=%d/baseline=naive", n), func(b *testing.B) {
			loop(b, len(stream), func() {
				var nv naiveTracker
				for _, e := range stream {
					nv.ingest(e)
				}
			})
		})
		b.Run(fmt.Sprintf("events=%d/tracking", n), func(b *testing.B) {
			loop(b, len(stream), func() {
				var tr Tracking
				for _, e := range stream {
					if _, err := tr.Ingest(e); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// benchLane is a lane with a year of US holidays in both calendars.
func benchLane(b *testing.B) (Lane, twins) {
	var hs []Date
	for _, s := range []string{"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
		"2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25", "2027-01-01", "2027-01-18"} {
		hs = append(hs, MustDate(s))
	}
	wd := []time.Weekday{1, 2, 3, 4, 5}
	sat := []time.Weekday{1, 2, 3, 4, 5, 6}
	del := MustCalendar("ups-del", sat, hs...)
	l := Lane{
		Origin: Origin{Location: "WH", TimeZone: loadLoc(b, "America/New_York"), Calendar: MustCalendar("wh", wd, hs...), HandlingDays: 1},
		Service: Service{Carrier: "ups", Service: "ground", Cutoff: 15 * time.Hour, Calendar: MustCalendar("ups", wd, hs...),
			DeliveryCalendar: &del, TransitDays: map[string]int{"2": 1, "5": 3, "8": 5}},
	}
	return l, twins{wh: naiveCalendar{wd, hs}, pick: naiveCalendar{wd, hs}, del: naiveCalendar{sat, hs}}
}

func BenchmarkPromise(b *testing.B) {
	lane, tw := benchLane(b)
	release := ts("2026-11-23T21:00:00Z")
	b.Run("baseline=naive", func(b *testing.B) {
		loop(b, 0, func() { naivePromise(lane, tw, release, "8") })
	})
	b.Run("lane", func(b *testing.B) {
		loop(b, 0, func() {
			if _, err := lane.Promise(release, "8"); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func BenchmarkShipBy(b *testing.B) {
	lane, tw := benchLane(b)
	promised := MustDate("2026-12-02")
	b.Run("baseline=naive", func(b *testing.B) {
		loop(b, 0, func() { naiveShipBy(lane, tw, promised, "8") })
	})
	b.Run("lane", func(b *testing.B) {
		loop(b, 0, func() {
			if _, err := lane.ShipBy(promised, "8"); err != nil {
				b.Fatal(err)
			}
		})
	})
}
