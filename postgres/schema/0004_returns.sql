-- Returns and refund accounts: the snapshot of each with its version.

CREATE TABLE IF NOT EXISTS returns (
	owner    TEXT   NOT NULL,
	id       TEXT   NOT NULL,
	order_id UUID   NOT NULL,
	status   TEXT   NOT NULL,
	version  BIGINT NOT NULL,
	snapshot JSONB  NOT NULL,
	PRIMARY KEY (owner, id)
);

CREATE INDEX IF NOT EXISTS returns_by_order ON returns (owner, order_id);

CREATE TABLE IF NOT EXISTS return_accounts (
	owner    TEXT   NOT NULL,
	order_id UUID   NOT NULL,
	version  BIGINT NOT NULL,
	snapshot JSONB  NOT NULL,
	PRIMARY KEY (owner, order_id)
);
