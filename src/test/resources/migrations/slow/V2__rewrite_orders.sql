-- Stands for a table rewrite that takes longer than the statement timeout allows.
ALTER TABLE orders ADD COLUMN note text;
SELECT pg_sleep(5);
