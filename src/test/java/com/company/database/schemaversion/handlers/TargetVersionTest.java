package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TargetVersionTest extends AbstractHandlerTest {

    @Test
    void unknownTargetVersionIsInvalidRequestNamingTheSetsVersionsAndTouchesNothing() {
        Outcome created = create(model("9"));

        assertThat(created.status()).isEqualTo("FAILED");
        assertThat(created.errorCode()).isEqualTo("InvalidRequest");
        assertThat(created.message()).contains("TargetVersion 9").contains("1, 2, 3, 4, 5, 6, 7");
        assertThat(created.response().path("callbackDelaySeconds").asInt(0)).isZero();
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'flyway_schema_history'"))
                .containsExactly("0");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
                .containsExactly("0");
    }

    @Test
    void unknownTargetOnUpdateFailsAndLeavesTheSchemaAtItsVersion() {
        Outcome created = create(model("2"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");

        ObjectNode to9 = model("9.1");
        to9.put("Id", created.model().path("Id").asText());
        Outcome updated = update(to9, created.model());

        assertThat(updated.errorCode()).isEqualTo("InvalidRequest");
        assertThat(updated.message()).contains("9.1").contains("1, 2, 3, 4, 5, 6, 7");
        assertThat(history()).containsExactly("1", "2");
    }

    @Test
    void aCreateThatFailedOnItsTargetReleasesItsClaimSoTheFixedTemplateDeploys() {
        Outcome failed = create(model("9"));
        assertThat(failed.errorCode()).isEqualTo("InvalidRequest");
        assertThat(failed.message()).contains("claim on this database schema was released");
        // The answer names no resource, so CloudFormation's rollback deletes nothing; were it to, it would
        // find NotFound, which it takes as deleted.
        assertThat(failed.model()).isNull();
        assertThat(delete(model("9").put("Id", idOf(model("9")))).errorCode()).isEqualTo("NotFound");

        Outcome fixed = create(model("3"));
        assertThat(fixed.status()).as(fixed.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
    }

    @Test
    void aPlaceholderTheScriptsUseButTheTemplateLacksIsInvalidRequestNamingItAndChangesNothing() {
        ObjectNode noPlaceholders = model("latest");
        noPlaceholders.remove("Placeholders");

        Outcome failed = create(noPlaceholders);

        assertThat(failed.errorCode()).as(failed.message()).isEqualTo("InvalidRequest");
        assertThat(failed.message()).contains("${AppRole}").contains("Add it to Placeholders");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
                .as("nothing applied, not even the history table").containsExactly("0");
        assertThat(create(model("latest")).status()).as("the claim was released").isEqualTo("SUCCESS");
    }
}
