-- Free-text notes on an order, and only known states from now on.
ALTER TABLE orders ADD COLUMN note text;

ALTER TABLE orders
    ADD CONSTRAINT orders_status_known CHECK (state IN ('new', 'paid', 'shipped'));
