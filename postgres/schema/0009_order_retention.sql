-- Order retention: OrderStore.PruneIdempotency drops the idempotency
-- records created before a cutoff, so each needs its CreatedAt as a column,
-- in nanoseconds since the Unix epoch, written with the record. A NULL
-- date is unknown (a record with a zero CreatedAt), and a record with an
-- unknown date is never pruned. A CreatedAt outside the years 1678 to 2262
-- is stored as the nearest time the column holds.

ALTER TABLE order_idempotency ADD COLUMN IF NOT EXISTS created_ns BIGINT;

-- The prune reads the records of one owner created before the cutoff; the
-- index serves that range (and the batches it is deleted in) without
-- reading the owner's other records.
CREATE INDEX IF NOT EXISTS order_idempotency_created
	ON order_idempotency (owner, created_ns) WHERE created_ns IS NOT NULL;

-- Backfill the records written before this version from their JSON's
-- created_at, as the store writes it. This rewrites every record inside the
-- migration's transaction, which holds the table locked (ADD COLUMN) until
-- it commits: keyed writes wait for it, so migrate a large store at a quiet
-- moment. The time is taken apart so that it stays exact to the
-- nanosecond, as in version 6, and computed as a numeric to clamp it to
-- the column's range. The zero time (the instant 0001-01-01T00:00:00Z,
-- -62135596800 seconds) stays undated; the year 0, which PostgreSQL does
-- not read, is before the range.
UPDATE order_idempotency SET created_ns = (
	SELECT CASE WHEN v = -62135596800000000000 THEN NULL
		ELSE GREATEST(-9223372036854775808, LEAST(9223372036854775807, v))::bigint END
	FROM (SELECT CASE WHEN record->>'created_at' ~ '^0000-' THEN -1e30
		ELSE extract(epoch FROM regexp_replace(record->>'created_at', '\.[0-9]+', '')::timestamptz)::numeric * 1000000000
			+ rpad(coalesce(substring(record->>'created_at' FROM '\.([0-9]+)'), ''), 9, '0')::numeric
		END AS v) AS t)
WHERE created_ns IS NULL AND jsonb_typeof(record->'created_at') = 'string';
