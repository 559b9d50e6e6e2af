ALTER TABLE orders ADD CONSTRAINT orders_paid_has_lines
    CHECK (status = 'pending' OR total_cents >= 0);
COMMENT ON TABLE orders IS 'One customer order; totals kept by a trigger on order_lines';
