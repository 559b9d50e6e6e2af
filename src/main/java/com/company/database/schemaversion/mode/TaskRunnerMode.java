package com.company.database.schemaversion.mode;

import com.company.database.schemaversion.BaseHandlerStd;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.Execution;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.aws.EcsTasks;
import com.company.database.schemaversion.core.SchemaEngine;
import com.company.database.schemaversion.policy.TaskRunnerSettings;
import com.company.database.schemaversion.runner.RunnerConfig;
import com.company.database.schemaversion.runner.RunnerImage;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Execution.Mode TaskRunner: the runner function in the customer's subnets answers what must answer within a
 * handler call (observe, claim, clean, adopt, repair, Read), exactly as in VpcRunner mode; each migration step runs
 * as an ECS Fargate task in the same subnets, from the runner image the account admin named by digest, for as
 * long as the operation's timeout allows. The Reconciler drives both through the same engine.
 */
public final class TaskRunnerMode extends VpcRunnerMode {
    static final TaskRunnerMode INSTANCE = new TaskRunnerMode();

    private TaskRunnerMode() {
    }

    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> ready(ResourceModel model, CallbackContext ctx,
                                                                         BaseHandlerStd.Services services, Logger logger) {
        services.policy().checkTaskRunner(model);
        return super.ready(model, ctx, services, logger);
    }

    @Override
    public void preflight(ResourceModel model, BaseHandlerStd.Services services) {
        super.preflight(model, services);
        services.policy().checkTaskRunner(model);
    }

    @Override
    public SchemaEngine stepper(ResourceModel model, CallbackContext ctx, BaseHandlerStd.Services services) {
        return VpcRunner.ensuredEngine(model.getId(), ctx, services).stepsThrough(tasks(model, model.getId(), services));
    }

    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> tearDown(Translator.Record recorded, ResourceModel given,
                                                                            CallbackContext ctx, BaseHandlerStd.Services services,
                                                                            Logger logger) {
        EcsTasks tasks = tasks(recorded.model(), recorded.model().getId(), services);
        if (!ctx.runnerState().removalReached(CallbackContext.Removal.CLEANED)) {
            // A step still running would go on migrating a schema that is being cleaned or given up.
            tasks.stopAll();
        }
        Optional<ProgressEvent<ResourceModel, CallbackContext>> waiting = super.tearDown(recorded, given, ctx, services, logger);
        if (waiting.isEmpty()) {
            tasks.deregister();
        }
        return waiting;
    }

    /**
     * Without a record no Delete will come: a step still running (the operation gave up waiting for it) is stopped
     * and the family's revisions deregistered, as far as ECS lets it now (not waited for), then the function goes.
     */
    @Override
    public void abandon(ResourceModel claimed, BaseHandlerStd.Services services, Logger logger) {
        try {
            EcsTasks tasks = tasks(claimed, claimed.getId(), services);
            tasks.stopAll();
            tasks.deregister();
        } catch (RuntimeException e) {
            logger.log("Could not stop the runner's tasks of " + claimed.getId() + ": " + e.getMessage());
        }
        super.abandon(claimed, services, logger);
    }

    /**
     * Out of TaskRunner mode: no step of it may go on, and no revision stays runnable with its task role; then the
     * function as VpcRunner mode leaves it (kept for VpcRunner, removed for Direct).
     */
    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> leave(ResourceModel left, ResourceModel next,
                                                                         CallbackContext ctx, BaseHandlerStd.Services services,
                                                                         Logger logger) {
        if (ExecutionMode.of(next) == INSTANCE) {
            return Optional.empty();
        }
        EcsTasks tasks = tasks(left, left.getId(), services);
        tasks.stopAll();
        tasks.deregister();
        return super.leave(left, next, ctx, services, logger);
    }

    /** The resource's tasks: its runner configuration, in the task definition the admin's settings shape. */
    static EcsTasks tasks(ResourceModel m, String id, BaseHandlerStd.Services services) {
        TaskRunnerSettings t = services.policy().taskRunner();
        Execution x = m.getExecution();
        RunnerConfig config = VpcRunner.runnerConfig(m, services.environment());
        Map<String, String> environment = new TreeMap<>(config.environment(null));
        environment.putAll(VpcRunner.policy(services.policy()).environment());
        return new EcsTasks(services.ecs(), new EcsTasks.Spec(EcsTasks.family(id), EcsTasks.startedBy(id), t.cluster(),
                t.image(), String.valueOf(t.cpu()), String.valueOf(t.memoryMiB()), x.getRoleArn(), t.executionRoleArn(),
                t.logGroup(), services.region(), x.getSubnetIds(), x.getSecurityGroupIds(),
                Boolean.TRUE.equals(x.getAssignPublicIp()), environment, services.policy().extraCaCertificates(),
                services.environment().runnerPackage().codeId(), RunnerImage.entrypoint()));
    }
}
