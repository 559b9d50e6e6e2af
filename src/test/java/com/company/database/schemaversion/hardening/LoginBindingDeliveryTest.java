package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With any host allowed and verify-full, a template names its author's own server: an RDS instance in any
 * account has a certificate the RDS CA signed for its own name, so it proves its name and used to receive the
 * login. Here the test CA plays the RDS CA, and a fake PostgreSQL with a certificate for 127.0.0.1 plays the
 * author's instance, keeping whatever arrives. A login goes only to servers the admin bound it to.
 */
class LoginBindingDeliveryTest extends AbstractHandlerTest {
    private static final String USER_VALUE = "orders_migrator_5e1b";
    private static final String PASSWORD_VALUE = "orders-password-never-elsewhere-3d9a";
    private static TestCertificates certs;
    private FakePostgres authorsServer;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create();
    }

    @BeforeEach
    void ordersLoginAndTheAuthorsServer() throws Exception {
        ssm().put(USER_PARAM, "String", USER_VALUE);
        ssm().put(PASSWORD_PARAM, "SecureString", PASSWORD_VALUE);
        authorsServer = new FakePostgres(certs.serverContext());
    }

    @AfterEach
    void stopFake() throws Exception {
        authorsServer.close();
    }

    private ObjectNode towardsTheAuthorsServer() {
        ObjectNode m = model("2");
        ObjectNode db = (ObjectNode) m.get("Database");
        db.put("Host", "127.0.0.1");
        db.put("Port", authorsServer.port());
        db.remove("SslMode");
        return m;
    }

    private ObjectNode anyHostVerifyFull() throws Exception {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.putObject("Credentials").putArray("AllowedParameterPrefixes").add("/orders/db/");
        c.putObject("Connections").put("ExtraCaCertificates", Files.readString(certs.caPem));
        return c;
    }

    private void assertNothingLeft(Outcome o) {
        assertThat(authorsServer.connections()).as("not even a connection").isZero();
        assertThat(authorsServer.received()).doesNotContain(USER_VALUE).doesNotContain(PASSWORD_VALUE);
        assertThat(ssm().requests()).as("nothing read").noneMatch(r -> r.contains("GetParameter")
                && (r.contains(USER_PARAM) || r.contains(PASSWORD_PARAM)));
        String everything = String.join("\n", handlerLog) + "\n" + events + "\n" + o.response();
        assertThat(everything).doesNotContain(USER_VALUE).doesNotContain(PASSWORD_VALUE);
    }

    @Test
    void anyHostWithVerifyFullNoLongerSendsTheLoginToTheAuthorsOwnServer() throws Exception {
        driver.withTypeConfiguration(anyHostVerifyFull());

        Outcome o = create(towardsTheAuthorsServer());

        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("not bound to Database.Host 127.0.0.1").contains("Credentials.Bindings");
        assertNothingLeft(o);
    }

    @Test
    void aLoginBoundToTheTeamsClusterIsNotSentToAnotherServerThatProvesItsName() throws Exception {
        ObjectNode c = anyHostVerifyFull();
        ObjectNode binding = ((ObjectNode) c.get("Credentials")).putArray("Bindings").addObject();
        binding.putArray("Parameters").add("/orders/db/");
        binding.putArray("Hosts").add("*.cluster-abc.eu-west-1.rds.amazonaws.com");
        driver.withTypeConfiguration(c);

        Outcome o = create(towardsTheAuthorsServer());

        assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.UsernameParameter " + USER_PARAM + " is not bound to Database.Host 127.0.0.1");
        assertNothingLeft(o);
    }

    /** The control: bound to that server, the login does arrive, so the refusals above are the binding's. */
    @Test
    void aLoginBoundToTheServerReachesIt() throws Exception {
        ObjectNode c = anyHostVerifyFull();
        ObjectNode binding = ((ObjectNode) c.get("Credentials")).putArray("Bindings").addObject();
        binding.putArray("Parameters").add("/orders/db/");
        binding.putArray("Hosts").add("127.0.0.1");
        driver.withTypeConfiguration(c);

        Outcome o = create(towardsTheAuthorsServer());

        assertThat(authorsServer.received()).contains(USER_VALUE).contains(PASSWORD_VALUE);
        assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidCredentials");
    }
}
