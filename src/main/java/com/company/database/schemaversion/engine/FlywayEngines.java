package com.company.database.schemaversion.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Engines kept warm across handler calls by whoever owns this cache (a handler environment, so a warm Lambda
 * container or the local runner; a runner function's handler), so a deploy's later calls and Reads skip Flyway's
 * set-up and migration scanning. Keyed by everything that shapes the engine, the password included, so a rotated
 * secret gets a new engine (the old one's kept connections are closed when it falls out of the cache).
 */
public final class FlywayEngines implements AutoCloseable {
    private static final int MAX = 16;
    private final Map<Object, FlywayEngine> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, FlywayEngine> eldest) {
            if (size() > MAX) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };

    public synchronized FlywayEngine get(ConnectionSpec connection, EngineSettings settings) {
        return cache.computeIfAbsent(List.of(connection, settings), k -> new FlywayEngine(connection, settings));
    }

    /** Forgets every engine and closes the connections they kept. */
    public synchronized void clear() {
        cache.values().forEach(FlywayEngine::close);
        cache.clear();
    }

    @Override
    public void close() {
        clear();
    }
}
