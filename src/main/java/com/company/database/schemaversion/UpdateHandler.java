package com.company.database.schemaversion;

import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.util.Optional;

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
            VpcRunner.validate(model);
            services.records().replace(id, Translator.toRecord(model, record.owner()));
            ctx.setRecordWritten(true);
            ctx.setRunnerRetiring(Translator.vpcRunner(record.model()) && !Translator.vpcRunner(model));
        }
        if (ctx.isRunnerRetiring()) {
            // Leaving VpcRunner mode: the runner function has no use any more.
            Optional<ProgressEvent<ResourceModel, CallbackContext>> waiting =
                    VpcRunner.remove(record.model(), model, id, false, ctx, services, logger);
            if (waiting.isPresent()) {
                return waiting.get();
            }
            ctx.setRunnerRetiring(false);
        }
        return reconcileStep(model, ctx, services, logger);
    }
}
