package com.company.database.schemaversion.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Between the announcement of a cold-start warm-up and its end, no engine is built beside it (two threads
 * initialising Flyway's classes at once could deadlock); once it has run, engines are handed out again.
 * Nothing here connects: an engine connects on its first command.
 */
class EngineWarmUpTest {
    private static final ConnectionSpec NOWHERE = new ConnectionSpec("127.0.0.1", 9, "warmup_test", "disable", "u", "p");
    private static final EngineSettings SETTINGS = new EngineSettings("public", MigrationSource.baked("orders"),
            Map.of("AppRole", "orders_app"), 10, 40);

    @AfterEach
    void forget() {
        FlywayEngines.clear();
    }

    @Test
    void enginesWaitForAnAnnouncedWarmUpAndNotLonger() throws Exception {
        Runnable warmUp = FlywayEngines.warmUpTask();
        CompletableFuture<FlywayEngine> engine = CompletableFuture.supplyAsync(() -> FlywayEngines.get(NOWHERE, SETTINGS));
        Thread.sleep(500);
        assertThat(engine).as("an engine asked for while the warm-up has not run").isNotDone();

        warmUp.run();
        assertThat(engine.get(5, TimeUnit.SECONDS).connection()).isEqualTo(NOWHERE);
        assertThat(FlywayEngines.get(NOWHERE, SETTINGS)).isSameAs(engine.get());
    }
}
