CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO items SELECT g, 'item-' || g FROM generate_series(1, 5000) g;
