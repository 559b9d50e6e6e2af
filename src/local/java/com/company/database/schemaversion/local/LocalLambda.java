package com.company.database.schemaversion.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.company.database.schemaversion.core.Digests;
import com.company.database.schemaversion.core.Regions;
import com.company.database.schemaversion.engine.MigrationSource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for exactly the Lambda calls the type makes (CreateFunction, GetFunction, UpdateFunctionCode,
 * UpdateFunctionConfiguration, PublishVersion, ListVersionsByFunction, Invoke sync / Event / DryRun, DeleteFunction,
 * Get/PutFunctionEventInvokeConfig; GetFunction, Invoke, DeleteFunction and the event invoke config also per published
 * version, with Qualifier), speaking Lambda's REST JSON protocol
 * on 127.0.0.1 so the real SDK client talks to it. It keeps Lambda's state machine (Pending -> Active after a
 * configurable number of GetFunction polls, LastUpdateStatus InProgress -> Successful, Deleting -> gone) and
 * REALLY runs the runner: each invocation loads the function's handler class by its handler string and calls it
 * in-process with the payload and the function's environment (what Lambda's runtime gives the process), against
 * the database that environment names. Asynchronous invocations answer 202 and run on a background thread, as
 * Lambda's event queue does, honouring the function's event invoke config (events older than its maximum event
 * age are dropped; a function error is retried MaximumRetryAttempts times, 2 by default). The faults the real
 * service produces, and what a host sees of the calls, are the {@link LambdaHooks} it is built with.
 *
 * <p>The local runner's {@link LocalEndpoints} holds one, so that resources with Execution.Mode VpcRunner run
 * locally as well (the runner then reads the local SSM endpoint and connects where the handler configured it); the
 * tests build theirs with their faults (testing/TestLambda). The handler artifact leaves this package out (pom:
 * shade filters).
 */
public final class LocalLambda implements AutoCloseable {
    /**
     * Reads requests as large as Lambda takes (a CreateFunction's base64 ZipFile may come close to its 69,905,067
     * byte request limit), not only Jackson's default 20 MB strings.
     */
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxStringLength(70_000_000).build())
            .build());
    private static final Pattern FUNCTION_PATH = Pattern.compile("^/2015-03-31/functions/([^/]+)(/code|/configuration|/invocations|/versions)?/?$");
    private static final Pattern EVENT_INVOKE_CONFIG_PATH = Pattern.compile("^/2019-09-25/functions/([^/]+)/event-invoke-config/?$");
    private static final int DEFAULT_RETRIES = 2;
    private static final int DEFAULT_EVENT_AGE = 21600;

    private final HttpServer server;
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-lambda-async");
        t.setDaemon(true);
        return t;
    });
    private final List<Future<?>> running = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, LambdaFunction> functions = new TreeMap<>();
    private final LambdaHooks hooks;
    private volatile MigrationSource runnerMigrations;
    private volatile Map<String, String> runnerVariables = Map.of();
    private final Map<String, Optional<byte[]>> packageFiles = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile String region = DEFAULT_REGION;
    private static final String DEFAULT_REGION = Regions.FALLBACK;

    /** A Lambda that behaves well: no faults, nothing reported. */
    public LocalLambda() throws IOException {
        this(LambdaHooks.NONE);
    }

    /** A Lambda with the host's faults and observers, fixed for its life. */
    public LocalLambda(LambdaHooks hooks) throws IOException {
        this.hooks = hooks;
        server = LocalServer.start(0, this::handle, 4, "local-lambda");
    }

    /**
     * Placeholder credentials of the runner role, for hosts whose SSM endpoint is local too. The in-process runner
     * reads SSM with the SDK's default credentials chain, as a function reads its role's credentials from Lambda's
     * runtime; who provides them is the host's choice: this class sets none, so a host that uses the user's own
     * (the local runner's --aws) keeps them.
     */
    public static final String RUNNER_ACCESS_KEY = "ASIARUNNEREMULATOR";
    public static final String RUNNER_SECRET_KEY = "runner-emulator-secret";

    public String endpoint() {
        return LocalServer.endpoint(server);
    }

    // ---- knobs -------------------------------------------------------------------------------------------

    /**
     * The migration folder the runners this Lambda hosts use instead of the sets baked into their code, or null:
     * the handlers' environment replaces the baked sets for the handlers, and this does it for the runner code,
     * which here runs from the host's classes rather than from the package the handler uploaded.
     */
    public void hostRunnersWith(MigrationSource migrations) {
        this.runnerMigrations = migrations;
    }

    /**
     * Variables the runners this Lambda hosts get in their environment beside the function's own, as Lambda's
     * runtime gives a function its role's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
     * AWS_SESSION_TOKEN) and as a process would name an endpoint of its own (AWS_ENDPOINT_URL_SSM, the SDK's own
     * variable): the runner runs in the host's JVM, whose process settings are not the function's. Empty: the
     * runner resolves both through the SDK's defaults, from this process.
     */
    public void hostRunnersIn(Map<String, String> variables) {
        this.runnerVariables = Map.copyOf(variables);
    }

    /** What {@link #hostRunnersIn} set, so that a host can put it back. */
    public Map<String, String> runnerVariables() {
        return runnerVariables;
    }

    /** Forgets every function, as a fresh account would have none, once the running invocations ended. */
    public synchronized void reset() {
        awaitIdle();
        runnerMigrations = null;
        functions.clear();
        region = DEFAULT_REGION;
    }

    /**
     * The region functions created from now on run in (their AWS_REGION: the runner builds its SSM client for
     * it). The SDK keeps one client per region, so a host with its own SSM endpoint gives its own region.
     */
    public void setRegion(String region) {
        this.region = region == null || region.isBlank() ? DEFAULT_REGION : region;
    }

    public String region() {
        return region;
    }

    // ---- what a host may look at -----------------------------------------------------------------------------

    public synchronized Set<String> functionNames() {
        return new LinkedHashSet<>(functions.keySet());
    }

    public synchronized JsonNode configuration(String name) {
        LambdaFunction f = latest(name);
        return f == null ? null : f.config();
    }

    /** Waits for every asynchronous invocation to end. */
    public void awaitIdle() {
        List<Future<?>> snapshot;
        synchronized (running) {
            snapshot = new ArrayList<>(running);
        }
        for (Future<?> f : snapshot) {
            try {
                f.get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the failure was already answered or logged
            }
        }
    }

    // ---- the API -------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            route(ex);
        } catch (IOException | RuntimeException | Error e) {
            // What the service answers to a fault of its own (HTTP 500 ServiceException), and said where the
            // emulator's user reads: the JDK's server would otherwise close the connection without a word.
            System.err.println("local Lambda: " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " failed: " + e);
            e.printStackTrace();
            error(ex, 500, "ServiceException", "The local Lambda failed: " + e);
        }
    }

    private void route(HttpExchange ex) throws IOException {
        {
            String method = ex.getRequestMethod();
            String path = URLDecoder.decode(ex.getRequestURI().getPath(), StandardCharsets.UTF_8);
            byte[] body = ex.getRequestBody().readAllBytes();
            if ("POST".equals(method) && path.matches("^/2015-03-31/functions/?$")) {
                createFunction(ex, JSON.readTree(body));
                return;
            }
            String qualifier = qualifier(ex);
            Matcher e = EVENT_INVOKE_CONFIG_PATH.matcher(path);
            if (e.matches()) {
                switch (method) {
                    case "GET" -> getEventInvokeConfig(ex, e.group(1), qualifier);
                    case "PUT" -> putEventInvokeConfig(ex, e.group(1), qualifier, JSON.readTree(body));
                    default -> error(ex, 400, "InvalidRequestContentException", "Not emulated: " + method + " " + path);
                }
                return;
            }
            Matcher m = FUNCTION_PATH.matcher(path);
            if (!m.matches()) {
                error(ex, 400, "InvalidRequestContentException", "Not emulated: " + method + " " + path);
                return;
            }
            String name = m.group(1);
            String sub = m.group(2) == null ? "" : m.group(2);
            switch (method + " " + sub) {
                case "GET " -> getFunction(ex, name, qualifier);
                case "PUT /code" -> updateCode(ex, name, JSON.readTree(body));
                case "PUT /configuration" -> updateConfiguration(ex, name, JSON.readTree(body));
                case "DELETE " -> deleteFunction(ex, name, qualifier);
                case "POST /invocations" -> invoke(ex, name, qualifier, body);
                case "POST /versions" -> publishVersion(ex, name, JSON.readTree(body));
                case "GET /versions" -> listVersions(ex, name);
                default -> error(ex, 400, "InvalidRequestContentException", "Not emulated: " + method + " " + path);
            }
        }
    }

    private void createFunction(HttpExchange ex, JsonNode in) throws IOException {
        String name = in.path("FunctionName").asText();
        hooks.called("POST CreateFunction " + name);
        LambdaFunction f;
        synchronized (this) {
            if (functions.containsKey(name)) {
                error(ex, 409, "ResourceConflictException", "Function already exist: " + name);
                return;
            }
            List<String> subnets = strings(in.path("VpcConfig").path("SubnetIds"));
            List<String> groups = strings(in.path("VpcConfig").path("SecurityGroupIds"));
            for (String s : subnets) {
                if (!hooks.subnetExists(s)) {
                    error(ex, 400, "InvalidParameterValueException", "Error occurred while DescribeSubnets. EC2 Error Code:"
                            + " InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '" + s + "' does not exist");
                    return;
                }
            }
            for (String g : groups) {
                if (!hooks.securityGroupExists(g)) {
                    error(ex, 400, "InvalidParameterValueException", "Error occurred while DescribeSecurityGroups. EC2 Error"
                            + " Code: InvalidGroup.NotFound. EC2 Error Message: The security group '" + g + "' does not exist");
                    return;
                }
            }
            String role = in.path("Role").asText();
            if (!hooks.roleAssumable(role)) {
                error(ex, 400, "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.");
                return;
            }
            byte[] zip = Base64.getDecoder().decode(in.path("Code").path("ZipFile").asText());
            f = new LambdaFunction();
            f.name = name;
            f.region = region;
            f.role = role;
            f.handler = in.path("Handler").asText();
            f.runtime = in.path("Runtime").asText();
            f.timeout = in.path("Timeout").asInt(3);
            f.memory = in.path("MemorySize").asInt(128);
            f.subnets = subnets;
            f.groups = groups;
            f.environment = variables(in);
            f.codeSha256 = sha256(zip);
            f.codeSize = zip.length;
            f.code = zip;
            if (in.has("Architectures")) f.architectures = strings(in.get("Architectures"));
            if (in.has("PackageType")) f.packageType = in.get("PackageType").asText();
            if (in.has("Layers")) f.layers = strings(in.get("Layers"));
            f.logGroup = "/aws/lambda/" + name;
            f.state = "Pending";
            f.stateReason = "The function is being created.";
            f.stateReasonCode = "Creating";
            f.pollsLeft = hooks.polls(LambdaHooks.Transition.CREATE);
            functions.put(name, f);
        }
        respond(ex, 201, f.config());
    }

    /** The Qualifier query parameter (a version number, or $LATEST), or null. */
    private static String qualifier(HttpExchange ex) {
        String query = ex.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("Qualifier")) {
                String q = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                return q.isEmpty() || q.equals("$LATEST") ? null : q;
            }
        }
        return null;
    }

    /**
     * The function ($LATEST), or null, after what happened to it outside the API calls since the last look (the
     * host's hooks say): Lambda reclaimed it as idle, or someone uploaded code by hand.
     */
    private synchronized LambdaFunction latest(String name) {
        LambdaFunction f = functions.get(name);
        if (f == null) {
            return null;
        }
        if (hooks.reclaimedAsIdle(name)) {
            f.state = "Inactive";
            f.stateReasonCode = "Idle";
            f.stateReason = "The function is inactive because it has not been invoked for a while.";
            f.pollsLeft = 0;
        }
        byte[] byHand = hooks.codeReplacedByHand(name);
        if (byHand != null) {
            f.codeSha256 = sha256(byHand);
            f.codeSize = byHand.length;
            f.code = byHand;
            f.revisionId = java.util.UUID.randomUUID().toString();
        }
        return f;
    }

    /** A published version of the function, or null (no such function or version). */
    private LambdaFunction version(String name, String qualifier) {
        LambdaFunction f = functions.get(name);
        if (f == null || !qualifier.matches("^[0-9]{1,9}$")) {
            return null;
        }
        return f.versions.get(Integer.parseInt(qualifier));
    }

    private void getFunction(HttpExchange ex, String name, String qualifier) throws IOException {
        hooks.called("GET GetFunction " + name + (qualifier == null ? "" : ":" + qualifier));
        if (qualifier != null) {
            ObjectNode out = JSON.createObjectNode();
            synchronized (this) {
                LambdaFunction v = version(name, qualifier);
                if (v == null || latest(name).deleting) {
                    notFound(ex, name + ":" + qualifier);
                    return;
                }
                out.set("Configuration", v.config());
                out.putObject("Code").put("RepositoryType", "S3").put("Location", "https://example.invalid/" + name);
            }
            respond(ex, 200, out);
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        Runnable hook = null;
        synchronized (this) {
            LambdaFunction f = latest(name);
            if (f == null) {
                notFound(ex, name);
                return;
            }
            if (f.pollsLeft > 0) {
                f.pollsLeft--;
            } else {
                settle(f);
                if (f.deleting) {
                    functions.remove(name);
                    notFound(ex, name);
                    return;
                }
            }
            out.set("Configuration", f.config());
            out.putObject("Code").put("RepositoryType", "S3").put("Location", "https://example.invalid/" + name);
            if ("Active".equals(f.state) && "Successful".equals(f.lastUpdateStatus)) {
                hook = hooks.afterReadyGetFunction(out.get("Configuration"));
            }
        }
        if (hook != null) {
            // After the caller's view is taken and before it gets it: a change made right after its check.
            hook.run();
        }
        respond(ex, 200, out);
    }

    /** The transition a state takes once its polls are used up. */
    private void settle(LambdaFunction f) {
        if ("Pending".equals(f.state)) {
            String failure = hooks.activationFailure();
            if (failure != null) {
                f.state = "Failed";
                f.stateReasonCode = failure;
                f.stateReason = "Lambda was unable to configure access to your environment variables because " + failure;
            } else {
                f.state = "Active";
                f.stateReasonCode = null;
                f.stateReason = null;
            }
        }
        if ("InProgress".equals(f.lastUpdateStatus)) {
            f.lastUpdateStatus = "Successful";
        }
    }

    /** The function to update, or null once the answer (404, or 409 while an update runs) has been sent. */
    private LambdaFunction updatable(HttpExchange ex, String name) throws IOException {
        LambdaFunction f = latest(name);
        if (f == null) {
            notFound(ex, name);
            return null;
        }
        if ("InProgress".equals(f.lastUpdateStatus)) {
            error(ex, 409, "ResourceConflictException", "The operation cannot be performed at this time. An update is in progress for resource: " + name);
            return null;
        }
        return f;
    }

    private void updateCode(HttpExchange ex, String name, JsonNode in) throws IOException {
        hooks.called("PUT UpdateFunctionCode " + name);
        LambdaFunction f;
        synchronized (this) {
            f = updatable(ex, name);
            if (f == null) {
                return;
            }
            byte[] zip = Base64.getDecoder().decode(in.path("ZipFile").asText());
            f.codeSha256 = sha256(zip);
            f.codeSize = zip.length;
            f.code = zip;
            if (in.has("Architectures")) f.architectures = strings(in.get("Architectures"));
            f.revisionId = java.util.UUID.randomUUID().toString();
            f.lastUpdateStatus = "InProgress";
            f.pollsLeft = hooks.polls(LambdaHooks.Transition.UPDATE);
        }
        respond(ex, 200, f.config());
    }

    private void updateConfiguration(HttpExchange ex, String name, JsonNode in) throws IOException {
        hooks.called("PUT UpdateFunctionConfiguration " + name);
        LambdaFunction f;
        synchronized (this) {
            f = updatable(ex, name);
            if (f == null) {
                return;
            }
            if (in.has("Role")) f.role = in.get("Role").asText();
            if (in.has("Handler")) f.handler = in.get("Handler").asText();
            if (in.has("Runtime")) f.runtime = in.get("Runtime").asText();
            if (in.has("Timeout")) f.timeout = in.get("Timeout").asInt();
            if (in.has("MemorySize")) f.memory = in.get("MemorySize").asInt();
            // Lambda replaces the variables as a whole.
            if (in.has("Environment")) f.environment = variables(in);
            if (in.has("VpcConfig")) {
                f.subnets = strings(in.path("VpcConfig").path("SubnetIds"));
                f.groups = strings(in.path("VpcConfig").path("SecurityGroupIds"));
            }
            // A list replaces the whole list ([] removes every layer); an empty string reverts a key or a target.
            if (in.has("Layers")) f.layers = strings(in.get("Layers"));
            if (in.has("FileSystemConfigs")) f.fileSystemConfigs = in.get("FileSystemConfigs").isEmpty() ? null : in.get("FileSystemConfigs");
            if (in.has("KMSKeyArn")) f.kmsKeyArn = in.get("KMSKeyArn").asText().isEmpty() ? null : in.get("KMSKeyArn").asText();
            if (in.has("DeadLetterConfig")) {
                String target = in.path("DeadLetterConfig").path("TargetArn").asText("");
                f.deadLetterTarget = target.isEmpty() ? null : target;
            }
            if (in.has("TracingConfig")) f.tracingMode = in.path("TracingConfig").path("Mode").asText("PassThrough");
            if (in.has("EphemeralStorage")) f.ephemeralStorage = in.path("EphemeralStorage").path("Size").asInt(512);
            if (in.has("SnapStart")) f.snapStartApplyOn = in.path("SnapStart").path("ApplyOn").asText("None");
            if (in.has("LoggingConfig")) {
                f.logFormat = in.path("LoggingConfig").path("LogFormat").asText(f.logFormat);
                f.logGroup = in.path("LoggingConfig").path("LogGroup").asText(f.logGroup);
            }
            f.revisionId = java.util.UUID.randomUUID().toString();
            f.lastUpdateStatus = "InProgress";
            f.pollsLeft = hooks.polls(LambdaHooks.Transition.UPDATE);
        }
        respond(ex, 200, f.config());
    }

    private void getEventInvokeConfig(HttpExchange ex, String name, String qualifier) throws IOException {
        hooks.called("GET GetFunctionEventInvokeConfig " + name + (qualifier == null ? "" : ":" + qualifier));
        ObjectNode out;
        synchronized (this) {
            LambdaFunction f = qualifier == null ? latest(name) : version(name, qualifier);
            if (f == null) {
                notFound(ex, name);
                return;
            }
            if (f.eventInvokeConfig == null) {
                error(ex, 404, "ResourceNotFoundException", "The function arn:aws:lambda:us-east-1:123456789012:function:"
                        + name + " doesn't have an EventInvokeConfig");
                return;
            }
            out = f.eventInvokeConfig.deepCopy();
        }
        respond(ex, 200, out);
    }

    /** PutFunctionEventInvokeConfig replaces the whole configuration; absent fields take Lambda's defaults. */
    private void putEventInvokeConfig(HttpExchange ex, String name, String qualifier, JsonNode in) throws IOException {
        hooks.called("PUT PutFunctionEventInvokeConfig " + name + (qualifier == null ? "" : ":" + qualifier));
        ObjectNode out;
        synchronized (this) {
            LambdaFunction f = qualifier == null ? latest(name) : version(name, qualifier);
            if (f == null) {
                notFound(ex, name);
                return;
            }
            if (in.has("MaximumRetryAttempts") && (in.get("MaximumRetryAttempts").asInt() < 0 || in.get("MaximumRetryAttempts").asInt() > 2)) {
                error(ex, 400, "InvalidParameterValueException", "1 validation error detected: Value at 'maximumRetryAttempts'"
                        + " failed to satisfy constraint: Member must have value between 0 and 2");
                return;
            }
            if (in.has("MaximumEventAgeInSeconds") && (in.get("MaximumEventAgeInSeconds").asInt() < 60
                    || in.get("MaximumEventAgeInSeconds").asInt() > 21600)) {
                error(ex, 400, "InvalidParameterValueException", "1 validation error detected: Value at"
                        + " 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 21600");
                return;
            }
            out = JSON.createObjectNode();
            out.put("LastModified", System.currentTimeMillis() / 1000.0);
            out.put("FunctionArn", "arn:aws:lambda:us-east-1:123456789012:function:" + name + ":" + f.version);
            if (in.has("MaximumRetryAttempts")) out.put("MaximumRetryAttempts", in.get("MaximumRetryAttempts").asInt());
            if (in.has("MaximumEventAgeInSeconds")) out.put("MaximumEventAgeInSeconds", in.get("MaximumEventAgeInSeconds").asInt());
            if (in.has("DestinationConfig")) out.set("DestinationConfig", in.get("DestinationConfig"));
            f.eventInvokeConfig = out;
        }
        respond(ex, 200, out);
    }

    /**
     * PublishVersion as the Lambda API reference describes it: refused while the function is not Active or an update
     * is in progress (ResourceConflictException), when RevisionId is not $LATEST's (PreconditionFailedException,
     * 412) or CodeSha256 not $LATEST's (InvalidParameterValueException); when neither code nor configuration changed
     * since the last published version, that version is returned instead of a new one.
     */
    private void publishVersion(HttpExchange ex, String name, JsonNode in) throws IOException {
        hooks.called("POST PublishVersion " + name);
        LambdaFunction v;
        synchronized (this) {
            LambdaFunction f = latest(name);
            if (f == null || f.deleting) {
                notFound(ex, name);
                return;
            }
            if (!"Active".equals(f.state) || "InProgress".equals(f.lastUpdateStatus)) {
                error(ex, 409, "ResourceConflictException", "The operation cannot be performed at this time. An update is"
                        + " in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:" + name);
                return;
            }
            String revision = in.path("RevisionId").asText("");
            if (!revision.isEmpty() && !revision.equals(f.revisionId)) {
                error(ex, 412, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision"
                        + " Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
                return;
            }
            String sha = in.path("CodeSha256").asText("");
            if (!sha.isEmpty() && !sha.equals(f.codeSha256)) {
                error(ex, 400, "InvalidParameterValueException", "CodeSHA256 (" + sha + ") is different from current"
                        + " CodeSHA256 in $LATEST (" + f.codeSha256 + "). Please try again with the CodeSHA256 in $LATEST.");
                return;
            }
            Map.Entry<Integer, LambdaFunction> last = f.versions.lastEntry();
            if (last != null && last.getValue().signature().equals(f.signature())) {
                v = last.getValue();
            } else {
                f.lastVersion++;
                v = f.snapshot(f.lastVersion);
                f.versions.put(f.lastVersion, v);
            }
        }
        respond(ex, 201, v.config());
    }

    /** ListVersionsByFunction: $LATEST and every published version, in one page (the type keeps few). */
    private void listVersions(HttpExchange ex, String name) throws IOException {
        hooks.called("GET ListVersionsByFunction " + name);
        ObjectNode out = JSON.createObjectNode();
        synchronized (this) {
            LambdaFunction f = latest(name);
            if (f == null) {
                notFound(ex, name);
                return;
            }
            ArrayNode versions = out.putArray("Versions");
            versions.add(f.config());
            f.versions.values().forEach(v -> versions.add(v.config()));
        }
        respond(ex, 200, out);
    }

    private void deleteFunction(HttpExchange ex, String name, String qualifier) throws IOException {
        hooks.called("DELETE DeleteFunction " + name + (qualifier == null ? "" : ":" + qualifier));
        if (qualifier != null) {
            // One published version; DeleteFunction without a qualifier removes the function with all of them.
            synchronized (this) {
                LambdaFunction v = version(name, qualifier);
                if (v == null) {
                    notFound(ex, name + ":" + qualifier);
                    return;
                }
                latest(name).versions.remove(Integer.parseInt(qualifier));
            }
            ex.sendResponseHeaders(204, -1);
            return;
        }
        synchronized (this) {
            LambdaFunction f = latest(name);
            if (f == null || f.deleting) {
                notFound(ex, name);
                return;
            }
            f.deleting = true;
            f.state = "Deleting";
            f.pollsLeft = hooks.polls(LambdaHooks.Transition.DELETE);
        }
        ex.sendResponseHeaders(204, -1);
    }

    private void invoke(HttpExchange ex, String name, String qualifier, byte[] payload) throws IOException {
        String type = ex.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
        type = type == null ? "RequestResponse" : type;
        hooks.called("POST Invoke " + name + (qualifier == null ? "" : ":" + qualifier) + " " + type);
        hooks.invokePayload(new String(payload, StandardCharsets.UTF_8));
        LambdaFunction f;
        synchronized (this) {
            f = latest(name);
            if (f == null || f.deleting || (qualifier != null && version(name, qualifier) == null)) {
                notFound(ex, qualifier == null ? name : name + ":" + qualifier);
                return;
            }
            if (!"Active".equals(f.state)) {
                if ("Inactive".equals(f.state)) {
                    f.state = "Pending";
                    f.pollsLeft = hooks.polls(LambdaHooks.Transition.CREATE);
                }
                error(ex, 502, "ResourceNotReadyException", "The function is currently in the following state: " + f.state);
                return;
            }
        }
        int timeout = hooks.timeoutSeconds(f.timeout);
        switch (type) {
            case "DryRun" -> ex.sendResponseHeaders(204, -1);
            case "Event" -> {
                int deliveries = hooks.eventDeliveries();
                for (int i = 0; i < deliveries; i++) {
                    running.add(background.submit(() -> deliverEvent(name, qualifier, payload)));
                }
                ex.sendResponseHeaders(202, -1);
            }
            default -> syncInvoke(ex, name, qualifier, payload, timeout);
        }
    }

    /**
     * Lambda's event queue: an event older than the function's maximum event age is dropped; a function error is
     * retried up to MaximumRetryAttempts times (each retry is older by Lambda's back-off of 1, then 2 minutes).
     */
    private void deliverEvent(String name, String qualifier, byte[] payload) {
        hooks.beforeEventDelivery();
        java.time.Duration age = hooks.eventDelay();
        int retries;
        int maxAge;
        synchronized (this) {
            LambdaFunction f = qualifier == null ? latest(name) : version(name, qualifier);
            if (f == null) {
                return;
            }
            retries = f.eventInvokeConfig != null && f.eventInvokeConfig.has("MaximumRetryAttempts")
                    ? f.eventInvokeConfig.get("MaximumRetryAttempts").asInt() : DEFAULT_RETRIES;
            maxAge = f.eventInvokeConfig != null && f.eventInvokeConfig.has("MaximumEventAgeInSeconds")
                    ? f.eventInvokeConfig.get("MaximumEventAgeInSeconds").asInt() : DEFAULT_EVENT_AGE;
        }
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (age.getSeconds() > maxAge) {
                log("lambda: event dropped, older than MaximumEventAgeInSeconds " + maxAge);
                return;
            }
            try {
                if (hooks.crashEventAttempt()) {
                    record(name, qualifier, "Event", payload);
                    log("lambda: attempt " + (attempt + 1) + " ended in a function error");
                } else {
                    LambdaFunction f;
                    synchronized (this) {
                        f = latest(name);
                    }
                    if (f == null) {
                        return;
                    }
                    runHandler(name, qualifier, "Event", payload, hooks.timeoutSeconds(f.timeout), age);
                    return;
                }
            } catch (Exception crashed) {
                log("lambda: attempt " + (attempt + 1) + " crashed: " + crashed);
            }
            age = age.plus(java.time.Duration.ofMinutes(attempt + 1));
        }
    }

    private void syncInvoke(HttpExchange ex, String name, String qualifier, byte[] payload, int timeout) throws IOException {
        LambdaHooks.InvokeFault fault = hooks.syncInvokeFault();
        if (fault == LambdaHooks.InvokeFault.TIMEOUT) {
            functionError(ex, "{\"errorMessage\":\"2026-11-25T20:00:00.000Z 7f3c Task timed out after " + timeout
                    + ".00 seconds\"}");
            return;
        }
        if (fault == LambdaHooks.InvokeFault.CRASH) {
            functionError(ex, "{\"errorMessage\":\"Java heap space\",\"errorType\":\"java.lang.OutOfMemoryError\","
                    + "\"stackTrace\":[]}");
            return;
        }
        Future<byte[]> result = background.submit(() -> runHandler(name, qualifier, "RequestResponse", payload, timeout, java.time.Duration.ZERO));
        try {
            byte[] out = result.get(timeout, TimeUnit.SECONDS);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("X-Amz-Executed-Version", qualifier == null ? "$LATEST" : qualifier);
            ex.sendResponseHeaders(200, out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        } catch (TimeoutException e) {
            result.cancel(true);
            functionError(ex, "{\"errorMessage\":\"Task timed out after " + timeout + ".00 seconds\"}");
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            functionError(ex, JSON.writeValueAsString(JSON.createObjectNode()
                    .put("errorMessage", String.valueOf(cause.getMessage()))
                    .put("errorType", cause.getClass().getName())));
        }
    }

    /** What Lambda's runtime puts in every function's environment beside its own variables. */
    private static Map<String, String> reserved(LambdaFunction f) {
        return Map.of("AWS_REGION", f.region, "AWS_DEFAULT_REGION", f.region,
                "AWS_LAMBDA_FUNCTION_NAME", f.name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String.valueOf(f.memory),
                "AWS_LAMBDA_FUNCTION_VERSION", f.version);
    }

    private synchronized void record(String name, String qualifier, String type, byte[] payload) {
        LambdaFunction f = qualifier == null ? latest(name) : version(name, qualifier);
        hooks.started(new LambdaHooks.Invocation(type, new String(payload, StandardCharsets.UTF_8),
                Map.copyOf(f.environment), List.copyOf(f.layers), f.codeSha256, f.version));
    }

    /**
     * Loads the function's handler by its handler string and calls it, as the Java runtime does, with the
     * function's environment as it is now (in-process, through the constructor a host JVM uses instead of the
     * process environment) and a clock that reads {@code late} later for an event delivered late.
     */
    private byte[] runHandler(String name, String qualifier, String type, byte[] payload, int timeoutSeconds,
                              java.time.Duration late) throws Exception {
        LambdaFunction f;
        Map<String, String> environment;
        byte[] code;
        String codeSha256;
        synchronized (this) {
            f = qualifier == null ? latest(name) : version(name, qualifier);
            if (f == null) {
                throw new IllegalStateException("function " + name + (qualifier == null ? "" : ":" + qualifier) + " is gone");
            }
            environment = new TreeMap<>(f.environment);
            environment.putAll(reserved(f));
            environment.putAll(runnerVariables);
            record(name, qualifier, type, payload);
            code = f.code;
            codeSha256 = f.codeSha256;
        }
        String handler = f.handler;
        String className = handler.substring(0, handler.indexOf("::"));
        Class<?> type0 = Class.forName(className);
        Object instance;
        try {
            // This JVM's runner classes, with the files of the function's own package (the extra CA entry).
            java.util.function.Function<String, byte[]> packageFiles = file -> packageFile(code, codeSha256, file);
            instance = type0.getDeclaredConstructor(Map.class, java.time.Clock.class, MigrationSource.class,
                            java.util.function.Function.class)
                    .newInstance(environment, java.time.Clock.offset(java.time.Clock.systemUTC(), late.plus(hooks.clockOffset())),
                            runnerMigrations, packageFiles);
        } catch (NoSuchMethodException noHostConstructor) {
            instance = type0.getDeclaredConstructor().newInstance();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
        Context context = context(deadline);
        ((com.amazonaws.services.lambda.runtime.RequestStreamHandler) instance)
                .handleRequest(new ByteArrayInputStream(payload), out, context);
        context.getLogger().log("END " + out.size() + " bytes");
        return out.toByteArray();
    }

    private void log(String line) {
        hooks.runnerLogged(java.time.Instant.now() + " " + line);
    }

    private Context context(long deadline) {
        return new LocalContext("runner", deadline, line -> log(line.strip()));
    }

    // ---- shapes -------------------------------------------------------------------------------------------

    private static Map<String, String> variables(JsonNode in) {
        Map<String, String> out = new TreeMap<>();
        in.path("Environment").path("Variables").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** The function's deployment package as it is now (what GetFunction's Code.Location would download). */
    public synchronized byte[] code(String name) {
        return latest(name).code.clone();
    }

    /**
     * A file of a deployment package, by name, or null: what the runner finds on its class path when Lambda has
     * extracted the package to /var/task. Kept per package, since the local runner's packages are the real, full-size ones.
     */
    private byte[] packageFile(byte[] zip, String codeSha256, String name) {
        return packageFiles.computeIfAbsent(codeSha256 + "/" + name, k -> {
            try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new ByteArrayInputStream(zip))) {
                for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    if (e.getName().equals(name)) {
                        return Optional.of(in.readAllBytes());
                    }
                }
                return Optional.<byte[]>empty();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).map(byte[]::clone).orElse(null);
    }

    /** The numbers of the function's published versions. */
    public synchronized List<String> versions(String name) {
        return latest(name).versions.keySet().stream().map(String::valueOf).toList();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String sha256(byte[] bytes) {
        return Base64.getEncoder().encodeToString(Digests.sha256(bytes));
    }

    private static void notFound(HttpExchange ex, String name) throws IOException {
        error(ex, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:" + name);
    }

    private static void functionError(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
        ex.getResponseHeaders().set("X-Amz-Executed-Version", "$LATEST");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(JSON.createObjectNode().put("Type", "User").put("Message", message)
                .put("message", message));
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("x-amzn-ErrorType", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    private static void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        background.shutdownNow();
    }
}
