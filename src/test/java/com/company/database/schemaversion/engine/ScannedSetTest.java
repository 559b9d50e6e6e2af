package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine scans its set once, but a set on disk that changes while the engine lives is scanned again. */
class ScannedSetTest {
    @TempDir
    Path dir;
    private FlywayEngine engine;

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(dir.resolve("V1__one.sql"), "CREATE TABLE one (id int);\n");
        engine = new FlywayEngine(new ConnectionSpec("127.0.0.1", TestDatabase.port(), TestDatabase.newDatabase(),
                "disable", TestDatabase.USER, TestDatabase.PASSWORD, null, null),
                new EngineSettings("public", MigrationSource.directory(dir), Map.of(), 10, 40));
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    @Test
    void scriptsAddedOrChangedOnDiskAreSeenByTheNextObservationAndApplied() throws IOException {
        new com.company.database.schemaversion.core.Reconciler().step(engine, "1", budget());
        assertThat(engine.observe().appliedVersion()).hasToString("1");
        assertThat(engine.observe().pending()).isEmpty();

        Files.writeString(dir.resolve("V2__two.sql"), "CREATE TABLE two (id int);\n");
        Files.writeString(dir.resolve("R__view.sql"), "CREATE OR REPLACE VIEW v AS SELECT 1 AS x;\n");
        assertThat(engine.observe().pending()).extracting(m -> m.script()).containsExactly("V2__two.sql", "R__view.sql");
        new com.company.database.schemaversion.core.Reconciler().step(engine, "2", budget());
        assertThat(engine.observe().appliedVersion()).hasToString("2");
        assertThat(engine.observe().pending()).isEmpty();

        // A changed repeatable is pending again; a removed script is drift.
        Files.writeString(dir.resolve("R__view.sql"), "CREATE OR REPLACE VIEW v AS SELECT 2 AS x, 3 AS y;\n");
        Files.delete(dir.resolve("V1__one.sql"));
        assertThat(engine.observe().pending()).extracting(m -> m.script()).containsExactly("R__view.sql");
        assertThat(engine.observe().drift()).singleElement().asString().contains("no longer in the migration set");
    }

    private static Budget budget() {
        return new Budget(Clock.systemUTC(), Duration.ofSeconds(25), Duration.ofSeconds(50));
    }
}
