package com.company.database.schemaversion.core;

/**
 * One versioned migration of a set, as the engine resolved it.
 *
 * @param transactional false for scripts Flyway runs outside a transaction (e.g. CREATE INDEX CONCURRENTLY);
 *                      null when it was not examined: knowing it takes parsing the script, which is done for
 *                      pending and failed migrations, not for every applied one
 */
public record Migration(Version version, String description, String script, Boolean transactional, Integer checksum) {
    /** How operators see it in messages: V3__add_orders_index. */
    public String label() {
        return script != null ? script.replaceFirst("\\.sql$", "") : "V" + version + "__" + description.replace(' ', '_');
    }
}
