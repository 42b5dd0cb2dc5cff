package ship

import (
	"cmp"
	"slices"
	"strings"
)

// Source names a tracking-status vocabulary that [MapStatus] translates.
type Source string

// The vocabularies [MapStatus] knows.
const (
	// SourceEasyPost is the tracker status of EasyPost: unknown,
	// pre_transit, in_transit, out_for_delivery, delivered,
	// available_for_pickup, return_to_sender, failure, cancelled, error.
	SourceEasyPost Source = "easypost"
	// SourceShippo is the tracking status of Shippo (PRE_TRANSIT, TRANSIT,
	// DELIVERED, RETURNED, FAILURE, UNKNOWN), refined by its substatus code
	// (out_for_delivery, pickup_available, delivery_attempted, ...).
	SourceShippo Source = "shippo"
	// SourceShipEngine is the status code of ShipEngine (UN, NY, AC, IT, DE,
	// EX, AT, SP), refined by its status detail code (OUT_FOR_DELIVERY,
	// AWAITING_COLLECTION_FROM_PICKUP_POINT, RETURN_TO_SENDER, ...).
	SourceShipEngine Source = "shipengine"
)

// Sources returns the vocabularies [MapStatus] knows.
func Sources() []Source { return []Source{SourceEasyPost, SourceShippo, SourceShipEngine} }

// vocabulary is one source's mapping: its status codes, and refinements of a
// status by a detail code, keyed "STATUS/detail". Codes are stored in the
// case the source uses; lookups fold case the same way.
type vocabulary struct {
	status      map[string]Status
	refine      map[string]Status
	upperStatus bool // status codes are upper case
	upperDetail bool // detail codes are upper case
}

// vocabularies holds the mapping tables. They are read-only.
var vocabularies = map[Source]vocabulary{
	SourceEasyPost: {
		status: map[string]Status{
			"unknown":              StatusUnknown,
			"pre_transit":          StatusPreTransit,
			"in_transit":           StatusInTransit,
			"out_for_delivery":     StatusOutForDelivery,
			"delivered":            StatusDelivered,
			"available_for_pickup": StatusAvailableForPickup,
			"return_to_sender":     StatusReturnedToSender,
			"failure":              StatusDeliveryException,
			"cancelled":            StatusCancelled,
			"error":                StatusUnknown, // the tracker itself failed; nothing is known
		},
	},
	SourceShippo: {
		status: map[string]Status{
			"PRE_TRANSIT": StatusPreTransit,
			"TRANSIT":     StatusInTransit,
			"DELIVERED":   StatusDelivered,
			"RETURNED":    StatusReturnedToSender,
			"FAILURE":     StatusDeliveryException,
			"UNKNOWN":     StatusUnknown,
		},
		// TRANSIT substatuses that name a status of their own; the others
		// (package_departed, delayed, ...) stay in transit. The exceptions
		// are the substatuses Shippo flags as needing action.
		refine: map[string]Status{
			"TRANSIT/out_for_delivery":      StatusOutForDelivery,
			"TRANSIT/pickup_available":      StatusAvailableForPickup,
			"TRANSIT/address_issue":         StatusDeliveryException,
			"TRANSIT/contact_carrier":       StatusDeliveryException,
			"TRANSIT/delivery_attempted":    StatusDeliveryException,
			"TRANSIT/location_inaccessible": StatusDeliveryException,
			"TRANSIT/notice_left":           StatusDeliveryException,
			"TRANSIT/package_damaged":       StatusDeliveryException,
			"TRANSIT/reschedule_delivery":   StatusDeliveryException,
		},
		upperStatus: true,
	},
	SourceShipEngine: {
		status: map[string]Status{
			"UN": StatusUnknown,
			"NY": StatusPreTransit, // not yet in the carrier's system
			"AC": StatusInTransit,  // accepted by the carrier
			"IT": StatusInTransit,
			"DE": StatusDelivered,
			"EX": StatusDeliveryException,
			"AT": StatusDeliveryException,  // delivery attempted
			"SP": StatusAvailableForPickup, // delivered to a service point, awaiting collection
		},
		refine: map[string]Status{
			"IT/OUT_FOR_DELIVERY":                      StatusOutForDelivery,
			"IT/AWAITING_COLLECTION_FROM_PICKUP_POINT": StatusAvailableForPickup,
			"IT/COLLECT_AT_LOCAL_PO":                   StatusAvailableForPickup,
			"IT/CUSTOMER_TO_COLLECT_FROM_CARRIER":      StatusAvailableForPickup,
			"IT/DELIVERED_TO_LOCKER_COLLECTION_POINT":  StatusAvailableForPickup,
			"EX/RETURN_TO_SENDER":                      StatusReturnedToSender,
			"IT/RETURN_TO_SENDER":                      StatusReturnedToSender,
		},
		upperStatus: true,
		upperDetail: true,
	},
}

// MapStatus translates a status code of src, refined by its detail code
// (Shippo's substatus, ShipEngine's status detail; ignored for EasyPost),
// into a [Status]. Codes are matched without regard to case. A detail code
// with no refinement leaves the status as its code says, so new detail codes
// do no harm; an unknown status code, or an unknown source, returns an
// *[UnmappedError].
func MapStatus(src Source, status, detail string) (Status, error) {
	v, ok := vocabularies[src]
	if !ok {
		return "", &UnmappedError{Source: src, Status: status, Detail: detail}
	}
	code := foldCase(status, v.upperStatus)
	s, ok := v.status[code]
	if !ok {
		return "", &UnmappedError{Source: src, Status: status, Detail: detail}
	}
	if detail != "" {
		if r, ok := v.refine[code+"/"+foldCase(detail, v.upperDetail)]; ok {
			return r, nil
		}
	}
	return s, nil
}

func foldCase(s string, upper bool) string {
	if upper {
		return strings.ToUpper(s)
	}
	return strings.ToLower(s)
}

// Mapping is one row of a vocabulary: a status code, optionally refined by
// a detail code, and the [Status] it maps to.
type Mapping struct {
	Source Source
	Status string // the source's status code
	Detail string // the detail code that refines it, or empty
	To     Status
}

// Vocabulary returns every row of src's mapping table, status codes first,
// each group sorted; nil for an unknown source. The result is a copy.
func Vocabulary(src Source) []Mapping {
	v, ok := vocabularies[src]
	if !ok {
		return nil
	}
	var out []Mapping
	for code, s := range v.status {
		out = append(out, Mapping{Source: src, Status: code, To: s})
	}
	for key, s := range v.refine {
		code, detail, _ := strings.Cut(key, "/")
		out = append(out, Mapping{Source: src, Status: code, Detail: detail, To: s})
	}
	slices.SortFunc(out, func(a, b Mapping) int {
		return cmp.Or(cmp.Compare(hasDetail(a), hasDetail(b)), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Detail, b.Detail))
	})
	return out
}

// hasDetail is 1 for a refinement row, 0 for a status row.
func hasDetail(m Mapping) int {
	if m.Detail != "" {
		return 1
	}
	return 0
}

// Codes is a host's own mapping from a carrier's status codes to [Status],
// for carriers tracked directly rather than through an aggregator, such as
// the raw codes a carrier integration reports:
//
//	ups := ship.Codes{"M": ship.StatusPreTransit, "P": ship.StatusInTransit, "I": ship.StatusInTransit,
//		"O": ship.StatusOutForDelivery, "D": ship.StatusDelivered, "X": ship.StatusDeliveryException}
//
// Codes are matched exactly. A nil Codes maps nothing.
type Codes map[string]Status

// Map returns the status for code, or an *[UnmappedError] (with Source
// "codes") if the table has no valid status for it.
func (c Codes) Map(code string) (Status, error) {
	s, ok := c[code]
	if !ok || !s.Valid() {
		return "", &UnmappedError{Source: "codes", Status: code}
	}
	return s, nil
}
