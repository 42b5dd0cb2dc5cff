package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/fulfillkit/fulfill/inventory"
	"github.com/jackc/pgx/v5"
)

// Single-line reservations take the fast path: the concurrent ones of an
// owner are combined into one SQL statement that reserves them on
// sub-rows of their levels with conditional UPDATEs (one per sub-row, for
// the sum of the reservations assigned to it), inserts each one's
// reservation, ledger entry and idempotency record, and advances the
// owner's ledger sequence once for the whole batch. The owner's sequence is what every
// operation of the owner must pass through (entries are numbered without
// gaps in apply order); combining amortises it, and sub-rows let one batch
// carry several reservations of the same SKU without queueing on one row.
// Each reservation stays atomic on its own: its rows are written together
// or not at all. Reservations whose sub-row cannot serve their group go to
// the general path, which decides each exactly as [inventory.Compute] does
// and rebalances the sub-rows.

// maxBatch is the most reservations one statement carries, and
// maxDrains the most statements of one owner a store runs at once.
const (
	maxBatch  = 64
	maxDrains = 1
)

// combiner queues the fast-path reservations of one owner. The caller
// that finds fewer than maxDrains statements running leads: it runs
// batches until its own reservation is answered, then hands the lead to
// the oldest waiting caller, so that no goroutine of the store's own runs
// in the background.
type combiner struct {
	mu      sync.Mutex // guards queue, running and each queued fastReq's lead
	queue   []*fastReq
	running int // callers leading
}

// fastReq is one queued single-line reservation.
type fastReq struct {
	ctx   context.Context
	t     *inventory.Txn
	rot   int  // shard preference
	shard int  // assigned when taken into a batch
	ord   int  // position in the batch's lock order, from 1
	lead  bool // handed the lead; guarded by the combiner's mu
	out   chan fastResult
}

// fastResult is the outcome of a fastReq: a receipt, an error, or neither
// (the general path must decide); or the lead handed over.
type fastResult struct {
	r    *inventory.Receipt
	err  error
	lead bool
}

// fastReserve applies the single-line reservation t through the owner's
// combiner. It returns a nil receipt and nil error when the general path
// must decide.
func (s *InventoryStore) fastReserve(ctx context.Context, t *inventory.Txn) (*inventory.Receipt, error) {
	h := t.Holds[0]
	if _, err := nsOf("at", t.At, inventory.ErrInvalid); err != nil {
		return nil, err
	}
	if _, err := nsOf("expires_at", h.ExpiresAt, inventory.ErrInvalid); err != nil {
		return nil, err
	}
	hf := fnv.New32a()
	hf.Write([]byte(h.ID))
	req := &fastReq{ctx: ctx, t: t, rot: int(hf.Sum32() % 1024), out: make(chan fastResult, 2)}
	v, _ := s.combiners.LoadOrStore(t.Owner, &combiner{})
	c := v.(*combiner)
	c.mu.Lock()
	c.queue = append(c.queue, req)
	lead := c.running < maxDrains
	if lead {
		c.running++
		req.lead = true
	}
	c.mu.Unlock()
	if !lead {
		res := s.await(ctx, c, req)
		if !res.lead {
			return res.r, res.err
		}
	}
	for {
		c.mu.Lock()
		batch := s.take(c)
		c.mu.Unlock()
		var res fastResult
		if len(batch) == 0 {
			// Our request is in another leader's batch.
			res = <-req.out
		} else {
			s.runBatch(batch)
			select {
			case res = <-req.out:
			default:
				continue
			}
		}
		s.handoff(c)
		return res.r, res.err
	}
}

// await waits for req's outcome or the lead. A caller whose context ends
// while its request is still queued leaves the queue.
func (s *InventoryStore) await(ctx context.Context, c *combiner, req *fastReq) fastResult {
	select {
	case res := <-req.out:
		return res
	case <-ctx.Done():
		c.mu.Lock()
		if i := slices.Index(c.queue, req); i >= 0 && !req.lead {
			c.queue = slices.Delete(c.queue, i, i+1)
			c.mu.Unlock()
			return fastResult{err: ctx.Err()}
		}
		c.mu.Unlock()
		// Taken into a batch or handed the lead: wait for it.
		return <-req.out
	}
}

// handoff passes the lead to the oldest queued request, or gives it up.
func (s *InventoryStore) handoff(c *combiner) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.queue {
		if !r.lead {
			r.lead = true
			r.out <- fastResult{lead: true}
			return
		}
	}
	c.running--
}

// shardsOf returns the number of sub-rows k is known to have.
func (s *InventoryStore) shardsOf(k inventory.Key) int {
	if v, ok := s.split.Load(k); ok {
		return v.(int)
	}
	return 1
}

// take removes a batch of requests from c's queue, assigning each a
// sub-row of its level (round robin from a hashed start, so that
// concurrent reservations of a split level spread over its sub-rows), and
// answers the cancelled ones. Requests on the same sub-row form a group
// that reserves their sum at once. The caller holds c.mu.
func (s *InventoryStore) take(c *combiner) []*fastReq {
	next := map[inventory.Key]int{}
	var batch []*fastReq
	rest := c.queue[:0]
	for _, r := range c.queue {
		if r.lead && len(batch) > 0 {
			rest = append(rest, r) // leads its own batch
			continue
		}
		if err := r.ctx.Err(); err != nil {
			r.out <- fastResult{err: err}
			continue
		}
		if len(batch) == maxBatch {
			rest = append(rest, r)
			continue
		}
		k := r.t.Holds[0].Key
		j, seen := next[k]
		if !seen {
			j = r.rot
		}
		next[k] = j + 1
		r.shard = j % s.shardsOf(k)
		batch = append(batch, r)
	}
	clear(c.queue[len(rest):])
	c.queue = rest
	return batch
}

// runBatch applies a batch in one statement and answers each request. The
// statement is cancelled only when every request's context is.
func (s *InventoryStore) runBatch(batch []*fastReq) {
	// Lock order: by key, then sub-row.
	slices.SortFunc(batch, func(a, b *fastReq) int {
		if c := a.t.Holds[0].Key.Compare(b.t.Holds[0].Key); c != 0 {
			return c
		}
		return cmp.Compare(a.shard, b.shard)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var live atomic.Int64
	live.Store(int64(len(batch)))
	for i, r := range batch {
		r.ord = i + 1
		stop := context.AfterFunc(r.ctx, func() {
			if live.Add(-1) == 0 {
				cancel()
			}
		})
		defer stop()
	}
	results, err := s.execBatch(ctx, batch)
	for _, r := range batch {
		switch {
		case err != nil && ctx.Err() != nil:
			r.out <- fastResult{err: r.ctx.Err()}
		case err != nil:
			// A duplicate reservation ID or idempotency key, a constraint,
			// or a broken statement: each request alone on the general
			// path (which reports a conflict exactly, or replays).
			if sqlState(err) == codeUniqueViolation || sqlState(err) == codeCheckViolation {
				r.out <- fastResult{}
			} else {
				r.out <- fastResult{err: err}
			}
		default:
			r.out <- fastResult{r: results[r.ord]} // nil: the general path decides
		}
	}
}

// batchSQL applies a batch of single-line reservations; see execBatch.
const batchSQL = `WITH req AS (
	SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::bigint[], $8::text[],
		$9::text[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::text[], $15::text[], $16::text[],
		$17::text[], $18::text[], $19::text[], $20::text[])
		WITH ORDINALITY AS r(sku, location, lot, shard, q, at, id, rt, rid, rord, line, exp, reason,
			et, eid, eord, ik, fp, tmpl, ord)
), grp AS (
	SELECT sku, location, lot, shard, SUM(q) AS q, COUNT(*) AS cnt, MAX(at) AS at, MIN(ord) AS ord
	FROM req GROUP BY sku, location, lot, shard
), pre AS (
	SELECT l.sku, l.location, l.lot, COUNT(*) AS n,
		SUM(l.on_hand) AS on_hand, SUM(l.reserved) AS reserved, SUM(l.committed) AS committed,
		SUM(l.damaged) AS damaged, SUM(l.quarantine) AS quarantine, SUM(l.safety) AS safety,
		SUM(l.incoming) AS incoming, SUM(l.in_transit) AS in_transit, SUM(l.version) AS version
	FROM (SELECT DISTINCT sku, location, lot FROM grp) k
	JOIN inventory_levels l ON l.owner = $1 AND l.sku = k.sku AND l.location = k.location AND l.lot = k.lot
	GROUP BY l.sku, l.location, l.lot
), locked AS (
	SELECT g.ord FROM grp g
	JOIN inventory_levels l ON l.owner = $1 AND l.sku = g.sku AND l.location = g.location AND l.lot = g.lot AND l.shard = g.shard
	ORDER BY g.ord
	FOR UPDATE OF l
), upd AS (
	UPDATE inventory_levels l
	SET reserved = l.reserved + g.q, version = l.version + g.cnt, updated_ns = g.at
	FROM grp g
	WHERE g.ord IN (SELECT ord FROM locked)
		AND l.owner = $1 AND l.sku = g.sku AND l.location = g.location AND l.lot = g.lot AND l.shard = g.shard
		AND l.on_hand - l.reserved - l.committed - l.damaged - l.quarantine - l.safety >= g.q
		AND (l.expires_ns IS NULL OR l.expires_ns > g.at)
		AND NOT EXISTS (SELECT 1 FROM inventory_reservations x
			WHERE x.owner = $1 AND x.sku = g.sku AND x.location = g.location AND x.lot = g.lot
				AND x.reserved > 0 AND x.expires_ns IS NOT NULL AND x.expires_ns <= g.at)
	RETURNING g.sku, g.location, g.lot, g.shard, l.expires_ns, l.received_ns
), ok AS (
	SELECT r.ord, u.expires_ns, u.received_ns,
		row_number() OVER (ORDER BY r.ord) AS i,
		COUNT(*) OVER () AS n,
		SUM(r.q) OVER (PARTITION BY r.sku, r.location, r.lot ORDER BY r.ord) AS cum_q,
		COUNT(*) OVER (PARTITION BY r.sku, r.location, r.lot ORDER BY r.ord) AS cum_n
	FROM upd u JOIN req r ON r.sku = u.sku AND r.location = u.location AND r.lot = u.lot AND r.shard = u.shard
), res AS (
	INSERT INTO inventory_reservations (owner, id, sku, location, lot, reserved, committed,
		ref_type, ref_id, ref_order, line, expires_ns, created_ns, version)
	SELECT $1, r.id, r.sku, r.location, r.lot, r.q, 0, r.rt, r.rid, r.rord, r.line, r.exp, r.at, 1
	FROM ok JOIN req r ON r.ord = ok.ord
	RETURNING 1
), seq AS (
	UPDATE inventory_owners SET seq = seq + (SELECT COUNT(*) FROM ok)
	WHERE owner = $1 AND EXISTS (SELECT 1 FROM res)
	RETURNING seq
), led AS (
	INSERT INTO inventory_ledger (owner, seq, at_ns, sku, location, lot, kind, reason,
		ref_type, ref_id, ref_order, reservation, idempotency_key,
		d_on_hand, d_reserved, d_committed, d_damaged, d_quarantine, d_safety, d_incoming, d_in_transit)
	SELECT $1, seq.seq - ok.n + ok.i, r.at, r.sku, r.location, r.lot, 'reserve', r.reason,
		r.et, r.eid, r.eord, r.id, r.ik, 0, r.q, 0, 0, 0, 0, 0, 0
	FROM ok JOIN req r ON r.ord = ok.ord CROSS JOIN seq
), after AS (
	SELECT ok.ord, seq.seq - ok.n + ok.i AS seq, p.n, p.on_hand, p.reserved + ok.cum_q AS reserved, p.committed,
		p.damaged, p.quarantine, p.safety, p.incoming, p.in_transit, p.version + ok.cum_n AS version,
		ok.expires_ns, ok.received_ns
	FROM ok JOIN req r ON r.ord = ok.ord
	JOIN pre p ON p.sku = r.sku AND p.location = r.location AND p.lot = r.lot
	CROSS JOIN seq
), idem AS (
	INSERT INTO inventory_idempotency (owner, key, fingerprint, receipt, seq0, level, at_ns)
	SELECT $1, r.ik, r.fp, r.tmpl::jsonb, a.seq, jsonb_build_array(a.on_hand, a.reserved, a.committed, a.damaged,
		a.quarantine, a.safety, a.incoming, a.in_transit, a.version, a.expires_ns, a.received_ns), r.at
	FROM after a JOIN req r ON r.ord = a.ord
	WHERE r.ik <> ''
)
SELECT ord, seq, n, on_hand, reserved, committed, damaged, quarantine, safety, incoming, in_transit,
	version, expires_ns, received_ns
FROM after`

// execBatch runs batchSQL for batch (sorted, ord set) and returns the
// receipt of each request it applied, by ord.
func (s *InventoryStore) execBatch(ctx context.Context, batch []*fastReq) (map[int]*inventory.Receipt, error) {
	n := len(batch)
	var (
		skus, locs, lots, ids, rts, rids, rords, lines = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		reasons, ets, eids, eords, iks, fps            = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		tmpls                                          = make([]*string, n)
		shards                                         = make([]int32, n)
		qs, ats                                        = make([]int64, n), make([]int64, n)
		exps                                           = make([]*int64, n)
	)
	receipts := make(map[int]*inventory.Receipt, n)
	for i, r := range batch {
		t := r.t
		h := t.Holds[0]
		if h.Ref == (inventory.Reference{}) {
			h.Ref = t.Ref
		}
		h.Created, h.Version = t.At, 1
		k := h.Key
		entry := inventory.Entry{At: t.At, Key: k, Kind: inventory.KindReserve, Reason: t.Reason, Ref: t.Ref,
			Reservation: h.ID, IdempotencyKey: t.IdempotencyKey, Delta: inventory.Buckets{Reserved: h.Reserved}}
		rc := &inventory.Receipt{
			Entries:      []inventory.Entry{entry},
			Levels:       []inventory.Level{{Key: k, Updated: t.At}},
			Reservations: []inventory.Reservation{h},
		}
		receipts[r.ord] = rc
		if t.IdempotencyKey != "" {
			b, err := json.Marshal(rc)
			if err != nil {
				return nil, err
			}
			v := string(b)
			tmpls[i] = &v
		}
		at, _ := nsOf("at", t.At, inventory.ErrInvalid)
		exps[i], _ = nsOf("expires_at", h.ExpiresAt, inventory.ErrInvalid)
		skus[i], locs[i], lots[i], shards[i] = string(k.SKU), string(k.Location), string(k.Lot), int32(r.shard)
		qs[i], ats[i], ids[i], lines[i] = h.Reserved, *at, h.ID, h.Line
		rts[i], rids[i], rords[i] = refCols(h.Ref)
		ets[i], eids[i], eords[i] = refCols(t.Ref)
		reasons[i], iks[i], fps[i] = string(t.Reason), t.IdempotencyKey, t.Fingerprint
	}
	owner := string(batch[0].t.Owner)
	applied := map[int]*inventory.Receipt{}
	err := s.db.run(ctx, func(c *pgx.Conn) error {
		clear(applied)
		rows, _ := c.Query(ctx, batchSQL, owner, skus, locs, lots, shards, qs, ats, ids, rts, rids, rords, lines, exps,
			reasons, ets, eids, eords, iks, fps, tmpls)
		var (
			ord, seq, subRows int64
			lr                levelRow
		)
		_, err := pgx.ForEachRow(rows, []any{&ord, &seq, &subRows, &lr.b.OnHand, &lr.b.Reserved, &lr.b.Committed,
			&lr.b.Damaged, &lr.b.Quarantine, &lr.b.Safety, &lr.b.Incoming, &lr.b.InTransit,
			&lr.version, &lr.expires, &lr.received}, func() error {
			rc, ok := receipts[int(ord)]
			if !ok {
				return corrupt("batch result", errors.New("unknown ordinal"))
			}
			s.noteShards(rc.Levels[0].Key, int(subRows))
			rc.Entries[0].Seq = seq
			patchLevel(rc, lr)
			applied[int(ord)] = rc
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}
