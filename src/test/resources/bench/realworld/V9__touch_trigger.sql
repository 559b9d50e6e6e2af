CREATE FUNCTION touch_order_total() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orders SET total_cents = order_total_cents(NEW.order_id) WHERE id = NEW.order_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER order_lines_total AFTER INSERT OR UPDATE ON order_lines
    FOR EACH ROW EXECUTE FUNCTION touch_order_total();
