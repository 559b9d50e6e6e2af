-- Only known states from now on.
ALTER TABLE orders
    ADD CONSTRAINT orders_status_known CHECK (status IN ('new', 'paid', 'shipped', 'cancelled'));
