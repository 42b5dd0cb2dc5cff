-- Inventory: levels (one row per sub-row of a level), reservations, the
-- ledger with its per-owner sequence, and idempotency records.
-- Times are nanoseconds since the Unix epoch (UTC), NULL for none.

CREATE TABLE IF NOT EXISTS inventory_levels (
	owner       TEXT   NOT NULL,
	sku         TEXT   NOT NULL,
	location    TEXT   NOT NULL,
	lot         TEXT   NOT NULL,
	shard       INT    NOT NULL,
	on_hand     BIGINT NOT NULL,
	reserved    BIGINT NOT NULL,
	committed   BIGINT NOT NULL,
	damaged     BIGINT NOT NULL,
	quarantine  BIGINT NOT NULL,
	safety      BIGINT NOT NULL,
	incoming    BIGINT NOT NULL,
	in_transit  BIGINT NOT NULL,
	version     BIGINT NOT NULL,
	expires_ns  BIGINT,
	received_ns BIGINT,
	updated_ns  BIGINT,
	PRIMARY KEY (owner, sku, location, lot, shard),
	CONSTRAINT inventory_levels_invariant CHECK (
		on_hand >= 0 AND reserved >= 0 AND committed >= 0 AND damaged >= 0 AND
		quarantine >= 0 AND safety >= 0 AND incoming >= 0 AND in_transit >= 0 AND
		on_hand - reserved - committed - damaged - quarantine - safety >= 0)
);

CREATE TABLE IF NOT EXISTS inventory_reservations (
	owner      TEXT   NOT NULL,
	id         TEXT   NOT NULL,
	sku        TEXT   NOT NULL,
	location   TEXT   NOT NULL,
	lot        TEXT   NOT NULL,
	reserved   BIGINT NOT NULL,
	committed  BIGINT NOT NULL,
	ref_type   TEXT   NOT NULL,
	ref_id     TEXT   NOT NULL,
	ref_order  TEXT   NOT NULL,
	line       TEXT   NOT NULL,
	expires_ns BIGINT,
	created_ns BIGINT NOT NULL,
	version    BIGINT NOT NULL,
	PRIMARY KEY (owner, id),
	CONSTRAINT inventory_reservations_quantities CHECK (reserved >= 0 AND committed >= 0)
);

CREATE INDEX IF NOT EXISTS inventory_reservations_by_level
	ON inventory_reservations (owner, sku, location, lot);

CREATE INDEX IF NOT EXISTS inventory_reservations_by_expiry
	ON inventory_reservations (owner, sku, location, lot, expires_ns)
	WHERE reserved > 0 AND expires_ns IS NOT NULL;

CREATE TABLE IF NOT EXISTS inventory_owners (
	owner TEXT   NOT NULL PRIMARY KEY,
	seq   BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS inventory_ledger (
	owner           TEXT   NOT NULL,
	seq             BIGINT NOT NULL,
	at_ns           BIGINT NOT NULL,
	sku             TEXT   NOT NULL,
	location        TEXT   NOT NULL,
	lot             TEXT   NOT NULL,
	kind            TEXT   NOT NULL,
	reason          TEXT   NOT NULL,
	ref_type        TEXT   NOT NULL,
	ref_id          TEXT   NOT NULL,
	ref_order       TEXT   NOT NULL,
	reservation     TEXT   NOT NULL,
	idempotency_key TEXT   NOT NULL,
	d_on_hand       BIGINT NOT NULL,
	d_reserved      BIGINT NOT NULL,
	d_committed     BIGINT NOT NULL,
	d_damaged       BIGINT NOT NULL,
	d_quarantine    BIGINT NOT NULL,
	d_safety        BIGINT NOT NULL,
	d_incoming      BIGINT NOT NULL,
	d_in_transit    BIGINT NOT NULL,
	PRIMARY KEY (owner, seq)
);

-- receipt is the JSON of the receipt with entries numbered from 0; seq0 is
-- the sequence number of its first entry. level, when set, is the level
-- after a single-line reservation, as computed in SQL: on hand, reserved,
-- committed, damaged, quarantine, safety, incoming, in transit, version,
-- expires_ns, received_ns.
CREATE TABLE IF NOT EXISTS inventory_idempotency (
	owner       TEXT   NOT NULL,
	key         TEXT   NOT NULL,
	fingerprint TEXT   NOT NULL,
	receipt     JSONB  NOT NULL,
	seq0        BIGINT,
	level       JSONB,
	PRIMARY KEY (owner, key)
);
