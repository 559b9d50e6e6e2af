package com.company.database.schemaversion.vpc;

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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire format between handler and runner: what goes in comes out, and failures keep their reason. */
class RunnerProtocolTest {

    @Test
    void requestRoundTripsAndCarriesNoSecretField() {
        RunnerProtocol.Request r = new RunnerProtocol.Request(RunnerProtocol.Op.APPLY, "eu-west-1", "db.example.com", 5433,
                "orders", "verify-full", null, null, "/aws/reference/secretsmanager/rds!cluster-1", "sales", "orders",
                Map.of("AppRole", "orders_app"), 7, 600, "4.1", "step-1", 0);
        byte[] wire = RunnerProtocol.encode(r);
        JsonNode json = RunnerProtocol.parse(wire);

        assertThat(json.path("protocol").asInt()).isEqualTo(RunnerProtocol.VERSION);
        assertThat(json.path("op").asText()).isEqualTo("apply");
        assertThat(new String(wire)).doesNotContainIgnoringCase("password\":\"").doesNotContain("\"username\"");
        assertThat(RunnerProtocol.decodeRequest(json)).isEqualTo(r);
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
        JsonNode v2 = RunnerProtocol.parse("{\"protocol\":2,\"op\":\"observe\"}".getBytes());
        assertThatThrownBy(() -> RunnerProtocol.decodeRequest(v2))
                .hasMessageContaining("speaks protocol 1 but was sent protocol 2")
                .extracting(e -> ((ReconcileException) e).reason()).isEqualTo(Reason.RUNNER_FAILED);
    }
}
