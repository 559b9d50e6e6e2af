CREATE TABLE products (
    id          bigserial PRIMARY KEY,
    sku         text    NOT NULL UNIQUE,
    title       text    NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    active      boolean NOT NULL DEFAULT true
);
