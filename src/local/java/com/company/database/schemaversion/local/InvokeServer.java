package com.company.database.schemaversion.local;

import com.company.database.schemaversion.HandlerEntrypoint;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.HandlerWrapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Invoke API of the two functions in the project's SAM template, on 127.0.0.1, so that
 * {@code cfn test} and {@code cfn invoke} (which call POST /2015-03-31/functions/NAME/invocations with the
 * boto3 Lambda client) reach the real handler wrapper without Docker or SAM:
 * TypeFunction runs HandlerEntrypoint.handleRequest (the full wrapper protocol), TestEntrypoint runs
 * HandlerWrapper.testEntrypoint (the ResourceHandlerTestPayload). Calls are answered one at a time, as one
 * warm Lambda container would.
 */
public final class InvokeServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH = Pattern.compile("^/2015-03-31/functions/([^/]+)/invocations$");

    private final HttpServer server;
    private volatile HandlerWrapper wrapper = new HandlerEntrypoint();
    private final PrintStream out;
    private final Consumer<String> handlerLog;
    private volatile Consumer<JsonNode> beforeInvoke = request -> { };
    /** Fills in the local runner image where a type configuration's TaskRunner section names none (Session). */
    private volatile java.util.function.UnaryOperator<JsonNode> runnerImage = c -> c;
    private volatile DatabaseRedirect redirect;
    private volatile JsonNode typeConfiguration;
    private volatile JsonNode adminTypeConfiguration;
    private volatile LocalLambda lambda;

    public InvokeServer(int port, PrintStream out, Consumer<String> handlerLog) throws IOException {
        this.out = out;
        this.handlerLog = handlerLog;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lambda-invoke");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** The handlers' environment (Lambda's unless, e.g., a migration folder replaces the baked sets). */
    public void environment(HandlerEnvironment environment) {
        this.wrapper = new HandlerEntrypoint(environment);
    }

    /** The Lambda that hosts the runner functions of VpcRunner resources: they run in each request's region. */
    public void lambda(LocalLambda lambda) {
        this.lambda = lambda;
    }

    /** Sees each request's resource properties before the handler runs (the runner prepares the embedded database). */
    public void runnerImage(java.util.function.UnaryOperator<JsonNode> fill) {
        this.runnerImage = fill;
    }

    public void beforeInvoke(Consumer<JsonNode> hook) {
        this.beforeInvoke = hook;
    }

    /**
     * The type configuration for requests that carry none (cfn test sends ~/.cfn-cli/typeConfiguration.json or
     * its --typeconfig file when there is one; CloudFormation always sends the account's).
     */
    void typeConfiguration(JsonNode configuration) {
        this.typeConfiguration = configuration;
    }

    /**
     * The admin's configuration as given (--typeconfig), before the embedded server's widening: what the redirect
     * checks a request's Database against when the request carries no configuration of its own.
     */
    void adminTypeConfiguration(JsonNode configuration) {
        this.adminTypeConfiguration = configuration;
    }

    void redirect(DatabaseRedirect redirect) {
        this.redirect = redirect;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher m = PATH.matcher(exchange.getRequestURI().getPath());
            if (!"POST".equals(exchange.getRequestMethod()) || !m.matches()) {
                error(exchange, 404, "ResourceNotFoundException", "Only POST /2015-03-31/functions/{TypeFunction|TestEntrypoint}/invocations is served here.");
                return;
            }
            String function = m.group(1);
            byte[] body = exchange.getRequestBody().readAllBytes();
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (IOException e) {
                error(exchange, 400, "InvalidRequestContentException", "Could not parse request body into json: " + e.getMessage());
                return;
            }
            String action = request == null ? "?" : request.path("action").asText("?");
            ByteArrayOutputStream result = new ByteArrayOutputStream();
            long start = System.nanoTime();
            try {
                boolean test = "TestEntrypoint".equals(function);
                JsonNode holder = test ? request.path("request") : request.path("requestData");
                JsonNode properties = holder.path(test ? "desiredResourceState" : "resourceProperties");
                // A runner function runs in the region of the handler call that created it (its SSM client is
                // that region's); calls are answered one at a time, so the request's region is the one in use.
                String region = (test ? holder : request).path("region").asText("");
                if (!region.isBlank()) {
                    if (lambda != null) {
                        lambda.setRegion(region);
                    }
                }
                JsonNode configurationHolder = test ? request : holder;
                JsonNode sent = configurationHolder.get("typeConfiguration");
                sent = sent == null || sent.isNull() ? null : sent;
                // The admin's rules apply to the Database the template names, not to the embedded server it is
                // redirected to: one they refuse is not redirected, and the handler refuses it as in the account.
                JsonNode admin = sent != null ? sent : adminTypeConfiguration;
                String refusal = redirect == null || admin == null ? null : connectionRefusal(admin, properties);
                boolean redirected = redirect != null && refusal == null;
                if (redirected) {
                    redirect.inbound(properties);
                    redirect.inbound(holder.path(test ? "previousResourceState" : "previousResourceProperties"));
                } else if (refusal != null) {
                    synchronized (out) {
                        out.println("  (not redirected to the embedded server: " + refusal + ")");
                    }
                }
                if (properties.isObject()) {
                    beforeInvoke.accept(properties);
                }
                if (configurationHolder instanceof ObjectNode h) {
                    if (sent == null && typeConfiguration != null) {
                        h.set("typeConfiguration", runnerImage.apply((redirected || adminTypeConfiguration == null
                                ? typeConfiguration : adminTypeConfiguration).deepCopy()));
                    } else if (sent != null && redirected) {
                        // The request goes to the embedded server, which has no TLS (DatabaseRedirect).
                        h.set("typeConfiguration", runnerImage.apply(Session.allowEmbeddedServer(sent)));
                    } else if (sent != null) {
                        h.set("typeConfiguration", runnerImage.apply(sent));
                    }
                }
                body = JSON.writeValueAsBytes(request);
                LocalContext context = new LocalContext(function,
                        System.currentTimeMillis() + CloudFormationDriver.limitFor(action).toMillis(), handlerLog);
                switch (function) {
                    case "TypeFunction" -> wrapper.handleRequest(new ByteArrayInputStream(body), result, context);
                    case "TestEntrypoint" -> wrapper.testEntrypoint(new ByteArrayInputStream(body), result, context);
                    default -> {
                        error(exchange, 404, "ResourceNotFoundException", "Function not found: " + function
                                + " (this server has TypeFunction and TestEntrypoint)");
                        return;
                    }
                }
            } catch (RuntimeException e) {
                ObjectNode failure = JSON.createObjectNode();
                failure.put("errorMessage", String.valueOf(e.getMessage()));
                failure.put("errorType", e.getClass().getName());
                exchange.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
                respond(exchange, 200, JSON.writeValueAsBytes(failure));
                return;
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            byte[] answer = result.toByteArray();
            if (redirect != null) {
                answer = restoreDatabases(answer);
            }
            log(function, action, answer, millis);
            respond(exchange, 200, answer);
        }
    }

    /** Why the configuration refuses the properties' Database.Host and SslMode, or null when it allows them. */
    static String connectionRefusal(JsonNode configuration, JsonNode properties) {
        JsonNode db = properties.path("Database");
        if (!db.isObject() || !db.hasNonNull("Host")) {
            return null;
        }
        try {
            com.company.database.schemaversion.policy.AccountPolicy policy = com.company.database.schemaversion.policy.AccountPolicy.of(
                    JSON.treeToValue(configuration, com.company.database.schemaversion.TypeConfigurationModel.class));
            String sslMode = db.hasNonNull("SslMode") ? db.get("SslMode").asText() : null;
            policy.checkConnection(db.get("Host").asText(), sslMode);
            JsonNode c = properties.path("Credentials");
            policy.checkLoginBinding(c.path("UsernameParameter").asText(null), c.path("PasswordParameter").asText(null),
                    c.path("SecretParameter").asText(null), c.path("IamUsername").asText(null), db.get("Host").asText(),
                    db.path("Name").asText(null), sslMode);
            return null;
        } catch (com.company.database.schemaversion.core.ReconcileException e) {
            return e.getMessage();
        } catch (IOException | IllegalArgumentException e) {
            return "the type configuration does not fit the type's typeConfiguration: " + e.getMessage();
        }
    }

    private byte[] restoreDatabases(byte[] answer) {
        try {
            JsonNode r = JSON.readTree(answer);
            redirect.outbound(r.path("resourceModel"));
            r.path("resourceModels").forEach(redirect::outbound);
            return JSON.writeValueAsBytes(r);
        } catch (IOException e) {
            return answer;
        }
    }

    private void log(String function, String action, byte[] answer, long millis) {
        String status = "?";
        String message = "";
        try {
            JsonNode r = JSON.readTree(answer);
            status = r.path("status").asText("?");
            message = (r.hasNonNull("errorCode") ? "(" + r.get("errorCode").asText() + ") " : "") + r.path("message").asText("");
        } catch (IOException ignored) {
            // the raw answer goes back to the caller either way
        }
        synchronized (out) {
            out.printf("  %s  %-14s  %-6s  %-11s  %5.1fs  %s%n", Instant.now().toString().substring(11, 23), function,
                    action, status, millis / 1000.0, message);
        }
    }

    private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("Type", "User");
        body.put("message", message);
        ex.getResponseHeaders().set("x-amzn-ErrorType", type);
        respond(ex, status, JSON.writeValueAsBytes(body));
    }

    private static void respond(HttpExchange ex, int status, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static String describe(String endpoint) {
        return "Lambda Invoke API on " + endpoint + ":\n"
                + "  POST " + endpoint + "/2015-03-31/functions/TypeFunction/invocations     HandlerWrapper.handleRequest (cfn test, cfn invoke)\n"
                + "  POST " + endpoint + "/2015-03-31/functions/TestEntrypoint/invocations   HandlerWrapper.testEntrypoint\n"
                + "Try: cfn test --endpoint " + endpoint + "      (Ctrl-C stops the server)";
    }
}
