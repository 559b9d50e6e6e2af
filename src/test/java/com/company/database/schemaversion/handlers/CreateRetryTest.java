package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class CreateRetryTest extends AbstractHandlerTest {

    @Test
    void aRetryWithTheSameTokenResumesAndAnotherTokenFindsTheSchemaTaken() {
        ObjectNode m = model("3");
        String token = UUID.randomUUID().toString();

        // No start window: the first call claims and applies one migration, then its answer is lost (a
        // timeout), so CloudFormation retries the same request: same clientRequestToken, no CallbackContext.
        useCallBudget(Duration.ZERO, Duration.ofSeconds(50));
        JsonNode first = driver.invoke(driver.request("CREATE", m, null, null, token, null));
        assertThat(first.path("status").asText()).isEqualTo("IN_PROGRESS");
        String id = first.path("resourceModel").path("Id").asText();
        assertThat(id).isEqualTo(idOf(m));
        assertThat(history()).containsExactly("1");
        useEnvironment(e -> HandlerEnvironment.lambda().withAwsEndpoints(e.aws().endpoints()));

        Outcome other = driver.run("CREATE", m, null, null, UUID.randomUUID().toString());
        assertThat(other.errorCode()).isEqualTo("AlreadyExists");
        assertThat(other.message()).contains(id).contains(database);
        assertThat(other.model()).as("AlreadyExists names no resource: a rollback must not delete the other one").isNull();
        assertThat(history()).as("the refused create touched nothing").containsExactly("1");

        Outcome retried = driver.run("CREATE", m, null, null, token);
        assertThat(retried.status()).as(retried.message()).isEqualTo("SUCCESS");
        assertThat(retried.model().path("Id").asText()).isEqualTo(id);
        assertThat(history()).containsExactly("1", "2", "3");
        // The retry found its own claim in the database: still the one row, which started the history.
        assertThat(query("SELECT resource_id || ' ' || created_history FROM company_schemaversion.claims"))
                .containsExactly(id + " true");

        // Even a retry after the create finished just finds the schema at its target.
        Outcome again = driver.run("CREATE", m, null, null, token);
        assertThat(again.status()).as(again.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
    }

    @Test
    void aDeployThatFitsAnswersSuccessInTheCallThatClaims() {
        Outcome created = create(model("latest"));

        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(created.calls()).isEqualTo(1);
        assertThat(created.model().path("Id").asText()).isEqualTo(idOf(model("latest")));
        // The login is checked before the claim and used for the migrations: read once in the call.
        assertThat(ssm().requests()).filteredOn(r -> r.startsWith("AmazonSSM.GetParameter ") && r.contains(USER_PARAM)).hasSize(1);
        assertThat(ssm().requests()).filteredOn(r -> r.startsWith("AmazonSSM.GetParameter ") && r.contains(PASSWORD_PARAM)).hasSize(1);
        assertThat(history()).containsExactly("1", "2", "3", "4", "5", "6", "7");
    }
}
