INSERT INTO products (sku, title, price_cents)
SELECT 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, 100 + (g * 37) % 5000
FROM generate_series(1, 2000) AS g;
