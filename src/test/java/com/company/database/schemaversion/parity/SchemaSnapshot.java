package com.company.database.schemaversion.parity;

import com.company.database.schemaversion.testing.TestDatabase;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What two databases must share to count as migrated alike: the schema from the catalog (the embedded server is
 * PostgreSQL 14 and ships no pg_dump; the machine's pg_dump is another major version, whose output would
 * differ for reasons of its own), the data of every table, and Flyway's history without the columns that
 * record when and by whom.
 */
final class SchemaSnapshot {
    private static final String SCHEMA = "'public'";

    private SchemaSnapshot() {
    }

    static Map<String, List<String>> schema(String database) {
        Map<String, List<String>> s = new LinkedHashMap<>();
        s.put("columns", q(database, "SELECT table_name || '.' || column_name || ' ' || data_type || ' default '"
                + " || coalesce(column_default, '-') || ' nullable ' || is_nullable FROM information_schema.columns"
                + " WHERE table_schema = " + SCHEMA + " ORDER BY 1"));
        s.put("constraints", q(database, "SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)"
                + " FROM pg_constraint WHERE connamespace = " + SCHEMA + "::regnamespace ORDER BY 1"));
        s.put("indexes", q(database, "SELECT c.relname || ' ' || pg_get_indexdef(i.indexrelid) || ' valid ' || i.indisvalid"
                + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = " + SCHEMA
                + "::regnamespace ORDER BY 1"));
        s.put("views", q(database, "SELECT viewname || ' ' || definition FROM pg_views WHERE schemaname = " + SCHEMA
                + " ORDER BY 1"));
        s.put("functions", q(database, "SELECT pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = " + SCHEMA
                + "::regnamespace ORDER BY proname, oid::regprocedure::text"));
        s.put("enums", q(database, "SELECT t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)"
                + " FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = " + SCHEMA
                + "::regnamespace GROUP BY t.typname ORDER BY 1"));
        s.put("triggers", q(database, "SELECT tgname || ' ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
                + " AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = " + SCHEMA + "::regnamespace) ORDER BY 1"));
        return s;
    }

    static Map<String, String> data(String database) {
        Map<String, String> d = new LinkedHashMap<>();
        for (String table : q(database, "SELECT table_name FROM information_schema.tables WHERE table_schema = " + SCHEMA
                + " AND table_type = 'BASE TABLE' AND table_name <> 'flyway_schema_history' ORDER BY 1")) {
            d.put(table, q(database, "SELECT coalesce(string_agg(t::text, ' | ' ORDER BY t::text), '') FROM public.\""
                    + table + "\" t").get(0));
        }
        return d;
    }

    static List<String> history(String database) {
        return q(database, "SELECT coalesce(version, '-') || ' ' || description || ' ' || type || ' ' || script || ' '"
                + " || coalesce(checksum::text, '-') || ' ' || success FROM public.flyway_schema_history ORDER BY installed_rank");
    }

    private static List<String> q(String database, String sql) {
        return TestDatabase.query(database, sql);
    }
}
