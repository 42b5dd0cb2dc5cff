package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fulfillkit/fulfill"
	"github.com/fulfillkit/fulfill/pack"
)

const packDoc = `
pack cartonizes items into a box catalogue. Input:

  {"boxes":[{"id":"B1","length_mm":220,"width_mm":160,"height_mm":60,
             "max_weight_g":2000,"cost":"0.32","count":0}],
   "items":[{"id":"i1","sku":"tshirt","length_mm":200,"width_mm":150,"height_mm":30,
             "weight_g":216,"quantity":1,"rotation":"any"}],
   "objective":"cost","time_limit_ms":1000}

Axes: x along length, y along width, z vertical (height). Lengths are whole
millimetres, weights whole grams, costs decimal strings. A box's "count" is
its supply (0: unlimited), "max_weight_g" its content limit (0: none), and
"tare_g" (optional) the weight of the empty box. An item's "rotation" is
"any", "upright" (height stays vertical) or "none"; optional item fields:
"fragile" (nothing on top), "not_stackable" (stands on the floor),
"own_container", "ship_alone" (booleans), "group" (ships with the items of
the same group) and "hazmat" (a class that shares no box with another
class). Optional request fields: "objective" ("boxes", the default, or
"cost"), "mode" ("fast", the default, or "thorough"), "seed",
"time_limit_ms" (0: no limit but the work budget), "currency" (of the
costs, default USD), "channel" and "carrier" (with box lists "channels"
and "carriers" restricting where a box is used). Output:

  {"packages":[{"box":"B1","weight_g":216,"cost":"0.32","placements":[
     {"item":"i1","x_mm":0,"y_mm":0,"z_mm":0,"length_mm":200,"width_mm":150,"height_mm":30}]}],
   "unpacked":[],"lower_bound_boxes":1}

A unit of an item with quantity > 1 appears once per unit under the same
"item". weight_g is the gross weight (content plus tare). Units that cannot
be packed are listed in "unpacked" with a quantity, a reason ("too_big",
"too_heavy", "constraint", "no_supply") and a detail. A package with an
empty "box" is an item in its own container.`

// packInput is the document pack reads.
type packInput struct {
	Boxes       []packBoxJSON  `json:"boxes"`
	Items       []packItemJSON `json:"items"`
	Objective   string         `json:"objective"`
	TimeLimitMS int64          `json:"time_limit_ms"`
	Mode        string         `json:"mode"`
	Seed        uint64         `json:"seed"`
	Currency    string         `json:"currency"`
	Channel     string         `json:"channel"`
	Carrier     string         `json:"carrier"`
}

type packBoxJSON struct {
	ID         string   `json:"id"`
	LengthMM   int64    `json:"length_mm"`
	WidthMM    int64    `json:"width_mm"`
	HeightMM   int64    `json:"height_mm"`
	MaxWeightG int64    `json:"max_weight_g"`
	TareG      int64    `json:"tare_g"`
	Cost       string   `json:"cost"`
	Count      int      `json:"count"`
	Channels   []string `json:"channels"`
	Carriers   []string `json:"carriers"`
}

type packItemJSON struct {
	ID           string `json:"id"`
	SKU          string `json:"sku"`
	LengthMM     int64  `json:"length_mm"`
	WidthMM      int64  `json:"width_mm"`
	HeightMM     int64  `json:"height_mm"`
	WeightG      int64  `json:"weight_g"`
	Quantity     int    `json:"quantity"`
	Rotation     string `json:"rotation"`
	Fragile      bool   `json:"fragile"`
	NotStackable bool   `json:"not_stackable"`
	OwnContainer bool   `json:"own_container"`
	ShipAlone    bool   `json:"ship_alone"`
	Group        string `json:"group"`
	Hazmat       string `json:"hazmat"`
}

// packOutput is the document pack writes.
type packOutput struct {
	Packages        []packPackageJSON  `json:"packages"`
	Unpacked        []packUnpackedJSON `json:"unpacked"`
	LowerBoundBoxes int                `json:"lower_bound_boxes"`
}

type packPackageJSON struct {
	Box        string              `json:"box"`
	WeightG    int64               `json:"weight_g"`
	Cost       string              `json:"cost"`
	Placements []packPlacementJSON `json:"placements"`
}

type packPlacementJSON struct {
	Item     string `json:"item"`
	XMM      int64  `json:"x_mm"`
	YMM      int64  `json:"y_mm"`
	ZMM      int64  `json:"z_mm"`
	LengthMM int64  `json:"length_mm"`
	WidthMM  int64  `json:"width_mm"`
	HeightMM int64  `json:"height_mm"`
}

type packUnpackedJSON struct {
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
	Reason   string `json:"reason"`
	Detail   string `json:"detail,omitempty"`
}

// packMaxMM and packMaxG keep conversions to micrometres and nanograms exact.
const (
	packMaxMM = 1_000_000     // 1 km
	packMaxG  = 1_000_000_000 // 1,000 t
)

func runPack(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("pack", packDoc, stderr)
	svg := fs.String("svg", "", "also write an isometric SVG of each package to `PREFIX`-N.svg")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := readInput(fs, stdin)
	if err != nil {
		return err
	}
	var in packInput
	if err := decodeStrict(data, &in); err != nil {
		return err
	}
	req, _, err := packRequest(in)
	if err != nil {
		return err
	}
	opts := pack.Options{Seed: in.Seed}
	switch in.Objective {
	case "", "boxes":
	case "cost":
		opts.Objective = pack.ObjectiveCost
	default:
		return fmt.Errorf(`field "objective": want "boxes" or "cost", got %q`, in.Objective)
	}
	switch in.Mode {
	case "", "fast":
	case "thorough":
		opts.Mode = pack.ModeThorough
	default:
		return fmt.Errorf(`field "mode": want "fast" or "thorough", got %q`, in.Mode)
	}
	if in.TimeLimitMS < 0 {
		return fmt.Errorf(`field "time_limit_ms": must not be negative, got %d`, in.TimeLimitMS)
	}
	ctx := context.Background()
	if in.TimeLimitMS > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(in.TimeLimitMS)*time.Millisecond)
		defer cancel()
	}
	res, err := pack.Pack(ctx, req, &opts)
	if err != nil {
		return err
	}
	if err := pack.Verify(req, res); err != nil {
		return fmt.Errorf("internal error, the packing does not verify: %w", err)
	}
	if *svg != "" {
		for i, p := range res.Packages {
			f, err := os.Create(fmt.Sprintf("%s-%d.svg", *svg, i+1))
			if err != nil {
				return err
			}
			err = pack.WriteSVG(f, p, 0)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
	return writeJSON(stdout, packResultJSON(res))
}

// packRequest converts and checks the input document.
func packRequest(in packInput) (pack.Request, fulfill.Currency, error) {
	var errs []error
	cur := fulfill.Currency("USD")
	if in.Currency != "" {
		c, err := fulfill.ParseCurrency(in.Currency)
		if err != nil {
			return pack.Request{}, "", fmt.Errorf(`field "currency": %w`, err)
		}
		cur = c
	}
	mm := func(field string, v int64) fulfill.Length {
		if v <= 0 || v > packMaxMM {
			errs = append(errs, fmt.Errorf("field %q: want 1 to %d mm, got %d", field, packMaxMM, v))
			return 0
		}
		return fulfill.Length(v) * fulfill.Millimeter
	}
	g := func(field string, v int64) fulfill.Mass {
		if v < 0 || v > packMaxG {
			errs = append(errs, fmt.Errorf("field %q: want 0 to %d g, got %d", field, packMaxG, v))
			return 0
		}
		return fulfill.Mass(v) * fulfill.Gram
	}
	req := pack.Request{Channel: in.Channel, Carrier: in.Carrier}
	if len(in.Boxes) == 0 {
		errs = append(errs, errors.New(`field "boxes": want at least one box`))
	}
	for i, b := range in.Boxes {
		p := fmt.Sprintf("boxes[%d].", i)
		box := pack.Box{ID: b.ID, Supply: b.Count, Channels: b.Channels, Carriers: b.Carriers,
			Inner:      fulfill.Dims(mm(p+"length_mm", b.LengthMM), mm(p+"width_mm", b.WidthMM), mm(p+"height_mm", b.HeightMM)),
			MaxContent: g(p+"max_weight_g", b.MaxWeightG), Tare: g(p+"tare_g", b.TareG)}
		if b.Count < 0 {
			errs = append(errs, fmt.Errorf("field %q: must not be negative, got %d", p+"count", b.Count))
		}
		cost := b.Cost
		if cost == "" {
			cost = "0"
		}
		m, err := fulfill.ParseMoney(cost, cur)
		if err != nil {
			errs = append(errs, fmt.Errorf("field %q: %w", p+"cost", err))
		}
		box.Cost = m
		req.Boxes = append(req.Boxes, box)
	}
	for i, it := range in.Items {
		p := fmt.Sprintf("items[%d].", i)
		rot, err := pack.ParseRotationRule(it.Rotation)
		if err != nil {
			errs = append(errs, fmt.Errorf("field %q: %w", p+"rotation", err))
		}
		req.Items = append(req.Items, pack.Item{ID: it.ID, SKU: fulfill.SKU(it.SKU), Quantity: it.Quantity, Rotation: rot,
			Dimensions: fulfill.Dims(mm(p+"length_mm", it.LengthMM), mm(p+"width_mm", it.WidthMM), mm(p+"height_mm", it.HeightMM)),
			Weight:     g(p+"weight_g", it.WeightG), Fragile: it.Fragile, NotStackable: it.NotStackable,
			OwnContainer: it.OwnContainer, ShipAlone: it.ShipAlone, Group: it.Group, Hazmat: it.Hazmat})
	}
	if err := errors.Join(errs...); err != nil {
		return pack.Request{}, "", err
	}
	if err := req.Validate(); err != nil {
		return pack.Request{}, "", err
	}
	return req, cur, nil
}

// packResultJSON converts a result to the output document.
func packResultJSON(res pack.Result) packOutput {
	out := packOutput{Packages: []packPackageJSON{}, Unpacked: []packUnpackedJSON{}, LowerBoundBoxes: res.LowerBound}
	for _, p := range res.Packages {
		pj := packPackageJSON{Box: p.Box, WeightG: int64(p.Gross / fulfill.Gram), Cost: p.Cost.Amount().String(),
			Placements: make([]packPlacementJSON, 0, len(p.Placements))}
		for _, pl := range p.Placements {
			pj.Placements = append(pj.Placements, packPlacementJSON{Item: pl.Item,
				XMM: int64(pl.Position.X / fulfill.Millimeter), YMM: int64(pl.Position.Y / fulfill.Millimeter),
				ZMM: int64(pl.Position.Z / fulfill.Millimeter), LengthMM: int64(pl.Size.Length / fulfill.Millimeter),
				WidthMM: int64(pl.Size.Width / fulfill.Millimeter), HeightMM: int64(pl.Size.Height / fulfill.Millimeter)})
		}
		out.Packages = append(out.Packages, pj)
	}
	for _, u := range res.Unpacked {
		out.Unpacked = append(out.Unpacked, packUnpackedJSON{Item: u.Item, Quantity: u.Quantity, Reason: string(u.Reason), Detail: u.Detail})
	}
	return out
}

// verifyPack checks a pack output against the pack input that produced it.
func verifyPack(request, result json.RawMessage) ([]string, error) {
	var in packInput
	if err := decodeStrict(request, &in); err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	req, cur, err := packRequest(in)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	var out packOutput
	if err := decodeStrict(result, &out); err != nil {
		return nil, fmt.Errorf("result: %w", err)
	}
	items := map[string]pack.Item{}
	for _, it := range req.Items {
		items[it.ID] = it
	}
	boxes := map[string]pack.Box{}
	for _, b := range req.Boxes {
		boxes[b.ID] = b
	}
	var problems []string
	res := pack.Result{LowerBound: out.LowerBoundBoxes}
	var total fulfill.Money
	for i, pj := range out.Packages {
		p := pack.Package{Box: pj.Box, Gross: fulfill.Mass(pj.WeightG) * fulfill.Gram}
		box, known := boxes[pj.Box]
		if known {
			p.Inner, p.Outer, p.Content = box.Inner, box.Inner, p.Gross-box.Tare
		} else {
			p.Content = p.Gross
		}
		c, err := fulfill.ParseMoney(pj.Cost, cur)
		if err != nil {
			problems = append(problems, fmt.Sprintf("package %d: cost %q: %v", i, pj.Cost, err))
		} else if !c.IsZero() || known {
			p.Cost = c
		}
		for _, pl := range pj.Placements {
			size := fulfill.Dims(fulfill.Length(pl.LengthMM)*fulfill.Millimeter, fulfill.Length(pl.WidthMM)*fulfill.Millimeter,
				fulfill.Length(pl.HeightMM)*fulfill.Millimeter)
			rot := fulfill.Rotation(255) // no rotation gives this size: Verify reports it
			if it, ok := items[pl.Item]; ok {
				for _, r := range fulfill.Rotations { // an allowed rotation if any, else any that matches
					if it.Dimensions.Rotate(r) == size && (rot == 255 || it.Rotation.Allows(r) && !it.Rotation.Allows(rot)) {
						rot = r
					}
				}
			}
			p.Placements = append(p.Placements, pack.Placement{Item: pl.Item, Size: size, Rotation: rot,
				Position: pack.Point{X: fulfill.Length(pl.XMM) * fulfill.Millimeter, Y: fulfill.Length(pl.YMM) * fulfill.Millimeter,
					Z: fulfill.Length(pl.ZMM) * fulfill.Millimeter}})
		}
		if pj.Box == "" && len(p.Placements) == 1 {
			p.Inner = p.Placements[0].Size
		}
		if t, err := total.Add(p.Cost); err == nil {
			total = t
		}
		res.Packages = append(res.Packages, p)
	}
	res.Cost = total
	for _, u := range out.Unpacked {
		res.Unpacked = append(res.Unpacked, pack.Unpacked{Item: u.Item, Quantity: u.Quantity, Reason: pack.Reason(u.Reason)})
	}
	for _, p := range pack.Problems(pack.Verify(req, res)) {
		problems = append(problems, p.Error())
	}
	return problems, nil
}
