package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Digests;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Step;
import com.company.database.schemaversion.runner.RunnerProtocol;
import com.company.database.schemaversion.runner.RunnerTask;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AccessDeniedException;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.DeregisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTasksRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.ListTasksRequest;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.NetworkConfiguration;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.StopTaskRequest;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskOverride;
import software.amazon.cloudformation.proxy.ProxyClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Execution.Mode TaskRunner's steps: each one an ECS task on Fargate in the customer's subnets, running the runner
 * image the account admin named by digest, with the resource's runner configuration in a task definition the
 * handler registers (revisions are immutable, so the revision a step runs is exactly what was checked), and the
 * step's request in a container override. The step record protocol is the runner function's.
 */
public final class EcsTasks implements StepLauncher {
    /** The container's name in the task definition: part of the log stream's name. */
    public static final String CONTAINER = "runner";
    /** The awslogs stream prefix: streams are named prefix/container/task-id. */
    public static final String STREAM_PREFIX = "schemaversion";
    /** Where the task's runner finds the step's request (RunnerTask reads it). */
    public static final String REQUEST_VARIABLE = RunnerTask.REQUEST_VARIABLE;
    /** Where the task's runner finds the account admin's extra CA certificates. */
    public static final String EXTRA_CA_VARIABLE = RunnerTask.EXTRA_CA_VARIABLE;
    private static final String FAMILY_PREFIX = "schemaversion-runner-";
    /** How many revisions one Delete deregisters at most: one per spec the resource ever had, in practice a few. */
    private static final int MAX_DEREGISTERED = 100;
    /** A task's ARN, long format: arn:aws:ecs:region:account:task/cluster-name/task-id. */
    private static final java.util.regex.Pattern TASK_ARN =
            java.util.regex.Pattern.compile("arn:[a-z-]+:ecs:[^:]*:[0-9]*:task/([A-Za-z0-9_-]{1,255})/[A-Za-z0-9]+");

    private final ProxyClient<EcsClient> ecs;
    private final Spec spec;

    /**
     * What the task definition and the task must be.
     *
     * @param family          the task definition family: one per resource, like the runner function
     * @param startedBy       the resource's tag on every task it starts, to find a step again after a handler crash
     * @param environment     the runner's configuration and the account policy, as the function's environment carries them
     * @param extraCa         the account admin's extra CA certificates, or null
     * @param codeId          the id of this type version's runner code, which the task's runner must find it runs
     * @param entryPoint      what the container runs: the runner's entry point (RunnerImage#entrypoint), set by the
     *                        handler so that the base image the admin pushed the runner onto does not decide it
     */
    public record Spec(String family, String startedBy, String cluster, String image, String cpu, String memory,
                       String taskRoleArn, String executionRoleArn, String logGroup, String region,
                       Set<String> subnetIds, Set<String> securityGroupIds, boolean assignPublicIp,
                       Map<String, String> environment, String extraCa, String codeId, List<String> entryPoint) {
        public Spec {
            entryPoint = List.copyOf(entryPoint);
            subnetIds = Set.copyOf(subnetIds);
            securityGroupIds = Set.copyOf(securityGroupIds);
            environment = Map.copyOf(environment);
        }

        /**
         * The container's environment exactly: the runner's configuration, the region (the runner's clients and IAM
         * tokens need it, and the task's environment need not name it), plus the extra CAs when there are some.
         */
        Map<String, String> variables() {
            Map<String, String> all = new TreeMap<>(environment);
            all.put("AWS_REGION", region);
            if (extraCa != null) {
                all.put(EXTRA_CA_VARIABLE, extraCa);
            }
            return all;
        }
    }

    public EcsTasks(ProxyClient<EcsClient> ecs, Spec spec) {
        this.ecs = ecs;
        this.spec = spec;
    }

    /** One family per resource, named like its runner function. */
    public static String family(String resourceId) {
        return FAMILY_PREFIX + Digests.sha256Hex(resourceId).substring(0, 16);
    }

    /** The value of startedBy (ECS allows 36 characters) on the resource's tasks. */
    public static String startedBy(String resourceId) {
        return "schemaversion-" + Digests.sha256Hex(resourceId).substring(0, 20);
    }

    /**
     * The revision to run: the family's latest when it is exactly the spec, else a new one registered now. Revisions
     * cannot be changed, so what is checked here is what the task runs.
     */
    public String taskDefinition() {
        TaskDefinition latest = latest();
        if (latest != null && matches(latest)) {
            return latest.taskDefinitionArn();
        }
        RegisterTaskDefinitionRequest register = RegisterTaskDefinitionRequest.builder()
                .family(spec.family())
                .requiresCompatibilities(Compatibility.FARGATE)
                .networkMode(NetworkMode.AWSVPC)
                .cpu(spec.cpu())
                .memory(spec.memory())
                .taskRoleArn(spec.taskRoleArn())
                .executionRoleArn(spec.executionRoleArn())
                .containerDefinitions(ContainerDefinition.builder()
                        .name(CONTAINER)
                        .image(spec.image())
                        .entryPoint(spec.entryPoint())
                        .essential(true)
                        .environment(spec.variables().entrySet().stream()
                                .map(e -> KeyValuePair.builder().name(e.getKey()).value(e.getValue()).build())
                                .collect(Collectors.toList()))
                        .logConfiguration(LogConfiguration.builder().logDriver(LogDriver.AWSLOGS).options(logOptions()).build())
                        .build())
                .build();
        try {
            return ecs.injectCredentialsAndInvokeV2(register, ecs.client()::registerTaskDefinition)
                    .taskDefinition().taskDefinitionArn();
        } catch (RuntimeException e) {
            throw translate(e, "register the runner's task definition " + spec.family());
        }
    }

    private Map<String, String> logOptions() {
        return Map.of("awslogs-group", spec.logGroup(), "awslogs-region", spec.region(),
                "awslogs-stream-prefix", STREAM_PREFIX);
    }

    private TaskDefinition latest() {
        try {
            return ecs.injectCredentialsAndInvokeV2(DescribeTaskDefinitionRequest.builder().taskDefinition(spec.family()).build(),
                    ecs.client()::describeTaskDefinition).taskDefinition();
        } catch (ClientException e) {
            // ECS answers ClientException for a family with no active revision: register the first one.
            return null;
        } catch (RuntimeException e) {
            throw translate(e, "read the runner's task definition " + spec.family());
        }
    }

    /** Whether a revision is exactly what the spec asks for, field by field (anything else gets a new revision). */
    boolean matches(TaskDefinition d) {
        if (d.containerDefinitions().size() != 1) {
            return false;
        }
        ContainerDefinition c = d.containerDefinitions().get(0);
        Map<String, String> variables = new TreeMap<>();
        c.environment().forEach(kv -> variables.put(kv.name(), kv.value()));
        LogConfiguration log = c.logConfiguration();
        return d.requiresCompatibilities().equals(List.of(Compatibility.FARGATE))
                && d.networkMode() == NetworkMode.AWSVPC
                && Objects.equals(d.cpu(), spec.cpu()) && Objects.equals(d.memory(), spec.memory())
                && Objects.equals(d.taskRoleArn(), spec.taskRoleArn())
                && Objects.equals(d.executionRoleArn(), spec.executionRoleArn())
                && CONTAINER.equals(c.name()) && Objects.equals(c.image(), spec.image())
                && c.entryPoint().equals(spec.entryPoint()) && !c.hasCommand() && !c.hasSecrets()
                && !c.hasEnvironmentFiles()
                && c.volumesFrom().isEmpty() && c.mountPoints().isEmpty() && c.dependsOn().isEmpty()
                && d.volumes().isEmpty() && c.linuxParameters() == null && !Boolean.TRUE.equals(c.privileged())
                && variables.equals(spec.variables())
                && log != null && log.logDriver() == LogDriver.AWSLOGS && log.options().equals(logOptions());
    }

    /**
     * A task of this resource that is still running (a step from a call whose answer was lost): its step id, read
     * from the request it was started with, and its ARN. Found again rather than started twice.
     */
    @Override
    public Optional<Found> running() {
        List<String> arns = runningTasks(false);
        if (arns.isEmpty()) {
            return Optional.empty();
        }
        for (Task t : describe(spec.cluster(), arns).tasks()) {
            String stepId = stepIdOf(t);
            if (stepId != null) {
                return Optional.of(new Found(stepId, t.taskArn()));
            }
        }
        return Optional.empty();
    }

    private static String stepIdOf(Task t) {
        TaskOverride o = t.overrides();
        if (o == null) {
            return null;
        }
        for (ContainerOverride c : o.containerOverrides()) {
            for (KeyValuePair kv : c.environment()) {
                if (REQUEST_VARIABLE.equals(kv.name()) && kv.value() != null) {
                    try {
                        return RunnerProtocol.decodeRequest(RunnerProtocol.parse(kv.value().getBytes(StandardCharsets.UTF_8)))
                                .stepId();
                    } catch (ReconcileException unreadable) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    @Override
    public String launch(String stepId, byte[] request) {
        RunTaskRequest run = RunTaskRequest.builder()
                .cluster(spec.cluster())
                .taskDefinition(taskDefinition())
                .launchType(LaunchType.FARGATE)
                .count(1)
                .startedBy(spec.startedBy())
                // RunTask's idempotency key: a retried call starts no second task for the same step.
                .clientToken(stepId)
                .networkConfiguration(NetworkConfiguration.builder().awsvpcConfiguration(AwsVpcConfiguration.builder()
                        .subnets(spec.subnetIds()).securityGroups(spec.securityGroupIds())
                        .assignPublicIp(spec.assignPublicIp() ? AssignPublicIp.ENABLED : AssignPublicIp.DISABLED).build()).build())
                .overrides(TaskOverride.builder().containerOverrides(ContainerOverride.builder().name(CONTAINER)
                        .environment(KeyValuePair.builder().name(REQUEST_VARIABLE)
                                .value(new String(request, StandardCharsets.UTF_8)).build()).build()).build())
                .build();
        RunTaskResponse r;
        try {
            r = ecs.injectCredentialsAndInvokeV2(run, ecs.client()::runTask);
        } catch (RuntimeException e) {
            throw translate(e, "start an ECS task for the migration step");
        }
        if (r.tasks().isEmpty()) {
            String reasons = r.failures().stream().map(f -> f.reason() + (f.detail() == null ? "" : " (" + f.detail() + ")"))
                    .collect(Collectors.joining("; "));
            // RunTask reports Fargate capacity and placement problems as failures of the call, not as errors:
            // nothing started, so the step is tried again after a wait.
            throw new ReconcileException(Reason.THROTTLED, "ECS started no task on cluster " + spec.cluster() + ": "
                    + (reasons.isEmpty() ? "no reason given" : reasons) + ". Nothing ran; trying again.");
        }
        return r.tasks().get(0).taskArn();
    }

    @Override
    public Optional<ReconcileException> lost(Step step) {
        if (step.where() == null) {
            return Optional.empty();
        }
        DescribeTasksResponse r = describe(clusterOf(step.where()), List.of(step.where()));
        if (r.tasks().isEmpty()) {
            if (!step.running()) {
                // ECS's answers are eventually consistent (its RunTask reference: DescribeTasks may not show a task
                // just started): until the runner has taken the step, a task ECS does not show yet is waited for,
                // and the start deadline bounds the wait.
                return Optional.empty();
            }
            String reason = r.failures().stream().map(Failure::reason).findFirst().orElse("not found");
            return Optional.of(new ReconcileException(Reason.RUNNER_FAILED, "ECS task " + taskId(step.where())
                    + " of the migration step is gone (" + reason + ") and reported no outcome. Check " + logs(step)
                    + ", then deploy again: the database history shows what was applied."));
        }
        Task t = r.tasks().get(0);
        if (!"STOPPED".equals(t.lastStatus())) {
            return Optional.empty();
        }
        Container c = t.containers().stream().filter(x -> CONTAINER.equals(x.name())).findFirst().orElse(null);
        StringBuilder why = new StringBuilder();
        if (t.stopCodeAsString() != null) {
            why.append(t.stopCodeAsString());
        }
        if (t.stoppedReason() != null) {
            why.append(why.length() > 0 ? ": " : "").append(t.stoppedReason());
        }
        if (c != null && c.exitCode() != null) {
            why.append(why.length() > 0 ? "; " : "").append("exit code ").append(c.exitCode());
        }
        if (c != null && c.reason() != null) {
            why.append(why.length() > 0 ? "; " : "").append(c.reason());
        }
        return Optional.of(new ReconcileException(Reason.RUNNER_FAILED, "ECS task " + taskId(step.where())
                + " of the migration step stopped without reporting an outcome (" + why + "). Check " + logs(step)
                + ", then deploy again: the database history shows what was applied (a migration that ran outside a"
                + " transaction may have left part of its work)."));
    }

    private DescribeTasksResponse describe(String cluster, List<String> arns) {
        try {
            return ecs.injectCredentialsAndInvokeV2(DescribeTasksRequest.builder().cluster(cluster).tasks(arns).build(),
                    ecs.client()::describeTasks);
        } catch (RuntimeException e) {
            throw translate(e, "describe the runner's ECS task");
        }
    }

    @Override
    public void stop(Step step) {
        if (step.where() != null) {
            stopTask(step.where());
        }
    }

    /** Stops every task of this resource still running (Delete, or an Update that leaves the mode). */
    public void stopAll() {
        // No cluster, no task of it to stop: a Delete must not fail because the admin removed the cluster.
        runningTasks(true).forEach(this::stopTask);
    }

    /**
     * The resource's running tasks on the configured cluster. ListTasks takes startedBy only as its sole filter; the
     * tasks it lists are the running ones by default.
     *
     * @param noneWithoutCluster answer none, rather than fail, when the cluster does not exist
     */
    private List<String> runningTasks(boolean noneWithoutCluster) {
        try {
            return ecs.injectCredentialsAndInvokeV2(ListTasksRequest.builder().cluster(spec.cluster())
                    .startedBy(spec.startedBy()).build(), ecs.client()::listTasks).taskArns();
        } catch (ClusterNotFoundException gone) {
            if (noneWithoutCluster) {
                return List.of();
            }
            throw translate(gone, "list the runner's tasks on cluster " + spec.cluster());
        } catch (RuntimeException e) {
            throw translate(e, "list the runner's tasks on cluster " + spec.cluster());
        }
    }

    private void stopTask(String arn) {
        try {
            ecs.injectCredentialsAndInvokeV2(StopTaskRequest.builder().cluster(clusterOf(arn)).task(arn)
                    .reason("Company::Database::SchemaVersion stopped the migration step").build(), ecs.client()::stopTask);
        } catch (InvalidParameterException | ClientException | ClusterNotFoundException gone) {
            // Already stopped and forgotten by ECS: nothing to stop.
        } catch (RuntimeException e) {
            throw translate(e, "stop ECS task " + taskId(arn));
        }
    }

    /**
     * Deregisters every active revision of the family when the resource goes (the tasks they ran keep theirs): a
     * revision left active (an older spec's, after an Update) could still be run with the resource's task role by
     * anyone allowed ecs:RunTask. DescribeTaskDefinition of the family names its latest active revision, so this
     * asks again after each one until none is left.
     */
    public void deregister() {
        Set<String> done = new java.util.HashSet<>();
        for (int i = 0; i < MAX_DEREGISTERED; i++) {
            TaskDefinition latest = latest();
            if (latest == null || !done.add(latest.taskDefinitionArn())) {
                // none left, or ECS still names one just deregistered (its answers are eventually consistent)
                return;
            }
            try {
                ecs.injectCredentialsAndInvokeV2(DeregisterTaskDefinitionRequest.builder()
                        .taskDefinition(latest.taskDefinitionArn()).build(), ecs.client()::deregisterTaskDefinition);
            } catch (InvalidParameterException | ClientException gone) {
                // Deregistered already.
            } catch (RuntimeException e) {
                throw translate(e, "deregister the runner's task definition " + spec.family());
            }
        }
    }

    @Override
    public String expectedCode() {
        return spec.codeId();
    }

    @Override
    public Duration requestLifetime() {
        // Fargate may take minutes to place a task and pull its image: the request must still be valid when it starts.
        return Duration.ofMinutes(12);
    }

    @Override
    public Duration startDeadline() {
        return Duration.ofMinutes(15);
    }

    @Override
    public Duration stepDeadline() {
        // A task has no time limit of its own: the operation's timeout bounds it, and DescribeTasks shows one that died.
        return null;
    }

    /**
     * A task takes tens of seconds to start and runs for minutes to hours: polling it every 15 s keeps DescribeTasks
     * (one per call) far below ECS's request rates while a stack still hears of the end within a quarter minute.
     */
    @Override
    public int pollDelaySeconds() {
        return 15;
    }

    @Override
    public String describe(Step step) {
        return step.where() == null ? "an ECS task on cluster " + spec.cluster() : "ECS task " + taskId(step.where())
                + " on cluster " + clusterOf(step.where());
    }

    @Override
    public String logs(Step step) {
        return "its log stream " + STREAM_PREFIX + "/" + CONTAINER + "/" + (step.where() == null ? "<task id>" : taskId(step.where()))
                + " in log group " + spec.logGroup();
    }

    /**
     * The cluster a task runs on, from its ARN: the one it was started on, even when the type configuration has
     * named another cluster since (asked there, ECS would answer MISSING for a task that still runs).
     */
    String clusterOf(String taskArn) {
        java.util.regex.Matcher m = TASK_ARN.matcher(taskArn);
        return m.matches() ? m.group(1) : spec.cluster();
    }

    static String taskId(String arn) {
        return arn.substring(arn.lastIndexOf('/') + 1);
    }

    private ReconcileException translate(RuntimeException e, String what) {
        if (e instanceof ReconcileException r) {
            return r;
        }
        if (e instanceof AccessDeniedException) {
            return new ReconcileException(Reason.ACCESS_DENIED, "The type's execution role may not " + what + ": it needs"
                    + " the ECS permissions and iam:PassRole on the task role and the task execution role (see the"
                    + " registration template).", e);
        }
        if (e instanceof ClusterNotFoundException) {
            return new ReconcileException(Reason.INVALID_INPUT, "ECS cluster " + spec.cluster() + " (the type"
                    + " configuration's TaskRunner.Cluster) does not exist in this account and region; ask the account"
                    + " admin to create it or name another one.", e);
        }
        if (e instanceof AwsServiceException s && s.isThrottlingException()) {
            return new ReconcileException(Reason.THROTTLED, "ECS throttled the call to " + what + ".", e);
        }
        if (e instanceof InvalidParameterException || e instanceof ClientException) {
            AwsServiceException s = (AwsServiceException) e;
            return new ReconcileException(Reason.INVALID_INPUT, "ECS refused to " + what + " (" + ServiceFacts.code(s)
                    + ": " + LambdaErrors.message(s) + "): check Execution.SubnetIds, SecurityGroupIds and RoleArn, and"
                    + " the type configuration's TaskRunner settings.", e);
        }
        if (e instanceof AwsServiceException s) {
            return new ReconcileException(Reason.SERVICE_UNREACHABLE, "ECS failed to " + what + " ("
                    + ServiceFacts.code(s) + ").", e);
        }
        if (e instanceof SdkClientException) {
            return new ReconcileException(Reason.SERVICE_UNREACHABLE, "Could not reach ECS to " + what + ".", e);
        }
        return new ReconcileException(Reason.INTERNAL, "Unexpected error trying to " + what + ": " + e, e);
    }
}
