package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.engine.LoginBindings;
import com.company.database.schemaversion.local.LocalEcs;
import com.company.database.schemaversion.testing.SsmEmulator;
import com.company.database.schemaversion.testing.TestArtifacts;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After 'package': the image written from the real handler jar, extracted by the layout reader and started with its
 * own entry point as a process of its own (the host's java standing in for the JRE base, as in the local ECS), runs
 * an APPLY step on the embedded PostgreSQL with the login it reads from SSM; armed for other code, it refuses.
 */
class RunnerImageIT {
    private static final String USER_PARAM = "/app/orders/db-user";
    private static final String PASSWORD_PARAM = "/app/orders/db-password";
    private static SsmEmulator ssm;
    private static LambdaRunnerPackage runnerPackage;
    private static RunnerImage image;
    private static Path rootfs;

    @BeforeAll
    static void writeAndExtractTheImage() throws Exception {
        runnerPackage = LambdaRunnerPackage.of(TestArtifacts.handlerJar());
        image = RunnerImage.of(runnerPackage);
        Path work = Files.createDirectories(Path.of("target", "runner-image-it"));
        try (Stream<Path> old = Files.walk(work)) {
            old.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(work)).forEach(p -> p.toFile().delete());
        }
        image.writeLayout(work.resolve("layout"));
        rootfs = work.resolve("rootfs");
        RunnerImage.read(work.resolve("layout"), image.manifestDigest()).extractTo(rootfs);
        System.out.println("Runner image: layer " + image.appLayerTarGz().length + " bytes, manifest " + image.manifestDigest());
        ssm = new SsmEmulator();
    }

    @AfterAll
    static void close() {
        ssm.close();
    }

    @Test
    void theImageIsTheSameEveryTimeAndItsFilesHaveTheHandlersCodeId() throws IOException {
        assertThat(RunnerImage.of(LambdaRunnerPackage.of(TestArtifacts.handlerJar())).manifestDigest())
                .isEqualTo(image.manifestDigest());
        Path code = rootfs.resolve(RunnerImage.CODE_ROOT.substring(1));
        assertThat(RunnerTask.ownCodeId(code)).isEqualTo(runnerPackage.codeId()).isEqualTo(image.codeId());
        assertThat(code.resolve(RunnerEntrypoint.EXTRA_CA_ENTRY)).doesNotExist();
        assertThat(code.resolve("com/company/database/schemaversion/runner/RunnerTask.class")).exists();
    }

    @Test
    void theEntryPointAppliesAStepArmedForItsCodeAndRefusesOneArmedForOther() throws Exception {
        String database = TestDatabase.newDatabase();
        String user = "task_" + database;
        String password = "pw-" + RunnerProtocol.newToken();
        TestDatabase.execute(database, "CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'; GRANT ALL ON DATABASE "
                + database + " TO " + user);
        ssm.put(USER_PARAM, "SecureString", user);
        ssm.put(PASSWORD_PARAM, "SecureString", password);

        String other = "0".repeat(64);
        Run refused = runStep(database, "refused-1", other);
        assertThat(refused.exit).as(refused.log).isZero();
        assertThat(refused.outcome.path("error").path("message").asText()).contains(other).contains(image.codeId());
        assertThat(ssm.requests()).noneMatch(r -> r.contains(USER_PARAM) || r.contains(PASSWORD_PARAM));

        Run applied = runStep(database, "applied-1", runnerPackage.codeId());
        assertThat(applied.exit).as(applied.log).isZero();
        assertThat(applied.outcome.path("ok").asBoolean()).as(applied.outcome.toString()).isTrue();
        assertThat(TestDatabase.query(database, "SELECT version FROM app.flyway_schema_history WHERE success"
                + " AND version IS NOT NULL ORDER BY installed_rank")).containsExactly("1", "2", "3");
        assertThat(applied.log).contains("step applied-1 outcome: ok").doesNotContain(password);
    }

    private record Run(int exit, String log, JsonNode outcome) {
    }

    private Run runStep(String database, String stepId, String armedCode) throws Exception {
        String token = RunnerProtocol.newToken();
        ssm.put(RunnerProtocol.stepParameter(stepId), "String", new String(RunnerProtocol.bytes(RunnerProtocol.armed(
                RunnerProtocol.Op.APPLY, RunnerProtocol.digest(token), armedCode)), StandardCharsets.UTF_8));
        RunnerConfig config = new RunnerConfig("127.0.0.1", TestDatabase.port(), database, "disable", USER_PARAM,
                PASSWORD_PARAM, null, "app", "orders", Map.of("AppRole", "orders_app"), 10, 600, "3", null, null);
        Map<String, String> env = new HashMap<>(config.environment(null));
        env.putAll(new ConfiguredPolicy(List.of("/app/"), null, List.of("disable"), List.of(new LoginBindings.Binding(
                List.of(USER_PARAM, PASSWORD_PARAM), null, List.of("127.0.0.1"), null))).environment());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIDTASKROLE");
        env.put("AWS_SECRET_ACCESS_KEY", "task-role-secret");
        env.put("AWS_ENDPOINT_URL_SSM", ssm.endpoint());
        env.put(RunnerTask.REQUEST_VARIABLE, new String(RunnerProtocol.encode(new RunnerProtocol.Request(
                RunnerProtocol.Op.APPLY, stepId, "3", Instant.now().plusSeconds(120), token)), StandardCharsets.UTF_8));

        // The image's entry point as the local ECS runs it: the host's java for the base's, the extracted root for the
        // image's paths.
        RunnerImage.Image read = RunnerImage.read(rootfs.getParent().resolve("layout"), image.manifestDigest());
        Path root = rootfs.toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(LocalEcs.hostCommand(read.entrypoint(), root))
                .directory(root.resolve(read.workingDir().substring(1)).toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        SsmEmulator.Parameter record = ssm.get(RunnerProtocol.stepParameter(stepId));
        return new Run(process.exitValue(), log, RunnerProtocol.parse(record.value().getBytes(StandardCharsets.UTF_8)));
    }
}
