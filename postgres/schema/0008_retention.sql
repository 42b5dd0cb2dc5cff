-- Retention: InventoryStore.Prune drops the closed reservations and the
-- idempotency records of operations dated before a cutoff, so each needs
-- the date of its operation (Txn.At, in nanoseconds since the Unix epoch).
-- closed_ns is the date of the operation that closed a reservation (nothing
-- reserved or committed), set by the statement that closes it, and NULL
-- while it is live. at_ns is the date of the operation an idempotency
-- record belongs to, written with the record. A NULL date is unknown, and
-- a row with an unknown date is never pruned.

ALTER TABLE inventory_reservations ADD COLUMN IF NOT EXISTS closed_ns BIGINT;
ALTER TABLE inventory_idempotency ADD COLUMN IF NOT EXISTS at_ns BIGINT;

-- The prunes read the rows dated before the cutoff of one owner; these
-- indexes serve that range (and the batches it is deleted in) without
-- reading the owner's other rows.
CREATE INDEX IF NOT EXISTS inventory_reservations_closed
	ON inventory_reservations (owner, closed_ns) WHERE closed_ns IS NOT NULL;
CREATE INDEX IF NOT EXISTS inventory_idempotency_at
	ON inventory_idempotency (owner, at_ns) WHERE at_ns IS NOT NULL;

-- Backfill the rows written before this version. This rewrites every
-- closed reservation and every idempotency record inside the migration's
-- transaction, which holds the two tables locked (ADD COLUMN) until it
-- commits: operations wait for it, so migrate a large store at a quiet
-- moment. A closed reservation is dated by the latest ledger entry naming
-- it, its closing one: the closing operation's date, or for a lapsed hold
-- collected later the hold's expiry. The ledger is whole here, as nothing
-- trimmed it before this version.
UPDATE inventory_reservations r SET closed_ns = l.at_ns
FROM (SELECT owner, reservation, MAX(at_ns) AS at_ns FROM inventory_ledger
	WHERE reservation <> '' GROUP BY owner, reservation) l
WHERE r.owner = l.owner AND r.id = l.reservation
	AND r.closed_ns IS NULL AND r.reserved = 0 AND r.committed = 0;

-- An idempotency record is dated from its receipt: every level an
-- operation changes is updated at the operation's date. A receipt that
-- changed no level carries no date, and its record stays undated. The
-- time is taken apart so that it stays exact to the nanosecond, as in
-- version 6.
UPDATE inventory_idempotency i SET at_ns = (
	SELECT MAX(extract(epoch FROM regexp_replace(l->>'updated', '\.[0-9]+', '')::timestamptz)::bigint * 1000000000
		+ rpad(coalesce(substring(l->>'updated' FROM '\.([0-9]+)'), ''), 9, '0')::bigint)
	FROM jsonb_array_elements(CASE WHEN jsonb_typeof(i.receipt->'levels') = 'array'
		THEN i.receipt->'levels' ELSE '[]'::jsonb END) AS e(l)
	WHERE jsonb_typeof(l) = 'object' AND l ? 'updated')
WHERE i.at_ns IS NULL;
