package com.company.database.schemaversion.engine;

import java.util.Map;

/**
 * Everything but the connection that decides how Flyway runs for one resource.
 *
 * @param schema                  the managed schema (Flyway's history table lives there)
 * @param lockTimeoutSeconds      PostgreSQL lock_timeout for migration statements
 * @param statementTimeoutSeconds PostgreSQL statement_timeout, further capped by the call budget
 */
public record EngineSettings(String schema, MigrationSource source, Map<String, String> placeholders,
                             int lockTimeoutSeconds, int statementTimeoutSeconds) {
    public EngineSettings {
        PlaceholderValues.check(placeholders);
        placeholders = placeholders == null ? Map.of() : Map.copyOf(placeholders);
    }
}
