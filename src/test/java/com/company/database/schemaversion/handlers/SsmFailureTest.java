package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.MutableClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SsmFailureTest extends AbstractHandlerTest {

    @Test
    void throttledClaimWaitsWithTheIdentifierInEveryEventThenCompletes() {
        useClock(new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));
        ssm().failWith("PutParameter", "ThrottlingException");
        List<JsonNode> responses = new ArrayList<>();
        ObjectNode m = model("2");
        m.putObject("Timeouts").put("ConnectWaitMinutes", 5);
        String token = "retry-token";

        JsonNode first = driver.invoke(driver.request("CREATE", m, null, null, token, null));
        responses.add(first);
        ssm().clearFailures();
        // CloudFormation calls again with the returned model and CallbackContext.
        JsonNode response = first;
        while ("IN_PROGRESS".equals(response.path("status").asText()) && responses.size() < 10) {
            response = driver.invoke(driver.request("CREATE", response.get("resourceModel"), null,
                    response.get("callbackContext"), token, null));
            responses.add(response);
        }

        assertThat(first.path("status").asText()).isEqualTo("IN_PROGRESS");
        assertThat(first.path("callbackDelaySeconds").asInt()).isPositive();
        assertThat(first.path("message").asText()).contains("throttled");
        assertThat(first.path("resourceModel").path("Id").asText())
                .as("IN_PROGRESS events must carry the primary identifier").isNotEmpty();
        assertThat(response.path("status").asText()).as(response.toString()).isEqualTo("SUCCESS");
        assertThat(responses).allMatch(r -> !r.path("resourceModel").path("Id").asText().isEmpty());
        assertThat(response.path("resourceModel").path("Id").asText())
                .isEqualTo(first.path("resourceModel").path("Id").asText());
        assertThat(history()).containsExactly("1", "2");
    }

    @Test
    void accessDeniedOnTheCredentialIsAccessDeniedAndTouchesNothing() {
        ssm().failWith("GetParameter", "AccessDeniedException");

        Outcome outcome = create(model("2"));

        assertThat(outcome.errorCode()).isEqualTo("AccessDenied");
        assertThat(outcome.message()).contains("Not allowed to").contains(USER_PARAM);
        assertThat(outcome.calls()).isEqualTo(1);
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
                .containsExactly("0");
    }
}
