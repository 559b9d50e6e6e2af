package com.company.database.schemaversion;

import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

/**
 * Update: record the new desired properties, then move forward to the new TargetVersion call by call. A
 * target below the applied version (what a stack rollback sends) succeeds without touching the schema.
 */
public class UpdateHandler extends BaseHandlerStd {

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> handle(ResourceHandlerRequest<ResourceModel> request,
                                                                   CallbackContext ctx, Services services, Logger logger) {
        ResourceModel desired = request.getDesiredResourceState();
        ResourceModel previous = request.getPreviousResourceState();
        String id = desired.getId() != null ? desired.getId()
                : previous != null && previous.getId() != null ? previous.getId() : Translator.idOf(desired);
        Translator.Record record = recordOf(id, services);
        ResourceModel model = desired.toBuilder().id(id).build();
        if (!ctx.isRecordWritten()) {
            ModelValidation.forUpdate(desired, previous != null && previous.getDatabase() != null ? previous : record.model());
            Translator.engineSettings(model);
            services.records().replace(id, Translator.toRecord(model, record.owner()));
            ctx.setRecordWritten(true);
        }
        return reconcileStep(model, ctx, services, logger);
    }
}
