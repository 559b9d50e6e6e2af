DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_reporting') THEN
        CREATE ROLE bench_reporting NOLOGIN;
    END IF;
END
$$;
GRANT SELECT ON customer_summary TO bench_reporting;
