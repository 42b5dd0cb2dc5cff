package ship

import "time"

// ts parses an RFC 3339 time for test literals.
func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
