package com.company.database.schemaversion.local;

import com.company.database.schemaversion.local.LocalRunnerHarness.Run;
import com.company.database.schemaversion.testing.ConsoleTee;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A migration that fails, through the local runner: the event table says so once, in the type's words, and
 * Flyway's own log (java.util.logging's two-line records on stderr) does not interrupt it. With --verbose,
 * Flyway's lines are in the handler's log, one line each, and none repeats the failure.
 */
class FlywayLogLinesTest {

    @Test
    void aFailingMigrationIsReportedByTheEventsAloneAndFlywaysLinesGoToTheHandlersLog() throws Exception {
        LocalRunnerHarness h = new LocalRunnerHarness();
        Path set = Files.createDirectories(h.home.resolve("failing-set"));
        Files.writeString(set.resolve("V1__a.sql"), "CREATE TABLE a (id int);");
        Files.writeString(set.resolve("V2__b.sql"), "CREATE TABLE b (id int REFERENCES no_such_table (id));");
        Path props = h.propertiesFile("latest");

        List<LogRecord> julRecords = new ArrayList<>();
        Handler jul = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (julRecords) {
                    julRecords.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger flyway = Logger.getLogger("org.flywaydb");
        flyway.addHandler(jul);
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(ConsoleTee.tee(stderr, originalErr), true, StandardCharsets.UTF_8));
        Run quiet;
        Run verbose;
        try {
            quiet = h.run("create", "--properties", props.toString(), "--migrations", set.toString());
            verbose = h.run("create", "--properties", props.toString(), "--migrations", set.toString(), "--verbose");
        } finally {
            System.setErr(originalErr);
            flyway.removeHandler(jul);
        }

        assertThat(quiet.exitCode()).as(quiet.toString()).isEqualTo(1);
        assertThat(quiet.out()).contains("CREATE_FAILED").contains("V2__b.sql");
        for (String printed : List.of(quiet.out(), quiet.err(), verbose.err(), stderr.toString(StandardCharsets.UTF_8))) {
            assertThat(printed).doesNotContain("org.flywaydb").doesNotContain("SEVERE").doesNotContain("Flyway info")
                    .doesNotContain("Flyway warning").doesNotContain("Flyway notice");
        }
        synchronized (julRecords) {
            assertThat(julRecords).extracting(LogRecord::getMessage).isEmpty();
        }

        assertThat(verbose.exitCode()).as(verbose.toString()).isEqualTo(1);
        List<String> flywayLines = verbose.out().lines().filter(l -> l.contains("Flyway ")).toList();
        assertThat(flywayLines).as(verbose.out()).isNotEmpty()
                .allMatch(l -> l.startsWith("    handler: Flyway "), "each a line of the handler's log")
                .anyMatch(l -> l.contains("Migrating schema"))
                .noneMatch(l -> l.contains("failed"));
    }
}
