package pick

import (
	"bytes"

	"github.com/fulfillkit/fulfill"
)

// lengthMemo maps sets of orders, encoded as bytes, to tour lengths. It is
// an open-addressing hash table whose keys live in one arena, so that
// storing a length allocates only when the table or the arena grows.
type lengthMemo struct {
	slots []int32 // 1 + index into ents, 0 when empty
	ents  []memoEntry
	arena []byte // the keys, one after the other
	mask  uint64
}

// memoEntry is one stored length and where its key lies in the arena.
type memoEntry struct {
	hash   uint64
	off, n uint32
	v      fulfill.Length
}

// hashKey is 64-bit FNV-1a, finished with a multiply-shift mix.
func hashKey(key []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range key {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	return h ^ h>>32
}

// get returns the length stored for key and its id (see put), and the
// key's hash for put.
func (m *lengthMemo) get(key []byte) (v fulfill.Length, h, id uint64, ok bool) {
	h = hashKey(key)
	if len(m.slots) == 0 {
		return 0, h, 0, false
	}
	for i := h & m.mask; ; i = (i + 1) & m.mask {
		s := m.slots[i]
		if s == 0 {
			return 0, h, 0, false
		}
		e := &m.ents[s-1]
		if e.hash == h && bytes.Equal(m.arena[e.off:e.off+e.n], key) {
			return e.v, h, uint64(s), true
		}
	}
}

// put stores v for key, whose hash is h, and returns the key's id: 1 for
// the first key stored, 2 for the second, and so on. The key must not be
// stored yet.
func (m *lengthMemo) put(key []byte, h uint64, v fulfill.Length) uint64 {
	if 2*(len(m.ents)+1) > len(m.slots) {
		m.grow()
	}
	m.ents = append(m.ents, memoEntry{hash: h, off: uint32(len(m.arena)), n: uint32(len(key)), v: v})
	m.arena = append(m.arena, key...)
	i := h & m.mask
	for m.slots[i] != 0 {
		i = (i + 1) & m.mask
	}
	m.slots[i] = int32(len(m.ents))
	return uint64(len(m.ents))
}

// grow doubles the slots (at least 1024) and reinserts the entries.
func (m *lengthMemo) grow() {
	m.slots = make([]int32, max(1024, 2*len(m.slots)))
	m.mask = uint64(len(m.slots) - 1)
	for n, e := range m.ents {
		i := e.hash & m.mask
		for m.slots[i] != 0 {
			i = (i + 1) & m.mask
		}
		m.slots[i] = int32(n + 1)
	}
}
