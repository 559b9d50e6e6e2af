-- Built without blocking writes, so it cannot run in a transaction.
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
CREATE INDEX CONCURRENTLY orders_placed_idx ON orders (placed_at);
