package com.company.database.schemaversion.local;

import com.company.database.schemaversion.core.Claimant;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.runner.RunnerImage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The local runner: plays CloudFormation against the real handlers on this machine, with an embedded (or
 * any) PostgreSQL and a local SSM endpoint, and serves the Lambda Invoke API for cfn test. See
 * guides/local-runner.md.
 */
public final class LocalRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalRunner() {
    }

    public static void main(String[] args) {
        // The local SSM endpoint and the invoke server are the JDK's HttpServer. Without TCP_NODELAY it holds
        // each response body until the client ACKs the headers, and the client delays that ACK, so every call
        // waits for it (guides/performance.md). The property is read when the first server is made.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        LocalEndpoints endpoints;
        try {
            endpoints = LocalEndpoints.start();
        } catch (IOException e) {
            System.err.println("error: could not start the local SSM, KMS, Lambda and ECS endpoints: " + e.getMessage());
            System.exit(1);
            return;
        }
        int code = run(args, System.out, System.err, endpoints);
        if (code != 0 || !Set.of("serve", "serve-registry").contains(args.length > 0 ? args[0] : "")) {
            System.exit(code);
        }
    }

    /**
     * Runs one command against the process's local endpoints; returns the process exit code (0 done, 1 the
     * operation failed, 2 bad usage).
     */
    public static int run(String[] args, PrintStream out, PrintStream err, LocalEndpoints endpoints) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.UsageException e) {
            if (!e.help) {
                err.println("error: " + e.getMessage());
            }
            err.print(Options.USAGE);
            return e.help ? 0 : 2;
        }
        try {
            return switch (options.command) {
                case "plan" -> plan(options, out, endpoints);
                case "create", "update", "read", "delete" -> operate(options, out, endpoints);
                case "list" -> list(options, out, endpoints);
                case "serve" -> serve(options, out, endpoints, null);
                case "lifecycle", "demo" -> Lifecycle.run(options, out, endpoints);
                case "release" -> Release.release(options, out, err);
                case "versions" -> Release.versions(options, out, err);
                case "serve-registry" -> serveRegistry(options, out, null);
                case "runner-image" -> runnerImage(options, out);
                case "help" -> {
                    out.print(Options.USAGE);
                    yield 0;
                }
                default -> throw new Options.UsageException("Unknown command " + options.command + ".");
            };
        } catch (Options.UsageException e) {
            err.println("error: " + e.getMessage());
            err.print(Options.USAGE);
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (Planner.Refused e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }

    /**
     * Writes the task runner's image (an OCI layout, and its one layer as app-layer.tar.gz) from the project's
     * handler artifact: what the admin pushes, on a JRE base, for Execution.Mode TaskRunner. No Docker needed.
     */
    private static int runnerImage(Options o, PrintStream out) throws IOException {
        if (o.positional.size() != 1) {
            throw new Options.UsageException("runner-image needs one directory to write the image layout to.");
        }
        String fromLauncher = System.getProperty("schemaversion.root");
        Path project = o.project != null ? o.project : Path.of(fromLauncher != null ? fromLauncher : ".");
        Path jar = HandlerPackage.of(project).jar;
        RunnerImage image = RunnerImage.of(LambdaRunnerPackage.of(jar));
        Path dir = Path.of(o.positional.get(0));
        image.writeLayout(dir);
        image.writeAppLayer(dir.resolve(RunnerImage.APP_LAYER_FILE));
        out.println("from " + jar);
        image.describe(dir, out);
        out.println("Push it on a JRE base named by digest, e.g.:");
        out.println("  crane append -b amazoncorretto@sha256:<digest of a Corretto 17 headless image> -f "
                + dir.resolve(RunnerImage.APP_LAYER_FILE) + " -t <account>.dkr.ecr.<region>.amazonaws.com/<repo>:" + image.refName());
        out.println("then name the digest crane prints in the type configuration (the handler's task definition sets"
                + " the entry point). The runner checks code id "
                + image.codeId() + " itself, whatever base it runs on.");
        return 0;
    }

    static ObjectNode properties(Options o) throws IOException {
        if (o.template != null) {
            return TemplateReader.properties(o.template, o.resource, o.params);
        }
        if (o.propertiesFile != null) {
            JsonNode node = JSON.readTree(Files.readString(o.propertiesFile));
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(o.propertiesFile + " must hold the resource's Properties as one JSON object.");
            }
            return (ObjectNode) node;
        }
        return Session.sampleProperties();
    }

    private static int plan(Options o, PrintStream out, LocalEndpoints endpoints) throws Exception {
        try (Session session = Session.open(o, out, endpoints)) {
            ObjectNode model = session.prepare(properties(o));
            Planner.print(Planner.plan(model, session), model, session, out);
            return 0;
        }
    }

    private static int operate(Options o, PrintStream out, LocalEndpoints endpoints) throws Exception {
        String action = o.command.toUpperCase(Locale.ROOT);
        String logicalId = o.logicalId();
        try (Session session = Session.open(o, out, endpoints)) {
            StackState stack = StackState.load(session.home);
            ObjectNode desired = session.prepare(properties(o));
            String id = o.id != null ? o.id : stack.id(logicalId);
            JsonNode previous = null;
            ObjectNode request = desired;
            switch (action) {
                case "UPDATE" -> {
                    if (id != null) {
                        desired.put("Id", id);
                    }
                    previous = stack.properties(logicalId);
                }
                case "READ" -> request = JSON.createObjectNode().put("Id", id != null ? id : derivedId(desired));
                case "DELETE" -> {
                    JsonNode known = stack.properties(logicalId);
                    request = known != null ? known.deepCopy() : desired;
                    request.put("Id", id != null ? id : derivedId(desired));
                }
                default -> { }
            }
            out.println();
            out.println(action + " " + logicalId + " (" + CloudFormationDriver.TYPE_NAME + ") on "
                    + where(desired) + (action.equals("CREATE") || action.equals("UPDATE")
                    ? ", TargetVersion " + desired.path("TargetVersion").asText("latest") : "") + ":");
            EventPrinter printer = new EventPrinter(out, logicalId);
            String[] physicalId = new String[1];
            CloudFormationDriver.Outcome outcome = session.driver(printer::event)
                    .withResponseListener(r -> {
                        if (r.path("resourceModel").hasNonNull("Id")) {
                            physicalId[0] = r.path("resourceModel").get("Id").asText();
                        }
                    })
                    .run(action, request, previous);
            out.println();
            if ("SUCCESS".equals(outcome.status())) {
                switch (action) {
                    case "CREATE", "UPDATE" -> stack.remember(logicalId, outcome.model().path("Id").asText(),
                            withoutReadOnly(outcome.model()));
                    case "DELETE" -> stack.forget(logicalId);
                    default -> { }
                }
                out.println(action + " " + logicalId + ": done in " + outcome.calls() + " call(s).");
                printer.model(outcome.model());
                return 0;
            }
            out.println(action + " " + logicalId + " FAILED (" + outcome.errorCode() + "): " + outcome.message());
            if ("CREATE".equals(action) && o.rollback) {
                if (physicalId[0] != null) {
                    rollBackFailedCreate(session, logicalId, request, physicalId[0], out);
                } else {
                    out.println("ROLLBACK complete: the failed Create named no resource, so there is nothing to delete.");
                }
            }
            return 1;
        }
    }

    /** As a stack rollback does: a resource whose Create failed after it got an Id is deleted. */
    private static void rollBackFailedCreate(Session session, String logicalId, JsonNode request, String id,
                                             PrintStream out) {
        out.println();
        out.println("ROLLBACK: the Create failed after the resource got its Id " + id
                + ", so CloudFormation deletes it (keep it with --no-rollback):");
        ObjectNode model = request.deepCopy();
        model.put("Id", id);
        CloudFormationDriver.Outcome deleted = session.driver(new EventPrinter(out, logicalId)::event).run("DELETE", model, null);
        out.println();
        // A failed Create releases its claim, so the Delete finds nothing: CloudFormation takes NotFound as deleted.
        boolean gone = "SUCCESS".equals(deleted.status()) || "NotFound".equals(deleted.errorCode());
        out.println("ROLLBACK " + (gone ? "complete." : "failed: " + deleted.message()));
    }

    private static int list(Options o, PrintStream out, LocalEndpoints endpoints) throws Exception {
        try (Session session = Session.open(o, out, endpoints)) {
            CloudFormationDriver.Outcome outcome = session.driver(new EventPrinter(out, "(list)")::event)
                    .run("LIST", JSON.createObjectNode(), null, o.nextToken);
            if (!"SUCCESS".equals(outcome.status())) {
                out.println("LIST FAILED (" + outcome.errorCode() + "): " + outcome.message());
                return 1;
            }
            JsonNode models = outcome.response().path("resourceModels");
            out.println();
            out.println(models.size() + " resource(s):");
            for (JsonNode m : models) {
                out.printf("  %-40s  %-36s  TargetVersion %s%n", m.path("Id").asText(), where(m),
                        m.path("TargetVersion").asText("latest"));
            }
            if (outcome.response().hasNonNull("nextToken")) {
                out.println("More: list --next-token " + outcome.response().get("nextToken").asText());
            }
            return 0;
        }
    }

    /** Serves until the JVM ends (Ctrl-C), or until {@code stop} counts down (tests). */
    static int serve(Options o, PrintStream out, LocalEndpoints endpoints, CountDownLatch stop) throws Exception {
        Session session = Session.open(o, out, endpoints);
        try {
            InvokeServer server = new InvokeServer(o.servePort, out,
                    o.verbose ? line -> out.println("    handler: " + line.stripTrailing()) : line -> { });
            server.environment(session.environment());
            server.lambda(endpoints.lambda());
            server.beforeInvoke(session::prepareForRequest);
            server.runnerImage(session::withLocalRunnerImage);
            server.typeConfiguration(session.typeConfiguration());
            server.adminTypeConfiguration(session.adminTypeConfiguration());
            if (session.embedded() != null) {
                if (o.redirect) {
                    server.redirect(new DatabaseRedirect(session.embedded().port()));
                    out.println("Every request's Database goes to the embedded server (127.0.0.1:" + session.embedded().port()
                            + ", same database name) and comes back in the answer as the request had it"
                            + " (--no-redirect to turn this off).");
                }
                out.println("A missing database is created on the first request; credential parameters missing from "
                        + session.parametersFile() + " get the embedded login.");
            }
            out.println(InvokeServer.describe(server.endpoint()));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                session.close();
            }));
            if (stop != null) {
                stop.await();
                server.close();
                session.close();
            }
            return 0;
        } catch (Exception e) {
            session.close();
            throw e;
        }
    }

    /** A local registry and S3 endpoint to try release and versions against; until Ctrl-C, or {@code stop}. */
    static int serveRegistry(Options o, PrintStream out, CountDownLatch stop) throws Exception {
        int port = o.servePort == Options.DEFAULT_SERVE_PORT ? Options.DEFAULT_REGISTRY_PORT : o.servePort;
        RegistryEndpoint registry = new RegistryEndpoint(o.region, o.maxVersions, port);
        String bucket = o.bucket != null ? o.bucket : "schemaversion-releases";
        registry.createBucket(bucket);
        out.println("CloudFormation registry (RegisterType, DescribeTypeRegistration, ListTypeVersions,"
                + " SetTypeDefaultVersion, DeregisterType) and S3 PutObject on " + registry.endpoint() + ", region "
                + o.region + ", at most " + o.maxVersions + " live versions per type; bucket " + bucket
                + ". State is in memory: it ends with the server.");
        out.println("Try: ./schemaversion release --region " + o.region + " --endpoint-url " + registry.endpoint()
                + " --s3-endpoint-url " + registry.endpoint() + " --bucket " + bucket
                + " --execution-role-arn arn:aws:iam::" + RegistryEndpoint.ACCOUNT + ":role/schemaversion-execution"
                + " --log-role-arn arn:aws:iam::" + RegistryEndpoint.ACCOUNT + ":role/schemaversion-logging --poll-seconds 1");
        Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
        if (stop != null) {
            stop.await();
            registry.close();
        }
        return 0;
    }

    static String where(JsonNode model) {
        JsonNode db = model.path("Database");
        return db.path("Host").asText("?") + ":" + db.path("Port").asInt(5432) + "/" + db.path("Name").asText("?");
    }

    static ObjectNode withoutReadOnly(JsonNode model) {
        ObjectNode copy = model.deepCopy();
        for (String name : EventPrinter.readOnlyProperties()) {
            if (!"Id".equals(name)) {
                copy.remove(name);
            }
        }
        return copy;
    }

    /**
     * The Id the type gives a resource: database.schema.first 12 hex of sha256(host:port/database/schema).
     * Used only when the stack state does not know the resource (a fresh --home).
     */
    static String derivedId(JsonNode model) {
        JsonNode db = model.path("Database");
        String schema = model.path("Schema").asText("public");
        return Claimant.resourceIdOf(db.path("Host").asText(), db.path("Port").asInt(5432), db.path("Name").asText(),
                schema);
    }

}
