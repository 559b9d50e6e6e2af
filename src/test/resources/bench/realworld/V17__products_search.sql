ALTER TABLE products ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || sku)) STORED;
CREATE INDEX products_search_idx ON products USING gin (search);
