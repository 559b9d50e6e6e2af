package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.engine.LoginBindings;
import com.company.database.schemaversion.testing.SsmEmulator;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The task runner's entry, as the container runs it: the request and configuration from its environment, the real
 * runner on the embedded PostgreSQL, its login and step record in the SSM emulator through the real SDK client.
 */
class RunnerTaskTest {
    private static final String CODE = "a".repeat(64);
    private static final String USER_PARAM = "/app/orders/db-user";
    private static final String PASSWORD_PARAM = "/app/orders/db-password";
    private static final String STEP = "step-1";

    private SsmEmulator ssm;
    private String database;
    private String token;
    private String user;
    private String password;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() throws Exception {
        ssm = new SsmEmulator();
        database = TestDatabase.newDatabase();
        // A login of its own, so that no log line can contain its password by chance.
        user = "task_" + database;
        password = "pw-" + RunnerProtocol.newToken();
        TestDatabase.execute(database, "CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "';"
                + " GRANT ALL ON DATABASE " + database + " TO " + user);
        ssm.put(USER_PARAM, "SecureString", user);
        ssm.put(PASSWORD_PARAM, "SecureString", password);
        token = RunnerProtocol.newToken();
    }

    @AfterEach
    void tearDown() {
        ssm.close();
    }

    private Map<String, String> environment(String target, Instant deadline) {
        RunnerConfig config = new RunnerConfig("127.0.0.1", TestDatabase.port(), database, "disable", USER_PARAM,
                PASSWORD_PARAM, null, "app", "orders", Map.of("AppRole", "orders_app"), 10, 600, target, null, null);
        Map<String, String> env = new HashMap<>(config.environment(null));
        env.putAll(new ConfiguredPolicy(List.of("/app/"), null, List.of("disable", "verify-full"), List.of(
                new LoginBindings.Binding(List.of(USER_PARAM, PASSWORD_PARAM), null, List.of("127.0.0.1"), null)))
                .environment());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIDTASKROLE");
        env.put("AWS_SECRET_ACCESS_KEY", "task-role-secret");
        env.put("AWS_ENDPOINT_URL_SSM", ssm.endpoint());
        env.put(RunnerTask.REQUEST_VARIABLE, new String(RunnerProtocol.encode(new RunnerProtocol.Request(
                RunnerProtocol.Op.APPLY, STEP, target, deadline, token)), StandardCharsets.UTF_8));
        return env;
    }

    private void arm(String code) {
        ssm.put(RunnerProtocol.stepParameter(STEP), "String", new String(RunnerProtocol.bytes(
                RunnerProtocol.armed(RunnerProtocol.Op.APPLY, RunnerProtocol.digest(token), code)), StandardCharsets.UTF_8));
    }

    private JsonNode stepRecord() {
        SsmEmulator.Parameter p = ssm.get(RunnerProtocol.stepParameter(STEP));
        return p == null ? null : RunnerProtocol.parse(p.value().getBytes(StandardCharsets.UTF_8));
    }

    private List<String> history() {
        List<String> tables = TestDatabase.query(database, "SELECT count(*) FROM information_schema.tables"
                + " WHERE table_schema = 'app' AND table_name = 'flyway_schema_history'");
        return tables.equals(List.of("0")) ? List.of()
                : TestDatabase.query(database, "SELECT version FROM app.flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank");
    }

    private List<String> loginReads() {
        return ssm.requests().stream().filter(r -> r.contains(USER_PARAM) || r.contains(PASSWORD_PARAM)).toList();
    }

    private String logText() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anApplyStepRunsToItsTargetAndLeavesItsOutcomeInTheStepRecord() {
        arm(CODE);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        // After the start, the task's clock is past the deadline (and past a Lambda function's 15 minutes): the
        // deadline bounds only when the step may start, and the step has no limit of its own.
        Clock hoursLater = new Clock() {
            private final AtomicInteger calls = new AtomicInteger();

            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return calls.getAndIncrement() == 0 ? Instant.now() : Instant.now().plus(Duration.ofHours(3));
            }
        };

        int exit = RunnerTask.run(environment("3", deadline), hoursLater, () -> CODE, log);

        assertThat(exit).as(logText()).isEqualTo(RunnerTask.OUTCOME_WRITTEN);
        assertThat(history()).containsExactly("1", "2", "3");
        JsonNode outcome = stepRecord();
        assertThat(outcome.path("ok").asBoolean()).as(outcome.toString()).isTrue();
        assertThat(outcome.path("digest").asText()).isEqualTo(RunnerProtocol.digest(token));
        assertThat(logText()).contains("op=APPLY").contains("step " + STEP + " outcome: ok")
                .doesNotContain(password).doesNotContain(token).doesNotContain("task-role-secret");
    }

    @Test
    void aStepArmedForOtherRunnerCodeIsRefusedWithoutReadingTheLogin() {
        String other = "b".repeat(64);
        arm(other);

        int exit = RunnerTask.run(environment("3", Instant.now().plusSeconds(60)), Clock.systemUTC(), () -> CODE, log);

        assertThat(exit).as(logText()).isEqualTo(RunnerTask.OUTCOME_WRITTEN);
        JsonNode outcome = stepRecord();
        assertThat(outcome.path("ok").asBoolean()).isFalse();
        assertThat(outcome.path("error").path("reason").asText()).isEqualTo("RUNNER_FAILED");
        assertThat(outcome.path("error").path("message").asText()).contains(other).contains(CODE)
                .contains("Nothing was done");
        assertThat(outcome.path("digest").asText()).isEqualTo(RunnerProtocol.digest(token));
        assertThat(loginReads()).as("requests for the login parameters").isEmpty();
        assertThat(history()).isEmpty();
    }

    @Test
    void aStepArmedForNoCodeOrRunFromUnidentifiableCodeIsRefused() {
        arm(null);
        int exit = RunnerTask.run(environment("3", Instant.now().plusSeconds(60)), Clock.systemUTC(), () -> CODE, log);
        assertThat(exit).isEqualTo(RunnerTask.OUTCOME_WRITTEN);
        assertThat(stepRecord().path("error").path("message").asText()).contains("(none named)");

        arm(CODE);
        Supplier<String> unidentified = () -> RunnerTask.ownCodeId(java.nio.file.Path.of("target/classes"));
        exit = RunnerTask.run(environment("3", Instant.now().plusSeconds(60)), Clock.systemUTC(), unidentified, log);
        assertThat(exit).isEqualTo(RunnerTask.OUTCOME_WRITTEN);
        assertThat(stepRecord().path("error").path("message").asText()).contains("no runner code id");

        assertThat(loginReads()).isEmpty();
        assertThat(history()).isEmpty();
    }

    @Test
    void aLateRequestIsRefusedBeforeAnythingIsRead() {
        arm(CODE);
        AtomicInteger codeIdAsked = new AtomicInteger();

        int exit = RunnerTask.run(environment("3", Instant.now().minusSeconds(1)), Clock.systemUTC(), () -> {
            codeIdAsked.incrementAndGet();
            return CODE;
        }, log);

        assertThat(exit).isEqualTo(RunnerTask.NO_OUTCOME);
        assertThat(logText()).contains("refused a late apply request");
        assertThat(ssm.requests()).as("SSM requests of a late task").isEmpty();
        assertThat(RunnerProtocol.isArmed(stepRecord())).isTrue();
        assertThat(history()).isEmpty();
    }

    @Test
    void aRequestWithoutTheStepsTokenOrForAnotherOpChangesNothing() {
        arm(CODE);
        Map<String, String> forged = environment("3", Instant.now().plusSeconds(60));
        forged.put(RunnerTask.REQUEST_VARIABLE, new String(RunnerProtocol.encode(new RunnerProtocol.Request(
                RunnerProtocol.Op.APPLY, STEP, "3", Instant.now().plusSeconds(60), RunnerProtocol.newToken())), StandardCharsets.UTF_8));
        assertThat(RunnerTask.run(forged, Clock.systemUTC(), () -> CODE, log)).isEqualTo(RunnerTask.NO_OUTCOME);

        Map<String, String> observe = environment("3", Instant.now().plusSeconds(60));
        observe.put(RunnerTask.REQUEST_VARIABLE, new String(RunnerProtocol.encode(new RunnerProtocol.Request(
                RunnerProtocol.Op.OBSERVE, STEP, null, Instant.now().plusSeconds(60), token)), StandardCharsets.UTF_8));
        assertThat(RunnerTask.run(observe, Clock.systemUTC(), () -> CODE, log)).isEqualTo(RunnerTask.NO_OUTCOME);

        assertThat(RunnerProtocol.isArmed(stepRecord())).isTrue();
        assertThat(loginReads()).isEmpty();
        assertThat(history()).isEmpty();
        assertThat(logText()).contains("names no step the handler armed").contains("runs only apply steps");
    }

    @Test
    void aStepRunAgainAfterItWasMarkedRunningChecksTheSameCode() {
        arm(CODE);
        Map<String, String> env = environment("2", Instant.now().plusSeconds(60));
        assertThat(RunnerTask.run(env, Clock.systemUTC(), () -> CODE, log)).isEqualTo(RunnerTask.OUTCOME_WRITTEN);
        // As a crashed first run leaves it: marked running, the outcome not yet written.
        com.fasterxml.jackson.databind.node.ObjectNode running = RunnerProtocol.running();
        running.put("digest", RunnerProtocol.digest(token));
        running.put("code", CODE);
        ssm.put(RunnerProtocol.stepParameter(STEP), "String", running.toString());

        assertThat(RunnerTask.run(env, Clock.systemUTC(), () -> "c".repeat(64), log)).isEqualTo(RunnerTask.OUTCOME_WRITTEN);
        assertThat(stepRecord().path("error").path("message").asText()).contains(CODE).contains("c".repeat(64));
        ssm.put(RunnerProtocol.stepParameter(STEP), "String", running.toString());
        assertThat(RunnerTask.run(env, Clock.systemUTC(), () -> CODE, log)).isEqualTo(RunnerTask.OUTCOME_WRITTEN);
        assertThat(stepRecord().path("ok").asBoolean()).isTrue();
        assertThat(history()).containsExactly("1", "2");
    }
}
