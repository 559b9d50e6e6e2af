package com.company.database.schemaversion.engine;

import org.flywaydb.core.api.logging.Log;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Flyway's lines: one line each, to the route of the thread that runs the engine, errors left to the exception. */
class FlywayLogTest {
    private final Log log = new FlywayLog().createLogger(FlywayLogTest.class);

    @Test
    void routedLinesAreOneLineEachAndErrorsAndDebugAreLeftOut() {
        List<String> lines = new ArrayList<>();
        try (FlywayLog.Route route = FlywayLog.routeTo(lines::add)) {
            log.info("Migrating schema \"public\" to version \"2 - b\"");
            log.warn("DB: relation exists,\n  skipping");
            log.notice("a notice");
            log.debug("debug");
            log.error("Migration of schema \"public\" to version \"2 - b\" failed!");
            log.error("failed", new IllegalStateException("x"));
        }
        assertThat(lines).containsExactly("Flyway info: Migrating schema \"public\" to version \"2 - b\"",
                "Flyway warning: DB: relation exists, skipping", "Flyway notice: a notice");
    }

    @Test
    void closingARouteRestoresTheOneBeforeItAndAnUnroutedThreadKeepsOnlyWarnings() throws Exception {
        List<String> outer = new ArrayList<>();
        List<String> inner = new ArrayList<>();
        try (FlywayLog.Route o = FlywayLog.routeTo(outer::add)) {
            try (FlywayLog.Route i = FlywayLog.routeTo(inner::add)) {
                log.info("inner");
            }
            log.info("outer");
            Thread other = new Thread(() -> log.info("another thread's line"));
            other.start();
            other.join();
        }
        log.info("nobody's");
        assertThat(inner).containsExactly("Flyway info: inner");
        assertThat(outer).containsExactly("Flyway info: outer");
    }
}
