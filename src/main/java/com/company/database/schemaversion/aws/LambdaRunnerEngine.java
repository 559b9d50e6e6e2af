package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.core.Claim;
import com.company.database.schemaversion.core.Claimant;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Plan;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Reconciler;
import com.company.database.schemaversion.core.SchemaEngine;
import com.company.database.schemaversion.core.Step;
import com.company.database.schemaversion.core.StepStatus;
import com.company.database.schemaversion.core.Version;
import com.company.database.schemaversion.runner.RunnerProtocol;
import com.fasterxml.jackson.databind.JsonNode;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DeleteParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;
import software.amazon.cloudformation.proxy.ProxyClient;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The engine of Execution.Mode VpcRunner: the same Flyway engine, run by the runner function in the customer's
 * VPC. Observing and cleaning are short synchronous invocations; applying is a step started through a
 * {@link StepLauncher} (an asynchronous invocation of the function, up to its 15 minutes, or an ECS task with no
 * limit but the operation's) whose outcome the runner leaves in a step record in SSM for later handler calls.
 */
public final class LambdaRunnerEngine implements SchemaEngine {
    private static final long POLL_MILLIS = 250;
    private final ProxyClient<LambdaClient> invoker;
    private final ProxyClient<SsmClient> ssm;
    /**
     * How long a request stays valid after the handler sends it. The runner refuses it afterwards, so a late
     * asynchronous event cannot migrate once the handler has stopped waiting for its step: this must stay below
     * the start deadline of the step launcher (with room for clock skew), and above Lambda's shortest event age (60 s, which the
     * handler sets) so that an event Lambda still delivers is not refused for nothing.
     */
    static final Duration REQUEST_LIFETIME = Duration.ofMinutes(2);
    private final String functionName;
    private final Clock wallClock;
    /** The published version every invocation names: an immutable snapshot of what the handler checked. */
    private String version;
    private java.util.function.Supplier<String> guard;
    /** How steps are started: by default an asynchronous invocation of this function. */
    private StepLauncher launcher = new AsyncInvocations();

    /**
     * @param invoker a client for Invoke only: its own timeouts, no SDK retry (a retry would invoke again)
     * @param version the version {@link LambdaRunners#ensure} published, or null when a guard will give it
     */
    public LambdaRunnerEngine(ProxyClient<LambdaClient> invoker, ProxyClient<SsmClient> ssm, String functionName,
                              String version) {
        this.invoker = invoker;
        this.ssm = ssm;
        this.functionName = functionName;
        this.version = version;
        // Deadlines are compared with the runner's clock: the real wall clock on both sides, never a test's.
        this.wallClock = Clock.systemUTC();
    }

    /**
     * Runs once, before this engine's first invocation: callers that have not just brought the function up to
     * date ({@link LambdaRunners#ensure}) check it and publish what they checked ({@link LambdaRunners#verify}),
     * so that nothing is invoked but a version of the function exactly as the handler configured it.
     */
    public LambdaRunnerEngine guardedBy(java.util.function.Supplier<String> checkAndPublish) {
        this.guard = checkAndPublish;
        return this;
    }

    public String functionName() {
        return functionName;
    }

    /** Runs steps through {@code other} (an ECS task) instead of asynchronous invocations of the function. */
    public LambdaRunnerEngine stepsThrough(StepLauncher other) {
        this.launcher = other;
        return this;
    }

    @Override
    public Observation observe() {
        return RunnerProtocol.observationOf(invokeSync(RunnerProtocol.Op.OBSERVE, "observe"));
    }

    /** The runner adopts at the baseline its configuration names (the same template property as {@code baseline}). */
    @Override
    public String adopt(Version baseline) {
        return RunnerProtocol.messageOf(invokeSync(RunnerProtocol.Op.ADOPT, "adopt the schema"));
    }

    /** The runner repairs the row its configuration names (the same template property as the arguments). */
    @Override
    public String repair(Version version, int installedRank) {
        return RunnerProtocol.messageOf(invokeSync(RunnerProtocol.Op.REPAIR, "repair the history"));
    }

    /** The runner checks the claim itself before it drops anything (see SchemaEngine#clean(Claimant, boolean)). */
    @Override
    public void clean(Claimant claimant, boolean mayCleanWhatItDidNotCreate) {
        RunnerProtocol.observationOf(invokeSync(new RunnerProtocol.Request(RunnerProtocol.Op.CLEAN, null, null,
                deadline(), claimant, mayCleanWhatItDidNotCreate), "clean the schema"));
    }

    @Override
    public Optional<Claim> claimOf() {
        return Optional.ofNullable(RunnerProtocol.claimOf(invokeSync(RunnerProtocol.Op.CLAIMED,
                "read the claim on the schema")));
    }

    @Override
    public Claim claim(Claimant claimant) {
        return RunnerProtocol.claimOf(invokeSync(new RunnerProtocol.Request(RunnerProtocol.Op.CLAIM, null, null,
                deadline(), claimant, false), "claim the schema"));
    }

    @Override
    public boolean release(Claimant claimant) {
        RunnerProtocol.observationOf(invokeSync(new RunnerProtocol.Request(RunnerProtocol.Op.RELEASE, null, null,
                deadline(), claimant, false), "release the claim on the schema"));
        return true;
    }

    private java.time.Instant deadline() {
        return deadline(REQUEST_LIFETIME);
    }

    private java.time.Instant deadline(Duration lifetime) {
        return wallClock.instant().plus(lifetime);
    }

    /**
     * Starts one step towards the plan's target without waiting: arms its record, then has the launcher deliver the
     * request. The step id is its idempotency key: a second delivery of the same request finds the first one's
     * outcome and does nothing, and a second step started by mistake waits for Flyway's lock and then finds nothing
     * pending. The runner plans for itself from the target, with the same Reconciler.
     */
    @Override
    public Step start(Observation observed, Plan plan, Budget budget) {
        Optional<StepLauncher.Found> found = launcher.running();
        // A task whose record is gone was collected already and is only exiting: not a step to watch.
        if (found.isPresent() && recorded(found.get().stepId())) {
            // A step started by a call whose answer was lost: watch it; its lock would make a second one wait anyway.
            // What it applied before this observation is unknown, so its end is no evidence of an idle step.
            return new Step(found.get().stepId(), found.get().where(), plan.target().toString(),
                    String.valueOf(observed.appliedVersion()), null, budget.now().toEpochMilli(), true);
        }
        String stepId = UUID.randomUUID().toString();
        String what = "start migrating towards version " + plan.target();
        String token = arm(RunnerProtocol.Op.APPLY, stepId, what, launcher.expectedCode());
        byte[] payload = RunnerProtocol.encode(new RunnerProtocol.Request(RunnerProtocol.Op.APPLY, stepId,
                plan.target().toString(), deadline(launcher.requestLifetime()), token));
        String where;
        try {
            where = launcher.launch(stepId, payload);
        } catch (RuntimeException e) {
            forgetQuietly(stepId);
            throw e;
        }
        return new Step(stepId, where, plan.target().toString(), String.valueOf(observed.appliedVersion()),
                Reconciler.progressMark(observed), budget.now().toEpochMilli(), false);
    }

    /**
     * Waits for the step's outcome while the call's budget lets it, reading the record the runner marks when the
     * step begins and overwrites with the outcome when it ends; then asks the launcher whether a silent step is
     * gone, and holds the step to its deadlines.
     */
    @Override
    public StepStatus poll(Step step, Budget budget) {
        boolean running = step.running();
        while (true) {
            StepRecord record = read(step.id());
            if (record.outcome() != null) {
                return collected(step, record.outcome());
            }
            running |= record.running();
            if (!budget.mayStartAnother()) {
                break;
            }
            sleep();
        }
        // what this call saw of the record counts: a step the runner took is no longer one ECS may just not show yet
        Optional<ReconcileException> lost = launcher.lost(running ? step.runningNow() : step);
        if (lost.isPresent()) {
            // The runner may have reported just before it stopped: its outcome wins.
            StepRecord last = read(step.id());
            if (last.outcome() != null) {
                return collected(step, last.outcome());
            }
            forgetQuietly(step.id());
            return new StepStatus.Failed(lost.get());
        }
        java.time.Instant started = java.time.Instant.ofEpochMilli(step.startedAt());
        java.time.Instant now = budget.now();
        if (!running && now.isAfter(started.plus(launcher.startDeadline()))) {
            launcher.stop(step);
            forgetQuietly(step.id());
            return new StepStatus.Failed(new ReconcileException(Reason.RUNNER_FAILED, capitalized(launcher.describe(step))
                    + " did not start the step requested at " + started + " within "
                    + launcher.startDeadline().toMinutes() + " minutes. Check " + launcher.logs(step) + ": the role"
                    + " (Execution.RoleArn) needs ssm:GetParameter and ssm:PutParameter on " + RunnerProtocol.STEP_PREFIX
                    + "/* to report steps, and the subnets need a route to SSM (an interface endpoint or a NAT)."));
        }
        Duration limit = launcher.stepDeadline();
        if (limit != null && now.isAfter(started.plus(limit))) {
            launcher.stop(step);
            forgetQuietly(step.id());
            return new StepStatus.Failed(new ReconcileException(Reason.RUNNER_FAILED, capitalized(launcher.describe(step))
                    + " gave no outcome for the step started at " + started + " within " + limit.toMinutes()
                    + " minutes: it crashed or was killed (out of memory?). Check " + launcher.logs(step)
                    + ", then deploy again: the database history shows what was applied."));
        }
        long seconds = Duration.between(started, now).getSeconds();
        return new StepStatus.Running(running, "Migrating in " + launcher.describe(step) + " from version "
                + step.from() + " towards " + step.target() + " (step " + (running ? "running" : "starting") + " for "
                + seconds + " s).", launcher.pollDelaySeconds());
    }

    /** Stops a step the handler gives up (Delete), and removes its record. */
    @Override
    public void stop(Step step) {
        launcher.stop(step);
        forgetQuietly(step.id());
    }

    private StepStatus collected(Step step, JsonNode outcome) {
        forgetQuietly(step.id());
        try {
            RunnerProtocol.observationOf(outcome);
        } catch (ReconcileException failed) {
            return new StepStatus.Failed(failed);
        }
        return new StepStatus.Finished(null);
    }

    /** A step record as read: the runner's outcome, or whether it marked the step running. */
    private record StepRecord(boolean running, JsonNode outcome) {
    }

    private StepRecord read(String stepId) {
        String name = RunnerProtocol.stepParameter(stepId);
        try {
            String value = ssm.injectCredentialsAndInvokeV2(GetParameterRequest.builder().name(name).build(),
                    ssm.client()::getParameter).parameter().value();
            JsonNode json = RunnerProtocol.parse(value.getBytes(StandardCharsets.UTF_8));
            if (RunnerProtocol.isArmed(json)) {
                // armed by the handler, not taken by the runner yet
                return new StepRecord(false, null);
            }
            return RunnerProtocol.isRunning(json) ? new StepRecord(true, null) : new StepRecord(true, json);
        } catch (ParameterNotFoundException e) {
            return new StepRecord(false, null);
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "read the runner's step outcome " + name);
        }
    }

    /** Whether the step's record exists (armed, taken or finished), as opposed to collected and removed. */
    private boolean recorded(String stepId) {
        String name = RunnerProtocol.stepParameter(stepId);
        try {
            ssm.injectCredentialsAndInvokeV2(GetParameterRequest.builder().name(name).build(), ssm.client()::getParameter);
            return true;
        } catch (ParameterNotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "read the runner's step record " + name);
        }
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Removes a step record. */
    private void forget(String stepId) {
        String name = RunnerProtocol.stepParameter(stepId);
        try {
            ssm.injectCredentialsAndInvokeV2(DeleteParameterRequest.builder().name(name).build(), ssm.client()::deleteParameter);
        } catch (ParameterNotFoundException e) {
            // already removed by an earlier call
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "remove the runner's step outcome " + name);
        }
    }

    /** Removes a step record that is no longer needed; a failure to remove it is not the operation's failure. */
    private void forgetQuietly(String stepId) {
        try {
            forget(stepId);
        } catch (RuntimeException e) {
            // a small leftover under the runner-steps prefix, safe to delete by hand
        }
    }

    private RunnerProtocol.Request request(RunnerProtocol.Op op, String target, String stepId, String token) {
        return new RunnerProtocol.Request(op, stepId, target, deadline(), token);
    }

    /**
     * Arms a step record for one request: the runner acts only on a request that names it and carries the token
     * whose digest it holds. Created, never overwritten (only the handler creates step records).
     *
     * @return the request's token
     */
    private String arm(RunnerProtocol.Op op, String stepId, String what) {
        return arm(op, stepId, what, null);
    }

    private String arm(RunnerProtocol.Op op, String stepId, String what, String code) {
        String token = RunnerProtocol.newToken();
        String name = RunnerProtocol.stepParameter(stepId);
        try {
            ssm.injectCredentialsAndInvokeV2(PutParameterRequest.builder()
                    .name(name)
                    .type(ParameterType.STRING)
                    .value((code == null ? RunnerProtocol.armed(op, RunnerProtocol.digest(token))
                            : RunnerProtocol.armed(op, RunnerProtocol.digest(token), code)).toString())
                    .description("Company::Database::SchemaVersion runner step (armed by the handler, taken by the runner)")
                    .overwrite(false)
                    .build(), ssm.client()::putParameter);
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "arm the runner step " + name + " to " + what);
        }
        return token;
    }

    private JsonNode invokeSync(RunnerProtocol.Op op, String what) {
        return invokeSync(new RunnerProtocol.Request(op, null, null, deadline()), what);
    }

    /** One synchronous request: {@code base} with the step id and token of a step armed for it alone. */
    private JsonNode invokeSync(RunnerProtocol.Request base, String what) {
        String stepId = UUID.randomUUID().toString();
        // Checked (and published) before the step is armed: a refused function leaves no record behind.
        String qualifier = checkedVersion();
        String token = arm(base.op(), stepId, what);
        RunnerProtocol.Request request = new RunnerProtocol.Request(base.op(), stepId, base.target(), base.deadline(),
                base.claim(), base.cleanUncreated(), token);
        JsonNode answer;
        try {
            InvokeResponse r = invoke(RunnerProtocol.encode(request), InvocationType.REQUEST_RESPONSE, what, qualifier);
            byte[] body = r.payload() == null ? new byte[0] : r.payload().asByteArray();
            if (r.functionError() != null) {
                throw functionError(body, what);
            }
            answer = RunnerProtocol.parse(body);
        } finally {
            // Taken by the runner (or refused, or never delivered): of no use to anyone any more.
            forgetQuietly(stepId);
        }
        return answer;
    }

    private String checkedVersion() {
        java.util.function.Supplier<String> check = guard;
        if (check != null) {
            version = check.get();
            guard = null;
        }
        if (version == null) {
            throw new IllegalStateException("no checked version of runner function " + functionName + " to invoke");
        }
        return version;
    }

    private InvokeResponse invoke(byte[] payload, InvocationType type, String what) {
        return invoke(payload, type, what, checkedVersion());
    }

    private InvokeResponse invoke(byte[] payload, InvocationType type, String what, String qualifier) {
        try {
            return invoker.injectCredentialsAndInvokeV2(InvokeRequest.builder()
                    .functionName(functionName)
                    .qualifier(qualifier)
                    .invocationType(type)
                    .payload(SdkBytes.fromByteArray(payload))
                    .build(), invoker.client()::invoke);
        } catch (AwsServiceException e) {
            String code = LambdaErrors.code(e);
            if ("ResourceNotFoundException".equals(code)) {
                throw new ReconcileException(Reason.RUNNER_FAILED, "Runner function " + functionName + " does not exist"
                        + " (deleted outside CloudFormation?), so the VPC runner cannot " + what + ". Update the stack"
                        + " (any change) to have it created again.", e);
            }
            if ("ResourceNotReadyException".equals(code)) {
                throw new ReconcileException(Reason.THROTTLED, "Runner function " + functionName + " is not ready to "
                        + what + " yet (" + LambdaErrors.message(e) + ").", e);
            }
            throw LambdaErrors.translate(e, "invoke runner function " + functionName + " to " + what, functionName);
        } catch (RuntimeException e) {
            throw LambdaErrors.translate(e, "invoke runner function " + functionName + " to " + what, functionName);
        }
    }

    /** Lambda's own failure of the function (X-Amz-Function-Error): a timeout or a crash of the runner. */
    private ReconcileException functionError(byte[] body, String what) {
        String errorMessage = "";
        String errorType = "";
        try {
            JsonNode n = RunnerProtocol.parse(body);
            errorMessage = n.path("errorMessage").asText("");
            errorType = n.path("errorType").asText("");
        } catch (ReconcileException notJson) {
            errorMessage = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        }
        String logs = " Its log group is /aws/lambda/" + functionName + ".";
        if (timedOut(errorType, errorMessage)) {
            return new ReconcileException(Reason.RUNNER_FAILED, "Runner function " + functionName + " timed out while"
                    + " trying to " + what + " (" + errorMessage.strip() + "). The database did not answer in time or the"
                    + " function cannot reach it: check that Execution.SecurityGroupIds allow the database port and"
                    + " 443 to SSM." + logs);
        }
        return new ReconcileException(Reason.RUNNER_FAILED, "Runner function " + functionName + " crashed while trying"
                + " to " + what + " (" + (errorType.isEmpty() ? "" : errorType + ": ") + errorMessage.strip() + ")." + logs);
    }

    /**
     * Whether Lambda ended the function at its timeout. Newer runtimes say so in the payload's errorType
     * (Sandbox.Timedout); older ones give no type and only the words "Task timed out", so those words are the one
     * signal there is. Recognised here only.
     */
    private static boolean timedOut(String errorType, String errorMessage) {
        return errorType.endsWith(".Timedout") || errorType.isEmpty() && errorMessage.contains("Task timed out");
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReconcileException(Reason.INTERNAL, "Interrupted while waiting for the runner.", e);
        }
    }

    /** Steps as asynchronous invocations of the runner function: Lambda gives no way to see or stop one. */
    private final class AsyncInvocations implements StepLauncher {
        @Override
        public String launch(String stepId, byte[] request) {
            InvokeResponse r = invoke(request, InvocationType.EVENT, "start a migration step");
            if (r.statusCode() != null && r.statusCode() != 202) {
                throw new ReconcileException(Reason.RUNNER_FAILED, "Lambda answered " + r.statusCode() + " instead of"
                        + " 202 to the asynchronous start of a step on runner function " + functionName + ".");
            }
            return null;
        }

        @Override
        public Optional<ReconcileException> lost(Step step) {
            return Optional.empty();
        }

        @Override
        public void stop(Step step) {
            // An invocation cannot be stopped; its request expires and its lock and history make a late one harmless.
        }

        @Override
        public Duration requestLifetime() {
            return REQUEST_LIFETIME;
        }

        @Override
        public Duration startDeadline() {
            return Duration.ofMinutes(5);
        }

        /** Lambda's limit plus slack: a step silent for longer died with its invocation. */
        @Override
        public Duration stepDeadline() {
            return Duration.ofSeconds(LambdaRunners.TIMEOUT_SECONDS).plus(Duration.ofMinutes(3));
        }

        @Override
        public int pollDelaySeconds() {
            return 5;
        }

        @Override
        public String describe(Step step) {
            return "runner function " + functionName;
        }

        @Override
        public String logs(Step step) {
            return "its log group /aws/lambda/" + functionName;
        }
    }
}
