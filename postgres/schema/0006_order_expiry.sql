-- Order expiry: expires_ns is the ExpiresAt of an order an ExpireRequest
-- may cancel (placed with a TTL, unconfirmed, neither cancelled nor
-- closed), in nanoseconds since the Unix epoch, and NULL for every other
-- order. Every write of an order sets it with the snapshot. The partial
-- index serves OrderStore.ExpiringBy.

ALTER TABLE orders ADD COLUMN IF NOT EXISTS expires_ns BIGINT;

CREATE INDEX IF NOT EXISTS orders_expiring ON orders (owner, expires_ns, id) WHERE expires_ns IS NOT NULL;

-- Backfill the orders written before this version from their snapshots. An
-- unconfirmed order is pending, or on hold over pending; cancelled and
-- closed orders have those statuses. The time is taken apart so that it
-- stays exact to the nanosecond: whole seconds from the text without its
-- fraction, plus the fraction's digits.
UPDATE orders SET expires_ns =
	extract(epoch FROM regexp_replace(snapshot->>'expires_at', '\.[0-9]+', '')::timestamptz)::bigint * 1000000000
	+ rpad(coalesce(substring(snapshot->>'expires_at' FROM '\.([0-9]+)'), ''), 9, '0')::bigint
WHERE expires_ns IS NULL
	AND status IN ('pending', 'on_hold')
	AND snapshot ? 'expires_at'
	AND NOT coalesce((snapshot->>'confirmed')::boolean, false);
