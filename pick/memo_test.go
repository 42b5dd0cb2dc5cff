package pick

import (
	"encoding/binary"
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
	randomKey := func() []byte {
		var k []byte
		for range 1 + rng.IntN(6) {
			k = binary.AppendUvarint(k, uint64(rng.IntN(300)))
		}
		return k
	}
	for i := range 20000 {
		k := randomKey()
		v, h, ok := m.get(k)
		w, found := want[string(k)]
		require.Equal(t, found, ok, "step %d key %x", i, k)
		if ok {
			require.Equal(t, w, v)
			continue
		}
		v = fulfill.Length(rng.Int64())
		m.put(k, h, v)
		want[string(k)] = v
	}
	for k, w := range want {
		v, _, ok := m.get([]byte(k))
		require.True(t, ok)
		require.Equal(t, w, v)
	}
	_, _, ok := m.get(nil)
	require.False(t, ok)
}
