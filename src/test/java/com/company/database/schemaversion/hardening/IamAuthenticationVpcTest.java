package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.local.LocalLambda;
import com.company.database.schemaversion.testing.TestModels;
import com.company.database.schemaversion.vpc.AbstractVpcRunnerTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

import java.nio.file.Files;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials.IamUsername in VpcRunner mode: the runner signs the token with its own role's credentials (what
 * Lambda gives the function), not the handler's, and sends it only over verify-full. A fake PostgreSQL with a
 * certificate for 127.0.0.1 (trusted through the admin's ExtraCaCertificates, which travel in the runner's
 * code) keeps the password it is sent: that password must be exactly the token RdsUtilities makes with the
 * runner's credentials for that host, port and user at the time the token names.
 */
class IamAuthenticationVpcTest extends AbstractVpcRunnerTest {
    private static TestCertificates certs;
    private FakePostgres fake;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create();
    }

    @AfterEach
    void stopFake() throws Exception {
        if (fake != null) {
            fake.close();
        }
    }

    @Test
    void theRunnerSignsTheTokenWithItsOwnRoleForTheConfiguredHostPortAndUser() throws Exception {
        fake = new FakePostgres(certs.serverContext());
        ObjectNode c = TestModels.testAccount();
        ObjectNode binding = ((com.fasterxml.jackson.databind.node.ArrayNode) c.path("Credentials").path("Bindings")).addObject();
        binding.putArray("IamUsers").add(IamAuthenticationTest.IAM_USER);
        binding.putArray("Hosts").add("127.0.0.1");
        ((ObjectNode) c.get("Connections")).put("ExtraCaCertificates", Files.readString(certs.caPem));
        driver.withTypeConfiguration(c);
        ObjectNode m = vpcModel("2");
        ((ObjectNode) m.get("Database")).put("Port", fake.port()).remove("SslMode");
        m.putObject("Credentials").put("IamUsername", IamAuthenticationTest.IAM_USER);

        Outcome o = create(m);

        assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidCredentials");
        assertThat(o.message()).contains("IAM database login of user " + IamAuthenticationTest.IAM_USER)
                .contains("signed by the runner role");
        Matcher sent = Pattern.compile("127\\.0\\.0\\.1:" + fake.port() + "/\\?[^\\x00]+").matcher(fake.received());
        assertThat(sent.find()).as("the runner sent a token: " + fake.received()).isTrue();
        String token = sent.group();
        Map<String, String> query = IamAuthenticationTest.queryOf(token);
        assertThat(query.get("X-Amz-Credential")).startsWith(LocalLambda.RUNNER_ACCESS_KEY + "%2F")
                .as("not the handler's credentials").doesNotContain("AKIDLOCALDRIVER");
        Instant signedAt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                .parse(query.get("X-Amz-Date"), Instant::from);
        String oracle = IamAuthenticationTest.oracleToken(AwsBasicCredentials.create(LocalLambda.RUNNER_ACCESS_KEY,
                LocalLambda.RUNNER_SECRET_KEY), signedAt, "127.0.0.1", fake.port(), IamAuthenticationTest.IAM_USER);
        assertThat(query).isEqualTo(IamAuthenticationTest.queryOf(oracle));
        assertThat(ssm().requests()).as("no login read from SSM").noneMatch(r -> r.contains("\"/orders/db/"));
        String everything = String.join("\n", handlerLog) + "\n" + events + "\n" + o.response() + "\n"
                + String.join("\n", lambda().runnerLog());
        assertThat(everything).doesNotContain(token).doesNotContain(query.get("X-Amz-Signature"))
                .doesNotContain(LocalLambda.RUNNER_SECRET_KEY);
    }

    @Test
    void theRunnerRefusesAnIamLoginWithoutVerifyFull() throws Exception {
        ObjectNode c = TestModels.testAccount();
        ObjectNode binding = ((com.fasterxml.jackson.databind.node.ArrayNode) c.path("Credentials").path("Bindings")).addObject();
        binding.putArray("IamUsers").add(IamAuthenticationTest.IAM_USER);
        binding.putArray("Hosts").add("127.0.0.1");
        driver.withTypeConfiguration(c);
        ObjectNode m = vpcModel("2");
        m.putObject("Credentials").put("IamUsername", IamAuthenticationTest.IAM_USER);

        Outcome o = create(m);

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.IamUsername needs Database.SslMode verify-full");
        assertThat(lambda().functionNames()).isEmpty();
    }
}
