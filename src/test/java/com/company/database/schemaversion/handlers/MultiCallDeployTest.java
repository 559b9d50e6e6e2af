package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Event;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MultiCallDeployTest extends AbstractHandlerTest {

    @Test
    void withNoStartWindowEachCallAppliesExactlyOneMigration() {
        useCallBudget(Duration.ZERO, Duration.ofSeconds(50));

        Outcome outcome = create(model("latest"));

        assertThat(outcome.status()).as(outcome.message()).isEqualTo("SUCCESS");
        // The call that claims applies the first migration, then one call per migration; the seventh
        // migration's call answers SUCCESS.
        assertThat(outcome.calls()).isEqualTo(7);
        List<String> messages = outcome.events().stream().map(Event::message).toList();
        assertThat(messages.subList(0, 6)).containsExactly(
                "applied V1__create_customers (1 of 7)",
                "applied V2__create_orders (2 of 7)",
                "applied V3__constrain_order_status (3 of 7)",
                "applied V4__index_orders_by_customer (4 of 7)",
                "applied V5__backfill_order_totals (5 of 7)",
                "applied V6__grant_application_role (6 of 7)");
        assertThat(messages.get(6)).contains("version 7").contains("(7 of 7)");
        assertThat(outcome.events().subList(0, 6)).allMatch(e -> e.status().equals("IN_PROGRESS"));
        assertThat(history()).containsExactly("1", "2", "3", "4", "5", "6", "7");

        JsonNode m = outcome.model();
        assertThat(m.path("AppliedVersion").asText()).isEqualTo("7");
        assertThat(m.path("ResolvedTargetVersion").asText()).isEqualTo("7");
        assertThat(m.path("AppliedCount").asInt()).isEqualTo(7);
        assertThat(m.path("PendingCount").asInt()).isZero();
        assertThat(m.path("Checksum").asText()).matches("[0-9a-f]{64}");
        Instant lastApplied = Instant.parse(m.path("LastAppliedAt").asText());
        assertThat(lastApplied.toString()).isEqualTo(Instant.parse(query(
                "SELECT to_char(max(installed_on) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                        + " FROM public.flyway_schema_history").get(0)).toString());

        Outcome read = read(JSON.createObjectNode().put("Id", m.path("Id").asText()));
        assertThat(read.model().path("Checksum").asText()).isEqualTo(m.path("Checksum").asText());
        assertThat(read.model().path("LastAppliedAt").asText()).isEqualTo(m.path("LastAppliedAt").asText());
    }

    @Test
    void anUpdateAlsoMovesOneMigrationPerCall() {
        Outcome created = create(model("2"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        useCallBudget(Duration.ZERO, Duration.ofSeconds(50));

        ObjectNode to5 = model("5").put("Id", created.model().path("Id").asText());
        Outcome updated = update(to5, created.model());

        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(updated.calls()).isEqualTo(3);
        assertThat(updated.events().get(0).message()).isEqualTo("applied V3__constrain_order_status (3 of 5)");
        assertThat(updated.model().path("PendingCount").asInt()).isEqualTo(2);
        assertThat(history()).containsExactly("1", "2", "3", "4", "5");
    }
}
