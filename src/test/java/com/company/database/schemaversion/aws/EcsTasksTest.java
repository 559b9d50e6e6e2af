package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Plan;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Step;
import com.company.database.schemaversion.core.StepStatus;
import com.company.database.schemaversion.core.Version;
import com.company.database.schemaversion.local.AwsJson;
import com.company.database.schemaversion.local.EcsHooks.TaskFault;
import com.company.database.schemaversion.local.LocalEcs;
import com.company.database.schemaversion.runner.RunnerProtocol;
import com.company.database.schemaversion.testing.EcsFaults;
import com.company.database.schemaversion.testing.OciTestImages;
import com.company.database.schemaversion.testing.SsmEmulator;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;
import software.amazon.awssdk.services.ecs.model.TaskStopCode;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.Credentials;
import software.amazon.cloudformation.proxy.LoggerProxy;
import software.amazon.cloudformation.proxy.ProxyClient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Execution.Mode TaskRunner's steps as the handler drives them: {@link EcsTasks} alone and as the launcher of a
 * {@link LambdaRunnerEngine}, through the rpdk proxy and the real SDK clients, against the local ECS (tasks that
 * really run a process from an OCI image) and the SSM emulator.
 */
class EcsTasksTest {
    private static final String REGION = "eu-west-1";
    private static final String CLUSTER = "schemaversion";
    private static final String RESOURCE = "orders-schema-" + UUID.randomUUID();
    private static final String GROUP = "/ecs/schemaversion-runner";
    private static final String TASK_ROLE = "arn:aws:iam::123456789012:role/schemaversion-task";
    private static final String EXECUTION_ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";
    private static final String CODE_ID = "c".repeat(64);

    private final Path dir = Path.of("target", "ecs-tasks-tests", UUID.randomUUID().toString()).toAbsolutePath();
    private final EcsFaults faults = new EcsFaults();
    /** Every request the ECS client sent, as the SDK marshalled it (an interceptor only looks). */
    private final List<SdkRequest> sent = Collections.synchronizedList(new ArrayList<>());
    private LocalEcs local;
    private SsmEmulator ssm;
    private EcsClient raw;
    private EcsClient handlerEcs;
    private AmazonWebServicesClientProxy proxy;
    private ProxyClient<EcsClient> ecs;
    private ProxyClient<SsmClient> ssmProxy;
    private ProxyClient<LambdaClient> invoker;
    private OciTestImages.Written sleeping;

    @BeforeEach
    void start() throws IOException {
        Files.createDirectories(dir);
        local = new LocalEcs(faults, dir.resolve("ecs"));
        local.setRegion(REGION);
        local.hostTasksIn(Map.of());
        ssm = new SsmEmulator();
        sleeping = OciTestImages.scriptImage(dir.resolve("sleeping"), "echo started; exec sleep 30");
        local.imagesFrom(List.of(sleeping.layout()));
        raw = client(local.endpoint(), null);
        handlerEcs = client(local.endpoint(), new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                sent.add(context.request());
            }
        });
        // As the handler gets them: clients without credentials of their own, the caller's injected by the proxy.
        proxy = new AmazonWebServicesClientProxy(new LoggerProxy(),
                new Credentials("AKIDHANDLER", "handler-secret", "handler-session"), () -> 600_000L);
        ecs = proxy.newProxy(() -> handlerEcs);
        AwsClients aws = new AwsClients(AwsEndpoints.SDK_DEFAULT.withSsm(URI.create(ssm.endpoint()))
                // no Lambda call is expected: steps go through ECS
                .withLambda(URI.create("http://127.0.0.1:1")));
        ssmProxy = proxy.newProxy(() -> aws.ssm(REGION));
        invoker = proxy.newProxy(() -> aws.invoker(REGION));
    }

    @AfterEach
    void stop() {
        handlerEcs.close();
        raw.close();
        local.close();
        ssm.close();
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // a task's thread may still be removing its own root: what is left stays under target/
        }
    }

    private static EcsClient client(String endpoint, ExecutionInterceptor interceptor) {
        ClientOverrideConfiguration.Builder o = ClientOverrideConfiguration.builder();
        if (interceptor != null) {
            o.addExecutionInterceptor(interceptor);
        }
        return EcsClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.of(REGION))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(interceptor == null
                        ? software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIDADMIN", "admin-secret"))
                        : AnonymousCredentialsProvider.create())
                .overrideConfiguration(o.build())
                .build();
    }

    // ---- the spec --------------------------------------------------------------------------------------------

    /** The fields of a spec a test may change; build() gives the EcsTasks.Spec. */
    private static final class SpecBuilder {
        String cluster = CLUSTER;
        String image;
        String cpu = "512";
        String memory = "1024";
        String taskRole = TASK_ROLE;
        String executionRole = EXECUTION_ROLE;
        boolean publicIp;
        Map<String, String> environment = new TreeMap<>(Map.of("SCHEMAVERSION_DB_HOST", "orders.cluster.local",
                "SCHEMAVERSION_DB_NAME", "orders"));
        String resource = RESOURCE;

        SpecBuilder(String image) {
            this.image = image;
        }

        EcsTasks.Spec build() {
            return new EcsTasks.Spec(EcsTasks.family(resource), EcsTasks.startedBy(resource), cluster, image, cpu, memory,
                    taskRole, executionRole, GROUP, REGION, Set.of("subnet-0a1b2c3d", "subnet-1a2b3c4d"),
                    Set.of("sg-0a1b2c3d"), publicIp, environment, null, CODE_ID, OciTestImages.SCRIPT_ENTRYPOINT);
        }
    }

    private EcsTasks tasks(Consumer<SpecBuilder> change) {
        SpecBuilder b = new SpecBuilder(sleeping.reference());
        change.accept(b);
        return new EcsTasks(ecs, b.build());
    }

    private EcsTasks tasks() {
        return tasks(b -> { });
    }

    private LambdaRunnerEngine engine(EcsTasks tasks) {
        return new LambdaRunnerEngine(invoker, ssmProxy, "schemaversion-runner-test", "1").stepsThrough(tasks);
    }

    private static final Observation AT_ONE = new Observation(Version.parse("1"), 1, List.of(), List.of(), "abc",
            null, List.of(), List.of());
    private static final Plan TO_TWO = new Plan(Plan.Kind.APPLY, Version.parse("2"), List.of());

    private static Budget budget() {
        return new Budget(Clock.systemUTC(), Duration.ZERO, Duration.ofMinutes(1));
    }

    private static byte[] request(String stepId) {
        return RunnerProtocol.encode(new RunnerProtocol.Request(RunnerProtocol.Op.APPLY, stepId, "2",
                Instant.now().plus(Duration.ofMinutes(5)), RunnerProtocol.newToken()));
    }

    private static Step step(String stepId, String arn) {
        return new Step(stepId, arn, "2", "1", null, System.currentTimeMillis(), true);
    }

    private long calls(String operation) {
        return faults.calls().stream().filter(c -> c.startsWith(operation + " ") || c.equals(operation)).count();
    }

    private List<RunTaskRequest> runTasks() {
        synchronized (sent) {
            return sent.stream().filter(RunTaskRequest.class::isInstance).map(RunTaskRequest.class::cast).toList();
        }
    }

    private List<RegisterTaskDefinitionRequest> registrations() {
        synchronized (sent) {
            return sent.stream().filter(RegisterTaskDefinitionRequest.class::isInstance)
                    .map(RegisterTaskDefinitionRequest.class::cast).toList();
        }
    }

    private TaskDefinition described(String reference) {
        return raw.describeTaskDefinition(r -> r.taskDefinition(reference)).taskDefinition();
    }

    private Task describeTask(String arn) {
        return raw.describeTasks(r -> r.cluster(CLUSTER).tasks(arn)).tasks().get(0);
    }

    private Task awaitStatus(String arn, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Task t = describeTask(arn);
            if (status.equals(t.lastStatus())) {
                return t;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("task " + arn + " never reached " + status);
    }

    private static ReconcileException awaitLost(EcsTasks tasks, Step step) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ReconcileException> lost = tasks.lost(step);
            if (lost.isPresent()) {
                return lost.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the task of step " + step.id() + " never counted as lost");
    }

    private List<String> stepRecords() {
        return ssm.names().stream().filter(n -> n.startsWith(RunnerProtocol.STEP_PREFIX + "/")).toList();
    }

    private static Map<String, String> variables(ContainerDefinition c) {
        Map<String, String> m = new TreeMap<>();
        c.environment().forEach(kv -> m.put(kv.name(), kv.value()));
        return m;
    }

    // ---- the task definition ---------------------------------------------------------------------------------

    @Test
    void theTaskDefinitionIsRegisteredOnFirstUseAndReusedWhileTheSpecIsTheSame() {
        String first = tasks().taskDefinition();
        assertThat(first).endsWith(":task-definition/" + EcsTasks.family(RESOURCE) + ":1");
        assertThat(registrations()).hasSize(1);

        // another handler call, another EcsTasks of the same spec: the revision is reused
        assertThat(tasks().taskDefinition()).isEqualTo(first);
        assertThat(tasks().taskDefinition()).isEqualTo(first);
        assertThat(registrations()).as("no second RegisterTaskDefinition").hasSize(1);
        assertThat(calls("RegisterTaskDefinition")).isEqualTo(1);

        TaskDefinition d = described(first);
        assertThat(d.requiresCompatibilities()).containsExactly(Compatibility.FARGATE);
        assertThat(d.cpu()).isEqualTo("512");
        assertThat(d.memory()).isEqualTo("1024");
        assertThat(d.taskRoleArn()).isEqualTo(TASK_ROLE);
        assertThat(d.executionRoleArn()).isEqualTo(EXECUTION_ROLE);
        ContainerDefinition c = d.containerDefinitions().get(0);
        assertThat(c.name()).isEqualTo(EcsTasks.CONTAINER);
        assertThat(c.image()).isEqualTo(sleeping.reference());
        assertThat(c.hasCommand()).isFalse();
        assertThat(c.entryPoint()).as("the handler says what runs, not the image").isEqualTo(OciTestImages.SCRIPT_ENTRYPOINT);
        assertThat(variables(c)).as("the runner's configuration and the region, nothing else")
                .containsExactlyInAnyOrderEntriesOf(Map.of("SCHEMAVERSION_DB_HOST", "orders.cluster.local",
                        "SCHEMAVERSION_DB_NAME", "orders", "AWS_REGION", REGION));
        assertThat(c.logConfiguration().options()).containsExactlyInAnyOrderEntriesOf(Map.of("awslogs-group", GROUP,
                "awslogs-region", REGION, "awslogs-stream-prefix", EcsTasks.STREAM_PREFIX));
    }

    @Test
    void aNewRevisionIsRegisteredWhenAnythingInTheSpecDiffers() {
        OciTestImages.Written other = OciTestImages.scriptImage(dir.resolve("other"), "echo other");
        List<Consumer<SpecBuilder>> changes = List.of(
                b -> b.image = other.reference(),
                b -> b.environment.put("SCHEMAVERSION_DB_NAME", "payments"),
                b -> b.environment.put("SCHEMAVERSION_EXTRA", "1"),
                b -> b.taskRole = "arn:aws:iam::123456789012:role/another-task-role",
                b -> b.executionRole = "arn:aws:iam::123456789012:role/another-execution-role",
                b -> b.memory = "2048",
                b -> {
                    b.cpu = "1024";
                    b.memory = "3072";
                });
        String previous = tasks().taskDefinition();
        int revision = 1;
        for (Consumer<SpecBuilder> change : changes) {
            EcsTasks changed = tasks(change);
            String arn = changed.taskDefinition();
            revision++;
            assertThat(arn).as("change %d", revision - 1).endsWith(":" + revision).isNotEqualTo(previous);
            assertThat(changed.matches(described(arn))).isTrue();
            assertThat(changed.taskDefinition()).as("and then reused").isEqualTo(arn);
            previous = arn;
        }
        assertThat(registrations()).hasSize(changes.size() + 1);
        // back to the first spec: the latest revision is not it, so a new one again
        assertThat(tasks().taskDefinition()).endsWith(":" + (revision + 1));
    }

    @Test
    void aRevisionSomeoneElseRegisteredInTheFamilyIsNeverRun() {
        EcsTasks tasks = tasks();
        TaskDefinition ours = described(tasks.taskDefinition());
        ContainerDefinition c = ours.containerDefinitions().get(0);
        List<Consumer<ContainerDefinition.Builder>> tampered = List.of(
                b -> b.environment(append(c.environment(), "JAVA_TOOL_OPTIONS", "-javaagent:/tmp/agent.jar")),
                b -> b.image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/other@sha256:" + "d".repeat(64)),
                b -> b.command("/bin/sh", "-c", "psql -c 'DROP SCHEMA app CASCADE'"),
                b -> b.entryPoint("/bin/sh", "-c"),
                b -> b.secrets(software.amazon.awssdk.services.ecs.model.Secret.builder().name("PGPASSWORD")
                        .valueFrom("arn:aws:ssm:eu-west-1:123456789012:parameter/other").build()));
        int revision = 1;
        for (Consumer<ContainerDefinition.Builder> tamper : tampered) {
            ContainerDefinition.Builder b = c.toBuilder();
            tamper.accept(b);
            // the same family, the same everything else, registered by someone with ecs:RegisterTaskDefinition
            TaskDefinition theirs = raw.registerTaskDefinition(RegisterTaskDefinitionRequest.builder()
                    .family(ours.family()).requiresCompatibilities(ours.requiresCompatibilities())
                    .networkMode(ours.networkMode()).cpu(ours.cpu()).memory(ours.memory())
                    .taskRoleArn(ours.taskRoleArn()).executionRoleArn(ours.executionRoleArn())
                    .containerDefinitions(b.build()).build()).taskDefinition();
            revision++;
            assertThat(theirs.revision()).isEqualTo(revision);
            assertThat(tasks.matches(theirs)).as("revision %d", revision).isFalse();

            String run = tasks.taskDefinition();
            revision++;
            assertThat(run).as("a new revision of our own, not theirs").endsWith(":" + revision);
            assertThat(described(run).containerDefinitions().get(0)).isEqualTo(described(ours.taskDefinitionArn())
                    .containerDefinitions().get(0));
        }
        // a second container beside ours
        TaskDefinition withSidecar = raw.registerTaskDefinition(RegisterTaskDefinitionRequest.builder()
                .family(ours.family()).requiresCompatibilities(ours.requiresCompatibilities())
                .networkMode(ours.networkMode()).cpu(ours.cpu()).memory(ours.memory())
                .taskRoleArn(ours.taskRoleArn()).executionRoleArn(ours.executionRoleArn())
                .containerDefinitions(c, ContainerDefinition.builder().name("sidecar").image(sleeping.reference())
                        .essential(false).build()).build()).taskDefinition();
        assertThat(tasks.matches(withSidecar)).isFalse();
        assertThat(tasks.taskDefinition()).isNotEqualTo(withSidecar.taskDefinitionArn());
    }

    private static List<KeyValuePair> append(List<KeyValuePair> environment, String name, String value) {
        List<KeyValuePair> all = new ArrayList<>(environment);
        all.add(KeyValuePair.builder().name(name).value(value).build());
        return all;
    }

    // ---- RunTask ---------------------------------------------------------------------------------------------

    @Test
    void runTaskCarriesFargateTheNetworkStartedByTheStepIdAndTheRequestOnlyInTheOverride() throws Exception {
        EcsTasks tasks = tasks();
        String stepId = UUID.randomUUID().toString();
        byte[] request = request(stepId);
        String arn = tasks.launch(stepId, request);

        RunTaskRequest run = runTasks().get(0);
        assertThat(runTasks()).hasSize(1);
        assertThat(run.cluster()).isEqualTo(CLUSTER);
        assertThat(run.launchType()).isEqualTo(LaunchType.FARGATE);
        assertThat(run.count()).isEqualTo(1);
        assertThat(run.startedBy()).isEqualTo(EcsTasks.startedBy(RESOURCE)).hasSizeLessThanOrEqualTo(36);
        assertThat(run.clientToken()).isEqualTo(stepId);
        assertThat(run.taskDefinition()).endsWith(":task-definition/" + EcsTasks.family(RESOURCE) + ":1");
        var vpc = run.networkConfiguration().awsvpcConfiguration();
        assertThat(vpc.subnets()).containsExactlyInAnyOrder("subnet-0a1b2c3d", "subnet-1a2b3c4d");
        assertThat(vpc.securityGroups()).containsExactly("sg-0a1b2c3d");
        assertThat(vpc.assignPublicIp()).as("no public IP unless asked").isEqualTo(AssignPublicIp.DISABLED);
        // the request in the container override alone: no other override could change what or how it runs
        assertThat(run.overrides().containerOverrides()).containsExactly(ContainerOverride.builder()
                .name(EcsTasks.CONTAINER).environment(KeyValuePair.builder().name(EcsTasks.REQUEST_VARIABLE)
                        .value(new String(request, StandardCharsets.UTF_8)).build()).build());
        assertThat(run.overrides().taskRoleArn()).isNull();
        assertThat(run.overrides().executionRoleArn()).isNull();
        assertThat(run.overrides().cpu()).isNull();
        assertThat(run.overrides().memory()).isNull();
        assertThat(run.overrides().hasInferenceAcceleratorOverrides()).isFalse();
        // ... and never in the task definition, which anyone with ecs:DescribeTaskDefinition reads
        ContainerDefinition c = described(run.taskDefinition()).containerDefinitions().get(0);
        assertThat(variables(c)).doesNotContainKey(EcsTasks.REQUEST_VARIABLE).containsEntry("AWS_REGION", REGION);
        assertThat(registrations().get(0).toString()).doesNotContain(stepId);

        Task t = describeTask(arn);
        assertThat(t.launchType()).isEqualTo(LaunchType.FARGATE);
        assertThat(t.startedBy()).isEqualTo(EcsTasks.startedBy(RESOURCE));
        assertThat(t.taskDefinitionArn()).isEqualTo(run.taskDefinition());
        assertThat(faults.launches()).isNotEmpty();

        // retried with the same step id (a lost RunTask answer): the same task, not a second one
        assertThat(tasks.launch(stepId, request)).isEqualTo(arn);
        assertThat(raw.listTasks(r -> r.cluster(CLUSTER).startedBy(EcsTasks.startedBy(RESOURCE))).taskArns())
                .containsExactly(arn);
    }

    @Test
    void aPublicIpOnlyWhenAsked() {
        tasks(b -> b.publicIp = true).launch(UUID.randomUUID().toString(), request("x"));
        assertThat(runTasks().get(0).networkConfiguration().awsvpcConfiguration().assignPublicIp())
                .isEqualTo(AssignPublicIp.ENABLED);
    }

    // ---- a step found again ----------------------------------------------------------------------------------

    @Test
    void aStepStillRunningIsFoundAgainAfterALostAnswerAndNeverStartedTwice() throws Exception {
        Step first = engine(tasks()).start(AT_ONE, TO_TWO, budget());
        assertThat(first.where()).startsWith("arn:aws:ecs:" + REGION + ":");
        assertThat(first.running()).isFalse();
        assertThat(ssm.get(RunnerProtocol.stepParameter(first.id())).value()).as("the record names the expected code")
                .contains(CODE_ID);
        awaitStatus(first.where(), "RUNNING");

        // the handler's answer was lost: the next call starts again from scratch, with new clients
        Step again = engine(tasks()).start(AT_ONE, TO_TWO, budget());
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.where()).isEqualTo(first.where());
        assertThat(runTasks()).as("no second RunTask").hasSize(1);
        assertThat(raw.listTasks(r -> r.cluster(CLUSTER).startedBy(EcsTasks.startedBy(RESOURCE))).taskArns())
                .containsExactly(first.where());
        assertThat(stepRecords()).containsExactly(RunnerProtocol.stepParameter(first.id()));

        // another resource's task is not ours to watch
        Optional<StepLauncher.Found> othersView = tasks(b -> b.resource = "another-resource").running();
        assertThat(othersView).isEmpty();
    }

    @Test
    void aTaskWhoseStepWasCollectedIsNotWatchedAgain() throws Exception {
        Step first = engine(tasks()).start(AT_ONE, TO_TWO, budget());
        awaitStatus(first.where(), "RUNNING");
        // its outcome was collected (the record removed) while the task is still exiting
        ssm.remove(RunnerProtocol.stepParameter(first.id()));

        Step next = engine(tasks()).start(AT_ONE, TO_TWO, budget());
        assertThat(next.id()).as("a new step, not the finished one").isNotEqualTo(first.id());
        assertThat(runTasks()).hasSize(2);
    }

    @Test
    void runningFindsNothingOnceTheTaskStopped() throws Exception {
        EcsTasks tasks = tasks();
        String stepId = UUID.randomUUID().toString();
        String arn = tasks.launch(stepId, request(stepId));
        assertThat(tasks.running()).contains(new StepLauncher.Found(stepId, arn));
        tasks.stop(step(stepId, arn));
        awaitStatus(arn, "STOPPED");
        assertThat(tasks.running()).isEmpty();
    }

    // ---- lost() ----------------------------------------------------------------------------------------------

    @Test
    void aRunningTaskIsNotLost() throws Exception {
        EcsTasks tasks = tasks();
        String arn = tasks.launch("s1", request("s1"));
        awaitStatus(arn, "RUNNING");
        assertThat(tasks.lost(step("s1", arn))).isEmpty();
        assertThat(tasks.lost(step("s1", null))).as("nowhere to look yet").isEmpty();
    }

    @Test
    void aTaskThatExitedWithACodeFailsNamingTheCodeAndItsLogStream() throws Exception {
        OciTestImages.Written failing = OciTestImages.scriptImage(dir.resolve("failing"), "echo migrating; exit 3");
        local.imagesFrom(List.of(failing.layout()));
        EcsTasks tasks = tasks(b -> b.image = failing.reference());
        String arn = tasks.launch("s1", request("s1"));
        ReconcileException e = awaitLost(tasks, step("s1", arn));
        String id = EcsTasks.taskId(arn);
        assertThat(e.reason()).isEqualTo(Reason.RUNNER_FAILED);
        assertThat(e.getMessage()).contains("ECS task " + id, "EssentialContainerExited", "exit code 3",
                "schemaversion/runner/" + id, "log group " + GROUP);
        // the named stream is where the task's output really is
        assertThat(local.logEvents(GROUP, "schemaversion/runner/" + id).orElseThrow()).contains("migrating");
    }

    @Test
    void aTaskKilledForMemoryFailsSayingSo() throws Exception {
        faults.nextTask(TaskFault.killedForMemory(Duration.ofMillis(300)));
        EcsTasks tasks = tasks();
        String arn = tasks.launch("s1", request("s1"));
        ReconcileException e = awaitLost(tasks, step("s1", arn));
        assertThat(e.reason()).isEqualTo(Reason.RUNNER_FAILED);
        assertThat(e.getMessage()).contains("exit code 137", "OutOfMemoryError",
                "schemaversion/runner/" + EcsTasks.taskId(arn), GROUP);
    }

    @Test
    void aTaskThatFailedToStartFailsWithTheReason() throws Exception {
        faults.nextTask(TaskFault.neverStarts(Duration.ofMillis(200), null));
        EcsTasks tasks = tasks();
        String arn = tasks.launch("s1", request("s1"));
        ReconcileException e = awaitLost(tasks, step("s1", arn));
        assertThat(e.reason()).isEqualTo(Reason.RUNNER_FAILED);
        assertThat(e.getMessage()).contains(TaskStopCode.TASK_FAILED_TO_START.toString(), "CannotPullContainerError",
                "schemaversion/runner/" + EcsTasks.taskId(arn));
    }

    @Test
    void aTaskEcsNoLongerKnowsFails() {
        faults.nextTask(TaskFault.lost());
        EcsTasks tasks = tasks();
        String arn = tasks.launch("s1", request("s1"));
        // just started and not taken by the runner yet: ECS may simply not show it yet (eventual consistency)
        assertThat(tasks.lost(new Step("s1", arn, "2", "1", null, System.currentTimeMillis(), false))).isEmpty();
        // the runner took it, and ECS no longer knows it: gone
        Optional<ReconcileException> e = tasks.lost(step("s1", arn));
        assertThat(e).isPresent();
        assertThat(e.get().reason()).isEqualTo(Reason.RUNNER_FAILED);
        assertThat(e.get().getMessage()).contains("MISSING", "schemaversion/runner/" + EcsTasks.taskId(arn), GROUP);
        assertThat(tasks.running()).as("nor is it found running").isEmpty();
    }

    @Test
    void theEnginesPollFailsAStepWhoseTaskExitedAndForgetsItsRecord() throws Exception {
        OciTestImages.Written failing = OciTestImages.scriptImage(dir.resolve("failing"), "exit 4");
        local.imagesFrom(List.of(failing.layout()));
        LambdaRunnerEngine engine = engine(tasks(b -> b.image = failing.reference()));
        Step step = engine.start(AT_ONE, TO_TWO, budget());
        assertThat(stepRecords()).hasSize(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        StepStatus status;
        do {
            Thread.sleep(50);
            status = engine.poll(step, budget());
        } while (status instanceof StepStatus.Running && System.nanoTime() < deadline);
        assertThat(status).isInstanceOfSatisfying(StepStatus.Failed.class, f -> {
            assertThat(f.failure().reason()).isEqualTo(Reason.RUNNER_FAILED);
            assertThat(f.failure().getMessage()).contains("exit code 4", "schemaversion/runner/" + EcsTasks.taskId(step.where()));
        });
        assertThat(stepRecords()).isEmpty();
    }

    @Test
    void theEngineWaitsForATaskEcsDoesNotShowUntilTheRunnerTookTheStep() {
        faults.nextTask(TaskFault.lost());
        LambdaRunnerEngine engine = engine(tasks());
        Step step = engine.start(AT_ONE, TO_TWO, budget());
        // just started: ECS's DescribeTasks may not show it yet, so that is no failure
        assertThat(engine.poll(step, budget())).isInstanceOf(StepStatus.Running.class);
        assertThat(stepRecords()).hasSize(1);

        // the runner marked the record running: a task ECS does not know now is gone
        ssm.put(RunnerProtocol.stepParameter(step.id()), "String", RunnerProtocol.running().toString());
        assertThat(engine.poll(step, budget())).isInstanceOfSatisfying(StepStatus.Failed.class, f -> {
            assertThat(f.failure().reason()).isEqualTo(Reason.RUNNER_FAILED);
            assertThat(f.failure().getMessage()).contains("is gone", "MISSING",
                    "schemaversion/runner/" + EcsTasks.taskId(step.where()));
        });
        assertThat(stepRecords()).isEmpty();
    }

    // ---- stopping, deregistering -----------------------------------------------------------------------------

    @Test
    void stopAllStopsThisResourcesRunningTasksOnly() throws Exception {
        EcsTasks ours = tasks();
        EcsTasks theirs = tasks(b -> b.resource = "another-resource");
        String mine = ours.launch("s1", request("s1"));
        String other = theirs.launch("s2", request("s2"));
        awaitStatus(mine, "RUNNING");
        awaitStatus(other, "RUNNING");

        ours.stopAll();
        Task stopped = awaitStatus(mine, "STOPPED");
        assertThat(stopped.stopCode()).isEqualTo(TaskStopCode.USER_INITIATED);
        assertThat(stopped.stoppedReason()).contains("Company::Database::SchemaVersion");
        assertThat(describeTask(other).desiredStatus()).as("another resource's task").isEqualTo("RUNNING");
        assertThat(ours.lost(step("s1", mine))).isPresent();

        assertThatCode(ours::stopAll).as("nothing left to stop").doesNotThrowAnyException();
        theirs.stopAll();
        awaitStatus(other, "STOPPED");
    }

    @Test
    void stopStopsTheStepsTaskAndATaskAlreadyGoneIsNoError() throws Exception {
        EcsTasks tasks = tasks();
        String arn = tasks.launch("s1", request("s1"));
        awaitStatus(arn, "RUNNING");
        tasks.stop(step("s1", arn));
        Task stopped = awaitStatus(arn, "STOPPED");
        assertThat(stopped.stopCode()).isEqualTo(TaskStopCode.USER_INITIATED);
        assertThat(calls("StopTask")).isEqualTo(1);

        assertThatCode(() -> tasks.stop(step("s1", arn))).as("already stopped").doesNotThrowAnyException();
        String unknown = "arn:aws:ecs:" + REGION + ":" + LocalEcs.ACCOUNT + ":task/" + CLUSTER + "/" + "0".repeat(32);
        assertThatCode(() -> tasks.stop(step("s2", unknown))).as("forgotten by ECS").doesNotThrowAnyException();
        long before = calls("StopTask");
        tasks.stop(step("s3", null));
        assertThat(calls("StopTask")).as("no task to name").isEqualTo(before);
    }

    @Test
    void theEnginesStopStopsTheTaskAndForgetsTheRecord() throws Exception {
        LambdaRunnerEngine engine = engine(tasks());
        Step step = engine.start(AT_ONE, TO_TWO, budget());
        awaitStatus(step.where(), "RUNNING");
        engine.stop(step);
        assertThat(awaitStatus(step.where(), "STOPPED").stopCode()).isEqualTo(TaskStopCode.USER_INITIATED);
        assertThat(stepRecords()).isEmpty();
    }

    @Test
    void deregisterLeavesNoRevisionOfTheFamilyActive() throws Exception {
        EcsTasks tasks = tasks();
        assertThatCode(tasks::deregister).as("no revision yet").doesNotThrowAnyException();
        String first = tasks.taskDefinition();
        String running = tasks.launch("s1", request("s1"));
        // an Update changed the spec: a second revision; the first one is not the latest any more
        EcsTasks updated = tasks(b -> b.environment.put("SCHEMAVERSION_DB_NAME", "payments"));
        String second = updated.taskDefinition();
        assertThat(second).endsWith(":2");

        updated.deregister();
        for (String arn : List.of(first, second)) {
            assertThat(described(arn).status()).as(arn).isEqualTo(TaskDefinitionStatus.INACTIVE);
        }
        assertThat(calls("DeregisterTaskDefinition")).isEqualTo(2);
        // nothing of the family can be run any more, with the resource's task role or otherwise
        assertThatThrownBy(() -> raw.runTask(r -> r.cluster(CLUSTER).taskDefinition(first).launchType(LaunchType.FARGATE)
                .networkConfiguration(n -> n.awsvpcConfiguration(v -> v.subnets("subnet-0a1b2c3d")))))
                .isInstanceOf(software.amazon.awssdk.services.ecs.model.ClientException.class)
                .hasMessageContaining("inactive");
        assertThat(describeTask(running).desiredStatus()).as("a task keeps its revision").isEqualTo("RUNNING");
        assertThatCode(tasks::deregister).as("again").doesNotThrowAnyException();
        assertThat(calls("DeregisterTaskDefinition")).isEqualTo(2);
    }

    @Test
    void aTaskIsWatchedAndStoppedOnTheClusterItRunsOnAfterTheConfigurationNamesAnother() throws Exception {
        String arn = tasks().launch("s1", request("s1"));
        awaitStatus(arn, "RUNNING");
        // the admin changed TaskRunner.Cluster while the step ran
        EcsTasks moved = tasks(b -> b.cluster = "another-cluster");
        assertThat(moved.lost(step("s1", arn))).as("still running where it was started").isEmpty();
        assertThat(moved.describe(step("s1", arn))).contains("on cluster " + CLUSTER);
        moved.stop(step("s1", arn));
        assertThat(awaitStatus(arn, "STOPPED").stopCode()).isEqualTo(TaskStopCode.USER_INITIATED);
    }

    @Test
    void stoppingOnAClusterThatIsGoneIsNoError() {
        EcsTasks tasks = tasks();
        tasks.taskDefinition();
        String arn = "arn:aws:ecs:" + REGION + ":" + LocalEcs.ACCOUNT + ":task/" + CLUSTER + "/" + "0".repeat(32);
        faults.missing(CLUSTER);
        // a Delete after the admin removed the cluster: nothing of it to stop, and the Delete goes on
        assertThatCode(tasks::stopAll).doesNotThrowAnyException();
        assertThatCode(() -> tasks.stop(step("s1", arn))).doesNotThrowAnyException();
        tasks.deregister();
        assertThat(calls("DeregisterTaskDefinition")).isEqualTo(1);
    }

    // ---- failures of the calls -------------------------------------------------------------------------------

    @Test
    void noFargateCapacityIsThrottledAndLeavesNoStepRecord() {
        faults.capacityUnavailableFor(1);
        LambdaRunnerEngine engine = engine(tasks());
        assertThatThrownBy(() -> engine.start(AT_ONE, TO_TWO, budget()))
                .isInstanceOfSatisfying(ReconcileException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.THROTTLED);
                    assertThat(e.getMessage()).contains(LocalEcs.CAPACITY_UNAVAILABLE, "Nothing ran");
                });
        assertThat(stepRecords()).as("no step record left behind").isEmpty();
        assertThat(raw.listTasks(r -> r.cluster(CLUSTER).startedBy(EcsTasks.startedBy(RESOURCE))).taskArns()).isEmpty();

        // tried again later: it starts
        Step step = engine(tasks()).start(AT_ONE, TO_TWO, budget());
        assertThat(stepRecords()).containsExactly(RunnerProtocol.stepParameter(step.id()));
        assertThat(raw.listTasks(r -> r.cluster(CLUSTER).startedBy(EcsTasks.startedBy(RESOURCE))).taskArns())
                .containsExactly(step.where());
    }

    @Test
    void aClusterThatDoesNotExistIsInvalidInputNamingTheSetting() {
        faults.missing(CLUSTER);
        LambdaRunnerEngine engine = engine(tasks());
        assertThatThrownBy(() -> engine.start(AT_ONE, TO_TWO, budget()))
                .isInstanceOfSatisfying(ReconcileException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("TaskRunner.Cluster", CLUSTER);
                });
        assertThatThrownBy(() -> tasks().launch("s1", request("s1")))
                .isInstanceOfSatisfying(ReconcileException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("TaskRunner.Cluster");
                });
        assertThat(stepRecords()).isEmpty();
    }

    @Test
    void accessDeniedIsAccessDenied() throws Exception {
        // ECS's answer when the caller's role lacks the permission (HTTP 400, AccessDeniedException)
        HttpServer denying = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        denying.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                String op = String.valueOf(ex.getRequestHeaders().getFirst("X-Amz-Target"));
                AwsJson.respond(ex, 400, AwsJson.error("AccessDeniedException", "User:"
                        + " arn:aws:sts::123456789012:assumed-role/cfn-handler/session is not authorized to perform: ecs:"
                        + op.substring(op.indexOf('.') + 1) + " on resource: *"));
            }
        });
        denying.start();
        try (EcsClient denied = client("http://127.0.0.1:" + denying.getAddress().getPort(), new ExecutionInterceptor() {
        })) {
            EcsTasks tasks = new EcsTasks(proxy.newProxy(() -> denied), new SpecBuilder(sleeping.reference()).build());
            LambdaRunnerEngine engine = engine(tasks);
            for (Runnable call : List.<Runnable>of(() -> engine.start(AT_ONE, TO_TWO, budget()),
                    () -> tasks.launch("s1", request("s1")), tasks::taskDefinition, tasks::stopAll,
                    () -> tasks.stop(step("s1", "arn:aws:ecs:eu-west-1:123456789012:task/schemaversion/" + "1".repeat(32))),
                    () -> tasks.lost(step("s1", "arn:aws:ecs:eu-west-1:123456789012:task/schemaversion/" + "1".repeat(32))),
                    tasks::deregister)) {
                assertThatThrownBy(call::run).isInstanceOfSatisfying(ReconcileException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
                    assertThat(e.getMessage()).contains("iam:PassRole");
                });
            }
        } finally {
            denying.stop(0);
        }
        assertThat(stepRecords()).isEmpty();
    }
}
