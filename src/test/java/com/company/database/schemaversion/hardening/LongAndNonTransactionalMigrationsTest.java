package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Non-transactional migrations (CREATE INDEX CONCURRENTLY), statement and lock timeouts, and the call budget. */
class LongAndNonTransactionalMigrationsTest extends AbstractHandlerTest {

    private ObjectNode modelFor(String set, String target) {
        useMigrations(MigrationSource.directory(setDir(set)));
        ObjectNode m = model(target);
        m.remove("MigrationSet");
        m.remove("Placeholders");
        return m;
    }

    private static Path setDir(String set) {
        return Path.of("src/test/resources/hardening", set).toAbsolutePath();
    }

    private static long failedCallMillis(Outcome o) {
        return o.events().get(o.events().size() - 1).millis();
    }

    @Test
    void createIndexConcurrentlyRunsOutsideATransactionAndLeavesAValidIndex() {
        Outcome o = create(modelFor("cic", "latest"));
        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2");
        assertThat(query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'public.items_by_name'::regclass"))
                .containsExactly("true");
    }

    /**
     * Why FlywayEngine turns Flyway's transactional lock off: with it, Flyway holds its lock in an open transaction
     * and CREATE INDEX CONCURRENTLY waits for that transaction to end, i.e. forever (here: until statement_timeout).
     */
    @Test
    void theTransactionalLockWouldBlockCreateIndexConcurrently() {
        FluentConfiguration config = Flyway.configure()
                .dataSource("jdbc:postgresql://127.0.0.1:" + TestDatabase.port() + "/" + database
                        + "?options=-c%20statement_timeout%3D4000", TestDatabase.USER, TestDatabase.PASSWORD)
                .schemas("public").locations("filesystem:" + setDir("cic"));
        config.getPluginRegister().getExact(PostgreSQLConfigurationExtension.class).setTransactionalLock(true);
        long start = System.nanoTime();
        assertThatThrownBy(() -> config.load().migrate()).hasStackTraceContaining("statement timeout");
        System.out.printf("NONTX transactional lock + CIC: blocked until statement_timeout (%d ms)%n",
                (System.nanoTime() - start) / 1_000_000);
        assertThat(history()).containsExactly("1");
    }

    @Test
    void aFailedConcurrentIndexIsReportedWithWhatItLeftAndTheRecoveryWorks() {
        Outcome o = create(modelFor("cicfail", "latest"));
        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("GeneralServiceException");
        assertThat(o.message()).contains("V2__unique_item_names.sql", "23505", "outside a transaction",
                "INVALID index", "DROP INDEX CONCURRENTLY", "DELETE FROM flyway_schema_history WHERE NOT success");
        // What the message says is left behind is really there.
        assertThat(query("SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid")).containsExactly("items_name_key");
        assertThat(query("SELECT version || ':' || success FROM public.flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank"))
                .containsExactly("1:true", "2:false");

        ObjectNode again = modelFor("cicfail", "latest");
        Outcome blocked = create(again);
        assertThat(blocked.status()).isEqualTo("FAILED");

        // The recovery the message describes, then a new deploy.
        TestDatabase.execute(database, "DROP INDEX CONCURRENTLY items_name_key");
        TestDatabase.execute(database, "DELETE FROM public.flyway_schema_history WHERE NOT success");
        TestDatabase.execute(database, "DELETE FROM items WHERE id > 100");
        ssm().names().stream().filter(n -> n.startsWith("/company-database-schemaversion/")).forEach(ssm()::remove);
        Outcome recovered = create(modelFor("cicfail", "latest"));
        assertThat(recovered.status()).as(recovered.message()).isEqualTo("SUCCESS");
        assertThat(query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'public.items_name_key'::regclass"))
                .containsExactly("true");
    }

    @Test
    void statementTimeoutIsSettableAndCancelsAndRollsBack() {
        ObjectNode m = modelFor("long", "latest");
        ((ObjectNode) m.get("Timeouts")).put("StatementTimeoutSeconds", 1);
        Outcome o = create(m);
        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("V2__slow_backfill.sql", "57014", "statement_timeout", "VpcRunner",
                "rolled back");
        assertThat(history()).containsExactly("1");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'backfilled'")).containsExactly("0");
        assertThat(failedCallMillis(o)).as("cancelled, not run to the end of its 20 s").isLessThan(12_000);
    }

    @Test
    void inDirectModeAMigrationLongerThanTheCallIsCancelledAtTheCallLimitAndPointsToVpcRunner() {
        // The call may run statements for 3 s here (50 s in Lambda); StatementTimeoutSeconds stays at its 40 s default.
        useCallBudget(Duration.ofSeconds(2), Duration.ofSeconds(3));
        Outcome o = create(modelFor("long", "latest"));
        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Execution.Mode VpcRunner", "rolled back");
        assertThat(history()).containsExactly("1");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'backfilled'")).containsExactly("0");
        assertThat(query("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()"))
                .as("nothing left running").containsExactly("0");
        assertThat(failedCallMillis(o)).as("cancelled at the call's limit, not after 20 s").isLessThan(12_000);
        System.out.printf("LONG direct mode (statements limited to 3 s): 20 s migration cancelled, failing call took %d ms%n",
                failedCallMillis(o));
    }

    @Test
    void lockTimeoutIsSettableAndBoundsTheWait() throws Exception {
        ObjectNode v1 = modelFor("locked", "1");
        ((ObjectNode) v1.get("Timeouts")).put("LockTimeoutSeconds", 1);
        Outcome created = create(v1);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        try (Connection holder = TestDatabase.superuser(database); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE public.accounts IN ACCESS EXCLUSIVE MODE");
            ObjectNode v2 = modelFor("locked", "2");
            ((ObjectNode) v2.get("Timeouts")).put("LockTimeoutSeconds", 1);
            v2.put("Id", created.model().path("Id").asText());
            Outcome o = update(v2, created.model());
            holder.rollback();
            assertThat(o.status()).isEqualTo("FAILED");
            assertThat(o.message()).contains("55P03", "Timeouts.LockTimeoutSeconds", "rolled back");
            assertThat(failedCallMillis(o)).isLessThan(10_000);
            System.out.printf("LONG lock_timeout=1 s: failing call took %d ms%n", failedCallMillis(o));
        }
        assertThat(history()).containsExactly("1");
    }
}
