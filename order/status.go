package order

import "fmt"

// Status is an order's lifecycle stage. It is never stored on its own: the
// order derives it from its quantity ledger, its confirmation, its holds and
// whether it is closed (see [Order.Status]), so it cannot drift from the
// quantities. The string values are stable and safe to persist.
type Status string

// The statuses, in the order of progress. Each lists the commands that leave
// it; the full table, with the reason for every refusal, is returned by
// [Transitions] and drawn in the package documentation.
const (
	// StatusPending: placed and awaiting confirmation (payment, approval).
	// Exits: confirm, cancel, expire, edit, hold. Not terminal.
	StatusPending Status = "pending"
	// StatusConfirmed: confirmed, nothing allocated or backordered yet.
	// Exits: allocate, backorder, cancel, edit, hold. Not terminal.
	StatusConfirmed Status = "confirmed"
	// StatusBackordered: some units wait for stock and none is allocated.
	// Exits: allocate, backorder, cancel, edit, hold. Not terminal.
	StatusBackordered Status = "backordered"
	// StatusPartiallyAllocated: some units are allocated (or further along)
	// and some are not, and nothing is picked or shipped.
	// Exits: allocate, pick, pack, ship, cancel, edit, hold, split, move, merge.
	StatusPartiallyAllocated Status = "partially_allocated"
	// StatusAllocated: every unit is allocated to a location; none picked.
	// Exits: pick, pack, ship, cancel, edit, hold, split, move, merge.
	StatusAllocated Status = "allocated"
	// StatusInProgress: some units are picked or packed; none shipped.
	// Exits: pick, pack, ship, cancel, allocate, hold, split, move, merge.
	StatusInProgress Status = "in_progress"
	// StatusPartiallyShipped: some units shipped, some not yet.
	// Exits: ship, deliver, cancel, return, hold and the earlier steps for the rest.
	StatusPartiallyShipped Status = "partially_shipped"
	// StatusShipped: every unit shipped, none delivered. Exits: deliver,
	// request_return, record_return, hold.
	StatusShipped Status = "shipped"
	// StatusPartiallyDelivered: some shipped units are delivered, not all units.
	// Exits: deliver, return, and the earlier steps for the rest.
	StatusPartiallyDelivered Status = "partially_delivered"
	// StatusDelivered: every unit delivered. Exits: close, request_return,
	// record_return, hold.
	StatusDelivered Status = "delivered"
	// StatusPartiallyReturned: some shipped units came back, not all.
	// Exits: record_return, request_return, deliver, close, hold.
	StatusPartiallyReturned Status = "partially_returned"
	// StatusReturned: every unit shipped came back. Exits: close, hold.
	StatusReturned Status = "returned"
	// StatusOnHold: at least one hold is active. It hides the status below
	// it until every hold is released. Exits: release, and the commands a
	// hold does not block (cancel, edit, allocate, deliver, returns, ...).
	StatusOnHold Status = "on_hold"
	// StatusCancelled: every unit is cancelled. Exits: close. Terminal
	// apart from closing.
	StatusCancelled Status = "cancelled"
	// StatusClosed: archived; nothing more happens. Exit: reopen. Terminal
	// unless reopened.
	StatusClosed Status = "closed"
)

// statuses lists every status in progress order.
var statuses = []Status{
	StatusPending, StatusConfirmed, StatusBackordered, StatusPartiallyAllocated, StatusAllocated,
	StatusInProgress, StatusPartiallyShipped, StatusShipped, StatusPartiallyDelivered, StatusDelivered,
	StatusPartiallyReturned, StatusReturned, StatusOnHold, StatusCancelled, StatusClosed,
}

// Statuses returns every status, in progress order.
func Statuses() []Status { return append([]Status(nil), statuses...) }

// Valid reports whether s is one of the statuses of this package.
func (s Status) Valid() bool {
	for _, v := range statuses {
		if v == s {
			return true
		}
	}
	return false
}

// String returns the stable name, such as "partially_shipped".
func (s Status) String() string { return string(s) }

// MarshalText encodes s; it refuses an unknown status.
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, invalid("status", string(s), "unknown status")
	}
	return []byte(s), nil
}

// UnmarshalText decodes a status name, rejecting unknown values with a
// *[fulfill.FieldError] of kind [ErrInvalidOrder].
func (s *Status) UnmarshalText(b []byte) error {
	v := Status(b)
	if !v.Valid() {
		return invalid("status", string(b), "unknown status")
	}
	*s = v
	return nil
}

// rank orders the progress statuses; on_hold has no rank of its own.
func (s Status) rank() int {
	for i, v := range statuses {
		if v == s {
			return i
		}
	}
	return -1
}

// Bucket names one quantity of a line's ledger.
type Bucket string

// The buckets of a line's ledger. See [Quantities].
const (
	BucketOrdered         Bucket = "ordered"
	BucketUnallocated     Bucket = "unallocated"
	BucketCancelled       Bucket = "cancelled"
	BucketBackordered     Bucket = "backordered"
	BucketAllocated       Bucket = "allocated"
	BucketPicked          Bucket = "picked"
	BucketPacked          Bucket = "packed"
	BucketShipped         Bucket = "shipped"
	BucketDelivered       Bucket = "delivered"
	BucketReturnRequested Bucket = "return_requested"
	BucketReturned        Bucket = "returned"
)

// Quantities is the ledger of one line, in units. The in-flight buckets
// (Backordered, Allocated, Picked, Packed) hold the units currently at that
// step; Shipped, Delivered and Returned count units ever shipped, delivered
// and returned; ReturnRequested counts units a return was requested for and
// that have not come back yet. The conservation rules are listed in the
// package documentation and checked by [Order.CheckInvariants].
type Quantities struct {
	Ordered         int64 `json:"ordered"`
	Cancelled       int64 `json:"cancelled"`
	Backordered     int64 `json:"backordered"`
	Allocated       int64 `json:"allocated"`
	Picked          int64 `json:"picked"`
	Packed          int64 `json:"packed"`
	Shipped         int64 `json:"shipped"`
	Delivered       int64 `json:"delivered"`
	ReturnRequested int64 `json:"return_requested"`
	Returned        int64 `json:"returned"`
}

// Live returns the units not cancelled: Ordered - Cancelled.
func (q Quantities) Live() int64 { return q.Ordered - q.Cancelled }

// Unallocated returns the live units not yet backordered, allocated, picked,
// packed or shipped.
func (q Quantities) Unallocated() int64 {
	return q.Ordered - q.Cancelled - q.Backordered - q.Allocated - q.Picked - q.Packed - q.Shipped
}

// Unshipped returns the live units not yet shipped: the units a cancel may
// still take.
func (q Quantities) Unshipped() int64 { return q.Live() - q.Shipped }

// InFlight returns the units allocated, picked or packed: at a location and
// not yet shipped.
func (q Quantities) InFlight() int64 { return q.Allocated + q.Picked + q.Packed }

// add returns q + o, bucket by bucket.
func (q Quantities) add(o Quantities) Quantities {
	return Quantities{
		Ordered: q.Ordered + o.Ordered, Cancelled: q.Cancelled + o.Cancelled,
		Backordered: q.Backordered + o.Backordered, Allocated: q.Allocated + o.Allocated,
		Picked: q.Picked + o.Picked, Packed: q.Packed + o.Packed, Shipped: q.Shipped + o.Shipped,
		Delivered: q.Delivered + o.Delivered, ReturnRequested: q.ReturnRequested + o.ReturnRequested,
		Returned: q.Returned + o.Returned,
	}
}

// String lists the non-zero buckets.
func (q Quantities) String() string {
	return fmt.Sprintf("ordered=%d cancelled=%d unallocated=%d backordered=%d allocated=%d picked=%d packed=%d shipped=%d delivered=%d return_requested=%d returned=%d",
		q.Ordered, q.Cancelled, q.Unallocated(), q.Backordered, q.Allocated, q.Picked, q.Packed, q.Shipped, q.Delivered, q.ReturnRequested, q.Returned)
}

// deriveStatus is the pure function behind [Order.Status]: the ledger total
// q, whether the order is confirmed and closed, and whether a hold is active.
func deriveStatus(q Quantities, confirmed, closed, held bool) Status {
	live := q.Live()
	switch {
	case closed:
		return StatusClosed
	case live <= 0:
		return StatusCancelled
	case held:
		return StatusOnHold
	}
	return progressStatus(q, confirmed)
}

// progressStatus is the status ignoring holds, closing and cancellation.
func progressStatus(q Quantities, confirmed bool) Status {
	live := q.Live()
	switch {
	case !confirmed:
		return StatusPending
	case q.Returned > 0:
		if q.Returned >= q.Shipped && q.Shipped == live {
			return StatusReturned
		}
		return StatusPartiallyReturned
	case q.Delivered > 0:
		if q.Delivered == live {
			return StatusDelivered
		}
		return StatusPartiallyDelivered
	case q.Shipped > 0:
		if q.Shipped == live {
			return StatusShipped
		}
		return StatusPartiallyShipped
	case q.Picked+q.Packed > 0:
		return StatusInProgress
	case q.Allocated > 0:
		if q.Allocated == live {
			return StatusAllocated
		}
		return StatusPartiallyAllocated
	case q.Backordered > 0:
		return StatusBackordered
	}
	return StatusConfirmed
}
