-- Fails on the duplicate names and, being CONCURRENTLY, leaves an INVALID index behind.
CREATE UNIQUE INDEX CONCURRENTLY items_name_key ON items (name);
