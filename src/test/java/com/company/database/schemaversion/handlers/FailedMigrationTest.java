package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
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
        useMigrations(MigrationSource.directory(testSet("broken-v3")));

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

        // The failed Create released its claim: the stack rollback's Delete finds nothing (NotFound, which
        // CloudFormation takes as deleted) and the fixed set deploys again without AlreadyExists.
        assertThat(failed.message()).contains("claim on this database schema was released");
        assertThat(failed.model()).as("a failed Create names no resource").isNull();
        assertThat(delete(latestOfTestSet().put("Id", idOf(latestOfTestSet()))).errorCode()).isEqualTo("NotFound");
        useMigrations(MigrationSource.directory(testSet("fixed-v3")));
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
        useMigrations(MigrationSource.directory(testSet("broken-v3")));
        ObjectNode at2 = latestOfTestSet().put("TargetVersion", "2");
        Outcome created = create(at2);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");

        ObjectNode latest = latestOfTestSet().put("Id", created.model().path("Id").asText());
        Outcome failed = update(latest, created.model());
        assertThat(failed.errorCode()).isEqualTo("GeneralServiceException");
        assertThat(failed.message()).contains("V3__add_order_notes.sql").contains("42703");
        assertThat(history()).containsExactly("1", "2");

        useMigrations(MigrationSource.directory(testSet("fixed-v3")));
        Outcome resumed = update(latest, created.model());
        assertThat(resumed.status()).as(resumed.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3", "4");
    }

    @Test
    void aFailedMigrationOutsideATransactionSaysSoAndANewCreateRefusesUntilRepaired() {
        useMigrations(MigrationSource.directory(testSet("broken-nontx")));

        Outcome failed = create(latestOfTestSet());

        assertThat(failed.errorCode()).isEqualTo("GeneralServiceException");
        assertThat(failed.message()).contains("V2__index_orders_concurrently.sql").contains("42703")
                .contains("placed_at").contains("outside a transaction").contains("repair");
        assertThat(query("SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_status_idx'"))
                .as("the statement before the failing one stays applied").containsExactly("1");

        assertThat(read(JSON.createObjectNode().put("Id", idOf(latestOfTestSet()))).errorCode())
                .as("the failed Create released its claim").isEqualTo("NotFound");

        Outcome again = create(latestOfTestSet());
        assertThat(again.errorCode()).as(again.message()).isEqualTo("ResourceConflict");
        assertThat(again.message()).contains("V2__index_orders_concurrently");
    }

    @Test
    void aMigrationCancelledByStatementTimeoutIsRolledBackAndExplained() {
        useMigrations(MigrationSource.directory(testSet("slow")));
        ObjectNode m = latestOfTestSet();
        m.putObject("Timeouts").put("ConnectWaitMinutes", 0).put("StatementTimeoutSeconds", 1);

        Outcome failed = create(m);

        assertThat(failed.errorCode()).isEqualTo("InvalidRequest");
        assertThat(failed.message()).contains("V2__rewrite_orders.sql").contains("57014")
                .contains("statement_timeout").contains("VpcRunner").contains("rolled back");
        assertThat(history()).containsExactly("1");
        assertThat(query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders'"
                + " AND column_name = 'note'")).containsExactly("0");
    }

    @Test
    void deleteWithCleanDropsTheSchemasObjectsAndRetainKeepsThem() {
        ObjectNode retain = model("3");
        Outcome kept = create(retain);
        assertThat(delete(kept.model()).status()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");

        // Clean drops a schema the resource created (a kept one it did not create stays: security/*ClaimTest).
        ObjectNode clean = model("latest").put("OnDelete", "Clean").put("Schema", "scratch");
        Outcome created = create(clean);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        Outcome deleted = delete(JSON.createObjectNode().put("Id", created.model().path("Id").asText()));

        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(deleted.message()).contains("Dropped every object");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'scratch'"))
                .containsExactly("0");
        assertThat(history()).containsExactly("1", "2", "3");
        assertThat(read(created.model()).errorCode()).isEqualTo("NotFound");
    }
}
