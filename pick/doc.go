// Package pick plans the walk of a warehouse picker: where the bins are, in
// which order to visit them, which orders to put on one cart, and how to cut
// the day's work into waves and zones.
//
// # Layouts
//
// A [Layout] says how far apart two bins are. [Rect] is the classic
// rectangular warehouse of parallel pick aisles with slots on both sides and k
// cross aisles (k = 2 means a front and a back aisle only; more cut the aisles
// into blocks). Its geometry is fixed and documented on [RectConfig], so that
// distances computed elsewhere agree with it to the micrometre. [Graph] puts
// bins on the nodes of any walkable graph, for buildings that are not
// rectangles, with shortest-path distances.
//
// Bins are addressed aisle-slot-level-side ([Bin]); [ParseBin] reads the
// printed form "03-012-1-L" back.
//
// # Routing
//
// A [Router] turns a list of bins into a [Route]: a visiting order starting
// and ending at the depot and its walking length. [Optimal] is exact on a
// [Rect]: the dynamic programme of Ratliff and Rosenthal (1983), generalised
// to several cross aisles as by Roodbergen and de Koster (2001). The
// heuristics that warehouse systems use are there to compare with:
// [SShape], [Return], [Midpoint], [LargestGap] and [Combined]. [Exact]
// (Held-Karp) and [TwoOpt] (nearest neighbour improved by 2-opt and Or-opt)
// work on any layout. [Auto] picks the exact method wherever it applies and is
// the default. [Verify] checks any route independently of the router that
// made it.
//
// # Batching
//
// A [Batcher] groups orders into cart tours under a [Capacity] (lines, units,
// volume, weight, totes) and routes each tour: [FCFS], [SeedBatcher],
// [Savings] (Clarke and Wright) and [LocalSearch], which improves any of them
// until the context's deadline, deterministically for a given seed.
//
// # Waves, zones and pictures
//
// [Waves] groups orders by carrier cut-off, priority and zone, and
// [BatchWaves] batches each wave on its own so that what is due first is
// picked first; [SplitZones] cuts a tour into pick-and-pass legs per zone and
// [Consolidations] lists the orders picked in several zones; [List] sorts
// lines in walking order. [SVG] draws a layout with a route on it.
//
// # Units
//
// Distances are [fulfill.Length] values (integer micrometres) throughout, so
// geometry is exact; floats appear only where a caller asks for metres.
//
// # Testing one's own implementations
//
// Package [github.com/fulfillkit/fulfill/pick/picktest] runs a conformance
// suite on any [Router] or [Batcher].
package pick
