package postgres

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The environment of a worker process.
const (
	envWorker       = "FULFILL_PG_WORKER"        // the mode: "reserve" or "idem"
	envWorkerSchema = "FULFILL_PG_WORKER_SCHEMA" // the schema to use
	envWorkerID     = "FULFILL_PG_WORKER_ID"     // the worker's number
	envWorkerSKUs   = "FULFILL_PG_WORKER_SKUS"   // the SKUs to reserve, comma-separated
)

// workerGoroutines is how many goroutines each worker process runs.
const workerGoroutines = 16

// worker runs a worker process and returns its exit code. It prints one
// line per outcome the parent checks: "ok ID QTY" for a reservation
// applied, "rel ID" for one released, "replay ID" for a retry replayed,
// "err MESSAGE" for anything unexpected.
func worker(mode string) int {
	ctx := context.Background()
	id, _ := strconv.Atoi(os.Getenv(envWorkerID))
	db, err := Open(ctx, os.Getenv(envURL), &Options{SearchPath: os.Getenv(envWorkerSchema), MaxConns: workerGoroutines, Seed: uint64(id) + 1})
	if err != nil {
		fmt.Println("err", err)
		return 1
	}
	defer db.Close()
	inv := inventory.New(NewInventoryStore(db, nil), &inventory.Options{Clock: fulfill.NewFakeClock(t0)})
	var outMu sync.Mutex
	say := func(a ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Println(a...)
	}
	var skus []fulfill.SKU
	for s := range strings.SplitSeq(os.Getenv(envWorkerSKUs), ",") {
		skus = append(skus, fulfill.SKU(s))
	}
	failed := false
	var wg sync.WaitGroup
	for g := range workerGoroutines {
		wg.Go(func() {
			var err error
			switch mode {
			case "reserve":
				err = reserveLoop(ctx, inv, skus, id, g, say)
			case "idem":
				err = idemOnce(ctx, inv, skus[0], say)
			default:
				err = fmt.Errorf("unknown mode %q", mode)
			}
			if err != nil {
				say("err", err)
				outMu.Lock()
				failed = true
				outMu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed {
		return 1
	}
	return 0
}

// reserveLoop reserves one or two units of a random SKU until every SKU is
// short three times running, now and then retrying a reservation with its
// key or releasing one.
func reserveLoop(ctx context.Context, inv *inventory.Inventory, skus []fulfill.SKU, w, g int, say func(...any)) error {
	rng := rand.New(rand.NewPCG(uint64(w), uint64(g)))
	short := make([]int, len(skus))
	var mine []string
	for n := 0; ; n++ {
		var open []int
		for i, c := range short {
			if c < 3 {
				open = append(open, i)
			}
		}
		if len(open) == 0 {
			return nil
		}
		i := open[rng.IntN(len(open))]
		id := fmt.Sprintf("w%d-g%d-%d", w, g, n)
		q := int64(1 + rng.IntN(2))
		op := &inventory.Reserve{Meta: inventory.Meta{Owner: "acme", IdempotencyKey: id},
			Lines: []inventory.ReserveLine{{Key: inventory.Key{Owner: "acme", SKU: skus[i], Location: "WH1"}, Quantity: q, ID: id}}}
		r, err := inv.Apply(ctx, op)
		if errors.Is(err, inventory.ErrInsufficientStock) {
			short[i]++
			continue
		}
		if err != nil {
			return fmt.Errorf("reserve %s: %w", id, err)
		}
		short[i] = 0
		say("ok", id, q)
		mine = append(mine, id)
		if rng.IntN(8) == 0 {
			r2, err := inv.Apply(ctx, op)
			if err != nil {
				return fmt.Errorf("retry %s: %w", id, err)
			}
			if !r2.Replayed || r2.Entries[0].Seq != r.Entries[0].Seq {
				return fmt.Errorf("retry %s applied again", id)
			}
			say("replay", id)
		}
		if rng.IntN(10) == 0 {
			rid := mine[rng.IntN(len(mine))]
			_, err := inv.Apply(ctx, &inventory.Release{Meta: inventory.Meta{Owner: "acme", IdempotencyKey: "rel-" + rid},
				Parts: []inventory.Part{{Reservation: rid}}})
			if err != nil {
				return fmt.Errorf("release %s: %w", rid, err)
			}
			say("rel", rid)
		}
	}
}

// idemOnce applies the one reservation every goroutine of every worker
// shares an idempotency key for.
func idemOnce(ctx context.Context, inv *inventory.Inventory, sku fulfill.SKU, say func(...any)) error {
	r, err := inv.Apply(ctx, &inventory.Reserve{Meta: inventory.Meta{Owner: "acme", IdempotencyKey: "the-key"},
		Lines: []inventory.ReserveLine{{Key: inventory.Key{Owner: "acme", SKU: sku, Location: "WH1"}, Quantity: 3}}})
	if err != nil {
		return err
	}
	say("idem", r.Replayed, r.Entries[0].Seq, r.Reservations[0].ID)
	return nil
}

// proc is a running worker process and the lines it printed.
type proc struct {
	cmd   *exec.Cmd
	mu    sync.Mutex // guards lines
	lines []string
	done  chan error
}

// startWorker starts worker id in mode on schema.
func startWorker(t *testing.T, mode, schema string, id int, skus []string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envWorker+"="+mode, envWorkerSchema+"="+schema,
		envWorkerID+"="+strconv.Itoa(id), envWorkerSKUs+"="+strings.Join(skus, ","))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &proc{cmd: cmd, done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
		}
		p.done <- cmd.Wait()
	}()
	return p
}

// count returns how many lines p printed starting with prefix.
func (p *proc) count(prefix string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// TestMultiProcessNoOversell has 4 processes of 16 goroutines reserve the
// same hot SKUs (two split into sub-rows, one not) until they run out,
// retrying and releasing some reservations; the second variant SIGKILLs a
// process in the middle. Afterwards nothing is oversold, every reservation
// a worker saw applied has exactly one ledger entry, nothing else was
// applied (but the killed process's last, unreported ones), and replaying
// the ledger gives the levels.
func TestMultiProcessNoOversell(t *testing.T) {
	testURL(t)
	t.Parallel()
	for _, kill := range []bool{false, true} {
		t.Run(map[bool]string{false: "all", true: "kill"}[kill], func(t *testing.T) {
			ctx := context.Background()
			schema := testSchema(t)
			db := openSchema(t, schema, nil)
			require.NoError(t, db.Migrate(ctx))
			store := NewInventoryStore(db, nil)
			stock := map[string]int64{"HOT1": 160, "HOT2": 100, "COLD": 60}
			shards := map[string]int{"HOT1": 8, "HOT2": 4, "COLD": 1}
			var skus []string
			for sku, q := range stock {
				k := inventory.Key{Owner: "acme", SKU: fulfill.SKU(sku), Location: "WH1"}
				_, err := store.Apply(ctx, receiveTxn(k, q, t0))
				require.NoError(t, err)
				require.NoError(t, store.Split(ctx, k, shards[sku]))
				skus = append(skus, sku)
			}
			const workers = 4
			procs := make([]*proc, workers)
			for i := range procs {
				procs[i] = startWorker(t, "reserve", schema, i, skus)
			}
			if kill {
				deadline := time.Now().Add(30 * time.Second)
				for procs[0].count("ok ") < 20 && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				require.NoError(t, procs[0].cmd.Process.Kill(), "worker 0 still running when killed")
				t.Logf("killed worker 0 after %d reservations", procs[0].count("ok "))
			}
			for i, p := range procs {
				err := <-p.done
				if kill && i == 0 {
					assert.Error(t, err, "worker 0 was killed")
					continue
				}
				require.NoError(t, err, "worker %d: %v", i, p.lines)
			}

			ok := map[string]int64{}
			released := map[string]bool{}
			for _, p := range procs {
				for _, l := range p.lines {
					f := strings.Fields(l)
					switch f[0] {
					case "ok":
						q, _ := strconv.ParseInt(f[2], 10, 64)
						_, dup := ok[f[1]]
						assert.False(t, dup, "reservation %s reported twice", f[1])
						ok[f[1]] = q
					case "rel":
						released[f[1]] = true
					case "err":
						t.Errorf("worker error: %s", l)
					}
				}
			}
			require.NotEmpty(t, ok)

			levels, err := store.Levels(ctx, inventory.LevelQuery{Owner: "acme"})
			require.NoError(t, err)
			res, err := store.Reservations(ctx, inventory.ReservationQuery{Owner: "acme", IncludeClosed: true})
			require.NoError(t, err)
			entries, err := store.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
			require.NoError(t, err)
			assert.Empty(t, inventory.Reconcile(levels, res, entries), "levels, reservations and ledger agree")
			for _, l := range levels {
				assert.Equal(t, stock[string(l.SKU)], l.OnHand, "%s on hand", l.SKU)
				assert.LessOrEqual(t, l.Reserved, l.OnHand, "%s oversold", l.SKU)
				assert.GreaterOrEqual(t, l.Available(), int64(0))
			}
			reserveEntries := map[string]int{}
			for _, e := range entries {
				if e.Kind == inventory.KindReserve {
					reserveEntries[e.Reservation]++
				}
			}
			for id := range ok {
				assert.Equal(t, 1, reserveEntries[id], "ledger entries of reservation %s", id)
			}
			for id, n := range reserveEntries {
				assert.Equal(t, 1, n, "ledger entries of reservation %s", id)
				if _, seen := ok[id]; !seen {
					assert.True(t, kill && strings.HasPrefix(id, "w0-"), "reservation %s applied but never reported", id)
				}
			}
			byID := map[string]inventory.Reservation{}
			for _, r := range res {
				byID[r.ID] = r
			}
			for id, q := range ok {
				r, found := byID[id]
				if assert.True(t, found, "reservation %s stored", id) && !released[id] {
					assert.Equal(t, q, r.Reserved, "reservation %s", id)
				}
			}
			for id := range released {
				assert.Zero(t, byID[id].Reserved, "released reservation %s", id)
			}
			t.Logf("%d reservations by %d processes (%d released), %d ledger entries", len(ok), workers, len(released), len(entries))
		})
	}
}

// TestMultiProcessDuplicateIdempotencyKey has 2 processes of 16 goroutines
// apply one reservation under one idempotency key at once: it applies
// exactly once, and every caller gets its receipt.
func TestMultiProcessDuplicateIdempotencyKey(t *testing.T) {
	testURL(t)
	t.Parallel()
	for _, shards := range []int{1, 4} {
		t.Run(fmt.Sprint("shards", shards), func(t *testing.T) {
			ctx := context.Background()
			schema := testSchema(t)
			db := openSchema(t, schema, nil)
			require.NoError(t, db.Migrate(ctx))
			store := NewInventoryStore(db, nil)
			k := key("dup")
			_, err := store.Apply(ctx, receiveTxn(k, 100, t0))
			require.NoError(t, err)
			require.NoError(t, store.Split(ctx, k, shards))
			procs := []*proc{startWorker(t, "idem", schema, 0, []string{string(k.SKU)}), startWorker(t, "idem", schema, 1, []string{string(k.SKU)})}
			fresh, replayed := 0, 0
			ids := map[string]bool{}
			for i, p := range procs {
				require.NoError(t, <-p.done, "worker %d: %v", i, p.lines)
				for _, l := range p.lines {
					f := strings.Fields(l)
					require.Equal(t, "idem", f[0], l)
					if f[1] == "true" {
						replayed++
					} else {
						fresh++
					}
					ids[f[2]+" "+f[3]] = true
				}
			}
			assert.Equal(t, 1, fresh, "applied once")
			assert.Equal(t, 2*workerGoroutines-1, replayed)
			assert.Len(t, ids, 1, "every caller got the same entry and reservation")
			entries, err := store.Ledger(ctx, inventory.LedgerQuery{Owner: "acme"})
			require.NoError(t, err)
			assert.Len(t, entries, 2, "the receipt and the one reservation")
			ls, err := store.Levels(ctx, inventory.LevelQuery{Owner: "acme"})
			require.NoError(t, err)
			require.Len(t, ls, 1)
			assert.Equal(t, int64(3), ls[0].Reserved)
		})
	}
}
