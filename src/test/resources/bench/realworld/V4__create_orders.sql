CREATE TABLE orders (
    id          bigserial PRIMARY KEY,
    customer_id bigint       NOT NULL REFERENCES customers (id),
    status      order_status NOT NULL DEFAULT 'pending',
    placed_at   timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
