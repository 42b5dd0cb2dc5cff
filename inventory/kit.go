package inventory

import (
	"github.com/fulfillkit/fulfill"
)

// Component is one part of a kit's bill of materials: Quantity units of
// SKU per kit.
type Component struct {
	SKU      fulfill.SKU `json:"sku"`
	Quantity int64       `json:"quantity"`
}

// Kits maps a kit (or bundle) SKU to its bill of materials. A kit is not
// stocked itself: its lines are exploded into component lines before
// planning or reserving, and the same component on several lines is summed
// when checked. The nil Kits has no kits.
type Kits map[fulfill.SKU][]Component

// MaxExplodedLines is the most lines [Kits.Explode] returns.
const MaxExplodedLines = 10_000

// Explode returns lines with every kit replaced by its components,
// recursively (a kit may contain kits), each component line keeping the
// kit line's Line reference. Lines of other SKUs are kept as they are. It
// fails with [ErrInvalid] on a cycle, an empty bill of materials or a
// non-positive quantity or more than [MaxExplodedLines] lines, and with [fulfill.ErrOverflow] if a quantity
// overflows.
func (k Kits) Explode(lines []Line) ([]Line, error) {
	var out []Line
	var walk func(sku fulfill.SKU, qty int64, ref string, path []fulfill.SKU) error
	walk = func(sku fulfill.SKU, qty int64, ref string, path []fulfill.SKU) error {
		bom, ok := k[sku]
		if !ok {
			if len(out) >= MaxExplodedLines {
				return invalid("kits", string(sku), "explodes into more than "+itoa(MaxExplodedLines)+" lines")
			}
			out = append(out, Line{SKU: sku, Quantity: qty, Line: ref})
			return nil
		}
		if contains(path, sku) {
			return invalid("kits", string(sku), "contains itself")
		}
		if len(bom) == 0 {
			return invalid("kits", string(sku), "empty bill of materials")
		}
		for _, c := range bom {
			if err := positive("kits."+string(sku)+".quantity", c.Quantity); err != nil {
				return err
			}
			q, ok := mul(qty, c.Quantity)
			if !ok {
				return overflow("Kits.Explode", qty, c.Quantity)
			}
			if err := walk(c.SKU, q, ref, append(path, sku)); err != nil {
				return err
			}
		}
		return nil
	}
	for i, l := range lines {
		if err := positive("lines["+itoa(int64(i))+"].quantity", l.Quantity); err != nil {
			return nil, err
		}
		if err := walk(l.SKU, l.Quantity, l.Line, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mul returns a*b for non-negative a and b, and whether it fits.
func mul(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	return p, p/b == a && p > 0
}
