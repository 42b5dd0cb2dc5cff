// Package pack cartonizes: it puts the items of an order into boxes from a
// catalogue and says exactly where each unit goes.
//
// A [Request] lists the [Item] values (dimensions, mass, quantity, how they
// may be turned, and constraints such as "this way up", fragile, "ships
// alone" or the boxes an item may go in) and the [Box] catalogue (inner
// dimensions, tare, maximum content weight, cost, supply, and the channels
// and carriers a box is used for).
// [Pack] returns a [Result]: one [Package] per box used, with a [Placement]
// per unit, and every unit it could not pack with the [Reason].
//
// # Algorithm
//
// The constructive core places units at extreme points (the corners that
// previous placements create) and scores every candidate position and
// orientation by how snugly it fits; runs of identical units are placed as
// blocks, so repeated units cost little. Several orderings of the units and
// box-opening policies (the largest box, or the box that packs the rest best
// for its cost) are tried (multi-start). An improvement phase then empties
// the least filled box into the others, repacking boxes from scratch;
// squeezes the packing into one box fewer by repeatedly repacking a few
// boxes with the left-over units; runs a ruin-and-recreate search; downsizes
// each box to the cheapest one its contents fit in; and merges boxes. Lower
// bounds ([BoundL0], [BoundL2], after Martello, Pisinger and Vigo) stop the
// search as soon as it is proven optimal in box count. Small orders are
// solved by an exhaustive search over groupings and box types. Units whose
// volume is exactly the bound's number of boxes get two searches for a
// packing without gaps before anything else: one that fills empty regions
// with a unit at a corner and cuts the rest into smaller regions (packings
// that guillotine cuts take apart), pruning a step when some region can no
// longer be filled by the units that fit it; and one that fills each box at
// its lowest empty corner, discarding a unit when the free run beside it is
// no sum of the lengths of the units left; orders with constraints such as
// fragile or hazmat units skip them. Units that are the only two sharing a
// whole face, as pieces cut from one piece are, are joined into blocks; the
// constructions and the gap-free search also run on the blocks. The work
// is bounded, deterministic for a given [Options.Seed], and stops early when
// the context is cancelled or its deadline passes. Before a result is
// returned every unit is lowered onto the floor or the units under it, so
// none rests on nothing. [Request.MinSupport] asks for more: the least
// share of each unit's base that must rest on the units under it (with 0,
// a unit may rest partly over empty space).
//
// # Objectives
//
// [ObjectiveBoxes] uses the fewest boxes, [ObjectiveCost] the cheapest
// boxes, and [ObjectiveTotalCost] adds the shipping cost a [ShippingFunc]
// estimates for each parcel, so that carrier rate cards can drive the choice.
// Postage is usually most of what a parcel costs to send, and every parcel
// pays it: where it does, the cheaper but more numerous boxes of
// [ObjectiveCost] can cost more once shipped than they save, so prefer
// [ObjectiveTotalCost] with the rates of the carriers used.
//
// # Verification
//
// [Verify] checks any result against its request without trusting the
// packer: each unit is placed or reported unpacked exactly once, in an
// allowed orientation, inside its box, overlapping nothing, standing on the
// floor or on units as [Request.MinSupport] asks, within the weight limits
// and the constraints.
//
// # Units
//
// Lengths are [fulfill.Length] (micrometres) and masses [fulfill.Mass]
// (nanograms); placements are exact integers. Costs are [fulfill.Money] in
// one currency.
package pack
