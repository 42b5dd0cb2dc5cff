-- Shipments: the snapshot of each with its domain version and a revision
-- counting the store's writes (the optimistic check), and the tracking
-- numbers, unique across shipments, that route carrier events.

CREATE TABLE IF NOT EXISTS shipments (
	id       TEXT   NOT NULL PRIMARY KEY,
	owner    TEXT   NOT NULL,
	order_id UUID   NOT NULL,
	status   TEXT   NOT NULL,
	version  BIGINT NOT NULL,
	revision BIGINT NOT NULL,
	snapshot JSONB  NOT NULL
);

CREATE TABLE IF NOT EXISTS shipment_tracking (
	tracking_number TEXT NOT NULL PRIMARY KEY,
	shipment_id     TEXT NOT NULL REFERENCES shipments (id)
);

CREATE INDEX IF NOT EXISTS shipment_tracking_by_shipment ON shipment_tracking (shipment_id);
