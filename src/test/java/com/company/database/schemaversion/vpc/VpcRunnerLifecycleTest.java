package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.local.CloudFormationDriver.Event;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.runner.RunnerConfig;
import com.company.database.schemaversion.runner.RunnerEntrypoint;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class VpcRunnerLifecycleTest extends AbstractVpcRunnerTest {

    @Test
    void createUpdateRollbackReadDeleteThroughTheRunner() {
        lambda().setPolls(3, 2, 2);
        Outcome created = create(vpcModel("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        String function = functionOf(id);
        assertThat(created.model().path("AppliedVersion").asText()).isEqualTo("3");
        assertThat(history()).containsExactly("1", "2", "3");
        assertThat(created.events()).extracting(Event::message).anyMatch(m -> m.contains("is Pending"));

        JsonNode config = lambda().configuration(function);
        assertThat(config.path("Runtime").asText()).isEqualTo("java21");
        assertThat(config.path("Handler").asText()).isEqualTo(RunnerEntrypoint.HANDLER);
        assertThat(config.path("Timeout").asInt()).isEqualTo(900);
        assertThat(config.path("MemorySize").asInt()).isEqualTo(1024);
        assertThat(config.path("Role").asText()).isEqualTo(ROLE);
        assertThat(config.path("VpcConfig").path("SubnetIds").get(0).asText()).isEqualTo(SUBNET_A);
        assertThat(config.path("VpcConfig").path("SecurityGroupIds").get(0).asText()).isEqualTo(SECURITY_GROUP);
        assertThat(lambda().count("CreateFunction")).isEqualTo(1);
        // The function carries the runner's configuration and nothing else; its code is the handler's package.
        assertThat(lambda().environment(function)).containsOnlyKeys("JAVA_TOOL_OPTIONS", RunnerConfig.CONFIG_VARIABLE,
                        com.company.database.schemaversion.runner.ConfiguredPolicy.POLICY_VARIABLE)
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        assertThat(config.path("CodeSha256").asText()).isEqualTo(runnerCode().codeSha256());
        assertThat(lambda().configuration(function).has("Layers")).isFalse();
        assertThat(lambda().calls()).anyMatch(c -> c.matches("POST Invoke " + function + ":[0-9]+ Event"));
        // The runner reads the login itself, and what to connect to from its configuration: payloads name
        // neither the database nor a parameter.
        assertThat(lambda().invocationPayloads()).allSatisfy(p -> assertThat(p).doesNotContain(PASSWORD_PARAM)
                .doesNotContain(TestDatabase.PASSWORD).doesNotContain("127.0.0.1").doesNotContain("public"));
        assertThat(lambda().environment(function).get(RunnerConfig.CONFIG_VARIABLE)).contains(PASSWORD_PARAM)
                .doesNotContain(TestDatabase.PASSWORD);
        assertThat(ssm().names()).noneMatch(n -> n.startsWith("/company-database-schemaversion/runner-steps"));

        // A new type version (new runner code) and a second subnet: the function is updated in place.
        useRunnerPackage(LambdaRunnerPackage.ofZip(runnerPackage("v2")));
        ObjectNode latest = vpcModel("latest");
        latest.put("Id", id);
        ((com.fasterxml.jackson.databind.node.ArrayNode) latest.path("Execution").path("SubnetIds")).add(SUBNET_B);
        Outcome updated = update(latest, created.model());
        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(updated.model().path("AppliedVersion").asText()).isEqualTo("7");
        assertThat(history()).containsExactly("1", "2", "3", "4", "5", "6", "7");
        assertThat(lambda().count("UpdateFunctionCode")).isEqualTo(1);
        assertThat(lambda().count("UpdateFunctionConfiguration")).isEqualTo(1);
        assertThat(lambda().count("CreateFunction")).isEqualTo(1);
        assertThat(lambda().configuration(function).path("CodeSha256").asText())
                .isEqualTo(runnerCode().codeSha256());
        assertThat(lambda().environment(function).get(RunnerConfig.CONFIG_VARIABLE)).contains("\"target\":\"latest\"");
        assertThat(lambda().configuration(function).path("VpcConfig").path("SubnetIds")).hasSize(2);
        // Every invocation named a version the handler published; older versions were removed (code storage).
        assertThat(lambda().invocations()).allSatisfy(i -> assertThat(i.version()).matches("[0-9]+"));
        assertThat(lambda().versions(function)).hasSize(1);

        ObjectNode back = vpcModel("3");
        back.put("Id", id);
        back.set("Execution", latest.get("Execution"));
        Outcome rollback = update(back, updated.model());
        assertThat(rollback.status()).as(rollback.message()).isEqualTo("SUCCESS");
        assertThat(rollback.message()).contains("below the applied version 7");
        assertThat(history()).hasSize(7);

        JsonNode idOnly = JSON.createObjectNode().put("Id", id);
        Outcome read = read(idOnly);
        assertThat(read.status()).as(read.message()).isEqualTo("SUCCESS");
        assertThat(read.model().path("AppliedVersion").asText()).isEqualTo("7");
        assertThat(read.model().path("DriftStatus").asText()).isEqualTo("InSync");

        long getsBefore = lambda().count("GetFunction");
        Outcome deleted = delete(idOnly);
        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(deleted.response().has("resourceModel")).isFalse();
        assertThat(lambda().calls()).filteredOn(c -> c.equals("DELETE DeleteFunction " + function)).hasSize(1);
        // The check before giving back the claim and of the version it publishes, Active (-> DeleteFunction),
        // Deleting twice, then gone: IN_PROGRESS until GetFunction said ResourceNotFound.
        assertThat(lambda().count("GetFunction") - getsBefore).isEqualTo(6);
        assertThat(lambda().invocationPayloads()).anyMatch(p -> p.contains("\"op\":\"release\""));
        assertThat(query("SELECT count(*) FROM company_schemaversion.claims")).containsExactly("0");
        assertThat(deleted.events().stream().filter(e -> e.status().equals("IN_PROGRESS")).count()).isEqualTo(3);
        assertThat(lambda().functionNames()).isEmpty();
        assertThat(history()).hasSize(7);
        assertThat(read(idOnly).errorCode()).isEqualTo("NotFound");
    }

    @Test
    void aNewTypeVersionUpdatesTheCodeThenRecordsItAndCodeReplacedByHandIsPutBack() {
        Outcome created = create(vpcModel("2"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        String function = functionOf(id);

        // New code, new TargetVersion: upload the code, then set the configuration (the new target).
        useRunnerPackage(LambdaRunnerPackage.ofZip(runnerPackage("v2")));
        ObjectNode next = vpcModel("4");
        next.put("Id", id);
        Outcome updated = update(next, created.model());
        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(lambda().count("UpdateFunctionCode")).isEqualTo(1);
        assertThat(lambda().count("UpdateFunctionConfiguration")).isEqualTo(1);
        assertThat(updated.events()).extracting(Event::message)
                .anyMatch(m -> m.contains("does not run this type version's code"));
        assertThat(lambda().configuration(function).path("CodeSha256").asText())
                .isEqualTo(runnerCode().codeSha256());

        // Someone uploads other code by hand, leaving the configuration alone: the next call puts ours back.
        lambda().replaceCodeByHand(function, runnerPackage("by hand"));
        ObjectNode again = vpcModel("5");
        again.put("Id", id);
        Outcome afterHand = update(again, updated.model());
        assertThat(afterHand.status()).as(afterHand.message()).isEqualTo("SUCCESS");
        assertThat(lambda().count("UpdateFunctionCode")).isEqualTo(2);
        assertThat(lambda().configuration(function).path("CodeSha256").asText())
                .isEqualTo(runnerCode().codeSha256());
        assertThat(history()).containsExactly("1", "2", "3", "4", "5");
    }

    @Test
    void aMigrationLongerThanOneHandlerCallRunsInAnAsynchronousStepPolledAcrossCalls() {
        Map<String, String> scripts = new LinkedHashMap<>();
        scripts.put("V1__first.sql", "CREATE TABLE first (id int);");
        scripts.put("V2__slow.sql", "SELECT pg_sleep(4); CREATE TABLE slow (id int);");
        scripts.put("V3__third.sql", "CREATE TABLE third (id int);");
        useMigrations(migrations(scripts));
        // Each handler call may wait at most ~0.5 s: V2 alone takes 8 times that.
        useCallBudget(Duration.ofMillis(500), Duration.ofSeconds(2));
        ObjectNode model = vpcModel("latest");
        ((ObjectNode) model.path("Timeouts")).put("StatementTimeoutSeconds", 60);

        Outcome created = create(model);

        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
        assertThat(created.events().stream().filter(e -> e.message().contains("step running")).count())
                .isGreaterThanOrEqualTo(3);
        assertThat(created.events()).allSatisfy(e -> assertThat(e.millis()).isLessThan(3_000));
        assertThat(lambda().count("Invoke")).isGreaterThanOrEqualTo(1);
        assertThat(lambda().calls().stream().filter(c -> c.endsWith(" Event")).count()).isEqualTo(1);
    }

    @Test
    void aStepThatRanOnlyRepeatableMigrationsIsProgressNotAFailure() {
        // Four statements of a second each: one migration outlasts the runner's start window below, and none of its
        // statements reaches the statement cap.
        String fourSeconds = "SELECT pg_sleep(1); SELECT pg_sleep(1); SELECT pg_sleep(1); SELECT pg_sleep(1); ";
        Map<String, String> scripts = new LinkedHashMap<>();
        scripts.put("V1__base.sql", fourSeconds + "CREATE TABLE base (id int);");
        scripts.put("R__first_view.sql", fourSeconds + "CREATE OR REPLACE VIEW first_view AS SELECT 1 AS one;");
        scripts.put("R__second_view.sql", fourSeconds + "CREATE OR REPLACE VIEW second_view AS SELECT 2 AS two;");
        useMigrations(migrations(scripts));
        // A 5 s function starts migrations for at most 4 s (RunnerEntrypoint.budget keeps a fifth back), so every
        // step applies exactly one migration: V1, then R__first_view alone (the applied version stays 1), then
        // R__second_view.
        lambda().setTimeoutOverride(5);

        Outcome created = create(vpcModel("latest"));

        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(lambda().calls().stream().filter(c -> c.endsWith(" Event")).count()).isEqualTo(3);
        assertThat(query("SELECT script FROM public.flyway_schema_history WHERE success ORDER BY installed_rank"))
                .containsExactly("V1__base.sql", "R__first_view.sql", "R__second_view.sql");
        assertThat(created.model().path("AppliedVersion").asText()).isEqualTo("1");
        assertThat(created.model().path("AppliedCount").asInt()).isEqualTo(3);
        assertThat(created.model().path("PendingCount").asInt()).isZero();
    }

    @Test
    void aDuplicateDeliveryOfAStepIsANoOp() {
        Map<String, String> scripts = new LinkedHashMap<>();
        scripts.put("V1__first.sql", "CREATE TABLE first (id int);");
        scripts.put("V2__slow.sql", "SELECT pg_sleep(1); INSERT INTO first VALUES (1);");
        useMigrations(migrations(scripts));
        lambda().deliverAsyncTwice(true);

        Outcome created = create(vpcModel("latest"));

        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        lambda().awaitIdle();
        assertThat(history()).containsExactly("1", "2");
        assertThat(query("SELECT count(*) FROM public.first")).containsExactly("1");
        assertThat(lambda().runnerLog()).anyMatch(l -> l.contains("already finished") || l.contains("op=APPLY"));
    }

    @Test
    void deleteWithCleanDropsTheSchemaThroughTheRunnerAndWaitsForTheFunction() {
        lambda().setPolls(0, 0, 4);
        ObjectNode model = vpcModel("2");
        model.put("OnDelete", "Clean");
        Outcome created = create(model);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");

        Outcome deleted = delete(JSON.createObjectNode().put("Id", created.model().path("Id").asText()));

        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).containsExactly("0");
        assertThat(lambda().invocationPayloads()).anyMatch(p -> p.contains("\"op\":\"clean\""));
        // Clean ran with the arm the handler set just before (one IN_PROGRESS for that update), between reading the
        // claim and giving it back, and nothing else ever ran armed.
        assertThat(lambda().invocations()).allSatisfy(i -> assertThat(i.environment().containsKey(RunnerConfig.CLEAN_VARIABLE))
                .as(i.payload()).isEqualTo(i.payload().matches(".*\"op\":\"(claimed|clean|release)\".*")));
        assertThat(deleted.events().stream().filter(e -> e.status().equals("IN_PROGRESS")).count()).isEqualTo(6);
        assertThat(lambda().functionNames()).isEmpty();
    }

    @Test
    void anInactiveFunctionIsWokenAndWaitedFor() {
        Outcome created = create(vpcModel("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        lambda().makeInactive(onlyFunction());
        ObjectNode latest = vpcModel("latest");
        latest.put("Id", created.model().path("Id").asText());

        Outcome updated = update(latest, created.model());

        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(updated.events()).extracting(Event::message).anyMatch(m -> m.contains("was Inactive"));
        assertThat(history()).hasSize(7);
    }

    @Test
    void leavingVpcRunnerModeRemovesTheFunction() {
        Outcome created = create(vpcModel("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(lambda().functionNames()).hasSize(1);
        ObjectNode direct = model("4");
        direct.put("Id", created.model().path("Id").asText());

        Outcome updated = update(direct, created.model());

        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(lambda().functionNames()).isEmpty();
        assertThat(history()).containsExactly("1", "2", "3", "4");
    }
}
