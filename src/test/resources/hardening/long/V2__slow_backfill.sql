CREATE TABLE backfilled (id int PRIMARY KEY);
INSERT INTO backfilled VALUES (1);
-- Stands for a backfill that takes longer than one handler call.
SELECT pg_sleep(20);
