package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the engine keeps between calls must never hide a change in the database or leak session state. */
class EngineReuseTest {
    private String database;
    private FlywayEngine engine;

    @BeforeEach
    void setUp() {
        database = TestDatabase.newDatabase();
        engine = new FlywayEngine(new ConnectionSpec("127.0.0.1", TestDatabase.port(), database, "disable",
                TestDatabase.USER, TestDatabase.PASSWORD, null, null),
                new EngineSettings("public", MigrationSource.baked("orders"), Map.of("AppRole", "orders_app"), 10, 40));
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    @Test
    void anUnchangedHistoryIsAnsweredFromTheLastObservationAndAnyChangeIsSeen() {
        new com.company.database.schemaversion.core.Reconciler().step(engine, "3", new Budget(Clock.systemUTC(), Duration.ofSeconds(25), Duration.ofSeconds(50)));
        Observation first = engine.observe();
        assertThat(first.appliedVersion()).hasToString("3");
        assertThat(engine.observe()).isSameAs(first);

        // A hand edit of the history (what a careless `flyway repair` elsewhere would do) must show as drift.
        TestDatabase.execute(database, "UPDATE flyway_schema_history SET checksum = 42 WHERE version = '2'");
        Observation edited = engine.observe();
        assertThat(edited).isNotSameAs(first);
        assertThat(edited.drift()).singleElement().asString().contains("changed after it was applied");

        // So must a migration applied by someone else.
        TestDatabase.execute(database, "UPDATE flyway_schema_history SET checksum = "
                + first.available().get(1).checksum() + " WHERE version = '2'");
        new com.company.database.schemaversion.core.Reconciler().step(engine, "4", new Budget(Clock.systemUTC(), Duration.ofSeconds(25), Duration.ofSeconds(50)));
        assertThat(engine.observe().appliedVersion()).hasToString("4");
        TestDatabase.execute(database, "DELETE FROM flyway_schema_history WHERE version = '4'");
        assertThat(engine.observe().appliedVersion()).hasToString("3");
        TestDatabase.execute(database, "DROP TABLE flyway_schema_history");
        assertThat(engine.observe().appliedVersion()).isNull();
    }

    @Test
    void aReusedConnectionComesBackWithTheLoginsSettingsAndNoTransactionOrLock() throws SQLException {
        PGSimpleDataSource physical = new PGSimpleDataSource();
        physical.setServerNames(new String[] {"127.0.0.1"});
        physical.setPortNumbers(new int[] {TestDatabase.port()});
        physical.setDatabaseName(database);
        physical.setUser(TestDatabase.USER);
        physical.setPassword(TestDatabase.PASSWORD);
        try (ReusableConnections pool = new ReusableConnections(physical, 10_000, 40_000)) {
            pool.statementTimeout(Duration.ofSeconds(3));
            String pid;
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                assertThat(one(s, "SHOW statement_timeout")).isEqualTo("3s");
                pid = one(s, "SELECT pg_backend_pid()");
                s.execute("SET search_path TO pg_catalog");
                s.execute("SELECT pg_advisory_lock(4242)");
                c.setAutoCommit(false);
                s.execute("CREATE TABLE public.left_open (id int)");
            }
            assertThat(pool.idleCount()).isEqualTo(1);
            pool.statementTimeout(null);
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                assertThat(one(s, "SELECT pg_backend_pid()")).as("the same session is reused").isEqualTo(pid);
                assertThat(c.getAutoCommit()).isTrue();
                assertThat(one(s, "SHOW statement_timeout")).isEqualTo("40s");
                assertThat(one(s, "SHOW lock_timeout")).isEqualTo("10s");
                assertThat(one(s, "SHOW search_path")).isEqualTo("\"$user\", public");
                assertThat(one(s, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).isEqualTo("0");
                assertThat(one(s, "SELECT to_regclass('public.left_open') IS NULL")).isEqualTo("t");
            }
            // A connection the server killed is not handed out again.
            String killed;
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                killed = one(s, "SELECT pg_backend_pid()");
            }
            TestDatabase.execute("postgres", "SELECT pg_terminate_backend(" + killed + ")");
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                assertThat(one(s, "SELECT pg_backend_pid()")).isNotEqualTo(killed);
            }
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
