DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'products_active_idx') THEN
        CREATE INDEX products_active_idx ON products (active) WHERE active;
    END IF;
END
$$;
