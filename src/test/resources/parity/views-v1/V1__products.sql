CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10, 2) NOT NULL);
INSERT INTO products VALUES (1, 'pen', 1.50), (2, 'book', 12.00);
