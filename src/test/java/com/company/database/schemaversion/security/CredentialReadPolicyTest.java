package com.company.database.schemaversion.security;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, reproduction 2: the type reads SSM with its own execution role, so a template must not make it
 * read, and echo, any parameter or secret of the account. Every attack runs through the real wrapper and
 * embedded PostgreSQL; each asserts the refusal, that no GetParameter for the name was made, and that the
 * value appears in no event, response or log line.
 */
class CredentialReadPolicyTest extends AbstractHandlerTest {
    private static final String API_KEY_PARAM = "/prod/payments/api-key";
    private static final String API_KEY = "sk_live_51HvQ2eC39HqLyjWDarjtT1zdp7dc";
    private static final String PAYMENTS_SECRET = "/aws/reference/secretsmanager/payments-admin";
    private static final String PAYMENTS_SECRET_VALUE = "{\"username\":\"payments_admin\",\"password\":\"Pa55-payments-9f1e\"}";

    private ObjectNode withCredential(ObjectNode model, String property, String name) {
        ((ObjectNode) model.get("Credentials")).put(property, name);
        return model;
    }

    private List<String> getParameterRequestsFor(String name) {
        return ssm().requests().stream().filter(r -> r.contains("GetParameter") && r.contains("\"" + name + "\"")).toList();
    }

    private void assertNowhere(Outcome o, String... values) {
        String everything = String.join("\n", handlerLog) + "\n" + events + "\n" + o.response();
        for (String value : values) {
            assertThat(everything).doesNotContain(value);
        }
    }

    @Test
    void anArbitraryParameterIsNotReadAsTheUserName() {
        ssm().put(API_KEY_PARAM, "SecureString", API_KEY);

        Outcome o = create(withCredential(model("3"), "UsernameParameter", API_KEY_PARAM));

        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.UsernameParameter " + API_KEY_PARAM)
                .contains("Credentials.AllowedParameterPrefixes").contains("set-type-configuration");
        assertThat(getParameterRequestsFor(API_KEY_PARAM)).isEmpty();
        assertNowhere(o, API_KEY, "sk_live");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).containsExactly("0");
    }

    @Test
    void aSecretsManagerReferenceIsNeverReadAsAUserNameEvenWhereSecretsAreAllowed() {
        ssm().put(PAYMENTS_SECRET, "SecureString", PAYMENTS_SECRET_VALUE);
        ObjectNode configuration = TestModels.testAccount();
        ((com.fasterxml.jackson.databind.node.ArrayNode) configuration.path("Credentials").path("AllowedParameterPrefixes"))
                .add("/aws/reference/secretsmanager/*");
        driver.withTypeConfiguration(configuration);

        Outcome o = create(withCredential(model("3"), "UsernameParameter", PAYMENTS_SECRET));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.UsernameParameter " + PAYMENTS_SECRET)
                .contains("only Credentials.SecretParameter");
        assertThat(getParameterRequestsFor(PAYMENTS_SECRET)).isEmpty();
        assertNowhere(o, "Pa55-payments-9f1e", "payments_admin");
    }

    @Test
    void secretsManagerReferencesNeedAPrefixThatNamesThemExplicitly() {
        ssm().put(PAYMENTS_SECRET, "SecureString", PAYMENTS_SECRET_VALUE);
        ObjectNode configuration = TestModels.testAccount();
        ((com.fasterxml.jackson.databind.node.ArrayNode) configuration.path("Credentials").path("AllowedParameterPrefixes"))
                .add("/*");
        driver.withTypeConfiguration(configuration);
        ObjectNode m = model("3");
        m.putObject("Credentials").put("SecretParameter", PAYMENTS_SECRET);

        Outcome o = create(m);

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.SecretParameter " + PAYMENTS_SECRET)
                .contains("no allowed prefix names explicitly");
        assertThat(getParameterRequestsFor(PAYMENTS_SECRET)).isEmpty();
        assertNowhere(o, "Pa55-payments-9f1e", "payments_admin");
    }

    @Test
    void withoutATypeConfigurationOnlyTheTypesOwnPathIsRead() {
        driver.withTypeConfiguration(null);

        Outcome o = create(model("3"));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.UsernameParameter " + USER_PARAM)
                .contains("[/company-database-schemaversion/credentials/], the default");
        assertThat(getParameterRequestsFor(USER_PARAM)).isEmpty();
        assertThat(getParameterRequestsFor(PASSWORD_PARAM)).isEmpty();
    }

    @Test
    void pathTricksDoNotLeaveTheAllowedPrefix() {
        ssm().put(API_KEY_PARAM, "SecureString", API_KEY);
        for (String trick : List.of("/orders/db/../../prod/payments/api-key", "/orders/dbx/username",
                "/ORDERS/db/username", "/orders/db//username", "orders/db/username",
                "arn:aws:ssm:us-east-1:123456789012:parameter/prod/payments/api-key", "/orders/db/username:1")) {
            handlerLog.clear();
            Outcome o = create(withCredential(model("3"), "UsernameParameter", trick));
            assertThat(o.errorCode()).as(trick).isEqualTo("InvalidRequest");
            // The wrapper's schema check already refuses some (pattern); the policy refuses the rest.
            assertThat(o.message()).as(trick).containsAnyOf("Credentials.UsernameParameter " + trick,
                    "#/Credentials/UsernameParameter: failed validation constraint for keyword [pattern]");
            assertThat(getParameterRequestsFor(trick)).as(trick).isEmpty();
            assertNowhere(o, API_KEY);
        }
    }

    /** A record written before the admin tightened the configuration gets no pass on Read, Update or Delete. */
    @Test
    void aStricterConfigurationAfterCreateStopsReadUpdateAndDeleteFromReadingTheOldParameters() {
        ObjectNode m = model("3").put("OnDelete", "Clean");
        Outcome created = create(m);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        ObjectNode strict = TestModels.testAccount();
        ((ObjectNode) strict.get("Credentials")).putArray("AllowedParameterPrefixes").add("/company-database-schemaversion/credentials/");
        driver.withTypeConfiguration(strict);
        int readsBefore = getParameterRequestsFor(USER_PARAM).size() + getParameterRequestsFor(PASSWORD_PARAM).size();
        ObjectNode current = created.model().deepCopy();

        Outcome read = read(current);
        Outcome updated = update(model("latest").put("OnDelete", "Clean").put("Id", current.path("Id").asText()), current);
        Outcome deleted = delete(current);

        for (Outcome o : List.of(read, updated, deleted)) {
            assertThat(o.status()).as(o.message()).isEqualTo("FAILED");
            assertThat(o.errorCode()).isEqualTo("InvalidRequest");
            assertThat(o.message()).contains(USER_PARAM).contains("Credentials.AllowedParameterPrefixes");
        }
        assertThat(getParameterRequestsFor(USER_PARAM).size() + getParameterRequestsFor(PASSWORD_PARAM).size())
                .isEqualTo(readsBefore);
        assertThat(history()).as("no migration ran, nothing was cleaned").containsExactly("1", "2", "3");
        driver.withTypeConfiguration(TestModels.testAccount());
        Outcome readAgain = read(current);
        assertThat(readAgain.status()).as(readAgain.message()).isEqualTo("SUCCESS");
        assertThat(readAgain.model().path("TargetVersion").asText()).as("the refused Update left the record alone")
                .isEqualTo("3");
    }

    @Test
    void aStricterTlsPolicyAfterCreateStopsTheLoginFromLeaving() {
        Outcome created = create(model("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        ObjectNode strict = TestModels.testAccount();
        strict.remove("Connections");
        driver.withTypeConfiguration(strict);

        Outcome read = read(created.model());

        assertThat(read.errorCode()).isEqualTo("InvalidRequest");
        assertThat(read.message()).contains("Database.SslMode disable").contains("Connections.AllowedSslModes");
    }
}
