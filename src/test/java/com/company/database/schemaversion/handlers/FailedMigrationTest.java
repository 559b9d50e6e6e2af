package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FailedMigrationTest extends AbstractHandlerTest {

    static Path testSet(String name) {
        try {
            return Path.of(FailedMigrationTest.class.getResource("/migrations/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode latestOfTestSet() {
        ObjectNode m = model("latest");
        m.remove("Placeholders");
        return m;
    }

    @Test
    void failedMigrationNamesScriptLineStateAndMessageRollsBackAndTheFixedSetResumes() {
        HandlerEnvironment.setMigrationOverride(MigrationSource.directory(testSet("broken-v3")));

        Outcome failed = create(latestOfTestSet());

        assertThat(failed.status()).isEqualTo("FAILED");
        assertThat(failed.errorCode()).isEqualTo("GeneralServiceException");
        assertThat(failed.message())
                .contains("V3__add_order_notes.sql")
                .contains("line 4")
                .contains("SQLSTATE 42703")
                .contains("column \"state\" does not exist")
                .contains("rolled back");
        assertThat(history()).containsExactly("1", "2");
        assertThat(query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'"))
                .as("V3's first statement was rolled back with it").containsExactly("0");
        assertThat(query("SELECT count(*) FROM public.flyway_schema_history WHERE NOT success")).containsExactly("0");
        List<String> installedBefore = query("SELECT installed_rank || ':' || version || ':' || checksum"
                + " FROM public.flyway_schema_history ORDER BY installed_rank");

        // The rollback of the stack deletes the resource (Retain keeps the schema); the fixed set deploys again.
        assertThat(delete(failed.model()).status()).isEqualTo("SUCCESS");
        HandlerEnvironment.setMigrationOverride(MigrationSource.directory(testSet("fixed-v3")));
        Outcome fixed = create(latestOfTestSet());

        assertThat(fixed.status()).as(fixed.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3", "4");
        assertThat(query("SELECT installed_rank || ':' || version || ':' || checksum FROM public.flyway_schema_history"
                + " WHERE version IN ('1', '2') ORDER BY installed_rank")).isEqualTo(installedBefore);
        assertThat(fixed.model().path("AppliedVersion").asText()).isEqualTo("4");
        assertThat(fixed.model().path("AppliedCount").asInt()).isEqualTo(4);
    }

    @Test
    void failedMigrationOnUpdateKeepsTheEarlierVersionsAndAnUpdateWithTheFixedSetResumes() {
        HandlerEnvironment.setMigrationOverride(MigrationSource.directory(testSet("broken-v3")));
        ObjectNode at2 = latestOfTestSet().put("TargetVersion", "2");
        Outcome created = create(at2);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");

        ObjectNode latest = latestOfTestSet().put("Id", created.model().path("Id").asText());
        Outcome failed = update(latest, created.model());
        assertThat(failed.errorCode()).isEqualTo("GeneralServiceException");
        assertThat(failed.message()).contains("V3__add_order_notes.sql").contains("42703");
        assertThat(history()).containsExactly("1", "2");

        HandlerEnvironment.setMigrationOverride(MigrationSource.directory(testSet("fixed-v3")));
        Outcome resumed = update(latest, created.model());
        assertThat(resumed.status()).as(resumed.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3", "4");
    }
}
