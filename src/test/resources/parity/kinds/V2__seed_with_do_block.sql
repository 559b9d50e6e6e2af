DO $body$
DECLARE
    i int;
BEGIN
    FOR i IN 1..20 LOOP
        INSERT INTO customers (id, name) VALUES (i, 'customer-' || i);
        INSERT INTO orders (id, customer_id, status, total) VALUES (i, i, (CASE WHEN i % 2 = 0 THEN 'paid' ELSE 'new' END)::order_status, i * 10);
    END LOOP;
END
$body$;
