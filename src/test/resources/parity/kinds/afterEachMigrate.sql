CREATE TABLE IF NOT EXISTS callback_marks (name text PRIMARY KEY);
INSERT INTO callback_marks (name) VALUES ('afterEachMigrate') ON CONFLICT DO NOTHING;
