CREATE OR REPLACE VIEW status_counts AS
SELECT status, count(*) AS orders FROM orders GROUP BY status;
