package com.company.database.schemaversion;

import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.util.Optional;

/**
 * Delete: give back the schema's claim, remove the record and keep the data. OnDelete: Clean first drops every
 * object in the schema, where the claim in the database shows the resource created it (ClaimSteps).
 * It acts on the recorded properties of a resource the requesting stack owns, never on what the request
 * claims. The final answer carries no model, as the contract requires.
 */
public class DeleteHandler extends BaseHandlerStd {

    /** Lambda's: what the generated wrapper builds. */
    public DeleteHandler() {
        this(HandlerEnvironment.LAMBDA);
    }

    public DeleteHandler(HandlerEnvironment environment) {
        super(environment);
    }

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> handle(ResourceHandlerRequest<ResourceModel> request,
                                                                   CallbackContext ctx, Services services, Logger logger) {
        ResourceModel given = request.getDesiredResourceState();
        String id = idOf(given, null);
        Translator.Record record = ownedRecord(id, request, false, services);
        Optional<ProgressEvent<ResourceModel, CallbackContext>> waiting =
                ExecutionMode.of(record.model()).tearDown(record, given, ctx, services, logger);
        if (waiting.isPresent()) {
            return waiting.get();
        }
        services.records().delete(id);
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.SUCCESS)
                .message((ctx.getDeleteNote() == null ? "Kept the schema and its data" : ctx.getDeleteNote())
                        + "; removed resource " + id + ".")
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
