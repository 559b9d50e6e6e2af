package com.company.database.schemaversion;

import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Version;
import com.company.database.schemaversion.mode.ExecutionMode;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

/**
 * Read: from the Id alone, the recorded desired properties plus what the database says now, including
 * checksum drift of the applied migrations against the baked set. Never IN_PROGRESS. A request without a stack
 * gets only the recorded properties of a resource it may not change, unless the admin allows live reads.
 */
public class ReadHandler extends BaseHandlerStd {

    /** Lambda's: what the generated wrapper builds. */
    public ReadHandler() {
        this(HandlerEnvironment.lambda());
    }

    public ReadHandler(HandlerEnvironment environment) {
        super(environment);
    }

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> handle(ResourceHandlerRequest<ResourceModel> request,
                                                                   CallbackContext ctx, Services services, Logger logger) {
        String id = request.getDesiredResourceState() == null ? null : request.getDesiredResourceState().getId();
        Translator.Record record = ownedRecord(id, request, true, services);
        ResourceModel model = record.model();
        if (services.policy().cloudControl().readsFromRecord(request, record)) {
            // A caller without a stack learns what the record says, and makes the type read no login, connect to no
            // database and invoke no runner on the owning stack's behalf (type configuration CloudControl).
            return ProgressEvent.defaultSuccessHandler(model);
        }
        Observation observed = ExecutionMode.of(model).reader(record, services).observe();
        Version target;
        try {
            target = RECONCILER.plan(observed, model.getTargetVersion()).target();
        } catch (ReconcileException e) {
            target = null;
        }
        return ProgressEvent.defaultSuccessHandler(Translator.withStatus(model, observed, target));
    }
}
