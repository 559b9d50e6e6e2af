package com.company.database.schemaversion.mode;

import com.company.database.schemaversion.BaseHandlerStd;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.core.Report;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.util.Optional;

/**
 * The reconcile part of Create and Update, the same for every mode: the mode gets ready (its runner function
 * Active and as configured), then the Reconciler decides the next step with the mode's engine, and the callback
 * context carries the step that runs on between calls.
 */
public final class ReconcileSteps {
    private ReconcileSteps() {
    }

    /** One handler call of the reconcile: SUCCESS when the target is reached, IN_PROGRESS until then. */
    public static ProgressEvent<ResourceModel, CallbackContext> step(ResourceModel model, CallbackContext ctx,
                                                                    ExecutionMode mode, BaseHandlerStd.Services services,
                                                                    Logger logger) {
        Optional<ProgressEvent<ResourceModel, CallbackContext>> notReady = mode.ready(model, ctx, services, logger);
        if (notReady.isPresent()) {
            return notReady.get();
        }
        Report report = BaseHandlerStd.RECONCILER.step(mode.stepper(model, ctx, services), model.getTargetVersion(),
                services.budget(), ctx);
        // The database and the runner answered: whatever was being waited for is over.
        ctx.setWaitingSince(null);
        ctx.setWaitAttempts(0);
        logger.log(report.message());
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(report.done() ? OperationStatus.SUCCESS : OperationStatus.IN_PROGRESS)
                .resourceModel(report.observation() == null ? model
                        : Translator.withStatus(model, report.observation(), report.plan().target()))
                .callbackContext(report.done() ? null : ctx)
                .callbackDelaySeconds(report.delaySeconds())
                .message(report.message())
                .build();
    }
}
