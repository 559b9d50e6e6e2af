package com.company.database.schemaversion.local;

import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestLambda;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs the local runner's main entry in-process against the test JVM's embedded PostgreSQL (a fresh
 * database per harness), with its own home folder and a parameters file holding the test server's login.
 * Uses its own region so the SDK client it builds points at the runner's SSM endpoint, not the handler
 * tests' emulator (the SDK keeps one SSM client per region for the JVM's life).
 */
final class LocalRunnerHarness {
    static final String REGION = "eu-central-1";
    static final String USER_PARAM = "/orders/db/username";
    static final String PASSWORD_PARAM = "/orders/db/password";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The test JVM's local endpoints, built once as LocalRunner's main builds them for its process, on the test
     * JVM's Lambda: the handlers' SDK clients keep the endpoint they were built with for the life of the JVM.
     */
    private static final class Jvm {
        static final LocalEndpoints ENDPOINTS;

        static {
            try {
                ENDPOINTS = LocalEndpoints.withLambda(TestLambda.shared().local());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static LocalEndpoints endpoints() {
        return Jvm.ENDPOINTS;
    }

    final String database = TestDatabase.newDatabase();
    final Path home;
    final Path parameters;
    /** The test account's type configuration, given to every command as --typeconfig. */
    final Path typeConfiguration;

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    LocalRunnerHarness() {
        // Not under java.io.tmpdir: the rpdk wrapper empties that folder on every call.
        home = Path.of("target", "local-runner-tests", UUID.randomUUID().toString()).toAbsolutePath();
        parameters = home.resolve("test-parameters.json");
        typeConfiguration = home.resolve("test-typeconfig.json");
        try {
            Files.createDirectories(home);
            com.fasterxml.jackson.databind.node.ObjectNode account = TestModels.testAccount();
            ((com.fasterxml.jackson.databind.node.ArrayNode) account.path("Credentials").path("AllowedParameterPrefixes"))
                    .add("/orders/orders/");
            // The test account's logins, bound also to the host the repository's inputs name (serve redirects it).
            com.fasterxml.jackson.databind.node.ObjectNode binding = (com.fasterxml.jackson.databind.node.ObjectNode)
                    account.path("Credentials").path("Bindings").get(0);
            ((com.fasterxml.jackson.databind.node.ArrayNode) binding.get("Parameters")).add("/orders/orders/");
            ((com.fasterxml.jackson.databind.node.ArrayNode) binding.get("Hosts")).add("*.cluster-abc.eu-west-1.rds.amazonaws.com");
            JSON.writeValue(typeConfiguration.toFile(), account);
            JSON.writeValue(parameters.toFile(), Map.of(USER_PARAM, TestDatabase.USER, PASSWORD_PARAM, TestDatabase.PASSWORD));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The runner with the given arguments, pointed at the test database. */
    Run run(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--host", "127.0.0.1", "--port", String.valueOf(TestDatabase.port()), "--database", database,
                "--sslmode", "disable"));
        return raw(all.toArray(String[]::new));
    }

    /** The runner with exactly these arguments plus home, parameters, region and no callback sleeps. */
    Run raw(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--home", home.toString(), "--parameters", parameters.toString(), "--region", REGION, "--no-delays"));
        // lifecycle is the fresh-machine command: it runs with the configuration it states itself.
        if (!"lifecycle".equals(args[0]) && !all.contains("--typeconfig")) {
            all.addAll(List.of("--typeconfig", typeConfiguration.toString()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = LocalRunner.run(all.toArray(String[]::new), o, e, endpoints());
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    List<String> history() {
        if (query("SELECT to_regclass('public.flyway_schema_history')::text").get(0) == null) {
            return List.of();
        }
        return query("SELECT version FROM public.flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank");
    }

    List<String> query(String sql) {
        return TestDatabase.query(database, sql);
    }

    /** Properties of a resource on the test database, as a --properties file. */
    Path propertiesFile(String targetVersion) throws IOException {
        Path file = home.resolve("properties-" + targetVersion + ".json");
        Files.writeString(file, """
                {"Database": {"Host": "127.0.0.1", "Port": %d, "Name": "%s", "SslMode": "disable"},
                 "Credentials": {"UsernameParameter": "%s", "PasswordParameter": "%s"},
                 "MigrationSet": "orders", "TargetVersion": "%s",
                 "Placeholders": {"AppRole": "orders_app"}, "Timeouts": {"ConnectWaitMinutes": 0}}
                """.formatted(TestDatabase.port(), database, USER_PARAM, PASSWORD_PARAM, targetVersion));
        return file;
    }
}
