package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Database faults in the middle of a deploy, and deployments racing for the same database schema. */
class FaultsAndConcurrencyTest extends AbstractHandlerTest {

    private ObjectNode generatedSetModel(int port) throws Exception {
        useMigrations(MigrationSource.directory(KillHarnessTest.generateMigrations()));
        useCallBudget(Duration.ofMillis(1500), Duration.ofSeconds(50));
        ObjectNode m = model("latest");
        m.remove("MigrationSet");
        m.remove("Placeholders");
        ((ObjectNode) m.get("Database")).put("Port", port);
        ((ObjectNode) m.get("Timeouts")).put("ConnectWaitMinutes", 5);
        return m;
    }

    private int appliedCount() {
        try {
            return Integer.parseInt(query("SELECT count(*) FROM public.flyway_schema_history WHERE success AND version IS NOT NULL").get(0));
        } catch (IllegalStateException e) {
            return 0;
        }
    }

    private void awaitApplied(int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (appliedCount() < n && System.nanoTime() < until) {
            Thread.sleep(20);
        }
    }

    private void assertFullHistoryOnce() {
        assertThat(history()).containsExactlyElementsOf(
                IntStream.rangeClosed(1, KillHarnessTest.MIGRATIONS).mapToObj(String::valueOf).collect(Collectors.toList()));
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name ~ '^t[0-9]+$'"))
                .containsExactly(String.valueOf(KillHarnessTest.MIGRATIONS));
        assertThat(query("SELECT count(*) FROM public.flyway_schema_history WHERE NOT success")).containsExactly("0");
    }

    @Test
    void droppedConnectionsAndARefusingDatabaseMidDeployAreSurvived() throws Exception {
        try (TcpProxy proxy = new TcpProxy(TestDatabase.port())) {
            ObjectNode m = generatedSetModel(proxy.port());
            CompletableFuture<Void> faults = CompletableFuture.runAsync(() -> {
                try {
                    awaitApplied(5);
                    proxy.refuse(true);
                    proxy.cutAll();
                    Thread.sleep(2000);
                    proxy.refuse(false);
                    awaitApplied(25);
                    proxy.cutAll();
                    awaitApplied(40);
                    proxy.cutAll();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long start = System.nanoTime();
            Outcome o = create(m);
            faults.get(60, TimeUnit.SECONDS);
            assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
            List<CloudFormationDriver.Event> retries = o.events().stream()
                    .filter(e -> e.message().contains("Retrying")).collect(Collectors.toList());
            assertThat(retries).as("the refusal was answered with IN_PROGRESS retries").isNotEmpty();
            assertThat(proxy.cut.get()).isGreaterThan(0);
            assertThat(proxy.refused.get()).isGreaterThan(0);
            assertFullHistoryOnce();
            System.out.printf("FAULTS proxy: calls=%d retries=%d sockets cut=%d connections refused=%d max call=%d ms time=%d ms%n",
                    o.calls(), retries.size(), proxy.cut.get(), proxy.refused.get(),
                    o.events().stream().mapToLong(CloudFormationDriver.Event::millis).max().orElse(0),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Test
    void sessionsTerminatedByTheServerMidDeployAreSurvived() throws Exception {
        ObjectNode m = generatedSetModel(TestDatabase.port());
        // Short calls, so the deploy spans many calls and the faults land inside it.
        useCallBudget(Duration.ofMillis(200), Duration.ofSeconds(50));
        List<Integer> terminated = new ArrayList<>();
        CompletableFuture<Void> faults = CompletableFuture.runAsync(() -> {
            try {
                for (int at : new int[] {5, 20, 35}) {
                    awaitApplied(at);
                    // What a restart or failover does to every session: FATAL 57P01 terminating connection.
                    // Retry until a session of the type is there to terminate (between calls there may be none).
                    int n = 0;
                    while (n == 0 && appliedCount() < KillHarnessTest.MIGRATIONS) {
                        n = query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '"
                                + database + "' AND pid <> pg_backend_pid() AND backend_type = 'client backend'").stream()
                                .mapToInt(Integer::parseInt).sum();
                        Thread.sleep(2);
                    }
                    terminated.add(n);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Outcome o = create(m);
        faults.get(60, TimeUnit.SECONDS);
        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
        assertThat(terminated.stream().mapToInt(Integer::intValue).sum()).as("sessions were terminated mid-deploy").isGreaterThan(0);
        assertFullHistoryOnce();
        System.out.printf("FAULTS terminate: calls=%d sessions terminated=%s retries=%d%n", o.calls(), terminated,
                o.events().stream().filter(e -> e.message().contains("Retrying")).count());
    }

    @Test
    void twoCreatesRacingForOneSchema() throws Exception {
        int rounds = 4;
        for (int round = 0; round < rounds; round++) {
            if (round > 0) {
                database = TestDatabase.newDatabase();
            }
            ObjectNode m = model("latest");
            CyclicBarrier barrier = new CyclicBarrier(2);
            List<CompletableFuture<Outcome>> racers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                CloudFormationDriver own = CloudFormationDriver.quiet().withTypeConfiguration(driver.typeConfiguration())
                        .withEnvironment(driver.environment());
                racers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        barrier.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return own.run("CREATE", m, null);
                }));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (CompletableFuture<Outcome> f : racers) {
                outcomes.add(f.get(120, TimeUnit.SECONDS));
            }
            assertThat(outcomes).extracting(Outcome::status).containsExactlyInAnyOrder("SUCCESS", "FAILED");
            Outcome loser = outcomes.stream().filter(o -> o.status().equals("FAILED")).findFirst().orElseThrow();
            assertThat(loser.errorCode()).as(loser.message()).isEqualTo("AlreadyExists");
            assertThat(loser.message()).contains("already exists");
            assertThat(history()).containsExactly("1", "2", "3", "4", "5", "6", "7");
        }
        System.out.printf("CONCURRENCY creates: rounds=%d, each: one SUCCESS, one AlreadyExists, history once%n", rounds);
    }

    @Test
    void anotherDeploymentHoldingFlywaysLockIsWaitedForWithinTheCallLimit() throws Exception {
        Path slow = Path.of("src/test/resources/hardening/slow").toAbsolutePath();
        useMigrations(MigrationSource.directory(slow));
        ObjectNode m = model("latest");
        m.remove("MigrationSet");
        m.remove("Placeholders");
        ((ObjectNode) m.get("Timeouts")).put("ConnectWaitMinutes", 5);
        // The other deployment: a second stack (another region's record) or a person running Flyway by hand.
        Flyway other = Flyway.configure()
                .dataSource("jdbc:postgresql://127.0.0.1:" + TestDatabase.port() + "/" + database, TestDatabase.USER, TestDatabase.PASSWORD)
                .schemas("public").locations("filesystem:" + slow).load();
        CompletableFuture<Void> otherRun = CompletableFuture.runAsync(other::migrate);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").get(0).equals("1") && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        Outcome o = create(m);
        otherRun.get(60, TimeUnit.SECONDS);
        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
        long maxMillis = o.events().stream().mapToLong(CloudFormationDriver.Event::millis).max().orElse(0);
        assertThat(maxMillis).as("no call overruns CloudFormation's 60 s").isLessThan(60_000);
        assertThat(history()).containsExactly("1", "2", "3", "4", "5", "6");
        long lockedAnswers = o.events().stream().filter(e -> e.message().contains("Another deployment")).count();
        System.out.printf("CONCURRENCY flyway lock: calls=%d max call=%d ms answers naming the other deployment=%d%n",
                o.calls(), maxMillis, lockedAnswers);
    }
}
