-- Serial numbers in stock, and the due dates and serial numbers of ledger
-- entries.

CREATE TABLE IF NOT EXISTS inventory_serials (
	owner      TEXT   NOT NULL,
	sku        TEXT   NOT NULL,
	serial     TEXT   NOT NULL,
	location   TEXT   NOT NULL,
	lot        TEXT   NOT NULL,
	updated_ns BIGINT NOT NULL,
	PRIMARY KEY (owner, sku, serial)
);

ALTER TABLE inventory_ledger ADD COLUMN IF NOT EXISTS due_ns BIGINT;
ALTER TABLE inventory_ledger ADD COLUMN IF NOT EXISTS serials TEXT[];
