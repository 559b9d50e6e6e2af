package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.aws.EcsTasks;
import com.company.database.schemaversion.local.CloudFormationDriver.Event;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.local.EcsHooks;
import com.company.database.schemaversion.local.LocalEcs;
import com.company.database.schemaversion.local.LocalLambda;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.runner.RunnerImage;
import com.company.database.schemaversion.testing.EcsFaults;
import com.company.database.schemaversion.testing.TestArtifacts;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After 'package': Execution.Mode TaskRunner through the real wrapper, the local Lambda (the runner function's
 * short operations) and the local ECS, which runs each migration step from the runner image written from the real
 * handler jar, as a process of its own. The handler's code carries one more set, "slow", whose second migration
 * sleeps longer than the runner function's time limit (scaled down here), so it can only run in a task.
 */
class TaskRunnerIT extends AbstractVpcRunnerTest {
    private static final String EXECUTION_ROLE = "arn:aws:iam::123456789012:role/schemaversion-task-execution";
    private static final int FUNCTION_LIMIT_SECONDS = 6;
    private static final int SLEEP_SECONDS = 9;
    private static final Map<String, String> SLOW = new LinkedHashMap<>();
    static {
        SLOW.put("V1__create_accounts.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY);\n");
        SLOW.put("V2__long_backfill.sql", "SELECT pg_sleep(" + SLEEP_SECONDS + ");\nINSERT INTO accounts VALUES (1);\n");
        SLOW.put("V3__create_ledgers.sql", "CREATE TABLE ledgers (id bigint PRIMARY KEY);\n");
    }
    private static Path work;
    private EcsFaults FAULTS;
    private LocalEcs ecs;
    private static LambdaRunnerPackage code;
    private static RunnerImage image;
    private static RunnerImage otherImage;
    private static MigrationSource slowSet;

    @BeforeAll
    static void writeTheImages() throws IOException {
        work = Path.of("target", "task-runner-it").toAbsolutePath();
        deleteTree(work);
        Path root = extract(TestArtifacts.handlerJar(), work.resolve("code"));
        Path set = Files.createDirectories(root.resolve("db/migration/slow"));
        for (Map.Entry<String, String> e : SLOW.entrySet()) {
            Files.writeString(set.resolve(e.getKey()), e.getValue());
        }
        code = LambdaRunnerPackage.of(root);
        image = RunnerImage.of(code);
        image.writeLayout(work.resolve("layout"));
        // The same code with one file more: another code id, the image of another type version.
        Files.writeString(set.resolve("V4__more.sql"), "SELECT 1;\n");
        otherImage = RunnerImage.of(LambdaRunnerPackage.of(root));
        otherImage.writeLayout(work.resolve("other-layout"));
        Files.delete(set.resolve("V4__more.sql"));
        // The handler and the runner function read the same scripts from a folder of the set's name.
        Path folder = Files.createDirectories(work.resolve("migrations/slow"));
        for (Map.Entry<String, String> e : SLOW.entrySet()) {
            Files.writeString(folder.resolve(e.getKey()), e.getValue());
        }
        slowSet = MigrationSource.directory(folder);
    }

    @BeforeEach
    void useTheTaskRunner() throws IOException {
        FAULTS = new EcsFaults();
        ecs = new LocalEcs(FAULTS, work.resolve("ecs"));
        ecs.imagesFrom(List.of(work.resolve("layout"), work.resolve("other-layout")));
        ecs.setRegion("us-east-1");
        ecs.hostTasksIn(Map.of("AWS_ENDPOINT_URL_SSM", ssm().endpoint(),
                "AWS_ACCESS_KEY_ID", LocalLambda.RUNNER_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", LocalLambda.RUNNER_SECRET_KEY));
        useRunnerPackage(code);
        useEnvironment(e -> e.withAwsEndpoints(endpoints().withEcs(URI.create(ecs.endpoint()))));
        useMigrations(slowSet);
        driver.withTypeConfiguration(account(image));
        // The runner function's limit, scaled down: the long migration could never run in it.
        lambda().setTimeoutOverride(FUNCTION_LIMIT_SECONDS);
    }

    @AfterEach
    void printTheTaskLogs() throws InterruptedException {
        ecs.awaitStopped(Duration.ofSeconds(30));
        FAULTS.launches().forEach(l -> ecs.logEvents(TaskRunnerSettingsLogGroup.NAME, stream(l.taskArn()))
                .ifPresent(log -> System.out.println("task " + l.taskArn() + ":\n" + log)));
        ecs.close();
    }

    private static ObjectNode account(RunnerImage named) {
        ObjectNode c = TestModels.testAccount();
        ObjectNode t = c.putObject("TaskRunner");
        t.put("Image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/schemaversion-runner@" + named.manifestDigest());
        t.put("ExecutionRoleArn", EXECUTION_ROLE);
        return c;
    }

    private ObjectNode taskModel(String target) {
        ObjectNode m = vpcModel(target);
        m.put("MigrationSet", "slow");
        m.remove("Placeholders");
        ((ObjectNode) m.path("Execution")).put("Mode", "TaskRunner");
        return m;
    }

    private static String stream(String taskArn) {
        return EcsTasks.STREAM_PREFIX + "/" + EcsTasks.CONTAINER + "/" + taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }

    @Test
    void aMigrationLongerThanTheRunnerFunctionsLimitCompletesInATaskAndDeleteLeavesNothing() {
        // Handler calls shorter than the step, as a real migration is longer than a handler call: it runs on
        // across calls, each one polling it.
        useCallBudget(Duration.ofSeconds(2), Duration.ofSeconds(10));
        Instant createdAt = Instant.now();
        Outcome created = create(taskModel("latest"));

        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(created.model().path("AppliedVersion").asText()).isEqualTo("3");
        assertThat(history()).containsExactly("1", "2", "3");
        Instant firstApplied = Instant.parse(query("SELECT to_char(installed_on AT TIME ZONE 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM public.flyway_schema_history WHERE version = '1'").get(0));
        System.out.println("Create to the first applied migration in task mode: "
                + Duration.between(createdAt, firstApplied).toMillis() + " ms; whole Create "
                + Duration.between(createdAt, Instant.now()).toMillis() + " ms");
        // One task took the whole step; the function answered the short operations only.
        assertThat(FAULTS.launches()).hasSize(1);
        EcsHooks.Launch launch = FAULTS.launches().get(0);
        assertThat(launch.imageDigest()).isEqualTo(image.manifestDigest());
        assertThat(launch.environment()).containsKey(EcsTasks.REQUEST_VARIABLE).containsEntry("AWS_REGION", "us-east-1");
        assertThat(String.join("\n", launch.environment().values())).doesNotContain(TestDatabase.PASSWORD);
        assertThat(created.events()).extracting(Event::message).anyMatch(m -> m.contains("Migrating in ECS task"));
        assertThat(ecs.logEvents(TaskRunnerSettingsLogGroup.NAME, stream(launch.taskArn()))).isPresent();
        assertThat(lambda().calls()).noneMatch(c -> c.endsWith(" Event"));
        assertThat(ssm().names()).noneMatch(n -> n.startsWith("/company-database-schemaversion/runner-steps"));

        Outcome deleted = delete(created.model());
        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(FAULTS.calls()).anyMatch(c -> c.startsWith("DeregisterTaskDefinition "));
        assertThat(FAULTS.calls()).filteredOn(c -> c.startsWith("RunTask ")).hasSize(1);
        assertThat(lambda().functionNames()).isEmpty();
    }

    @Test
    void theSameMigrationCannotRunInTheRunnerFunction() {
        ObjectNode inFunction = taskModel("latest");
        ((ObjectNode) inFunction.path("Execution")).put("Mode", "VpcRunner");
        Outcome created = create(inFunction);

        // The runner function's budget caps the statement at its (scaled) limit: V2 is cancelled and rolled back.
        assertThat(created.status()).as(created.message()).isEqualTo("FAILED");
        assertThat(created.message()).contains("V2__long_backfill.sql").contains("statement_timeout");
        assertThat(history()).containsExactly("1");
    }

    @Test
    void aTaskKilledMidWayFailsWithItsReasonAndLogStreamAndLeavesTheHistoryAsFlywayWould() {
        FAULTS.nextTask(EcsHooks.TaskFault.killedForMemory(Duration.ofSeconds(SLEEP_SECONDS / 2 + 2)));
        Outcome created = create(taskModel("latest"));

        assertThat(created.errorCode()).as(created.message()).isEqualTo("GeneralServiceException");
        String task = FAULTS.launches().get(0).taskArn();
        assertThat(created.message()).contains("stopped without reporting an outcome").contains("OutOfMemoryError")
                .contains(stream(task)).contains(TaskRunnerSettingsLogGroup.NAME);
        // V2 ran in a transaction: the kill rolled it back, as Flyway leaves a migration its process lost.
        assertThat(history()).containsExactly("1");
        assertThat(query("SELECT count(*) FROM public.flyway_schema_history WHERE NOT success")).containsExactly("0");
    }

    @Test
    void aTaskThatNeverStartsFailsWithECSsReasonAndNothingIsApplied() {
        FAULTS.nextTask(EcsHooks.TaskFault.neverStarts(Duration.ofSeconds(1),
                "CannotPullContainerError: pull image manifest has been retried 5 time(s)"));
        Outcome created = create(taskModel("latest"));

        assertThat(created.errorCode()).as(created.message()).isEqualTo("GeneralServiceException");
        assertThat(created.message()).contains("CannotPullContainerError").contains("TaskFailedToStart");
        assertThat(tablesInSchema()).isEmpty();
    }

    @Test
    void aLostTaskFails() {
        // Calls shorter than the step: the handler asks ECS about it while it reports nothing yet.
        useCallBudget(Duration.ofSeconds(2), Duration.ofSeconds(10));
        FAULTS.nextTask(EcsHooks.TaskFault.lost());
        Outcome lost = create(taskModel("latest"));
        assertThat(lost.errorCode()).as(lost.message()).isEqualTo("GeneralServiceException");
        assertThat(lost.message()).contains("is gone").contains("MISSING");
    }

    @Test
    void aTaskThatExitsWithoutReportingFailsWithItsExitCode() {
        FAULTS.nextTask(EcsHooks.TaskFault.exitsWith(2));
        Outcome exited = create(taskModel("latest"));
        assertThat(exited.errorCode()).as(exited.message()).isEqualTo("GeneralServiceException");
        assertThat(exited.message()).contains("exit code 2");
    }

    @Test
    void noFargateCapacityIsWaitedForAndTheStepStartsOnceThereIs() {
        FAULTS.capacityUnavailableFor(2);
        ObjectNode model = taskModel("1");
        ((ObjectNode) model.path("Timeouts")).put("ConnectWaitMinutes", 5);
        Outcome created = create(model);

        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(created.events()).extracting(Event::message).anyMatch(m -> m.contains(LocalEcs.CAPACITY_UNAVAILABLE));
        assertThat(FAULTS.launches()).hasSize(1);
        assertThat(history()).containsExactly("1");
    }

    @Test
    void aTaskWhoseImageRunsOtherCodeIsRefusedBeforeItTouchesTheDatabase() {
        driver.withTypeConfiguration(account(otherImage));
        Outcome created = create(taskModel("latest"));

        assertThat(created.errorCode()).as(created.message()).isEqualTo("GeneralServiceException");
        assertThat(created.message()).contains(code.codeId()).contains(otherImage.codeId());
        assertThat(tablesInSchema()).isEmpty();
    }

    /** From the Create's resource at V1, an Update to latest whose calls stop once its step runs in a task. */
    private ObjectNode updateToLatestUntilATaskRuns(Outcome created) {
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        ObjectNode latest = taskModel("latest");
        latest.put("Id", created.model().path("Id").asText());
        // Calls shorter than the step, so that it is still running when the calls stop.
        useCallBudget(Duration.ofSeconds(2), Duration.ofSeconds(10));
        updateUntilATaskRuns(latest, created.model());
        return latest;
    }

    /**
     * Update's calls, one by one with the context each answer carries, until one answers that the step runs in a
     * task: what CloudFormation has seen when the operation is then lost (a handler crash, a timeout).
     */
    private JsonNode updateUntilATaskRuns(ObjectNode desired, JsonNode previous) {
        JsonNode context = null;
        JsonNode model = desired;
        for (int call = 1; call <= 10; call++) {
            JsonNode answer = driver.invoke(driver.request("UPDATE", model, previous, context,
                    "update-token", null));
            assertThat(answer.path("status").asText()).as(answer.path("message").asText()).isEqualTo("IN_PROGRESS");
            if (answer.path("message").asText().contains("ECS task")) {
                return answer;
            }
            context = answer.get("callbackContext");
            model = answer.hasNonNull("resourceModel") ? answer.get("resourceModel") : model;
        }
        throw new AssertionError("no call of the Update said a task runs its step");
    }

    @Test
    void aStepStillRunningAfterALostAnswerIsFoundAgainAndNeverStartedTwice() {
        Outcome created = create(taskModel("1"));
        ObjectNode latest = updateToLatestUntilATaskRuns(created);

        // The answer that carried the step is lost: CloudFormation calls as the first time, with no context.
        Outcome updated = update(latest, created.model());

        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
        assertThat(FAULTS.calls()).filteredOn(c -> c.startsWith("RunTask ")).as("Create's task and Update's, once")
                .hasSize(2);
    }

    @Test
    void deleteStopsAStepStillRunningFromAnAbandonedUpdate() throws InterruptedException {
        Outcome created = create(taskModel("1"));
        updateToLatestUntilATaskRuns(created);

        // The Update is abandoned (its timeout, a cancelled stack update) and the resource deleted.
        Outcome deleted = delete(created.model());

        assertThat(deleted.status()).as(deleted.message()).isEqualTo("SUCCESS");
        assertThat(FAULTS.calls()).anyMatch(c -> c.startsWith("StopTask "));
        assertThat(ecs.awaitStopped(Duration.ofSeconds(40))).isTrue();
        // Stopped inside V2's transaction: rolled back, and V3 never ran.
        assertThat(history()).containsExactly("1");
    }

    @Test
    void anUpdateThatLeavesTaskRunnerModeLeavesNoTaskDefinitionRunnable() {
        Outcome created = create(taskModel("1"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        ObjectNode inFunction = taskModel("1");
        inFunction.put("Id", created.model().path("Id").asText());
        ((ObjectNode) inFunction.path("Execution")).put("Mode", "VpcRunner");

        Outcome updated = update(inFunction, created.model());

        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(FAULTS.calls()).anyMatch(c -> c.startsWith("DeregisterTaskDefinition "));
        assertThat(lambda().functionNames()).as("VpcRunner keeps the function").hasSize(1);
    }

    /** The type configuration's default log group (TaskRunner.LogGroup unset). */
    private static final class TaskRunnerSettingsLogGroup {
        static final String NAME = com.company.database.schemaversion.policy.TaskRunnerSettings.DEFAULT_LOG_GROUP;
    }

    private static Path extract(Path jar, Path into) throws IOException {
        Files.createDirectories(into);
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("entry outside the folder: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy((InputStream) zip, target);
                }
            }
        }
        return into;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
