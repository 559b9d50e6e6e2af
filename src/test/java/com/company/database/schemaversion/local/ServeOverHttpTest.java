package com.company.database.schemaversion.local;

import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.runner.RunnerConfig;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestLambda;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve} answered over HTTP with the exact payloads cfn test sends (ResourceClient.make_request) and
 * its IN_PROGRESS loop (resourceProperties replaced by the returned model, callbackContext passed back,
 * same bearerToken), plus the TestEntrypoint payload.
 */
class ServeOverHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final ByteArrayOutputStream serverOut = new ByteArrayOutputStream();
    private LocalRunnerHarness h;
    private LambdaRunnerPackage runnerPackage;
    private String endpoint;
    private Thread server;
    private final List<Integer> exit = new ArrayList<>();

    @BeforeEach
    void harness() {
        h = new LocalRunnerHarness();
    }

    /** serve against the test database. */
    private void startServe() throws Exception {
        startServe("--host", "127.0.0.1", "--port", String.valueOf(TestDatabase.port()));
    }

    private void startServe(String... databaseArgs) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        endpoint = "http://127.0.0.1:" + port;
        List<String> args = new ArrayList<>(List.of("serve", "--serve-port", String.valueOf(port),
                "--home", h.home.toString(), "--parameters", h.parameters.toString(),
                "--typeconfig", h.typeConfiguration.toString()));
        args.addAll(List.of(databaseArgs));
        Options options = Options.parse(args.toArray(String[]::new));
        options.runnerPackage = runnerPackage;
        PrintStream out = new PrintStream(serverOut, true, StandardCharsets.UTF_8);
        CountDownLatch started = new CountDownLatch(1);
        server = new Thread(() -> {
            try {
                started.countDown();
                exit.add(LocalRunner.serve(options, out, LocalRunnerHarness.endpoints(), stop));
            } catch (Exception e) {
                e.printStackTrace(out);
            }
        }, "serve-under-test");
        server.start();
        started.await();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!serverOut.toString(StandardCharsets.UTF_8).contains("Lambda Invoke API on")) {
            assertThat(System.nanoTime()).as("serve did not start: " + serverOut).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @AfterEach
    void stopServe() throws Exception {
        stop.countDown();
        if (server != null) {
            server.join(10_000);
        }
    }

    @Test
    void cfnTestsCallsCreateReadListDeleteWithTheInProgressLoop() throws Exception {
        // No start window: each call applies one migration, so the loop cfn test runs is exercised.
        startServe("--host", "127.0.0.1", "--port", String.valueOf(TestDatabase.port()), "--start-window", "0");
        ObjectNode desired = properties("3");

        String token = UUID.randomUUID().toString();
        ObjectNode request = cfnTestPayload("CREATE", desired, null, token);
        JsonNode response = invoke("TypeFunction", request);
        int calls = 1;
        assertThat(response.path("status").asText()).as(response.toString()).isEqualTo("IN_PROGRESS");
        while ("IN_PROGRESS".equals(response.path("status").asText())) {
            // cfn test's assert_in_progress and assert_primary_identifier on every IN_PROGRESS event
            assertThat(response.path("errorCode").isMissingNode() || response.path("errorCode").asInt(0) == 0).isTrue();
            assertThat(response.has("resourceModels")).isFalse();
            assertThat(response.path("resourceModel").path("Id").asText()).isNotBlank();
            ((ObjectNode) request.get("requestData")).set("resourceProperties", response.get("resourceModel"));
            request.set("callbackContext", response.get("callbackContext"));
            ((ObjectNode) request.get("requestData")).set("callerCredentials", credentials());
            response = invoke("TypeFunction", request);
            calls++;
        }
        assertThat(response.path("status").asText()).as(response.toString()).isEqualTo("SUCCESS");
        assertThat(calls).isGreaterThan(1);
        JsonNode created = response.get("resourceModel");
        String id = created.path("Id").asText();
        assertThat(created.path("AppliedVersion").asText()).isEqualTo("3");
        assertThat(h.history()).containsExactly("1", "2", "3");

        JsonNode read = invoke("TypeFunction", cfnTestPayload("READ", created, null, UUID.randomUUID().toString()));
        assertThat(read.path("status").asText()).as(read.toString()).isEqualTo("SUCCESS");
        assertThat(read.path("resourceModel").path("TargetVersion").asText()).isEqualTo("3");

        List<String> listed = new ArrayList<>();
        String nextToken = null;
        do {
            ObjectNode list = cfnTestPayload("LIST", created, null, UUID.randomUUID().toString());
            if (nextToken != null) {
                list.put("nextToken", nextToken);
            }
            JsonNode page = invoke("TypeFunction", list);
            assertThat(page.path("status").asText()).as(page.toString()).isEqualTo("SUCCESS");
            assertThat(page.has("resourceModels")).isTrue();
            page.get("resourceModels").forEach(m -> listed.add(m.path("Id").asText()));
            nextToken = page.path("nextToken").asText(null);
        } while (nextToken != null);
        assertThat(listed).contains(id);

        JsonNode deleted = invoke("TypeFunction", cfnTestPayload("DELETE", created, null, UUID.randomUUID().toString()));
        assertThat(deleted.path("status").asText()).as(deleted.toString()).isEqualTo("SUCCESS");
        assertThat(deleted.has("resourceModel")).as("a delete answer carries no model").isFalse();
        JsonNode again = invoke("TypeFunction", cfnTestPayload("DELETE", created, null, UUID.randomUUID().toString()));
        assertThat(again.path("status").asText()).isEqualTo("FAILED");
        assertThat(again.path("errorCode").asText()).isEqualTo("NotFound");

        assertThat(serverOut.toString(StandardCharsets.UTF_8)).contains("TypeFunction", "CREATE", "IN_PROGRESS", "SUCCESS");
    }

    @Test
    void testEntrypointRunsTheHandlerWithTheTestPayload() throws Exception {
        startServe();
        ObjectNode payload = JSON.createObjectNode();
        payload.set("credentials", credentials());
        payload.put("action", "CREATE");
        ObjectNode request = payload.putObject("request");
        request.put("clientRequestToken", UUID.randomUUID().toString());
        request.set("desiredResourceState", properties("2"));
        request.put("logicalResourceIdentifier", "OrdersSchema");
        request.put("region", LocalRunnerHarness.REGION);
        request.put("awsAccountId", "123456789012");
        payload.putNull("callbackContext");

        JsonNode first = invoke("TestEntrypoint", payload);
        assertThat(first.path("status").asText()).as("a deploy that fits answers in one call: " + first).isEqualTo("SUCCESS");
        assertThat(first.path("resourceModel").path("AppliedVersion").asText()).isEqualTo("2");
        assertThat(h.history()).containsExactly("1", "2");
    }

    @Test
    void unknownFunctionsAndPathsAreNotFound() throws Exception {
        startServe();
        HttpResponse<String> wrongFunction = post("/2015-03-31/functions/Nope/invocations", "{}");
        assertThat(wrongFunction.statusCode()).isEqualTo(404);
        assertThat(wrongFunction.headers().firstValue("x-amzn-ErrorType")).contains("ResourceNotFoundException");
        assertThat(post("/somewhere", "{}").statusCode()).isEqualTo(404);
    }

    @Test
    void onTheEmbeddedServerTheRepositorysInputsWorkAsTheyAre() throws Exception {
        startServe("--embedded-port", "0");
        String out = serverOut.toString(StandardCharsets.UTF_8);
        java.util.regex.Matcher listening = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(out);
        assertThat(listening.find()).as(out).isTrue();
        int port = Integer.parseInt(listening.group(1));
        // What inputs/inputs_1_create.json looks like: a real RDS endpoint this machine cannot reach.
        ObjectNode desired = (ObjectNode) JSON.readTree("""
                {"Database": {"Host": "orders.cluster-abc.eu-west-1.rds.amazonaws.com", "Port": 5432,
                              "Name": "from_cfn_test", "SslMode": "verify-full"},
                 "Credentials": {"UsernameParameter": "/test/user", "PasswordParameter": "/test/password"},
                 "MigrationSet": "orders", "TargetVersion": "1", "Placeholders": {"AppRole": "orders_app"}}""");
        ObjectNode request = cfnTestPayload("CREATE", desired.deepCopy(), null, UUID.randomUUID().toString());
        JsonNode response = invoke("TypeFunction", request);
        while ("IN_PROGRESS".equals(response.path("status").asText())) {
            assertThat(response.path("resourceModel").path("Database")).isEqualTo(desired.get("Database"));
            ((ObjectNode) request.get("requestData")).set("resourceProperties", response.get("resourceModel"));
            request.set("callbackContext", response.get("callbackContext"));
            response = invoke("TypeFunction", request);
        }
        assertThat(response.path("status").asText()).as(response.toString()).isEqualTo("SUCCESS");
        JsonNode created = response.get("resourceModel");
        assertThat(created.path("AppliedVersion").asText()).isEqualTo("1");
        assertThat(created.path("Database")).as("cfn test compares input and output").isEqualTo(desired.get("Database"));

        JsonNode read = invoke("TypeFunction", cfnTestPayload("READ", created, null, UUID.randomUUID().toString()));
        assertThat(read.path("status").asText()).as(read.toString()).isEqualTo("SUCCESS");
        assertThat(read.path("resourceModel").path("Database")).isEqualTo(desired.get("Database"));

        // The migration really ran on the embedded server.
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/from_cfn_test", "postgres", "postgres");
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT to_regclass('public.customers')::text")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("customers");
        }
        assertThat(serverOut.toString(StandardCharsets.UTF_8)).contains("Created database from_cfn_test",
                "/test/user, /test/password not in");
    }

    /**
     * serve --typeconfig fills in requests that carry no type configuration (the test above); a request that
     * carries one (cfn test --typeconfig, or ~/.cfn-cli/typeConfiguration.json) keeps it, as CloudFormation
     * would deliver the account's.
     */
    @Test
    void aTypeConfigurationInTheRequestIsTheOneTheHandlersGet() throws Exception {
        startServe();
        ObjectNode request = cfnTestPayload("CREATE", properties("3"), null, UUID.randomUUID().toString());
        ObjectNode sent = ((ObjectNode) request.get("requestData")).putObject("typeConfiguration");
        sent.putObject("Connections").putArray("AllowedSslModes").add("disable");
        // cfn test names no stack: without this, the refusal would be of the request without a stack.
        sent.putObject("CloudControl").put("Changes", "ResourcesWithoutStack");

        JsonNode response = invoke("TypeFunction", request);

        assertThat(response.path("status").asText()).as(response.toString()).isEqualTo("FAILED");
        assertThat(response.path("errorCode").asText()).isEqualTo("InvalidRequest");
        assertThat(response.path("message").asText()).contains(LocalRunnerHarness.USER_PARAM)
                .contains("[/company-database-schemaversion/credentials/], the default");
        assertThat(h.history()).isEmpty();
    }

    /**
     * cfn test's second input set (inputs/inputs_2_*.json, Execution.Mode VpcRunner) under the admin's
     * configuration a user writes for it (inputs/typeconfig.json), on the embedded server: the handlers manage
     * the runner function through LocalLambda, the runner (the real RunnerEntrypoint, in this JVM) reads the login
     * from the local SSM endpoint and migrates the embedded database the redirect pointed the handler at.
     */
    @Test
    void aVpcRunnerResourceFromTheRepositorysInputsRunsItsRunnerLocally() throws Exception {
        TestLambda lambda = TestLambda.shared();
        lambda.reset();
        runnerPackage = LambdaRunnerPackage.ofZip(stubRunnerPackage());
        try {
            Files.copy(Path.of("inputs", "typeconfig.json"), h.typeConfiguration, StandardCopyOption.REPLACE_EXISTING);
            startServe("--embedded-port", "0");
            int port = embeddedPort();
            ObjectNode desired = (ObjectNode) JSON.readTree(Path.of("inputs", "inputs_2_create.json").toFile());
            String database = desired.path("Database").path("Name").asText();

            JsonNode created = untilDone(lambda, cfnTestPayload("CREATE", desired.deepCopy(), null, UUID.randomUUID().toString()));
            assertThat(created.path("status").asText()).as(created + "\nrunner: " + lambda.runnerLog()).isEqualTo("SUCCESS");
            JsonNode model = created.get("resourceModel");
            assertThat(model.path("AppliedVersion").asText()).isEqualTo("3");
            assertThat(model.path("Database")).as("cfn test compares input and output").isEqualTo(desired.get("Database"));
            assertThat(model.path("Execution")).isEqualTo(desired.get("Execution"));

            // The runner, not the handler, migrated: an asynchronous step, with the connection the handler put
            // into the function's configuration, which is the embedded server's.
            assertThat(lambda.calls()).anyMatch(c -> c.startsWith("POST Invoke ") && c.endsWith(" Event"));
            String function = lambda.functionNames().iterator().next();
            JsonNode runnerConfig = JSON.readTree(lambda.environment(function).get(RunnerConfig.CONFIG_VARIABLE));
            assertThat(runnerConfig.path("host").asText()).isEqualTo("127.0.0.1");
            assertThat(runnerConfig.path("port").asInt()).isEqualTo(port);
            assertThat(runnerConfig.path("database").asText()).isEqualTo(database);
            assertThat(runnerConfig.path("sslMode").asText()).isEqualTo("disable");
            assertThat(embeddedHistory(port, database)).containsExactly("1", "2", "3");

            ObjectNode update = (ObjectNode) JSON.readTree(Path.of("inputs", "inputs_2_update.json").toFile());
            update.put("Id", model.path("Id").asText());
            JsonNode updated = untilDone(lambda, cfnTestPayload("UPDATE", update, model, UUID.randomUUID().toString()));
            assertThat(updated.path("status").asText()).as(updated.toString()).isEqualTo("SUCCESS");
            assertThat(updated.path("resourceModel").path("AppliedVersion").asText()).isEqualTo("7");
            List<String> subnets = new ArrayList<>();
            lambda.configuration(function).path("VpcConfig").path("SubnetIds").forEach(n -> subnets.add(n.asText()));
            assertThat(subnets).containsExactlyInAnyOrder("subnet-0a1b2c3d4e5f60718", "subnet-0b1b2c3d4e5f60718");
            assertThat(embeddedHistory(port, database)).containsExactly("1", "2", "3", "4", "5", "6", "7");

            JsonNode read = untilDone(lambda, cfnTestPayload("READ", updated.get("resourceModel"), null, UUID.randomUUID().toString()));
            assertThat(read.path("status").asText()).as(read.toString()).isEqualTo("SUCCESS");
            assertThat(read.path("resourceModel").path("Database")).isEqualTo(desired.get("Database"));

            JsonNode deleted = untilDone(lambda, cfnTestPayload("DELETE", updated.get("resourceModel"), null, UUID.randomUUID().toString()));
            assertThat(deleted.path("status").asText()).as(deleted.toString()).isEqualTo("SUCCESS");
            assertThat(lambda.functionNames()).as("Delete removes the runner function").isEmpty();
        } finally {
            lambda.awaitIdle();
        }
    }

    /**
     * The admin's rules apply to the Database the template names, not to the embedded server serve redirects it
     * to: a host outside Connections.AllowedHosts, or an SslMode the admin did not allow, is refused as it would be
     * in the account (without this, the redirect's SslMode disable and the widening for the embedded server let
     * both through).
     */
    @Test
    void theAdminsConfigurationAppliesToTheDatabaseTheTemplateNames() throws Exception {
        Files.copy(Path.of("inputs", "typeconfig.json"), h.typeConfiguration, StandardCopyOption.REPLACE_EXISTING);
        startServe("--embedded-port", "0");
        int port = embeddedPort();
        ObjectNode otherHost = (ObjectNode) JSON.readTree(Path.of("inputs", "inputs_1_create.json").toFile());
        ((ObjectNode) otherHost.get("Database")).put("Host", "orders.db.example.net").put("Name", "refused_host");
        ObjectNode cleartext = (ObjectNode) JSON.readTree(Path.of("inputs", "inputs_1_create.json").toFile());
        ((ObjectNode) cleartext.get("Database")).put("SslMode", "disable").put("Name", "refused_mode");

        JsonNode host = invoke("TypeFunction", cfnTestPayload("CREATE", otherHost, null, UUID.randomUUID().toString()));
        JsonNode mode = invoke("TypeFunction", cfnTestPayload("CREATE", cleartext, null, UUID.randomUUID().toString()));

        assertThat(host.path("status").asText()).as(host.toString()).isEqualTo("FAILED");
        assertThat(host.path("errorCode").asText()).isEqualTo("InvalidRequest");
        assertThat(host.path("message").asText()).contains("Database.Host orders.db.example.net", "Connections.AllowedHosts");
        assertThat(mode.path("status").asText()).as(mode.toString()).isEqualTo("FAILED");
        assertThat(mode.path("errorCode").asText()).isEqualTo("InvalidRequest");
        assertThat(mode.path("message").asText()).contains("Database.SslMode disable", "Connections.AllowedSslModes");
        assertThat(embeddedDatabases(port)).doesNotContain("refused_host", "refused_mode");
    }

    /** The handler's next call after every IN_PROGRESS, once the runner's asynchronous steps have ended. */
    private JsonNode untilDone(TestLambda lambda, ObjectNode request) throws Exception {
        JsonNode response = invoke("TypeFunction", request);
        for (int call = 1; "IN_PROGRESS".equals(response.path("status").asText()); call++) {
            assertThat(call).as("still IN_PROGRESS: " + response + "\nserve:\n" + serverOut.toString(StandardCharsets.UTF_8)
                    + "\nLambda: " + lambda.calls() + "\nrunner: " + lambda.runnerLog()).isLessThan(20);
            lambda.awaitIdle();
            ((ObjectNode) request.get("requestData")).set("resourceProperties", response.get("resourceModel"));
            request.set("callbackContext", response.get("callbackContext"));
            response = invoke("TypeFunction", request);
        }
        return response;
    }

    private int embeddedPort() {
        String out = serverOut.toString(StandardCharsets.UTF_8);
        java.util.regex.Matcher listening = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(out);
        assertThat(listening.find()).as(out).isTrue();
        return Integer.parseInt(listening.group(1));
    }

    private static List<String> embeddedHistory(int port, String database) throws Exception {
        return embeddedQuery(port, database, "SELECT version FROM public.flyway_schema_history WHERE success"
                + " AND version IS NOT NULL ORDER BY installed_rank");
    }

    private static List<String> embeddedDatabases(int port) throws Exception {
        return embeddedQuery(port, "postgres", "SELECT datname FROM pg_database");
    }

    private static List<String> embeddedQuery(int port, String database, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", "postgres");
             java.sql.ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    /** A stand-in deployment package: LocalLambda runs the runner classes of this JVM, whatever the zip holds. */
    private static byte[] stubRunnerPackage() throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("marker.txt"));
            zip.write("serve".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    /** ResourceClient.make_request of the cloudformation-cli, protocol 2.0.0. */
    private ObjectNode cfnTestPayload(String action, JsonNode desired, JsonNode previous, String token) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode data = body.putObject("requestData");
        data.set("callerCredentials", credentials());
        data.set("resourceProperties", desired);
        if (previous == null) {
            data.putNull("previousResourceProperties");
        } else {
            data.set("previousResourceProperties", previous);
        }
        data.put("logicalResourceId", token);
        data.putNull("typeConfiguration");
        body.put("region", LocalRunnerHarness.REGION);
        body.put("awsAccountId", "123456789012");
        body.put("action", action);
        body.putNull("callbackContext");
        body.put("bearerToken", token);
        body.put("resourceType", "Company::Database::SchemaVersion");
        return body;
    }

    private static ObjectNode credentials() {
        ObjectNode c = JSON.createObjectNode();
        c.put("accessKeyId", "ASIAEXAMPLEFROMSTS");
        c.put("secretAccessKey", "sts-secret");
        c.put("sessionToken", "sts-session-token");
        return c;
    }

    private ObjectNode properties(String target) throws Exception {
        return (ObjectNode) JSON.readTree(h.propertiesFile(target).toFile());
    }

    private JsonNode invoke(String function, JsonNode payload) throws Exception {
        // cfn test sends json.dumps(payload, indent=2)
        HttpResponse<String> r = post("/2015-03-31/functions/" + function + "/invocations", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(payload));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Amz-Function-Error")).isEmpty();
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(endpoint + path))
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
