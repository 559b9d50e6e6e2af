CREATE TYPE order_status AS ENUM ('new', 'paid');
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status order_status NOT NULL DEFAULT 'new',
    total numeric(12, 2) NOT NULL CHECK (total >= 0)
);
