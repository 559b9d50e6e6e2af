package com.company.database.schemaversion.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Engines kept warm across handler calls in one JVM (a warm Lambda container, the local runner), so a
 * deploy's later calls and Reads skip Flyway's set-up and migration scanning. Keyed by everything that
 * shapes the engine, the password included, so a rotated secret gets a new engine (the old one's kept
 * connections are closed when it falls out of the cache).
 */
public final class FlywayEngines {
    private static final int MAX = 16;
    private static final Map<Object, FlywayEngine> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, FlywayEngine> eldest) {
            if (size() > MAX) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };

    private FlywayEngines() {
    }

    public static synchronized FlywayEngine get(ConnectionSpec connection, EngineSettings settings) {
        return CACHE.computeIfAbsent(java.util.List.of(connection, settings), k -> new FlywayEngine(connection, settings));
    }

    /** Forgets every engine and closes the connections they kept. */
    public static synchronized void clear() {
        CACHE.values().forEach(FlywayEngine::close);
        CACHE.clear();
    }
}
