package com.company.database.schemaversion.engine;

import java.util.LinkedHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.Map;

/**
 * Engines kept warm across handler calls in one JVM (a warm Lambda container, the local runner), so a
 * deploy's later calls and Reads skip Flyway's set-up and migration scanning. Keyed by everything that
 * shapes the engine, the password included, so a rotated secret gets a new engine (the old one's kept
 * connections are closed when it falls out of the cache).
 */
public final class FlywayEngines {
    private static final int MAX = 16;
    private static final int WARM_UP_WAIT_SECONDS = 10;
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

    /** Open while a warm-up is loading Flyway; engines are not built until it is done (see warmUpTask). */
    private static volatile CountDownLatch warmingUp = new CountDownLatch(0);

    public static FlywayEngine get(ConnectionSpec connection, EngineSettings settings) {
        awaitWarmUp();
        return cached(connection, settings);
    }

    private static synchronized FlywayEngine cached(ConnectionSpec connection, EngineSettings settings) {
        return CACHE.computeIfAbsent(java.util.List.of(connection, settings), k -> new FlywayEngine(connection, settings));
    }

    /**
     * A task that loads what the first engine needs (the JDBC driver, Flyway and its plugins) and connects to
     * nothing, for a second thread at cold start. From this call until the task has run, engines wait for it
     * rather than load the same classes beside it: two threads initialising one library's classes at once can
     * deadlock on a cycle between static initialisers, and the wait costs nothing the engine would not spend
     * loading them itself.
     */
    public static Runnable warmUpTask() {
        CountDownLatch latch = new CountDownLatch(1);
        warmingUp = latch;
        return () -> {
            try {
                FlywayEngine.warmUp();
            } catch (Throwable ignored) {
                // Only a head start: the engine loads whatever is missing.
            } finally {
                latch.countDown();
            }
        };
    }

    private static void awaitWarmUp() {
        try {
            if (!warmingUp.await(WARM_UP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                // Something is very slow: go on, the engine loads what it needs itself.
                warmingUp = new CountDownLatch(0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Forgets every engine and closes the connections they kept. */
    public static synchronized void clear() {
        CACHE.values().forEach(FlywayEngine::close);
        CACHE.clear();
    }
}
