CREATE TABLE versions_seen (version text PRIMARY KEY);
INSERT INTO versions_seen VALUES ('001');
