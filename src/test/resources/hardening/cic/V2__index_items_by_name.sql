-- Builds the index without blocking writes: cannot run inside a transaction (see the .conf beside this file).
CREATE INDEX CONCURRENTLY items_by_name ON items (name);
