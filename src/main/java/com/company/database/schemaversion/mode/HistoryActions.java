package com.company.database.schemaversion.mode;

import com.company.database.schemaversion.BaseHandlerStd;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.Repair;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.SchemaEngine;
import com.company.database.schemaversion.core.Version;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The two explicit history changes a template can ask for, done once per operation before the reconcile:
 * Adoption (Create only: take over a schema without history at a baseline version) and Repair (remove one
 * failed history row; only when the property differs from the previous one, so a repeated Update or a
 * rollback that leaves it as it was never repairs anything). Each answers with an IN_PROGRESS event whose
 * message says what the history was and became.
 */
public final class HistoryActions {
    private HistoryActions() {
    }

    /**
     * @param previous the model before this operation (Update), null on Create
     * @param mode     the request's execution mode, which runs the history change
     * @return an event to answer with, or empty when there is nothing (more) to do and the reconcile may go on
     */
    public static Optional<ProgressEvent<ResourceModel, CallbackContext>> beforeReconcile(
            ResourceModel model, ResourceModel previous, ExecutionMode mode, CallbackContext ctx,
            BaseHandlerStd.Services services, Logger logger) {
        if (ctx.reached(CallbackContext.Phase.RECONCILING)) {
            return Optional.empty();
        }
        boolean adopt = previous == null && model.getAdoption() != null && model.getAdoption().getBaselineVersion() != null;
        Repair repair = model.getRepair();
        boolean doRepair = repair != null && (previous == null || !Objects.equals(repair, previous.getRepair()));
        if (!adopt && !doRepair) {
            ctx.advanceTo(CallbackContext.Phase.RECONCILING);
            return Optional.empty();
        }
        // Checked where the change is made too, whatever path led here.
        if (doRepair) {
            services.policy().destruction().checkRepair(model);
        }
        if (adopt) {
            services.policy().destruction().checkAdoption(model);
        }
        if (!ctx.reached(CallbackContext.Phase.DATABASE_CLAIMED)) {
            // Create and Update take or check the claim first: a history change only on a schema this resource holds.
            throw new ReconcileException(Reason.INTERNAL, "Adoption and Repair need this resource's claim on the schema,"
                    + " which was not checked; nothing was changed.");
        }
        Optional<ProgressEvent<ResourceModel, CallbackContext>> notReady = mode.ready(model, ctx, services, logger);
        if (notReady.isPresent()) {
            return notReady;
        }
        SchemaEngine engine = mode.engine(model, services);
        List<String> said = new ArrayList<>();
        if (doRepair) {
            if (repair.getInstalledRank() == null || repair.getInstalledRank() < 1) {
                throw new ReconcileException(Reason.INVALID_INPUT, "Repair needs FailedVersion and InstalledRank (the"
                        + " failed row's history row number, which DriftDetails gives); nothing was changed.");
            }
            said.add(engine.repair(version("Repair.FailedVersion", repair.getFailedVersion()), repair.getInstalledRank()));
        }
        if (adopt) {
            said.add(engine.adopt(version("Adoption.BaselineVersion", model.getAdoption().getBaselineVersion())));
        }
        ctx.advanceTo(CallbackContext.Phase.RECONCILING);
        String message = String.join(" ", said);
        logger.log(message);
        return Optional.of(ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.IN_PROGRESS)
                .resourceModel(model)
                .callbackContext(ctx)
                .callbackDelaySeconds(0)
                .message(message)
                .build());
    }

    /** The model before this Update: what CloudFormation sends, else the record's. */
    public static ResourceModel previousOf(ResourceHandlerRequest<ResourceModel> request, ResourceModel recorded) {
        ResourceModel previous = request.getPreviousResourceState();
        return previous != null && previous.getDatabase() != null ? previous : recorded;
    }

    private static Version version(String property, String text) {
        if (!Version.isValid(text)) {
            throw new ReconcileException(Reason.INVALID_INPUT, property + " '" + text
                    + "' is not a version: use a Flyway version such as 7, 2.1 or 2_1.");
        }
        return Version.parse(text);
    }
}
