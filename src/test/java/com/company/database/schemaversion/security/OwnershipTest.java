package com.company.database.schemaversion.security;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.aws.SsmRecordStore;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One stack's resource is out of reach of every other stack: the handlers run with the type's role for all
 * of them, so the record's owner is what keeps a template author (or a rollback) from touching another
 * stack's database schema.
 */
class OwnershipTest extends AbstractHandlerTest {
    private static final String STACK_B = "arn:aws:cloudformation:us-east-1:123456789012:stack/stack-b/"
            + UUID.randomUUID();
    private CloudFormationDriver stackB;

    @BeforeEach
    void secondStack() {
        stackB = CloudFormationDriver.quiet().withEnvironment(driver.environment()).withTypeConfiguration(TestModels.testAccount())
                .withStackId(STACK_B).withLogicalResourceId("Intruder");
    }

    private String tablesInPublic() {
        return query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").get(0);
    }

    @Test
    void aDuplicateCreateInAnotherStackNamesNothingAndItsRollbackCannotCleanTheFirstResource() {
        Outcome a = create(model("latest").put("OnDelete", "Clean"));
        assertThat(a.status()).as(a.message()).isEqualTo("SUCCESS");
        String id = a.model().path("Id").asText();
        String tables = tablesInPublic();

        Outcome b = stackB.run("CREATE", model("latest"), null);
        assertThat(b.errorCode()).isEqualTo("AlreadyExists");
        assertThat(b.model()).as("the FAILED event names no resource, so B's rollback deletes nothing").isNull();

        // Even a Delete that names A's Id from stack B (what the rollback did when the event carried it) is NotFound.
        Outcome rollbackDelete = stackB.run("DELETE", JSON.createObjectNode().put("Id", id), null);
        assertThat(rollbackDelete.errorCode()).isEqualTo("NotFound");
        assertThat(tablesInPublic()).as("nothing was dropped").isEqualTo(tables);
        assertThat(history()).hasSize(7);
        Outcome readByA = read(JSON.createObjectNode().put("Id", id));
        assertThat(readByA.status()).as("A's resource is intact: " + readByA.message()).isEqualTo("SUCCESS");
    }

    @Test
    void anotherStackCanNeitherUpdateNorReadNorDeleteTheResource() {
        Outcome a = create(model("3"));
        String id = a.model().path("Id").asText();

        Outcome update = stackB.run("UPDATE", model("latest").put("Id", id), a.model());
        assertThat(update.errorCode()).isEqualTo("NotFound");
        assertThat(history()).as("B's update applied nothing").containsExactly("1", "2", "3");

        assertThat(stackB.run("READ", JSON.createObjectNode().put("Id", id), null).errorCode()).isEqualTo("NotFound");
        assertThat(stackB.run("DELETE", model("3").put("Id", id), null).errorCode()).isEqualTo("NotFound");
        assertThat(ssm().get(SsmRecordStore.nameOf(id))).as("the record is still there").isNotNull();

        // Cloud Control names no stack: it may read any resource (GetResource), but change none a stack owns.
        CloudFormationDriver cloudControl = CloudFormationDriver.quiet().withEnvironment(driver.environment()).withTypeConfiguration(TestModels.testAccount())
                .withStackId(null);
        assertThat(cloudControl.run("READ", JSON.createObjectNode().put("Id", id), null).status()).isEqualTo("SUCCESS");
        assertThat(cloudControl.run("DELETE", JSON.createObjectNode().put("Id", id), null).errorCode()).isEqualTo("NotFound");
        assertThat(cloudControl.run("UPDATE", model("latest").put("Id", id), a.model()).errorCode()).isEqualTo("NotFound");
        assertThat(history()).containsExactly("1", "2", "3");
    }

    @Test
    void aFailedUpdateLeavesTheRecordAsItWas() {
        Outcome a = create(model("3"));
        String id = a.model().path("Id").asText();

        Outcome failed = update(model("99").put("Id", id), a.model());
        assertThat(failed.errorCode()).isEqualTo("InvalidRequest");

        Outcome read = read(JSON.createObjectNode().put("Id", id));
        assertThat(read.model().path("TargetVersion").asText()).isEqualTo("3");
        assertThat(read.model().path("AppliedVersion").asText()).isEqualTo("3");
    }

    @Test
    void theRecordKeepsTheOwnerButNoRequestSecret() {
        String token = UUID.randomUUID().toString();
        Outcome a = driver.run("CREATE", model("3"), null, null, token);
        String record = ssm().get(SsmRecordStore.nameOf(a.model().path("Id").asText())).value();

        assertThat(record).doesNotContain(token)
                .contains(driver.stackId()).contains(driver.logicalResourceId());
    }

    @Test
    void readOnlyPropertiesOnUpdateAreRefusedUnlessTheyRepeatWhatTheResourceReported() {
        Outcome a = create(model("3"));
        String id = a.model().path("Id").asText();

        ObjectNode forged = model("latest").put("Id", id).put("AppliedVersion", "99");
        Outcome refused = update(forged, model("3").put("Id", id));
        assertThat(refused.errorCode()).isEqualTo("InvalidRequest");
        assertThat(refused.message()).contains("AppliedVersion");
        assertThat(history()).containsExactly("1", "2", "3");

        // What cfn test and Cloud Control send: the created model's read-only values, unchanged.
        ObjectNode echoed = ((ObjectNode) a.model().deepCopy()).put("TargetVersion", "latest");
        Outcome accepted = update(echoed, a.model());
        assertThat(accepted.status()).as(accepted.message()).isEqualTo("SUCCESS");
    }

    @Test
    void aUsernameParameterBesideASecretParameterIsRefusedNotIgnored() {
        ObjectNode both = model("3");
        ((ObjectNode) both.get("Credentials")).put("SecretParameter", "/orders/db/secret").remove("PasswordParameter");

        Outcome refused = create(both);

        assertThat(refused.errorCode()).isEqualTo("InvalidRequest");
        assertThat(refused.message()).contains("SecretParameter").contains("UsernameParameter");
        assertThat(refused.model()).isNull();
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'flyway_schema_history'"))
                .containsExactly("0");
    }
}
