package com.company.database.schemaversion;

import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LifecycleTest extends AbstractHandlerTest {

    @Test
    void createUpdateRollbackReadDelete() {
        Outcome created = create(model("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(created.calls()).as("a deploy that fits answers in the call that claims").isEqualTo(1);
        assertThat(created.model().path("Id").asText()).startsWith(database + ".public.");
        assertThat(created.model().path("AppliedVersion").asText()).isEqualTo("3");
        assertThat(created.model().path("PendingCount").asInt()).isEqualTo(4);
        assertThat(history()).containsExactly("1", "2", "3");

        ObjectNode v7 = model("latest");
        v7.put("Id", created.model().path("Id").asText());
        Outcome updated = update(v7, created.model());
        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(updated.model().path("AppliedVersion").asText()).isEqualTo("7");
        assertThat(updated.model().path("ResolvedTargetVersion").asText()).isEqualTo("7");
        assertThat(history()).containsExactly("1", "2", "3", "4", "5", "6", "7");

        ObjectNode back = model("3");
        back.put("Id", created.model().path("Id").asText());
        Outcome rollback = update(back, updated.model());
        assertThat(rollback.status()).isEqualTo("SUCCESS");
        assertThat(rollback.message()).contains("below the applied version 7");
        assertThat(history()).hasSize(7);

        JsonNode idOnly = JSON.createObjectNode().put("Id", created.model().path("Id").asText());
        Outcome read = read(idOnly);
        assertThat(read.status()).as(read.message()).isEqualTo("SUCCESS");
        assertThat(read.model().path("AppliedVersion").asText()).isEqualTo("7");
        assertThat(read.model().path("DriftStatus").asText()).isEqualTo("InSync");
        assertThat(read.model().path("TargetVersion").asText()).isEqualTo("3");

        Outcome deleted = delete(idOnly);
        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(deleted.response().has("resourceModel")).isFalse();
        assertThat(history()).hasSize(7);
        assertThat(read(idOnly).errorCode()).isEqualTo("NotFound");
    }
}
