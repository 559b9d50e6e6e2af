package com.company.database.schemaversion.local;

import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.engine.MigrationSource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

import java.io.IOException;
import java.net.URI;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * Everything one run of the local runner sets up around the real handlers, and takes down again: the
 * embedded PostgreSQL (unless a real server is given), the local SSM endpoint with the credential
 * parameters and a local KMS without keys (unless --aws), and the migration-folder override. The endpoints are the
 * process's ({@link LocalEndpoints}), handed in: they outlive the session; the handlers get them in their
 * environment and the runners the Lambda hosts in theirs, so nothing of the process (no system property) changes.
 */
final class Session implements AutoCloseable {
    static final String LOCAL_USERNAME_PARAMETER = "/schemaversion/local/username";
    static final String LOCAL_PASSWORD_PARAMETER = "/schemaversion/local/password";
    static final String RECORD_PREFIX = "/company-database-schemaversion/resources/";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    final Options options;
    final PrintStream out;
    final Path home;
    private final LocalEndpoints endpoints;
    final Map<String, String> parameters = new LinkedHashMap<>();
    private LocalDatabase embedded;
    private JsonNode typeConfiguration;
    private JsonNode adminTypeConfiguration;
    private String previousLambdaRegion;
    /** The variables the Lambda gave the runners it hosts before this session, put back on close. */
    private Map<String, String> previousRunnerVariables;
    private String previousEcsRegion;
    private Map<String, String> previousTaskVariables;
    /** The local ECS's image of the runner code the handlers expect, once a TaskRunner request needed it. */
    private String runnerImage;
    private HandlerEnvironment environment = HandlerEnvironment.lambda();

    private Session(Options options, PrintStream out, LocalEndpoints endpoints) {
        this.options = options;
        this.out = out;
        this.endpoints = endpoints;
        this.home = options.home.toAbsolutePath().normalize();
    }

    static Session open(Options options, PrintStream out, LocalEndpoints endpoints) throws IOException {
        Session s = new Session(options, out, endpoints);
        try {
            s.start();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void start() throws IOException {
        Files.createDirectories(home);
        if (options.reset) {
            LocalDatabase.deleteFiles(home);
            Files.deleteIfExists(ssmStateFile());
            Files.deleteIfExists(StackState.file(home));
            out.println("Reset: removed the embedded server's files, the local resource records and the stack state in " + home + ".");
        }
        if (options.embedded()) {
            out.println("Starting the embedded PostgreSQL (data in " + home.resolve("pg") + ") ...");
            embedded = LocalDatabase.start(home, options.embeddedPort);
            out.println("Embedded PostgreSQL is listening on " + LocalDatabase.HOST + ":" + embedded.port()
                    + " (user " + LocalDatabase.USER + ").");
        }
        if (!options.aws) {
            loadParameters();
            LocalSsm ssm = endpoints.ssm();
            ssm.use(parameters, ssmStateFile());
            // The handlers look for the account's record key on every call; the local account has none.
            environment = environment.withAwsEndpoints(environment.aws().endpoints()
                    .withSsm(URI.create(ssm.endpoint())).withKms(URI.create(endpoints.kms().endpoint())));
        }
        startLambda();
        startEcs();
        typeConfiguration = loadTypeConfiguration();
        if (options.migrations != null) {
            if (!Files.isDirectory(options.migrations)) {
                throw new IllegalArgumentException("--migrations " + options.migrations + " is not a folder.");
            }
            environment = environment.withMigrations(MigrationSource.directory(options.migrations.toAbsolutePath()));
            endpoints.lambda().hostRunnersWith(environment.migrations());
            out.println("Migrations: the folder " + options.migrations.toAbsolutePath() + " replaces the baked set.");
        }
        if (options.runnerPackage != null) {
            environment = environment.withRunnerPackage(options.runnerPackage);
        }
        if (options.startWindowSeconds != null) {
            environment = environment.withCallBudget(Duration.ofSeconds(options.startWindowSeconds),
                    HandlerEnvironment.HARD_LIMIT);
        }
    }

    /**
     * Resources with Execution.Mode VpcRunner: the handlers' Lambda client goes to the in-process LocalLambda,
     * which runs the real runner code. The runner reads SSM as a function reads it with its role's credentials:
     * with the local SSM, the Lambda hands the runners it hosts the local endpoint and placeholder credentials in
     * their environment (as AWS_ENDPOINT_URL_SSM and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, what Lambda would
     * give a function; put back on close); with --aws it hands them nothing, so the runner resolves both through
     * the SDK's default chain, reads the real SSM as the user, and nothing the user configured is overridden.
     */
    private void startLambda() {
        LocalLambda lambda = endpoints.lambda();
        environment = environment.withAwsEndpoints(environment.aws().endpoints().withLambda(URI.create(lambda.endpoint())));
        previousLambdaRegion = lambda.region();
        lambda.setRegion(options.region);
        previousRunnerVariables = lambda.runnerVariables();
        lambda.hostRunnersIn(options.aws ? Map.of() : Map.of(
                "AWS_ENDPOINT_URL_SSM", endpoints.ssm().endpoint(),
                "AWS_ACCESS_KEY_ID", LocalLambda.RUNNER_ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", LocalLambda.RUNNER_SECRET_KEY));
    }

    /**
     * Resources with Execution.Mode TaskRunner: the handlers' ECS client goes to the in-process LocalEcs, which
     * runs the task's image as a local process. The tasks get what the runners the Lambda hosts get (the local SSM
     * endpoint and the runner role's placeholder credentials, or nothing with --aws), put back on close; their
     * extracted images and awslogs files go under the home's ecs folder.
     */
    private void startEcs() {
        LocalEcs ecs = endpoints.ecs();
        ecs.useWorkDir(home.resolve("ecs"));
        environment = environment.withAwsEndpoints(environment.aws().endpoints().withEcs(URI.create(ecs.endpoint())));
        previousEcsRegion = ecs.region();
        ecs.setRegion(options.region);
        previousTaskVariables = ecs.taskVariables();
        ecs.hostTasksIn(endpoints.lambda().runnerVariables());
    }

    /**
     * The type configuration the handlers get, as CloudFormation would deliver the admin's: --typeconfig FILE;
     * without it, on the embedded server with the local SSM, a stated local one (any local parameter, any
     * SslMode, hosts 127.0.0.1 and localhost only); otherwise none, so the type's safe defaults apply exactly as
     * in an account whose admin set nothing. On the embedded server the configuration is widened to what the
     * embedded server needs (SslMode disable on 127.0.0.1, which has no TLS), nothing more.
     */
    private JsonNode loadTypeConfiguration() throws IOException {
        JsonNode configured;
        String from;
        if (options.typeConfigFile != null) {
            if (!Files.exists(options.typeConfigFile)) {
                throw new IllegalArgumentException("--typeconfig " + options.typeConfigFile + " does not exist.");
            }
            configured = JSON.readTree(options.typeConfigFile.toFile());
            if (configured == null || !configured.isObject()) {
                throw new IllegalArgumentException("--typeconfig " + options.typeConfigFile + " must hold one JSON object,"
                        + " the configuration given to aws cloudformation set-type-configuration.");
            }
            from = options.typeConfigFile.toString();
            adminTypeConfiguration = configured;
        } else if (embedded != null && !options.aws) {
            configured = localEmbeddedConfiguration();
            from = "the local runner's own (no --typeconfig; embedded server and local SSM)";
        } else {
            out.println("Type configuration: none (the type's defaults: credentials under "
                    + com.company.database.schemaversion.policy.AccountPolicy.DEFAULT_CREDENTIAL_PREFIX
                    + ", SslMode verify-full only, no VpcRunner); give the admin's with --typeconfig FILE.");
            return null;
        }
        JsonNode effective = withLocalRunnerImage(embedded != null ? allowEmbeddedServer(configured) : configured);
        out.println("Type configuration (" + from + "): " + effective);
        return effective;
    }

    /**
     * The configuration with the local runner image in TaskRunner.Image when it has a TaskRunner section that names
     * no image: the local ECS runs the image of the runner code these handlers expect (written from it on first use,
     * as `./schemaversion runner-image` writes it), standing in for the one the account admin pushes and names by
     * digest. An image the configuration names is left as it is (and runs only if it is that one).
     */
    JsonNode withLocalRunnerImage(JsonNode configuration) {
        if (!(configuration instanceof ObjectNode c) || !(c.get("TaskRunner") instanceof ObjectNode t) || t.hasNonNull("Image")) {
            return configuration;
        }
        String image = localRunnerImage();
        if (image == null) {
            return configuration;
        }
        ObjectNode filled = c.deepCopy();
        ((ObjectNode) filled.get("TaskRunner")).put("Image", image);
        return filled;
    }

    /** The local image's reference, or null when the runner code cannot be packaged (no handler artifact). */
    private synchronized String localRunnerImage() {
        if (runnerImage == null) {
            try {
                com.company.database.schemaversion.runner.RunnerImage image =
                        com.company.database.schemaversion.runner.RunnerImage.of(environment.runnerPackage());
                Path layout = home.resolve("ecs").resolve("images").resolve(image.refName());
                image.writeLayout(layout);
                endpoints.ecs().imagesFrom(java.util.List.of(layout));
                runnerImage = "schemaversion.local/runner@" + image.manifestDigest();
                out.println("Runner image for TaskRunner: " + runnerImage + " (layout " + layout + ").");
            } catch (com.company.database.schemaversion.core.ReconcileException noArtifact) {
                // Once: TaskRunner resources are then refused as in an account whose admin named no image.
                runnerImage = "";
                out.println("No runner image for TaskRunner (" + noArtifact.getMessage() + "): TaskRunner resources are"
                        + " refused as in an account without TaskRunner.Image.");
            }
        }
        return runnerImage.isEmpty() ? null : runnerImage;
    }

    /**
     * What the local runner states when nobody gave one: the embedded server and the local parameters file only,
     * any runner role (the runner functions are LocalLambda's, in this JVM: no role is ever assumed), Clean,
     * Adoption and Repair on the embedded server, and changes without a stack.
     */
    static ObjectNode localEmbeddedConfiguration() {
        ObjectNode c = JSON.createObjectNode();
        c.putObject("Credentials").putArray("AllowedParameterPrefixes").add("/*")
                .add(com.company.database.schemaversion.policy.AccountPolicy.SECRETS_MANAGER_PREFIX + "*");
        ObjectNode connections = c.putObject("Connections");
        connections.putArray("AllowedHosts").add(LocalDatabase.HOST).add("localhost");
        connections.putArray("AllowedSslModes").add("disable").add("require").add("verify-ca").add("verify-full");
        c.putObject("Runner").putArray("AllowedRoleArns").add("arn:*");
        // The embedded server is a sandbox: Clean, Adoption and Repair anywhere on it, and cfn test's requests,
        // which name no stack, may create and change resources.
        ObjectNode destruction = c.putObject("Destruction");
        for (String setting : new String[] {"Clean", "CleanWhatItDidNotCreate", "Adoption", "Repair"}) {
            destruction.putArray(setting).add("*/*/*");
        }
        c.putObject("CloudControl").put("Changes", "ResourcesWithoutStack");
        return c;
    }

    /**
     * The configuration plus SslMode disable for the embedded server, which has no TLS. Every request goes to
     * 127.0.0.1 on the embedded server (prepare, DatabaseRedirect), so the hosts are narrowed to it when the
     * configuration allowed any: disable is never opened towards another host.
     */
    static ObjectNode allowEmbeddedServer(JsonNode configuration) {
        ObjectNode c = configuration == null || !configuration.isObject() ? JSON.createObjectNode() : configuration.deepCopy();
        ObjectNode connections = c.get("Connections") instanceof ObjectNode o ? o : c.putObject("Connections");
        com.fasterxml.jackson.databind.node.ArrayNode modes = connections.get("AllowedSslModes")
                instanceof com.fasterxml.jackson.databind.node.ArrayNode a ? a : connections.putArray("AllowedSslModes").add("verify-full");
        if (!modes.toString().contains("\"disable\"")) {
            modes.add("disable");
        }
        com.fasterxml.jackson.databind.node.ArrayNode hosts = connections.get("AllowedHosts")
                instanceof com.fasterxml.jackson.databind.node.ArrayNode h ? h : connections.putArray("AllowedHosts");
        if (!hosts.toString().contains("\"" + LocalDatabase.HOST + "\"")) {
            hosts.add(LocalDatabase.HOST);
        }
        // Every request reaches the embedded server under its address (DatabaseRedirect), after serve checked the
        // host it names against the admin's bindings: each binding holds for the embedded server as well.
        if (c.path("Credentials").path("Bindings") instanceof com.fasterxml.jackson.databind.node.ArrayNode bindings) {
            for (JsonNode b : bindings) {
                if (b.path("Hosts") instanceof com.fasterxml.jackson.databind.node.ArrayNode bound
                        && !bound.toString().contains("\"" + LocalDatabase.HOST + "\"")) {
                    bound.add(LocalDatabase.HOST);
                }
            }
        }
        return c;
    }

    /**
     * The account admin's configuration as given with --typeconfig, before the embedded server's widening; null
     * when the runner states its own or there is none.
     */
    JsonNode adminTypeConfiguration() {
        return adminTypeConfiguration;
    }

    /** The type configuration handed to the handlers, or null for none. */
    JsonNode typeConfiguration() {
        return typeConfiguration;
    }

    /** The account policy of this session's type configuration (the local planner applies it too). */
    com.company.database.schemaversion.policy.AccountPolicy policy() {
        try {
            return com.company.database.schemaversion.policy.AccountPolicy.of(typeConfiguration == null ? null
                    : new ObjectMapper().treeToValue(typeConfiguration, com.company.database.schemaversion.TypeConfigurationModel.class));
        } catch (IOException e) {
            throw new IllegalArgumentException("The type configuration does not fit the type's typeConfiguration: "
                    + e.getMessage(), e);
        }
    }

    Path ssmStateFile() {
        return home.resolve("ssm-records.json");
    }

    Path parametersFile() {
        return options.parametersFile != null ? options.parametersFile : home.resolve("parameters.json");
    }

    private void loadParameters() throws IOException {
        Path file = parametersFile();
        if (!Files.exists(file) && options.parametersFile == null) {
            ObjectNode defaults = JSON.createObjectNode();
            defaults.put(LOCAL_USERNAME_PARAMETER, LocalDatabase.USER);
            defaults.put(LOCAL_PASSWORD_PARAMETER, LocalDatabase.PASSWORD);
            JSON.writeValue(file.toFile(), defaults);
            out.println("Credentials: wrote " + file + " with the embedded server's login; edit it to serve other SSM parameters.");
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--parameters " + file + " does not exist.");
        }
        JsonNode all = JSON.readTree(file.toFile());
        if (all == null || !all.isObject()) {
            throw new IllegalArgumentException(file + " must hold one JSON object: {\"/ssm/parameter/name\": \"value\", ...}.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            parameters.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
        }
    }

    /**
     * The model CloudFormation would send, pointed at the chosen database: the embedded server, or the
     * --host/--port/--database/--sslmode given, or the Database properties as they are (--as-is).
     */
    ObjectNode prepare(ObjectNode properties) throws SQLException {
        ObjectNode model = properties.deepCopy();
        if (options.target != null) {
            model.put("TargetVersion", options.target);
        }
        if (!options.asIs) {
            ObjectNode db = model.has("Database") && model.get("Database").isObject()
                    ? (ObjectNode) model.get("Database") : model.putObject("Database");
            if (embedded != null) {
                db.put("Host", LocalDatabase.HOST);
                db.put("Port", embedded.port());
                db.put("SslMode", "disable");
                if (options.database != null || !db.hasNonNull("Name")) {
                    db.put("Name", options.database != null ? options.database : "orders");
                }
                if (embedded.ensureDatabase(db.get("Name").asText())) {
                    out.println("Created database " + db.get("Name").asText() + " on the embedded server.");
                }
            } else {
                db.put("Host", options.host);
                if (options.port != null) {
                    db.put("Port", options.port);
                }
                if (options.database != null) {
                    db.put("Name", options.database);
                }
                if (options.sslMode != null) {
                    db.put("SslMode", options.sslMode);
                }
            }
        }
        if (embedded != null && !options.aws) {
            serveEmbeddedLoginFor(model.path("Credentials"));
        }
        return model;
    }

    /**
     * For serve: a request aimed at the embedded server gets its database created and, when the parameters
     * file lacks them, its credential parameters answered with the embedded login, so cfn test's inputs
     * work on a fresh machine.
     */
    void prepareForRequest(JsonNode properties) {
        JsonNode db = properties.path("Database");
        if (embedded == null || db.path("Port").asInt(-1) != embedded.port()
                || !db.path("Name").asText("").matches("[a-z_][a-z0-9_]{0,62}")) {
            return;
        }
        try {
            if (embedded.ensureDatabase(db.get("Name").asText())) {
                out.println("Created database " + db.get("Name").asText() + " on the embedded server.");
            }
        } catch (SQLException e) {
            out.println("Warning: could not create database " + db.get("Name").asText() + ": " + e.getMessage());
        }
        if (!options.aws) {
            serveEmbeddedLoginFor(properties.path("Credentials"));
        }
    }

    /** Credential parameters the template names but the parameters file lacks get the embedded server's login. */
    private synchronized void serveEmbeddedLoginFor(JsonNode credentials) {
        Map<String, String> added = new LinkedHashMap<>();
        String user = credentials.path("UsernameParameter").asText(null);
        String password = credentials.path("PasswordParameter").asText(null);
        String secret = credentials.path("SecretParameter").asText(null);
        if (user != null && !parameters.containsKey(user)) {
            added.put(user, LocalDatabase.USER);
        }
        if (password != null && !parameters.containsKey(password)) {
            added.put(password, LocalDatabase.PASSWORD);
        }
        if (secret != null && !parameters.containsKey(secret)) {
            added.put(secret, "{\"username\":\"" + LocalDatabase.USER + "\",\"password\":\"" + LocalDatabase.PASSWORD + "\"}");
        }
        if (!added.isEmpty()) {
            parameters.putAll(added);
            endpoints.ssm().use(parameters, ssmStateFile());
            out.println("Credentials: " + String.join(", ", added.keySet()) + " not in " + parametersFile()
                    + ": serving the embedded server's login for them.");
        }
    }

    /** The ready-made model of the sample resource: the baked "orders" set, login from the local parameters. */
    static ObjectNode sampleProperties() {
        ObjectNode m = JSON.createObjectNode();
        ObjectNode db = m.putObject("Database");
        db.put("Host", LocalDatabase.HOST);
        db.put("Name", "orders");
        db.put("SslMode", "disable");
        ObjectNode creds = m.putObject("Credentials");
        creds.put("UsernameParameter", LOCAL_USERNAME_PARAMETER);
        creds.put("PasswordParameter", LOCAL_PASSWORD_PARAMETER);
        m.put("MigrationSet", "orders");
        m.put("TargetVersion", "latest");
        m.putObject("Placeholders").put("AppRole", "orders_app");
        m.putObject("Timeouts").put("ConnectWaitMinutes", 0);
        return m;
    }

    /** The process's local endpoints this session points the handlers at. */
    LocalEndpoints endpoints() {
        return endpoints;
    }

    LocalDatabase embedded() {
        return embedded;
    }

    /** A JDBC connection to the model's database with the login the type would use (to show what changed). */
    Connection connect(JsonNode model) throws SQLException {
        JsonNode db = model.path("Database");
        String name = db.path("Name").asText();
        if (embedded != null) {
            return embedded.connect(name);
        }
        Properties props = new Properties();
        JsonNode c = model.path("Credentials");
        String user = parameters.get(c.path("UsernameParameter").asText(""));
        String password = parameters.get(c.path("PasswordParameter").asText(""));
        if (c.hasNonNull("SecretParameter") && parameters.containsKey(c.get("SecretParameter").asText())) {
            try {
                JsonNode secret = JSON.readTree(parameters.get(c.get("SecretParameter").asText()));
                user = secret.path("username").asText(null);
                password = secret.path("password").asText(null);
            } catch (IOException e) {
                throw new SQLException("the local SecretParameter value is not JSON", e);
            }
        }
        if (user == null || password == null) {
            throw new SQLException("the local parameters file has no login for this database");
        }
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("sslmode", db.path("SslMode").asText("verify-full"));
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + db.path("Host").asText() + ":"
                + db.path("Port").asInt(5432) + "/" + name, props);
    }

    /** callerCredentials of each request: the user's real ones with --aws, placeholders otherwise. */
    Supplier<ObjectNode> callerCredentials() {
        if (!options.aws) {
            return () -> CloudFormationDriver.credentials("AKIDLOCALRUNNER", "local-runner-secret", "local-runner-session");
        }
        DefaultCredentialsProvider provider = DefaultCredentialsProvider.builder().build();
        return () -> {
            AwsCredentials c = provider.resolveCredentials();
            return CloudFormationDriver.credentials(c.accessKeyId(), c.secretAccessKey(),
                    c instanceof AwsSessionCredentials s ? s.sessionToken() : null);
        };
    }

    CloudFormationDriver driver(java.util.function.Consumer<CloudFormationDriver.Event> events) {
        return new CloudFormationDriver(options.region, "123456789012", options.honourDelays, 10_000, events,
                options.verbose ? line -> out.println("    handler: " + line.stripTrailing()) : line -> { })
                .withCallerCredentials(callerCredentials())
                .withLogicalResourceId(options.logicalId())
                .withTypeConfiguration(typeConfiguration)
                .withEnvironment(environment);
    }

    /** The handlers' environment: Lambda's, with the --migrations folder in place of the baked sets if given. */
    HandlerEnvironment environment() {
        return environment;
    }

    @Override
    public void close() {
        environment.engines().clear();
        if (previousLambdaRegion != null) {
            endpoints.lambda().awaitIdle();
            endpoints.lambda().setRegion(previousLambdaRegion);
            endpoints.lambda().hostRunnersWith(null);
            endpoints.lambda().hostRunnersIn(previousRunnerVariables);
        }
        if (previousEcsRegion != null) {
            endpoints.ecs().setRegion(previousEcsRegion);
            endpoints.ecs().hostTasksIn(previousTaskVariables);
        }
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                out.println("Warning: the embedded PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }
    }
}
