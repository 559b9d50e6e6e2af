package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DriftTest extends AbstractHandlerTest {

    @Test
    void readReportsATamperedChecksumAsDriftAndUpdateRefusesWithResourceConflict() {
        Outcome created = create(model("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        TestDatabase.execute(database, "UPDATE public.flyway_schema_history SET checksum = checksum + 1 WHERE version = '2'");

        Outcome read = read(JSON.createObjectNode().put("Id", id));

        assertThat(read.status()).as(read.message()).isEqualTo("SUCCESS");
        assertThat(read.model().path("DriftStatus").asText()).isEqualTo("Drifted");
        assertThat(read.model().path("DriftDetails").asText()).contains("V2__create_orders")
                .contains("changed after it was applied");
        assertThat(read.model().path("AppliedVersion").asText()).isEqualTo("3");

        ObjectNode latest = model("latest").put("Id", id);
        Outcome updated = update(latest, created.model());

        assertThat(updated.status()).isEqualTo("FAILED");
        assertThat(updated.errorCode()).isEqualTo("ResourceConflict");
        assertThat(updated.message()).contains("V2__create_orders").contains("nothing was applied");
        assertThat(history()).containsExactly("1", "2", "3");
    }

    @Test
    void inSyncWhenNothingWasTouched() {
        Outcome created = create(model("3"));
        Outcome read = read(JSON.createObjectNode().put("Id", created.model().path("Id").asText()));
        assertThat(read.model().path("DriftStatus").asText()).isEqualTo("InSync");
        assertThat(read.model().has("DriftDetails")).isFalse();
    }
}
