package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.hardening.TestCertificates;
import com.company.database.schemaversion.runner.ConfiguredPolicy;
import com.company.database.schemaversion.runner.RunnerProtocol;
import com.company.database.schemaversion.testing.SsmEmulator;
import com.company.database.schemaversion.testing.TestArtifacts;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After 'package': the runner package the handler builds at run time from its own code is what Lambda would run.
 * The handler artifact is extracted the way Lambda extracts it (to a directory, its /var/task), the handler's
 * LambdaRunnerPackage is loaded from there in a class loader of its own and builds the package; that package,
 * loaded alone in its own class loader (nothing from the test class path), must answer the protocol, trust the
 * baked CA bundle and really migrate the embedded PostgreSQL with the credentials it reads from SSM.
 */
class RunnerPackageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PACKAGE_CLASS = "com.company.database.schemaversion.runner.LambdaRunnerPackage";
    private static final String EXTRA_CA_ENTRY = "certs/extra-ca.pem";
    private static SsmEmulator ssm;
    private static Path handlerJar;
    private static Path runnerZip;
    private static String codeIdFromDirectory;
    private static URLClassLoader isolated;
    private static Path task;

    @BeforeAll
    static void buildRunnerPackageAsTheHandlerDoesInLambda() throws Exception {
        handlerJar = TestArtifacts.handlerJar();
        Path work = Files.createDirectories(Path.of("target", "runner-it"));
        task = extract(handlerJar, work.resolve("task"));
        try (URLClassLoader handler = new URLClassLoader(new URL[] {task.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Object runnerPackage = handler.loadClass(PACKAGE_CLASS).getMethod("ofOwnCode").invoke(null);
            codeIdFromDirectory = (String) runnerPackage.getClass().getMethod("codeId").invoke(runnerPackage);
            runnerZip = Files.write(work.resolve("schemaversion-runner.zip"),
                    (byte[]) runnerPackage.getClass().getMethod("zip").invoke(runnerPackage));
        }
        System.out.println("Runner package: " + Files.size(runnerZip) + " bytes (Lambda's direct upload limit: 50 MB zipped)");
        isolated = new URLClassLoader(new URL[] {runnerZip.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        ssm = new SsmEmulator();
    }

    @AfterAll
    static void close() throws IOException {
        isolated.close();
        ssm.close();
    }

    /** Lambda's view of the artifact: its files in a directory. */
    private static Path extract(Path jar, Path into) throws IOException {
        if (Files.exists(into)) {
            try (Stream<Path> old = Files.walk(into)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                Path target = into.resolve(entry.getName()).normalize();
                assertThat(target.startsWith(into)).as(entry.getName()).isTrue();
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, target);
                    }
                }
            }
        }
        return into;
    }

    @Test
    void packageHoldsTheRunnerAndNothingOfTheHandler() throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(runnerZip))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        assertThat(Files.size(runnerZip)).isLessThan(50L * 1024 * 1024);
        assertThat(names).contains("com/company/database/schemaversion/runner/RunnerEntrypoint.class",
                "com/company/database/schemaversion/engine/FlywayEngine.class",
                "db/migration/orders/V1__create_customers.sql", "org/postgresql/Driver.class",
                "certs/rds-ca-bundle.pem",
                "META-INF/services/org.flywaydb.core.extensibility.Plugin",
                "META-INF/services/java.sql.Driver",
                "META-INF/services/software.amazon.awssdk.http.SdkHttpService");
        assertThat(names).noneMatch(n -> n.startsWith("software/amazon/cloudformation/"))
                .noneMatch(n -> n.startsWith("software/amazon/awssdk/services/lambda/"))
                .noneMatch(n -> n.startsWith("software/amazon/awssdk/services/cloudwatch"))
                .noneMatch(n -> n.startsWith("com/company/database/schemaversion/aws/"))
                // Of the handler's own package only the account policy's rules, which the runner applies too.
                .noneMatch(n -> n.matches("com/company/database/schemaversion/[^/]+\\.class")
                        && !n.equals("com/company/database/schemaversion/policy/AccountPolicy.class"))
                .noneMatch(n -> n.startsWith("io/zonky/"))
                .noneMatch(n -> n.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"));
        assertThat(names).as("sorted, each once").isSorted().doesNotHaveDuplicates();
    }

    @Test
    void everyServiceProviderThePackageNamesIsInThePackage() throws IOException {
        try (ZipFile zip = new ZipFile(runnerZip.toFile())) {
            List<String> services = Collections.list(zip.entries()).stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("META-INF/services/") && !n.endsWith("/")).toList();
            assertThat(services).isNotEmpty();
            for (String service : services) {
                String providers = new String(zip.getInputStream(zip.getEntry(service)).readAllBytes(), StandardCharsets.UTF_8);
                assertThat(providers.lines().toList()).as(service).isNotEmpty().allSatisfy(provider ->
                        assertThat(zip.getEntry(provider.replace('.', '/') + ".class")).as(service + ": " + provider).isNotNull());
            }
        }
    }

    @Test
    void theJarAndTheDirectoryLambdaExtractsItToGiveTheSameCodeIdAndTheSameBytes() throws Exception {
        try (URLClassLoader fromJar = new URLClassLoader(new URL[] {handlerJar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Object runnerPackage = fromJar.loadClass(PACKAGE_CLASS).getMethod("ofOwnCode").invoke(null);
            assertThat(runnerPackage.getClass().getMethod("codeId").invoke(runnerPackage)).isEqualTo(codeIdFromDirectory);
            assertThat((byte[]) runnerPackage.getClass().getMethod("zip").invoke(runnerPackage))
                    .as("a deterministic package: Lambda's CodeSha256 depends on nothing but the code")
                    .isEqualTo(Files.readAllBytes(runnerZip));
        }
    }

    @Test
    void theRunnerTrustsTheBakedCaBundleForVerifyFull() throws Exception {
        // The default SslMode verify-full builds pgjdbc's socket factory from certs/rds-ca-bundle.pem on the class path.
        Class<?> factory = Class.forName("com.company.database.schemaversion.engine.BundledCaSocketFactory", true, isolated);
        assertThat(factory.getDeclaredConstructor(Properties.class).newInstance(new Properties())).isNotNull();
        Method count = factory.getDeclaredMethod("bakedCertificateCount");
        count.setAccessible(true);
        assertThat((int) count.invoke(null)).isGreaterThan(10);
        assertThat(isolated.getResource("certs/rds-ca-bundle.pem").toString()).isEqualTo("jar:" + runnerZip.toUri().toURL() + "!/certs/rds-ca-bundle.pem");
    }

    @Test
    void isolatedRunnerAnswersPingObserveAndApplyAgainstARealDatabase() throws Exception {
        String database = TestDatabase.newDatabase();
        ssm.put("/it/user", "String", TestDatabase.USER);
        ssm.put("/it/password", "SecureString", TestDatabase.PASSWORD);

        Map<String, String> environment = environment(database);
        JsonNode ping = invoke(environment, JSON.createObjectNode().put("protocol", RunnerProtocol.VERSION).put("op", "ping"));
        assertThat(ping.path("ok").asBoolean()).as(ping.toString()).isTrue();
        assertThat(ping.path("sets").toString()).contains("orders");

        JsonNode observed = invoke(environment, request("observe"));
        assertThat(observed.path("ok").asBoolean()).as(observed.toString()).isTrue();
        assertThat(observed.path("observation").path("pending")).hasSize(7);

        ObjectNode apply = request("apply").put("target", "3");
        JsonNode applied = invoke(environment, apply);
        assertThat(applied.path("ok").asBoolean()).as(applied.toString()).isTrue();
        assertThat(ssm.get(RunnerProtocol.stepParameter(apply.path("stepId").asText())).value()).contains("\"ok\":true");
        assertThat(invoke(environment, request("observe")).path("observation").path("appliedVersion").asText()).isEqualTo("3");

        JsonNode wrongProtocol = invoke(environment, request("observe").put("protocol", 1));
        assertThat(wrongProtocol.path("error").path("reason").asText()).isEqualTo("RUNNER_FAILED");
        JsonNode noConfiguration = invoke(Map.of("AWS_REGION", "us-east-1"), request("observe"));
        assertThat(noConfiguration.path("error").path("message").asText()).contains("SCHEMAVERSION_RUNNER_CONFIG");
        // The account policy's rules, loaded from the package alone: a configuration outside it reads nothing.
        Map<String, String> outsidePolicy = new java.util.HashMap<>(environment);
        outsidePolicy.put(ConfiguredPolicy.POLICY_VARIABLE, "{\"prefixes\":[\"/other-team/\"],\"sslModes\":[\"disable\"],"
                + "\"bindings\":[{\"parameters\":[\"/other-team/\"],\"hosts\":[\"127.0.0.1\"]}]}");
        JsonNode refused = invoke(outsidePolicy, request("observe"));
        assertThat(refused.path("error").path("message").asText()).contains("account policy").contains("/it/user");
        // The login bindings too: the same prefixes, but the login bound to another server.
        Map<String, String> boundElsewhere = new java.util.HashMap<>(environment);
        boundElsewhere.put(ConfiguredPolicy.POLICY_VARIABLE, "{\"prefixes\":[\"/it/\"],\"sslModes\":[\"disable\"],"
                + "\"bindings\":[{\"parameters\":[\"/it/\"],\"hosts\":[\"db.other-team.example.com\"]}]}");
        assertThat(invoke(boundElsewhere, request("observe")).path("error").path("message").asText())
                .contains("account policy").contains("/it/user is not bound to Database.Host 127.0.0.1");
        JsonNode unarmed = invoke(environment, request("observe").put("stepId", "not-armed"));
        assertThat(unarmed.path("error").path("message").asText()).contains("no step the handler armed");
    }

    @Test
    void theAdminsExtraCaCertificatesInThePackageAreWhatTheRunnerTrustsBesideTheBakedBundle() throws Exception {
        TestCertificates ca = TestCertificates.create("runner-it");
        String pem = Files.readString(ca.caPem);
        Path withCa;
        List<String> plainNames;
        try (URLClassLoader handler = new URLClassLoader(new URL[] {task.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Object plain = handler.loadClass(PACKAGE_CLASS).getMethod("ofOwnCode").invoke(null);
            Object runnerPackage = plain.getClass().getMethod("withExtraCa", String.class).invoke(plain, pem);
            withCa = Files.write(Path.of("target", "runner-it", "schemaversion-runner-extra-ca.zip"),
                    (byte[]) runnerPackage.getClass().getMethod("zip").invoke(runnerPackage));
        }
        try (ZipFile plainZip = new ZipFile(runnerZip.toFile()); ZipFile zip = new ZipFile(withCa.toFile())) {
            plainNames = Collections.list(plainZip.entries()).stream().map(ZipEntry::getName).toList();
            assertThat(plainNames).doesNotContain(EXTRA_CA_ENTRY);
            List<String> expected = new ArrayList<>(plainNames);
            expected.add(EXTRA_CA_ENTRY);
            assertThat(Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList())
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(new String(zip.getInputStream(zip.getEntry(EXTRA_CA_ENTRY)).readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(pem);
        }
        File base = new File("target/embedded-pg-tls-it/" + ProcessHandle.current().pid());
        try (EmbeddedPostgres tls = ca.startServer(base);
             URLClassLoader runnerWithCa = new URLClassLoader(new URL[] {withCa.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            ssm.put("/it/user", "String", TestDatabase.USER);
            ssm.put("/it/password", "SecureString", TestDatabase.PASSWORD);
            ObjectNode c = config("postgres").put("port", tls.getPort()).put("sslMode", "verify-full");
            Map<String, String> environment = Map.of("SCHEMAVERSION_RUNNER_CONFIG", c.toString(), "AWS_REGION", "us-east-1",
                    ConfiguredPolicy.POLICY_VARIABLE, POLICY);

            // As Lambda runs it: the package's files on the class path, the entry read from there.
            JsonNode reached = invoke(runnerWithCa, environment, request("observe"));
            assertThat(reached.path("ok").asBoolean()).as(reached.toString()).isTrue();
            JsonNode refused = invoke(isolated, environment, request("observe"));
            assertThat(refused.path("error").path("message").asText()).contains("not signed by a CA in the RDS CA bundle");
        }
    }

    /** What the handler puts in the function's environment (RunnerConfig), and what Lambda adds. */
    private static Map<String, String> environment(String database) {
        return Map.of("SCHEMAVERSION_RUNNER_CONFIG", config(database).toString(), "AWS_REGION", "us-east-1",
                ConfiguredPolicy.POLICY_VARIABLE, POLICY);
    }

    /** The account policy the handler configures the runner with (ConfiguredPolicy). */
    private static final String POLICY = "{\"prefixes\":[\"/it/\"],\"sslModes\":[\"disable\",\"verify-full\"],"
            + "\"bindings\":[{\"parameters\":[\"/it/\"],\"hosts\":[\"127.0.0.1\",\"localhost\"]}]}";

    private static ObjectNode config(String database) {
        ObjectNode c = JSON.createObjectNode().put("host", "127.0.0.1").put("port", TestDatabase.port())
                .put("database", database).put("sslMode", "disable").put("usernameParameter", "/it/user")
                .put("passwordParameter", "/it/password").put("schema", "public").put("set", "orders")
                .put("lockSeconds", 10).put("statementSeconds", 40).put("target", "latest");
        c.putObject("placeholders").put("AppRole", "orders_app");
        return c;
    }

    /** A request as the handler sends it: with a step it armed in SSM and that step's token. */
    private static ObjectNode request(String op) {
        String stepId = java.util.UUID.randomUUID().toString();
        String token = RunnerProtocol.newToken();
        ssm.put(RunnerProtocol.stepParameter(stepId), "String",
                RunnerProtocol.armed(RunnerProtocol.Op.valueOf(op.toUpperCase()), RunnerProtocol.digest(token)).toString());
        return JSON.createObjectNode().put("protocol", RunnerProtocol.VERSION).put("op", op).put("stepId", stepId)
                .put("token", token).put("deadline", System.currentTimeMillis() + 120_000);
    }

    /** Calls the packaged entrypoint as the Java runtime would: by its class name, with a Context of its own loader. */
    private static JsonNode invoke(Map<String, String> environment, JsonNode payload) throws Exception {
        return invoke(isolated, environment, payload);
    }

    private static JsonNode invoke(URLClassLoader isolated, Map<String, String> environment, JsonNode payload) throws Exception {
        Class<?> handler = Class.forName("com.company.database.schemaversion.runner.RunnerEntrypoint", true, isolated);
        Class<?> contextType = Class.forName("com.amazonaws.services.lambda.runtime.Context", true, isolated);
        long deadline = System.currentTimeMillis() + 900_000;
        Object context = Proxy.newProxyInstance(isolated, new Class<?>[] {contextType}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "getRemainingTimeInMillis" -> (int) (deadline - System.currentTimeMillis());
                    case "getMemoryLimitInMB" -> 1024;
                    case "toString" -> "runner-it-context";
                    default -> null;
                });
        Method handle = handler.getMethod("handleRequest", InputStream.class, OutputStream.class, contextType);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // The runner's host constructor: the function's environment instead of this JVM's, with what Lambda's
        // runtime adds (the role's credentials) and the SSM endpoint in the SDK's own variable.
        Map<String, String> function = new java.util.HashMap<>(environment);
        function.put("AWS_ENDPOINT_URL_SSM", ssm.endpoint());
        function.put("AWS_ACCESS_KEY_ID", "ASIARUNNERIT");
        function.put("AWS_SECRET_ACCESS_KEY", "runner-it-secret");
        Object runner = handler.getDeclaredConstructor(Map.class, java.time.Clock.class)
                .newInstance(function, java.time.Clock.systemUTC());
        handle.invoke(runner,
                new ByteArrayInputStream(JSON.writeValueAsBytes(payload)), out, context);
        return JSON.readTree(out.toByteArray());
    }
}
