package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.engine.IamAuthTokens;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

import java.io.File;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials.IamUsername in Direct mode: the handler signs an IAM database authentication token with the
 * credentials CloudFormation handed it (the execution role's) for the template's host, port and user, and logs
 * in with it over TLS verify-full; nothing is read from SSM. A real PostgreSQL with TLS stands in for RDS: the
 * user's SCRAM password is the token RdsUtilities (the SDK's RDS client, a test-only oracle) makes for the same
 * credentials, clock, host, port and user, so the login works only if the type's token is exactly that.
 */
class IamAuthenticationTest extends AbstractHandlerTest {
    static final String IAM_USER = "app_migrator";
    /** The driver's placeholder callerCredentials, which the rpdk proxy hands the handlers. */
    static final AwsCredentials CALLER = AwsSessionCredentials.create("AKIDLOCALDRIVER", "local-driver-secret",
            "local-driver-session");
    static final Instant NOW = Instant.parse("2026-03-01T10:07:31Z");
    /** The start of NOW's five-minute window: what the type signs as of. */
    static final Instant SIGNED_AT = Instant.parse("2026-03-01T10:05:00Z");
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static TestCertificates certs;
    private static EmbeddedPostgres rds;

    @BeforeAll
    static void startTlsServer() throws Exception {
        certs = TestCertificates.create();
        File base = new File("target/embedded-pg-iam/" + ProcessHandle.current().pid());
        rds = certs.startServer(base);
        // The IAM user logs in with a password, as RDS checks its token; the test's own set-up stays trusted.
        Files.writeString(new File(base, "data/pg_hba.conf").toPath(), "local all all trust\n"
                + "hostssl all " + IAM_USER + " 127.0.0.1/32 scram-sha-256\nhost all " + IAM_USER + " all reject\n"
                + "host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
        sql("postgres", "SELECT pg_reload_conf()");
        sql("postgres", "SET password_encryption = 'scram-sha-256'; CREATE ROLE " + IAM_USER + " LOGIN");
    }

    @AfterAll
    static void stopTlsServer() throws Exception {
        if (rds != null) {
            rds.close();
        }
    }

    static void sql(String database, String statement) throws Exception {
        try (Connection c = rds.getDatabase("postgres", database).getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /**
     * The token the type signs, after checking it is what RdsUtilities signs for the same inputs: the same host,
     * port and path, the same query parameters and signature (the two SDK signers list the parameters in another
     * order, which SigV4 does not care about; a stand-in server comparing passwords does).
     */
    static String checkedToken(AwsCredentials credentials, String host, int port, String user) throws Exception {
        String ours = IamAuthTokens.token(credentials, "us-east-1", host, port, user, Clock.fixed(NOW, ZoneOffset.UTC));
        String oracle = oracleToken(credentials, SIGNED_AT, host, port, user);
        assertThat(ours.substring(0, ours.indexOf('?'))).isEqualTo(oracle.substring(0, oracle.indexOf('?')));
        assertThat(queryOf(ours)).isEqualTo(queryOf(oracle));
        return ours;
    }

    static java.util.Map<String, String> queryOf(String token) {
        java.util.Map<String, String> query = new java.util.TreeMap<>();
        for (String pair : token.substring(token.indexOf('?') + 1).split("&")) {
            query.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        return query;
    }

    /** What RdsUtilities makes, with its clock fixed (its builder has no clock, its constructor does). */
    static String oracleToken(AwsCredentials credentials, Instant at, String host, int port, String user) throws Exception {
        Class<?> builderType = Class.forName("software.amazon.awssdk.services.rds.DefaultRdsUtilities$DefaultBuilder");
        RdsUtilities.Builder builder = RdsUtilities.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(credentials));
        var constructor = Class.forName("software.amazon.awssdk.services.rds.DefaultRdsUtilities")
                .getDeclaredConstructor(builderType, Clock.class);
        constructor.setAccessible(true);
        RdsUtilities rdsUtilities = (RdsUtilities) constructor.newInstance(builder, Clock.fixed(at, ZoneOffset.UTC));
        return rdsUtilities.generateAuthenticationToken(r -> r.hostname(host).port(port).username(user));
    }

    private String newDatabaseOwnedByTheIamUser() throws Exception {
        String name = "iam" + DATABASES.incrementAndGet();
        sql("postgres", "CREATE DATABASE " + name + " OWNER " + IAM_USER);
        return name;
    }

    private ObjectNode iamModel(String db, String host, String sslMode) {
        ObjectNode m = model("2");
        ObjectNode d = (ObjectNode) m.get("Database");
        d.put("Host", host).put("Port", rds.getPort()).put("Name", db);
        if (sslMode == null) {
            d.remove("SslMode");
        } else {
            d.put("SslMode", sslMode);
        }
        m.putObject("Credentials").put("IamUsername", IAM_USER);
        return m;
    }

    /** The admin binds the IAM user to the server and trusts its CA (the RDS CA's stand-in). */
    private ObjectNode boundTo(String host) throws Exception {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        ObjectNode b = c.putObject("Credentials").putArray("Bindings").addObject();
        b.putArray("IamUsers").add(IAM_USER);
        b.putArray("Hosts").add(host);
        ObjectNode connections = c.putObject("Connections");
        connections.put("ExtraCaCertificates", Files.readString(certs.caPem));
        connections.putArray("AllowedSslModes").add("verify-full").add("disable");
        return c;
    }

    private void assertNoToken(Outcome o, String token) {
        String everything = String.join("\n", handlerLog) + "\n" + events + "\n" + o.response();
        assertThat(everything).doesNotContain(token)
                .doesNotContain("X-Amz-Signature=").doesNotContain("local-driver-secret").doesNotContain("local-driver-session");
    }

    @Test
    void theTokenIsWhatRdsUtilitiesMakes() throws Exception {
        AwsCredentials basic = AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        for (AwsCredentials credentials : new AwsCredentials[] {basic, CALLER}) {
            String ours = checkedToken(credentials, "orders.cluster-abc.us-east-1.rds.amazonaws.com", 5432, IAM_USER);
            assertThat(queryOf(ours)).containsEntry("X-Amz-Date", "20260301T100500Z").containsKey("X-Amz-Signature");
            assertThat(ours).startsWith("orders.cluster-abc.us-east-1.rds.amazonaws.com:5432/?").contains("Action=connect")
                    .contains("DBUser=" + IAM_USER).contains("X-Amz-Expires=900").contains("%2Frds-db%2Faws4_request");
        }
    }

    @Test
    void theEmbeddedServerAcceptsTheTokenSignedWithTheExecutionRolesCredentials() throws Exception {
        String token = checkedToken(CALLER, "127.0.0.1", rds.getPort(), IAM_USER);
        sql("postgres", "SET password_encryption = 'scram-sha-256'; ALTER ROLE " + IAM_USER + " PASSWORD '" + token + "'");
        useClock(Clock.fixed(NOW, ZoneOffset.UTC));
        driver.withTypeConfiguration(boundTo("127.0.0.1"));
        String db = newDatabaseOwnedByTheIamUser();

        Outcome o = create(iamModel(db, "127.0.0.1", null));

        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
        assertThat(o.model().path("AppliedVersion").asText()).isEqualTo("2");
        assertThat(ssm().requests()).as("no login read from SSM").noneMatch(r -> r.contains("GetParameter\""));
        assertNoToken(o, token);
        assertThat(handlerLog).as("the proxy's record of the credentials' injection says it sent nothing")
                .anyMatch(l -> l.contains("none, not sent: the execution role's credentials for an IAM database token"));
    }

    /** A token is a login for one host, port and user: one signed for another port does not log in here. */
    @Test
    void theTokenIsBoundToHostPortAndUser() throws Exception {
        int otherPort = rds.getPort() + 1;
        String forAnotherPort = checkedToken(CALLER, "127.0.0.1", otherPort, IAM_USER);
        String signature = queryOf(forAnotherPort).get("X-Amz-Signature");
        assertThat(queryOf(checkedToken(CALLER, "127.0.0.1", rds.getPort(), IAM_USER))).doesNotContainValue(signature);
        assertThat(queryOf(checkedToken(CALLER, "localhost", otherPort, IAM_USER))).doesNotContainValue(signature);
        assertThat(queryOf(checkedToken(CALLER, "127.0.0.1", otherPort, "app_other"))).doesNotContainValue(signature);
        sql("postgres", "SET password_encryption = 'scram-sha-256'; ALTER ROLE " + IAM_USER + " PASSWORD '" + forAnotherPort + "'");
        useClock(Clock.fixed(NOW, ZoneOffset.UTC));
        driver.withTypeConfiguration(boundTo("127.0.0.1"));
        String db = newDatabaseOwnedByTheIamUser();

        Outcome o = create(iamModel(db, "127.0.0.1", "verify-full"));

        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidCredentials");
        assertThat(o.message()).contains("IAM database login of user " + IAM_USER).contains("127.0.0.1:" + rds.getPort())
                .contains("rds-db:connect");
        assertNoToken(o, forAnotherPort);
    }

    @Test
    void anIamLoginTravelsOnlyOverVerifyFull() throws Exception {
        driver.withTypeConfiguration(boundTo("127.0.0.1"));

        Outcome o = create(iamModel(newDatabaseOwnedByTheIamUser(), "127.0.0.1", "disable"));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.IamUsername needs Database.SslMode verify-full");
    }

    @Test
    void anIamUserTheAdminDidNotBindToTheServerIsRefused() throws Exception {
        driver.withTypeConfiguration(boundTo("orders.cluster-abc.eu-west-1.rds.amazonaws.com"));

        Outcome o = create(iamModel(newDatabaseOwnedByTheIamUser(), "127.0.0.1", null));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.IamUsername " + IAM_USER + " is not bound to Database.Host 127.0.0.1");
    }

    @Test
    void withoutATypeConfigurationNoIamLoginIsMade() throws Exception {
        driver.withTypeConfiguration(null);

        Outcome o = create(iamModel(newDatabaseOwnedByTheIamUser(), "127.0.0.1", null));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.IamUsername " + IAM_USER + " is not bound");
    }

    @Test
    void anIamUserBesideParametersIsRefused() throws Exception {
        driver.withTypeConfiguration(boundTo("127.0.0.1"));
        ObjectNode m = iamModel(newDatabaseOwnedByTheIamUser(), "127.0.0.1", null);
        ((ObjectNode) m.get("Credentials")).put("UsernameParameter", USER_PARAM).put("PasswordParameter", PASSWORD_PARAM);

        Outcome o = create(m);

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
    }
}
