-- The packing screen lists orders by status.
CREATE INDEX orders_status_idx ON orders (status);
