package com.company.database.schemaversion.mode;

import com.company.database.schemaversion.policy.RunnerModes;
import com.company.database.schemaversion.BaseHandlerStd;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.core.SchemaEngine;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.util.Optional;

/**
 * Where the migrations of one resource run: from the handler itself, or from the runner function in the
 * customer's VPC. Chosen once per request from the model ({@link #of}); the handlers ask the mode, never the
 * model, how to reach the database.
 */
public interface ExecutionMode {

    /**
     * The model's mode for one request: Direct mode is made per request and keeps what it resolves to reach the
     * database (the engine, its settings and login) for every step of the call; VpcRunner and TaskRunner modes keep
     * nothing (each use checks the function as it stands, which the steps between may have changed).
     */
    static ExecutionMode of(ResourceModel model) {
        if (RunnerModes.isTaskRunner(model)) {
            return TaskRunnerMode.INSTANCE;
        }
        return RunnerModes.usesRunnerFunction(model) ? VpcRunnerMode.INSTANCE : new DirectMode();
    }

    /** True for the mode that keeps a runner function in the customer's account. */
    boolean keepsRunnerFunction();

    /** What the mode can check of a new or changed model without any call (e.g. that the runner's configuration fits). */
    void validate(ResourceModel model, HandlerEnvironment environment);

    /**
     * What can be found wrong before the resource is claimed (a credential parameter that does not exist):
     * validate, plus what takes a call.
     */
    void preflight(ResourceModel model, BaseHandlerStd.Services services);

    /** The engine that observes, applies and cleans for this resource. */
    SchemaEngine engine(ResourceModel model, BaseHandlerStd.Services services);

    /**
     * The engine a Read observes with: it changes nothing, so in VpcRunner mode it also trusts the runner code
     * the record says an earlier type version uploaded.
     */
    default SchemaEngine reader(Translator.Record record, BaseHandlerStd.Services services) {
        return engine(record.model(), services);
    }

    /** The code this mode runs outside the handler (the runner's package, which the record names), or null. */
    LambdaRunnerPackage runnerCode(BaseHandlerStd.Services services);

    /**
     * One step towards what the mode needs before the engine can be used (the runner function Active and as the
     * handler configured it): empty when ready.
     */
    Optional<ProgressEvent<ResourceModel, CallbackContext>> ready(ResourceModel model, CallbackContext ctx,
                                                                  BaseHandlerStd.Services services, Logger logger);

    /**
     * The engine the reconcile moves forward with, once {@link #ready} said so: it starts and polls the steps (here,
     * in the runner function, or in an ECS task). The decisions are the Reconciler's, the same in every mode.
     */
    SchemaEngine stepper(ResourceModel model, CallbackContext ctx, BaseHandlerStd.Services services);

    /**
     * Delete's part before the record goes: OnDelete Clean, giving back the claim, and removing what the mode created.
     * Empty when nothing is left to wait for.
     *
     * Leaves what was done with the schema and its claim in the context's delete note.
     *
     * @param recorded the record (what the resource is, and its owner)
     * @param given    what Delete was called with: IN_PROGRESS answers carry it
     */
    Optional<ProgressEvent<ResourceModel, CallbackContext>> tearDown(Translator.Record recorded, ResourceModel given,
                                                                     CallbackContext ctx, BaseHandlerStd.Services services,
                                                                     Logger logger);

    /**
     * An Update takes the resource from this mode to {@code next}'s: remove what this mode created and the next one
     * does not use. Empty when nothing is left to wait for; harmless to repeat.
     *
     * @param left the resource as it was in this mode (with its Id)
     */
    Optional<ProgressEvent<ResourceModel, CallbackContext>> leave(ResourceModel left, ResourceModel next,
                                                                  CallbackContext ctx, BaseHandlerStd.Services services,
                                                                  Logger logger);

    /** A Create that failed for good gave its claim back: remove what the mode created, without waiting. */
    void abandon(ResourceModel claimed, BaseHandlerStd.Services services, Logger logger);
}
