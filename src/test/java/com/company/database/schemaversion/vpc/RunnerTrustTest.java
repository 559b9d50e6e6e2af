package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.aws.LambdaRunners;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.runner.RunnerConfig;
import com.company.database.schemaversion.runner.RunnerProtocol;
import com.company.database.schemaversion.local.LambdaHooks.InvokeFault;
import com.company.database.schemaversion.local.LambdaHooks.Invocation;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.DeadLetterConfig;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;
import software.amazon.awssdk.services.lambda.model.LoggingConfig;
import software.amazon.awssdk.services.lambda.model.TracingConfig;
import software.amazon.awssdk.services.lambda.model.TracingMode;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, reproduction 5: whoever may invoke a runner function, or change it by hand, cannot make it act on
 * anything but what the handler configured. Each test tries one attack through the real SDK against the Lambda
 * emulator, which runs the real runner on the embedded PostgreSQL.
 */
class RunnerTrustTest extends AbstractRunnerAttackTest {

    @Test
    void aForgedPayloadNamingAnotherHostOtherCredentialsOrAnotherSchemaChangesNothingAndReadsNothing() throws Exception {
        String function = createdFunction("2");
        try (Connection c = TestDatabase.superuser(database); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA payments; CREATE TABLE payments.cards (number text); INSERT INTO payments.cards VALUES ('4242')");
        }
        int ssmRequestsBefore = ssm().requests().size();
        String elsewhere = "\"connection\":{\"host\":\"127.0.0.1\",\"port\":" + otherHost.getLocalPort()
                + ",\"database\":\"" + database + "\",\"sslMode\":\"disable\"},"
                + "\"credentials\":{\"secretParameter\":\"" + OTHER_SECRET_PARAM + "\"},"
                + "\"schema\":\"payments\",\"set\":\"orders\",\"region\":\"us-east-1\"";
        List<String> forged = List.of(
                // The old protocol's shape, exactly as version 1 took it.
                "{\"protocol\":1,\"op\":\"clean\"," + elsewhere + "}",
                "{\"protocol\":1,\"op\":\"observe\"," + elsewhere + "}",
                // Today's version with the same fields added.
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"observe\",\"deadline\":" + future() + "," + elsewhere + "}",
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"clean\",\"deadline\":" + future() + ",\"schema\":\"payments\"}",
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"observe\",\"deadline\":" + future()
                        + ",\"credentials\":{\"usernameParameter\":\"" + OTHER_SECRET_PARAM + "\",\"passwordParameter\":\""
                        + OTHER_SECRET_PARAM + "\"}}");

        for (String payload : forged) {
            JsonNode answer = invokeSync(function, payload);
            assertThat(answer.path("ok").asBoolean()).as(payload).isFalse();
            assertThat(answer.path("error").path("reason").asText()).as(payload).isEqualTo("RUNNER_FAILED");
            assertThat(answer.toString()).doesNotContain(OTHER_SECRET).doesNotContain(TestDatabase.PASSWORD + "\"");
        }
        lambda().awaitIdle();

        assertThat(connectionsToOtherHost.get()).as("connections to the attacker's host").isZero();
        assertThat(ssm().requests().subList(ssmRequestsBefore, ssm().requests().size()))
                .as("SSM requests the runner made").isEmpty();
        assertThat(query("SELECT number FROM payments.cards")).containsExactly("4242");
        assertThat(history()).containsExactly("1", "2");
    }

    @Test
    void cleanWithoutTheHandlersArmDropsNothing() {
        String function = createdFunction("2");
        // With a claim (Cloud Control's owner shape) and a step of its own, so that only the arm stands in the way.
        String clean = "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"clean\",\"deadline\":" + future()
                + ",\"stepId\":\"attacker-1\",\"token\":\"" + RunnerProtocol.newToken() + "\",\"claim\":{\"onDelete\":\"Clean\"}}";

        JsonNode answer = invokeSync(function, clean);
        attacker.invoke(b -> b.functionName(function).invocationType(InvocationType.EVENT).payload(SdkBytes.fromUtf8String(clean)));
        lambda().awaitIdle();

        assertThat(answer.path("ok").asBoolean()).isFalse();
        assertThat(answer.path("error").path("message").asText()).contains("not armed").contains("Nothing was dropped");
        assertThat(history()).containsExactly("1", "2");
        assertThat(tablesInSchema()).contains("flyway_schema_history");
    }

    @Test
    void anInvokerCanNeitherTakeNorFreeTheClaimForAnotherOwner() {
        String function = createdFunction("2");
        List<String> claim = query("SELECT resource_id || ' ' || stack_id || ' ' || on_delete FROM company_schemaversion.claims");
        String forged = ",\"deadline\":" + future() + ",\"claim\":{\"stackId\":\"arn:aws:cloudformation:us-east-1:"
                + "123456789012:stack/intruder/1\",\"logicalId\":\"X\",\"onDelete\":\"Clean\"}}";

        String step = ",\"stepId\":\"attacker-1\",\"token\":\"" + RunnerProtocol.newToken() + "\"";
        JsonNode taken = invokeSync(function, "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"claim\"" + step + forged);
        JsonNode freed = invokeSync(function, "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"release\"" + step + forged);

        // Neither names a step the handler armed: the runner refuses both before it looks at the claim.
        for (JsonNode answer : List.of(taken, freed)) {
            assertThat(answer.path("error").path("reason").asText()).isEqualTo("RUNNER_FAILED");
            assertThat(answer.path("error").path("message").asText()).contains("names no step the handler armed");
        }
        assertThat(query("SELECT resource_id || ' ' || stack_id || ' ' || on_delete FROM company_schemaversion.claims"))
                .as("the claim is the creator's, as it was").isEqualTo(claim).hasSize(1);
    }

    @Test
    void anArmLeftBehindByADeleteWhoseCleanFailedExpires() {
        ObjectNode model = vpcModel("2");
        model.put("OnDelete", "Clean");
        Outcome created = create(model);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String function = onlyFunction();
        JsonNode idOnly = JSON.createObjectNode().put("Id", created.model().path("Id").asText());
        lambda().setSyncFault(InvokeFault.CRASH);

        Outcome failed = delete(idOnly);

        assertThat(failed.errorCode()).as(failed.message()).isEqualTo("GeneralServiceException");
        assertThat(lambda().environment(function)).containsKey(RunnerConfig.CLEAN_VARIABLE);
        lambda().setSyncFault(InvokeFault.NONE);
        // Later, someone who may invoke the function finds the arm: it has expired.
        lambda().setFunctionClockOffset(Duration.ofMinutes(11));
        JsonNode answer = invokeSync(function, "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"clean\",\"deadline\":"
                + Instant.now().plus(Duration.ofMinutes(12)).toEpochMilli() + ",\"stepId\":\"attacker-1\",\"token\":\""
                + RunnerProtocol.newToken() + "\",\"claim\":{\"onDelete\":\"Clean\"}}");
        assertThat(answer.path("error").path("message").asText()).contains("arm expired").contains("Nothing was dropped");
        assertThat(history()).containsExactly("1", "2");

        // CloudFormation's retry of the Delete, within the arm's life, cleans and removes the function.
        lambda().setFunctionClockOffset(Duration.ZERO);
        Outcome deleted = delete(idOnly);
        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(tablesInSchema()).isEmpty();
        assertThat(lambda().functionNames()).isEmpty();
    }

    @Test
    void aStepBeyondTheConfiguredTargetVersionIsRefused() {
        String function = createdFunction("2");
        attacker.invoke(b -> b.functionName(function).invocationType(InvocationType.EVENT).payload(SdkBytes.fromUtf8String(
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"apply\",\"stepId\":\"attacker-1\",\"target\":\"7\","
                        + "\"deadline\":" + future() + ",\"token\":\"" + RunnerProtocol.newToken() + "\"}")));
        lambda().awaitIdle();

        assertThat(history()).containsExactly("1", "2");
        assertThat(lambda().runnerLog()).anyMatch(l -> l.contains("refused to migrate to version 7"));
        assertThat(ssm().names()).noneMatch(n -> n.startsWith(RunnerProtocol.STEP_PREFIX));
    }

    @Test
    void codeUploadedByHandWithAMatchingEnvironmentVariableIsReplacedBeforeTheNextInvocation() {
        String function = createdFunction("2");
        String ours = runnerCode().codeSha256();
        // What defeated the old check: other code, and the function's own record of its CodeSha256 made to match.
        attacker.updateFunctionCode(b -> b.functionName(function).zipFile(SdkBytes.fromByteArray(runnerPackage("evil"))));
        String evilSha = settled(function).codeSha256();
        Map<String, String> variables = new HashMap<>(lambda().environment(function));
        variables.put("SCHEMAVERSION_RUNNER_CODE_SHA256", evilSha);
        variables.put("SCHEMAVERSION_RUNNER_CODE", "whatever-the-handler-expects");
        attacker.updateFunctionConfiguration(b -> b.functionName(function).environment(Environment.builder().variables(variables).build()));
        settled(function);
        int before = lambda().invocations().size();

        // Read may not wait for a repair: it refuses to invoke the changed function.
        Outcome read = read(JSON.createObjectNode().put("Id", idOf(function)));
        assertThat(read.errorCode()).as(read.message()).isEqualTo("GeneralServiceException");
        assertThat(read.message()).contains("not as this type version configured it").contains("code");
        assertThat(lambda().invocations()).hasSize(before);

        ObjectNode next = vpcModel("3").put("Id", idOf(function));
        Outcome updated = update(next, next);
        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
        List<Invocation> after = lambda().invocations().subList(before, lambda().invocations().size());
        assertThat(after).isNotEmpty().allSatisfy(i -> {
            assertThat(i.codeSha256()).isEqualTo(ours);
            assertThat(i.environment()).doesNotContainKey("SCHEMAVERSION_RUNNER_CODE_SHA256");
        });
        assertThat(lambda().configuration(function).path("CodeSha256").asText()).isEqualTo(ours);
    }

    @Test
    void aReadAfterANewTypeVersionTrustsTheRunnerCodeTheRecordNamesAndNoOther() throws Exception {
        String function = createdFunction("2");
        String id = idOf(function);
        // What an earlier type version left: its own runner code on the function, and its CodeSha256 in the record
        // (which only the execution role writes).
        attacker.updateFunctionCode(b -> b.functionName(function).zipFile(SdkBytes.fromByteArray(runnerPackage("earlier-version"))));
        String earlierSha = settled(function).codeSha256();
        String recordName = com.company.database.schemaversion.aws.SsmRecordStore.nameOf(id);
        ObjectNode record = (ObjectNode) JSON.readTree(ssm().get(recordName).value());
        assertThat(record.path("runnerCode").asText()).isEqualTo(runnerCode().codeSha256());
        record.put("runnerCode", earlierSha);
        ssm().put(recordName, "String", JSON.writeValueAsString(record));
        int before = lambda().invocations().size();

        Outcome read = read(JSON.createObjectNode().put("Id", id));

        assertThat(read.status()).as(read.message()).isEqualTo("SUCCESS");
        assertThat(read.model().path("AppliedVersion").asText()).isEqualTo("2");
        assertThat(lambda().invocations().subList(before, lambda().invocations().size()))
                .isNotEmpty().allSatisfy(i -> assertThat(i.codeSha256()).isEqualTo(earlierSha));

        // Code that neither this version nor the record names is still refused.
        attacker.updateFunctionCode(b -> b.functionName(function).zipFile(SdkBytes.fromByteArray(runnerPackage("evil"))));
        settled(function);
        Outcome refused = read(JSON.createObjectNode().put("Id", id));
        assertThat(refused.errorCode()).as(refused.message()).isEqualTo("GeneralServiceException");
    }

    @Test
    void aLayerJavaToolOptionsAndOtherSettingsAddedByHandAreRemovedBeforeTheNextInvocation() {
        String function = createdFunction("2");
        Map<String, String> variables = new HashMap<>(lambda().environment(function));
        variables.put("JAVA_TOOL_OPTIONS", "-javaagent:/opt/agent.jar");
        variables.put("AWS_LAMBDA_EXEC_WRAPPER", "/opt/wrapper");
        attacker.updateFunctionConfiguration(b -> b.functionName(function)
                .layers("arn:aws:lambda:us-east-1:999999999999:layer:agent:1")
                .environment(Environment.builder().variables(variables).build())
                .deadLetterConfig(DeadLetterConfig.builder().targetArn("arn:aws:sqs:us-east-1:999999999999:loot").build())
                .kmsKeyArn("arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                .tracingConfig(TracingConfig.builder().mode(TracingMode.ACTIVE).build())
                .loggingConfig(LoggingConfig.builder().logGroup("/attacker/logs").build()));
        settled(function);
        for (String qualifier : List.of("$LATEST", handlerVersion())) {
            attacker.putFunctionEventInvokeConfig(b -> b.functionName(function).qualifier(qualifier).maximumRetryAttempts(2)
                    .maximumEventAgeInSeconds(21600)
                    .destinationConfig(d -> d.onFailure(o -> o.destination("arn:aws:sqs:us-east-1:999999999999:loot"))));
        }
        int before = lambda().invocations().size();

        ObjectNode next = vpcModel("3").put("Id", idOf(function));
        Outcome updated = update(next, next);

        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(updated.events()).anyMatch(e -> e.message().contains("Layers") && e.message().contains("JAVA_TOOL_OPTIONS"));
        List<Invocation> after = lambda().invocations().subList(before, lambda().invocations().size());
        assertThat(after).isNotEmpty().allSatisfy(i -> {
            assertThat(i.layers()).isEmpty();
            assertThat(i.environment()).containsOnlyKeys("JAVA_TOOL_OPTIONS", RunnerConfig.CONFIG_VARIABLE,
                            com.company.database.schemaversion.runner.ConfiguredPolicy.POLICY_VARIABLE)
                    .containsEntry("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        });
        FunctionConfiguration f = attacker.getFunction(b -> b.functionName(function)).configuration();
        assertThat(f.layers()).isEmpty();
        assertThat(f.deadLetterConfig()).isNull();
        assertThat(f.kmsKeyArn()).isNull();
        assertThat(f.tracingConfig().mode()).isEqualTo(TracingMode.PASS_THROUGH);
        assertThat(f.loggingConfig().logGroup()).isEqualTo("/aws/lambda/" + function);
        GetFunctionEventInvokeConfigResponse events = attacker.getFunctionEventInvokeConfig(b -> b.functionName(function)
                .qualifier(handlerVersion()));
        assertThat(events.maximumRetryAttempts()).isZero();
        assertThat(events.destinationConfig()).isNull();
        assertThat(history()).containsExactly("1", "2", "3");
    }

    @Test
    void aLateAsynchronousEventIsRefusedByTheRunnerEvenWhenLambdaStillDeliversIt() {
        String function = createdFunction("2");
        ObjectNode to3 = vpcModel("3").put("Id", idOf(function));
        // The handler's own step payload, kept by someone who may invoke the function; the event itself was lost
        // and the handler gave up on it.
        lambda().dropAsyncInvocations(true);
        handlerClockRacesAhead();
        Outcome gaveUp = update(to3, to3);
        assertThat(gaveUp.message()).contains("did not start the step");
        lambda().dropAsyncInvocations(false);
        String stepPayload = lambda().invocationPayloads().stream().filter(p -> p.contains("\"op\":\"apply\"")).findFirst().orElseThrow();
        // Lambda itself would drop an event this old (the handler set a 60 s event age): make it deliver anyway.
        attacker.putFunctionEventInvokeConfig(b -> b.functionName(function).maximumEventAgeInSeconds(21600));
        lambda().delayAsync(Duration.ofMinutes(10));

        attacker.invoke(b -> b.functionName(function).invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String(stepPayload)));
        lambda().awaitIdle();

        assertThat(lambda().runnerLog()).anyMatch(l -> l.contains("refused a late apply request"));
        assertThat(history()).containsExactly("1", "2");
        assertThat(ssm().names()).noneMatch(n -> n.startsWith(RunnerProtocol.STEP_PREFIX));
    }

    @Test
    void asynchronousStepsAreNeitherRetriedNorKeptLongerThanLambdasShortestEventAge() {
        String function = createdFunction("2");
        String version = handlerVersion();
        GetFunctionEventInvokeConfigResponse config = attacker.getFunctionEventInvokeConfig(b -> b.functionName(function)
                .qualifier(version));
        assertThat(config.maximumRetryAttempts()).isEqualTo(LambdaRunners.MAXIMUM_RETRY_ATTEMPTS).isZero();
        assertThat(config.maximumEventAgeInSeconds()).isEqualTo(LambdaRunners.MAXIMUM_EVENT_AGE_SECONDS).isEqualTo(60);

        // A step whose runtime crashes is not delivered again (Lambda's default would retry it twice).
        lambda().crashAsyncAttempts(1);
        String payload = "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"apply\",\"stepId\":\"crash-1\",\"target\":\"2\","
                + "\"deadline\":" + future() + "}";
        attacker.invoke(b -> b.functionName(function).qualifier(version).invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String(payload)));
        lambda().awaitIdle();
        assertThat(lambda().invocations().stream().filter(i -> i.payload().equals(payload))).hasSize(1);

        // An event older than the event age never reaches the runner.
        lambda().delayAsync(Duration.ofSeconds(61));
        String late = payload.replace("crash-1", "late-1");
        attacker.invoke(b -> b.functionName(function).qualifier(version).invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String(late)));
        lambda().awaitIdle();
        assertThat(lambda().invocations().stream().filter(i -> i.payload().equals(late))).isEmpty();
    }

    @Test
    void aModelWhoseRunnerConfigurationExceedsLambdasFourKilobytesIsInvalidRequest() {
        ObjectNode model = vpcModel("2");
        ObjectNode placeholders = model.putObject("Placeholders");
        placeholders.put("AppRole", "orders_app");
        for (int i = 0; i < 20; i++) {
            placeholders.put("Filler" + i, "x".repeat(256));
        }

        Outcome created = create(model);

        assertThat(created.errorCode()).as(created.message()).isEqualTo("InvalidRequest");
        assertThat(created.message()).contains("4096").contains("Placeholders");
        assertThat(lambda().functionNames()).isEmpty();
        assertThat(tablesInSchema()).isEmpty();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private String createdFunction(String target) {
        Outcome created = create(vpcModel(target));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        ids.put(functionOf(id), id);
        return functionOf(id);
    }

    private final Map<String, String> ids = new HashMap<>();

    /** The version of the runner function the handler invoked last: the one it published after its check. */
    private static String handlerVersion() {
        List<Invocation> all = lambda().invocations();
        return all.get(all.size() - 1).version();
    }

    private String idOf(String function) {
        return ids.get(function);
    }

    private JsonNode invokeSync(String function, String payload) {
        InvokeResponse r = attacker.invoke(b -> b.functionName(function).payload(SdkBytes.fromUtf8String(payload)));
        assertThat(r.functionError()).as(r.payload().asUtf8String()).isNull();
        return RunnerProtocol.parse(r.payload().asByteArray());
    }

    /** Waits, as anyone scripting against Lambda does, until an update is applied. */
    private FunctionConfiguration settled(String function) {
        for (int i = 0; i < 20; i++) {
            FunctionConfiguration f = attacker.getFunction(b -> b.functionName(function)).configuration();
            if (f.lastUpdateStatus() != LastUpdateStatus.IN_PROGRESS) {
                return f;
            }
        }
        throw new IllegalStateException("update of " + function + " never finished");
    }

    private static long future() {
        return Instant.now().plus(Duration.ofMinutes(2)).toEpochMilli();
    }

    /**
     * A handler clock that moves a minute on at every reading: an update whose step never starts gives up after a
     * few calls instead of five real minutes (its failure is not what the test is about).
     */
    private void handlerClockRacesAhead() {
        AtomicInteger minutes = new AtomicInteger();
        Instant start = Instant.now();
        useClock(new Clock() {
            public ZoneOffset getZone() { return ZoneOffset.UTC; }
            public Clock withZone(ZoneId zone) { return this; }
            public Instant instant() { return start.plus(Duration.ofMinutes(minutes.incrementAndGet())); }
        });
    }
}
