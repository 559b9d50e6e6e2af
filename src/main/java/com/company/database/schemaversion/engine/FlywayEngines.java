package com.company.database.schemaversion.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Engines kept warm across handler calls in one JVM (a warm Lambda container, the local runner), so a
 * deploy's later calls and Reads skip Flyway's set-up and migration scanning. Keyed by everything that
 * shapes the engine, the password included, so a rotated secret gets a new engine.
 */
public final class FlywayEngines {
    private static final int MAX = 16;
    private static final Map<Object, FlywayEngine> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, FlywayEngine> eldest) {
            return size() > MAX;
        }
    };

    private FlywayEngines() {
    }

    public static synchronized FlywayEngine get(ConnectionSpec connection, EngineSettings settings) {
        return CACHE.computeIfAbsent(java.util.List.of(connection, settings), k -> new FlywayEngine(connection, settings));
    }

    public static synchronized void clear() {
        CACHE.clear();
    }
}
