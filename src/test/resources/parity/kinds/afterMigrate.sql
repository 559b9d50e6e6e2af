-- Idempotent, as callbacks must be: Flyway runs afterMigrate after every migrate, also one with nothing to do.
CREATE TABLE IF NOT EXISTS callback_marks (name text PRIMARY KEY);
INSERT INTO callback_marks (name) VALUES ('afterMigrate') ON CONFLICT DO NOTHING;
