-- Serial numbers by level: an operation that lowers a level's units, or
-- brings serial numbers to it, counts the serial numbers the level holds
-- (no level holds more serial numbers than units). This index serves that
-- count without reading every serial number of the SKU.

CREATE INDEX IF NOT EXISTS inventory_serials_level ON inventory_serials (owner, sku, location, lot);
