package pack

import "slices"

// dfsNodes bounds the backtracking placement search for one box.
const dfsNodes = 4000

// exact solves a small order by trying every grouping of its units into
// boxes and, for each group, the box types in order of cost; whether a
// group fits a box is decided by the constructive heuristics and then by a
// backtracking search over extreme points (bounded by dfsNodes). It returns
// nil if the best grouping breaks a box supply or the search was stopped.
func (e *engine) exact(pinned *sol, units []int32) *sol {
	n := len(units)
	if n == 0 || n > 16 {
		return nil
	}
	units = slices.Clone(units)
	e.sortUnits(units, 0)
	full := 1<<n - 1
	type groupBest struct {
		b   *bin
		val value
		ok  bool
	}
	memo := map[string]groupBest{}
	group := make([]groupBest, full+1)
	for mask := 1; mask <= full; mask++ {
		if e.stopped {
			return nil
		}
		var sub []int32
		for i := 0; i < n; i++ {
			if mask&(1<<i) != 0 {
				sub = append(sub, units[i])
			}
		}
		key := kindsKey(sub)
		if g, ok := memo[key]; ok {
			group[mask] = g
			continue
		}
		var g groupBest
		for _, t := range e.typesByCost() {
			b := e.repack(t, sub)
			if b == nil {
				b = e.search(t, sub)
			}
			if b == nil {
				continue
			}
			c := e.cost(t, b.w)
			v := value{0, c, 1}
			if e.obj == ObjectiveBoxes {
				v = value{0, 1, c}
			}
			if !g.ok || v.less(g.val) {
				g = groupBest{b: b, val: v, ok: true}
			}
		}
		memo[key] = g
		group[mask] = g
	}
	type state struct {
		val  value
		pick int
		ok   bool
	}
	f := make([]state, full+1)
	f[0].ok = true
	for mask := 1; mask <= full; mask++ {
		low := mask & -mask
		rest := mask ^ low
		for sub := rest; ; sub = (sub - 1) & rest {
			g := sub | low
			if group[g].ok && f[mask^g].ok {
				v := f[mask^g].val
				for i := range v {
					v[i] += group[g].val[i]
				}
				if !f[mask].ok || v.less(f[mask].val) {
					f[mask] = state{val: v, pick: g, ok: true}
				}
			}
			if sub == 0 {
				break
			}
		}
	}
	if !f[full].ok {
		return nil
	}
	s := pinned.clone()
	used := e.used(s)
	for mask := full; mask != 0; mask ^= f[mask].pick {
		b := group[f[mask].pick].b.clone()
		used[b.t]++
		if e.types[b.t].supply > 0 && used[b.t] > e.types[b.t].supply {
			return nil
		}
		s.bins = append(s.bins, b)
	}
	return s
}

// typesByCost lists the box types, cheapest first, then smallest.
func (e *engine) typesByCost() []int {
	ts := make([]int, len(e.types))
	for i := range ts {
		ts[i] = i
	}
	slices.SortStableFunc(ts, func(a, b int) int {
		if c := cmpI(e.types[a].cost, e.types[b].cost); c != 0 {
			return c
		}
		return cmpF(e.types[a].vol, e.types[b].vol)
	})
	return ts
}

// kindsKey identifies a multiset of kinds.
func kindsKey(ks []int32) string {
	s := slices.Clone(ks)
	slices.Sort(s)
	b := make([]byte, 0, 4*len(s))
	for _, k := range s {
		b = append(b, byte(k), byte(k>>8), byte(k>>16), byte(k>>24))
	}
	return string(b)
}

// search is a bounded backtracking search for a placement of all units in
// one box of type t: each unit in turn at every extreme point in every
// orientation. It returns nil when it finds none within dfsNodes nodes.
func (e *engine) search(t int, units []int32) *bin {
	if !e.mayFit(t, units) {
		return nil
	}
	nodes := 0
	var rec func(b *bin, i int) *bin
	rec = func(b *bin, i int) *bin {
		if i == len(units) {
			return b
		}
		nodes++
		if nodes > dfsNodes || e.spend(int64(len(b.eps))) {
			return nil
		}
		k := units[i]
		if !e.admits(b, k) {
			return nil
		}
		kd := &e.kinds[k]
		dims := e.types[b.t].dims
		for _, p := range b.eps {
			if kd.floor && p[2] != 0 {
				continue
			}
			for _, o := range kd.oris {
				if p[0]+o.s[0] > dims[0] || p[1]+o.s[1] > dims[1] || p[2]+o.s[2] > dims[2] {
					continue
				}
				if _, _, _, ok := e.clear(b, p, o.s, kd.fragile, dims); !ok {
					continue
				}
				nb := b.clone()
				nb.failed = nil
				e.commit(nb, plc{k: k, p: p, s: o.s, rot: o.rot})
				if r := rec(nb, i+1); r != nil {
					return r
				}
				if nodes > dfsNodes || e.stopped {
					return nil
				}
			}
		}
		return nil
	}
	r := rec(e.newBin(t), 0)
	if r != nil {
		r.failed = nil
	}
	return r
}
