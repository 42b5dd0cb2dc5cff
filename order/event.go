package order

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/google/uuid"
)

// EventType is the stable name of a kind of event, safe to persist and to
// route on: "order.placed", "order.shipped", ...
type EventType string

// The event types, one per command.
const (
	EventPlaced          EventType = "order.placed"
	EventConfirmed       EventType = "order.confirmed"
	EventAllocated       EventType = "order.allocated"
	EventBackordered     EventType = "order.backordered"
	EventPicked          EventType = "order.picked"
	EventPacked          EventType = "order.packed"
	EventShipped         EventType = "order.shipped"
	EventDelivered       EventType = "order.delivered"
	EventCancelled       EventType = "order.cancelled"
	EventHeld            EventType = "order.held"
	EventReleased        EventType = "order.released"
	EventEdited          EventType = "order.edited"
	EventExpired         EventType = "order.expired"
	EventReopened        EventType = "order.reopened"
	EventClosed          EventType = "order.closed"
	EventReturnRequested EventType = "order.return_requested"
	EventReturned        EventType = "order.returned"
	EventReturnWithdrawn EventType = "order.return_withdrawn"
	EventSplit           EventType = "order.fulfillment_split"
	EventMoved           EventType = "order.fulfillment_moved"
	EventMerged          EventType = "order.fulfillment_merged"
)

// Event is one change to an order. Its Data says what happened, in full:
// replaying the events of an order with [Replay] rebuilds it exactly.
// Events encode to JSON as {"id", "order_id", "owner", "version", "type",
// "at", "data"}.
type Event struct {
	// ID is derived from the order ID and Version, so it is the same every
	// time the event is produced, replayed or re-read: consumers can use it
	// to drop duplicates.
	ID      uuid.UUID
	OrderID fulfill.OrderID
	Owner   fulfill.OwnerID
	Version int64     // the order's version after this event: 1 for the placing event
	At      time.Time // when it happened, from the clock given to the command
	Data    EventData // one of the event data types of this package
}

// Type returns the event's type, or "" if it has no data.
func (e Event) Type() EventType {
	if e.Data == nil {
		return ""
	}
	return e.Data.EventType()
}

// EventData is what happened: one of [Placed], [Confirmed], [Allocated],
// [Backordered], [Picked], [Packed], [Shipped], [Delivered], [Cancelled],
// [Held], [Released], [Edited], [Expired], [Reopened], [Closed],
// [ReturnRequested], [Returned], [ReturnWithdrawn], [Split], [Moved] or
// [Merged]. The set is closed.
type EventData interface {
	EventType() EventType
	apply(o *Order, e *Event) error
}

// eventID derives the stable ID of version v of order id.
func eventID(id fulfill.OrderID, v int64) uuid.UUID {
	return uuid.NewSHA1(uuid.UUID(id), strconv.AppendInt(nil, v, 10))
}

// eventJSON is the wire form of an Event.
type eventJSON struct {
	ID      uuid.UUID       `json:"id"`
	OrderID fulfill.OrderID `json:"order_id"`
	Owner   fulfill.OwnerID `json:"owner"`
	Version int64           `json:"version"`
	Type    EventType       `json:"type"`
	At      time.Time       `json:"at"`
	Data    json.RawMessage `json:"data"`
}

// MarshalJSON encodes e with its type name beside its data.
func (e Event) MarshalJSON() ([]byte, error) {
	if e.Data == nil {
		return nil, &EventError{Version: e.Version, Err: fmt.Errorf("no data")}
	}
	data, err := json.Marshal(e.Data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(eventJSON{ID: e.ID, OrderID: e.OrderID, Owner: e.Owner, Version: e.Version, Type: e.Data.EventType(), At: e.At, Data: data})
}

// UnmarshalJSON decodes the form MarshalJSON writes. An unknown type or an
// unknown field returns an *[EventError].
func (e *Event) UnmarshalJSON(b []byte) error {
	var w eventJSON
	if err := strictDecode(b, &w); err != nil {
		return &EventError{Err: err}
	}
	data := newEventData(w.Type)
	if data == nil {
		return &EventError{Version: w.Version, Type: w.Type, Err: fmt.Errorf("unknown event type %q", w.Type)}
	}
	if err := strictDecode(w.Data, data); err != nil {
		return &EventError{Version: w.Version, Type: w.Type, Err: err}
	}
	*e = Event{ID: w.ID, OrderID: w.OrderID, Owner: w.Owner, Version: w.Version, At: w.At, Data: derefData(data)}
	return nil
}

// strictDecode decodes one JSON value into v, refusing unknown fields and
// trailing data.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after JSON value")
	}
	return nil
}

// newEventData returns a pointer to a zero data value of type t, or nil.
func newEventData(t EventType) any {
	switch t {
	case EventPlaced:
		return &Placed{}
	case EventConfirmed:
		return &Confirmed{}
	case EventAllocated:
		return &Allocated{}
	case EventBackordered:
		return &Backordered{}
	case EventPicked:
		return &Picked{}
	case EventPacked:
		return &Packed{}
	case EventShipped:
		return &Shipped{}
	case EventDelivered:
		return &Delivered{}
	case EventCancelled:
		return &Cancelled{}
	case EventHeld:
		return &Held{}
	case EventReleased:
		return &Released{}
	case EventEdited:
		return &Edited{}
	case EventExpired:
		return &Expired{}
	case EventReopened:
		return &Reopened{}
	case EventClosed:
		return &Closed{}
	case EventReturnRequested:
		return &ReturnRequested{}
	case EventReturned:
		return &Returned{}
	case EventReturnWithdrawn:
		return &ReturnWithdrawn{}
	case EventSplit:
		return &Split{}
	case EventMoved:
		return &Moved{}
	case EventMerged:
		return &Merged{}
	}
	return nil
}

// derefData turns the pointer from newEventData into the value type that
// commands produce.
func derefData(p any) EventData {
	switch d := p.(type) {
	case *Placed:
		return *d
	case *Confirmed:
		return *d
	case *Allocated:
		return *d
	case *Backordered:
		return *d
	case *Picked:
		return *d
	case *Packed:
		return *d
	case *Shipped:
		return *d
	case *Delivered:
		return *d
	case *Cancelled:
		return *d
	case *Held:
		return *d
	case *Released:
		return *d
	case *Edited:
		return *d
	case *Expired:
		return *d
	case *Reopened:
		return *d
	case *Closed:
		return *d
	case *ReturnRequested:
		return *d
	case *Returned:
		return *d
	case *ReturnWithdrawn:
		return *d
	case *Split:
		return *d
	case *Moved:
		return *d
	case *Merged:
		return *d
	}
	return nil
}

// Replay rebuilds an order from its events, which must start with a
// [Placed] event at version 1 and continue without gaps, all for one order
// and owner. Every event is checked as it is applied, and the ledger's
// invariants after each; a bad sequence returns an *[EventError].
func Replay(events []Event) (*Order, error) {
	if len(events) == 0 {
		return nil, &EventError{Err: fmt.Errorf("no events")}
	}
	if _, ok := events[0].Data.(Placed); !ok {
		return nil, &EventError{Version: events[0].Version, Type: events[0].Type(), Err: fmt.Errorf("first event is not %s", EventPlaced)}
	}
	o := &Order{}
	for i := range events {
		if err := o.applyEvent(&events[i]); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// applyEvent checks that e is the next event of o, applies it and checks
// the invariants. On error o may be half changed: callers apply to a copy.
func (o *Order) applyEvent(e *Event) error {
	fail := func(err error) error { return &EventError{Version: e.Version, Type: e.Type(), Err: err} }
	if e.Data == nil {
		return fail(fmt.Errorf("no data"))
	}
	if e.Version != o.version+1 {
		return fail(fmt.Errorf("version %d does not follow %d", e.Version, o.version))
	}
	if o.version > 0 && (e.OrderID != o.id || e.Owner != o.owner) {
		return fail(fmt.Errorf("event belongs to order %s of owner %q, not %s of %q", e.OrderID, e.Owner, o.id, o.owner))
	}
	if _, placed := e.Data.(Placed); placed != (o.version == 0) {
		return fail(fmt.Errorf("%s must be the first event and only the first", EventPlaced))
	}
	if err := e.Data.apply(o, e); err != nil {
		return fail(err)
	}
	o.version = e.Version
	o.updated = e.At
	if err := o.CheckInvariants(); err != nil {
		return fail(err)
	}
	return nil
}
