-- Orders: the current snapshot of each order with its version, the outbox
-- of events numbered per owner, and idempotency records.

CREATE TABLE IF NOT EXISTS orders (
	id         UUID   NOT NULL PRIMARY KEY,
	owner      TEXT   NOT NULL,
	version    BIGINT NOT NULL,
	status     TEXT   NOT NULL,
	snapshot   JSONB  NOT NULL,
	created_ns BIGINT,
	updated_ns BIGINT
);

CREATE INDEX IF NOT EXISTS orders_by_owner_status ON orders (owner, status);

CREATE TABLE IF NOT EXISTS order_owners (
	owner    TEXT   NOT NULL PRIMARY KEY,
	position BIGINT NOT NULL
);

-- The outbox: positions are numbered per owner from 1 without gaps, in
-- commit order (the owner's row in order_owners is locked until commit).
CREATE TABLE IF NOT EXISTS order_events (
	owner    TEXT   NOT NULL,
	position BIGINT NOT NULL,
	order_id UUID   NOT NULL,
	version  BIGINT NOT NULL,
	type     TEXT   NOT NULL,
	event    JSONB  NOT NULL,
	PRIMARY KEY (owner, position)
);

CREATE TABLE IF NOT EXISTS order_idempotency (
	owner   TEXT  NOT NULL,
	key     TEXT  NOT NULL,
	command TEXT  NOT NULL,
	record  JSONB NOT NULL,
	PRIMARY KEY (owner, key)
);
