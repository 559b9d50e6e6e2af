package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * --aws: no local SSM endpoint, and the user's own credentials (the SDK's default chain) in each request's
 * callerCredentials, because the rpdk proxy signs the handlers' SSM calls with those.
 */
class AwsModeTest {
    private final String previousEndpoint = System.getProperty(Session.SSM_ENDPOINT_PROPERTY);

    private final java.util.Map<String, String> previousCredentials = new java.util.HashMap<>();

    {
        for (String key : java.util.List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.sessionToken")) {
            previousCredentials.put(key, System.getProperty(key));
        }
    }

    /** Puts back what other tests set (the Lambda emulator gives the in-process runner its credentials this way). */
    @AfterEach
    void restoreCredentials() {
        previousCredentials.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
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
            assertThat(System.getProperty(Session.SSM_ENDPOINT_PROPERTY)).isEqualTo(previousEndpoint);
            ObjectNode request = session.driver(e -> { }).request("READ", null, null, null, "token", null);
            ObjectNode creds = (ObjectNode) request.path("requestData").path("callerCredentials");
            assertThat(creds.path("accessKeyId").asText()).isEqualTo("AKIAUSERPROFILE");
            assertThat(creds.path("secretAccessKey").asText()).isEqualTo("user-secret");
            assertThat(creds.path("sessionToken").asText()).isEqualTo("user-session");
            assertThat(request.path("requestData").path("logicalResourceId").asText()).isEqualTo("SchemaVersion");
        }
    }

    /**
     * VpcRunner resources run their runner in LocalLambda, in this JVM, where it reads SSM with the SDK's default
     * chain. With --aws that chain stays the user's (the runner reads the real SSM as the user); starting LocalLambda
     * must not plant the placeholder credentials the local mode gives the runner.
     */
    @Test
    void awsModeKeepsTheUsersCredentialsForTheInProcessRunner() throws Exception {
        userProfileCredentials();

        try (Session session = openRead("--aws", "--host", "db.example.internal")) {
            assertThat(System.getProperty(Session.LAMBDA_ENDPOINT_PROPERTY)).isEqualTo(LocalRunnerHarness.endpoints().lambda().endpoint());
            assertThat(System.getProperty("aws.accessKeyId")).isEqualTo("AKIAUSERPROFILE");
            assertThat(System.getProperty("aws.secretAccessKey")).isEqualTo("user-secret");
            assertThat(System.getProperty("aws.sessionToken")).isEqualTo("user-session");
        }
    }

    @Test
    void localModeGivesTheInProcessRunnerPlaceholderCredentialsOnlyWhileItRuns() throws Exception {
        userProfileCredentials();

        try (Session session = openRead("--host", "db.example.internal")) {
            assertThat(System.getProperty("aws.accessKeyId")).isEqualTo(LocalLambda.RUNNER_ACCESS_KEY);
            assertThat(System.getProperty("aws.sessionToken")).isNull();
        }
        assertThat(System.getProperty("aws.accessKeyId")).isEqualTo("AKIAUSERPROFILE");
        assertThat(System.getProperty("aws.secretAccessKey")).isEqualTo("user-secret");
        assertThat(System.getProperty("aws.sessionToken")).isEqualTo("user-session");
    }

    @Test
    void localModeSendsPlaceholdersAndPointsTheSdkAtTheLocalEndpointOnlyWhileItRuns() throws Exception {
        try (Session session = openRead("--host", "db.example.internal")) {
            assertThat(System.getProperty(Session.SSM_ENDPOINT_PROPERTY)).isEqualTo(LocalRunnerHarness.endpoints().ssm().endpoint());
            ObjectNode request = session.driver(e -> { }).request("READ", null, null, null, "token", null);
            assertThat(request.path("requestData").path("callerCredentials").path("accessKeyId").asText())
                    .isEqualTo("AKIDLOCALRUNNER");
        }
        assertThat(System.getProperty(Session.SSM_ENDPOINT_PROPERTY)).isEqualTo(previousEndpoint);
    }
}
