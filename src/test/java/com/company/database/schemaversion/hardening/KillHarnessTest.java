package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILLs the handler's JVM at random points of a Create of 50 generated migrations, then plays CloudFormation
 * on: a new handler process gets either the last answered CallbackContext or none (a retried request), until the
 * operation ends. Each migration creates a table and fills it in one transaction, so "tables == history" proves
 * nothing was half-applied, and the history must list every version exactly once.
 *
 * <p>Default run: {@value #DEFAULT_TRIALS} trials. Full run: {@code mvn -B test -Dtest=KillHarnessTest -Dharness.trials=20}.
 */
class KillHarnessTest extends AbstractHandlerTest {
    static final int DEFAULT_TRIALS = 4;
    static final int MIGRATIONS = 50;
    static final int ROWS = 2000;

    @Test
    void convergesAfterRandomKills() throws Exception {
        int trials = Integer.getInteger("harness.trials", DEFAULT_TRIALS);
        long seed = Long.getLong("harness.seed", System.nanoTime());
        Random random = new Random(seed);
        Path migrations = generateMigrations();
        Path work = Path.of("target/hardening-kill/" + ProcessHandle.current().pid()).toAbsolutePath();
        int totalKills = 0;
        int killsMidCall = 0;
        long lifetimeMillis = 12_000;
        int killsMidDeploy = 0;
        int totalCalls = 0;
        int resumedWithContext = 0;
        int resumedWithout = 0;
        int processes = 0;
        long started = System.nanoTime();
        List<String> perTrial = new ArrayList<>();
        for (int trial = 1; trial <= trials; trial++) {
            long trialStart = System.nanoTime();
            database = com.company.database.schemaversion.testing.TestDatabase.newDatabase();
            ObjectNode desired = model("latest");
            desired.remove("MigrationSet");
            desired.remove("Placeholders");
            ((ObjectNode) desired.get("Timeouts")).put("ConnectWaitMinutes", 10);
            String token = UUID.randomUUID().toString();
            int killsPlanned = 1 + random.nextInt(3);
            JsonNode last = null;
            String finalStatus = null;
            int kills = 0;
            int calls = 0;
            for (int run = 0; finalStatus == null; run++) {
                assertThat(run).as("trial %d did not converge", trial).isLessThan(40);
                JsonNode model = desired;
                JsonNode context = null;
                if (last != null && "IN_PROGRESS".equals(last.path("status").asText()) && random.nextBoolean()) {
                    model = last.get("resourceModel");
                    context = last.get("callbackContext");
                    resumedWithContext++;
                } else if (run > 0) {
                    resumedWithout++;
                }
                Path state = work.resolve("t" + trial + "-r" + run);
                Files.createDirectories(state);
                ObjectNode request = CloudFormationDriver.quiet().withTypeConfiguration(com.company.database.schemaversion.testing.TestModels.testAccount()).request("CREATE", model, null, context, token, null);
                Files.write(state.resolve("request.json"), JSON.writeValueAsBytes(request));
                Process p = start(state, migrations);
                long processStart = System.nanoTime();
                processes++;
                if (kills < killsPlanned) {
                    // Half the kills wait for the process's first answer, so they land among the migrations
                    // rather than in JVM start-up; the others fall anywhere in a process's life. How long a
                    // process lives depends on the machine: each one that ends before its kill shrinks the
                    // window to what it measured, so kills keep landing on fast and slow machines alike.
                    long delay;
                    if (random.nextBoolean()) {
                        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                        while (!Files.exists(state.resolve("calls.log")) && p.isAlive() && System.nanoTime() < until) {
                            Thread.sleep(10);
                        }
                        delay = 50 + random.nextInt((int) Math.max(1, Math.min(2_500, lifetimeMillis / 3)));
                    } else {
                        delay = 300 + random.nextInt((int) Math.max(1, lifetimeMillis - 300));
                    }
                    boolean ended = p.waitFor(delay, TimeUnit.MILLISECONDS);
                    if (ended) {
                        long lived = (System.nanoTime() - processStart) / 1_000_000;
                        lifetimeMillis = Math.max(1_000, Math.min(lifetimeMillis, lived * 9 / 10));
                    }
                    if (!ended) {
                        p.destroyForcibly();
                        p.waitFor(30, TimeUnit.SECONDS);
                        kills++;
                        if (Files.exists(state.resolve("calls.log"))) {
                            killsMidCall++;
                        }
                        int appliedAtKill = appliedCount();
                        if (appliedAtKill > 0 && appliedAtKill < MIGRATIONS) {
                            killsMidDeploy++;
                        }
                    }
                } else {
                    boolean ended = p.waitFor(3, TimeUnit.MINUTES);
                    if (!ended) {
                        p.destroyForcibly();
                    }
                    assertThat(ended).as("handler process finished; see %s", state).isTrue();
                }
                Path lastFile = state.resolve("last.json");
                if (Files.exists(lastFile)) {
                    last = JSON.readTree(lastFile.toFile());
                    calls += Files.readAllLines(state.resolve("calls.log")).size();
                    if (!"IN_PROGRESS".equals(last.path("status").asText())) {
                        finalStatus = last.path("status").asText();
                    }
                } else if (p.exitValue() != 137 && p.exitValue() != 0 && !p.isAlive()) {
                    assertThat(Files.readString(state.resolve("stderr.txt")))
                            .as("handler process failed before any answer").isEmpty();
                }
                assertConsistent(trial);
            }
            assertThat(finalStatus).as("trial %d: %s", trial, last.path("message").asText()).isEqualTo("SUCCESS");
            assertThat(last.path("resourceModel").path("AppliedVersion").asText()).isEqualTo(String.valueOf(MIGRATIONS));
            List<String> history = history();
            assertThat(history).containsExactlyElementsOf(
                    IntStream.rangeClosed(1, MIGRATIONS).mapToObj(String::valueOf).collect(Collectors.toList()));
            assertThat(query("SELECT count(*) FROM public.flyway_schema_history WHERE NOT success")).containsExactly("0");
            totalKills += kills;
            totalCalls += calls;
            perTrial.add(String.format("trial %d: %d kill(s), %d call(s), %d ms", trial, kills, calls,
                    (System.nanoTime() - trialStart) / 1_000_000));
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        perTrial.forEach(System.out::println);
        System.out.printf("KILL HARNESS: trials=%d migrations=%d kills=%d (after the process's first answer: %d; with 1..49 migrations applied: %d) handler processes=%d"
                        + " answered calls=%d resumed with context=%d, without=%d, converged=%d/%d, time=%d ms, seed=%d%n",
                trials, MIGRATIONS, totalKills, killsMidCall, killsMidDeploy, processes, totalCalls, resumedWithContext, resumedWithout,
                trials, trials, millis, seed);
        assertThat(totalKills).as("the harness must actually kill").isGreaterThanOrEqualTo(Math.max(1, trials / 2));
    }

    private int appliedCount() {
        if (query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                + " AND table_name = 'flyway_schema_history'").get(0).equals("0")) {
            return 0;
        }
        return Integer.parseInt(query("SELECT count(*) FROM public.flyway_schema_history WHERE success AND version IS NOT NULL").get(0));
    }

    /** Every table t<N> exists iff version N is in the history, with all its rows; nothing failed half-way. */
    private void assertConsistent(int trial) {
        List<String> tables = query("SELECT substring(table_name from 2) FROM information_schema.tables"
                + " WHERE table_schema = 'public' AND table_name ~ '^t[0-9]+$' ORDER BY substring(table_name from 2)::int");
        if (!query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                + " AND table_name = 'flyway_schema_history'").get(0).equals("1")) {
            assertThat(tables).as("trial %d: tables without history", trial).isEmpty();
            return;
        }
        List<String> applied = query("SELECT version FROM public.flyway_schema_history WHERE version IS NOT NULL"
                + " AND success ORDER BY version::int");
        assertThat(tables).as("trial %d: tables == history", trial).containsExactlyElementsOf(applied);
        assertThat(applied).as("trial %d: each version once", trial).doesNotHaveDuplicates();
        for (String t : tables) {
            assertThat(query("SELECT count(*) FROM public.t" + t)).containsExactly(String.valueOf(ROWS));
        }
    }

    private Process start(Path state, Path migrations) throws Exception {
        Path tmp = state.resolve("tmp");
        Files.createDirectories(tmp);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Djava.io.tmpdir=" + tmp,
                "-Daws.endpointUrlSsm=" + ssm().endpoint(),
                "-Daws.endpointUrlKms=" + kms().endpoint(),
                "-Dharness.migrations=" + migrations,
                "-Dharness.startWindowMillis=1500",
                "-cp", System.getProperty("java.class.path"),
                HandlerProcess.class.getName(), state.resolve("request.json").toString(), state.toString());
        return new ProcessBuilder(cmd)
                .redirectOutput(state.resolve("stdout.txt").toFile())
                .redirectError(state.resolve("stderr.txt").toFile())
                .start();
    }

    static Path generateMigrations() throws Exception {
        Path dir = Path.of("target/hardening-migrations/" + ProcessHandle.current().pid() + "/kill" + MIGRATIONS).toAbsolutePath();
        Files.createDirectories(dir);
        for (int v = 1; v <= MIGRATIONS; v++) {
            Files.writeString(dir.resolve("V" + v + "__table_" + v + ".sql"),
                    "CREATE TABLE t" + v + " (id int PRIMARY KEY, payload text NOT NULL);\n"
                            + "INSERT INTO t" + v + " SELECT g, md5(g::text) FROM generate_series(1, " + ROWS + ") g;\n"
                            + "SELECT pg_sleep(0.03);\n"
                            + "UPDATE t" + v + " SET payload = payload || '!';\n", StandardCharsets.UTF_8);
        }
        return dir;
    }
}
