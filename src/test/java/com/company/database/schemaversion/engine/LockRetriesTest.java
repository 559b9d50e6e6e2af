package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Budget;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** How long one call lets Flyway wait for another deployment's lock: ten tries, or fewer when its window is shorter. */
class LockRetriesTest {
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void aCallInLambdaWaitsTenSecondsAShorterWindowLessAndAClosedOneStillTriesOnce() {
        assertThat(FlywayEngine.lockRetries(new Budget(NOW, Duration.ofSeconds(25), Duration.ofSeconds(50)))).isEqualTo(10);
        assertThat(FlywayEngine.lockRetries(new Budget(NOW, Duration.ofMinutes(12), Duration.ofMinutes(12)))).isEqualTo(10);
        assertThat(FlywayEngine.lockRetries(new Budget(NOW, Duration.ofSeconds(2), Duration.ofSeconds(50)))).isEqualTo(2);
        assertThat(FlywayEngine.lockRetries(new Budget(NOW, Duration.ZERO, Duration.ofSeconds(50)))).isEqualTo(1);
        Instant[] now = {NOW.instant()};
        Clock moving = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        Budget budget = new Budget(moving, Duration.ofSeconds(25), Duration.ofSeconds(50));
        now[0] = now[0].plusSeconds(20);
        assertThat(budget.startWindowLeft()).isEqualTo(Duration.ofSeconds(5));
        assertThat(FlywayEngine.lockRetries(budget)).isEqualTo(5);
        now[0] = now[0].plusSeconds(30);
        assertThat(budget.startWindowLeft()).isEqualTo(Duration.ZERO);
        assertThat(FlywayEngine.lockRetries(budget)).isEqualTo(1);
    }
}
