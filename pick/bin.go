package pick

import (
	"fmt"
	"strconv"
	"strings"
)

// Side is the side of a pick aisle a bin faces: [SideLeft] or [SideRight]
// seen walking from the front cross aisle to the back. The side never
// changes a walking distance: the picker walks the aisle's centre line and
// reaches both sides from it.
type Side string

// Sides of an aisle.
const (
	SideLeft  Side = "L"
	SideRight Side = "R"
)

// Valid reports whether s is [SideLeft] or [SideRight].
func (s Side) Valid() bool { return s == SideLeft || s == SideRight }

// MaxBinIndex is the largest aisle, slot or level number a [Bin] may have.
const MaxBinIndex = 999_999

// Bin is the address of a pick location: the aisle (0-based, counted from the
// left), the slot along the aisle (0-based, counted from the front cross
// aisle), the shelf level (0 is the floor) and the side. Bin is a comparable
// value usable as a map key. Its printed form is "AA-SSS-L-S", for example
// "03-012-1-L" for aisle 3, slot 12, level 1, left side.
//
// In JSON and other text encodings a Bin is its printed form.
type Bin struct {
	Aisle int
	Slot  int
	Level int
	Side  Side
}

// String prints b as "03-012-1-L"; [ParseBin] reads it back.
func (b Bin) String() string {
	return fmt.Sprintf("%02d-%03d-%d-%s", b.Aisle, b.Slot, b.Level, string(b.Side))
}

// Validate reports whether every number of b is between 0 and [MaxBinIndex]
// and its side is L or R. Otherwise it returns a *[BinError].
func (b Bin) Validate() error {
	switch {
	case b.Aisle < 0 || b.Aisle > MaxBinIndex:
		return &BinError{Bin: b.String(), Reason: fmt.Sprintf("aisle %d out of range [0, %d]", b.Aisle, MaxBinIndex)}
	case b.Slot < 0 || b.Slot > MaxBinIndex:
		return &BinError{Bin: b.String(), Reason: fmt.Sprintf("slot %d out of range [0, %d]", b.Slot, MaxBinIndex)}
	case b.Level < 0 || b.Level > MaxBinIndex:
		return &BinError{Bin: b.String(), Reason: fmt.Sprintf("level %d out of range [0, %d]", b.Level, MaxBinIndex)}
	case !b.Side.Valid():
		return &BinError{Bin: b.String(), Reason: fmt.Sprintf("side %q is not L or R", string(b.Side))}
	}
	return nil
}

// MarshalText encodes b in its printed form.
func (b Bin) MarshalText() ([]byte, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// UnmarshalText decodes the printed form, as [ParseBin].
func (b *Bin) UnmarshalText(text []byte) error {
	v, err := ParseBin(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// ParseBin parses a bin address "aisle-slot-level-side" such as "03-012-1-L":
// three decimal numbers (leading zeros allowed, at most [MaxBinIndex]) and a
// side L or R (either case). Anything else returns a *[BinError] wrapping
// [ErrInvalidBin].
func ParseBin(s string) (Bin, error) {
	fail := func(reason string) (Bin, error) { return Bin{}, &BinError{Bin: s, Reason: reason} }
	parts := strings.Split(s, "-")
	if len(parts) != 4 {
		return fail("want aisle-slot-level-side")
	}
	var nums [3]int
	names := [3]string{"aisle", "slot", "level"}
	for i := range 3 {
		p := parts[i]
		if p == "" || len(p) > 7 || strings.TrimLeft(p, "0123456789") != "" {
			return fail(fmt.Sprintf("%s %q is not a number", names[i], p))
		}
		n, err := strconv.Atoi(p)
		if err != nil || n > MaxBinIndex {
			return fail(fmt.Sprintf("%s %q out of range [0, %d]", names[i], p, MaxBinIndex))
		}
		nums[i] = n
	}
	side := Side(strings.ToUpper(parts[3]))
	if !side.Valid() {
		return fail(fmt.Sprintf("side %q is not L or R", parts[3]))
	}
	return Bin{Aisle: nums[0], Slot: nums[1], Level: nums[2], Side: side}, nil
}
