package com.company.database.schemaversion;

import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.mode.ClaimSteps;
import com.company.database.schemaversion.mode.ExecutionMode;
import com.company.database.schemaversion.mode.HistoryActions;
import com.company.database.schemaversion.mode.ReconcileSteps;
import com.company.database.schemaversion.policy.ModelValidation;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.util.Optional;

/**
 * Update: move forward to the new TargetVersion call by call, and record the new desired properties once
 * the operation succeeds (a failed Update leaves the record, and so Read, as they were). A target below the
 * applied version (what a stack rollback sends) succeeds without touching the schema.
 */
public class UpdateHandler extends BaseHandlerStd {

    /** Lambda's: what the generated wrapper builds. */
    public UpdateHandler() {
        this(HandlerEnvironment.lambda());
    }

    public UpdateHandler(HandlerEnvironment environment) {
        super(environment);
    }

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> handle(ResourceHandlerRequest<ResourceModel> request,
                                                                   CallbackContext ctx, Services services, Logger logger) {
        ResourceModel desired = request.getDesiredResourceState();
        ResourceModel previous = request.getPreviousResourceState();
        String id = idOf(desired, previous);
        Translator.Record record = ownedRecord(id, request, false, services);
        ResourceModel model = desired.toBuilder().id(id).build();
        services.policy().cloudControl().checkUpdate(request, desired, record.model());
        // A stack rollback puts back properties that were in force before: refusing them would leave the stack in
        // UPDATE_ROLLBACK_FAILED. So a rollback is never refused for Clean or Repair, and repairs nothing; a Clean
        // the admin does not allow is still not done at Delete (DeleteHandler).
        boolean rollback = Boolean.TRUE.equals(request.getRollback());
        if (!ctx.reached(CallbackContext.Phase.VALIDATED)) {
            // Later calls carry the model this handler returned, with its read-only results.
            ModelValidation.forUpdate(desired, record.model(), previous, id, services.policy(), rollback);
            Translator.engineSettings(model, services.environment());
            ExecutionMode.of(model).validate(model, services.environment());
            ctx.advanceTo(CallbackContext.Phase.VALIDATED);
        }
        ExecutionMode mode = ExecutionMode.of(model);
        // What the resource was in before (the record; in a rollback also the Update that failed to enter a mode)
        // is left behind by the mode it ran in: its function removed, its tasks stopped, as the new mode needs.
        for (ResourceModel before : modelsBefore(record.model(), previous == null ? null : previous.toBuilder().id(id).build())) {
            Optional<ProgressEvent<ResourceModel, CallbackContext>> leaving =
                    ExecutionMode.of(before).leave(before, model, ctx, services, logger);
            if (leaving.isPresent()) {
                return leaving.get();
            }
        }
        Optional<ProgressEvent<ResourceModel, CallbackContext>> claim =
                ClaimSteps.onUpdate(model, record, mode, ctx, services, logger);
        if (claim.isPresent()) {
            return claim.get();
        }
        if (rollback) {
            ctx.advanceTo(CallbackContext.Phase.RECONCILING);
        }
        Optional<ProgressEvent<ResourceModel, CallbackContext>> history = HistoryActions.beforeReconcile(model,
                HistoryActions.previousOf(request, record.model()), mode, ctx, services, logger);
        if (history.isPresent()) {
            return history.get();
        }
        ProgressEvent<ResourceModel, CallbackContext> event = ReconcileSteps.step(model, ctx, mode, services, logger);
        if (event.isSuccess()) {
            ClaimSteps.afterUpdate(model, record, mode, ctx, services);
            services.records().replace(id, Translator.toRecord(model, record.owner(),
                    mode.runnerCode(services)));
        }
        return event;
    }

    /** The resource as it was before this Update, once per mode it may have run in. */
    private static java.util.List<ResourceModel> modelsBefore(ResourceModel recorded, ResourceModel previous) {
        return previous == null || ExecutionMode.of(previous).getClass() == ExecutionMode.of(recorded).getClass()
                ? java.util.List.of(recorded) : java.util.List.of(recorded, previous);
    }

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> onFailure(ReconcileException e,
                                                                      ResourceHandlerRequest<ResourceModel> request,
                                                                      CallbackContext ctx, Services services, Logger logger) {
        ResourceModel desired = request.getDesiredResourceState();
        String id = idOf(desired, request.getPreviousResourceState());
        return waitOrFail(e, desired == null || id == null ? desired : desired.toBuilder().id(id).build(), ctx, services);
    }
}
