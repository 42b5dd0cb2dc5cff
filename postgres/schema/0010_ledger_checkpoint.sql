-- Ledger checkpoints: InventoryStore.TrimLedger folds the entries it drops
-- into the owner's checkpoint (inventory.Checkpoint) in the transaction
-- that deletes them, so that Inventory.Reconcile and Inventory.Arrivals
-- carry on from it with the entries kept. through is the Seq of the last
-- entry folded in; checkpoint is the inventory.Checkpoint as JSON (its
-- "through" equal to the column), holding the trimmed entries' deltas per
-- level and the arrivals still open after them. Each trim batch locks the
-- owner's row first, so concurrent trims of one owner take turns. An owner
-- without a row has the zero checkpoint: nothing trimmed.

CREATE TABLE IF NOT EXISTS inventory_checkpoints (
	owner      TEXT   NOT NULL PRIMARY KEY,
	through    BIGINT NOT NULL,
	checkpoint JSONB  NOT NULL,
	CONSTRAINT inventory_checkpoints_through CHECK (through >= 0)
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
INSERT INTO inventory_checkpoints (owner, through, checkpoint)
SELECT owner, through, jsonb_build_object('through', through)
FROM (SELECT o.owner, COALESCE((SELECT MIN(l.seq) FROM inventory_ledger l WHERE l.owner = o.owner) - 1, o.seq) AS through
	FROM inventory_owners o) t
WHERE through > 0
ON CONFLICT (owner) DO NOTHING;
