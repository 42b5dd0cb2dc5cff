package postgres

import (
	"math"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/inventory"
)

// Times are stored as nanoseconds since the Unix epoch, which keeps them
// exact; the range is that of an int64 of nanoseconds (1678 to 2262).
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// nsOf returns t as nanoseconds, nil for the zero time, or an error wrapping
// err for a time out of range.
func nsOf(field string, t time.Time, kind error) (*int64, error) {
	if t.IsZero() {
		return nil, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return nil, &fulfill.FieldError{Field: field, Value: t.Format(time.RFC3339Nano), Reason: "outside the years 1678 to 2262 the store can hold", Kind: kind}
	}
	ns := t.UnixNano()
	return &ns, nil
}

// timeOf returns the time of a stored nanosecond count, in UTC; nil is the
// zero time.
func timeOf(ns *int64) time.Time {
	if ns == nil {
		return time.Time{}
	}
	return time.Unix(0, *ns).UTC()
}

// refCols returns the stored columns of a reference.
func refCols(r inventory.Reference) (typ, id, order string) {
	if !r.Order.IsZero() {
		order = r.Order.String()
	}
	return string(r.Type), r.ID, order
}

// refOf decodes a reference from its stored columns.
func refOf(typ, id, order string) (inventory.Reference, error) {
	r := inventory.Reference{Type: inventory.RefType(typ), ID: id}
	if order != "" {
		o, err := fulfill.ParseOrderID(order)
		if err != nil {
			return r, corrupt("reference order", err)
		}
		r.Order = o
	}
	return r, nil
}

// itoa formats an int64.
func itoa(v int64) string { return strconv.FormatInt(v, 10) }
