package ship

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lbl(ref, carrier, account string, origin fulfill.LocationID, created string) Label {
	return Label{Ref: ref, TrackingNumber: "T-" + ref, Carrier: carrier, Service: "ground", Account: account,
		Origin: origin, CreatedAt: ts(created), Cost: fulfill.MustMoney("5.00", "USD")}
}

func manifestOpts(t testing.TB) ManifestOptions {
	return ManifestOptions{TimeZones: map[fulfill.LocationID]*time.Location{"WH-EAST": loadLoc(t, "America/New_York")}}
}

func TestBuildManifests(t *testing.T) {
	voided := lbl("v", "ups", "A1", "WH-EAST", "2026-11-23T15:00:00Z")
	voided.Voided = true
	done := lbl("m", "ups", "A1", "WH-EAST", "2026-11-23T15:00:00Z")
	done.ManifestID = "earlier"
	labels := []Label{
		lbl("b", "ups", "A1", "WH-EAST", "2026-11-23T16:00:00Z"),
		lbl("a", "ups", "A1", "WH-EAST", "2026-11-23T15:00:00Z"),
		lbl("late", "ups", "A1", "WH-EAST", "2026-11-24T04:30:00Z"), // 23:30 in New York: still the 23rd
		lbl("next", "ups", "A1", "WH-EAST", "2026-11-24T05:30:00Z"), // 00:30 on the 24th
		lbl("acct2", "ups", "A2", "WH-EAST", "2026-11-23T15:00:00Z"),
		lbl("usps", "usps", "P1", "WH-EAST", "2026-11-23T15:00:00Z"),
		lbl("west", "ups", "A1", "WH-WEST", "2026-11-24T04:30:00Z"), // no time zone given: UTC, the 24th
		voided, done,
	}
	b, err := BuildManifests(labels, manifestOpts(t))
	require.NoError(t, err)
	var got []string
	for _, m := range b.Manifests {
		var refs []string
		for _, l := range m.Labels {
			refs = append(refs, l.Ref)
			assert.Equal(t, m.ID, l.ManifestID)
		}
		got = append(got, fmt.Sprintf("%s %v", m.ID, refs))
	}
	assert.Equal(t, []string{
		"ups/A1/WH-EAST/2026-11-23 [a b late]",
		"ups/A1/WH-EAST/2026-11-24 [next]",
		"ups/A1/WH-WEST/2026-11-24 [west]",
		"ups/A2/WH-EAST/2026-11-23 [acct2]",
		"usps/P1/WH-EAST/2026-11-23 [usps]",
	}, got)
	require.Len(t, b.Skipped, 2)
	assert.Equal(t, "v", b.Skipped[0].Label)
	assert.Equal(t, "voided", b.Skipped[0].Reason)
	assert.Equal(t, "m", b.Skipped[1].Label)
	require.NoError(t, ValidateManifests(b.Manifests, manifestOpts(t)))
	total, err := b.Manifests[0].Total()
	require.NoError(t, err)
	assert.Equal(t, "15.00 USD", total.String())
	assert.False(t, labels[0].ManifestID != "", "input labels are not modified")
}

func TestBuildManifestsSplit(t *testing.T) {
	var labels []Label
	for i := range 5 {
		labels = append(labels, lbl(fmt.Sprintf("l%d", i), "usps", "P1", "WH-EAST", fmt.Sprintf("2026-11-23T15:0%d:00Z", i)))
	}
	opts := manifestOpts(t)
	opts.MaxLabels = 2
	b, err := BuildManifests(labels, opts)
	require.NoError(t, err)
	require.Len(t, b.Manifests, 3)
	assert.Equal(t, []string{"usps/P1/WH-EAST/2026-11-23", "usps/P1/WH-EAST/2026-11-23#2", "usps/P1/WH-EAST/2026-11-23#3"},
		[]string{b.Manifests[0].ID, b.Manifests[1].ID, b.Manifests[2].ID})
	assert.Len(t, b.Manifests[2].Labels, 1)
	require.NoError(t, ValidateManifests(b.Manifests, opts))
	opts.MaxLabels = 1
	assert.ErrorIs(t, ValidateManifests(b.Manifests, opts), ErrInvalidManifest)
	opts.MaxLabels = -1
	_, err = BuildManifests(labels, opts)
	assert.ErrorIs(t, err, ErrInvalidManifest)
}

func TestBuildManifestsRejectsBadInput(t *testing.T) {
	ok := lbl("a", "ups", "A1", "WH-EAST", "2026-11-23T15:00:00Z")
	twin := lbl("a", "ups", "A2", "WH-EAST", "2026-11-23T16:00:00Z") // a package of label a, on another account
	twin.TrackingNumber = "other"
	sameNumber := lbl("c", "ups", "A1", "WH-EAST", "2026-11-23T16:00:00Z")
	sameNumber.TrackingNumber = ok.TrackingNumber
	noCarrier := lbl("d", "", "A1", "WH-EAST", "2026-11-23T16:00:00Z")
	noTime := lbl("e", "ups", "A1", "WH-EAST", "2026-11-23T16:00:00Z")
	noTime.CreatedAt = time.Time{}
	_, err := BuildManifests([]Label{ok, twin, sameNumber, noCarrier, noTime}, ManifestOptions{})
	require.Error(t, err)
	var reasons []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		me, isME := errors.AsType[*ManifestError](e)
		require.True(t, isME)
		reasons = append(reasons, me.Label+": "+me.Reason)
	}
	assert.Equal(t, []string{
		"a: packages of one label differ in carrier, account, origin or day (ups/A1/WH-EAST/2026-11-23 and ups/A2/WH-EAST/2026-11-23)",
		"c: tracking number given twice",
		"d: carrier is required",
		"e: creation time is required",
	}, reasons)
}

func TestValidateManifestsCatchesTampering(t *testing.T) {
	opts := manifestOpts(t)
	build := func() []Manifest {
		b, err := BuildManifests([]Label{
			lbl("a", "ups", "A1", "WH-EAST", "2026-11-23T15:00:00Z"),
			lbl("b", "ups", "A1", "WH-EAST", "2026-11-23T16:00:00Z"),
			lbl("c", "ups", "A2", "WH-EAST", "2026-11-23T16:00:00Z"),
		}, opts)
		require.NoError(t, err)
		return b.Manifests
	}
	tests := []struct {
		name   string
		tamper func([]Manifest) []Manifest
		reason string
	}{
		{"label on two manifests", func(ms []Manifest) []Manifest {
			l := ms[0].Labels[0]
			l.ManifestID = ""
			l.Account = "A2"
			ms[1].Labels = append(ms[1].Labels, l)
			return ms
		}, "label also on manifest ups/A1/WH-EAST/2026-11-23"},
		{"package on two manifests", func(ms []Manifest) []Manifest {
			l := ms[0].Labels[0]
			l.ManifestID, l.Account, l.Ref = "", "A2", "z"
			ms[1].Labels = append(ms[1].Labels, l)
			return ms
		}, "package also on manifest ups/A1/WH-EAST/2026-11-23"},
		{"wrong account", func(ms []Manifest) []Manifest { ms[0].Labels[1].Account = "A2"; return ms }, "carrier/account/origin ups/A2/WH-EAST differ from the manifest's"},
		{"voided", func(ms []Manifest) []Manifest { ms[0].Labels[0].Voided = true; return ms }, "voided"},
		{"wrong day", func(ms []Manifest) []Manifest {
			ms[0].Labels[0].CreatedAt = ts("2026-11-24T06:00:00Z")
			return ms
		}, "created on 2026-11-24, manifest is for 2026-11-23"},
		{"other manifest's label", func(ms []Manifest) []Manifest { ms[0].Labels[0].ManifestID = "x"; return ms }, "belongs to manifest x"},
		{"duplicate ID", func(ms []Manifest) []Manifest { ms[1].ID = ms[0].ID; ms[1].Labels[0].ManifestID = ""; return ms }, "manifest ID used twice"},
		{"empty", func(ms []Manifest) []Manifest { ms[1].Labels = nil; return ms }, "manifest has no label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateManifests(tt.tamper(build()), opts)
			require.ErrorIs(t, err, ErrInvalidManifest)
			me, ok := errors.AsType[*ManifestError](err)
			require.True(t, ok)
			assert.Equal(t, tt.reason, me.Reason)
		})
	}
}

// TestManifestsConserveLabels: every label not voided or manifested ends up
// on exactly one manifest, and the result validates.
func TestManifestsConserveLabels(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	carriers := []string{"ups", "usps", "dhl"}
	origins := []fulfill.LocationID{"WH-EAST", "WH-WEST"}
	for round := range 100 {
		var labels []Label
		want := map[string]bool{}
		for i := range r.IntN(60) {
			l := lbl(fmt.Sprintf("r%d-%d", round, i), carriers[r.IntN(3)], fmt.Sprintf("A%d", r.IntN(2)), origins[r.IntN(2)],
				"2026-11-23T00:00:00Z")
			l.CreatedAt = l.CreatedAt.Add(time.Duration(r.IntN(72*60)) * time.Minute)
			switch r.IntN(8) {
			case 0:
				l.Voided = true
			case 1:
				l.ManifestID = "old"
			default:
				want[l.Ref] = true
			}
			labels = append(labels, l)
		}
		opts := manifestOpts(t)
		opts.MaxLabels = r.IntN(5)
		b, err := BuildManifests(labels, opts)
		require.NoError(t, err)
		got := map[string]int{}
		for _, m := range b.Manifests {
			for _, l := range m.Labels {
				got[l.Ref]++
			}
		}
		require.Len(t, got, len(want))
		for ref, n := range got {
			require.True(t, want[ref], ref)
			require.Equal(t, 1, n, ref)
		}
		require.Len(t, b.Skipped, len(labels)-len(want))
		require.NoError(t, ValidateManifests(b.Manifests, opts))
	}
}

func TestBuildManifestsMultiPackageLabel(t *testing.T) {
	a1 := lbl("shp-1", "ups", "A1", "WH-EAST", "2026-11-23T15:00:00Z")
	a2 := a1
	a2.TrackingNumber = "T-shp-1-2"
	b, err := BuildManifests([]Label{a1, a2}, manifestOpts(t))
	require.NoError(t, err)
	require.Len(t, b.Manifests, 1)
	assert.Len(t, b.Manifests[0].Labels, 2)
	require.NoError(t, ValidateManifests(b.Manifests, manifestOpts(t)))
	// A size limit never splits a label...
	c := lbl("shp-0", "ups", "A1", "WH-EAST", "2026-11-23T16:00:00Z")
	opts := manifestOpts(t)
	opts.MaxLabels = 2
	b, err = BuildManifests([]Label{c, a2, a1}, opts)
	require.NoError(t, err)
	require.Len(t, b.Manifests, 2)
	assert.Equal(t, []string{"T-shp-1", "T-shp-1-2"}, []string{b.Manifests[0].Labels[0].TrackingNumber, b.Manifests[0].Labels[1].TrackingNumber})
	require.NoError(t, ValidateManifests(b.Manifests, opts))
	// ...and a label larger than the limit cannot be manifested.
	opts.MaxLabels = 1
	_, err = BuildManifests([]Label{a1, a2}, opts)
	me, ok := errors.AsType[*ManifestError](err)
	require.True(t, ok)
	assert.Equal(t, "label has 2 packages, more than the 1 a manifest may hold", me.Reason)
	// Manifests put together by hand that split a label are refused.
	split := []Manifest{
		{ID: "m1", Carrier: "ups", Account: "A1", Origin: "WH-EAST", Date: MustDate("2026-11-23"), Labels: []Label{a1}},
		{ID: "m2", Carrier: "ups", Account: "A1", Origin: "WH-EAST", Date: MustDate("2026-11-23"), Labels: []Label{a2}},
	}
	me, ok = errors.AsType[*ManifestError](ValidateManifests(split, manifestOpts(t)))
	require.True(t, ok)
	assert.Equal(t, "label also on manifest m1", me.Reason)
}
