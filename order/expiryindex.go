package order

import (
	"bytes"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// expiryKey is an expirable order's place in an [expiryIndex]: its
// ExpiresAt, in UTC and so without a monotonic clock reading, then its ID.
type expiryKey struct {
	at time.Time
	id fulfill.OrderID
}

// expiryKeyOf returns the key o is indexed under.
func expiryKeyOf(o *Order) expiryKey { return expiryKey{at: o.expiresAt.UTC(), id: o.id} }

// compare orders keys as [Expirer] lists orders: by time, then by ID bytes.
func (a expiryKey) compare(b expiryKey) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return bytes.Compare(a.id[:], b.id[:])
}

// defaultBlock is the most keys an [expiryIndex] block holds unless the
// index says otherwise.
const defaultBlock = 256

// expiryIndex is a sorted set of expiry keys, kept as a list of sorted
// blocks of at most blockSize keys. Finding a key is a binary search over
// the blocks' last keys and one inside a block; an insertion or a deletion
// then moves at most one block's keys and the list of blocks, so it costs
// O(log n + blockSize + n/blockSize) rather than the O(n) of one sorted
// slice. Listing the first k keys costs O(k). The zero expiryIndex is empty
// and uses defaultBlock.
type expiryIndex struct {
	// blocks are non-empty and sorted, and every key of a block sorts
	// before every key of the next.
	blocks [][]expiryKey
	n      int // keys in all blocks
	size   int // the most keys in a block; 0 means defaultBlock
}

// blockSize returns the most keys a block holds, at least 2.
func (x *expiryIndex) blockSize() int {
	if x.size <= 0 {
		return defaultBlock
	}
	return max(x.size, 2)
}

// locate returns the index of the first block whose last key is at or
// after k, or len(x.blocks) if there is none.
func (x *expiryIndex) locate(k expiryKey) int {
	i, _ := slices.BinarySearchFunc(x.blocks, k, func(b []expiryKey, k expiryKey) int { return b[len(b)-1].compare(k) })
	return i
}

// contains reports whether k is in x.
func (x *expiryIndex) contains(k expiryKey) bool {
	i := x.locate(k)
	if i == len(x.blocks) {
		return false
	}
	_, found := slices.BinarySearchFunc(x.blocks[i], k, expiryKey.compare)
	return found
}

// insert adds k, which must not be in x. A block that grows past the
// block size is split in two halves.
func (x *expiryIndex) insert(k expiryKey) {
	size := x.blockSize()
	x.n++
	if len(x.blocks) == 0 {
		x.blocks = append(x.blocks, append(make([]expiryKey, 0, size+1), k))
		return
	}
	i := min(x.locate(k), len(x.blocks)-1) // past every key: the last block
	b := x.blocks[i]
	j, _ := slices.BinarySearchFunc(b, k, expiryKey.compare)
	b = slices.Insert(b, j, k)
	if len(b) <= size {
		x.blocks[i] = b
		return
	}
	half := len(b) / 2
	right := append(make([]expiryKey, 0, size+1), b[half:]...)
	clear(b[half:])
	x.blocks[i] = b[:half]
	x.blocks = slices.Insert(x.blocks, i+1, right)
}

// delete removes k and reports whether it was in x. An emptied block is
// dropped, and a block left so small that with a neighbour it holds at
// most a quarter of the block size is merged into that neighbour. So any
// two neighbouring blocks hold more than a quarter of the block size
// together (insertions keep this too, as a split leaves two halves), and
// there are at most 8n/blockSize + 1 blocks.
func (x *expiryIndex) delete(k expiryKey) bool {
	i := x.locate(k)
	if i == len(x.blocks) {
		return false
	}
	j, found := slices.BinarySearchFunc(x.blocks[i], k, expiryKey.compare)
	if !found {
		return false
	}
	x.n--
	x.blocks[i] = slices.Delete(x.blocks[i], j, j+1)
	if len(x.blocks[i]) == 0 {
		x.blocks = slices.Delete(x.blocks, i, i+1)
		return true
	}
	quarter := x.blockSize() / 4
	if i+1 < len(x.blocks) && len(x.blocks[i])+len(x.blocks[i+1]) <= quarter {
		x.blocks[i] = append(x.blocks[i], x.blocks[i+1]...)
		x.blocks = slices.Delete(x.blocks, i+1, i+2)
	}
	if i > 0 && len(x.blocks[i-1])+len(x.blocks[i]) <= quarter {
		x.blocks[i-1] = append(x.blocks[i-1], x.blocks[i]...)
		x.blocks = slices.Delete(x.blocks, i, i+1)
	}
	return true
}

// due appends to ids the IDs of the first keys whose time is at or before
// by, until ids holds limit IDs, and returns ids.
func (x *expiryIndex) due(by time.Time, limit int, ids []fulfill.OrderID) []fulfill.OrderID {
	for _, b := range x.blocks {
		for _, k := range b {
			if len(ids) >= limit || k.at.After(by) {
				return ids
			}
			ids = append(ids, k.id)
		}
	}
	return ids
}
