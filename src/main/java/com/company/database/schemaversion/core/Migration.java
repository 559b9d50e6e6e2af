package com.company.database.schemaversion.core;

/**
 * One migration of a set, as the engine resolved it.
 *
 * @param version       null for a repeatable migration (R__), which has none
 * @param transactional false for scripts Flyway runs outside a transaction (e.g. CREATE INDEX CONCURRENTLY);
 *                      null when it was not examined: knowing it takes parsing the script, which is done only
 *                      for scripts a deploy is about to run and for failed ones, never for a Read
 * @param kind          what Flyway does with it (versioned, baseline or repeatable)
 */
public record Migration(Version version, String description, String script, Boolean transactional, Integer checksum,
                        Kind kind) {

    public enum Kind {
        /** V&lt;version&gt;__: runs once, in version order. */
        VERSIONED,
        /** B&lt;version&gt;__: on a new database, replaces every versioned migration up to its version. */
        BASELINE,
        /** R__: runs after the versioned ones whenever its checksum differs from the last run's. */
        REPEATABLE
    }

    public Migration {
        kind = kind == null ? Kind.VERSIONED : kind;
    }

    public Migration(Version version, String description, String script, Boolean transactional, Integer checksum) {
        this(version, description, script, transactional, checksum, Kind.VERSIONED);
    }

    public boolean repeatable() {
        return kind == Kind.REPEATABLE;
    }

    /** How operators see it in messages: V3__add_orders_index, R__orders_view, B14__baseline. */
    public String label() {
        if (script != null) {
            String name = script.replace('\\', '/');
            name = name.substring(name.lastIndexOf('/') + 1);
            return name.replaceFirst("\\.sql$", "");
        }
        String prefix = kind == Kind.REPEATABLE ? "R" : kind == Kind.BASELINE ? "B" + version : "V" + version;
        return prefix + "__" + description.replace(' ', '_');
    }
}
