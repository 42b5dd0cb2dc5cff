package inventory_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKitsExplode(t *testing.T) {
	kits := inventory.Kits{
		"GIFT-BOX":  {{SKU: "MUG", Quantity: 2}, {SKU: "TEA", Quantity: 1}, {SKU: "SPOON-SET", Quantity: 1}},
		"SPOON-SET": {{SKU: "SPOON", Quantity: 4}},
	}
	got, err := kits.Explode([]inventory.Line{{SKU: "GIFT-BOX", Quantity: 3, Line: "1"}, {SKU: "MUG", Quantity: 1, Line: "2"}})
	require.NoError(t, err)
	assert.Equal(t, []inventory.Line{
		{SKU: "MUG", Quantity: 6, Line: "1"}, {SKU: "TEA", Quantity: 3, Line: "1"}, {SKU: "SPOON", Quantity: 12, Line: "1"},
		{SKU: "MUG", Quantity: 1, Line: "2"},
	}, got)

	for name, k := range map[string]inventory.Kits{
		"cycle": {"A": {{SKU: "B", Quantity: 1}}, "B": {{SKU: "A", Quantity: 1}}},
		"empty": {"A": {}},
		"zero":  {"A": {{SKU: "B", Quantity: 0}}},
	} {
		_, err := k.Explode([]inventory.Line{{SKU: "A", Quantity: 1}})
		assert.ErrorIs(t, err, inventory.ErrInvalid, name)
	}
	_, err = inventory.Kits{"A": {{SKU: "B", Quantity: math.MaxInt64}}}.Explode([]inventory.Line{{SKU: "A", Quantity: 2}})
	assert.ErrorIs(t, err, fulfill.ErrOverflow)
	got, err = inventory.Kits(nil).Explode([]inventory.Line{{SKU: "A", Quantity: 2}})
	require.NoError(t, err)
	assert.Equal(t, []inventory.Line{{SKU: "A", Quantity: 2}}, got)
}

// A bundle and a loose unit of the same component are checked together:
// two lines that each fit cannot together take more than there is.
func TestKitComponentsSummedWhenReserved(t *testing.T) {
	ctx := context.Background()
	inv, _ := newInventory()
	mug := inventory.Key{Owner: "acme", SKU: "MUG", Location: "WH"}
	_, err := inv.Apply(ctx, &inventory.Receive{Meta: inventory.Meta{Owner: "acme"}, Key: mug, Quantity: 3})
	require.NoError(t, err)
	lines, err := inventory.Kits{"PAIR": {{SKU: "MUG", Quantity: 2}}}.Explode([]inventory.Line{{SKU: "PAIR", Quantity: 1}, {SKU: "MUG", Quantity: 2}})
	require.NoError(t, err)
	op := &inventory.Reserve{Meta: inventory.Meta{Owner: "acme"}}
	for _, l := range lines {
		op.Lines = append(op.Lines, inventory.ReserveLine{Key: inventory.Key{Owner: "acme", SKU: l.SKU, Location: "WH"}, Quantity: l.Quantity})
	}
	_, err = inv.Apply(ctx, op)
	e, ok := errors.AsType[*inventory.InsufficientStockError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, []inventory.Shortage{{Key: mug, Bucket: inventory.BucketAvailable, Wanted: 4, Available: 3}}, e.Shortages)
}

// FuzzKitsExplode explodes arbitrary bills of materials: errors are fine,
// panics and runaway output are not, and no kit is left in the output.
func FuzzKitsExplode(f *testing.F) {
	f.Add([]byte{0, 1, 2, 1, 2, 3}, int64(2))
	f.Add([]byte{0, 0, 1}, int64(1))
	f.Add([]byte{0, 1, 9, 1, 2, 9, 2, 3, 9, 3, 4, 9, 4, 5, 9}, int64(1000))
	f.Fuzz(func(t *testing.T, data []byte, qty int64) {
		kits := inventory.Kits{}
		for i := 0; i+2 < len(data) && i < 60; i += 3 {
			kit := fulfill.SKU("K" + string(rune('0'+data[i]%8)))
			kits[kit] = append(kits[kit], inventory.Component{SKU: fulfill.SKU("K" + string(rune('0'+data[i+1]%10))), Quantity: int64(int8(data[i+2]))})
		}
		lines, err := kits.Explode([]inventory.Line{{SKU: "K0", Quantity: qty}})
		if err != nil {
			if !errors.Is(err, inventory.ErrInvalid) && !errors.Is(err, fulfill.ErrOverflow) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		require.LessOrEqual(t, len(lines), inventory.MaxExplodedLines)
		for _, l := range lines {
			require.Positive(t, l.Quantity)
			_, isKit := kits[l.SKU]
			require.False(t, isKit, "kit %s left in the output", l.SKU)
		}
	})
}
