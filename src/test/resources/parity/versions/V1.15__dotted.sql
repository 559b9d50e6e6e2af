INSERT INTO versions_seen VALUES ('1.15');
