package com.company.database.schemaversion.mode;

import com.company.database.schemaversion.BaseHandlerStd;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.Credentials;
import com.company.database.schemaversion.Database;
import com.company.database.schemaversion.Execution;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.aws.LambdaRunnerEngine;
import com.company.database.schemaversion.aws.LambdaRunners;
import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Plan;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Report;
import com.company.database.schemaversion.engine.EngineSettings;
import com.company.database.schemaversion.policy.AccountPolicy;
import com.company.database.schemaversion.runner.ConfiguredPolicy;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.runner.RunnerConfig;
import com.company.database.schemaversion.runner.RunnerProtocol;
import com.fasterxml.jackson.databind.JsonNode;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Execution.Mode VpcRunner in the handlers: bring the runner function to Active before migrating, reconcile
 * through asynchronous runner steps polled across callbacks, and remove the function on Delete. The reconcile
 * decisions (plan, rollback, drift) are the Reconciler's, exactly as in Direct mode.
 */
public final class VpcRunner {
    private VpcRunner() {
    }

    /** The function as the handler keeps it: the model's settings, and the account's extra CA certificates in its code. */
    static LambdaRunners.Spec spec(ResourceModel m, String id, BaseHandlerStd.Services services) {
        Execution x = m.getExecution();
        RunnerConfig config = runnerConfig(m, services.environment());
        ConfiguredPolicy policy = policy(services.policy());
        checkFits(config, policy);
        return new LambdaRunners.Spec(LambdaRunners.functionName(id), x.getSubnetIds(), x.getSecurityGroupIds(),
                x.getRoleArn(), config, false, code(services), policy);
    }

    /** The configuration and the account policy together fit in the 4 KB Lambda allows for the environment. */
    private static void checkFits(RunnerConfig config, ConfiguredPolicy policy) {
        int bytes = LambdaRunners.environmentBytes(config, policy);
        if (bytes > RunnerConfig.MAX_ENVIRONMENT_BYTES) {
            throw new ReconcileException(Reason.INVALID_INPUT, "Execution.Mode VpcRunner carries the resource's settings"
                    + " and the account policy (the type configuration's Credentials.AllowedParameterPrefixes,"
                    + " Connections.AllowedHosts and AllowedSslModes) in the runner function's environment, which Lambda"
                    + " limits to " + RunnerConfig.MAX_ENVIRONMENT_BYTES + " bytes; these take " + bytes + " bytes."
                    + " Shorten the Placeholders or the parameter names, ask the account admin for shorter lists, or use"
                    + " Execution.Mode Direct.");
        }
    }

    /** The account policy the runner applies to its own configuration: the one the handler applies now. */
    static ConfiguredPolicy policy(AccountPolicy policy) {
        return new ConfiguredPolicy(policy.parameterPrefixes(), policy.allowedHosts(),
                new java.util.ArrayList<>(policy.allowedSslModes()), policy.loginBindings());
    }

    /** The runner code this handler uploads: its environment's runner package, with the account's extra CAs. */
    static LambdaRunnerPackage code(BaseHandlerStd.Services services) {
        return services.environment().runnerPackage().withExtraCa(services.policy().extraCaCertificates());
    }

    /**
     * What the runner acts on, for its function's environment: everything the payload used to carry. Refused
     * (InvalidRequest) when it would not fit in the 4 KB Lambda allows for a function's environment.
     */
    static RunnerConfig runnerConfig(ResourceModel m, HandlerEnvironment environment) {
        EngineSettings settings = Translator.engineSettings(m, environment);
        Credentials c = m.getCredentials();
        RunnerConfig config;
        try {
            config = new RunnerConfig(m.getDatabase().getHost(), Translator.port(m), m.getDatabase().getName(),
                    m.getDatabase().getSslMode(), c.getUsernameParameter(), c.getPasswordParameter(),
                    c.getSecretParameter(), settings.schema(), settings.source().name(), settings.placeholders(),
                    settings.lockTimeoutSeconds(), settings.statementTimeoutSeconds(), m.getTargetVersion(),
                    m.getAdoption() == null ? null : m.getAdoption().getBaselineVersion(),
                    m.getRepair() == null || m.getRepair().getFailedVersion() == null || m.getRepair().getInstalledRank() == null
                            ? null : m.getRepair().getFailedVersion() + "@" + m.getRepair().getInstalledRank(),
                    c.getIamUsername());
        } catch (ReconcileException e) {
            throw new ReconcileException(Reason.INVALID_INPUT, "The runner's configuration cannot be built from this"
                    + " template: " + e.getMessage() + ".");
        }
        int bytes = LambdaRunners.environmentBytes(config);
        if (bytes > RunnerConfig.MAX_ENVIRONMENT_BYTES) {
            throw new ReconcileException(Reason.INVALID_INPUT, "Execution.Mode VpcRunner carries the resource's settings"
                    + " (Database, Credentials parameter names, Schema, MigrationSet, Placeholders, Timeouts, TargetVersion)"
                    + " in the runner function's environment, which Lambda limits to " + RunnerConfig.MAX_ENVIRONMENT_BYTES
                    + " bytes; these take " + bytes + " bytes. Shorten the Placeholders (names and values) or the parameter"
                    + " names, or use Execution.Mode Direct.");
        }
        return config;
    }

    /** Checks what {@link #runnerConfig} checks, for the first call's validation (no AWS call). */
    static void validate(ResourceModel m, HandlerEnvironment environment) {
        if (ExecutionMode.of(m).keepsRunnerFunction()) {
            runnerConfig(m, environment);
        }
    }

    /** As above, with the account policy the runner's environment carries too. */
    static void validate(ResourceModel m, BaseHandlerStd.Services services) {
        if (ExecutionMode.of(m).keepsRunnerFunction()) {
            checkFits(runnerConfig(m, services.environment()), policy(services.policy()));
        }
    }

    /**
     * The runner engine for a caller that did not just bring the function up to date (Read): the function is
     * checked (one GetFunction) before the first invocation, and not invoked if anyone changed it.
     */
    static LambdaRunnerEngine engine(ResourceModel m, String id, BaseHandlerStd.Services services) {
        return engine(m, id, services, null);
    }

    /**
     * @param recordedCode the runner code the record names (an earlier type version's, or one built with extra CA
     *                     certificates the admin has since changed), trusted besides this version's as
     *                     {@link LambdaRunners.RecordedCode#trustedWith} says
     */
    static LambdaRunnerEngine engine(ResourceModel m, String id, BaseHandlerStd.Services services,
                                     LambdaRunners.RecordedCode recordedCode) {
        services.policy().checkRunner(m);
        LambdaRunners.Spec spec = spec(m, id, services);
        return new LambdaRunnerEngine(services.invoker(), services.ssm(), spec.functionName(), null)
                .guardedBy(() -> services.runners().verify(spec, recordedCode));
    }

    /** The engine right after {@link #ensure} found the function exactly as the handler configured it, and published it. */
    private static LambdaRunnerEngine ensuredEngine(String id, CallbackContext ctx, BaseHandlerStd.Services services) {
        return new LambdaRunnerEngine(services.invoker(), services.ssm(), LambdaRunners.functionName(id), ctx.runnerState().getVersion());
    }

    /**
     * One step towards an Active runner with this type version's code and exactly the handler's configuration:
     * empty when it is ready. Runs on every call that invokes the runner, not once per operation: between two
     * calls anyone with lambda:UpdateFunctionConfiguration could have added a layer or a variable.
     */
    static Optional<ProgressEvent<ResourceModel, CallbackContext>> ensure(ResourceModel model, CallbackContext ctx,
                                                                         BaseHandlerStd.Services services, Logger logger) {
        // The whole policy, not only the role: the function is about to be configured with the login's
        // parameter names and the host, so the login must be bound to that host first.
        services.policy().checkRunner(model);
        return ensure(model, spec(model, model.getId(), services), ctx, services, logger);
    }

    private static Optional<ProgressEvent<ResourceModel, CallbackContext>> ensure(ResourceModel model, LambdaRunners.Spec spec,
                                                                                  CallbackContext ctx,
                                                                                  BaseHandlerStd.Services services, Logger logger) {
        LambdaRunners.Ensured ensured = services.runners().ensure(spec, ctx.runnerState().getCreateAttempts());
        LambdaRunners.Wait wait = ensured.waiting();
        if (wait == null) {
            if (!ensured.version().equals(ctx.runnerState().getVersion())) {
                // Once per operation and whenever the version changes: older versions only take code storage.
                services.runners().pruneVersions(spec.functionName(), ensured.version());
                ctx.runnerState().setVersion(ensured.version());
            }
            return Optional.empty();
        }
        if (wait.roleNotAssumableYet()) {
            ctx.runnerState().setCreateAttempts(ctx.runnerState().getCreateAttempts() + 1);
        }
        logger.log(wait.message());
        return Optional.of(inProgress(model, ctx, wait.delaySeconds(), wait.message()));
    }

    /**
     * One handler call of the reconcile: collect the running step's outcome if there is one, observe, and either
     * finish or start the next asynchronous step, then wait for it while the call's budget lasts.
     */
    static ProgressEvent<ResourceModel, CallbackContext> reconcileStep(ResourceModel model, CallbackContext ctx,
                                                                       BaseHandlerStd.Services services, Logger logger) {
        Optional<ProgressEvent<ResourceModel, CallbackContext>> notReady = ensure(model, ctx, services, logger);
        if (notReady.isPresent()) {
            return notReady.get();
        }
        LambdaRunnerEngine engine = ensuredEngine(model.getId(), ctx, services);
        Budget budget = services.budget();
        while (true) {
            CallbackContext.Runner runner = ctx.runnerState();
            if (runner.getStep() != null) {
                LambdaRunnerEngine.StepState state = engine.outcome(runner.getStep().getId(), budget);
                if (state.started()) {
                    runner.getStep().setStarted(true);
                }
                Optional<JsonNode> outcome = Optional.ofNullable(state.outcome());
                if (outcome.isEmpty()) {
                    return stillRunning(model, ctx, engine, services.environment().clock());
                }
                String stepId = runner.getStep().getId();
                engine.forget(stepId);
                runner.setStep(null);
                if (!outcome.get().path("ok").asBoolean(false)) {
                    // A failed step (a lock held elsewhere, say) may be retried: it is no evidence of a step that
                    // succeeded without moving anything.
                    runner.setProgressAtLastStep(null);
                }
                RunnerProtocol.observationOf(outcome.get()); // throws the step's typed failure
                logger.log("Runner step " + stepId + " finished.");
                // Observe in a fresh call: this one may have spent its window waiting, and an observation is a
                // synchronous invocation of up to 40 s.
                return inProgress(model, ctx, 0, "Runner step towards version " + model.getTargetVersion()
                        + " finished; checking the database.");
            }
            Observation observed = engine.observe();
            Plan plan = BaseHandlerStd.RECONCILER.plan(observed, model.getTargetVersion());
            Report settled = BaseHandlerStd.RECONCILER.settled(observed, plan);
            if (settled != null) {
                return finished(model, ctx, settled, logger);
            }
            String applied = String.valueOf(observed.appliedVersion());
            String progress = progressMark(observed);
            if (progress.equals(runner.getProgressAtLastStep())) {
                throw new ReconcileException(Reason.RUNNER_FAILED, "The runner's step towards version " + plan.target()
                        + " finished without applying anything although " + plan.steps().size() + " migration(s) are"
                        + " pending; nothing was changed. See the log group /aws/lambda/" + engine.functionName() + ".");
            }
            String stepId = UUID.randomUUID().toString();
            // Checkpoint before starting: a repeated call then waits for this step instead of starting another.
            CallbackContext.Step step = new CallbackContext.Step();
            step.setId(stepId);
            step.setInvokedAt(services.environment().clock().millis());
            step.setFrom(applied);
            runner.setStep(step);
            runner.setProgressAtLastStep(progress);
            engine.start(plan.target(), stepId);
            logger.log("Started runner step " + stepId + " towards version " + plan.target() + " (" + plan.steps().size()
                    + " pending, first " + plan.steps().get(0).label() + ").");
            if (!budget.mayStartAnother()) {
                return stillRunning(model, ctx, engine, services.environment().clock());
            }
        }
    }

    /**
     * What any step that applied something changes: the applied count and the applied migrations' checksum. Not
     * the applied version alone: a step that only ran repeatable migrations, or that the runner's time limit cut
     * off after some, leaves the version where it was.
     */
    static String progressMark(Observation observed) {
        return observed.appliedCount() + ":" + observed.checksum();
    }

    private static ProgressEvent<ResourceModel, CallbackContext> stillRunning(ResourceModel model, CallbackContext ctx,
                                                                             LambdaRunnerEngine engine, Clock clock) {
        CallbackContext.Step step = ctx.runnerState().getStep();
        Instant started = Instant.ofEpochMilli(step.getInvokedAt());
        Instant now = clock.instant();
        if (!step.isStarted() && now.isAfter(started.plus(LambdaRunnerEngine.startDeadline()))) {
            forgetQuietly(engine, step.getId());
            throw new ReconcileException(Reason.RUNNER_FAILED, "Runner function " + engine.functionName() + " did not"
                    + " start the step invoked at " + started + " within " + LambdaRunnerEngine.startDeadline().toMinutes()
                    + " minutes. Check its log group /aws/lambda/" + engine.functionName() + ": its role (Execution.RoleArn)"
                    + " needs ssm:GetParameter and ssm:PutParameter on " + RunnerProtocol.STEP_PREFIX + "/* to report"
                    + " steps, and the function needs a route to SSM (an interface endpoint or a NAT).");
        }
        if (now.isAfter(started.plus(LambdaRunnerEngine.stepDeadline()))) {
            forgetQuietly(engine, step.getId());
            throw new ReconcileException(Reason.RUNNER_FAILED, "Runner function " + engine.functionName() + " gave no"
                    + " outcome for the step started at " + started + " within " + LambdaRunnerEngine.stepDeadline().toMinutes()
                    + " minutes: it crashed or was killed (out of memory?). Check its log group /aws/lambda/"
                    + engine.functionName() + ", then deploy again: the database history shows what was applied.");
        }
        long seconds = java.time.Duration.between(started, now).getSeconds();
        return inProgress(model, ctx, 5, "Migrating in runner function " + engine.functionName() + " from version "
                + step.getFrom() + " towards " + model.getTargetVersion() + " (step running for " + seconds + " s).");
    }

    /** An armed step the runner never took stays usable until removed: remove it when the handler gives up on it. */
    private static void forgetQuietly(LambdaRunnerEngine engine, String stepId) {
        try {
            engine.forget(stepId);
        } catch (RuntimeException e) {
            // a small leftover under the runner-steps prefix; the operation's failure is what matters
        }
    }

    private static ProgressEvent<ResourceModel, CallbackContext> finished(ResourceModel model, CallbackContext ctx,
                                                                         Report report, Logger logger) {
        ctx.setWaitingSince(null);
        ctx.setWaitAttempts(0);
        logger.log(report.message());
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.SUCCESS)
                .resourceModel(Translator.withStatus(model, report.observation(), report.plan().target()))
                .message(report.message())
                .build();
    }

    /**
     * Delete's part: clean through the runner if asked, then remove the function and wait until it is gone.
     * Empty when nothing is left to wait for.
     *
     * @param deleting the record of the resource a Delete removes: OnDelete Clean and the claim are handled
     *                 (ClaimSteps#onDelete); null when an Update leaves VpcRunner mode
     * @param given what Delete was called with: the IN_PROGRESS answers carry it (the contract wants the identifier)
     */
    public static Optional<ProgressEvent<ResourceModel, CallbackContext>> remove(ResourceModel model, ResourceModel given, String id,
                                                                          Translator.Record deleting, CallbackContext ctx,
                                                                          BaseHandlerStd.Services services, Logger logger) {
        String function = LambdaRunners.functionName(id);
        if (deleting != null && !ctx.runnerState().removalReached(CallbackContext.Removal.CLEANED)) {
            if (!"Clean".equals(model.getOnDelete())) {
                // Only the claim to give back: the engine checks the function as Read does (this version's code or
                // the one the record names) before it invokes it; a missing or changed one leaves the claim, and the
                // message says so.
                ctx.setDeleteNote(ClaimSteps.onDelete(deleting, () -> engine(model, id, services,
                        new LambdaRunners.RecordedCode(deleting.runnerCode(), deleting.runnerExtraCa())), services, logger));
            } else if (services.runners().get(function) == null) {
                logger.log("Runner function " + function + " does not exist: schema " + Translator.schema(model)
                        + " was not cleaned and its claim not given back.");
                ctx.setDeleteNote("Kept the schema and its data (runner function " + function
                        + " does not exist, so the database could not be reached). Its claim in the database stays until"
                        + " a database administrator removes it with DELETE FROM company_schemaversion.claims WHERE"
                        + " schema_name = '" + Translator.schema(model) + "'");
            } else {
                // Cleaning sends the login to the server like any other operation: the same checks (runner role,
                // host, SslMode, credential parameters) under the type configuration in force now.
                services.policy().checkRunner(model);
                // The runner cleans only when its configuration says so: arm it (and put back anything else
                // someone changed), wait until Lambda applied that, then clean where the claim allows it.
                // DeleteFunction follows at once, so the arm is never left for anyone else to use.
                Optional<ProgressEvent<ResourceModel, CallbackContext>> arming =
                        ensure(given, spec(model, id, services).armed(true), ctx, services, logger);
                if (arming.isPresent()) {
                    return arming;
                }
                ctx.setDeleteNote(ClaimSteps.onDelete(deleting, () -> ensuredEngine(id, ctx, services), services, logger));
            }
            ctx.runnerState().setRemoval(CallbackContext.Removal.CLEANED);
        }
        LambdaRunners.Wait wait = services.runners().remove(function,
                ctx.runnerState().removalReached(CallbackContext.Removal.DELETE_REQUESTED));
        if (wait == null) {
            return Optional.empty();
        }
        ctx.runnerState().setRemoval(CallbackContext.Removal.DELETE_REQUESTED);
        logger.log(wait.message());
        return Optional.of(ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.IN_PROGRESS)
                .resourceModel(given)
                .callbackContext(ctx)
                .callbackDelaySeconds(wait.delaySeconds())
                .message(wait.message())
                .build());
    }

    private static ProgressEvent<ResourceModel, CallbackContext> inProgress(ResourceModel model, CallbackContext ctx,
                                                                           int delaySeconds, String message) {
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.IN_PROGRESS)
                .resourceModel(model)
                .callbackContext(ctx)
                .callbackDelaySeconds(delaySeconds)
                .message(message)
                .build();
    }

}
