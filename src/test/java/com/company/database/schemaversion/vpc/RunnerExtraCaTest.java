package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.aws.SsmRecordStore;
import com.company.database.schemaversion.hardening.TestCertificates;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.local.LambdaHooks.Invocation;
import com.company.database.schemaversion.runner.RunnerConfig;
import com.company.database.schemaversion.runner.RunnerEntrypoint;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The type configuration's Connections.ExtraCaCertificates in VpcRunner mode: the handler puts them into the runner
 * function's deployment package (certs/extra-ca.pem), so the CodeSha256 it checks before every invocation covers
 * them. A real PostgreSQL with TLS and a certificate from a private CA, the real runner in the Lambda emulator, which
 * hands the runner the files of the function's own package as Lambda's class path would.
 */
class RunnerExtraCaTest extends AbstractVpcRunnerTest {
    private static TestCertificates serverCa;
    private static TestCertificates otherCa;
    private static EmbeddedPostgres tlsServer;
    private static int databases;
    private String tlsDatabase;
    private LambdaClient attacker;

    @BeforeAll
    static void startTlsServer() throws Exception {
        serverCa = TestCertificates.create("vpc-server-ca");
        otherCa = TestCertificates.create("vpc-other-ca");
        File base = new File("target/embedded-pg-tls-vpc/" + ProcessHandle.current().pid());
        tlsServer = serverCa.startServer(base);
    }

    @AfterAll
    static void stopTlsServer() throws Exception {
        if (tlsServer != null) {
            tlsServer.close();
        }
    }

    @BeforeEach
    void setUpAttacker() {
        attacker = LambdaClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(java.net.URI.create(lambda().endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAATTACKER", "attacker")))
                .build();
    }

    @AfterEach
    void tearDownAttacker() {
        attacker.close();
    }

    @Test
    void aServerSignedByAPrivateCaIsRefusedWithoutExtraCaCertificates() throws Exception {
        Outcome created = create(tlsModel("2"));

        assertThat(created.errorCode()).as(created.message()).isEqualTo("InvalidRequest");
        assertThat(created.message()).contains("not signed by a CA in the RDS CA bundle");
        assertThat(lambda().invocations()).isNotEmpty().allSatisfy(i ->
                assertThat(i.codeSha256()).isEqualTo(runnerCode().codeSha256()));
        assertThat(tlsHistory()).isEmpty();
    }

    @Test
    void withTheAdminsExtraCaCertificatesTheRunnerReachesItAndItsPackageCarriesThem() throws Exception {
        String pem = trust(serverCa);

        Outcome created = create(tlsModel("2"));

        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(tlsHistory()).containsExactly("1", "2");
        String function = functionOf(created.model().path("Id").asText());
        String withBundle = runnerCode().withExtraCa(pem).codeSha256();
        assertThat(withBundle).isNotEqualTo(runnerCode().codeSha256());
        assertThat(lambda().configuration(function).path("CodeSha256").asText()).isEqualTo(withBundle);
        // The package is this version's, plus exactly the configured bundle at the runner's entry.
        TreeMap<String, String> files = files(lambda().code(function));
        assertThat(files).containsEntry(RunnerEntrypoint.EXTRA_CA_ENTRY, pem);
        files.remove(RunnerEntrypoint.EXTRA_CA_ENTRY);
        assertThat(files).isEqualTo(files(runnerCode().zip()));
        assertThat(lambda().invocations()).isNotEmpty().allSatisfy(i -> assertThat(i.codeSha256()).isEqualTo(withBundle));
        // Not in the environment (which could not hold it) nor in any payload.
        assertThat(lambda().environment(function)).containsOnlyKeys("JAVA_TOOL_OPTIONS", RunnerConfig.CONFIG_VARIABLE,
                com.company.database.schemaversion.runner.ConfiguredPolicy.POLICY_VARIABLE);
        assertThat(lambda().environment(function).values()).noneMatch(v -> v.contains("BEGIN CERTIFICATE"));
        assertThat(lambda().invocationPayloads()).noneMatch(p -> p.contains("BEGIN CERTIFICATE"));
        JsonNode record = JSON.readTree(ssm().get(SsmRecordStore.nameOf(created.model().path("Id").asText())).value());
        assertThat(record.path("runnerCode").asText()).isEqualTo(withBundle);
        assertThat(record.path("runnerExtraCa").asText()).isEqualTo(LambdaRunnerPackage.digestOf(pem));
    }

    @Test
    void withoutExtraCaCertificatesThePackageCarriesNone() {
        Outcome created = create(vpcModel("2"));

        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String function = functionOf(created.model().path("Id").asText());
        assertThat(files(lambda().code(function))).doesNotContainKey(RunnerEntrypoint.EXTRA_CA_ENTRY);
        assertThat(lambda().configuration(function).path("CodeSha256").asText())
                .isEqualTo(runnerCode().codeSha256());
    }

    @Test
    void codeCarryingAnotherBundleIsRefusedByTheCodeSha256CheckAndPutBack() throws Exception {
        String pem = trust(serverCa);
        Outcome created = create(tlsModel("2"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        String function = functionOf(id);
        // Someone who may update the function's code uploads the very runner, trusting a CA of their own as well.
        byte[] forged = runnerCode().withExtraCa(Files.readString(otherCa.caPem) + pem).zip();
        attacker.updateFunctionCode(b -> b.functionName(function).zipFile(SdkBytes.fromByteArray(forged)));
        settled(function);
        assertThat(files(lambda().code(function)).get(RunnerEntrypoint.EXTRA_CA_ENTRY)).contains(Files.readString(otherCa.caPem));
        int before = lambda().invocations().size();

        Outcome read = read(JSON.createObjectNode().put("Id", id));

        assertThat(read.errorCode()).as(read.message()).isEqualTo("GeneralServiceException");
        assertThat(read.message()).contains("not as this type version configured it").contains("code");
        assertThat(lambda().invocations()).hasSize(before);

        ObjectNode next = tlsModel("3").put("Id", id);
        Outcome updated = update(next, created.model());

        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(lambda().count("UpdateFunctionCode")).as("the forger's, then the handler's").isEqualTo(2);
        String ours = runnerCode().withExtraCa(pem).codeSha256();
        assertThat(lambda().invocations().subList(before, lambda().invocations().size()))
                .isNotEmpty().allSatisfy(i -> assertThat(i.codeSha256()).isEqualTo(ours));
        assertThat(files(lambda().code(function))).containsEntry(RunnerEntrypoint.EXTRA_CA_ENTRY, pem);
        assertThat(tlsHistory()).containsExactly("1", "2", "3");
    }

    @Test
    void aChangedBundleIsRefusedByReadAndTakenUpByTheNextUpdate() throws Exception {
        String first = trust(serverCa);
        Outcome created = create(tlsModel("2"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        String function = functionOf(id);

        // The admin replaces the server's CA with another one (say it was compromised).
        String second = trust(otherCa);
        int before = lambda().invocations().size();
        Outcome read = read(JSON.createObjectNode().put("Id", id));
        assertThat(read.errorCode()).as(read.message()).isEqualTo("GeneralServiceException");
        assertThat(read.message()).contains("Connections.ExtraCaCertificates").contains("changed them since")
                .contains("update the stack");
        assertThat(lambda().invocations()).as("the runner that still trusts the removed CA is not invoked").hasSize(before);

        ObjectNode to3 = tlsModel("3").put("Id", id);
        Outcome refused = update(to3, created.model());
        assertThat(refused.errorCode()).as(refused.message()).isEqualTo("InvalidRequest");
        assertThat(refused.message()).contains("not signed by a CA");
        assertThat(lambda().count("UpdateFunctionCode")).isEqualTo(1);
        assertThat(files(lambda().code(function))).containsEntry(RunnerEntrypoint.EXTRA_CA_ENTRY, second);
        assertThat(lambda().invocations().subList(before, lambda().invocations().size())).isNotEmpty()
                .allSatisfy(i -> assertThat(i.codeSha256()).isEqualTo(runnerCode().withExtraCa(second).codeSha256()));
        assertThat(tlsHistory()).containsExactly("1", "2");

        // Both CAs: the next Update uploads that bundle and reaches the server.
        String both = trust(otherCa, serverCa);
        Outcome updated = update(to3, created.model());
        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(lambda().count("UpdateFunctionCode")).isEqualTo(2);
        assertThat(files(lambda().code(function))).containsEntry(RunnerEntrypoint.EXTRA_CA_ENTRY, both);
        assertThat(tlsHistory()).containsExactly("1", "2", "3");
        assertThat(read(JSON.createObjectNode().put("Id", id)).status()).isEqualTo("SUCCESS");
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void aReadTrustsTheRecordedRunnerWithoutExtraCertificatesAfterTheAdminAddsSome() throws Exception {
        Outcome created = create(vpcModel("2"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String id = created.model().path("Id").asText();
        String function = functionOf(id);
        String without = runnerCode().codeSha256();

        // It trusts only the baked RDS bundle, which the new configuration trusts too: nothing the admin removed.
        String pem = trust(serverCa);
        int before = lambda().invocations().size();
        Outcome read = read(JSON.createObjectNode().put("Id", id));

        assertThat(read.status()).as(read.message()).isEqualTo("SUCCESS");
        assertThat(read.model().path("AppliedVersion").asText()).isEqualTo("2");
        assertThat(lambda().invocations().subList(before, lambda().invocations().size()))
                .isNotEmpty().allSatisfy(i -> assertThat(i.codeSha256()).isEqualTo(without));

        ObjectNode to3 = vpcModel("3").put("Id", id);
        Outcome updated = update(to3, created.model());
        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(files(lambda().code(function))).containsEntry(RunnerEntrypoint.EXTRA_CA_ENTRY, pem);
    }

    @Test
    void deleteWithCleanBringsTheBundleUpToDateBeforeItCleans() throws Exception {
        trust(serverCa);
        ObjectNode model = tlsModel("2");
        model.put("OnDelete", "Clean");
        Outcome created = create(model);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        String both = trust(otherCa, serverCa);

        Outcome deleted = delete(JSON.createObjectNode().put("Id", created.model().path("Id").asText()));

        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        List<Invocation> cleans = lambda().invocations().stream().filter(i -> i.payload().contains("\"op\":\"clean\"")).toList();
        assertThat(cleans).hasSize(1);
        assertThat(cleans.get(0).codeSha256()).isEqualTo(runnerCode().withExtraCa(both).codeSha256());
        assertThat(tlsHistory()).isEmpty();
        assertThat(lambda().functionNames()).isEmpty();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** The admin sets Connections.ExtraCaCertificates to these CAs (none: removes it); returns the PEM bundle. */
    private String trust(TestCertificates... cas) throws IOException {
        StringBuilder pem = new StringBuilder();
        for (TestCertificates ca : cas) {
            pem.append(Files.readString(ca.caPem));
        }
        ObjectNode configuration = TestModels.testAccount();
        if (cas.length > 0) {
            ((ObjectNode) configuration.get("Connections")).put("ExtraCaCertificates", pem.toString());
        }
        driver.withTypeConfiguration(configuration);
        return pem.toString();
    }

    /** A resource on the TLS server, with the default SslMode verify-full. */
    private ObjectNode tlsModel(String target) throws Exception {
        if (tlsDatabase == null) {
            tlsDatabase = "vpctls" + (++databases);
            try (Connection c = tlsServer.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + tlsDatabase);
            }
        }
        ObjectNode m = vpcModel(target);
        ObjectNode db = (ObjectNode) m.get("Database");
        db.put("Port", tlsServer.getPort());
        db.put("Name", tlsDatabase);
        db.remove("SslMode");
        return m;
    }

    private List<String> tlsHistory() throws Exception {
        List<String> out = new ArrayList<>();
        if (tlsDatabase == null) {
            return out;
        }
        try (Connection c = tlsServer.getDatabase("postgres", tlsDatabase).getConnection();
             Statement s = c.createStatement()) {
            try (ResultSet exists = s.executeQuery("SELECT to_regclass('public.flyway_schema_history') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return out;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT version FROM public.flyway_schema_history WHERE success AND"
                    + " version IS NOT NULL ORDER BY installed_rank")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** A deployment package's files and their text. */
    private static TreeMap<String, String> files(byte[] zip) {
        TreeMap<String, String> out = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.isDirectory()) {
                    out.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private void settled(String function) {
        for (int i = 0; i < 20; i++) {
            if (attacker.getFunction(b -> b.functionName(function)).configuration().lastUpdateStatus()
                    != LastUpdateStatus.IN_PROGRESS) {
                return;
            }
        }
        throw new IllegalStateException("update of " + function + " never finished");
    }
}
