package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Full runs that succeed and fail (wrong password, failed migration, unreachable database, TLS refused, Read,
 * List, Delete) with a distinctive password, capturing every handler and wrapper log line, everything written
 * to stdout/stderr, every event message, every full response (models and callback contexts) and every request
 * the type sent to SSM: the password appears nowhere.
 */
class SecretsInEveryOutputTest extends AbstractHandlerTest {
    private static final String USER = "secret_owner";
    private static final String PASSWORD = "Zq8-Pa55w0rd-Never-Logged-7Hx";
    private static final String WRONG_PASSWORD = "Wr0ng-Pa55w0rd-Also-Secret-K2";

    @Test
    void noPasswordInLogsEventsModelsOrRequests() throws Exception {
        TestDatabase.execute("postgres", "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + USER
                + "') THEN CREATE ROLE " + USER + " LOGIN SUPERUSER; END IF; END$$");
        TestDatabase.execute("postgres", "ALTER ROLE " + USER + " PASSWORD '" + PASSWORD + "'");
        ssm().put("/secret/db/username", "String", USER);
        ssm().put("/secret/db/password", "SecureString", PASSWORD);
        ssm().put("/secret/db/wrong", "SecureString", WRONG_PASSWORD);
        ssm().put("/secret/db/json", "SecureString", "{\"username\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}");

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        PrintStream tee = new PrintStream(console, true, StandardCharsets.UTF_8);
        List<Outcome> outcomes = new ArrayList<>();
        System.setOut(tee);
        System.setErr(tee);
        try {
            ObjectNode good = secretModel("/secret/db/password");
            Outcome created = create(good);
            outcomes.add(created);
            ObjectNode withId = good.deepCopy().put("Id", created.model().path("Id").asText());
            outcomes.add(read(withId));
            outcomes.add(list(null));

            ObjectNode wrong = secretModel("/secret/db/wrong");
            wrong.put("Id", created.model().path("Id").asText());
            wrong.put("TargetVersion", "latest");
            outcomes.add(update(wrong, created.model()));

            database = TestDatabase.newDatabase();
            ObjectNode viaSecret = secretModel(null);
            ((ObjectNode) viaSecret.get("Credentials")).removeAll().put("SecretParameter", "/secret/db/json");
            useMigrations(MigrationSource.directory(
                    Path.of("src/test/resources/hardening/cicfail").toAbsolutePath()));
            viaSecret.remove("MigrationSet");
            viaSecret.remove("Placeholders");
            viaSecret.put("TargetVersion", "latest");
            outcomes.add(create(viaSecret));
            useMigrations(null);

            database = TestDatabase.newDatabase();
            ObjectNode unreachable = secretModel("/secret/db/password");
            ((ObjectNode) unreachable.get("Database")).put("Port", 1);
            outcomes.add(create(unreachable));

            database = TestDatabase.newDatabase();
            ObjectNode tls = secretModel("/secret/db/password");
            ((ObjectNode) tls.get("Database")).put("SslMode", "verify-full");
            outcomes.add(create(tls));

            outcomes.add(delete(JSON.createObjectNode().put("Id", created.model().path("Id").asText())));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertThat(outcomes).extracting(Outcome::status)
                .containsExactly("SUCCESS", "SUCCESS", "SUCCESS", "FAILED", "FAILED", "FAILED", "FAILED", "SUCCESS");
        assertThat(outcomes.get(3).errorCode()).isEqualTo("InvalidCredentials");

        List<String> haystacks = new ArrayList<>();
        synchronized (handlerLog) {
            haystacks.addAll(handlerLog);
        }
        synchronized (events) {
            events.forEach(e -> haystacks.add(e.toString()));
        }
        outcomes.forEach(o -> haystacks.add(o.response().toString()));
        haystacks.add(console.toString(StandardCharsets.UTF_8));
        List<String> toSsm = new ArrayList<>(ssm().requests());
        haystacks.addAll(toSsm);
        assertThat(handlerLog).as("the handler and the wrapper did log").isNotEmpty();
        for (String h : haystacks) {
            assertThat(h).doesNotContain(PASSWORD).doesNotContain(WRONG_PASSWORD).doesNotContain("Pa55w0rd");
        }
        System.out.printf("SECRETS: %d runs, %d log lines, %d events, %d SSM requests, %d console chars: no password%n",
                outcomes.size(), handlerLog.size(), events.size(), toSsm.size(), console.size());
    }

    @Test
    void noPropertyHoldsAPasswordUnlessWriteOnly() throws Exception {
        JsonNode schema = JSON.readTree(Files.readString(Path.of("company-database-schemaversion.json")));
        Set<String> writeOnly = new HashSet<>();
        schema.path("writeOnlyProperties").forEach(p -> writeOnly.add(p.asText()));
        List<String> secretish = new ArrayList<>();
        collect(schema.path("properties"), "/properties", schema, secretish);
        for (String p : secretish) {
            assertThat(p.endsWith("Parameter") || writeOnly.contains(p))
                    .as("%s looks like it holds a secret: it must name an SSM parameter or be writeOnly", p).isTrue();
        }
        assertThat(secretish).contains("/properties/Credentials/PasswordParameter");
    }

    private static void collect(JsonNode props, String path, JsonNode schema, List<String> out) {
        for (Iterator<String> it = props.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            JsonNode p = props.get(name);
            if (name.matches("(?i).*(pass|secret|token|key).*")) {
                out.add(path + "/" + name);
            }
            if (p.has("$ref")) {
                String ref = p.get("$ref").asText().substring(1);
                collect(schema.at(ref).path("properties"), path + "/" + name, schema, out);
            } else if (p.has("properties")) {
                collect(p.path("properties"), path + "/" + name, schema, out);
            }
        }
    }

    private ObjectNode secretModel(String passwordParameter) {
        ObjectNode m = model("3");
        ObjectNode creds = (ObjectNode) m.get("Credentials");
        creds.put("UsernameParameter", "/secret/db/username");
        if (passwordParameter != null) {
            creds.put("PasswordParameter", passwordParameter);
        }
        return m;
    }
}
