package pack

import (
	"math"
	"slices"
)

// sol is a packing in progress: the boxes and the units no box could take
// because supplies ran out.
type sol struct {
	bins   []*bin
	noBox  []int32
	failed []int32 // group units whose group fits in no box
}

func (s *sol) clone() *sol {
	c := &sol{bins: make([]*bin, len(s.bins)), noBox: slices.Clone(s.noBox), failed: slices.Clone(s.failed)}
	for i, b := range s.bins {
		c.bins[i] = b.clone()
	}
	return c
}

// value is a solution's objective, compared lexicographically.
type value [3]int64

func (a value) less(b value) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// cost returns the cost of a box of type t holding content w, including the
// shipping estimate under ObjectiveTotalCost.
func (e *engine) cost(t int, w int64) int64 {
	c := e.types[t].cost
	if e.obj == ObjectiveTotalCost {
		c += e.shipCost(t, w)
	}
	return c
}

// eval returns the objective value of s.
func (e *engine) eval(s *sol) value {
	var c int64
	for _, b := range s.bins {
		c += e.cost(b.t, b.w)
	}
	n := int64(len(s.bins))
	miss := int64(len(s.noBox))
	if e.obj == ObjectiveBoxes {
		return value{miss, n, c}
	}
	return value{miss, c, n}
}

// used counts the boxes of each type in s.
func (e *engine) used(s *sol) []int {
	u := make([]int, len(e.types))
	for _, b := range s.bins {
		u[b.t]++
	}
	return u
}

func (e *engine) available(t int, used []int) bool {
	return e.types[t].supply == 0 || used[t] < e.types[t].supply
}

// policy selects the box type to open.
type policy uint8

const (
	policyLargest   policy = iota // the largest box the unit fits in
	policyLookahead               // the box that packs the rest best for its cost
)

// construct packs units in order, first fit over the open boxes, opening a
// box chosen by pol when none takes a unit. Pinned holds boxes prepared for
// groups and units that ship alone.
func (e *engine) construct(pinned *sol, units []int32, pol policy, m merit) *sol {
	s := pinned.clone()
	used := e.used(s)
	e.spend(int64(len(units) + len(s.bins) + 1))
	for i := 0; i < len(units); {
		k := units[i]
		r := run(units, i)
		placed := 0
		open := s.bins
		if e.stopped && len(open) > 8 {
			open = open[len(open)-8:] // out of budget: only the latest boxes
		}
		for _, b := range open {
			if c, ok := e.place(b, k, m); ok {
				placed = e.block(b, c, r)
				break
			}
		}
		if placed > 0 {
			i += placed
			continue
		}
		t := e.chooseType(k, units[i:], used, pol, m)
		if t < 0 {
			s.noBox = append(s.noBox, k)
			i++
			continue
		}
		b := e.newBin(t)
		c, ok := e.place(b, k, m)
		if !ok { // cannot happen: the type fits the kind
			s.noBox = append(s.noBox, k)
			i++
			continue
		}
		i += e.block(b, c, r)
		s.bins = append(s.bins, b)
		used[t]++
	}
	return s
}

// chooseType picks the type of a new box for the unit of kind k, the first
// of rest, or -1 if no box with supply left can take it.
func (e *engine) chooseType(k int32, rest []int32, used []int, pol policy, m merit) int {
	var cands []int
	for t := range e.types {
		if e.fits[k][t] && e.available(t, used) {
			cands = append(cands, t)
		}
	}
	switch {
	case len(cands) == 0:
		return -1
	case len(cands) == 1:
		return cands[0]
	}
	if pol == policyLargest || e.stopped {
		best := cands[0]
		for _, t := range cands[1:] {
			a, b := &e.types[t], &e.types[best]
			if a.vol > b.vol || a.vol == b.vol && a.cost < b.cost {
				best = t
			}
		}
		return best
	}
	var remVol float64
	for _, u := range rest {
		remVol += e.kinds[u].vol
	}
	all, part := -1, -1
	var allCost int64
	var partVol, partRatio float64
	for _, t := range cands {
		b, left := e.fillOne(t, rest, m)
		c := e.cost(t, b.w)
		if len(left) == 0 {
			if all < 0 || c < allCost || c == allCost && e.types[t].vol < e.types[all].vol {
				all, allCost = t, c
			}
			continue
		}
		ratio := float64(c) / b.vol
		better := false
		if e.obj == ObjectiveBoxes {
			better = part < 0 || b.vol > partVol || b.vol == partVol && ratio < partRatio
		} else {
			better = part < 0 || ratio < partRatio || ratio == partRatio && b.vol > partVol
		}
		if better {
			part, partVol, partRatio = t, b.vol, ratio
		}
	}
	switch {
	case all >= 0 && part < 0:
		return all
	case all < 0:
		return part
	case e.obj == ObjectiveBoxes:
		return all
	case float64(allCost) <= partRatio*remVol:
		return all
	}
	return part
}

// improve tries to empty boxes into the others, least filled first, until
// the lower bound is met, no box can be emptied, or the work runs out.
func (e *engine) improve(s *sol, lb int) *sol {
	tried := make(map[int]bool)
	for !e.stopped && len(s.bins) > lb {
		victim := -1
		var vfill float64
		for i, b := range s.bins {
			if tried[i] || b.group != 0 || b.alone {
				continue
			}
			f := e.fill(b)
			if e.mode == ModeThorough {
				f *= 0.85 + 0.3*e.rng.Float64()
			}
			if victim < 0 || f < vfill {
				victim, vfill = i, f
			}
		}
		if victim < 0 {
			break
		}
		if ns := e.eliminate(s, victim); ns != nil && e.eval(ns).less(e.eval(s)) {
			s = ns
			clear(tried)
			continue
		}
		tried[victim] = true
	}
	return s
}

// eliminate moves every unit of box v into the other boxes, directly or by
// repacking a box from scratch, and returns the new solution, or nil.
func (e *engine) eliminate(s *sol, v int) *sol {
	ns := &sol{noBox: s.noBox, failed: s.failed}
	for i, b := range s.bins {
		if i != v {
			ns.bins = append(ns.bins, b.clone())
		}
	}
	units := make([]int32, 0, len(s.bins[v].pl))
	for _, p := range s.bins[v].pl {
		units = append(units, p.k)
	}
	e.sortUnits(units, 0)
	// Fullest boxes first for direct insertion.
	order := make([]int, len(ns.bins))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		fa := ns.bins[a].vol / e.types[ns.bins[a].t].vol
		fb := ns.bins[b].vol / e.types[ns.bins[b].t].vol
		switch {
		case fa > fb:
			return -1
		case fa < fb:
			return 1
		}
		return 0
	})
	for _, k := range units {
		placed := false
		for m := merit(0); m < meritCount && !placed; m++ {
			for _, i := range order {
				if c, ok := e.place(ns.bins[i], k, m); ok {
					e.commit(ns.bins[i], c)
					placed = true
					break
				}
			}
		}
		if placed {
			continue
		}
		// Repack a box with its units plus this one, emptiest box first.
		for j := len(order) - 1; j >= 0 && !placed && !e.stopped; j-- {
			b := ns.bins[order[j]]
			if b.alone || !e.fits[k][b.t] {
				continue
			}
			content := make([]int32, 0, len(b.pl)+1)
			for _, p := range b.pl {
				content = append(content, p.k)
			}
			if nb := e.repack(b.t, append(content, k)); nb != nil {
				nb.group = b.group
				ns.bins[order[j]] = nb
				placed = true
			}
		}
		if !placed {
			return nil
		}
	}
	return ns
}

// downsize moves the content of each box into the cheapest box type it
// repacks into, when that is cheaper (or, for the same cost, smaller).
func (e *engine) downsize(s *sol) *sol {
	used := e.used(s)
	for i, b := range s.bins {
		if e.stopped {
			break
		}
		cur := e.cost(b.t, b.w)
		cands := make([]int, 0, len(e.types))
		for t := range e.types {
			if t == b.t || !e.available(t, used) {
				continue
			}
			c := e.cost(t, b.w)
			if c < cur || c == cur && e.types[t].vol < e.types[b.t].vol {
				cands = append(cands, t)
			}
		}
		slices.SortStableFunc(cands, func(x, y int) int {
			cx, cy := e.cost(x, b.w), e.cost(y, b.w)
			switch {
			case cx < cy:
				return -1
			case cx > cy:
				return 1
			}
			return cmpF(e.types[x].vol, e.types[y].vol)
		})
		content := make([]int32, 0, len(b.pl))
		for _, p := range b.pl {
			content = append(content, p.k)
		}
		for _, t := range cands {
			if nb := e.repackHard(t, content); nb != nil {
				nb.group = b.group
				used[b.t]--
				used[t]++
				s.bins[i] = nb
				break
			}
		}
	}
	return s
}

// merge packs the contents of two boxes into one box when that lowers the
// objective, and under the cost objectives also of three boxes, of four in
// a solution of at most mergeFour boxes, or of all of them: three mailers
// may cost more than one carton, while any two of them cost less.
func (e *engine) merge(s *sol) *sol {
	if len(s.bins) > 40 {
		return s
	}
	most := 2
	if e.obj != ObjectiveBoxes {
		most = 3
		if len(s.bins) <= mergeFour {
			most = 4
		}
	}
	for changed := true; changed && !e.stopped; {
		changed = false
		for m := 2; m <= most && !changed && !e.stopped; m++ {
			changed = e.mergeOnce(s, m)
		}
		if !changed && len(s.bins) > most && e.obj != ObjectiveBoxes {
			changed = e.mergeOnce(s, len(s.bins)) // all of them
		}
	}
	return s
}

// mergeFour is the most boxes in a solution for which merge tries every
// four of them.
const mergeFour = 8

// mergeOnce packs the contents of some m boxes of s into one box that costs
// less than they do, and reports whether it found them.
func (e *engine) mergeOnce(s *sol, m int) bool {
	if len(s.bins) < m {
		return false
	}
	used := e.used(s)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	for {
		if nb, ok := e.mergeBins(s, idx, used); ok || e.stopped {
			if ok {
				s.bins[idx[0]] = nb
				for i := m - 1; i > 0; i-- {
					s.bins = slices.Delete(s.bins, idx[i], idx[i]+1)
				}
			}
			return ok
		}
		// The next m indices in lexicographic order.
		i := m - 1
		for i >= 0 && idx[i] == len(s.bins)-m+i {
			i--
		}
		if i < 0 {
			return false
		}
		idx[i]++
		for j := i + 1; j < m; j++ {
			idx[j] = idx[j-1] + 1
		}
	}
}

// mergeBins packs the contents of the boxes idx of s into the cheapest box
// type, among those costing less than the boxes do, that takes them.
func (e *engine) mergeBins(s *sol, idx []int, used []int) (*bin, bool) {
	var group, hazmat int32
	var w int64
	var vol float64
	var before int64
	n := 0
	for _, i := range idx {
		b := s.bins[i]
		if b.alone || group != 0 && b.group != 0 && b.group != group || hazmat != 0 && b.hazmat != 0 && b.hazmat != hazmat {
			return nil, false
		}
		group, hazmat = max(group, b.group), max(hazmat, b.hazmat)
		w += b.w
		vol += b.vol
		before += e.cost(b.t, b.w)
		n += len(b.pl)
	}
	var cands []int
	for t := range e.types {
		bt := &e.types[t]
		u := used[t]
		for _, i := range idx {
			u -= boolInt(s.bins[i].t == t)
		}
		if (bt.supply == 0 || u < bt.supply) && w <= bt.maxW && vol <= bt.vol*(1+1e-9) &&
			(e.obj == ObjectiveBoxes || e.cost(t, w) < before) {
			cands = append(cands, t)
		}
	}
	if len(cands) == 0 {
		return nil, false
	}
	slices.SortStableFunc(cands, func(x, y int) int {
		if c := cmpI(e.cost(x, w), e.cost(y, w)); c != 0 {
			return c
		}
		return cmpF(e.types[x].vol, e.types[y].vol)
	})
	content := make([]int32, 0, n)
	for _, i := range idx {
		for _, p := range s.bins[i].pl {
			content = append(content, p.k)
		}
	}
	for _, t := range cands {
		repack := e.repackHard
		if len(idx) > 2 {
			repack = e.repack // many more sets of boxes: less effort for each
		}
		if nb := repack(t, content); nb != nil {
			nb.group = group
			return nb, true
		}
		if e.stopped {
			break
		}
	}
	return nil, false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func cmpI(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// shipCost returns the cached shipping estimate for a box of type t with
// content w, in 10^-9 currency units.
func (e *engine) shipCost(t int, w int64) int64 {
	key := [2]int64{int64(t), w}
	if q, ok := e.shipMem[key]; ok {
		return q.units
	}
	c, m, err := e.callShip(t, w)
	if err != nil {
		if e.shipErr == nil {
			e.shipErr = err
		}
		e.stopped = true
		c = math.MaxInt64 / 4
	}
	e.shipMem[key] = shipQuote{c, m}
	return c
}

// concentration is minus the sum of the squared fill ratios of s's boxes,
// scaled to an integer: lower means the contents sit in fewer, fuller boxes,
// which moves a search on a plateau towards emptying a box.
func (e *engine) concentration(s *sol) int64 {
	var f float64
	for _, b := range s.bins {
		r := e.fill(b)
		f += r * r
	}
	return -int64(f * 1e9)
}

// lns is a ruin-and-recreate search: it empties a few boxes (the least
// filled among them), reinserts their units into the other boxes, fullest
// first, opening new boxes as needed, and keeps the change when the
// objective, then the concentration, does not get worse. It runs for iters
// iterations or until the budget or the lower bound stops it.
func (e *engine) lns(s *sol, lb int, iters int) *sol {
	cur, curV, curC := s, e.eval(s), e.concentration(s)
	best, bestV := s, curV
	for it := 0; it < iters && !e.stopped && len(best.bins) > lb; it++ {
		var free []int
		for i, b := range cur.bins {
			if b.group == 0 && !b.alone {
				free = append(free, i)
			}
		}
		if len(free) < 2 {
			break
		}
		slices.SortStableFunc(free, func(a, b int) int {
			return cmpF(e.fill(cur.bins[a]), e.fill(cur.bins[b]))
		})
		ruin := map[int]bool{free[e.rng.IntN(min(3, len(free)))]: true}
		for k := 1 + e.rng.IntN(3); len(ruin) <= k && len(ruin) < len(free); {
			ruin[free[e.rng.IntN(len(free))]] = true
		}
		ns := &sol{noBox: slices.Clone(cur.noBox), failed: cur.failed}
		var units []int32
		for i, b := range cur.bins {
			if ruin[i] {
				for _, p := range b.pl {
					units = append(units, p.k)
				}
				continue
			}
			ns.bins = append(ns.bins, b.clone())
		}
		units = append(units, ns.noBox...)
		ns.noBox = ns.noBox[:0]
		e.sortUnits(units, e.rng.IntN(10))
		slices.SortStableFunc(ns.bins, func(a, b *bin) int {
			return cmpF(e.fill(b), e.fill(a))
		})
		m := merit(e.rng.IntN(int(meritCount)))
		rest := e.construct(ns, units, policy(e.rng.IntN(2)), m)
		v, c := e.eval(rest), e.concentration(rest)
		if v.less(curV) || v == curV && c <= curC {
			cur, curV, curC = rest, v, c
			if v.less(bestV) {
				best, bestV = rest, v
			}
		}
	}
	return best
}

// squeeze tries to reach one box fewer than s: it empties the least
// filled box into a pool of units, then repeatedly takes two to four boxes
// (the first the emptiest of three drawn) with the pool, repacks them from
// scratch in a random order, and keeps the change when the volume left in
// the pool does not grow. When the pool empties it aims for one box fewer
// again. It stops after patience iterations without progress, at the lower
// bound, or when the work runs out.
func (e *engine) squeeze(s *sol, lb int, patience int) *sol {
	best := s
	for !e.stopped && len(best.bins) > lb {
		cur := best.clone()
		victim := -1
		for i, b := range cur.bins {
			if b.group == 0 && !b.alone && (victim < 0 || e.fill(b) < e.fill(cur.bins[victim])) {
				victim = i
			}
		}
		if victim < 0 {
			return best
		}
		var pool []int32
		for _, p := range cur.bins[victim].pl {
			pool = append(pool, p.k)
		}
		cur.bins = slices.Delete(cur.bins, victim, victim+1)
		var free []int
		for i, b := range cur.bins {
			if b.group == 0 && !b.alone {
				free = append(free, i)
			}
		}
		if len(free) == 0 {
			return best
		}
		poolVol := e.volume(pool)
		stale := 0
		for len(pool) > 0 && stale < patience && !e.stopped {
			r := min(len(free), 2+e.rng.IntN(3))
			pick := make([]int, 0, r)
			for len(pick) < r {
				i := free[e.rng.IntN(len(free))]
				if len(pick) == 0 { // the emptiest of three, where the pool may fit
					for range 2 {
						if j := free[e.rng.IntN(len(free))]; e.fill(cur.bins[j]) < e.fill(cur.bins[i]) {
							i = j
						}
					}
				}
				if !slices.Contains(pick, i) {
					pick = append(pick, i)
				}
			}
			units := slices.Clone(pool)
			for _, i := range pick {
				for _, p := range cur.bins[i].pl {
					units = append(units, p.k)
				}
			}
			e.sortUnits(units, e.rng.IntN(12))
			m := merit(e.rng.IntN(int(meritCount)))
			nbs := make([]*bin, len(pick))
			left := units
			for j, i := range pick {
				nbs[j], left = e.fillOne(cur.bins[i].t, left, m)
			}
			if v := e.volume(left); v <= poolVol*(1+1e-12) {
				if v < poolVol {
					stale = 0
				} else {
					stale++
				}
				for j, i := range pick {
					cur.bins[i] = nbs[j]
				}
				pool, poolVol = left, v
			} else {
				stale++
			}
		}
		if len(pool) > 0 {
			return best
		}
		if !e.eval(cur).less(e.eval(best)) {
			return best
		}
		best = cur
	}
	return best
}

// fill is the share of b's volume its units take.
func (e *engine) fill(b *bin) float64 { return b.vol / e.types[b.t].vol }

// volume is the total volume of units.
func (e *engine) volume(units []int32) float64 {
	var v float64
	for _, k := range units {
		v += e.kinds[k].vol
	}
	return v
}
