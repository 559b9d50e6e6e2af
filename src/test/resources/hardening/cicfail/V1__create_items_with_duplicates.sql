CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO items SELECT g, 'item-' || (g % 100) FROM generate_series(1, 500) g;
