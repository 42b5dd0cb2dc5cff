package carrier

import (
	"fmt"
	"strings"

	"github.com/fulfillkit/fulfill"
)

// ZoneChart maps origin and destination ZIP codes to a zone. Exceptions are
// tried first, in order, then Ranges, in order; the first match wins.
type ZoneChart struct {
	Ranges     []ZoneRange `json:"ranges"`               // tried second, in order
	Exceptions []ZoneRange `json:"exceptions,omitempty"` // tried first, in order
}

// ZoneRange gives the zone for origins in Origin and destinations in
// Destination.
type ZoneRange struct {
	Origin      ZIPRange `json:"origin"`      // the origins it covers
	Destination ZIPRange `json:"destination"` // the destinations it covers
	Zone        string   `json:"zone"`        // the zone, as the price grids name it
}

// ZIPRange is an inclusive range of US ZIP codes of three digits (ZIP3,
// "900-961") or five ("96700-96799"); a three-digit range matches a code's
// first three digits. Its text form is "from-to", or one code when From
// equals To.
type ZIPRange struct {
	From, To string // inclusive ends, of the same length
}

// valid reports whether both ends are digits of the same length, 3 or 5,
// in order.
func (r ZIPRange) valid() bool {
	n := len(r.From)
	if (n != 3 && n != 5) || len(r.To) != n || !digits(r.From) || !digits(r.To) {
		return false
	}
	return r.From <= r.To
}

// contains reports whether the range holds zip5 (five digits).
func (r ZIPRange) contains(zip5 string) bool {
	k := zip5[:len(r.From)]
	return r.From <= k && k <= r.To
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseZIPRange parses "900-961", "900", "96700-96799" or "96701". Errors
// wrap [ErrInvalidCard].
func ParseZIPRange(s string) (ZIPRange, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		to = from
	}
	r := ZIPRange{From: strings.TrimSpace(from), To: strings.TrimSpace(to)}
	if !r.valid() {
		return ZIPRange{}, &CardError{Field: "zip range", Value: s, Reason: "want ZIP codes of 3 or 5 digits such as 900-961"}
	}
	return r, nil
}

// String returns the text form.
func (r ZIPRange) String() string {
	if r.From == r.To {
		return r.From
	}
	return r.From + "-" + r.To
}

// MarshalText encodes the text form.
func (r ZIPRange) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText decodes the text form, as [ParseZIPRange].
func (r *ZIPRange) UnmarshalText(b []byte) error {
	v, err := ParseZIPRange(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// zip5 returns the first five digits of a US address's postal code.
func zip5(a fulfill.Address) (string, bool) {
	if _, ok := a.ZIP3(); !ok {
		return "", false
	}
	return strings.TrimSpace(a.PostalCode)[:5], true
}

// Zone returns the zone from origin to destination and the rule that gave
// it, or ok false if the chart has none (including for non-US addresses).
func (z ZoneChart) Zone(origin, destination fulfill.Address) (zone string, rule ZoneRange, ok bool) {
	o, ok1 := zip5(origin)
	d, ok2 := zip5(destination)
	if !ok1 || !ok2 {
		return "", ZoneRange{}, false
	}
	for _, list := range [2][]ZoneRange{z.Exceptions, z.Ranges} {
		for _, r := range list {
			if r.Origin.valid() && r.Destination.valid() && r.Origin.contains(o) && r.Destination.contains(d) {
				return r.Zone, r, true
			}
		}
	}
	return "", ZoneRange{}, false
}

// String describes the range as "900-961 to 100-119: zone 5".
func (r ZoneRange) String() string {
	return fmt.Sprintf("%s to %s: zone %s", r.Origin, r.Destination, r.Zone)
}
