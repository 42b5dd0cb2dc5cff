package pick

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/require"
)

// TestLengthMemo stores random keys, many sharing prefixes and some
// repeated, in the memo and in a map, and requires the same answers for
// every stored and missing key, across the table's growth.
func TestLengthMemo(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var m lengthMemo
	want := map[string]fulfill.Length{}
	ids := map[string]uint64{}
	randomKey := func() []byte {
		var k []byte
		for range 1 + rng.IntN(6) {
			k = binary.AppendUvarint(k, uint64(rng.IntN(300)))
		}
		return k
	}
	for i := range 20000 {
		k := randomKey()
		v, h, id, ok := m.get(k)
		w, found := want[string(k)]
		require.Equal(t, found, ok, "step %d key %x", i, k)
		if ok {
			require.Equal(t, w, v)
			require.Equal(t, ids[string(k)], id)
			continue
		}
		v = fulfill.Length(rng.Int64())
		require.Equal(t, uint64(len(want)+1), m.put(k, h, v))
		want[string(k)] = v
		ids[string(k)] = uint64(len(want))
	}
	for k, w := range want {
		v, _, id, ok := m.get([]byte(k))
		require.True(t, ok)
		require.Equal(t, w, v)
		require.Equal(t, ids[k], id)
	}
	_, _, _, ok := m.get(nil)
	require.False(t, ok)
}

// TestSwapFits checks swapFits against adding and subtracting whole loads,
// near overflow included, on random loads and capacities.
func TestSwapFits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	big := func() int64 {
		switch rng.IntN(3) {
		case 0:
			return rng.Int64N(50)
		case 1:
			return math.MaxInt64 - rng.Int64N(50)
		}
		return rng.Int64()
	}
	rl := func() load {
		return load{lines: rng.IntN(30), units: big(), volume: fulfill.Volume(big()), weight: fulfill.Mass(big()), totes: rng.IntN(10)}
	}
	limit := func(v int64) int64 {
		if rng.IntN(3) == 0 {
			return 0
		}
		return v
	}
	for i := range 20000 {
		a, in, out := rl(), rl(), rl()
		c := Capacity{Lines: int(limit(int64(rng.IntN(40)))), Units: limit(big()), Volume: fulfill.Volume(limit(big())),
			Weight: fulfill.Mass(limit(big())), Totes: int(limit(int64(rng.IntN(12))))}
		s := a.plus(in)
		want := load{s.lines - out.lines, s.units - out.units, s.volume - out.volume, s.weight - out.weight, s.totes - out.totes}.fits(c)
		require.Equal(t, want, a.swapFits(in, out, c), "case %d: %+v + %+v - %+v within %+v", i, a, in, out, c)
	}
}
