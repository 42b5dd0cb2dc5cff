package ship

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fulfillkit/fulfill"
)

// ManifestOptions are the rules [BuildManifests] and [ValidateManifests]
// apply. The zero ManifestOptions reckons dates in UTC with no size limit.
type ManifestOptions struct {
	// TimeZones gives each origin's time zone, in which a label's creation
	// time gives the day it ships. An origin not listed uses UTC.
	TimeZones map[fulfill.LocationID]*time.Location
	// MaxLabels splits a group into manifests of at most this many
	// packages, as carriers that cap a manifest's size require, never
	// splitting the packages of one label. Zero means no limit.
	MaxLabels int
}

// dateOf returns the ship day of l.
func (o ManifestOptions) dateOf(l Label) Date {
	loc := o.TimeZones[l.Origin]
	if loc == nil {
		loc = time.UTC
	}
	return DateOf(l.CreatedAt.In(loc))
}

// Manifest is an end-of-day manifest: the labels of one carrier account,
// from one origin, for one day, that the carrier's driver scans as one.
type Manifest struct {
	// ID is "carrier/account/origin/date", with "#2", "#3", ... for the
	// further parts of a group split by [ManifestOptions.MaxLabels].
	ID      string             `json:"id"`
	Carrier string             `json:"carrier"`
	Account string             `json:"account,omitempty"`
	Origin  fulfill.LocationID `json:"origin"`
	Date    Date               `json:"date"`
	// Labels are the packages' labels on the manifest, by creation time
	// (the packages of a label together), each with ManifestID set to ID.
	Labels []Label `json:"labels"`
}

// Total returns the sum of the label costs, or a
// *[fulfill.CurrencyMismatchError].
func (m Manifest) Total() (fulfill.Money, error) {
	var t fulfill.Money
	for _, l := range m.Labels {
		var err error
		if t, err = t.Add(l.Cost); err != nil {
			return fulfill.Money{}, err
		}
	}
	return t, nil
}

// ManifestBatch is the result of [BuildManifests].
type ManifestBatch struct {
	// Manifests are sorted by carrier, account, origin, date and part.
	Manifests []Manifest
	// Skipped lists the labels left out (voided, or already on a manifest),
	// each as a *[ManifestError] saying why, in input order.
	Skipped []*ManifestError
}

type manifestKey struct {
	carrier, account string
	origin           fulfill.LocationID
	date             Date
}

// BuildManifests groups labels into end-of-day manifests by carrier,
// account, origin and the day each label was created in its origin's time
// zone. Voided labels and labels already on a manifest are left out and
// listed in Skipped; every other label is on exactly one manifest.
//
// Each element of labels is one package's label; the packages of a
// multi-package label share its reference and land on the same manifest.
// Labels must be usable: a reference, tracking number, carrier, origin and
// creation time each, no tracking number twice, and the packages of one
// label in one group. Otherwise nothing is built and the error joins
// *[ManifestError] values.
func BuildManifests(labels []Label, opts ManifestOptions) (ManifestBatch, error) {
	if err := checkLabels(labels, opts); err != nil {
		return ManifestBatch{}, err
	}
	var b ManifestBatch
	groups := map[manifestKey][]Label{}
	for _, l := range labels {
		switch {
		case l.Voided:
			b.Skipped = append(b.Skipped, &ManifestError{Label: l.Ref, TrackingNumber: l.TrackingNumber, Reason: "voided"})
			continue
		case l.ManifestID != "":
			b.Skipped = append(b.Skipped, &ManifestError{Label: l.Ref, TrackingNumber: l.TrackingNumber, Reason: "already on manifest " + l.ManifestID})
			continue
		}
		k := manifestKey{l.Carrier, l.Account, l.Origin, opts.dateOf(l)}
		groups[k] = append(groups[k], l)
	}
	for k, ls := range groups {
		chunks, err := chunkLabels(ls, opts.MaxLabels)
		if err != nil {
			return ManifestBatch{}, err
		}
		base := fmt.Sprintf("%s/%s/%s/%s", k.carrier, k.account, k.origin, k.date)
		for part, chunk := range chunks {
			id := base
			if part > 0 {
				id = fmt.Sprintf("%s#%d", base, part+1)
			}
			m := Manifest{ID: id, Carrier: k.carrier, Account: k.account, Origin: k.origin, Date: k.date, Labels: chunk}
			for i := range m.Labels {
				m.Labels[i].ManifestID = id
			}
			b.Manifests = append(b.Manifests, m)
		}
	}
	slices.SortFunc(b.Manifests, func(a, b Manifest) int {
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Account, b.Account),
			cmp.Compare(a.Origin, b.Origin), a.Date.Compare(b.Date), cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID))
	})
	return b, nil
}

// chunkLabels orders one group's labels by creation time (the packages of
// a label together, from its first) and cuts them into manifests of at most
// max packages (0: one manifest), never splitting a label.
func chunkLabels(ls []Label, max int) ([][]Label, error) {
	first := map[string]time.Time{}
	for _, l := range ls {
		if t, ok := first[l.Ref]; !ok || l.CreatedAt.Before(t) {
			first[l.Ref] = l.CreatedAt
		}
	}
	ls = slices.Clone(ls)
	slices.SortFunc(ls, func(a, b Label) int {
		return cmp.Or(first[a.Ref].Compare(first[b.Ref]), cmp.Compare(a.Ref, b.Ref),
			a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.TrackingNumber, b.TrackingNumber))
	})
	if max <= 0 {
		return [][]Label{ls}, nil
	}
	var out [][]Label
	var cur []Label
	for i := 0; i < len(ls); {
		j := i + 1
		for j < len(ls) && ls[j].Ref == ls[i].Ref {
			j++
		}
		unit := ls[i:j]
		if len(unit) > max {
			return nil, &ManifestError{Label: ls[i].Ref, Reason: fmt.Sprintf("label has %d packages, more than the %d a manifest may hold", len(unit), max)}
		}
		if len(cur)+len(unit) > max {
			out, cur = append(out, cur), nil
		}
		cur = append(cur, unit...)
		i = j
	}
	return append(out, cur), nil
}

// checkLabels reports labels that cannot be manifested or are given twice.
func checkLabels(labels []Label, opts ManifestOptions) error {
	if opts.MaxLabels < 0 {
		return &ManifestError{Reason: fmt.Sprintf("max labels %d is negative", opts.MaxLabels)}
	}
	var errs []error
	numbers := map[string]bool{}
	groups := map[string]manifestKey{} // label reference -> the group of its first package
	for _, l := range labels {
		bad := func(reason string) {
			errs = append(errs, &ManifestError{Label: l.Ref, TrackingNumber: l.TrackingNumber, Reason: reason})
		}
		for _, f := range [][2]string{{"reference", l.Ref}, {"tracking number", l.TrackingNumber}, {"carrier", l.Carrier}, {"origin", string(l.Origin)}} {
			if f[1] == "" {
				bad(f[0] + " is required")
			} else if r := textProblem(f[1], MaxCodeLen); r != "" {
				bad(f[0] + ": " + r)
			}
		}
		if r := textProblem(l.Account, MaxCodeLen); r != "" {
			bad("account: " + r)
		}
		if l.CreatedAt.IsZero() {
			bad("creation time is required")
		}
		if l.TrackingNumber != "" && numbers[l.TrackingNumber] {
			bad("tracking number given twice")
		}
		numbers[l.TrackingNumber] = true
		// The packages of one label go on one manifest, so they must agree.
		k := manifestKey{l.Carrier, l.Account, l.Origin, opts.dateOf(l)}
		if g, ok := groups[l.Ref]; ok && g != k {
			bad(fmt.Sprintf("packages of one label differ in carrier, account, origin or day (%s/%s/%s/%s and %s/%s/%s/%s)",
				g.carrier, g.account, g.origin, g.date, k.carrier, k.account, k.origin, k.date))
		} else if !ok {
			groups[l.Ref] = k
		}
	}
	return errors.Join(errs...)
}

// ValidateManifests checks a set of manifests offline against the rules of
// opts, as a carrier would on receiving them: every manifest has a unique
// ID and at least one label, and no more than MaxLabels; its labels share
// its carrier, account and origin and were created on its date in the
// origin's time zone; no label is voided or names another manifest; no
// package (by tracking number) is listed twice; and the packages of one
// label (by reference) are all on the same manifest. Every
// violation is reported, joined, as a *[ManifestError].
func ValidateManifests(ms []Manifest, opts ManifestOptions) error {
	var errs []error
	ids := map[string]bool{}
	refs, numbers := map[string]string{}, map[string]string{}
	for _, m := range ms {
		bad := func(l Label, reason string) {
			errs = append(errs, &ManifestError{Manifest: m.ID, Label: l.Ref, TrackingNumber: l.TrackingNumber, Reason: reason})
		}
		switch {
		case m.ID == "":
			bad(Label{}, "manifest ID is required")
		case ids[m.ID]:
			bad(Label{}, "manifest ID used twice")
		}
		ids[m.ID] = true
		if len(m.Labels) == 0 {
			bad(Label{}, "manifest has no label")
		}
		if opts.MaxLabels > 0 && len(m.Labels) > opts.MaxLabels {
			bad(Label{}, fmt.Sprintf("%d labels, more than %d", len(m.Labels), opts.MaxLabels))
		}
		for _, l := range m.Labels {
			if l.Carrier != m.Carrier || l.Account != m.Account || l.Origin != m.Origin {
				bad(l, fmt.Sprintf("carrier/account/origin %s/%s/%s differ from the manifest's", l.Carrier, l.Account, l.Origin))
			}
			if d := opts.dateOf(l); d != m.Date {
				bad(l, fmt.Sprintf("created on %s, manifest is for %s", d, m.Date))
			}
			if l.Voided {
				bad(l, "voided")
			}
			if l.ManifestID != "" && l.ManifestID != m.ID {
				bad(l, "belongs to manifest "+l.ManifestID)
			}
			if other, ok := refs[l.Ref]; ok && other != m.ID {
				bad(l, "label also on manifest "+other)
			}
			if other, ok := numbers[l.TrackingNumber]; ok && l.TrackingNumber != "" {
				bad(l, "package also on manifest "+other)
			}
			refs[l.Ref], numbers[l.TrackingNumber] = m.ID, m.ID
		}
	}
	return errors.Join(errs...)
}
