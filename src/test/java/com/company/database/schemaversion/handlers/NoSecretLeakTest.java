package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.testing.ConsoleTee;
import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs whole operations, good and bad, with a login whose password is a unique string, and looks for that
 * string everywhere a secret could leak: the handler log, stdout/stderr (CloudWatch in Lambda), every event
 * and model the handlers return, and every request sent to SSM.
 */
class NoSecretLeakTest extends AbstractHandlerTest {
    private static final String SECRET_PARAM = "/aws/reference/secretsmanager/orders-migrator";
    private final List<JsonNode> responses = new ArrayList<>();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @AfterEach
    void restoreConsole() {
        if (originalOut != null) {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    private void captureConsole() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(ConsoleTee.tee(console, originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(ConsoleTee.tee(console, originalErr), true, StandardCharsets.UTF_8));
    }

    /** One operation to its end, keeping every response (IN_PROGRESS ones included). */
    private JsonNode run(String action, JsonNode model, JsonNode previous) {
        String token = UUID.randomUUID().toString();
        JsonNode current = model;
        JsonNode context = null;
        for (int call = 0; call < 50; call++) {
            JsonNode response = driver.invoke(driver.request(action, current, previous, context, token, null));
            responses.add(response);
            if (!"IN_PROGRESS".equals(response.path("status").asText())) {
                return response;
            }
            current = response.get("resourceModel");
            context = response.get("callbackContext");
        }
        throw new AssertionError(action + " did not finish");
    }

    @Test
    void thePasswordAppearsNowhere() {
        String role = "migrator_" + database;
        String password = "Pw-" + UUID.randomUUID();
        String wrongPassword = "Wrong-" + UUID.randomUUID();
        TestDatabase.execute("postgres", "CREATE ROLE " + role + " LOGIN CREATEROLE PASSWORD '" + password + "'");
        TestDatabase.execute("postgres", "ALTER DATABASE " + database + " OWNER TO " + role);
        TestDatabase.execute(database, "ALTER SCHEMA public OWNER TO " + role);
        ssm().put(USER_PARAM, "String", role);
        ssm().put(PASSWORD_PARAM, "SecureString", password);
        captureConsole();
        useCallBudget(Duration.ZERO, Duration.ofSeconds(50));

        // Success: create one migration per call, read, update, list.
        JsonNode created = run("CREATE", model("5"), null);
        assertThat(created.path("status").asText()).as(created.toString()).isEqualTo("SUCCESS");
        JsonNode model = created.get("resourceModel");
        assertThat(run("READ", model, null).path("status").asText()).isEqualTo("SUCCESS");
        ObjectNode latest = model("latest").put("Id", model.path("Id").asText());
        assertThat(run("UPDATE", latest, model).path("status").asText()).isEqualTo("SUCCESS");
        assertThat(run("LIST", JSON.createObjectNode(), null).path("status").asText()).isEqualTo("SUCCESS");

        // Failures: a wrong password, a secret parameter that is not JSON, a failed migration.
        ssm().put(PASSWORD_PARAM, "SecureString", wrongPassword);
        ObjectNode otherSchema = model("3").put("Schema", "reporting");
        assertThat(run("CREATE", otherSchema, null).path("errorCode").asText()).isEqualTo("InvalidCredentials");
        ssm().put(PASSWORD_PARAM, "SecureString", password);

        ssm().put(SECRET_PARAM, "SecureString", "user=" + role + " password=" + password);
        ObjectNode viaSecret = model("3").put("Schema", "billing");
        viaSecret.putObject("Credentials").put("SecretParameter", SECRET_PARAM);
        assertThat(run("CREATE", viaSecret, null).path("errorCode").asText()).isEqualTo("InvalidRequest");

        useMigrations(MigrationSource.directory(FailedMigrationTest.testSet("broken-v3")));
        ObjectNode broken = model("latest").put("Schema", "shop");
        broken.remove("Placeholders");
        assertThat(run("CREATE", broken, null).path("errorCode").asText()).isEqualTo("GeneralServiceException");
        useMigrations(null);

        ObjectNode clean = latest.deepCopy().put("OnDelete", "Clean");
        assertThat(run("UPDATE", clean, latest).path("status").asText()).isEqualTo("SUCCESS");
        assertThat(run("DELETE", clean, null).path("status").asText()).isEqualTo("SUCCESS");

        String everything = String.join("\n", handlerLog) + "\n"
                + console.toString(StandardCharsets.UTF_8) + "\n"
                + events + "\n"
                + responses + "\n"
                + String.join("\n", ssm().requests());
        assertThat(responses).hasSizeGreaterThan(12);
        assertThat(handlerLog).isNotEmpty();
        // The user name is a value read from SSM too: it may be anything the parameter holds, a secret included.
        assertThat(everything).contains(USER_PARAM).doesNotContain(role).doesNotContain(password).doesNotContain(wrongPassword);
        // The only place the password is, is the emulator's own stored parameter.
        assertThat(ssm().get(PASSWORD_PARAM).value()).isEqualTo(password);
    }
}
