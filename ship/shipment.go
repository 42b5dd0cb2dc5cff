package ship

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// ID identifies a shipment. The host assigns it; it is a code of 1 to
// [MaxCodeLen] bytes, by the rules of [fulfill.SKU.Validate].
type ID string

// Line is a quantity of one order line in a package: what the host moves to
// the order's shipped (and later delivered) quantities.
type Line struct {
	// LineID names the order line, as the host's order store does.
	LineID string `json:"line_id"`
	// SKU is the item.
	SKU fulfill.SKU `json:"sku"`
	// Quantity is the number of units, at least 1.
	Quantity int64 `json:"quantity"`
}

// Label is a purchased shipping label: what a carrier's label purchase
// returns, and what an end-of-day manifest lists.
type Label struct {
	// Ref is the label's reference at the carrier or aggregator, for voids
	// and manifests. The packages of a multi-package label share it.
	Ref string `json:"ref"`
	// TrackingNumber is the package's tracking number, unique.
	TrackingNumber string `json:"tracking_number"`
	// Carrier and Service are the carrier's codes, such as "ups" and
	// "ground". Carrier is required.
	Carrier string `json:"carrier"`
	Service string `json:"service,omitempty"`
	// Account is the shipper account the label was bought on; manifests are
	// per account.
	Account string `json:"account,omitempty"`
	// Origin is the location the package ships from. [New] fills it in from
	// the shipment when empty.
	Origin fulfill.LocationID `json:"origin,omitempty"`
	// CreatedAt is when the label was bought; required.
	CreatedAt time.Time `json:"created_at"`
	// Cost is what the label cost; the zero Money if unknown.
	Cost fulfill.Money `json:"cost"`
	// Voided reports a label voided (refunded) at the carrier.
	Voided bool `json:"voided,omitempty"`
	// ManifestID names the manifest the label is on, if any.
	ManifestID string `json:"manifest_id,omitempty"`
}

// Package is one parcel of a shipment: its box, size, mass, label and
// contents. A host fills it from a cartonization result (the box reference,
// outer dimensions, gross mass and items) and a label purchase.
type Package struct {
	// Ref names the package within the shipment, such as the box reference
	// from cartonization; unique within the shipment.
	Ref string `json:"ref"`
	// Box is the box type or packaging code, if any.
	Box string `json:"box,omitempty"`
	// Dimensions are the outer dimensions.
	Dimensions fulfill.Dimensions `json:"dimensions"`
	// Mass is the gross mass, packaging included; positive.
	Mass fulfill.Mass `json:"mass"`
	// Label is the package's shipping label.
	Label Label `json:"label"`
	// Lines are the order lines in the package, at least one.
	Lines []Line `json:"lines"`
}

// clone returns p with its own copy of Lines.
func (p Package) clone() Package {
	p.Lines = slices.Clone(p.Lines)
	return p
}

// Spec is what [New] builds a shipment from.
type Spec struct {
	ID          ID
	Order       fulfill.OrderID
	Owner       fulfill.OwnerID
	Origin      fulfill.LocationID
	Destination fulfill.Address // optional; its text always checked, the address when Line1 or Country is set
	CreatedAt   time.Time
	Packages    []Package
}

// Shipment is one or more packages sent for one order from one origin, with
// their labels, contents and tracking. Its fields are reached through
// methods; tracking changes go through [Shipment.Ingest] and
// [Shipment.Void], which keep the version. A Shipment is not safe for
// concurrent use.
type Shipment struct {
	id          ID
	order       fulfill.OrderID
	owner       fulfill.OwnerID
	origin      fulfill.LocationID
	destination fulfill.Address
	createdAt   time.Time
	packages    []Package
	tracking    []*Tracking    // parallel to packages
	byNumber    map[string]int // tracking number -> package index
	version     int64
}

// New validates spec and returns a shipment in pre-transit. Codes (the ID,
// references, tracking numbers, carrier codes) must be valid UTF-8 of at
// most [MaxCodeLen] bytes with no control characters; the destination's
// text must be valid UTF-8 without NUL characters, so that every [Store]
// can keep the shipment as given. Every problem is reported: the error
// joins *[fulfill.FieldError] values wrapping [ErrInvalidShipment], with
// fields such as "packages[1].label.tracking_number" or "destination.city".
func New(spec Spec) (*Shipment, error) {
	pkgs := make([]Package, len(spec.Packages))
	for i, p := range spec.Packages {
		pkgs[i] = p.clone()
		if pkgs[i].Label.Origin == "" {
			pkgs[i].Label.Origin = spec.Origin
		}
	}
	spec.Packages = pkgs
	if err := spec.validate(); err != nil {
		return nil, err
	}
	s := &Shipment{
		id: spec.ID, order: spec.Order, owner: spec.Owner, origin: spec.Origin,
		destination: spec.Destination, createdAt: spec.CreatedAt, packages: pkgs,
		tracking: make([]*Tracking, len(pkgs)), byNumber: make(map[string]int, len(pkgs)),
	}
	for i, p := range pkgs {
		s.tracking[i] = &Tracking{}
		s.byNumber[p.Label.TrackingNumber] = i
	}
	return s, nil
}

// validate checks a spec whose labels already have their origin filled in.
func (spec Spec) validate() error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &fulfill.FieldError{Field: field, Value: value, Reason: reason, Kind: ErrInvalidShipment})
	}
	code := func(field, v string) {
		if v == "" {
			bad(field, v, "required")
		} else if r := textProblem(v, MaxCodeLen); r != "" {
			bad(field, v, r)
		}
	}
	code("id", string(spec.ID))
	if spec.Order.IsZero() {
		bad("order", "", "required")
	}
	if err := spec.Owner.Validate(); err != nil {
		bad("owner", string(spec.Owner), "not a valid owner code")
	}
	if err := spec.Origin.Validate(); err != nil {
		bad("origin", string(spec.Origin), "not a valid location code")
	}
	if spec.Destination.Line1 != "" || spec.Destination.Country != "" {
		if err := spec.Destination.Validate(); err != nil {
			bad("destination", spec.Destination.City, err.Error())
		}
	}
	for _, f := range addressText(spec.Destination) {
		if r := freeTextProblem(f[1]); r != "" {
			bad("destination."+f[0], f[1], r)
		}
	}
	if spec.CreatedAt.IsZero() {
		bad("created_at", "", "required")
	}
	if len(spec.Packages) == 0 {
		bad("packages", "", "at least one package is required")
	}
	refs, numbers := map[string]bool{}, map[string]bool{}
	for i, p := range spec.Packages {
		f := fmt.Sprintf("packages[%d].", i)
		code(f+"ref", p.Ref)
		if refs[p.Ref] {
			bad(f+"ref", p.Ref, "duplicate package reference")
		}
		refs[p.Ref] = true
		if p.Box != "" {
			code(f+"box", p.Box)
		}
		if err := p.Dimensions.Validate(); err != nil {
			bad(f+"dimensions", p.Dimensions.String(), "sides must be positive and at most 1 km")
		}
		if p.Mass <= 0 {
			bad(f+"mass", p.Mass.String(), "must be positive")
		}
		l := p.Label
		code(f+"label.ref", l.Ref)
		code(f+"label.tracking_number", l.TrackingNumber)
		if numbers[l.TrackingNumber] {
			bad(f+"label.tracking_number", l.TrackingNumber, "duplicate tracking number")
		}
		numbers[l.TrackingNumber] = true
		code(f+"label.carrier", l.Carrier)
		for _, t := range [][2]string{{"service", l.Service}, {"account", l.Account}, {"manifest_id", l.ManifestID}} {
			if r := textProblem(t[1], MaxCodeLen); r != "" {
				bad(f+"label."+t[0], t[1], r)
			}
		}
		if l.Origin != spec.Origin {
			bad(f+"label.origin", string(l.Origin), "differs from the shipment's origin "+string(spec.Origin))
		}
		if l.CreatedAt.IsZero() {
			bad(f+"label.created_at", "", "required")
		}
		if l.Cost.Sign() < 0 {
			bad(f+"label.cost", l.Cost.String(), "must not be negative")
		}
		if l.Voided && l.ManifestID != "" {
			bad(f+"label.voided", "true", "a voided label cannot be on a manifest")
		}
		if len(p.Lines) == 0 {
			bad(f+"lines", "", "at least one line is required")
		}
		seen := map[string]bool{}
		for j, ln := range p.Lines {
			lf := fmt.Sprintf("%slines[%d].", f, j)
			code(lf+"line_id", ln.LineID)
			if seen[ln.LineID] {
				bad(lf+"line_id", ln.LineID, "line appears twice in the package")
			}
			seen[ln.LineID] = true
			if err := ln.SKU.Validate(); err != nil {
				bad(lf+"sku", string(ln.SKU), "not a valid SKU")
			}
			if ln.Quantity <= 0 {
				bad(lf+"quantity", fmt.Sprint(ln.Quantity), "must be positive")
			}
		}
	}
	return errors.Join(errs...)
}

// addressText returns the text fields of a, each as its JSON name and value.
func addressText(a fulfill.Address) [][2]string {
	return [][2]string{{"name", a.Name}, {"company", a.Company}, {"line1", a.Line1}, {"line2", a.Line2},
		{"city", a.City}, {"region", a.Region}, {"postal_code", a.PostalCode}, {"country", a.Country}, {"phone", a.Phone}}
}

// ID returns the shipment's ID.
func (s *Shipment) ID() ID { return s.id }

// Order returns the order the shipment belongs to.
func (s *Shipment) Order() fulfill.OrderID { return s.order }

// Owner returns the owner of the order.
func (s *Shipment) Owner() fulfill.OwnerID { return s.owner }

// Origin returns the location the shipment leaves from.
func (s *Shipment) Origin() fulfill.LocationID { return s.origin }

// Destination returns the delivery address, the zero Address if not given.
func (s *Shipment) Destination() fulfill.Address { return s.destination }

// CreatedAt returns when the shipment was created.
func (s *Shipment) CreatedAt() time.Time { return s.createdAt }

// Version counts the changes applied since creation; stores use it for
// optimistic concurrency. Duplicates do not change it.
func (s *Shipment) Version() int64 { return s.version }

// Packages returns copies of the packages, in the order given to [New], with
// their labels as they are now (voided, manifested).
func (s *Shipment) Packages() iter.Seq[Package] {
	return func(yield func(Package) bool) {
		for _, p := range s.packages {
			if !yield(p.clone()) {
				return
			}
		}
	}
}

// Package returns a copy of the package with reference ref.
func (s *Shipment) Package(ref string) (Package, bool) {
	for _, p := range s.packages {
		if p.Ref == ref {
			return p.clone(), true
		}
	}
	return Package{}, false
}

// Labels returns the labels of every package, in package order.
func (s *Shipment) Labels() []Label {
	out := make([]Label, len(s.packages))
	for i, p := range s.packages {
		out[i] = p.Label
	}
	return out
}

// Cost returns the sum of the label costs, or a *[fulfill.CurrencyMismatchError]
// if they are in different currencies. Voided labels count nothing.
func (s *Shipment) Cost() (fulfill.Money, error) {
	var total fulfill.Money
	for _, p := range s.packages {
		if p.Label.Voided {
			continue
		}
		var err error
		if total, err = total.Add(p.Label.Cost); err != nil {
			return fulfill.Money{}, err
		}
	}
	return total, nil
}

// Lines returns the quantities of every order line the shipment carries,
// summed over its packages, sorted by line ID and SKU. Packages whose label
// was voided carry nothing.
func (s *Shipment) Lines() []Line {
	return s.sumLines(func(int) bool { return true })
}

// DeliveredLines returns the quantities in the packages that are delivered,
// as [Shipment.Lines] does: what the host moves to delivered.
func (s *Shipment) DeliveredLines() []Line {
	return s.sumLines(func(i int) bool { return s.tracking[i].Status() == StatusDelivered })
}

func (s *Shipment) sumLines(keep func(int) bool) []Line {
	type k struct {
		id  string
		sku fulfill.SKU
	}
	sum := map[k]int64{}
	for i, p := range s.packages {
		if p.Label.Voided || !keep(i) {
			continue
		}
		for _, l := range p.Lines {
			sum[k{l.LineID, l.SKU}] += l.Quantity
		}
	}
	out := make([]Line, 0, len(sum))
	for key, q := range sum {
		out = append(out, Line{LineID: key.id, SKU: key.sku, Quantity: q})
	}
	slices.SortFunc(out, func(a, b Line) int { return cmp.Or(cmp.Compare(a.LineID, b.LineID), cmp.Compare(a.SKU, b.SKU)) })
	return out
}

// PackageStatus returns the tracking status of the package with tracking
// number tn, and false if there is none.
func (s *Shipment) PackageStatus(tn string) (Status, bool) {
	i, ok := s.byNumber[tn]
	if !ok {
		return "", false
	}
	return s.tracking[i].Status(), true
}

// Tracking returns a copy of the tracking history of the package with
// tracking number tn.
func (s *Shipment) Tracking(tn string) (*Tracking, bool) {
	i, ok := s.byNumber[tn]
	if !ok {
		return nil, false
	}
	return s.tracking[i].clone(), true
}

// Status returns the shipment's overall status, from its packages':
// cancelled if every package is; otherwise, leaving cancelled packages out,
// a delivery exception if any package has one, returned to sender if any
// package is, and else the least advanced status in the order of
// [Statuses] (so delivered only when every package is).
func (s *Shipment) Status() Status {
	var live []Status
	for _, t := range s.tracking {
		if st := t.Status(); st != StatusCancelled {
			live = append(live, st)
		}
	}
	switch {
	case len(live) == 0:
		return StatusCancelled
	case slices.Contains(live, StatusDeliveryException):
		return StatusDeliveryException
	case slices.Contains(live, StatusReturnedToSender):
		return StatusReturnedToSender
	}
	return slices.MinFunc(live, func(a, b Status) int { return cmp.Compare(a.rank(), b.rank()) })
}

// Ingest applies a tracking event to the package with the event's tracking
// number, as [Tracking.Ingest] does: duplicates are recognised and change
// nothing, events are ordered by carrier time whatever their arrival order.
// A cancellation reported by the carrier changes the status only; the
// label is marked voided by [Shipment.Void].
// An event for a tracking number the shipment does not have returns an
// error wrapping [ErrUnknownTrackingNumber]. Each new event adds one to the
// version.
func (s *Shipment) Ingest(e Event) (Change, error) {
	i, ok := s.byNumber[e.TrackingNumber]
	if !ok {
		if err := e.Validate(); err != nil {
			return Change{}, err
		}
		return Change{}, fmt.Errorf("%w: %q is not a package of shipment %s", ErrUnknownTrackingNumber, e.TrackingNumber, s.id)
	}
	c, err := s.tracking[i].Ingest(e)
	if err == nil && !c.Duplicate {
		s.version++
	}
	return c, err
}

// Void records that the label of the package with tracking number tn was
// voided at time at: the label is marked voided and the package cancelled.
// It voids one package; for a multi-package label, void each of its
// tracking numbers.
// Only a package the carrier has not scanned (pre-transit or unknown) can be
// voided, and not once it is on a manifest; otherwise the error is a
// *[TransitionError] or wraps [ErrInvalidShipment]. Voiding twice returns a
// duplicate Change. If a carrier scan dated before the void arrives later
// (the voided label was used after all), the package's status follows the
// scan, the void shows in [Tracking.Anomalies], and the label stays voided.
func (s *Shipment) Void(tn string, at time.Time) (Change, error) {
	i, ok := s.byNumber[tn]
	if !ok {
		return Change{}, fmt.Errorf("%w: %q is not a package of shipment %s", ErrUnknownTrackingNumber, tn, s.id)
	}
	p := &s.packages[i]
	from := s.tracking[i].Status()
	if p.Label.Voided {
		return Change{TrackingNumber: tn, Key: voidKey(p.Label), Duplicate: true, From: from, To: from, At: at}, nil
	}
	if p.Label.ManifestID != "" {
		return Change{}, fmt.Errorf("%w: label %q is on manifest %q", ErrInvalidShipment, p.Label.Ref, p.Label.ManifestID)
	}
	if from != StatusPreTransit && from != StatusUnknown {
		return Change{}, &TransitionError{From: from, To: StatusCancelled, Event: voidKey(p.Label), At: at}
	}
	c, err := s.tracking[i].Ingest(Event{ID: voidID(p.Label), TrackingNumber: tn, Carrier: p.Label.Carrier,
		Status: StatusCancelled, At: at, Message: "label voided"})
	if err != nil {
		return Change{}, err
	}
	p.Label.Voided = true
	s.version++
	return c, nil
}

// voidID is the ID of the synthetic event that records a void.
func voidID(l Label) string { return "void:" + l.Ref }

// voidKey is the key of that event.
func voidKey(l Label) string { return Event{ID: voidID(l)}.Key() }

// MarkManifested records that the label with reference ref (every package
// that shares it) is on manifest id. A label is on one manifest only:
// marking it again with the same id does nothing; with another id, or
// marking a voided package, returns a *[ManifestError] and marks nothing.
// The id must be a code as [New] requires of the label's fields; otherwise
// the error is a *[ManifestError] too.
func (s *Shipment) MarkManifested(ref, id string) error {
	idProblem := textProblem(id, MaxCodeLen)
	var idx []int
	for i, p := range s.packages {
		if p.Label.Ref != ref {
			continue
		}
		l := p.Label
		switch {
		case id == "":
			return &ManifestError{Label: ref, TrackingNumber: l.TrackingNumber, Reason: "empty manifest ID"}
		case idProblem != "":
			return &ManifestError{Label: ref, TrackingNumber: l.TrackingNumber, Reason: "manifest ID: " + idProblem}
		case l.Voided:
			return &ManifestError{Manifest: id, Label: ref, TrackingNumber: l.TrackingNumber, Reason: "label is voided"}
		case l.ManifestID != "" && l.ManifestID != id:
			return &ManifestError{Manifest: id, Label: ref, TrackingNumber: l.TrackingNumber, Reason: "label is already on manifest " + l.ManifestID}
		case l.ManifestID == "":
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		if !s.hasLabel(ref) {
			return fmt.Errorf("%w: no label %q in shipment %s", ErrInvalidShipment, ref, s.id)
		}
		return nil // already on manifest id
	}
	for _, i := range idx {
		s.packages[i].Label.ManifestID = id
	}
	s.version++
	return nil
}

// hasLabel reports whether a package has label reference ref.
func (s *Shipment) hasLabel(ref string) bool {
	for _, p := range s.packages {
		if p.Label.Ref == ref {
			return true
		}
	}
	return false
}

// Snapshot is the stored form of a [Shipment]: its fields and every
// tracking event. [Restore] rebuilds the shipment from it.
type Snapshot struct {
	ID          ID                 `json:"id"`
	Order       fulfill.OrderID    `json:"order"`
	Owner       fulfill.OwnerID    `json:"owner"`
	Origin      fulfill.LocationID `json:"origin"`
	Destination fulfill.Address    `json:"destination"`
	CreatedAt   time.Time          `json:"created_at"`
	Version     int64              `json:"version"`
	Packages    []Package          `json:"packages"`
	Events      []Event            `json:"events"`
}

// Snapshot returns the shipment's stored form. Events are listed package by
// package in carrier-time order.
func (s *Shipment) Snapshot() Snapshot {
	snap := Snapshot{ID: s.id, Order: s.order, Owner: s.owner, Origin: s.origin, Destination: s.destination,
		CreatedAt: s.createdAt, Version: s.version}
	for i, p := range s.packages {
		snap.Packages = append(snap.Packages, p.clone())
		snap.Events = slices.AppendSeq(snap.Events, s.tracking[i].Events())
	}
	return snap
}

// Restore rebuilds a shipment from a [Snapshot], validating it as [New] does
// and replaying its events. It fails if an event is invalid or names another
// package.
func Restore(snap Snapshot) (*Shipment, error) {
	s, err := New(Spec{ID: snap.ID, Order: snap.Order, Owner: snap.Owner, Origin: snap.Origin,
		Destination: snap.Destination, CreatedAt: snap.CreatedAt, Packages: snap.Packages})
	if err != nil {
		return nil, err
	}
	for _, e := range snap.Events {
		if _, err := s.Ingest(e); err != nil {
			return nil, fmt.Errorf("ship: restore %s: %w", snap.ID, err)
		}
	}
	s.version = snap.Version
	return s, nil
}
