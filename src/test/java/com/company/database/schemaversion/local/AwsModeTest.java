package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * --aws: no local SSM endpoint, and the user's own credentials (the SDK's default chain) in each request's
 * callerCredentials, because the rpdk proxy signs the handlers' SSM calls with those.
 */
class AwsModeTest {
    private final java.util.Map<String, String> previousProperties = new java.util.HashMap<>();
    private final java.util.Map<String, String> previousRunnerVariables = lambda().runnerVariables();

    {
        for (String key : java.util.List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.sessionToken",
                "aws.endpointUrlSsm", "aws.endpointUrlKms", "aws.endpointUrlLambda")) {
            previousProperties.put(key, System.getProperty(key));
        }
    }

    /**
     * Puts back the user's chain this test planted. The user's profile is simulated through the SDK's own
     * system properties on purpose: the default credentials chain is what --aws reads.
     */
    @AfterEach
    void restoreCredentials() {
        previousProperties.forEach((key, value) -> {
            if (!key.startsWith("aws.endpointUrl")) {
                if (value == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, value);
                }
            }
        });
    }

    private static LocalLambda lambda() {
        return LocalRunnerHarness.endpoints().lambda();
    }

    /** No session changes what the SDK finds in this process: everything goes through the environments. */
    private void assertProcessSettingsUntouched() {
        previousProperties.forEach((key, value) -> {
            if (key.startsWith("aws.endpointUrl")) {
                assertThat(System.getProperty(key)).as(key).isEqualTo(value);
            }
        });
    }

    /** What a user's profile would put in the SDK's default chain. */
    private static void userProfileCredentials() {
        System.setProperty("aws.accessKeyId", "AKIAUSERPROFILE");
        System.setProperty("aws.secretAccessKey", "user-secret");
        System.setProperty("aws.sessionToken", "user-session");
    }

    /** A read session of the local runner with these options, its state in a folder of its own. */
    private static Session openRead(String... options) throws Exception {
        Path home = Path.of("target", "local-runner-tests", UUID.randomUUID().toString()).toAbsolutePath();
        String[] args = new String[options.length + 3];
        args[0] = "read";
        System.arraycopy(options, 0, args, 1, options.length);
        args[options.length + 1] = "--home";
        args[options.length + 2] = home.toString();
        return Session.open(Options.parse(args), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                LocalRunnerHarness.endpoints());
    }

    @Test
    void awsModePutsTheDefaultChainsCredentialsIntoTheRequestsAndLeavesTheEndpointAlone() throws Exception {
        userProfileCredentials();

        try (Session session = openRead("--aws", "--host", "db.example.internal")) {
            assertThat(session.environment().aws().endpoints().ssm()).as("the SDK's own resolution").isNull();
            assertThat(session.environment().aws().endpoints().kms()).as("the SDK's own resolution").isNull();
            assertProcessSettingsUntouched();
            ObjectNode request = session.driver(e -> { }).request("READ", null, null, null, "token", null);
            ObjectNode creds = (ObjectNode) request.path("requestData").path("callerCredentials");
            assertThat(creds.path("accessKeyId").asText()).isEqualTo("AKIAUSERPROFILE");
            assertThat(creds.path("secretAccessKey").asText()).isEqualTo("user-secret");
            assertThat(creds.path("sessionToken").asText()).isEqualTo("user-session");
            assertThat(request.path("requestData").path("logicalResourceId").asText()).isEqualTo("SchemaVersion");
        }
    }

    /**
     * VpcRunner resources run their runner in LocalLambda, in this JVM. With --aws the runner keeps the SDK's
     * default chain, the user's (it reads the real SSM as the user): the Lambda must not hand it the placeholder
     * credentials, nor an endpoint, the local mode gives the runner.
     */
    @Test
    void awsModeKeepsTheUsersCredentialsForTheInProcessRunner() throws Exception {
        userProfileCredentials();

        try (Session session = openRead("--aws", "--host", "db.example.internal")) {
            assertThat(session.environment().aws().endpoints().lambda())
                    .isEqualTo(java.net.URI.create(lambda().endpoint()));
            assertThat(lambda().runnerVariables()).isEmpty();
            assertThat(LocalRunnerHarness.endpoints().ecs().taskVariables()).as("the tasks keep the user's chain too").isEmpty();
            assertThat(System.getProperty("aws.accessKeyId")).isEqualTo("AKIAUSERPROFILE");
            assertThat(System.getProperty("aws.secretAccessKey")).isEqualTo("user-secret");
            assertThat(System.getProperty("aws.sessionToken")).isEqualTo("user-session");
            assertProcessSettingsUntouched();
        }
        assertThat(lambda().runnerVariables()).isEqualTo(previousRunnerVariables);
    }

    @Test
    void localModeGivesTheInProcessRunnerPlaceholderCredentialsOnlyWhileItRuns() throws Exception {
        userProfileCredentials();

        try (Session session = openRead("--host", "db.example.internal")) {
            assertThat(lambda().runnerVariables()).containsEntry("AWS_ACCESS_KEY_ID", LocalLambda.RUNNER_ACCESS_KEY)
                    .containsEntry("AWS_SECRET_ACCESS_KEY", LocalLambda.RUNNER_SECRET_KEY)
                    .doesNotContainKey("AWS_SESSION_TOKEN");
            assertThat(System.getProperty("aws.accessKeyId")).as("the user's chain is left alone").isEqualTo("AKIAUSERPROFILE");
        }
        assertThat(lambda().runnerVariables()).isEqualTo(previousRunnerVariables);
        assertThat(System.getProperty("aws.accessKeyId")).isEqualTo("AKIAUSERPROFILE");
        assertThat(System.getProperty("aws.secretAccessKey")).isEqualTo("user-secret");
        assertThat(System.getProperty("aws.sessionToken")).isEqualTo("user-session");
    }

    @Test
    void localModeSendsPlaceholdersAndPointsTheHandlersAndTheRunnerAtTheLocalEndpointOnlyWhileItRuns() throws Exception {
        String ssm = LocalRunnerHarness.endpoints().ssm().endpoint();
        LocalEcs ecs = LocalRunnerHarness.endpoints().ecs();
        Map<String, String> previousTaskVariables = ecs.taskVariables();
        try (Session session = openRead("--host", "db.example.internal")) {
            assertThat(session.environment().aws().endpoints().ecs()).isEqualTo(java.net.URI.create(ecs.endpoint()));
            assertThat(ecs.taskVariables()).as("a task gets what a hosted runner gets")
                    .isEqualTo(lambda().runnerVariables()).containsEntry("AWS_ENDPOINT_URL_SSM", ssm);
            assertThat(session.environment().aws().endpoints().ssm()).isEqualTo(java.net.URI.create(ssm));
            assertThat(session.environment().aws().endpoints().kms())
                    .isEqualTo(java.net.URI.create(LocalRunnerHarness.endpoints().kms().endpoint()));
            assertThat(lambda().runnerVariables()).containsEntry("AWS_ENDPOINT_URL_SSM", ssm);
            assertProcessSettingsUntouched();
            ObjectNode request = session.driver(e -> { }).request("READ", null, null, null, "token", null);
            assertThat(request.path("requestData").path("callerCredentials").path("accessKeyId").asText())
                    .isEqualTo("AKIDLOCALRUNNER");
        }
        assertThat(lambda().runnerVariables()).isEqualTo(previousRunnerVariables);
        assertThat(ecs.taskVariables()).isEqualTo(previousTaskVariables);
    }
}
