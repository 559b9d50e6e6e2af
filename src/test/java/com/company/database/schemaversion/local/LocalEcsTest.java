package com.company.database.schemaversion.local;

import com.company.database.schemaversion.local.EcsHooks.TaskFault;
import com.company.database.schemaversion.testing.EcsFaults;
import com.company.database.schemaversion.testing.EcsTaskMain;
import com.company.database.schemaversion.testing.OciTestImages;
import com.company.database.schemaversion.testing.OciTestImages.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ConflictException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;
import software.amazon.awssdk.services.ecs.model.TaskStopCode;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The local ECS through the real SDK client: task definitions, tasks that really run a process from an OCI image
 * (a Java class, a shell command) and stop as Fargate's do, and each fault a host can switch on.
 */
class LocalEcsTest {
    private static final String GROUP = "/ecs/schemaversion-runner";
    private static final String PREFIX = "runner";
    private static final String CONTAINER = "runner";
    private static final String EXECUTION_ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";
    private static final String TASK_ROLE = "arn:aws:iam::123456789012:role/schemaversion-task";

    /** Not under java.io.tmpdir: the rpdk wrapper empties that folder on every call. */
    private final Path dir = Path.of("target", "local-ecs-tests", UUID.randomUUID().toString()).toAbsolutePath();
    private final EcsFaults faults = new EcsFaults();
    private LocalEcs local;
    private EcsClient ecs;

    @BeforeEach
    void start() throws IOException {
        Files.createDirectories(dir);
        local = new LocalEcs(faults, dir.resolve("ecs"));
        local.setRegion("eu-west-1");
        local.hostTasksIn(Map.of("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:1", "AWS_ACCESS_KEY_ID", LocalLambda.RUNNER_ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", LocalLambda.RUNNER_SECRET_KEY));
        ecs = EcsClient.builder()
                .endpointOverride(URI.create(local.endpoint()))
                .region(Region.EU_WEST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
                .build();
    }

    @AfterEach
    void stop() {
        ecs.close();
        local.close();
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // a task's thread may still be removing its own root: what is left stays under target/
        }
    }

    // ---- task definitions --------------------------------------------------------------------------------------

    @Test
    void registersImmutableRevisionsAndDescribesByFamilyRevisionOrArn() {
        TaskDefinition first = register("runner-family", "img@sha256:" + "a".repeat(64), c -> { });
        TaskDefinition second = register("runner-family", "img@sha256:" + "b".repeat(64), c -> { });

        assertThat(first.taskDefinitionArn()).isEqualTo("arn:aws:ecs:eu-west-1:" + LocalEcs.ACCOUNT + ":task-definition/runner-family:1");
        assertThat(second.revision()).isEqualTo(2);
        assertThat(second.status()).isEqualTo(TaskDefinitionStatus.ACTIVE);
        assertThat(second.networkMode()).isEqualTo(NetworkMode.AWSVPC);
        assertThat(second.compatibilities()).contains(Compatibility.FARGATE);
        assertThat(second.taskRoleArn()).isEqualTo(TASK_ROLE);
        assertThat(second.containerDefinitions().get(0).essential()).isTrue();
        assertThat(second.containerDefinitions().get(0).logConfiguration().options()).containsEntry("awslogs-group", GROUP);
        assertThat(second.registeredAt()).isNotNull();

        assertThat(describe("runner-family").revision()).isEqualTo(2);
        assertThat(describe("runner-family:1").containerDefinitions().get(0).image()).endsWith("a".repeat(64));
        assertThat(describe(first.taskDefinitionArn()).revision()).isEqualTo(1);
        TaskDefinition tagged = ecs.registerTaskDefinition(definition("tagged", "img@sha256:" + "a".repeat(64), c -> { })
                .tags(Tag.builder().key("owner").value("schemaversion").build()).build()).taskDefinition();
        assertThat(ecs.describeTaskDefinition(r -> r.taskDefinition(tagged.taskDefinitionArn())
                .include(software.amazon.awssdk.services.ecs.model.TaskDefinitionField.TAGS)).tags())
                .containsExactly(Tag.builder().key("owner").value("schemaversion").build());

        TaskDefinition gone = ecs.deregisterTaskDefinition(r -> r.taskDefinition("runner-family:2")).taskDefinition();
        assertThat(gone.status()).isEqualTo(TaskDefinitionStatus.INACTIVE);
        assertThat(describe("runner-family").revision()).as("family alone: the latest ACTIVE revision").isEqualTo(1);
        assertThat(describe("runner-family:2").status()).isEqualTo(TaskDefinitionStatus.INACTIVE);

        assertThatThrownBy(() -> describe("no-such-family")).isInstanceOf(ClientException.class)
                .hasMessageContaining("Unable to describe task definition.");
        assertThatThrownBy(() -> ecs.runTask(run("runner-family:2", null, null).build()))
                .isInstanceOf(ClientException.class).hasMessageContaining("TaskDefinition is inactive");
    }

    @Test
    void refusesTaskDefinitionsFargateWouldRefuse() {
        assertThatThrownBy(() -> ecs.registerTaskDefinition(definition("f", "i@sha256:" + "a".repeat(64), c -> { })
                .networkMode(NetworkMode.BRIDGE).build()))
                .isInstanceOf(ClientException.class).hasMessageContaining("Fargate only supports network mode 'awsvpc'.");
        assertThatThrownBy(() -> ecs.registerTaskDefinition(definition("f", "i@sha256:" + "a".repeat(64), c -> { })
                .cpu("256").memory("4096").build()))
                .isInstanceOf(ClientException.class).hasMessageContaining("No Fargate configuration exists for given values");
        assertThatThrownBy(() -> ecs.registerTaskDefinition(definition("f", "i@sha256:" + "a".repeat(64), c -> { })
                .executionRoleArn(null).build()))
                .isInstanceOf(ClientException.class).hasMessageContaining("execution role ARN");
        assertThat(ecs.registerTaskDefinition(definition("f", "i@sha256:" + "a".repeat(64), c -> { })
                .cpu("1 vCPU").memory("2 GB").build()).taskDefinition().cpu()).isEqualTo("1 vCPU");
    }

    // ---- running ----------------------------------------------------------------------------------------------

    @Test
    void runsTheImagesJavaClassWithTheTasksEnvironmentAndLogsItsOutput() throws Exception {
        OciTestImages.Written image = OciTestImages.javaImage(dir.resolve("layout"), EcsTaskMain.class,
                List.of("IMAGE_VARIABLE=from-image", "GREETING=from-image"));
        local.imagesFrom(List.of(dir.resolve("other-layout-that-is-empty"), image.layout()));
        register("runner", image.reference(), c -> c.environment(kv("GREETING", "from-definition")));

        RunTaskResponse started = ecs.runTask(run("runner", "step-1", List.of(kv("GREETING", "from-override")))
                .tags(Tag.builder().key("purpose").value("test").build()).build());
        assertThat(ecs.describeTasks(r -> r.cluster("schemaversion").tasks(started.tasks().get(0).taskArn())
                .include(software.amazon.awssdk.services.ecs.model.TaskField.TAGS)).tasks().get(0).tags())
                .containsExactly(Tag.builder().key("purpose").value("test").build());
        assertThat(started.failures()).isEmpty();
        Task task = started.tasks().get(0);
        assertThat(task.taskArn()).matches("arn:aws:ecs:eu-west-1:" + LocalEcs.ACCOUNT + ":task/schemaversion/[0-9a-f]{32}");
        assertThat(task.lastStatus()).isEqualTo("PROVISIONING");
        assertThat(task.desiredStatus()).isEqualTo("RUNNING");
        assertThat(task.launchType()).isEqualTo(LaunchType.FARGATE);
        assertThat(task.startedBy()).isEqualTo("step-1");

        Task done = awaitStopped(task.taskArn());
        assertThat(done.stopCode()).isEqualTo(TaskStopCode.ESSENTIAL_CONTAINER_EXITED);
        assertThat(done.stoppedReason()).isEqualTo("Essential container in task exited");
        assertThat(done.containers().get(0).exitCode()).isZero();
        assertThat(done.containers().get(0).lastStatus()).isEqualTo("STOPPED");
        assertThat(done.containers().get(0).imageDigest()).isEqualTo(image.reference().substring(image.reference().indexOf('@') + 1));
        assertThat(done.startedAt()).isNotNull();
        assertThat(done.stoppedAt()).isAfterOrEqualTo(done.startedAt());
        assertThat(done.pullStartedAt()).isBeforeOrEqualTo(done.startedAt());
        assertThat(done.overrides().containerOverrides().get(0).environment()).containsExactly(kv("GREETING", "from-override"));

        String log = local.logEvents(GROUP, PREFIX + "/" + CONTAINER + "/" + taskId(task)).orElseThrow();
        assertThat(log).contains("greeting=from-override", "image=from-image", "region=eu-west-1",
                "ssm=http://127.0.0.1:1", "to stderr");
        assertThat(local.logFile(GROUP, PREFIX + "/" + CONTAINER + "/" + taskId(task)))
                .isEqualTo(dir.resolve("ecs/logs/ecs/schemaversion-runner/runner/runner/" + taskId(task)));

        EcsHooks.Launch launch = faults.launches().get(0);
        assertThat(launch.command().get(0)).as("the host's java stands in for the image's").endsWith("/bin/java");
        assertThat(launch.command().get(2)).as("the image's path, in its extracted root").endsWith("/app/classes")
                .isNotEqualTo("/app/classes");
    }

    @Test
    void aTaskProvisionsThenRunsThenStops() throws Exception {
        faults.startDelay(Duration.ofMillis(400));
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "exec sleep 30"));
        String arn = runOne("step-life");
        assertThat(describeOne(arn).lastStatus()).isEqualTo("PROVISIONING");
        Task running = awaitStatus(arn, "RUNNING");
        assertThat(running.desiredStatus()).isEqualTo("RUNNING");
        assertThat(running.containers().get(0).lastStatus()).isEqualTo("RUNNING");
        assertThat(running.containers().get(0).exitCode()).isNull();
        assertThat(running.stoppedAt()).isNull();
        assertThat(running.startedAt()).isAfter(running.createdAt());
        faults.deprovisioning(Duration.ofMillis(400));
        ecs.stopTask(r -> r.cluster("schemaversion").task(arn));
        Task deprovisioning = awaitStatus(arn, "DEPROVISIONING");
        assertThat(deprovisioning.desiredStatus()).isEqualTo("STOPPED");
        assertThat(deprovisioning.containers().get(0).exitCode()).as("the exit code is known before STOPPED").isEqualTo(143);
        assertThat(deprovisioning.stoppedAt()).isNull();
        Task done = awaitStopped(arn);
        assertThat(done.stoppingAt()).isNotNull();
        assertThat(done.executionStoppedAt()).isNotNull();
        assertThat(done.version()).isGreaterThan(running.version());
    }

    @Test
    void withoutAWorkDirectoryTasksFailToStart() throws Exception {
        try (LocalEcs bare = new LocalEcs(faults);
             EcsClient client = EcsClient.builder().endpointOverride(URI.create(bare.endpoint())).region(Region.EU_WEST_1)
                     .httpClient(UrlConnectionHttpClient.create())
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
                     .build()) {
            OciTestImages.Written image = OciTestImages.shellImage(dir.resolve("layout"), "echo ran");
            bare.imagesFrom(List.of(image.layout()));
            client.registerTaskDefinition(definition("runner", image.reference(), c -> { }).build());
            String arn = client.runTask(run("runner", "s", null).build()).tasks().get(0).taskArn();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            Task t;
            do {
                Thread.sleep(25);
                t = client.describeTasks(r -> r.cluster("schemaversion").tasks(arn)).tasks().get(0);
            } while (!"STOPPED".equals(t.lastStatus()) && System.nanoTime() < deadline);
            assertThat(t.stopCode()).isEqualTo(TaskStopCode.TASK_FAILED_TO_START);
            assertThat(t.stoppedReason()).contains("no work directory");
        }
        assertThat(faults.launches()).isEmpty();
    }

    @Test
    void aContainerThatExitsWithACodeStopsItsTaskWithThatCode() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "echo bye; exit 3"));
        Task done = awaitStopped(runOne("step-2"));
        assertThat(done.containers().get(0).exitCode()).isEqualTo(3);
        assertThat(done.stopCode()).isEqualTo(TaskStopCode.ESSENTIAL_CONTAINER_EXITED);
        assertThat(local.logEvents(GROUP, PREFIX + "/" + CONTAINER + "/" + taskId(done)).orElseThrow()).contains("bye");
    }

    @Test
    void whenTheEssentialContainerExitsTheOthersAreStopped() throws Exception {
        OciTestImages.Written main = OciTestImages.shellImage(dir.resolve("main"), "sleep 0.3; echo done");
        OciTestImages.Written sidecar = OciTestImages.shellImage(dir.resolve("sidecar"), "exec sleep 30");
        local.imagesFrom(List.of(main.layout(), sidecar.layout()));
        ecs.registerTaskDefinition(definition("runner", main.reference(), c -> { }).containerDefinitions(
                definition("runner", main.reference(), c -> { }).build().containerDefinitions().get(0),
                ContainerDefinition.builder().name("sidecar").image(sidecar.reference()).essential(false).build()).build());
        Task done = awaitStopped(runOne("step-sidecar"));
        assertThat(done.stopCode()).isEqualTo(TaskStopCode.ESSENTIAL_CONTAINER_EXITED);
        assertThat(done.containers()).extracting(c -> c.name() + "=" + c.exitCode())
                .containsExactlyInAnyOrder("runner=0", "sidecar=143");
        assertThat(faults.launches()).hasSize(2);
    }

    @Test
    void theContainerSeesOnlyItsOwnEnvironmentNotTheHosts() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "env"));
        Task done = awaitStopped(runOne("step-env"));
        Set<String> names = new TreeSet<>();
        for (String line : local.logEvents(GROUP, PREFIX + "/" + CONTAINER + "/" + taskId(done)).orElseThrow().split("\n")) {
            if (line.contains("=")) {
                names.add(line.substring(0, line.indexOf('=')));
            }
        }
        names.removeAll(Set.of("PWD", "SHLVL", "_", "OLDPWD"));
        assertThat(names).containsExactlyInAnyOrder("PATH", "IMAGE_VARIABLE", "GREETING", "AWS_REGION",
                "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_ENDPOINT_URL_SSM", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void stopTaskSendsSigtermThenSigkillAfterTheStopTimeout() throws Exception {
        faults.killAfterSigterm(Duration.ofMillis(300));
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "echo started; exec sleep 30"));
        String polite = runOne("step-3");
        awaitStatus(polite, "RUNNING");
        awaitLog(polite, "started");
        Task stopping = ecs.stopTask(r -> r.cluster("schemaversion").task(polite).reason("operation abandoned")).task();
        assertThat(stopping.desiredStatus()).isEqualTo("STOPPED");
        Task done = awaitStopped(polite);
        assertThat(done.stopCode()).isEqualTo(TaskStopCode.USER_INITIATED);
        assertThat(done.stoppedReason()).isEqualTo("operation abandoned");
        assertThat(done.containers().get(0).exitCode()).as("ended by SIGTERM").isEqualTo(143);

        // a shell that ignores SIGTERM, as a JVM busy in a long statement may not end in time
        useImage(OciTestImages.shellImage(dir.resolve("layout2"), "trap '' TERM; echo started; sleep 30; sleep 30"));
        String ignoring = runOne("step-5");
        awaitStatus(ignoring, "RUNNING");
        awaitLog(ignoring, "started");
        ecs.stopTask(r -> r.cluster("schemaversion").task(ignoring));
        Task killed = awaitStopped(ignoring);
        assertThat(killed.containers().get(0).exitCode()).as("SIGKILL after the stop timeout").isEqualTo(137);
        assertThat(killed.stopCode()).isEqualTo(TaskStopCode.USER_INITIATED);
    }

    // ---- faults -----------------------------------------------------------------------------------------------

    @Test
    void faultExitsWithACodeAtOnceWithoutRunningTheCommand() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "echo ran"));
        faults.nextTask(TaskFault.exitsWith(5));
        Task done = awaitStopped(runOne("step"));
        assertThat(done.containers().get(0).exitCode()).isEqualTo(5);
        assertThat(done.stopCode()).isEqualTo(TaskStopCode.ESSENTIAL_CONTAINER_EXITED);
        assertThat(faults.launches()).isEmpty();
    }

    @Test
    void faultExitsWithACodeAfterAWhile() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "echo ran; exec sleep 30"));
        faults.nextTask(TaskFault.exitsWith(7, Duration.ofMillis(300)));
        Task done = awaitStopped(runOne("step"));
        assertThat(done.containers().get(0).exitCode()).isEqualTo(7);
        assertThat(faults.launches()).hasSize(1);
    }

    @Test
    void faultKilledForMemoryMidway() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "echo migrating; exec sleep 30"));
        faults.nextTask(TaskFault.killedForMemory(Duration.ofMillis(300)));
        Task done = awaitStopped(runOne("step"));
        assertThat(done.containers().get(0).exitCode()).isEqualTo(137);
        assertThat(done.containers().get(0).reason()).isEqualTo("OutOfMemoryError: Container killed due to memory usage");
        assertThat(done.stopCode()).isEqualTo(TaskStopCode.ESSENTIAL_CONTAINER_EXITED);
        assertThat(local.logEvents(GROUP, PREFIX + "/" + CONTAINER + "/" + taskId(done)).orElseThrow()).contains("migrating");
    }

    @Test
    void faultNeverStartsStaysPendingThenFailsToStart() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "echo ran"));
        faults.nextTask(TaskFault.neverStarts(Duration.ofMillis(500), null));
        String arn = runOne("step");
        awaitStatus(arn, "PENDING");
        Task done = awaitStopped(arn);
        assertThat(done.stopCode()).isEqualTo(TaskStopCode.TASK_FAILED_TO_START);
        assertThat(done.stoppedReason()).startsWith("CannotPullContainerError: ");
        assertThat(done.containers().get(0).exitCode()).isNull();
        assertThat(done.startedAt()).isNull();
        assertThat(faults.launches()).isEmpty();
    }

    @Test
    void faultLostTaskIsMissingForDescribeAndList() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "exec sleep 30"));
        faults.nextTask(TaskFault.lost());
        String arn = runOne("lost-step");
        DescribeTasksResponse described = ecs.describeTasks(r -> r.cluster("schemaversion").tasks(arn));
        assertThat(described.tasks()).isEmpty();
        assertThat(described.failures()).singleElement().satisfies(f -> {
            assertThat(f.arn()).isEqualTo(arn);
            assertThat(f.reason()).isEqualTo("MISSING");
        });
        assertThat(ecs.listTasks(r -> r.cluster("schemaversion").startedBy("lost-step")).taskArns()).isEmpty();
    }

    @Test
    void faultForgottenOnceStoppedIsMissingAfterItRan() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "echo ran"));
        faults.nextTask(TaskFault.forgottenOnceStopped());
        String arn = runOne("step-forgotten");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        DescribeTasksResponse described;
        do {
            Thread.sleep(25);
            described = ecs.describeTasks(r -> r.cluster("schemaversion").tasks(arn));
        } while (described.failures().isEmpty() && System.nanoTime() < deadline);
        assertThat(described.failures()).singleElement().satisfies(f -> assertThat(f.reason()).isEqualTo("MISSING"));
        assertThat(faults.launches()).hasSize(1);
        assertThat(local.logEvents(GROUP, PREFIX + "/" + CONTAINER + "/" + arn.substring(arn.lastIndexOf('/') + 1)).orElseThrow())
                .contains("ran");
    }

    @Test
    void faultNoCapacityForTheNextCalls() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "true"));
        faults.capacityUnavailableFor(2);
        for (int i = 0; i < 2; i++) {
            RunTaskResponse refused = ecs.runTask(run("runner", "step", null).build());
            assertThat(refused.tasks()).isEmpty();
            assertThat(refused.failures()).singleElement().satisfies(f ->
                    assertThat(f.reason()).isEqualTo(LocalEcs.CAPACITY_UNAVAILABLE));
        }
        assertThat(ecs.runTask(run("runner", "step", null).build()).tasks()).hasSize(1);
    }

    // ---- the image is what was named ---------------------------------------------------------------------------

    @Test
    void aLayerWhoseBytesDoNotMatchItsDigestIsNeverRun() throws Exception {
        OciTestImages.Written image = OciTestImages.shellImage(dir.resolve("layout"), "echo genuine");
        useImage(image);
        Path layer = image.layerBlobs().get(0);
        byte[] bytes = Files.readAllBytes(layer);
        bytes[0] ^= 1;
        Files.write(layer, bytes);
        Task done = awaitStopped(runOne("step"));
        assertThat(done.stopCode()).isEqualTo(TaskStopCode.TASK_FAILED_TO_START);
        assertThat(done.stoppedReason()).startsWith("CannotPullContainerError: ").contains("the layout was changed or damaged");
        assertThat(faults.launches()).isEmpty();
    }

    @Test
    void anImageNamedByTagOrUnknownDigestIsNotPulled() throws Exception {
        OciTestImages.Written image = OciTestImages.shellImage(dir.resolve("layout"), "echo x");
        local.imagesFrom(List.of(image.layout()));
        register("by-tag", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/schemaversion-runner:latest", c -> { });
        register("unknown", "repo@sha256:" + "c".repeat(64), c -> { });
        for (String family : List.of("by-tag", "unknown")) {
            Task done = awaitStopped(ecs.runTask(run(family, "s", null).build()).tasks().get(0).taskArn());
            assertThat(done.stopCode()).isEqualTo(TaskStopCode.TASK_FAILED_TO_START);
            assertThat(done.stoppedReason()).startsWith("CannotPullContainerError: ")
                    .contains(family.equals("by-tag") ? "named by digest only" : "not found");
            assertThat(done.containers().get(0).reason()).isEqualTo(done.stoppedReason());
        }
        assertThat(faults.launches()).isEmpty();
    }

    @Test
    void aLayerCannotWriteOutsideTheContainersRoot() throws Exception {
        Path outside = dir.resolve("outside");
        Files.createDirectories(outside);
        // an entry climbing out with "..", and a symbolic link planted to write through
        OciTestImages.Written climbing = OciTestImages.write(dir.resolve("climbing"), List.of(List.of(
                // from the container's root <dir>/ecs/tasks/<id>/runner, exactly up to <dir>
                Entry.file("../../../../outside/climbed", "x".getBytes(StandardCharsets.UTF_8)))),
                false, List.of("/bin/sh", "-c", "true"), null, List.of());
        OciTestImages.Written planting = OciTestImages.write(dir.resolve("planting"), List.of(
                List.of(Entry.symlink("app", outside.toString())),
                List.of(Entry.file("app/planted", "x".getBytes(StandardCharsets.UTF_8)))),
                false, List.of("/bin/sh", "-c", "true"), null, List.of());
        local.imagesFrom(List.of(climbing.layout(), planting.layout()));
        register("climbing", climbing.reference(), c -> { });
        register("planting", planting.reference(), c -> { });
        for (String family : List.of("climbing", "planting")) {
            Task done = awaitStopped(ecs.runTask(run(family, "s", null).build()).tasks().get(0).taskArn());
            assertThat(done.stopCode()).as(family).isEqualTo(TaskStopCode.TASK_FAILED_TO_START);
            assertThat(done.stoppedReason()).as(family).startsWith("CannotPullContainerError: ")
                    .containsAnyOf("has an entry outside the image's root", "this reader unpacks only files and directories");
        }
        try (var files = Files.list(outside)) {
            assertThat(files.toList()).isEmpty();
        }
        assertThat(faults.launches()).isEmpty();
    }

    // ---- listing, idempotency, unknown tasks -------------------------------------------------------------------

    @Test
    void listsTasksByStartedByFamilyAndDesiredStatus() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "exec sleep 30"));
        String a1 = runOne("step-a");
        String a2 = runOne("step-a");
        String b = runOne("step-b");
        assertThat(ecs.listTasks(r -> r.cluster("schemaversion").startedBy("step-a")).taskArns()).containsExactlyInAnyOrder(a1, a2);
        assertThat(ecs.listTasks(r -> r.cluster("schemaversion").family("runner")).taskArns()).containsExactlyInAnyOrder(a1, a2, b);
        assertThat(ecs.listTasks(r -> r.cluster("other").startedBy("step-a")).taskArns()).isEmpty();
        assertThat(ecs.listTasks(r -> r.cluster("schemaversion").startedBy("step-a").maxResults(1)).nextToken()).isNotNull();

        ecs.stopTask(r -> r.cluster("schemaversion").task(a1));
        assertThat(ecs.listTasks(r -> r.cluster("schemaversion").startedBy("step-a")).taskArns()).containsExactly(a2);
        assertThat(ecs.listTasks(r -> r.cluster("schemaversion").family("runner").desiredStatus(DesiredStatus.STOPPED))
                .taskArns()).containsExactly(a1);
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster("schemaversion").startedBy("step-a").desiredStatus(DesiredStatus.STOPPED)))
                .as("startedBy must be the only filter").isInstanceOf(InvalidParameterException.class);
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster("schemaversion").startedBy("step-a").family("runner")))
                .isInstanceOf(InvalidParameterException.class);
        for (String arn : List.of(a2, b)) {
            ecs.stopTask(r -> r.cluster("schemaversion").task(arn));
        }
        assertThat(local.awaitStopped(Duration.ofSeconds(20))).isTrue();
    }

    @Test
    void theSameClientTokenStartsOneTask() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "exec sleep 30"));
        RunTaskRequest request = run("runner", "step-t", List.of(kv("STEP", "1"))).clientToken("step-t-1").build();
        String first = ecs.runTask(request).tasks().get(0).taskArn();
        String again = ecs.runTask(request).tasks().get(0).taskArn();
        assertThat(again).isEqualTo(first);
        assertThat(ecs.listTasks(r -> r.cluster("schemaversion").startedBy("step-t")).taskArns()).containsExactly(first);

        assertThatThrownBy(() -> ecs.runTask(run("runner", "step-t", List.of(kv("STEP", "2"))).clientToken("step-t-1").build()))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.resourceIds()).containsExactly(first));
        ecs.stopTask(r -> r.cluster("schemaversion").task(first));
    }

    @Test
    void unknownTasksAreMissingAndCannotBeStopped() {
        String arn = "arn:aws:ecs:eu-west-1:" + LocalEcs.ACCOUNT + ":task/schemaversion/" + "0".repeat(32);
        DescribeTasksResponse r = ecs.describeTasks(b -> b.cluster("schemaversion").tasks(arn));
        assertThat(r.tasks()).isEmpty();
        assertThat(r.failures()).singleElement().satisfies(f -> {
            assertThat(f.arn()).isEqualTo(arn);
            assertThat(f.reason()).isEqualTo("MISSING");
        });
        assertThatThrownBy(() -> ecs.stopTask(b -> b.cluster("schemaversion").task(arn)))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("The referenced task was not found.");
    }

    @Test
    void runTaskRefusesWhatFargateRefuses() throws Exception {
        useImage(OciTestImages.shellImage(dir.resolve("layout"), "true"));
        assertThatThrownBy(() -> ecs.runTask(run("runner", "s", null).networkConfiguration((software.amazon.awssdk.services.ecs.model.NetworkConfiguration) null).build()))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("Network Configuration must be provided");
        assertThatThrownBy(() -> ecs.runTask(run("runner", "s", null).overrides(o -> o.containerOverrides(
                        ContainerOverride.builder().name("someone-else").build())).build()))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("is not a container in the TaskDefinition");
        assertThatThrownBy(() -> ecs.runTask(run("runner", "x".repeat(37), null).build()))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("up to 36");
        assertThatThrownBy(() -> ecs.runTask(run("runner", "s", null).clientToken("with space").build()))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("clientToken");
        assertThatThrownBy(() -> ecs.runTask(run("runner", "s", List.of(kv("REQUEST", "x".repeat(8192)))).build()))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("Container Overrides length must be at most 8192");
        assertThat(ecs.runTask(run("runner", "s", List.of(kv("REQUEST", "x".repeat(8000)))).build()).tasks()).hasSize(1);
        assertThatThrownBy(() -> ecs.runTask(run("no-such", "s", null).build()))
                .isInstanceOf(ClientException.class).hasMessageContaining("TaskDefinition not found.");
        faults.missing("subnet-0a1b2c3d");
        assertThatThrownBy(() -> ecs.runTask(run("runner", "s", null).build()))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("The subnet ID 'subnet-0a1b2c3d' does not exist");
        faults.missing("schemaversion");
        assertThatThrownBy(() -> ecs.runTask(run("runner", "s", null).build()))
                .isInstanceOf(software.amazon.awssdk.services.ecs.model.ClusterNotFoundException.class);
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster("schemaversion")))
                .isInstanceOf(software.amazon.awssdk.services.ecs.model.ClusterNotFoundException.class);
        assertThat(faults.launches()).as("only the task whose overrides were just under the limit started")
                .allMatch(l -> l.environment().get("REQUEST").length() == 8000);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private void useImage(OciTestImages.Written image) {
        local.imagesFrom(List.of(image.layout()));
        register("runner", image.reference(), c -> c.environment(kv("GREETING", "from-definition")));
    }

    private String runOne(String startedBy) {
        RunTaskResponse r = ecs.runTask(run("runner", startedBy, null).build());
        assertThat(r.failures()).isEmpty();
        return r.tasks().get(0).taskArn();
    }

    private static KeyValuePair kv(String name, String value) {
        return KeyValuePair.builder().name(name).value(value).build();
    }

    private static String taskId(Task task) {
        return task.taskArn().substring(task.taskArn().lastIndexOf('/') + 1);
    }

    private RegisterTaskDefinitionRequest.Builder definition(String family, String image,
                                                             Consumer<ContainerDefinition.Builder> container) {
        ContainerDefinition.Builder c = ContainerDefinition.builder()
                .name(CONTAINER)
                .image(image)
                .essential(true)
                .logConfiguration(LogConfiguration.builder().logDriver(LogDriver.AWSLOGS)
                        .options(Map.of("awslogs-group", GROUP, "awslogs-region", "eu-west-1",
                                "awslogs-stream-prefix", PREFIX)).build());
        container.accept(c);
        return RegisterTaskDefinitionRequest.builder()
                .family(family)
                .requiresCompatibilities(Compatibility.FARGATE)
                .networkMode(NetworkMode.AWSVPC)
                .cpu("512")
                .memory("1024")
                .taskRoleArn(TASK_ROLE)
                .executionRoleArn(EXECUTION_ROLE)
                .containerDefinitions(c.build());
    }

    private TaskDefinition register(String family, String image, Consumer<ContainerDefinition.Builder> container) {
        return ecs.registerTaskDefinition(definition(family, image, container).build()).taskDefinition();
    }

    private TaskDefinition describe(String reference) {
        return ecs.describeTaskDefinition(r -> r.taskDefinition(reference)).taskDefinition();
    }

    private static RunTaskRequest.Builder run(String taskDefinition, String startedBy, List<KeyValuePair> environment) {
        RunTaskRequest.Builder b = RunTaskRequest.builder()
                .cluster("schemaversion")
                .taskDefinition(taskDefinition)
                .launchType(LaunchType.FARGATE)
                .networkConfiguration(n -> n.awsvpcConfiguration(v -> v.subnets("subnet-0a1b2c3d")
                        .securityGroups("sg-0a1b2c3d").assignPublicIp(AssignPublicIp.DISABLED)));
        if (startedBy != null) {
            b.startedBy(startedBy);
        }
        if (environment != null) {
            b.overrides(o -> o.containerOverrides(ContainerOverride.builder().name(CONTAINER).environment(environment).build()));
        }
        return b;
    }

    private Task describeOne(String arn) {
        DescribeTasksResponse r = ecs.describeTasks(b -> b.cluster("schemaversion").tasks(arn));
        assertThat(r.failures()).isEmpty();
        return r.tasks().get(0);
    }

    private Task awaitStopped(String arn) throws InterruptedException {
        return awaitStatus(arn, "STOPPED");
    }

    private Task awaitStatus(String arn, String status) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Task t = describeOne(arn);
            seen.add(t.lastStatus());
            if (status.equals(t.lastStatus())) {
                return t;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("task " + arn + " never reached " + status + "; saw " + seen);
    }

    private void awaitLog(String arn, String text) throws InterruptedException {
        String stream = PREFIX + "/" + CONTAINER + "/" + arn.substring(arn.lastIndexOf('/') + 1);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (local.logEvents(GROUP, stream).orElse("").contains(text)) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("the task's log never showed " + text);
    }
}
