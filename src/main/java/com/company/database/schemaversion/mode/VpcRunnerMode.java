package com.company.database.schemaversion.mode;

import com.company.database.schemaversion.BaseHandlerStd;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.aws.LambdaRunners;
import com.company.database.schemaversion.core.SchemaEngine;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.util.Optional;

/**
 * Execution.Mode VpcRunner: the runner function in the customer's subnets reads the login and runs Flyway;
 * the handler keeps the function in shape and drives it (see {@link VpcRunner}).
 */
public class VpcRunnerMode implements ExecutionMode {
    static final VpcRunnerMode INSTANCE = new VpcRunnerMode();

    /** TaskRunnerMode is this mode with its steps in ECS tasks. */
    VpcRunnerMode() {
    }

    @Override
    public boolean keepsRunnerFunction() {
        return true;
    }

    @Override
    public SchemaEngine reader(Translator.Record record, BaseHandlerStd.Services services) {
        return VpcRunner.engine(record.model(), record.model().getId(), services,
                new LambdaRunners.RecordedCode(record.runnerCode(), record.runnerExtraCa()));
    }

    @Override
    public LambdaRunnerPackage runnerCode(BaseHandlerStd.Services services) {
        return VpcRunner.code(services);
    }

    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> ready(ResourceModel model, CallbackContext ctx,
                                                                         BaseHandlerStd.Services services, Logger logger) {
        return VpcRunner.ensure(model, ctx, services, logger);
    }

    @Override
    public void validate(ResourceModel model, HandlerEnvironment environment) {
        VpcRunner.validate(model, environment);
    }

    @Override
    public void preflight(ResourceModel model, BaseHandlerStd.Services services) {
        // The login is read by the runner inside the VPC: the handler cannot check it before the function exists.
        Translator.engineSettings(model, services.environment());
        VpcRunner.validate(model, services);
    }

    @Override
    public SchemaEngine engine(ResourceModel model, BaseHandlerStd.Services services) {
        return VpcRunner.engine(model, model.getId(), services);
    }

    @Override
    public SchemaEngine stepper(ResourceModel model, CallbackContext ctx, BaseHandlerStd.Services services) {
        return VpcRunner.ensuredEngine(model.getId(), ctx, services);
    }

    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> tearDown(Translator.Record recorded, ResourceModel given,
                                                                            CallbackContext ctx, BaseHandlerStd.Services services,
                                                                            Logger logger) {
        return VpcRunner.remove(recorded.model(), given, recorded.model().getId(), recorded, ctx, services, logger);
    }

    /** A next mode without a runner function (or a rollback out of this one): the function has no use any more. */
    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> leave(ResourceModel left, ResourceModel next,
                                                                         CallbackContext ctx, BaseHandlerStd.Services services,
                                                                         Logger logger) {
        if (ExecutionMode.of(next).keepsRunnerFunction()
                || ctx.getRunner() != null && ctx.getRunner().removalReached(CallbackContext.Removal.GONE)) {
            return Optional.empty();
        }
        Optional<ProgressEvent<ResourceModel, CallbackContext>> waiting =
                VpcRunner.remove(left, next, left.getId(), null, ctx, services, logger);
        if (waiting.isEmpty()) {
            ctx.runnerState().setRemoval(CallbackContext.Removal.GONE);
        }
        return waiting;
    }

    @Override
    public void abandon(ResourceModel claimed, BaseHandlerStd.Services services, Logger logger) {
        // Without a record no Delete will come for the runner function: remove it now (not waited for).
        services.runners().remove(LambdaRunners.functionName(claimed.getId()), false);
    }
}
