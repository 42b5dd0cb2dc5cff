package carrier

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestTextArena: every string the arena hands out keeps its bytes while
// later texts are built, short ones in the shared buffer and long ones
// that outgrow it, in any order.
func TestTextArena(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	var a textArena
	a.buf = make([]byte, 0, 300)
	type kept struct {
		s    string
		want []byte
	}
	var all []kept
	for i := range 5000 {
		n := rng.IntN(200)
		if i%50 == 0 {
			n = rng.IntN(3 * textChunk) // longer than any buffer
		}
		want := make([]byte, n)
		for k := range want {
			want[k] = byte('a' + rng.IntN(26))
		}
		b := a.open()
		for rest := want; len(rest) > 0; {
			k := 1 + rng.IntN(len(rest))
			b = append(b, rest[:k]...)
			rest = rest[k:]
		}
		all = append(all, kept{a.close(b), want})
	}
	for i, k := range all {
		if !bytes.Equal([]byte(k.s), k.want) {
			t.Fatalf("text %d changed: %q, want %q", i, k.s, k.want)
		}
	}
}
