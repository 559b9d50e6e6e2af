-- A function whose dollar-quoted body holds semicolons.
CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := '2020-01-01 00:00:00+00'::timestamptz;
    RETURN NEW;
END;
$$;
CREATE TRIGGER customers_touch BEFORE INSERT OR UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
