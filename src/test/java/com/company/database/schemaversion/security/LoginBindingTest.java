package com.company.database.schemaversion.security;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In an account many teams share, a template must not spend another team's login: credential prefixes are
 * account-wide, so a template could name the payments team's password parameter as its UsernameParameter,
 * and PostgreSQL echoes a rejected user name cut to 63 bytes, which the scrubbing of whole values missed.
 * The admin binds each login to its servers (Credentials.Bindings, or the host's folder under the type's own
 * path); a login is read only for a server it is bound to, and no part of any value read reaches an event, a
 * log line or the answer.
 */
public class LoginBindingTest extends AbstractHandlerTest {
    public static final String PAYMENTS_PASSWORD_PARAM = "/payments/db/password";
    /** Longer than PostgreSQL's 63-byte names, so what the server echoes is a cut-short piece of it. */
    public static final String PAYMENTS_PASSWORD = "Pay-9f1e2d3c4b5a-" + "k7".repeat(30) + "-end-of-the-payments-password";

    /** Two teams: orders on the embedded server, payments on its own cluster. */
    public static ObjectNode twoTeams(String paymentsHost) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        ObjectNode credentials = c.putObject("Credentials");
        credentials.putArray("AllowedParameterPrefixes").add("/orders/db/").add("/payments/db/");
        ArrayNode bindings = credentials.putArray("Bindings");
        ObjectNode orders = bindings.addObject();
        orders.putArray("Parameters").add("/orders/db/");
        orders.putArray("Hosts").add("127.0.0.1");
        ObjectNode payments = bindings.addObject();
        payments.putArray("Parameters").add("/payments/db/");
        payments.putArray("Hosts").add(paymentsHost);
        c.putObject("Connections").putArray("AllowedSslModes").add("disable").add("verify-full");
        c.putObject("Runner").putArray("AllowedRoleArns").add(com.company.database.schemaversion.testing.TestModels.TEST_RUNNER_ROLE);
        // Clean allowed, so that what stops a Delete with Clean below is the binding, not the Destruction switch.
        c.putObject("Destruction").putArray("Clean").add("*/*/*");
        return c;
    }

    protected ObjectNode withOtherTeamsPasswordAsUserName(ObjectNode model) {
        ((ObjectNode) model.get("Credentials")).put("UsernameParameter", PAYMENTS_PASSWORD_PARAM);
        return model;
    }

    protected List<String> getParameterRequestsFor(String name) {
        return ssm().requests().stream().filter(r -> r.contains("GetParameter") && r.contains("\"" + name + "\"")).toList();
    }

    /** Neither the value nor any piece of it that a server could have quoted (its first 63 bytes, say). */
    protected void assertNoPieceOf(String value, Outcome o) {
        String everything = String.join("\n", handlerLog) + "\n" + events + "\n" + o.response();
        assertThat(everything).doesNotContain(value).doesNotContain(value.substring(0, 63))
                .doesNotContain(value.substring(0, 20)).doesNotContain(value.substring(20, 40));
    }

    @Test
    void anotherTeamsPasswordIsNotReadForAServerItIsNotBoundTo() {
        ssm().put(PAYMENTS_PASSWORD_PARAM, "SecureString", PAYMENTS_PASSWORD);
        driver.withTypeConfiguration(twoTeams("payments.cluster-xyz.eu-west-1.rds.amazonaws.com"));

        Outcome o = create(withOtherTeamsPasswordAsUserName(model("3")));

        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.UsernameParameter " + PAYMENTS_PASSWORD_PARAM)
                .contains("not bound to Database.Host 127.0.0.1").contains("Credentials.Bindings")
                .contains("set-type-configuration").contains("Nothing was read");
        assertThat(getParameterRequestsFor(PAYMENTS_PASSWORD_PARAM)).as("refused before it is read").isEmpty();
        assertNoPieceOf(PAYMENTS_PASSWORD, o);
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).containsExactly("0");
    }

    /**
     * Where both teams' logins are bound to the same server (one shared cluster), the parameter may be read:
     * then the rejected login answers InvalidCredentials naming the parameters and the host, never the server's
     * text, and no piece of the value appears anywhere.
     */
    @Test
    void onAServerBothTeamsShareNoPieceOfAValueReadAsAUserNameIsShown() {
        ssm().put(PAYMENTS_PASSWORD_PARAM, "SecureString", PAYMENTS_PASSWORD);
        driver.withTypeConfiguration(twoTeams("127.0.0.1"));

        Outcome o = create(withOtherTeamsPasswordAsUserName(model("3")));

        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidCredentials");
        assertThat(o.message()).contains(PAYMENTS_PASSWORD_PARAM).contains(PASSWORD_PARAM).contains("127.0.0.1")
                .contains("(SQLSTATE 28");
        assertNoPieceOf(PAYMENTS_PASSWORD, o);
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).containsExactly("0");
    }

    @Test
    void aConfigurationWithPrefixesButAnyHostBindsNothing() {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.putObject("Credentials").putArray("AllowedParameterPrefixes").add("/orders/db/");
        c.putObject("Connections").putArray("AllowedSslModes").add("disable");
        driver.withTypeConfiguration(c);

        Outcome o = create(model("3"));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.UsernameParameter " + USER_PARAM)
                .contains("Credentials.PasswordParameter " + PASSWORD_PARAM)
                .contains("without Connections.AllowedHosts bind no server");
        assertThat(getParameterRequestsFor(USER_PARAM)).isEmpty();
        assertThat(getParameterRequestsFor(PASSWORD_PARAM)).isEmpty();
    }

    @Test
    void anOlderConfigurationWithPrefixesAndHostsKeepsItsMeaning() {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.putObject("Credentials").putArray("AllowedParameterPrefixes").add("/orders/db/");
        ObjectNode connections = c.putObject("Connections");
        connections.putArray("AllowedHosts").add("127.0.0.1");
        connections.putArray("AllowedSslModes").add("disable");
        driver.withTypeConfiguration(c);

        Outcome o = create(model("3"));

        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
    }

    /** The default: no bindings, and a login in the host's own folder under the type's path goes to that host alone. */
    @Test
    void withoutBindingsALoginInTheHostsFolderGoesToThatHostAndNoOther() {
        String user = "/company-database-schemaversion/credentials/127.0.0.1/username";
        String password = "/company-database-schemaversion/credentials/127.0.0.1/password";
        ssm().put(user, "String", TestDatabase.USER);
        ssm().put(password, "SecureString", TestDatabase.PASSWORD);
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.putObject("Connections").putArray("AllowedSslModes").add("disable");
        driver.withTypeConfiguration(c);
        ObjectNode m = model("3");
        ((ObjectNode) m.get("Credentials")).put("UsernameParameter", user).put("PasswordParameter", password);

        ObjectNode elsewhere = m.deepCopy();
        ((ObjectNode) elsewhere.get("Database")).put("Host", "localhost");
        Outcome refused = create(elsewhere);
        Outcome created = create(m);

        assertThat(refused.errorCode()).isEqualTo("InvalidRequest");
        assertThat(refused.message()).contains("Credentials.UsernameParameter " + user + " is not bound to Database.Host localhost");
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
    }

    @Test
    void aBindingThatNamesDatabasesHoldsForThoseOnly() {
        ObjectNode c = twoTeams("payments.cluster-xyz.eu-west-1.rds.amazonaws.com");
        ((ObjectNode) c.path("Credentials").path("Bindings").get(0)).putArray("Databases").add("orders");
        driver.withTypeConfiguration(c);

        Outcome o = create(model("3"));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("is not bound to Database.Host 127.0.0.1 (database " + database + ")");
        assertThat(getParameterRequestsFor(USER_PARAM)).isEmpty();
    }

    /** A binding withdrawn after Create stops Read, Update and Delete from reading the login or sending it. */
    @Test
    void aWithdrawnBindingStopsReadUpdateAndDelete() {
        driver.withTypeConfiguration(twoTeams("payments.cluster-xyz.eu-west-1.rds.amazonaws.com"));
        ObjectNode m = model("3").put("OnDelete", "Clean");
        Outcome created = create(m);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        ObjectNode moved = twoTeams("payments.cluster-xyz.eu-west-1.rds.amazonaws.com");
        ((ArrayNode) moved.path("Credentials").path("Bindings").get(0).path("Hosts")).removeAll().add("orders.cluster-abc.eu-west-1.rds.amazonaws.com");
        driver.withTypeConfiguration(moved);
        int readsBefore = getParameterRequestsFor(USER_PARAM).size() + getParameterRequestsFor(PASSWORD_PARAM).size();
        ObjectNode current = created.model().deepCopy();

        Outcome read = read(current);
        Outcome updated = update(model("latest").put("OnDelete", "Clean").put("Id", current.path("Id").asText()), current);
        Outcome deleted = delete(current);

        for (Outcome o : List.of(read, updated, deleted)) {
            assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidRequest");
            assertThat(o.message()).contains("not bound to Database.Host 127.0.0.1");
        }
        assertThat(getParameterRequestsFor(USER_PARAM).size() + getParameterRequestsFor(PASSWORD_PARAM).size())
                .isEqualTo(readsBefore);
        assertThat(history()).as("nothing migrated, nothing cleaned").containsExactly("1", "2", "3");
    }
}
