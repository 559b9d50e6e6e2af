-- Orders and their lines; amounts in cents.
CREATE TABLE orders (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint      NOT NULL REFERENCES customers (id),
    status       text        NOT NULL DEFAULT 'new',
    placed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_lines (
    order_id     bigint  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no      integer NOT NULL,
    sku          text    NOT NULL,
    quantity     integer NOT NULL CHECK (quantity > 0),
    unit_cents   bigint  NOT NULL CHECK (unit_cents >= 0),
    PRIMARY KEY (order_id, line_no)
);
