package com.company.database.schemaversion.security;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.aws.SsmRecordStore;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clean, Adoption and Repair drop or rewrite what a schema holds, and a template author names any schema their
 * allowed login reaches: each is refused unless the account admin enabled it for that host, database and schema
 * (type configuration Destruction.*). Each test plays the template author of another team through the real
 * wrapper, against the embedded PostgreSQL.
 */
class DestructionScopeTest extends AbstractHandlerTest {
    private static final String STACK_B = "arn:aws:cloudformation:us-east-1:123456789012:stack/team-b/" + UUID.randomUUID();
    private CloudFormationDriver teamB;

    @BeforeEach
    void anotherTeamsStack() {
        teamB = CloudFormationDriver.quiet().withEnvironment(driver.environment()).withTypeConfiguration(withDestruction(null))
                .withStackId(STACK_B).withLogicalResourceId("TeamB");
    }

    /** The test account's configuration with the given Destruction section (null: none, the type's default). */
    private static ObjectNode withDestruction(ObjectNode destruction) {
        ObjectNode c = TestModels.testAccount();
        c.remove("Destruction");
        if (destruction != null) {
            c.set("Destruction", destruction);
        }
        return c;
    }

    private static ObjectNode scopes(String setting, String... scopes) {
        ObjectNode d = JSON.createObjectNode();
        d.putArray(setting).addAll(List.of(scopes).stream().map(JSON.getNodeFactory()::textNode).toList());
        return d;
    }

    private List<String> tables() {
        return query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    }

    private boolean recorded(ObjectNode model) {
        return ssm().get(SsmRecordStore.nameOf(idOf(model))) != null;
    }

    @Test
    void cleanOnASchemaAnotherTeamLeftBehindIsRefusedAtCreateByDefault() {
        // Team A's resource, deleted with the default Retain: schema and data stay.
        Outcome a = create(model("3"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        TestDatabase.execute(database, "INSERT INTO public.customers (email, full_name) VALUES ('a@example.com', 'team a')");
        assertThat(delete(a.model()).status()).isEqualTo("SUCCESS");
        List<String> tables = tables();

        ObjectNode clean = model("3").put("OnDelete", "Clean");
        Outcome b = teamB.run("CREATE", clean, null);

        assertThat(b.errorCode()).as(b.message()).isEqualTo("InvalidRequest");
        assertThat(b.message()).contains("OnDelete: Clean", "127.0.0.1/" + database + "/public",
                "Destruction.Clean: not set, so nowhere, the default", "Nothing was changed");
        assertThat(b.model()).isNull();
        assertThat(recorded(clean)).as("nothing was claimed").isFalse();
        assertThat(teamB.run("DELETE", clean.deepCopy().put("Id", idOf(clean)), null).errorCode()).isEqualTo("NotFound");
        assertThat(tables()).isEqualTo(tables);
        assertThat(query("SELECT count(*) FROM public.customers")).containsExactly("1");
    }

    @Test
    void cleanIsRefusedAtUpdateByDefaultAndTheDeleteKeepsTheData() {
        driver.withTypeConfiguration(withDestruction(null));
        Outcome a = create(model("3"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        String id = a.model().path("Id").asText();

        Outcome update = update(model("3").put("Id", id).put("OnDelete", "Clean"), a.model());

        assertThat(update.errorCode()).as(update.message()).isEqualTo("InvalidRequest");
        assertThat(update.message()).contains("OnDelete: Clean", "Destruction.Clean");
        assertThat(read(JSON.createObjectNode().put("Id", id)).model().path("OnDelete").asText("Retain")).isEqualTo("Retain");
        Outcome deleted = delete(JSON.createObjectNode().put("Id", id));
        assertThat(deleted.status()).isEqualTo("SUCCESS");
        assertThat(deleted.message()).contains("Kept the schema and its data");
        assertThat(tables()).contains("customers", "orders", "flyway_schema_history");
    }

    @Test
    void adoptionOfAHandManagedSchemaIsRefusedByDefault() {
        TestDatabase.execute(database, "CREATE TABLE public.customers (id bigint PRIMARY KEY, name text NOT NULL);"
                + " INSERT INTO public.customers VALUES (1, 'kept by hand')");

        ObjectNode adopt = model("latest");
        adopt.putObject("Adoption").put("BaselineVersion", "2");
        Outcome b = teamB.run("CREATE", adopt, null);

        assertThat(b.errorCode()).as(b.message()).isEqualTo("InvalidRequest");
        assertThat(b.message()).contains("Adoption.BaselineVersion", "127.0.0.1/" + database + "/public",
                "Destruction.Adoption: not set");
        assertThat(recorded(adopt)).isFalse();
        assertThat(tables()).as("no baseline, no migration").containsExactly("customers");
    }

    @Test
    void repairOfAFailedRowInAnotherTeamsHistoryIsRefusedByDefault() {
        Outcome a = create(model("3"));
        assertThat(delete(a.model()).status()).isEqualTo("SUCCESS");
        // The other team's history has a failed V4 they are looking into.
        TestDatabase.execute(database, "INSERT INTO public.flyway_schema_history (installed_rank, version, description,"
                + " type, script, checksum, installed_by, execution_time, success) VALUES (4, '4', 'index orders by"
                + " customer', 'SQL', 'V4__index_orders_by_customer.sql', 0, 'postgres', 0, false)");

        ObjectNode repair = model("3");
        repair.putObject("Repair").put("FailedVersion", "4").put("InstalledRank", 4);
        Outcome b = teamB.run("CREATE", repair, null);

        assertThat(b.errorCode()).as(b.message()).isEqualTo("InvalidRequest");
        assertThat(b.message()).contains("Repair", "Destruction.Repair: not set");
        assertThat(recorded(repair)).isFalse();
        assertThat(query("SELECT count(*) FROM public.flyway_schema_history WHERE NOT success")).containsExactly("1");

        // Nor on Update of one's own resource.
        driver.withTypeConfiguration(withDestruction(null));
        TestDatabase.execute(database, "DELETE FROM public.flyway_schema_history WHERE NOT success");
        Outcome own = create(model("3"));
        TestDatabase.execute(database, "INSERT INTO public.flyway_schema_history (installed_rank, version, description,"
                + " type, script, checksum, installed_by, execution_time, success) VALUES (4, '4', 'x', 'SQL',"
                + " 'V4__index_orders_by_customer.sql', 0, 'postgres', 0, false)");
        ObjectNode ownRepair = model("3").put("Id", own.model().path("Id").asText());
        ownRepair.putObject("Repair").put("FailedVersion", "4").put("InstalledRank", 4);
        Outcome updated = update(ownRepair, own.model());
        assertThat(updated.errorCode()).as(updated.message()).isEqualTo("InvalidRequest");
        assertThat(updated.message()).contains("Destruction.Repair");
        assertThat(query("SELECT count(*) FROM public.flyway_schema_history WHERE NOT success")).containsExactly("1");
    }

    @Test
    void eachIsAllowedWithinItsScopeAndRefusedOutsideIt() {
        ObjectNode elsewhere = scopes("Clean", "127.0.0.1/" + database + "_other/public", "127.0.0.2/*/*", "*/*/app");
        driver.withTypeConfiguration(withDestruction(elsewhere));
        Outcome outside = create(model("3").put("OnDelete", "Clean"));
        assertThat(outside.errorCode()).as(outside.message()).isEqualTo("InvalidRequest");
        assertThat(outside.message()).contains("[*/*/app, 127.0.0.1/" + database + "_other/public, 127.0.0.2/*/*]");
        assertThat(tables()).isEmpty();

        ObjectNode here = scopes("Clean", "127.0.0.*/" + database.substring(0, 3) + "*/pub*");
        here.putArray("Adoption").add("*/" + database + "/public");
        // An adopted schema holds objects the resource did not create: cleaning it takes the second switch.
        here.putArray("CleanWhatItDidNotCreate").add("*/" + database + "/public");
        driver.withTypeConfiguration(withDestruction(here));
        TestDatabase.execute(database, "CREATE TABLE public.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                + " email text NOT NULL, full_name text NOT NULL)");
        ObjectNode model = model("3").put("OnDelete", "Clean");
        model.putObject("Adoption").put("BaselineVersion", "1");
        Outcome created = create(model);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");

        Outcome deleted = delete(JSON.createObjectNode().put("Id", created.model().path("Id").asText()));
        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(deleted.message()).contains("Dropped every object in schema public");
        assertThat(tables()).isEmpty();
    }

    @Test
    void aDeleteWhoseCleanTheAdminWithdrewKeepsTheDataAndSucceeds() {
        Outcome a = create(model("3").put("OnDelete", "Clean"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        driver.withTypeConfiguration(withDestruction(scopes("Clean", "127.0.0.1/" + database + "/other_schema")));

        Outcome deleted = delete(JSON.createObjectNode().put("Id", a.model().path("Id").asText()));

        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(deleted.message()).contains("Kept the schema and its data", "OnDelete is Clean",
                "no longer allows Clean on 127.0.0.1/" + database + "/public", "Destruction.Clean");
        assertThat(tables()).contains("customers", "orders", "flyway_schema_history");
        assertThat(ssm().get(SsmRecordStore.nameOf(a.model().path("Id").asText()))).as("the resource is gone").isNull();
    }

    @Test
    void aStackRollbackIsNeverRefusedForCleanOrRepairAndRepairsNothing() {
        Outcome a = create(model("3").put("OnDelete", "Clean"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        ObjectNode retain = model("3").put("OnDelete", "Retain").put("Id", a.model().path("Id").asText());
        Outcome toRetain = update(retain, a.model());
        assertThat(toRetain.status()).as(toRetain.message()).isEqualTo("SUCCESS");
        // The admin withdraws Clean and Repair; then a later resource of the stack fails, and CloudFormation rolls
        // back: Update with the old properties, which asked for Clean (and, here, for a Repair).
        driver.withTypeConfiguration(withDestruction(null));
        ObjectNode back = model("3").put("OnDelete", "Clean").put("Id", a.model().path("Id").asText());
        back.putObject("Repair").put("FailedVersion", "2").put("InstalledRank", 2);
        List<String> history = history();

        Outcome refused = update(back, toRetain.model());
        Outcome rolledBack = driver.rollingBack(true).run("UPDATE", back, toRetain.model());
        driver.rollingBack(false);

        assertThat(refused.errorCode()).as("the same Update, not a rollback: " + refused.message()).isEqualTo("InvalidRequest");
        assertThat(rolledBack.status()).as("never UPDATE_ROLLBACK_FAILED: " + rolledBack.message()).isEqualTo("SUCCESS");
        assertThat(history()).as("nothing was repaired").isEqualTo(history);
        Outcome deleted = delete(JSON.createObjectNode().put("Id", a.model().path("Id").asText()));
        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(deleted.message()).contains("Kept the schema and its data");
        assertThat(tables()).contains("customers", "orders", "flyway_schema_history");
    }
}
