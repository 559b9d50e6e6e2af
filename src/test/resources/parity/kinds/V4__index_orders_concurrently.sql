-- CONCURRENTLY cannot run in a transaction: Flyway runs this script outside one.
CREATE INDEX CONCURRENTLY orders_by_status ON orders (status);
