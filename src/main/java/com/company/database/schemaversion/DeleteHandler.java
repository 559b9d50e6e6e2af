package com.company.database.schemaversion;

import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.mode.ExecutionMode;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.util.Optional;

/**
 * Delete: give back the schema's claim, remove the record and keep the data. OnDelete: Clean first drops every
 * object in the schema, where the account's type configuration (Destruction.Clean) still allows it and the claim
 * in the database shows the resource created it (ClaimSteps).
 * It acts on the recorded properties of a resource the requesting stack owns, never on what the request
 * claims. The final answer carries no model, as the contract requires.
 */
public class DeleteHandler extends BaseHandlerStd {

    /** Lambda's: what the generated wrapper builds. */
    public DeleteHandler() {
        this(HandlerEnvironment.lambda());
    }

    public DeleteHandler(HandlerEnvironment environment) {
        super(environment);
    }

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> handle(ResourceHandlerRequest<ResourceModel> request,
                                                                   CallbackContext ctx, Services services, Logger logger) {
        ResourceModel given = request.getDesiredResourceState();
        String id = idOf(given, null);
        Translator.Record owned = ownedRecord(id, request, false, services);
        services.policy().cloudControl().checkChange(request, "Delete");
        // A Clean the admin no longer allows here is not done, and the Delete still succeeds: failing it would
        // leave the stack in DELETE_FAILED with nothing its author can change.
        String kept = services.policy().destruction().cleanRefusal(owned.model());
        Translator.Record record = kept == null ? owned : new Translator.Record(
                owned.model().toBuilder().onDelete("Retain").build(), owned.owner(), owned.runnerCode(), owned.runnerExtraCa());
        if (kept != null) {
            logger.log("Delete of " + id + ": " + kept + ".");
        }
        Optional<ProgressEvent<ResourceModel, CallbackContext>> waiting =
                ExecutionMode.of(record.model()).tearDown(record, given, ctx, services, logger);
        if (waiting.isPresent()) {
            return waiting.get();
        }
        services.records().delete(id);
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.SUCCESS)
                .message((ctx.getDeleteNote() == null ? "Kept the schema and its data" : ctx.getDeleteNote())
                        + (kept == null ? "" : " (" + kept + ")") + "; removed resource " + id + ".")
                .build();
    }

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> onFailure(ReconcileException e,
                                                                      ResourceHandlerRequest<ResourceModel> request,
                                                                      CallbackContext ctx, Services services, Logger logger) {
        // While waiting, the IN_PROGRESS event must still name the resource (contract: primary identifier).
        return waitOrFail(e, request.getDesiredResourceState(), ctx, services);
    }
}
