package com.company.database.schemaversion.mode;

import com.company.database.schemaversion.BaseHandlerStd;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.core.SchemaEngine;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.util.Objects;
import java.util.Optional;

/**
 * The execution mode of one request, resolved once: a mode whose engine lives in this process (Direct) gets its
 * engine, and with it the engine settings, the login and the policy checks behind them, built once per call,
 * however many steps (the claim, the history actions, the reconcile) use it. Made per request by the handlers
 * ({@link ExecutionMode#forRequest}) and dropped with the request, so nothing outlives the call.
 */
final class RequestMode implements ExecutionMode {
    private final ExecutionMode mode;
    private ResourceModel resolvedFor;
    private SchemaEngine engine;

    RequestMode(ExecutionMode mode) {
        this.mode = mode;
    }

    @Override
    public boolean keepsRunnerFunction() {
        return mode.keepsRunnerFunction();
    }

    @Override
    public void validate(ResourceModel model, HandlerEnvironment environment) {
        mode.validate(model, environment);
    }

    /** For an in-process engine, preflight is building it: the settings, the policy's checks and the login. */
    @Override
    public void preflight(ResourceModel model, BaseHandlerStd.Services services) {
        if (mode.keepsRunnerFunction()) {
            Translator.engineSettings(model, services.environment());
            mode.preflight(model, services);
        } else {
            engine(model, services);
        }
    }

    /**
     * The engine of this request. The runner's engine is not kept: each use checks the function as it stands,
     * which the steps between may have changed.
     */
    @Override
    public SchemaEngine engine(ResourceModel model, BaseHandlerStd.Services services) {
        if (mode.keepsRunnerFunction()) {
            return mode.engine(model, services);
        }
        // The Id is what the claim adds between the first use and the next; it does not change the engine.
        ResourceModel key = model.toBuilder().id(null).build();
        if (engine == null || !Objects.equals(key, resolvedFor)) {
            engine = mode.engine(model, services);
            resolvedFor = key;
        }
        return engine;
    }

    @Override
    public SchemaEngine reader(Translator.Record record, BaseHandlerStd.Services services) {
        return mode.reader(record, services);
    }

    @Override
    public LambdaRunnerPackage runnerCode(BaseHandlerStd.Services services) {
        return mode.runnerCode(services);
    }

    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> ready(ResourceModel model, CallbackContext ctx,
                                                                         BaseHandlerStd.Services services, Logger logger) {
        return mode.ready(model, ctx, services, logger);
    }

    @Override
    public ProgressEvent<ResourceModel, CallbackContext> reconcileStep(ResourceModel model, CallbackContext ctx,
                                                                      BaseHandlerStd.Services services, Logger logger) {
        return mode instanceof DirectMode direct ? direct.reconcileStep(engine(model, services), model, ctx, services, logger)
                : mode.reconcileStep(model, ctx, services, logger);
    }

    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> tearDown(Translator.Record recorded, ResourceModel given,
                                                                            CallbackContext ctx, BaseHandlerStd.Services services,
                                                                            Logger logger) {
        return mode.tearDown(recorded, given, ctx, services, logger);
    }

    @Override
    public void abandon(String id, BaseHandlerStd.Services services, Logger logger) {
        mode.abandon(id, services, logger);
    }
}
