package com.company.database.schemaversion.security;

import com.company.database.schemaversion.aws.SsmRecordStore;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestModels;
import com.company.database.schemaversion.vpc.AbstractVpcRunnerTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One claim per real schema, kept in the database itself: the attacks of a template author in another stack
 * (another name for the same server, a schema another team's Delete kept, a lost resource record) and of whoever
 * can put back an older resource record, each through the real wrapper. Run in both execution modes by the
 * subclasses (the VPC runner's test Lambda extends nothing for them: the Direct-mode subclass simply never
 * creates a runner function).
 */
abstract class ClaimAttacks extends AbstractVpcRunnerTest {
    private static final String STACK_B = "arn:aws:cloudformation:us-east-1:123456789012:stack/team-b/";
    protected CloudFormationDriver stackB;

    /** The resource in this subclass's execution mode, on the test database (host 127.0.0.1). */
    protected abstract ObjectNode resource(String target);

    @BeforeEach
    void secondTeam() {
        stackB = CloudFormationDriver.quiet().withTypeConfiguration(TestModels.testAccount())
                .withEnvironment(driver.environment())
                .withStackId(STACK_B + UUID.randomUUID()).withLogicalResourceId("TeamBSchema");
    }

    private ObjectNode onHost(ObjectNode m, String host) {
        ((ObjectNode) m.get("Database")).put("Host", host);
        return m;
    }

    private List<String> tables() {
        return query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    }

    private List<String> historyRows() {
        return query("SELECT installed_rank || ':' || coalesce(version, '') || ':' || success FROM public.flyway_schema_history"
                + " ORDER BY installed_rank");
    }

    @Test
    void anotherNameForTheSameServerFindsTheClaimAndItsDeleteCannotCleanTheSchema() {
        Outcome a = create(resource("latest").put("OnDelete", "Clean"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        String idA = a.model().path("Id").asText();
        List<String> tables = tables();
        List<String> history = historyRows();

        ObjectNode alias = onHost(resource("latest"), "localhost").put("OnDelete", "Clean");
        String idB = idOf(alias);
        assertThat(idB).as("another host name, another Id").isNotEqualTo(idA);
        Outcome b = stackB.run("CREATE", alias, null);

        assertThat(b.errorCode()).as(b.message()).isEqualTo("AlreadyExists");
        assertThat(b.model()).as("the FAILED event names no resource, so B's rollback deletes nothing").isNull();
        assertThat(b.message()).contains("already claimed").doesNotContain(idA).doesNotContain(driver.stackId());
        assertThat(ssm().get(SsmRecordStore.nameOf(idB))).as("B holds no record").isNull();
        assertThat(tables()).isEqualTo(tables);
        assertThat(historyRows()).isEqualTo(history);

        // What B's Delete would do, had it a record: with none it is NotFound, and A's schema stays.
        Outcome bDelete = stackB.run("DELETE", alias.deepCopy().put("Id", idB), null);
        assertThat(bDelete.status()).isNotEqualTo("SUCCESS");
        assertThat(tables()).isEqualTo(tables);
        assertThat(read(mapper().createObjectNode().put("Id", idA)).status()).isEqualTo("SUCCESS");
    }

    @Test
    void anotherNameForTheSameServerCannotRepairTheHistoryOfTheSchema() {
        Outcome a = create(resource("3"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        // A failed row in A's history (what a failed non-transactional migration leaves): A's to repair, not B's.
        TestDatabase.execute(database, "INSERT INTO public.flyway_schema_history (installed_rank, version, description,"
                + " type, script, checksum, installed_by, execution_time, success) VALUES (4, '4', 'x', 'SQL',"
                + " 'V4__x.sql', 0, 'postgres', 0, false)");
        List<String> history = historyRows();

        ObjectNode alias = onHost(resource("3"), "localhost");
        alias.putObject("Repair").put("FailedVersion", "4").put("InstalledRank", 4);
        Outcome b = stackB.run("CREATE", alias, null);

        assertThat(b.errorCode()).as(b.message()).isEqualTo("AlreadyExists");
        assertThat(historyRows()).as("the failed row of A's history is still there").isEqualTo(history);
    }

    @Test
    void anUpdateOfAResourceWhoseSchemaAnotherResourceClaimsChangesNothing() {
        Outcome a = create(resource("3"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        String id = a.model().path("Id").asText();
        // Two resources on aliases, both made before claims were kept in the database: the other one claimed first.
        TestDatabase.execute(database, "UPDATE company_schemaversion.claims SET resource_id = 'db.public.0123456789ab',"
                + " stack_id = 'arn:aws:cloudformation:us-east-1:123456789012:stack/team-b/1'");
        TestDatabase.execute(database, "INSERT INTO public.flyway_schema_history (installed_rank, version, description,"
                + " type, script, checksum, installed_by, execution_time, success) VALUES (4, '4', 'x', 'SQL',"
                + " 'V4__x.sql', 0, 'postgres', 0, false)");
        List<String> history = historyRows();

        ObjectNode repair = resource("latest").put("Id", id);
        repair.putObject("Repair").put("FailedVersion", "4").put("InstalledRank", 4);
        Outcome refused = update(repair, a.model());

        assertThat(refused.errorCode()).as(refused.message()).isEqualTo("AlreadyExists");
        assertThat(refused.message()).contains("claimed in the database by another").contains("Nothing was changed");
        assertThat(historyRows()).isEqualTo(history);
        Outcome deleted = delete(mapper().createObjectNode().put("Id", id));
        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(historyRows()).isEqualTo(history);
        assertThat(query("SELECT resource_id FROM company_schemaversion.claims")).containsExactly("db.public.0123456789ab");
    }

    @Test
    void cleanDropsNothingOfASchemaTheResourceDidNotCreateAndTheDeleteStillSucceeds() {
        Outcome a = create(resource("latest"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        Outcome aDelete = delete(mapper().createObjectNode().put("Id", a.model().path("Id").asText()));
        assertThat(aDelete.status()).as(aDelete.message()).isEqualTo("SUCCESS");
        List<String> tables = tables();
        assertThat(tables).contains("orders", "flyway_schema_history");

        // Team B takes over the kept schema (its history matches the baked set) and asks for Clean.
        Outcome b = stackB.run("CREATE", resource("latest").put("OnDelete", "Clean"), null);
        assertThat(b.status()).as("the schema is free again: " + b.message()).isEqualTo("SUCCESS");
        Outcome bDelete = stackB.run("DELETE", mapper().createObjectNode().put("Id", b.model().path("Id").asText()), null);

        assertThat(bDelete.status()).as("never DELETE_FAILED: " + bDelete.message()).isEqualTo("SUCCESS");
        assertThat(tables()).as("team A's tables are all there").isEqualTo(tables);
        assertThat(bDelete.message()).contains("Kept the schema and its data although OnDelete is Clean")
                .contains("did not create the schema");
        assertThat(aDelete.message()).contains("Kept the schema and its data").contains("gave back its claim");
        assertThat(ssm().get(SsmRecordStore.nameOf(b.model().path("Id").asText()))).as("B's record is gone").isNull();
    }

    @Test
    void cleanStillDropsASchemaTheResourceCreated() {
        Outcome a = create(resource("latest").put("OnDelete", "Clean"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");

        Outcome deleted = delete(mapper().createObjectNode().put("Id", a.model().path("Id").asText()));

        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(deleted.message()).contains("Dropped every object in schema public");
        assertThat(tables()).isEmpty();
        assertThat(create(resource("3")).status()).as("the claim was given back").isEqualTo("SUCCESS");
    }

    @Test
    void aLostRecordDoesNotFreeTheSchema() {
        Outcome a = create(resource("latest").put("OnDelete", "Clean"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        String id = a.model().path("Id").asText();
        ssm().remove(SsmRecordStore.nameOf(id));
        List<String> tables = tables();
        List<String> history = historyRows();

        Outcome b = stackB.run("CREATE", resource("latest").put("OnDelete", "Clean"), null);

        assertThat(b.errorCode()).as(b.message()).isEqualTo("AlreadyExists");
        assertThat(b.model()).isNull();
        assertThat(ssm().get(SsmRecordStore.nameOf(id))).as("B's record was given back").isNull();
        assertThat(tables()).isEqualTo(tables);
        assertThat(historyRows()).isEqualTo(history);
    }

    @Test
    void anOlderRecordPutBackCannotMakeDeleteClean() {
        Outcome a = create(resource("latest").put("OnDelete", "Clean"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        String id = a.model().path("Id").asText();
        String cleanRecord = ssm().get(SsmRecordStore.nameOf(id)).value();
        Outcome retain = update(resource("latest").put("Id", id).put("OnDelete", "Retain"), a.model());
        assertThat(retain.status()).as(retain.message()).isEqualTo("SUCCESS");
        List<String> tables = tables();

        // SSM keeps every version of a parameter: the one that said Clean is put back.
        ssm().put(SsmRecordStore.nameOf(id), "String", cleanRecord);
        Outcome deleted = delete(mapper().createObjectNode().put("Id", id));

        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(tables()).as("the schema was not cleaned").isEqualTo(tables);
        assertThat(deleted.message()).contains("Kept the schema and its data although OnDelete is Clean")
                .contains("records OnDelete Retain");
    }

    @Test
    void anUpdateBackToCleanIsRecordedInTheClaimOnlyWhenItSucceeds() {
        Outcome a = create(resource("3"));
        String id = a.model().path("Id").asText();
        Outcome failed = update(resource("99").put("Id", id).put("OnDelete", "Clean"), a.model());
        assertThat(failed.errorCode()).isEqualTo("InvalidRequest");
        assertThat(query("SELECT on_delete FROM company_schemaversion.claims WHERE schema_name = 'public'"))
                .containsExactly("Retain");

        Outcome clean = update(resource("3").put("Id", id).put("OnDelete", "Clean"), a.model());
        assertThat(clean.status()).as(clean.message()).isEqualTo("SUCCESS");
        assertThat(query("SELECT on_delete FROM company_schemaversion.claims WHERE schema_name = 'public'"))
                .containsExactly("Clean");
        Outcome deleted = delete(mapper().createObjectNode().put("Id", id));
        assertThat(deleted.message()).as(deleted.message()).contains("Dropped every object");
        assertThat(tables()).isEmpty();
    }

    private static com.fasterxml.jackson.databind.ObjectMapper mapper() {
        return JSON;
    }
}
