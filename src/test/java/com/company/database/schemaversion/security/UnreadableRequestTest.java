package com.company.database.schemaversion.security;

import com.company.database.schemaversion.testing.ConsoleTee;
import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request whose values the model cannot hold (a number past its Java type, a string where a number or a list
 * goes, a callback context this type did not write) goes through the real wrapper as Lambda calls it, stream in
 * and stream out. The parser's own message quotes the raw request around the bad value, and the request starts
 * with the caller's credentials (the local runner's and cfn test's shape) or with the account and bearer token
 * (CloudFormation's): the answer must be InvalidRequest naming the property, and no fragment of the access key,
 * secret key, session token or bearer token may reach the answer, the handler log or the console.
 */
class UnreadableRequestTest extends AbstractHandlerTest {
    private static final String NUMBER_PAST_INT = "2147483648";
    private final String accessKeyId = "AKIA" + randomUpper(16);
    private final String secretKey = randomText(40);
    private final String sessionToken = "IQoJb3JpZ2luX2Vj" + randomText(300);
    private final String bearerToken = UUID.randomUUID().toString();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void secretCredentialsAndCapturedConsole() {
        driver.withCallerCredentials(() -> CloudFormationDriver.credentials(accessKeyId, secretKey, sessionToken));
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(ConsoleTee.tee(console, originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(ConsoleTee.tee(console, originalErr), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreConsole() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    @Test
    void anInstalledRankPastIntegerIsRefusedNamingItWithoutQuotingTheCredentials() {
        ObjectNode m = model("latest");
        m.putObject("Repair").put("FailedVersion", "1").set("InstalledRank", number(NUMBER_PAST_INT));

        JsonNode answer = callerCredentialsFirst("CREATE", m, null, null);

        assertRefused(answer, "Repair.InstalledRank");
        assertThat(answer.path("message").asText()).contains("2147483647");
        assertDatabaseUntouched();
    }

    @Test
    void cloudFormationsShapeWithTheBearerTokenFirstIsRefusedWithoutQuotingIt() {
        ObjectNode m = model("latest");
        m.putObject("Repair").put("FailedVersion", "1").set("InstalledRank", number(NUMBER_PAST_INT));

        JsonNode answer = bearerTokenFirst("CREATE", m, null);

        assertRefused(answer, "Repair.InstalledRank");
        assertDatabaseUntouched();
    }

    @Test
    void aPortOrAWaitPastIntegerIsRefusedNamingIt() {
        ObjectNode port = model("latest");
        ((ObjectNode) port.get("Database")).set("Port", number("4294967296"));
        assertRefused(bearerTokenFirst("CREATE", port, null), "Database.Port");

        ObjectNode longPort = model("latest");
        ((ObjectNode) longPort.get("Database")).set("Port", number("9".repeat(999)));
        assertRefused(callerCredentialsFirst("CREATE", longPort, null, null), "Database.Port");

        ObjectNode wait = model("latest");
        ((ObjectNode) wait.get("Timeouts")).set("ConnectWaitMinutes", number("99999999999"));
        assertRefused(callerCredentialsFirst("UPDATE", wait, model("latest"), null), "Timeouts.ConnectWaitMinutes");
        assertDatabaseUntouched();
    }

    /**
     * Past 1000 digits the wrapper's first read of the request (before any code of this type runs) stops at
     * Jackson's length limit: InternalFailure, with a message that quotes nothing of the request.
     */
    @Test
    void aNumberPastTheParsersLengthLimitQuotesNothingOfTheRequest() {
        ObjectNode longPort = model("latest");
        ((ObjectNode) longPort.get("Database")).set("Port", number("9".repeat(1200)));
        JsonNode answer = callerCredentialsFirst("CREATE", longPort, null, null);
        assertThat(answer.path("status").asText()).isEqualTo("FAILED");
        assertNothingOfTheRequest(answer);
        assertDatabaseUntouched();
    }

    @Test
    void aStringWhereANumberOrAListGoesIsRefusedNamingItAndWhereItCameFrom() {
        ObjectNode previous = model("latest");
        ((ObjectNode) previous.get("Database")).put("Port", "five thousand");
        JsonNode answer = callerCredentialsFirst("UPDATE", model("latest"), previous, null);
        assertRefused(answer, "Database.Port");
        assertThat(answer.path("message").asText()).contains("previous");

        ObjectNode configuration = JsonNodeFactory.instance.objectNode();
        configuration.putObject("Connections").put("AllowedHosts", "127.0.0.1");
        driver.withTypeConfiguration(configuration);
        answer = bearerTokenFirst("CREATE", model("latest"), null);
        assertRefused(answer, "Connections.AllowedHosts");
        assertThat(answer.path("message").asText()).contains("type configuration");
        assertDatabaseUntouched();
    }

    @Test
    void aCallbackContextTheTypeDidNotWriteIsRefused() {
        ObjectNode context = JsonNodeFactory.instance.objectNode();
        context.set("waitAttempts", number("99999999999"));
        JsonNode answer = callerCredentialsFirst("CREATE", model("latest"), null, context);
        assertRefused(answer, "waitAttempts");
        assertThat(answer.path("message").asText()).contains("callback context");

        context = JsonNodeFactory.instance.objectNode();
        context.put("phase", "LAUNCHED");
        answer = callerCredentialsFirst("CREATE", model("latest"), null, context);
        assertRefused(answer, "phase");
        assertThat(answer.path("message").asText()).contains("callback context");

        context = JsonNodeFactory.instance.objectNode();
        context.put("waitingSince", "yesterday");
        answer = callerCredentialsFirst("UPDATE", model("latest"), model("latest"), context);
        assertRefused(answer, "waitingSince");
        assertDatabaseUntouched();
    }

    /** The driver's shape: requestData first, callerCredentials first in it. */
    private JsonNode callerCredentialsFirst(String action, JsonNode model, JsonNode previous, JsonNode context) {
        ObjectNode request = driver.request(action, model, previous, context, bearerToken, null);
        assertThat(request.fieldNames().next()).isEqualTo("requestData");
        assertThat(request.get("requestData").fieldNames().next()).isEqualTo("callerCredentials");
        return driver.invoke(request);
    }

    /** CloudFormation's shape: the account and the bearer token first, then the request data with credentials. */
    private JsonNode bearerTokenFirst(String action, JsonNode model, JsonNode previous) {
        ObjectNode fromDriver = driver.request(action, model, previous, null, bearerToken, null);
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("bearerToken", bearerToken);
        request.put("awsAccountId", "123456789012");
        request.put("region", "us-east-1");
        request.put("action", action);
        request.put("resourceType", CloudFormationDriver.TYPE_NAME);
        request.put("resourceTypeVersion", "00000001");
        request.set("requestData", fromDriver.get("requestData"));
        request.put("stackId", driver.stackId());
        request.putNull("callbackContext");
        return driver.invoke(request);
    }

    private void assertRefused(JsonNode answer, String property) {
        String message = answer.path("message").asText();
        assertThat(answer.path("status").asText()).as(message).isEqualTo("FAILED");
        assertThat(answer.path("errorCode").asText()).as(message).isEqualTo("InvalidRequest");
        assertThat(message).contains(property);
        assertNothingOfTheRequest(answer);
    }

    private void assertNothingOfTheRequest(JsonNode answer) {
        String everything = answer + "\n" + String.join("\n", handlerLog) + "\n" + console.toString(StandardCharsets.UTF_8);
        for (String secret : List.of(accessKeyId, secretKey, sessionToken, bearerToken)) {
            for (String fragment : fragments(secret)) {
                assertThat(everything).as("a fragment of a request secret").doesNotContain(fragment);
            }
        }
    }

    private void assertDatabaseUntouched() {
        assertThat(query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).containsExactly("0");
    }

    /** Every 8-character piece of a secret: an excerpt cut at any point still holds one. */
    private static List<String> fragments(String secret) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i + 8 <= secret.length(); i++) {
            pieces.add(secret.substring(i, i + 8));
        }
        return pieces;
    }

    private static JsonNode number(String digits) {
        return BigIntegerNode.valueOf(new BigInteger(digits));
    }

    private static String randomUpper(int n) {
        return random(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    }

    private static String randomText(int n) {
        return random(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    }

    private static String random(int n, String alphabet) {
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
