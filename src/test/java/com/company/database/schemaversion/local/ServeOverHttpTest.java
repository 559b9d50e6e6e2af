package com.company.database.schemaversion.local;

import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.testing.TestDatabase;
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
        PrintStream out = new PrintStream(serverOut, true, StandardCharsets.UTF_8);
        CountDownLatch started = new CountDownLatch(1);
        server = new Thread(() -> {
            try {
                started.countDown();
                exit.add(LocalRunner.serve(options, out, stop));
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
        HandlerEnvironment.reset();
        stop.countDown();
        if (server != null) {
            server.join(10_000);
        }
    }

    @Test
    void cfnTestsCallsCreateReadListDeleteWithTheInProgressLoop() throws Exception {
        // No start window: each call applies one migration, so the loop cfn test runs is exercised.
        HandlerEnvironment.setCallBudget(Duration.ZERO, Duration.ofSeconds(50));
        startServe();
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
        ((ObjectNode) request.get("requestData")).putObject("typeConfiguration").putObject("Connections")
                .putArray("AllowedSslModes").add("disable");

        JsonNode response = invoke("TypeFunction", request);

        assertThat(response.path("status").asText()).as(response.toString()).isEqualTo("FAILED");
        assertThat(response.path("errorCode").asText()).isEqualTo("InvalidRequest");
        assertThat(response.path("message").asText()).contains(LocalRunnerHarness.USER_PARAM)
                .contains("[/company-database-schemaversion/credentials/], the default");
        assertThat(h.history()).isEmpty();
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
