package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.engine.BundledCaSocketFactory;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.company.database.schemaversion.testing.TestModels;

import java.io.File;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS against a real PostgreSQL with ssl=on and a certificate from a test CA. verify-full is the default and
 * trusts only the baked RDS bundle; the test CA is added through the type configuration's
 * Connections.ExtraCaCertificates.
 */
class TlsTest extends AbstractHandlerTest {
    private static TestCertificates certs;
    private static EmbeddedPostgres tlsServer;
    private static int dbCounter;
    private String tlsDatabase;

    @BeforeAll
    static void startTlsServer() throws Exception {
        certs = TestCertificates.create();
        File base = new File("target/embedded-pg-tls/" + ProcessHandle.current().pid());
        tlsServer = certs.startServer(base);
    }

    @AfterAll
    static void stopTlsServer() throws Exception {
        if (tlsServer != null) {
            tlsServer.close();
        }
    }

    private ObjectNode tlsModel(String host, String sslMode) throws Exception {
        if (tlsDatabase == null) {
            tlsDatabase = "tls" + (++dbCounter);
            try (Connection c = tlsServer.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + tlsDatabase);
            }
        }
        ObjectNode m = model("2");
        ObjectNode db = (ObjectNode) m.get("Database");
        db.put("Host", host);
        db.put("Port", tlsServer.getPort());
        db.put("Name", tlsDatabase);
        if (sslMode == null) {
            db.remove("SslMode");
        } else {
            db.put("SslMode", sslMode);
        }
        return m;
    }

    /** The account admin trusts the test CA through the type configuration, as for a self-managed server. */
    private void useTestCa() throws Exception {
        ObjectNode configuration = TestModels.testAccount();
        ((ObjectNode) configuration.get("Connections")).put("ExtraCaCertificates", Files.readString(certs.caPem));
        driver.withTypeConfiguration(configuration);
    }

    @Test
    void theArtifactCarriesTheRdsBundle() throws Exception {
        try (var in = getClass().getClassLoader().getResourceAsStream(BundledCaSocketFactory.BUNDLE_RESOURCE)) {
            assertThat(in).as("RDS CA bundle on the classpath").isNotNull();
            var all = CertificateFactory.getInstance("X.509").generateCertificates(in);
            assertThat(all.size()).isGreaterThan(100);
            assertThat(all.stream().map(c -> ((java.security.cert.X509Certificate) c).getSubjectX500Principal().getName()))
                    .anyMatch(n -> n.contains("Amazon RDS us-east-1 Root CA RSA2048 G1"));
        }
    }

    @Test
    void verifyFullIsTheDefaultAndSucceedsWithTrustedCaAndRightHost() throws Exception {
        useTestCa();
        Outcome o = create(tlsModel("127.0.0.1", null));
        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
        assertThat(o.model().path("AppliedVersion").asText()).isEqualTo("2");
        assertThat(o.model().path("Database").has("SslMode")).isFalse();
    }

    @Test
    void verifyFullRejectsAWrongHostName() throws Exception {
        useTestCa();
        Outcome o = create(tlsModel("localhost", "verify-full"));
        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("does not name the host 'localhost'").contains("SslMode");
        assertThat(o.calls()).as("not retried as if the network were down").isLessThanOrEqualTo(2);
    }

    @Test
    void verifyCaAcceptsAnyHostNameTheCaSigned() throws Exception {
        useTestCa();
        Outcome o = create(tlsModel("localhost", "verify-ca"));
        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
    }

    @Test
    void anUntrustedCaIsRefusedWithVerifyFull() throws Exception {
        Outcome o = create(tlsModel("127.0.0.1", "verify-full"));
        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("not signed by a CA in the RDS CA bundle");
    }

    @Test
    void requireEncryptsWithoutVerification() throws Exception {
        Outcome o = create(tlsModel("localhost", "require"));
        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
    }

    @Test
    void requireRefusesAServerWithoutTls() {
        ObjectNode m = model("2");
        ((ObjectNode) m.get("Database")).put("SslMode", "require");
        Outcome o = create(m);
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("does not offer TLS");
    }

    @Test
    void disableWorksAgainstAServerWithTls() throws Exception {
        Outcome o = create(tlsModel("127.0.0.1", "disable"));
        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
    }

    @Test
    void verifyFullAgainstAServerWithoutTlsSaysSo() throws Exception {
        ObjectNode m = model("2");
        ((ObjectNode) m.get("Database")).put("SslMode", "verify-full");
        Outcome o = create(m);
        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("does not offer TLS");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).containsExactly("0");
    }
}
