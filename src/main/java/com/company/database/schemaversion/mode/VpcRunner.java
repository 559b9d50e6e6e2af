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
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.engine.EngineSettings;
import com.company.database.schemaversion.policy.AccountPolicy;
import com.company.database.schemaversion.runner.ConfiguredPolicy;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.runner.RunnerConfig;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.util.Optional;

/**
 * Execution.Mode VpcRunner in the handlers: bring the runner function to Active before migrating, give the
 * Reconciler the engine whose steps are asynchronous invocations of it, and remove the function on Delete. The
 * reconcile decisions (plan, rollback, drift, steps) are the Reconciler's, exactly as in Direct mode.
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
    static LambdaRunnerEngine ensuredEngine(String id, CallbackContext ctx, BaseHandlerStd.Services services) {
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
