CREATE TABLE shipments (
    id bigint PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id),
    carrier text NOT NULL DEFAULT '${Carrier}'
);
UPDATE orders SET status = 'shipped' WHERE id <= 3;
INSERT INTO shipments (id, order_id) SELECT id, id FROM orders WHERE status = 'shipped';
