// Package pack cartonizes: it puts the items of an order into boxes from a
// catalogue and says exactly where each unit goes.
//
// A [Request] lists the [Item] values (dimensions, mass, quantity, how they
// may be turned, and constraints such as "this way up", fragile or "ships
// alone") and the [Box] catalogue (inner dimensions, tare, maximum content
// weight, cost, supply, and the channels and carriers a box is used for).
// [Pack] returns a [Result]: one [Package] per box used, with a [Placement]
// per unit, and every unit it could not pack with the [Reason].
//
// # Algorithm
//
// The constructive core places units at extreme points (the corners that
// previous placements create) and scores every candidate position and
// orientation by how snugly it fits. Several orderings of the units and
// box-opening policies are tried (multi-start); an improvement phase then
// empties the least filled box into the others and repacks boxes from
// scratch, downsizes each box to the cheapest one its contents fit in, and
// merges boxes. Lower bounds ([BoundL0], [BoundL2], after Martello, Pisinger
// and Vigo) stop the search as soon as it is proven optimal in box count.
// Small orders are solved by an exhaustive search over groupings and box
// types. The work is bounded, deterministic for a given [Options.Seed], and
// stops early when the context is cancelled or its deadline passes.
//
// # Verification
//
// [Verify] checks any result against its request without trusting the
// packer: each unit is placed or reported unpacked exactly once, in an
// allowed orientation, inside its box, overlapping nothing, within the
// weight limits and the constraints.
//
// # Units
//
// Lengths are [fulfill.Length] (micrometres) and masses [fulfill.Mass]
// (nanograms); placements are exact integers. Costs are [fulfill.Money] in
// one currency.
package pack
