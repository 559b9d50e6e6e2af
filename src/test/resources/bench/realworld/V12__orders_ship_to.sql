ALTER TABLE orders ADD COLUMN ship_to bigint REFERENCES addresses (id);
