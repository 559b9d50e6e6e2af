-- Slow on purpose: another deployment holds Flyway's lock while this runs.
CREATE TABLE slow_6 (id int PRIMARY KEY);
SELECT pg_sleep(1);
