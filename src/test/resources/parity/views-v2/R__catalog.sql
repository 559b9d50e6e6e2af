CREATE OR REPLACE VIEW catalog AS SELECT id, name, price, stock FROM products;
