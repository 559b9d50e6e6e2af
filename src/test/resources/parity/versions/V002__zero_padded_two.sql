INSERT INTO versions_seen VALUES ('002');
