package com.company.database.schemaversion;

import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

/**
 * Delete: remove the record and keep the data. OnDelete: Clean first drops every object in the schema.
 * The answer carries no model, as the contract requires.
 */
public class DeleteHandler extends BaseHandlerStd {

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> handle(ResourceHandlerRequest<ResourceModel> request,
                                                                   CallbackContext ctx, Services services, Logger logger) {
        ResourceModel given = request.getDesiredResourceState();
        String id = given.getId() != null ? given.getId() : given.getDatabase() != null ? Translator.idOf(given) : null;
        ResourceModel model = recordOf(id, services).model();
        if ("Clean".equals(model.getOnDelete())) {
            engineFor(model, services).clean();
            logger.log("Cleaned schema " + Translator.schema(model) + " of " + id + " (OnDelete: Clean).");
        }
        services.records().delete(id);
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.SUCCESS)
                .message(("Clean".equals(model.getOnDelete()) ? "Dropped every object in schema " + Translator.schema(model)
                        : "Kept the schema and its data") + "; removed resource " + id + ".")
                .build();
    }

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> onFailure(
            com.company.database.schemaversion.core.ReconcileException e,
            ResourceHandlerRequest<ResourceModel> request, CallbackContext ctx) {
        // While waiting, the IN_PROGRESS event must still name the resource (contract: primary identifier).
        ResourceModel m = request.getDesiredResourceState();
        int wait = m == null || m.getDatabase() == null ? 0 : Translator.connectWaitMinutes(m);
        return ErrorTranslator.toEvent(e, m, ctx, true, wait);
    }
}
