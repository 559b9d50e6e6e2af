-- Keep each order's total on the order itself, and fill it for the orders that exist.
ALTER TABLE orders ADD COLUMN total_cents bigint;

UPDATE orders o
   SET total_cents = t.total
  FROM (SELECT order_id, sum(quantity * unit_cents) AS total FROM order_lines GROUP BY order_id) t
 WHERE t.order_id = o.id;

UPDATE orders SET total_cents = 0 WHERE total_cents IS NULL;

ALTER TABLE orders ALTER COLUMN total_cents SET NOT NULL;
ALTER TABLE orders ALTER COLUMN total_cents SET DEFAULT 0;
