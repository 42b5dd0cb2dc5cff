package pick

import (
	"fmt"

	"github.com/fulfillkit/fulfill"
)

// Limits on a [RectConfig], far beyond any real building, which keep every
// distance well inside the range of [fulfill.Length].
const (
	// MaxAisles is the largest number of pick aisles.
	MaxAisles = 10_000
	// MaxCrossAisles is the largest number of cross aisles.
	MaxCrossAisles = 64
	// MaxRectDimension bounds aisle length, spacing and cross-aisle width.
	MaxRectDimension = 10 * fulfill.Kilometer
)

// RectConfig describes a rectangular warehouse: Aisles parallel pick aisles,
// each with SlotsPerAisle slots on both sides, joined by CrossAisles cross
// aisles that run across all of them.
//
// The geometry is a contract that other tools rely on. Aisle i (0-based, from
// the left) lies at x = i * AisleSpacing. With CrossAisleWidth 0, cross aisle c
// (0 is the front, CrossAisles-1 the back) lies at y = c * AisleLength /
// (CrossAisles-1), and slot j (0-based) at y = (j + 0.5) * AisleLength /
// SlotsPerAisle from the front cross aisle; positions are rounded to the
// nearest micrometre. A positive CrossAisleWidth w widens every cross aisle:
// the picker walks its centre line, the racks of each block start w/2 past
// it, so cross aisle c lies at y = c * (AisleLength/(CrossAisles-1) + w) and a
// slot in block b is shifted by w/2 + b*w. The side of the aisle never
// changes a distance. A picker changes aisle only along a cross aisle.
type RectConfig struct {
	// Aisles is the number of pick aisles, 1 to MaxAisles.
	Aisles int `json:"aisles"`
	// SlotsPerAisle is the number of slots along each aisle, 1 to
	// MaxBinIndex+1.
	SlotsPerAisle int `json:"slots_per_aisle"`
	// AisleLength is the length of the racks along an aisle, from the front
	// cross aisle to the back one, positive and at most MaxRectDimension.
	AisleLength fulfill.Length `json:"aisle_length"`
	// AisleSpacing is the centre-to-centre distance between neighbouring
	// aisles, positive and at most MaxRectDimension.
	AisleSpacing fulfill.Length `json:"aisle_spacing"`
	// CrossAisles is the number of cross aisles, 2 to MaxCrossAisles; 0 means
	// 2 (a front and a back cross aisle only).
	CrossAisles int `json:"cross_aisles"`
	// CrossAisleWidth is the width of every cross aisle, 0 (the default) to
	// MaxRectDimension.
	CrossAisleWidth fulfill.Length `json:"cross_aisle_width"`
	// Depot is where tours start and end. The zero Depot is at the front of
	// aisle 0.
	Depot Depot `json:"depot"`
}

// Depot is the point where the picker starts and ends every tour: on cross
// aisle CrossAisle (0 the front, CrossAisles-1 the back) where it meets the
// centre line of aisle Aisle.
type Depot struct {
	Aisle      int `json:"aisle"`
	CrossAisle int `json:"cross_aisle"`
}

// Rect is a rectangular warehouse layout made by [NewRect]. It is immutable
// and safe for concurrent use.
type Rect struct {
	cfg    RectConfig
	k      int
	crossY []fulfill.Length // y of each cross aisle's centre line
	slotY  []fulfill.Length // y of each slot
}

var _ Layout = (*Rect)(nil)

// NewRect validates cfg and returns the layout. A field out of range returns
// a *[LayoutError] wrapping [ErrInvalidLayout].
func NewRect(cfg RectConfig) (*Rect, error) {
	if cfg.CrossAisles == 0 {
		cfg.CrossAisles = 2
	}
	bad := func(field string, v any, reason string) (*Rect, error) {
		return nil, &LayoutError{Field: field, Value: fmt.Sprint(v), Reason: reason}
	}
	switch {
	case cfg.Aisles < 1 || cfg.Aisles > MaxAisles:
		return bad("aisles", cfg.Aisles, fmt.Sprintf("want 1 to %d", MaxAisles))
	case cfg.SlotsPerAisle < 1 || cfg.SlotsPerAisle > MaxBinIndex+1:
		return bad("slots_per_aisle", cfg.SlotsPerAisle, fmt.Sprintf("want 1 to %d", MaxBinIndex+1))
	case cfg.AisleLength <= 0 || cfg.AisleLength > MaxRectDimension:
		return bad("aisle_length", cfg.AisleLength, "want positive, at most 10km")
	case cfg.AisleSpacing <= 0 || cfg.AisleSpacing > MaxRectDimension:
		return bad("aisle_spacing", cfg.AisleSpacing, "want positive, at most 10km")
	case cfg.CrossAisles < 2 || cfg.CrossAisles > MaxCrossAisles:
		return bad("cross_aisles", cfg.CrossAisles, fmt.Sprintf("want 2 to %d", MaxCrossAisles))
	case cfg.CrossAisleWidth < 0 || cfg.CrossAisleWidth > MaxRectDimension:
		return bad("cross_aisle_width", cfg.CrossAisleWidth, "want 0 to 10km")
	case cfg.Depot.Aisle < 0 || cfg.Depot.Aisle >= cfg.Aisles:
		return bad("depot.aisle", cfg.Depot.Aisle, fmt.Sprintf("want 0 to %d", cfg.Aisles-1))
	case cfg.Depot.CrossAisle < 0 || cfg.Depot.CrossAisle >= cfg.CrossAisles:
		return bad("depot.cross_aisle", cfg.Depot.CrossAisle, fmt.Sprintf("want 0 to %d", cfg.CrossAisles-1))
	}
	k := cfg.CrossAisles
	L, w := int64(cfg.AisleLength), int64(cfg.CrossAisleWidth)
	r := &Rect{cfg: cfg, k: k, crossY: make([]fulfill.Length, k), slotY: make([]fulfill.Length, cfg.SlotsPerAisle)}
	rack := make([]int64, k) // rack coordinate of each cross aisle
	for c := range k {
		rack[c] = divRound(int64(c)*L, int64(k-1))
		r.crossY[c] = fulfill.Length(rack[c] + int64(c)*w)
	}
	M := int64(cfg.SlotsPerAisle)
	for j := range cfg.SlotsPerAisle {
		pos := divRound((2*int64(j)+1)*L, 2*M)
		b := 0
		for b < k-2 && rack[b+1] <= pos {
			b++
		}
		shift := int64(b) * w
		if w > 0 {
			shift += w / 2
		}
		r.slotY[j] = fulfill.Length(pos + shift)
	}
	return r, nil
}

// divRound returns a/b rounded to the nearest integer, halves up (a >= 0, b > 0).
func divRound(a, b int64) int64 { return (2*a + b) / (2 * b) }

// Config returns the configuration the layout was made from, with defaults
// filled in.
func (r *Rect) Config() RectConfig { return r.cfg }

// CrossAisles returns the number of cross aisles.
func (r *Rect) CrossAisles() int { return r.k }

// AisleX returns the x position of aisle i's centre line.
func (r *Rect) AisleX(i int) fulfill.Length { return fulfill.Length(i) * r.cfg.AisleSpacing }

// CrossAisleY returns the y position of cross aisle c's centre line, or -1 if
// there is no cross aisle c.
func (r *Rect) CrossAisleY(c int) fulfill.Length {
	if c < 0 || c >= r.k {
		return -1
	}
	return r.crossY[c]
}

// SlotY returns the y position of slot j, or -1 if there is no slot j.
func (r *Rect) SlotY(j int) fulfill.Length {
	if j < 0 || j >= len(r.slotY) {
		return -1
	}
	return r.slotY[j]
}

// Spot returns the position of bin b: X its aisle, Y its distance from the
// front cross aisle. A bin outside the layout returns a *[BinError].
func (r *Rect) Spot(b Bin) (Spot, error) {
	if err := b.Validate(); err != nil {
		return Spot{}, err
	}
	if b.Aisle >= r.cfg.Aisles {
		return Spot{}, &BinError{Bin: b.String(), Reason: fmt.Sprintf("aisle %d: the layout has %d aisles", b.Aisle, r.cfg.Aisles)}
	}
	if b.Slot >= r.cfg.SlotsPerAisle {
		return Spot{}, &BinError{Bin: b.String(), Reason: fmt.Sprintf("slot %d: aisles have %d slots", b.Slot, r.cfg.SlotsPerAisle)}
	}
	return Spot{X: int64(b.Aisle), Y: int64(r.slotY[b.Slot])}, nil
}

// Depot returns the depot's position.
func (r *Rect) Depot() Spot {
	return Spot{X: int64(r.cfg.Depot.Aisle), Y: int64(r.crossY[r.cfg.Depot.CrossAisle])}
}

// Distance returns the shortest walk between a and b: along the aisle if
// both are in the same one, otherwise to the best cross aisle, across, and
// back along the other aisle.
func (r *Rect) Distance(a, b Spot) fulfill.Length {
	if a.X == b.X {
		return fulfill.Length(abs64(a.Y - b.Y))
	}
	dx := abs64(a.X-b.X) * int64(r.cfg.AisleSpacing)
	lo, hi := min(a.Y, b.Y), max(a.Y, b.Y)
	best := int64(-1)
	for _, y := range r.crossY {
		var v int64
		switch {
		case int64(y) < lo:
			v = hi + lo - 2*int64(y)
		case int64(y) > hi:
			v = 2*int64(y) - hi - lo
		default:
			v = hi - lo
		}
		if best < 0 || v < best {
			best = v
		}
	}
	return fulfill.Length(dx + best)
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
