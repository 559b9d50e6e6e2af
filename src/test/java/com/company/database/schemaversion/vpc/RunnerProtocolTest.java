package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.core.Claimant;
import com.company.database.schemaversion.core.Migration;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Version;
import com.company.database.schemaversion.runner.RunnerProtocol;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire format between handler and runner: what goes in comes out, and failures keep their reason. */
class RunnerProtocolTest {
    private static final String TOKEN = RunnerProtocol.newToken();


    @Test
    void requestRoundTripsAndCarriesOnlyOpStepTokenTargetAndDeadline() {
        RunnerProtocol.Request r = new RunnerProtocol.Request(RunnerProtocol.Op.APPLY, "step-1", "4.1",
                Instant.parse("2026-11-25T20:02:00Z"), RunnerProtocol.newToken());
        byte[] wire = RunnerProtocol.encode(r);
        JsonNode json = RunnerProtocol.parse(wire);

        assertThat(json.path("protocol").asInt()).isEqualTo(RunnerProtocol.VERSION);
        assertThat(json.path("op").asText()).isEqualTo("apply");
        assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder("protocol", "op", "stepId", "token", "target", "deadline");
        assertThat(r.toString()).doesNotContain(r.token());
        assertThat(RunnerProtocol.decodeRequest(json)).isEqualTo(r);
    }

    @Test
    void theClaimOpsCarryTheOwnerButNoResourceIdAndOnlyTheyCarryIt() {
        Claimant owner = new Claimant("db.public.0123456789ab", "arn:aws:cloudformation:us-east-1:1:stack/s/1", "Orders",
                "0".repeat(64), "Clean");
        JsonNode json = RunnerProtocol.parse(RunnerProtocol.encode(new RunnerProtocol.Request(RunnerProtocol.Op.CLEAN,
                "step-1", null, Instant.parse("2026-11-25T20:02:00Z"), owner, true, RunnerProtocol.newToken())));

        assertThat(json.path("claim").has("resourceId")).as("nothing in a payload names the database").isFalse();
        RunnerProtocol.Request decoded = RunnerProtocol.decodeRequest(json);
        assertThat(decoded.claim().resourceId()).isEqualTo(RunnerProtocol.CONFIGURED_RESOURCE);
        assertThat(decoded.claim().stackId()).isEqualTo(owner.stackId());
        assertThat(decoded.cleanUncreated()).isTrue();
        // The current protocol and a step with a token, so that only the claim rules can refuse these.
        for (String payload : List.of(
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"stepId\":\"s-1\",\"token\":\"" + TOKEN + "\",\"op\":\"claim\",\"deadline\":4102444800000}",
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"stepId\":\"s-1\",\"token\":\"" + TOKEN + "\",\"op\":\"release\",\"deadline\":4102444800000}",
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"stepId\":\"s-1\",\"token\":\"" + TOKEN + "\",\"op\":\"observe\",\"deadline\":4102444800000,\"claim\":{\"onDelete\":\"Clean\"}}",
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"stepId\":\"s-1\",\"token\":\"" + TOKEN + "\",\"op\":\"claim\",\"deadline\":4102444800000,\"claim\":{\"resourceId\":\"x\",\"onDelete\":\"Clean\"}}",
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"stepId\":\"s-1\",\"token\":\"" + TOKEN + "\",\"op\":\"claim\",\"deadline\":4102444800000,\"claim\":{\"onDelete\":\"Drop\"}}",
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"stepId\":\"s-1\",\"token\":\"" + TOKEN + "\",\"op\":\"claim\",\"deadline\":4102444800000,\"claim\":{\"onDelete\":\"Clean\"},\"cleanUncreated\":true}")) {
            JsonNode n = RunnerProtocol.parse(payload.getBytes());
            assertThatThrownBy(() -> RunnerProtocol.decodeRequest(n)).as(payload)
                    .extracting(e -> ((ReconcileException) e).reason()).isEqualTo(Reason.RUNNER_FAILED);
        }
    }

    @Test
    void aRequestNamingWhatToConnectToIsRefused() {
        // The version-1 shape: connection, credentials and schema in the payload. No field of it is accepted.
        for (String field : List.of("\"connection\":{\"host\":\"evil.example.com\"}", "\"credentials\":{\"secretParameter\":\"/x\"}",
                "\"schema\":\"payments\"", "\"set\":\"other\"", "\"placeholders\":{}", "\"timeouts\":{}", "\"region\":\"eu-west-1\"",
                "\"budgetMillis\":0")) {
            JsonNode forged = RunnerProtocol.parse(("{\"protocol\":" + RunnerProtocol.VERSION
                    + ",\"op\":\"observe\",\"deadline\":4102444800000," + field + "}").getBytes());
            assertThatThrownBy(() -> RunnerProtocol.decodeRequest(forged)).as(field)
                    .hasMessageContaining("unknown field")
                    .extracting(e -> ((ReconcileException) e).reason()).isEqualTo(Reason.RUNNER_FAILED);
        }
    }

    @Test
    void unknownOpsMalformedValuesAndMissingDeadlinesAreRefused() {
        String token = RunnerProtocol.newToken();
        for (String payload : List.of(
                "{\"protocol\":3,\"op\":\"drop\",\"deadline\":4102444800000}",
                "{\"protocol\":3,\"op\":\"observe\"}",
                "{\"protocol\":3,\"op\":\"apply\",\"stepId\":\"s\",\"token\":\"" + token + "\",\"deadline\":4102444800000}",
                // No step the handler armed: every op but ping needs a stepId and its token.
                "{\"protocol\":3,\"op\":\"observe\",\"deadline\":4102444800000}",
                "{\"protocol\":3,\"op\":\"clean\",\"stepId\":\"s\",\"deadline\":4102444800000}",
                "{\"protocol\":3,\"op\":\"observe\",\"stepId\":\"s\",\"token\":\"short\",\"deadline\":4102444800000}",
                "{\"protocol\":3,\"op\":\"ping\",\"stepId\":\"s\",\"token\":\"" + token + "\"}",
                "{\"protocol\":3,\"op\":\"apply\",\"stepId\":\"s\",\"target\":\"latest\",\"deadline\":4102444800000}",
                "{\"protocol\":3,\"op\":\"apply\",\"stepId\":\"../x\",\"target\":\"3\",\"deadline\":4102444800000}",
                "{\"protocol\":3,\"op\":\"clean\",\"target\":\"3\",\"deadline\":4102444800000}",
                "{\"protocol\":3,\"op\":\"observe\",\"deadline\":\"tomorrow\"}",
                "[]")) {
            JsonNode n = RunnerProtocol.parse(payload.getBytes());
            assertThatThrownBy(() -> RunnerProtocol.decodeRequest(n)).as(payload)
                    .hasMessageContaining("refused")
                    .extracting(e -> ((ReconcileException) e).reason()).isEqualTo(Reason.RUNNER_FAILED);
        }
    }

    @Test
    void observationRoundTrips() {
        Migration v1 = new Migration(Version.parse("1"), "create customers", "V1__create_customers.sql", true, 42);
        Migration v2 = new Migration(Version.parse("2.1"), "index", "V2_1__index.sql", false, null);
        Observation o = new Observation(Version.parse("1"), 1, List.of(v2), List.of(v1, v2), "abc",
                Instant.parse("2026-11-25T20:00:00Z"), List.of("V1 changed"), List.of());

        Observation back = RunnerProtocol.observationOf(RunnerProtocol.parse(
                RunnerProtocol.ok(o).toString().getBytes()));

        assertThat(back).isEqualTo(o);
    }

    @Test
    void typedFailuresKeepTheirReasonAndUnknownOnesBecomeRunnerFailed() {
        assertThatThrownBy(() -> RunnerProtocol.observationOf(RunnerProtocol.error(Reason.INVALID_CREDENTIALS, "no")))
                .isInstanceOf(ReconcileException.class)
                .hasMessage("no")
                .extracting(e -> ((ReconcileException) e).reason()).isEqualTo(Reason.INVALID_CREDENTIALS);
        JsonNode future = RunnerProtocol.parse(
                "{\"protocol\":1,\"ok\":false,\"error\":{\"reason\":\"SOMETHING_NEW\",\"message\":\"m\"}}".getBytes());
        assertThatThrownBy(() -> RunnerProtocol.observationOf(future))
                .extracting(e -> ((ReconcileException) e).reason()).isEqualTo(Reason.RUNNER_FAILED);
    }

    @Test
    void anotherProtocolVersionIsRefused() {
        JsonNode v1 = RunnerProtocol.parse("{\"protocol\":1,\"op\":\"observe\"}".getBytes());
        assertThatThrownBy(() -> RunnerProtocol.decodeRequest(v1))
                .hasMessageContaining("speaks protocol 3 but was sent protocol 1")
                .extracting(e -> ((ReconcileException) e).reason()).isEqualTo(Reason.RUNNER_FAILED);
    }
}
