package com.company.database.schemaversion.security;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.aws.SsmRecordStore;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests that name no stack (Cloud Control, cfn test) carry nothing that tells one caller from another, so
 * whatever one may do to a resource made that way, all may. The admin decides whether they may change anything
 * (CloudControl.Changes, default None), and a read of a stack's resource answers from the record unless the admin
 * chose live reads (CloudControl.ReadStackResources, default FromRecord): such a read makes the type read no
 * login and open no connection on the stack's behalf.
 */
class CloudControlTest extends AbstractHandlerTest {

    /** The test account's configuration with the given CloudControl section (null: none, the type's default). */
    static ObjectNode withCloudControl(ObjectNode cloudControl) {
        ObjectNode c = TestModels.testAccount();
        c.remove("CloudControl");
        if (cloudControl != null) {
            c.set("CloudControl", cloudControl);
        }
        return c;
    }

    private CloudFormationDriver cloudControl(ObjectNode configuration) {
        return CloudFormationDriver.quiet().withEnvironment(driver.environment()).withTypeConfiguration(configuration).withStackId(null);
    }

    private List<String> tables() {
        return query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    }

    /** Server processes connected to the test database now (seen from another database, so this one is not counted). */
    private int connections() {
        return Integer.parseInt(TestDatabase.query("postgres",
                "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database + "'").get(0));
    }

    private long loginReads() {
        return ssm().requests().stream().filter(r -> r.contains("GetParameter") && r.contains(PASSWORD_PARAM)).count();
    }

    @Test
    void byDefaultARequestWithoutAStackCreatesUpdatesAndDeletesNothing() {
        CloudFormationDriver caller = cloudControl(withCloudControl(null));
        ObjectNode model = model("3");

        Outcome created = caller.run("CREATE", model, null);

        assertThat(created.errorCode()).as(created.message()).isEqualTo("InvalidRequest");
        assertThat(created.message()).contains("Create without a stack", "CloudControl.Changes: None, the default");
        assertThat(created.model()).isNull();
        assertThat(ssm().get(SsmRecordStore.nameOf(idOf(model)))).isNull();
        assertThat(tables()).isEmpty();

        // A resource made while the admin allowed it cannot be changed once the admin no longer does.
        Outcome allowed = cloudControl(withCloudControl(JSON.createObjectNode().put("Changes", "ResourcesWithoutStack")))
                .run("CREATE", model("3"), null);
        assertThat(allowed.status()).as(allowed.message()).isEqualTo("SUCCESS");
        String id = allowed.model().path("Id").asText();
        Outcome update = caller.run("UPDATE", model("latest").put("Id", id), allowed.model());
        assertThat(update.errorCode()).isEqualTo("InvalidRequest");
        assertThat(update.message()).contains("Update without a stack");
        Outcome delete = caller.run("DELETE", JSON.createObjectNode().put("Id", id), null);
        assertThat(delete.errorCode()).isEqualTo("InvalidRequest");
        assertThat(history()).containsExactly("1", "2", "3");
        assertThat(ssm().get(SsmRecordStore.nameOf(id))).isNotNull();
    }

    @Test
    void aCloudControlCallerCannotSwitchAnotherCallersResourceToCleanAndDeleteItsData() {
        // The admin allows changes without a stack, and Clean everywhere (the test account's configuration).
        CloudFormationDriver creator = cloudControl(TestModels.testAccount());
        CloudFormationDriver attacker = cloudControl(TestModels.testAccount());
        Outcome created = creator.run("CREATE", model("3"), null);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        TestDatabase.execute(database, "INSERT INTO public.customers (email, full_name) VALUES ('c@example.com', 'creator')");

        Outcome armed = attacker.run("UPDATE", model("3").put("Id", id).put("OnDelete", "Clean"), created.model());

        assertThat(armed.errorCode()).as(armed.message()).isEqualTo("InvalidRequest");
        assertThat(armed.message()).contains("OnDelete cannot be switched to Clean by an Update without a stack");
        Outcome deleted = attacker.run("DELETE", JSON.createObjectNode().put("Id", id), null);
        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(deleted.message()).contains("Kept the schema and its data");
        assertThat(query("SELECT count(*) FROM public.customers")).containsExactly("1");
        assertThat(tables()).contains("customers", "orders");
    }

    @Test
    void aCloudControlReadOfAStacksResourceReadsNoLoginAndOpensNoConnection() {
        Outcome created = create(model("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        driver.environment().engines().clear();
        assertThat(connections()).isZero();
        long loginReads = loginReads();

        Outcome read = cloudControl(TestModels.testAccount()).run("READ", JSON.createObjectNode().put("Id", id), null);

        assertThat(read.status()).as(read.message()).isEqualTo("SUCCESS");
        assertThat(read.model().path("Id").asText()).isEqualTo(id);
        assertThat(read.model().path("TargetVersion").asText()).isEqualTo("3");
        assertThat(read.model().path("Database").path("Name").asText()).isEqualTo(database);
        assertThat(read.model().has("AppliedVersion")).as("nothing was observed").isFalse();
        assertThat(connections()).as("no connection to the stack's database").isZero();
        assertThat(loginReads()).as("the stack's login was not read").isEqualTo(loginReads);

        // The admin may choose live reads: then the type connects, as the owning stack's Read does.
        Outcome live = cloudControl(withCloudControl(JSON.createObjectNode().put("ReadStackResources", "Live")))
                .run("READ", JSON.createObjectNode().put("Id", id), null);
        assertThat(live.status()).as(live.message()).isEqualTo("SUCCESS");
        assertThat(live.model().path("AppliedVersion").asText()).isEqualTo("3");
        assertThat(loginReads()).isGreaterThan(loginReads);
        assertThat(connections()).as("the measure sees a live read's connection").isPositive();
    }
}
