package com.company.database.schemaversion.local;

import com.company.database.schemaversion.HandlerEntrypoint;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.HandlerWrapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Plays CloudFormation against the real handler wrapper: sends the JSON request a resource provider gets
 * (the same shape cfn test sends), passes the returned model and CallbackContext back while the answer is
 * IN_PROGRESS, optionally sleeps callbackDelaySeconds, and fails any call that overruns CloudFormation's
 * limit (60 s for Create/Update/Delete, 30 s for Read/List).
 */
public final class CloudFormationDriver {
    public static final String TYPE_NAME = "Company::Database::SchemaVersion";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HandlerEnvironment environment = HandlerEnvironment.lambda();
    private HandlerWrapper wrapper = new HandlerEntrypoint(environment);
    private final String region;
    private final String account;
    private final boolean honourDelays;
    private final int maxCalls;
    private final Consumer<Event> events;
    private final Consumer<String> handlerLog;
    private final Clock clock = Clock.systemUTC();
    private Supplier<ObjectNode> callerCredentials = CloudFormationDriver::placeholderCredentials;
    private String logicalResourceId = "SchemaVersion";
    private String stackId;
    private boolean rollingBack;
    private Consumer<JsonNode> responses = r -> { };
    private JsonNode typeConfiguration;

    /** One handler answer as CloudFormation would show it. */
    public record Event(Instant time, String action, int call, String status, String errorCode, String message,
                        int callbackDelaySeconds, long millis) {
    }

    /** The end of one operation: the last answer and every event on the way. */
    public record Outcome(JsonNode response, List<Event> events, int calls) {
        public String status() {
            return response.path("status").asText();
        }

        public String errorCode() {
            return response.path("errorCode").asText(null);
        }

        public String message() {
            return response.path("message").asText("");
        }

        public JsonNode model() {
            return response.get("resourceModel");
        }
    }

    public CloudFormationDriver(String region, String account, boolean honourDelays, int maxCalls,
                                Consumer<Event> events, Consumer<String> handlerLog) {
        this.region = region;
        this.account = account;
        this.honourDelays = honourDelays;
        this.maxCalls = maxCalls;
        this.events = events;
        this.handlerLog = handlerLog;
        this.stackId = "arn:aws:cloudformation:" + region + ":" + account + ":stack/schemaversion-local/local";
    }

    public static CloudFormationDriver quiet() {
        return new CloudFormationDriver("us-east-1", "123456789012", false, 10_000, e -> { }, l -> { });
    }

    /**
     * Credentials put into each request's callerCredentials (asked again for every call, as cfn test does).
     * The rpdk proxy signs the handler's AWS calls with them, so against real AWS they must be real.
     */
    public CloudFormationDriver withCallerCredentials(Supplier<ObjectNode> credentials) {
        this.callerCredentials = credentials;
        return this;
    }

    /** The template's logical id of the resource, sent as logicalResourceId. */
    public CloudFormationDriver withLogicalResourceId(String logicalId) {
        this.logicalResourceId = logicalId;
        return this;
    }

    /**
     * The account admin's type configuration (the JSON of aws cloudformation set-type-configuration), sent as
     * requestData.typeConfiguration in every request as CloudFormation does; null (the default) sends none, and
     * the handlers apply their safe defaults.
     */
    public CloudFormationDriver withTypeConfiguration(JsonNode configuration) {
        this.typeConfiguration = configuration == null || configuration.isNull() ? null : configuration.deepCopy();
        return this;
    }

    public JsonNode typeConfiguration() {
        return typeConfiguration;
    }

    /**
     * Where the handlers run: Lambda's environment (the default, new for each driver) or any other (a migration
     * folder, a clock, call windows, endpoints); either drives the entrypoint Lambda runs, with its handlers built
     * for that environment.
     */
    public CloudFormationDriver withEnvironment(HandlerEnvironment environment) {
        this.environment = environment;
        this.wrapper = new HandlerEntrypoint(environment);
        return this;
    }

    public HandlerEnvironment environment() {
        return environment;
    }

    /** Sees every raw answer of the wrapper, e.g. to show progress from the returned model. */
    public CloudFormationDriver withResponseListener(Consumer<JsonNode> listener) {
        this.responses = listener;
        return this;
    }

    /** The stack the resource belongs to, sent as stackId; null plays Cloud Control, which names no stack. */
    public CloudFormationDriver withStackId(String stackId) {
        this.stackId = stackId;
        return this;
    }

    public String stackId() {
        return stackId;
    }

    /** Whether the next requests are a stack rollback's: CloudFormation then sends rollback: true. */
    public CloudFormationDriver rollingBack(boolean rollingBack) {
        this.rollingBack = rollingBack;
        return this;
    }

    public String logicalResourceId() {
        return logicalResourceId;
    }

    public static ObjectNode credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        ObjectNode creds = JSON.createObjectNode();
        creds.put("accessKeyId", accessKeyId);
        creds.put("secretAccessKey", secretAccessKey);
        if (sessionToken != null) {
            creds.put("sessionToken", sessionToken);
        }
        return creds;
    }

    private static ObjectNode placeholderCredentials() {
        return credentials("AKIDLOCALDRIVER", "local-driver-secret", "local-driver-session");
    }

    public static Duration limitFor(String action) {
        return "READ".equals(action) || "LIST".equals(action) ? Duration.ofSeconds(30) : Duration.ofSeconds(60);
    }

    /** Runs one operation to its end: SUCCESS or FAILED, following IN_PROGRESS. */
    public Outcome run(String action, JsonNode desired, JsonNode previous) {
        return run(action, desired, previous, null);
    }

    public Outcome run(String action, JsonNode desired, JsonNode previous, String nextToken) {
        return run(action, desired, previous, nextToken, UUID.randomUUID().toString());
    }

    /**
     * Runs one operation with a given bearer token (CloudFormation's clientRequestToken): the same token
     * is what a retried request carries.
     */
    public Outcome run(String action, JsonNode desired, JsonNode previous, String nextToken, String token) {
        JsonNode model = desired;
        JsonNode context = null;
        List<Event> seen = new ArrayList<>();
        for (int call = 1; ; call++) {
            ObjectNode request = request(action, model, previous, context, token, nextToken);
            long start = System.nanoTime();
            JsonNode response = invoke(request);
            long millis = (System.nanoTime() - start) / 1_000_000;
            Event event = new Event(clock.instant(), action, call, response.path("status").asText(),
                    response.path("errorCode").asText(null), response.path("message").asText(""),
                    response.path("callbackDelaySeconds").asInt(0), millis);
            seen.add(event);
            responses.accept(response);
            events.accept(event);
            if (Duration.ofMillis(millis).compareTo(limitFor(action)) > 0) {
                throw new IllegalStateException(action + " call " + call + " took " + millis + " ms, over CloudFormation's "
                        + limitFor(action).toSeconds() + " s limit");
            }
            if (!"IN_PROGRESS".equals(event.status())) {
                return new Outcome(response, seen, call);
            }
            if (call >= maxCalls) {
                throw new IllegalStateException(action + " still IN_PROGRESS after " + call + " calls");
            }
            if (response.hasNonNull("resourceModel")) {
                model = response.get("resourceModel");
            }
            context = response.get("callbackContext");
            sleep(event.callbackDelaySeconds());
        }
    }

    /** One call of the wrapper with a ready request, as Lambda would make it. */
    public JsonNode invoke(JsonNode request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            wrapper.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(request)), out,
                    new LocalContext("TypeFunction",
                            System.currentTimeMillis() + limitFor(request.path("action").asText()).toMillis(), handlerLog));
            return JSON.readTree(out.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ObjectNode request(String action, JsonNode model, JsonNode previous, JsonNode context, String token,
                              String nextToken) {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode data = req.putObject("requestData");
        data.set("callerCredentials", callerCredentials.get());
        data.set("resourceProperties", model == null ? NullNode.getInstance() : model);
        data.set("previousResourceProperties", previous == null ? NullNode.getInstance() : previous);
        data.put("logicalResourceId", logicalResourceId);
        if (typeConfiguration == null) {
            data.putNull("typeConfiguration");
        } else {
            data.set("typeConfiguration", typeConfiguration.deepCopy());
        }
        req.put("region", region);
        req.put("awsAccountId", account);
        req.put("action", action);
        req.set("callbackContext", context == null ? NullNode.getInstance() : context);
        req.put("bearerToken", token);
        req.put("resourceType", TYPE_NAME);
        if (stackId != null) {
            req.put("stackId", stackId);
        }
        if (rollingBack) {
            req.put("rollback", true);
        }
        if (nextToken != null) {
            req.put("nextToken", nextToken);
        }
        return req;
    }

    private void sleep(int seconds) {
        if (honourDelays && seconds > 0) {
            try {
                Thread.sleep(seconds * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
