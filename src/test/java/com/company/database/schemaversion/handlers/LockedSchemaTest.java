package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Event;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.testing.MutableClock;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Another deployment (another Flyway) holds the schema's migration lock while this one wants to migrate. */
class LockedSchemaTest extends AbstractHandlerTest {
    /** Flyway's PostgreSQL advisory lock: a fixed base plus the hash of the quoted history table name. */
    private static long flywayLockKey(String schema) {
        return 77431708279161L + ("\"" + schema + "\".\"flyway_schema_history\"").hashCode();
    }

    private static Connection holdMigrationLock(String database) throws SQLException {
        Connection c = TestDatabase.superuser(database);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + flywayLockKey("public") + ")");
        }
        return c;
    }

    /**
     * A call waits for Flyway's lock no longer than its start window: two seconds here instead of the ten a call in Lambda waits,
     * so the lock is still found held, and waited for, in a fraction of the time.
     */
    private void useShortLockWait() {
        useCallBudget(Duration.ofSeconds(2), Duration.ofSeconds(50));
    }

    @Test
    void aHeldLockIsWaitedForAndTheUpdateFinishesOnceItIsReleased() throws SQLException {
        Outcome created = create(model("2"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        useClock(clock);
        useShortLockWait();
        Connection other = holdMigrationLock(database);
        List<Event> seen = new ArrayList<>();
        CloudFormationDriver waiting = new CloudFormationDriver("us-east-1", "123456789012", false, 20, e -> {
            seen.add(e);
            clock.advance(Duration.ofSeconds(e.callbackDelaySeconds()));
            if (e.status().equals("IN_PROGRESS")) {
                try {
                    other.close(); // the other deployment finishes
                } catch (SQLException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        }, handlerLog::add).withTypeConfiguration(driver.typeConfiguration()).withEnvironment(driver.environment());
        ObjectNode to3 = model("3").put("Id", created.model().path("Id").asText());
        to3.putObject("Timeouts").put("ConnectWaitMinutes", 5);

        Outcome updated = waiting.run("UPDATE", to3, created.model());

        assertThat(seen.get(0).status()).isEqualTo("IN_PROGRESS");
        assertThat(seen.get(0).callbackDelaySeconds()).isEqualTo(5);
        assertThat(seen.get(0).message()).contains("Another deployment is migrating").contains(database);
        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
    }

    @Test
    void withoutWaitTimeAHeldLockIsResourceConflictAndNothingChanges() throws SQLException {
        Outcome created = create(model("2"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        useShortLockWait();
        try (Connection other = holdMigrationLock(database)) {
            ObjectNode to3 = model("3").put("Id", created.model().path("Id").asText());

            Outcome updated = update(to3, created.model());

            assertThat(updated.errorCode()).isEqualTo("ResourceConflict");
            assertThat(updated.message()).contains("Another deployment is migrating").contains("advisory lock");
            assertThat(history()).containsExactly("1", "2");
        }
    }
}
