package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.aws.LambdaRunnerPackage;
import com.company.database.schemaversion.testing.SsmEmulator;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After 'package': the runner package inside the handler artifact is what Lambda would run. Loaded alone in its
 * own class loader (nothing from the test class path), it must answer the protocol and really migrate the
 * embedded PostgreSQL with the credentials it reads from SSM.
 */
class RunnerPackageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SsmEmulator ssm;
    private static Path runnerZip;
    private static URLClassLoader isolated;

    @BeforeAll
    static void extractRunnerPackage() throws IOException {
        Path handlerJar;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "company-database-schemaversion-*.jar")) {
            List<Path> found = new ArrayList<>();
            jars.forEach(found::add);
            assertThat(found).as("cfn submit packages exactly one jar matching this pattern").hasSize(1);
            handlerJar = found.get(0);
        }
        runnerZip = Files.createDirectories(Path.of("target", "runner-it")).resolve("schemaversion-runner.zip");
        try (ZipFile jar = new ZipFile(handlerJar.toFile())) {
            ZipEntry entry = jar.getEntry(LambdaRunnerPackage.RESOURCE);
            assertThat(entry).as(LambdaRunnerPackage.RESOURCE + " in " + handlerJar).isNotNull();
            try (InputStream in = jar.getInputStream(entry)) {
                Files.write(runnerZip, in.readAllBytes());
            }
        }
        System.out.println("Runner package: " + Files.size(runnerZip) + " bytes (Lambda's direct upload limit: 50 MB zipped)");
        isolated = new URLClassLoader(new URL[] {runnerZip.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        ssm = new SsmEmulator();
        System.setProperty("aws.endpointUrlSsm", ssm.endpoint());
        System.setProperty("aws.accessKeyId", "ASIARUNNERIT");
        System.setProperty("aws.secretAccessKey", "runner-it-secret");
    }

    @AfterAll
    static void close() throws IOException {
        isolated.close();
        ssm.close();
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
                "META-INF/services/org.flywaydb.core.extensibility.Plugin");
        assertThat(names).noneMatch(n -> n.startsWith("software/amazon/cloudformation/"))
                .noneMatch(n -> n.startsWith("software/amazon/awssdk/services/lambda/"))
                .noneMatch(n -> n.startsWith("com/company/database/schemaversion/aws/"))
                .noneMatch(n -> n.startsWith("io/zonky/"))
                .noneMatch(n -> n.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"));
    }

    @Test
    void isolatedRunnerAnswersPingObserveAndApplyAgainstARealDatabase() throws Exception {
        String database = TestDatabase.newDatabase();
        ssm.put("/it/user", "String", TestDatabase.USER);
        ssm.put("/it/password", "SecureString", TestDatabase.PASSWORD);

        JsonNode ping = invoke(JSON.createObjectNode().put("protocol", 1).put("op", "ping"));
        assertThat(ping.path("ok").asBoolean()).as(ping.toString()).isTrue();
        assertThat(ping.path("sets").toString()).contains("orders");

        ObjectNode observe = request(database, "observe");
        JsonNode observed = invoke(observe);
        assertThat(observed.path("ok").asBoolean()).as(observed.toString()).isTrue();
        assertThat(observed.path("observation").path("pending")).hasSize(7);

        ObjectNode apply = request(database, "apply").put("target", "3");
        JsonNode applied = invoke(apply);
        assertThat(applied.path("ok").asBoolean()).as(applied.toString()).isTrue();
        assertThat(applied.path("observation").path("appliedVersion").asText()).isEqualTo("3");

        JsonNode wrongProtocol = invoke(request(database, "observe").put("protocol", 2));
        assertThat(wrongProtocol.path("error").path("reason").asText()).isEqualTo("RUNNER_FAILED");
    }

    private static ObjectNode request(String database, String op) {
        ObjectNode n = JSON.createObjectNode().put("protocol", 1).put("op", op).put("region", "us-east-1");
        n.putObject("connection").put("host", "127.0.0.1").put("port", TestDatabase.port()).put("database", database)
                .put("sslMode", "disable");
        n.putObject("credentials").put("usernameParameter", "/it/user").put("passwordParameter", "/it/password");
        n.put("schema", "public").put("set", "orders");
        n.putObject("placeholders").put("AppRole", "orders_app");
        n.putObject("timeouts").put("lockSeconds", 10).put("statementSeconds", 40);
        return n;
    }

    /** Calls the packaged entrypoint as the Java runtime would: by its class name, with a Context of its own loader. */
    private static JsonNode invoke(JsonNode payload) throws Exception {
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
        handle.invoke(handler.getDeclaredConstructor().newInstance(),
                new ByteArrayInputStream(JSON.writeValueAsBytes(payload)), out, context);
        return JSON.readTree(out.toByteArray());
    }
}
