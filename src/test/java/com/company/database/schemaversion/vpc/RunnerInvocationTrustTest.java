package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.local.LambdaHooks.Invocation;
import com.company.database.schemaversion.runner.RunnerConfig;
import com.company.database.schemaversion.runner.RunnerProtocol;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner does only what the handler asked, with the code and settings the handler checked: nothing changed
 * between the check and the invocation runs, no invoker but the handler gets anything done, the runner applies the
 * account policy it was configured with, and Delete with OnDelete: Clean checks what every other operation checks.
 * Each test tries the attack through the real handler wrapper, the Lambda emulator and the real runner on the
 * embedded PostgreSQL; the attacker uses the real SDK client against the emulator.
 */
class RunnerInvocationTrustTest extends AbstractRunnerAttackTest {
    private static final String POLICY_VARIABLE = "SCHEMAVERSION_RUNNER_POLICY";

    // ---- 1. nothing changes between the handler's check and its invocation -----------------------------------------

    @Test
    void aConfigurationChangedRightAfterTheHandlersCheckNeverRuns() {
        String function = createdFunction("2");
        ObjectNode to3 = vpcModel("3").put("Id", ids.get(function));
        // Right after the GetFunction that finds the function as the handler wants it (configured for version 3),
        // someone points it at their own host without TLS, with another team's parameter as the login (and a policy
        // that allows all of it).
        lambda().afterNextReadyGetFunction(c -> c.path("Environment").path("Variables").path(RunnerConfig.CONFIG_VARIABLE)
                .asText().contains("\"target\":\"3\""), () -> {
                    redirect(function);
                    settled(function);
                });

        Outcome updated = update(to3, to3);

        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(connectionsToOtherHost.get()).as("connections to the attacker's host").isZero();
        assertThat(ssm().requests()).noneMatch(r -> r.contains(OTHER_SECRET_PARAM));
        assertThat(lambda().invocations()).isNotEmpty().allSatisfy(i -> assertThat(ranTheHandlersConfiguration(i)).isTrue());
        assertThat(history()).containsExactly("1", "2", "3");
        assertThat(updated.events()).anyMatch(e -> e.message().contains("changed after the handler checked it (PreconditionFailedException)"));
    }

    @Test
    void aConfigurationChangedWhileTheStepsEventWaitsInLambdasQueueNeverRuns() {
        String function = createdFunction("2");
        ObjectNode to3 = vpcModel("3").put("Id", ids.get(function));
        // The asynchronous step is accepted (202) and runs a little later: someone changes the function in between.
        lambda().beforeNextEventDelivery(() -> redirect(function));

        Outcome updated = update(to3, to3);

        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(connectionsToOtherHost.get()).as("connections to the attacker's host").isZero();
        assertThat(lambda().invocations()).anyMatch(i -> i.type().equals("Event"))
                .allSatisfy(i -> assertThat(ranTheHandlersConfiguration(i)).isTrue());
        assertThat(history()).containsExactly("1", "2", "3");
    }

    // ---- 2. every invocation proves it comes from the handler ----------------------------------------------------

    @Test
    void anInvokerWithoutAStepTheHandlerArmedGetsNothingDoneAndCreatesNoStepRecord() {
        String function = createdFunction("2");
        String version = lastInvocation().version();
        int logBefore = lambda().runnerLog().size();
        long future = Instant.now().plus(Duration.ofMinutes(2)).toEpochMilli();
        List<String> attempts = new ArrayList<>();
        for (String op : List.of("observe", "adopt", "repair", "clean")) {
            // As the runner spoke before, and with a step and token made up.
            attempts.add("{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"" + op + "\",\"deadline\":" + future + "}");
            attempts.add("{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"" + op + "\",\"deadline\":" + future
                    + ",\"stepId\":\"made-up-" + op + "\",\"token\":\"" + randomToken() + "\"}");
        }
        for (String qualifier : new String[] {null, version}) {
            for (String payload : attempts) {
                InvokeResponse r = attacker.invoke(b -> b.functionName(function).qualifier(qualifier)
                        .payload(SdkBytes.fromUtf8String(payload)));
                JsonNode answer = RunnerProtocol.parse(r.payload().asByteArray());
                assertThat(answer.path("ok").asBoolean()).as(payload).isFalse();
                assertThat(answer.has("observation")).as("history disclosed to " + payload).isFalse();
            }
        }
        // Steps up to the configured target, each under a new name: none runs, and none leaves a parameter.
        for (int i = 0; i < 5; i++) {
            int n = i;
            String apply = "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"apply\",\"stepId\":\"flood-" + n
                    + "\",\"target\":\"2\",\"deadline\":" + future + "}";
            String applyWithToken = apply.replace("}", ",\"token\":\"" + randomToken() + "\"}");
            for (String payload : List.of(apply, applyWithToken)) {
                attacker.invoke(b -> b.functionName(function).qualifier(version).invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String(payload)));
            }
        }
        lambda().awaitIdle();

        assertThat(ssm().names()).noneMatch(n -> n.startsWith(RunnerProtocol.STEP_PREFIX));
        List<String> log = lambda().runnerLog();
        assertThat(log.subList(logBefore, log.size())).noneMatch(l -> l.contains("outcome: ok") || l.contains("already finished"));
        assertThat(history()).containsExactly("1", "2");
        assertThat(tablesInSchema()).contains("flyway_schema_history");
    }

    @Test
    void theHandlersOwnPayloadsReplayedDoNothing() {
        Outcome created = create(vpcModel("2"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String function = onlyFunction();
        // What someone who saw the handler's requests (a destination added by hand, say) could replay, at once.
        List<Invocation> handlers = lambda().invocations();
        int before = handlers.size();
        for (Invocation i : handlers) {
            InvocationType type = i.type().equals("Event") ? InvocationType.EVENT : InvocationType.REQUEST_RESPONSE;
            InvokeResponse r = attacker.invoke(b -> b.functionName(function).qualifier(i.version()).invocationType(type)
                    .payload(SdkBytes.fromUtf8String(i.payload())));
            if (type == InvocationType.REQUEST_RESPONSE) {
                JsonNode answer = RunnerProtocol.parse(r.payload().asByteArray());
                assertThat(answer.path("ok").asBoolean()).as(i.payload()).isFalse();
                assertThat(answer.has("observation")).isFalse();
            }
        }
        lambda().awaitIdle();

        assertThat(lambda().invocations().size()).isGreaterThan(before);
        assertThat(ssm().names()).noneMatch(n -> n.startsWith(RunnerProtocol.STEP_PREFIX));
        assertThat(lambda().runnerLog().stream().filter(l -> l.contains("outcome: ok")).count())
                .as("steps that ran: the handler's one only").isEqualTo(1);
        assertThat(history()).containsExactly("1", "2");
    }

    // ---- 3. the runner applies the account policy it was configured with ---------------------------------------------

    @Test
    void theRunnerRefusesAConfigurationThatBreaksTheAccountPolicyItWasConfiguredWith() throws Exception {
        String function = createdFunction("2");
        // The configuration changed by hand, the policy the handler configured left as it was, and a step armed
        // exactly as the handler arms one: only the runner's own check stands between it and the other team's login.
        Map<String, String> variables = new HashMap<>(lambda().environment(function));
        assertThat(variables).containsKey(POLICY_VARIABLE);
        variables.put(RunnerConfig.CONFIG_VARIABLE, attackersConfig());
        attacker.updateFunctionConfiguration(b -> b.functionName(function).environment(Environment.builder().variables(variables).build()));
        settled(function);
        String version = attacker.publishVersion(b -> b.functionName(function)).version();
        String token = randomToken();
        ssm().put(RunnerProtocol.STEP_PREFIX + "/armed-1", "String", "{\"protocol\":" + RunnerProtocol.VERSION
                + ",\"armed\":\"observe\",\"digest\":\"" + sha256Hex(token) + "\"}");
        int ssmRequestsBefore = ssm().requests().size();

        InvokeResponse r = attacker.invoke(b -> b.functionName(function).qualifier(version).payload(SdkBytes.fromUtf8String(
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"observe\",\"stepId\":\"armed-1\",\"token\":\"" + token
                        + "\",\"deadline\":" + Instant.now().plus(Duration.ofMinutes(2)).toEpochMilli() + "}")));
        JsonNode answer = RunnerProtocol.parse(r.payload().asByteArray());

        assertThat(answer.path("ok").asBoolean()).isFalse();
        assertThat(answer.path("error").path("message").asText()).contains("account policy")
                .contains(OTHER_SECRET_PARAM).doesNotContain(OTHER_SECRET);
        assertThat(connectionsToOtherHost.get()).as("connections to the attacker's host").isZero();
        assertThat(ssm().requests().subList(ssmRequestsBefore, ssm().requests().size()))
                .as("SSM requests the runner made").noneMatch(q -> q.contains(OTHER_SECRET_PARAM));
    }

    @Test
    void theRunnerRefusesALoginItsConfiguredBindingsDoNotBindToTheConfiguredHost() throws Exception {
        String function = createdFunction("2");
        // The team's own login, allowed by prefix and any host, but bound by the admin to 127.0.0.1 and localhost
        // only: the configuration changed by hand sends it to another address, the policy left as it was.
        Map<String, String> variables = new HashMap<>(lambda().environment(function));
        assertThat(variables.get(POLICY_VARIABLE)).contains("\"bindings\"");
        variables.put(RunnerConfig.CONFIG_VARIABLE, "{\"host\":\"127.0.0.2\",\"port\":" + otherHost.getLocalPort()
                + ",\"database\":\"" + database + "\",\"sslMode\":\"disable\",\"usernameParameter\":\"" + USER_PARAM
                + "\",\"passwordParameter\":\"" + PASSWORD_PARAM + "\",\"schema\":\"public\",\"set\":\"orders\","
                + "\"placeholders\":{\"AppRole\":\"orders_app\"},\"lockSeconds\":10,\"statementSeconds\":40,\"target\":\"latest\"}");
        attacker.updateFunctionConfiguration(b -> b.functionName(function).environment(Environment.builder().variables(variables).build()));
        settled(function);
        String version = attacker.publishVersion(b -> b.functionName(function)).version();
        String token = randomToken();
        ssm().put(RunnerProtocol.STEP_PREFIX + "/armed-2", "String", "{\"protocol\":" + RunnerProtocol.VERSION
                + ",\"armed\":\"observe\",\"digest\":\"" + sha256Hex(token) + "\"}");
        int ssmRequestsBefore = ssm().requests().size();

        InvokeResponse r = attacker.invoke(b -> b.functionName(function).qualifier(version).payload(SdkBytes.fromUtf8String(
                "{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"observe\",\"stepId\":\"armed-2\",\"token\":\"" + token
                        + "\",\"deadline\":" + Instant.now().plus(Duration.ofMinutes(2)).toEpochMilli() + "}")));
        JsonNode answer = RunnerProtocol.parse(r.payload().asByteArray());

        assertThat(answer.path("ok").asBoolean()).isFalse();
        assertThat(answer.path("error").path("message").asText()).contains("account policy")
                .contains("not bound to Database.Host 127.0.0.2");
        assertThat(connectionsToOtherHost.get()).as("connections to the other address").isZero();
        assertThat(ssm().requests().subList(ssmRequestsBefore, ssm().requests().size()))
                .as("SSM requests the runner made").noneMatch(q -> q.contains(USER_PARAM) || q.contains(PASSWORD_PARAM));
    }

    // ---- 4. Delete with OnDelete: Clean checks what every operation checks ------------------------------------------

    @Test
    void deleteWithCleanMakesTheHostCredentialAndRoleChecksOfEveryOtherOperation() {
        ObjectNode model = vpcModel("2");
        model.put("OnDelete", "Clean");
        Outcome created = create(model);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        JsonNode idOnly = JSON.createObjectNode().put("Id", created.model().path("Id").asText());
        int invocationsBefore = lambda().invocations().size();

        // The admin no longer allows the host this resource's login goes to...
        ObjectNode hostsOnly = TestModels.testAccount();
        ((ObjectNode) hostsOnly.path("Connections")).putArray("AllowedHosts").add("db.internal.example.com");
        driver.withTypeConfiguration(hostsOnly);
        Outcome refusedHost = delete(idOnly);
        // ... nor the runner role.
        ObjectNode noRole = TestModels.testAccount();
        ((ObjectNode) noRole.path("Runner")).putArray("AllowedRoleArns").add("arn:aws:iam::123456789012:role/approved/*");
        driver.withTypeConfiguration(noRole);
        Outcome refusedRole = delete(idOnly);

        assertThat(refusedHost.errorCode()).as(refusedHost.message()).isEqualTo("InvalidRequest");
        assertThat(refusedHost.message()).contains("Connections.AllowedHosts").contains("No login was sent");
        assertThat(refusedRole.errorCode()).as(refusedRole.message()).isEqualTo("InvalidRequest");
        assertThat(refusedRole.message()).contains("Runner.AllowedRoleArns");
        assertThat(lambda().invocations()).hasSize(invocationsBefore);
        assertThat(history()).containsExactly("1", "2");
        assertThat(lambda().functionNames()).hasSize(1);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private final Map<String, String> ids = new HashMap<>();

    private String createdFunction(String target) {
        Outcome created = create(vpcModel(target));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        ids.put(functionOf(id), id);
        return functionOf(id);
    }

    private Invocation lastInvocation() {
        List<Invocation> all = lambda().invocations();
        return all.get(all.size() - 1);
    }

    /** The runner's configuration pointing at the attacker's host, without TLS, with another team's parameter. */
    private String attackersConfig() {
        return "{\"host\":\"127.0.0.1\",\"port\":" + otherHost.getLocalPort() + ",\"database\":\"" + database + "\","
                + "\"sslMode\":\"disable\",\"usernameParameter\":\"" + OTHER_SECRET_PARAM + "\",\"passwordParameter\":\""
                + PASSWORD_PARAM + "\",\"schema\":\"public\",\"set\":\"orders\",\"placeholders\":{\"AppRole\":\"orders_app\"},"
                + "\"lockSeconds\":10,\"statementSeconds\":40,\"target\":\"latest\"}";
    }

    /** Someone with lambda:UpdateFunctionConfiguration points the function elsewhere (and allows it in its policy). */
    private void redirect(String function) {
        Map<String, String> variables = new HashMap<>(lambda().environment(function));
        variables.put(RunnerConfig.CONFIG_VARIABLE, attackersConfig());
        variables.put(POLICY_VARIABLE, "{\"prefixes\":[\"/\"],\"sslModes\":[\"disable\"]}");
        attacker.updateFunctionConfiguration(b -> b.functionName(function).environment(Environment.builder().variables(variables).build()));
    }

    /** Waits, as anyone scripting against Lambda does, until an update is applied. */
    private void settled(String function) {
        while (attacker.getFunction(b -> b.functionName(function)).configuration().lastUpdateStatusAsString().equals("InProgress")) {
            Thread.onSpinWait();
        }
    }

    private boolean ranTheHandlersConfiguration(Invocation i) {
        String config = i.environment().get(RunnerConfig.CONFIG_VARIABLE);
        return config != null && !config.contains(String.valueOf(otherHost.getLocalPort())) && !config.contains(OTHER_SECRET_PARAM);
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String sha256Hex(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
