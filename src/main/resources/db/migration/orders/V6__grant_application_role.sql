-- The application's role (Placeholders.AppRole) may read and write orders, nothing more.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${AppRole}') THEN
        CREATE ROLE "${AppRole}" NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA "${flyway:defaultSchema}" TO "${AppRole}";
GRANT SELECT, INSERT, UPDATE ON customers, orders, order_lines TO "${AppRole}";
