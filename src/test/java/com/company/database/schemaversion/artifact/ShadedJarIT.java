package com.company.database.schemaversion.artifact;

import com.company.database.schemaversion.testing.TestLambda;
import com.company.database.schemaversion.testing.KmsEmulator;
import com.company.database.schemaversion.testing.SsmEmulator;
import com.company.database.schemaversion.testing.TestArtifacts;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After 'package': the handler artifact, trimmed (minimizeJar and filters in pom.xml), still does everything
 * CloudFormation asks of it. A new JVM with the shaded jar first on its class path (then only our own classes
 * for the local driver and this probe, no library) runs a lifecycle through the real wrapper in Direct mode and
 * in VpcRunner mode (Lambda emulator; the runner package is built from the jar), an invalid model, and the
 * wrapper's CloudWatch and CloudWatch Logs clients. A class the trimming removed from a path shows here as a
 * failed step or a NoClassDefFoundError.
 */
class ShadedJarIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER_PARAM = "/artifact-it/username";
    private static final String PASSWORD_PARAM = "/artifact-it/password";
    private static SsmEmulator ssm;
    private static KmsEmulator kms;
    private static TestLambda lambda;
    private static Path handlerJar;
    private static Path work;

    @BeforeAll
    static void start() throws IOException {
        handlerJar = TestArtifacts.handlerJar();
        work = Files.createDirectories(Path.of("target", "shaded-jar-it").toAbsolutePath());
        ssm = new SsmEmulator();
        kms = new KmsEmulator();
        ssm.put(USER_PARAM, "String", TestDatabase.USER);
        ssm.put(PASSWORD_PARAM, "SecureString", TestDatabase.PASSWORD);
        lambda = TestLambda.shared();
        // The emulated runner runs in this JVM and reads the login from the same SSM emulator.
        lambda.hostRunnersReading(ssm.endpoint());
        lambda.reset();
        lambda.setPolls(1, 1, 1);
    }

    @AfterAll
    static void stop() {
        lambda.awaitIdle();
        ssm.close();
        kms.close();
    }

    private static ObjectNode model(String database) {
        ObjectNode m = TestModels.onTestDatabase(database, USER_PARAM, PASSWORD_PARAM);
        m.put("MigrationSet", "orders");
        m.putObject("Placeholders").put("AppRole", "orders_app");
        m.put("TargetVersion", "latest");
        m.putObject("Timeouts").put("ConnectWaitMinutes", 0);
        return m;
    }

    @Test
    void everyServiceProviderTheJarNamesIsInTheJarAndNoSignatureIs() throws IOException {
        try (ZipFile jar = new ZipFile(handlerJar.toFile())) {
            List<String> names = Collections.list(jar.entries()).stream().map(ZipEntry::getName).toList();
            assertThat(names).noneMatch(n -> n.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"));
            List<String> services = names.stream().filter(n -> n.startsWith("META-INF/services/") && !n.endsWith("/")).toList();
            assertThat(services).contains("META-INF/services/java.sql.Driver",
                    "META-INF/services/org.flywaydb.core.extensibility.Plugin",
                    "META-INF/services/software.amazon.awssdk.http.SdkHttpService");
            for (String service : services) {
                String providers = new String(jar.getInputStream(jar.getEntry(service)).readAllBytes(), StandardCharsets.UTF_8);
                providers.lines().map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty()).forEach(provider ->
                        assertThat(jar.getEntry(provider.replace('.', '/') + ".class"))
                                .as(service + " names " + provider + ", which minimizeJar must keep").isNotNull());
            }
        }
    }

    @Test
    void theShadedJarRunsTheLifecycleInBothModesAndTheWrappersClients() throws Exception {
        Path direct = Files.writeString(work.resolve("direct-model.json"), JSON.writeValueAsString(model(TestDatabase.newDatabase())));
        ObjectNode vpc = model(TestDatabase.newDatabase());
        ObjectNode x = vpc.putObject("Execution");
        x.put("Mode", "VpcRunner");
        x.putArray("SubnetIds").add("subnet-0a1b2c3d4e5f60718");
        x.putArray("SecurityGroupIds").add("sg-0a1b2c3d4e5f60718");
        x.put("RoleArn", "arn:aws:iam::123456789012:role/schemaversion-runner");
        Path vpcModel = Files.writeString(work.resolve("vpc-model.json"), JSON.writeValueAsString(vpc));

        Path tmp = Files.createDirectories(work.resolve("tmp"));
        String ownClasses = Path.of("target", "test-classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target", "classes").toAbsolutePath();
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "-Djava.io.tmpdir=" + tmp, "-Daws.endpointUrlSsm=" + ssm.endpoint(),
                "-Daws.endpointUrlKms=" + kms.endpoint(),
                "-Daws.endpointUrlLambda=" + lambda.endpoint(), "-Daws.region=us-east-1",
                "-cp", handlerJar + File.pathSeparator + ownClasses,
                ShadedJarProbe.class.getName(), direct.toString(), vpcModel.toString());
        Path out = work.resolve("probe.out");
        Path err = work.resolve("probe.err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("probe finished").isTrue();
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        System.out.println(stdout);
        assertThat(stderr).as("stderr of the probe").doesNotContain("NoClassDefFoundError", "ClassNotFoundException",
                "ServiceConfigurationError", "LinkageError", "VerifyError");
        assertThat(p.exitValue()).as(stdout + stderr).isZero();

        Map<String, String> steps = new LinkedHashMap<>();
        stdout.lines().filter(l -> l.startsWith("STEP ")).forEach(l -> {
            String[] parts = l.split(" ", 3);
            steps.put(parts[1], parts[2]);
        });
        assertThat(steps.keySet()).containsExactly("invalid", "create", "update", "read", "list", "delete",
                "vpc-create", "vpc-read", "vpc-delete", "wrapper-clients");
        assertThat(steps.get("invalid")).startsWith("FAILED InvalidRequest");
        assertThat(steps.get("create")).startsWith("SUCCESS null 3");
        assertThat(steps.get("update")).startsWith("SUCCESS null 7");
        assertThat(steps.get("read")).startsWith("SUCCESS null 7");
        assertThat(steps.get("list")).startsWith("SUCCESS");
        assertThat(steps.get("delete")).startsWith("SUCCESS");
        assertThat(steps.get("vpc-create")).startsWith("SUCCESS null 7");
        assertThat(steps.get("vpc-read")).startsWith("SUCCESS null 7");
        assertThat(steps.get("vpc-delete")).startsWith("SUCCESS");
        assertThat(steps.get("wrapper-clients")).startsWith("2 ");

        // The runner function got the package the jar built, and its code id.
        assertThat(lambda.calls()).anyMatch(c -> c.startsWith("POST CreateFunction"));
        assertThat(lambda.invocationPayloads()).isNotEmpty();
        assertThat(lambda.calls().stream().filter(c -> c.contains("DeleteFunction")).collect(Collectors.toList())).hasSize(1);
    }
}
