-- Ledger checkpoints: InventoryStore.TrimLedger folds the entries it drops
-- into the owner's checkpoint (inventory.Checkpoint) in the transaction
-- that deletes them, so that Inventory.Reconcile and Inventory.Arrivals
-- carry on from it with the entries kept. The checkpoint is kept in three
-- tables, so that a trim batch reads and writes only the rows of the
-- levels its entries touch, however many the checkpoint holds:
--
-- inventory_checkpoints has one row per owner whose ledger was trimmed:
-- through is the Seq of the last entry folded in. Each trim batch locks
-- the owner's row first, so concurrent trims of one owner take turns. An
-- owner without a row has the zero checkpoint: nothing trimmed.
--
-- inventory_checkpoint_levels holds the sums of the trimmed entries'
-- deltas per level (the checkpoint's Levels), a level whose entries sum to
-- zero included, in the buckets of inventory_levels.
--
-- inventory_checkpoint_arrivals holds the arrivals still open after the
-- trimmed entries (the checkpoint's Arrivals): for each level, in ord
-- order, the order of Arrivals (due date, unknown dates last, then the
-- order they were expected in). due_ns is NULL for an unknown date.

CREATE TABLE IF NOT EXISTS inventory_checkpoints (
	owner   TEXT   NOT NULL PRIMARY KEY,
	through BIGINT NOT NULL,
	CONSTRAINT inventory_checkpoints_through CHECK (through >= 0)
);

CREATE TABLE IF NOT EXISTS inventory_checkpoint_levels (
	owner      TEXT   NOT NULL,
	sku        TEXT   NOT NULL,
	location   TEXT   NOT NULL,
	lot        TEXT   NOT NULL,
	on_hand    BIGINT NOT NULL,
	reserved   BIGINT NOT NULL,
	committed  BIGINT NOT NULL,
	damaged    BIGINT NOT NULL,
	quarantine BIGINT NOT NULL,
	safety     BIGINT NOT NULL,
	incoming   BIGINT NOT NULL,
	in_transit BIGINT NOT NULL,
	PRIMARY KEY (owner, sku, location, lot)
);

CREATE TABLE IF NOT EXISTS inventory_checkpoint_arrivals (
	owner     TEXT   NOT NULL,
	sku       TEXT   NOT NULL,
	location  TEXT   NOT NULL,
	lot       TEXT   NOT NULL,
	ord       INT    NOT NULL,
	due_ns    BIGINT,
	quantity  BIGINT NOT NULL,
	ref_type  TEXT   NOT NULL,
	ref_id    TEXT   NOT NULL,
	ref_order TEXT   NOT NULL,
	PRIMARY KEY (owner, sku, location, lot, ord),
	CONSTRAINT inventory_checkpoint_arrivals_quantity CHECK (quantity > 0)
);

-- Entries trimmed under version 8, which deleted them without a
-- checkpoint, cannot be recovered: their deltas and expectations are
-- gone. An owner whose ledger lost a prefix that way gets a checkpoint
-- through its last lost entry holding nothing, so that its ledger numbers
-- on from the checkpoint and later trims fold onto it; Reconcile then
-- reports the lost entries' sums as the levels' differences from the
-- ledger (no longer as a gap in its numbering), and Arrivals does not
-- list the expectations they recorded. An owner whose ledger still starts
-- at 1 needs no row.
INSERT INTO inventory_checkpoints (owner, through)
SELECT owner, through
FROM (SELECT o.owner, COALESCE((SELECT MIN(l.seq) FROM inventory_ledger l WHERE l.owner = o.owner) - 1, o.seq) AS through
	FROM inventory_owners o) t
WHERE through > 0
ON CONFLICT (owner) DO NOTHING;
