package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin's switches in VpcRunner mode: a Cloud Control read of a stack's resource invokes no runner (nor
 * any other Lambda call), and a Delete whose Clean the admin withdrew neither arms nor invokes the runner's
 * clean, keeps the data and succeeds.
 */
class VpcRunnerAdminSwitchesTest extends AbstractVpcRunnerTest {

    @Test
    void aCloudControlReadOfAStacksResourceMakesNoLambdaCall() {
        Outcome created = create(vpcModel("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        lambda().awaitIdle();
        int calls = lambda().calls().size();
        int invocations = lambda().invocations().size();

        Outcome read = CloudFormationDriver.quiet().withTypeConfiguration(TestModels.testAccount()).withStackId(null)
                .withEnvironment(driver.environment()).run("READ", JSON.createObjectNode().put("Id", id), null);

        assertThat(read.status()).as(read.message()).isEqualTo("SUCCESS");
        assertThat(read.model().path("Execution").path("Mode").asText()).isEqualTo("VpcRunner");
        assertThat(read.model().has("AppliedVersion")).isFalse();
        assertThat(lambda().invocations()).as("no runner invocation").hasSize(invocations);
        assertThat(lambda().calls()).as("no Lambda call at all").hasSize(calls);

        // The owning stack's Read still observes through its runner.
        Outcome own = read(JSON.createObjectNode().put("Id", id));
        assertThat(own.model().path("AppliedVersion").asText()).isEqualTo("3");
        assertThat(lambda().invocations().size()).isGreaterThan(invocations);
    }

    @Test
    void aDeleteWhoseCleanTheAdminWithdrewNeverArmsTheRunnerAndKeepsTheData() {
        ObjectNode model = vpcModel("3");
        model.put("OnDelete", "Clean");
        Outcome created = create(model);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        ObjectNode withdrawn = TestModels.testAccount();
        withdrawn.remove("Destruction");
        driver.withTypeConfiguration(withdrawn);

        Outcome deleted = delete(JSON.createObjectNode().put("Id", created.model().path("Id").asText()));

        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(deleted.message()).contains("Kept the schema and its data", "Destruction.Clean");
        assertThat(tablesInSchema()).contains("customers", "orders", "flyway_schema_history");
        assertThat(lambda().invocationPayloads()).noneMatch(p -> p.contains("\"op\":\"clean\""));
        assertThat(lambda().functionNames()).as("the runner function is removed all the same").isEmpty();
    }
}
