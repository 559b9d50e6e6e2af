package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Event;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.testing.MutableClock;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UnreachableDatabaseTest extends AbstractHandlerTest {

    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void waitsWithGrowingDelaysUntilConnectWaitMinutesThenFailsWithNetworkFailureNamingHostAndPort() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        useClock(clock);
        List<Event> seen = new ArrayList<>();
        // CloudFormation waits callbackDelaySeconds between calls; here the clock moves instead.
        CloudFormationDriver waitingDriver = new CloudFormationDriver("us-east-1", "123456789012", false, 100, e -> {
            seen.add(e);
            clock.advance(Duration.ofSeconds(e.callbackDelaySeconds()));
        }, handlerLog::add).withTypeConfiguration(driver.typeConfiguration()).withEnvironment(driver.environment());
        int port = closedPort();
        ObjectNode m = model("3");
        ((ObjectNode) m.get("Database")).put("Port", port);
        m.putObject("Timeouts").put("ConnectWaitMinutes", 2);

        Outcome outcome = waitingDriver.run("CREATE", m, null);

        List<Integer> delays = seen.stream().filter(e -> e.status().equals("IN_PROGRESS"))
                .map(Event::callbackDelaySeconds).toList();
        // Call 1 claims and finds the database down: 5, 10, 20, 40, 60 s: 135 s of waiting passes the 2-minute deadline.
        assertThat(delays).containsExactly(5, 10, 20, 40, 60);
        assertThat(seen.get(0).message()).contains("127.0.0.1:" + port).contains("Retrying in 5 s");
        assertThat(outcome.status()).isEqualTo("FAILED");
        assertThat(outcome.errorCode()).isEqualTo("NetworkFailure");
        assertThat(outcome.message()).contains("127.0.0.1:" + port).contains("2 minute(s)")
                .contains("ConnectWaitMinutes");
        assertThat(outcome.response().path("callbackDelaySeconds").asInt(0)).isZero();
    }

    @Test
    void withoutConnectWaitItFailsAtOnce() {
        int port = closedPort();
        ObjectNode m = model("3");
        ((ObjectNode) m.get("Database")).put("Port", port);

        Outcome outcome = create(m);

        assertThat(outcome.errorCode()).isEqualTo("NetworkFailure");
        assertThat(outcome.calls()).isEqualTo(1);
        assertThat(outcome.message()).contains("127.0.0.1:" + port);
    }
}
