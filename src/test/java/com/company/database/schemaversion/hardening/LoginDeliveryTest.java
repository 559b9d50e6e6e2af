package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, reproduction 3: a template points Database.Host at a server of its author's choosing. The login
 * (read with the type's role) must reach only a server that proved, with a certificate chaining to the RDS
 * bundle or the account's ExtraCaCertificates and naming the host, that it is the declared host; never in
 * cleartext unless the account admin allowed SslMode disable. A fake PostgreSQL server on 127.0.0.1 asks
 * for the password in cleartext and keeps whatever arrives.
 */
class LoginDeliveryTest extends AbstractHandlerTest {
    private static final String USER_VALUE = "migrator_login_7f3a";
    private static final String PASSWORD_VALUE = "pw-only-for-the-real-db-91c2";
    private static TestCertificates certs;
    private FakePostgres fake;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create();
    }

    @BeforeEach
    void loginInAllowedParameters() {
        ssm().put(USER_PARAM, "String", USER_VALUE);
        ssm().put(PASSWORD_PARAM, "SecureString", PASSWORD_VALUE);
    }

    @AfterEach
    void stopFake() throws Exception {
        if (fake != null) {
            fake.close();
        }
    }

    /** The test account, but with the TLS policy a real account has: verify-full only (the default). */
    private ObjectNode verifyFullOnly(boolean trustTestCa) throws Exception {
        ObjectNode c = TestModels.testAccount();
        ObjectNode connections = c.putObject("Connections");
        if (trustTestCa) {
            connections.put("ExtraCaCertificates", Files.readString(certs.caPem));
        }
        return c;
    }

    private ObjectNode towardsFake(String host, String sslMode) {
        ObjectNode m = model("2");
        ObjectNode db = (ObjectNode) m.get("Database");
        db.put("Host", host);
        db.put("Port", fake.port());
        if (sslMode == null) {
            db.remove("SslMode");
        } else {
            db.put("SslMode", sslMode);
        }
        return m;
    }

    @Test
    void sslModeDisableTowardsAnyServerIsRefusedBeforeALoginLeaves() throws Exception {
        fake = new FakePostgres(null);
        driver.withTypeConfiguration(verifyFullOnly(false));

        Outcome o = create(towardsFake("127.0.0.1", "disable"));

        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Database.SslMode disable").contains("Connections.AllowedSslModes")
                .contains("set-type-configuration");
        assertThat(fake.connections()).as("not even a connection").isZero();
        assertThat(fake.received()).doesNotContain(PASSWORD_VALUE).doesNotContain(USER_VALUE);
    }

    @Test
    void theDefaultVerifyFullSendsNothingToAServerWithoutTls() throws Exception {
        fake = new FakePostgres(null);
        driver.withTypeConfiguration(verifyFullOnly(false));

        Outcome o = create(towardsFake("127.0.0.1", null));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("does not offer TLS").contains("no login was sent");
        assertThat(fake.connections()).isPositive();
        assertThat(fake.received()).doesNotContain(PASSWORD_VALUE).doesNotContain(USER_VALUE);
    }

    @Test
    void verifyFullSendsNoLoginToACertificateThatChainsToNoTrustedCa() throws Exception {
        fake = new FakePostgres(certs.serverContext());
        driver.withTypeConfiguration(verifyFullOnly(false));

        Outcome o = create(towardsFake("127.0.0.1", "verify-full"));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("not signed by a CA in the RDS CA bundle").contains("Connections.ExtraCaCertificates");
        assertThat(fake.connections()).isPositive();
        assertThat(fake.received()).doesNotContain(PASSWORD_VALUE).doesNotContain(USER_VALUE);
    }

    @Test
    void verifyFullSendsNoLoginToATrustedCertificateForAnotherHost() throws Exception {
        fake = new FakePostgres(certs.serverContext());
        driver.withTypeConfiguration(verifyFullOnly(true));

        Outcome o = create(towardsFake("localhost", "verify-full"));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("does not name the host 'localhost'");
        assertThat(fake.received()).doesNotContain(PASSWORD_VALUE).doesNotContain(USER_VALUE);
    }

    /** The control: the fake server does collect a login once the server proved its name, so the tests above can fail. */
    @Test
    void aServerThatProvedItsNameGetsTheLogin() throws Exception {
        fake = new FakePostgres(certs.serverContext());
        driver.withTypeConfiguration(verifyFullOnly(true));

        Outcome o = create(towardsFake("127.0.0.1", "verify-full"));

        assertThat(fake.received()).contains(USER_VALUE).contains(PASSWORD_VALUE);
        assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidCredentials");
        assertThat(o.message()).contains(USER_PARAM).doesNotContain(USER_VALUE).doesNotContain(PASSWORD_VALUE);
    }
}
