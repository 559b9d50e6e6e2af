ALTER TABLE orders ADD COLUMN note text;
UPDATE orders SET note = 'first' WHERE id = 1;
