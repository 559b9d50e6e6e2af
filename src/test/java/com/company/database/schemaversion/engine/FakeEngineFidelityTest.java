package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.core.FakeSchemaEngine;
import com.company.database.schemaversion.core.Migration;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Reconciler;
import com.company.database.schemaversion.core.Report;
import com.company.database.schemaversion.core.SchemaEngine;
import com.company.database.schemaversion.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core's fast tests are only as good as the fake engine they run against: here the fake and FlywayEngine
 * (Flyway on the embedded PostgreSQL) go through the same history and must report the same observations, as far
 * as the core reads them (versions, counts, what is pending and in which order, what is available, drift and
 * failed rows; checksums differ by construction and are compared only where they decide something). The order of
 * the available migrations is Flyway's listing order (applied ones in history order first), which the core never
 * reads, so it is compared as a set.
 */
class FakeEngineFidelityTest {
    private final List<FlywayEngine> engines = new ArrayList<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(FlywayEngine::close);
    }

    private FlywayEngine real(Path set) {
        return real(set, TestDatabase.newDatabase());
    }

    /** A new engine reads the set afresh, as a new type version's handler would; one engine takes it as baked. */
    private FlywayEngine real(Path set, String database) {
        FlywayEngine engine = new FlywayEngine(new ConnectionSpec("127.0.0.1", TestDatabase.port(), database, "disable",
                TestDatabase.USER, TestDatabase.PASSWORD, null, "the test's login", false),
                new EngineSettings("public", MigrationSource.directory(set), Map.of(), 10, 40));
        engines.add(engine);
        return engine;
    }

    private static Path set(Map<String, String> scripts) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "fake-fidelity", UUID.randomUUID().toString()).toAbsolutePath());
        for (Map.Entry<String, String> e : scripts.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
        return dir;
    }

    private static Budget ample() {
        return new Budget(Clock.systemUTC(), Duration.ofMinutes(5), Duration.ofMinutes(10));
    }

    /** What the core reads from an observation, with the numbers of checksums left out. */
    private static String seen(Observation o) {
        return "applied " + o.appliedVersion() + " count " + o.appliedCount()
                + " pending " + labels(o.pending()) + " available " + labels(o.available()).stream().sorted().toList()
                + " drift " + o.drift().stream().map(d -> d.replaceAll("\\(checksum .*", "(checksum ...)")).toList()
                + " failed " + o.failed() + " history " + (o.checksum() != null) + " at " + (o.lastAppliedAt() != null);
    }

    private static List<String> labels(List<Migration> ms) {
        return ms.stream().map(m -> m.label() + ":" + m.kind()).toList();
    }

    private static void sameSeen(SchemaEngine fake, SchemaEngine real) {
        assertThat(seen(fake.observe())).isEqualTo(seen(real.observe()));
    }

    @Test
    void versionedAndRepeatableMigrationsTheirDriftAndAnEditedRepeatable() throws Exception {
        Path dir = set(Map.of(
                "V1__v1.sql", "CREATE TABLE one (id int);",
                "V2__v2.sql", "CREATE TABLE two (id int);",
                "V3__v3.sql", "CREATE TABLE three (id int);",
                "R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT 1 AS one;"));
        FlywayEngine real = real(dir);
        FakeSchemaEngine fake = new FakeSchemaEngine().versioned("1", "2", "3").repeatable("view", 1);
        Reconciler reconciler = new Reconciler();
        sameSeen(fake, real);

        Report fakeReport = reconciler.step(fake, "2", ample());
        Report realReport = reconciler.step(real, "2", ample());
        assertThat(fakeReport.message()).isEqualTo(realReport.message());
        sameSeen(fake, real);

        String database = real.connection().database();
        Files.writeString(dir.resolve("R__view.sql"), "CREATE OR REPLACE VIEW v AS SELECT 2 AS two;");
        fake.edit("R:view", 2);
        FlywayEngine editedView = real(dir, database);
        sameSeen(fake, editedView);

        Files.writeString(dir.resolve("V1__v1.sql"), "CREATE TABLE one (id bigint);");
        fake.edit("1", 99);
        FlywayEngine drifted = real(dir, database);
        sameSeen(fake, drifted);
        assertThat(drifted.observe().drift()).singleElement().asString().startsWith("V1__v1 changed after it was applied");
    }

    @Test
    void aNewDatabaseStartsAtTheBaselineMigrationAndCountsTheVersionsItCovers() throws Exception {
        Path dir = set(Map.of(
                "V1__v1.sql", "CREATE TABLE one (id int);",
                "V2__v2.sql", "CREATE TABLE two (id int);",
                "B2__baseline.sql", "CREATE TABLE one (id int); CREATE TABLE two (id int);",
                "V3__v3.sql", "CREATE TABLE three (id int);"));
        FlywayEngine real = real(dir);
        FakeSchemaEngine fake = new FakeSchemaEngine().versioned("1").baseline("2").versioned("2", "3");
        Reconciler reconciler = new Reconciler();
        sameSeen(fake, real);

        Report fakeReport = reconciler.step(fake, "1", ample());
        Report realReport = reconciler.step(real, "1", ample());
        assertThat(fakeReport.message()).isEqualTo(realReport.message());
        sameSeen(fake, real);
        assertThat(reconciler.step(fake, "latest", ample()).message())
                .isEqualTo(reconciler.step(real, "latest", ample()).message());
        sameSeen(fake, real);
    }
}
