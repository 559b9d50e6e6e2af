package com.company.database.schemaversion;

import com.company.database.schemaversion.core.Reason;
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
 * Create: claim the database schema (the record, keyed by the deterministic Id), then, in the same call,
 * apply what fits of the migrations up to TargetVersion; later calls go on until it is reached.
 *
 * <p>A Create that fails names no resource unless it still holds one: the claim is given back, so
 * CloudFormation's rollback has nothing to delete, and above all never deletes a resource another Create
 * (another stack, or another logical id) owns.
 */
public class CreateHandler extends BaseHandlerStd {

    /** Lambda's: what the generated wrapper builds. */
    public CreateHandler() {
        this(HandlerEnvironment.lambda());
    }

    public CreateHandler(HandlerEnvironment environment) {
        super(environment);
    }

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> handle(ResourceHandlerRequest<ResourceModel> request,
                                                                   CallbackContext ctx, Services services, Logger logger) {
        ResourceModel model = request.getDesiredResourceState();
        ExecutionMode mode = ExecutionMode.of(model);
        if (!ctx.reached(CallbackContext.Phase.CLAIMED)) {
            claim(model, request, ctx, mode, services);
        }
        ResourceModel claimed = model.toBuilder().id(Translator.idOf(model)).build();
        Optional<ProgressEvent<ResourceModel, CallbackContext>> databaseClaim =
                ClaimSteps.onCreate(claimed, Translator.Owner.of(request), mode, ctx, services, logger);
        if (databaseClaim.isPresent()) {
            return databaseClaim.get();
        }
        Optional<ProgressEvent<ResourceModel, CallbackContext>> history =
                HistoryActions.beforeReconcile(claimed, null, mode, ctx, services, logger);
        if (history.isPresent()) {
            return history.get();
        }
        return ReconcileSteps.step(claimed, ctx, mode, services, logger);
    }

    private void claim(ResourceModel model, ResourceHandlerRequest<ResourceModel> request, CallbackContext ctx,
                       ExecutionMode mode, Services services) {
        services.policy().cloudControl().checkChange(request, "Create");
        // Only the operation's first call has the template's model; later ones carry the model this handler
        // returned, with its Id, which is no read-only property set by the user.
        if (!ctx.reached(CallbackContext.Phase.VALIDATED)) {
            ModelValidation.forCreate(model, services.policy());
            ctx.advanceTo(CallbackContext.Phase.VALIDATED);
        }
        // Checked before the claim (the engine settings, the login), so a wrong parameter name fails at once and
        // leaves no record behind.
        mode.preflight(model, services);
        String id = Translator.idOf(model);
        Optional<String> existing = services.records().get(id);
        if (existing.isEmpty()) {
            services.records().create(id, Translator.toRecord(model.toBuilder().id(id).build(), Translator.Owner.of(request),
                    mode.runnerCode(services)));
        } else if (!Translator.fromRecord(existing.get()).map(r -> r.owner() != null && r.owner().createdBy(request)).orElse(false)) {
            // A retry of this very request finds its own claim; anyone else finds an owner.
            throw new ReconcileException(Reason.ALREADY_OWNED, "Resource " + id + " already exists: another"
                    + " Company::Database::SchemaVersion resource manages " + where(model)
                    + ". One resource per database schema; delete the other one first, or give this one another Schema.");
        }
        ctx.advanceTo(CallbackContext.Phase.CLAIMED);
    }

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> onFailure(ReconcileException e,
                                                                      ResourceHandlerRequest<ResourceModel> request,
                                                                      CallbackContext ctx, Services services, Logger logger) {
        ResourceModel model = request.getDesiredResourceState();
        String id = idOf(model, null);
        ResourceModel named = model == null || id == null ? model : model.toBuilder().id(id).build();
        ProgressEvent<ResourceModel, CallbackContext> event = waitOrFail(e, named, ctx, services);
        if (!event.isFailed()) {
            return event;
        }
        // Nothing was created before the claim: name nothing (AlreadyExists above all must not name the
        // resource that another stack owns).
        return ctx.reached(CallbackContext.Phase.CLAIMED) ? release(event, e.reason() == Reason.ALREADY_OWNED, named, request, ctx, services, logger)
                : ProgressEvent.failed(null, null, event.getErrorCode(), event.getMessage());
    }

    /**
     * A Create that fails for good gives its claim back, so the corrected template can be deployed again
     * without AlreadyExists. The database keeps what was applied (the next Create resumes from its history).
     * Only when the claim cannot be given back does the answer name the resource, so that the rollback's
     * Delete removes it.
     */
    private static ProgressEvent<ResourceModel, CallbackContext> release(ProgressEvent<ResourceModel, CallbackContext> failed,
                                                                         boolean ownedElsewhere, ResourceModel claimed,
                                                                         ResourceHandlerRequest<ResourceModel> request,
                                                                         CallbackContext ctx, Services services, Logger logger) {
        String id = claimed.getId();
        try {
            boolean ours = services.records().get(id).flatMap(Translator::fromRecord)
                    .map(r -> r.owner() != null && r.owner().createdBy(request)).orElse(false);
            if (ours) {
                // The database's claim first: while it cannot be given back, the record stays for the rollback.
                ClaimSteps.onCreateFailed(claimed, Translator.Owner.of(request), ctx, services);
            }
            if (ours && services.records().delete(id)) {
                ExecutionMode.of(claimed).abandon(claimed, services, logger);
                return ProgressEvent.failed(null, null, failed.getErrorCode(), failed.getMessage() + (ownedElsewhere ? ""
                        : " The claim on this database schema was released; fix the cause and deploy again"
                        + " (what was applied stays applied)."));
            }
            return ProgressEvent.failed(null, null, failed.getErrorCode(), failed.getMessage());
        } catch (RuntimeException releaseFailed) {
            logger.log("Could not release the claim " + id + ": " + releaseFailed.getMessage());
            return ProgressEvent.failed(claimed, null, failed.getErrorCode(), failed.getMessage()
                    + " The claim " + id + " could not be released; the stack's rollback deletes it.");
        }
    }

    private static String where(ResourceModel m) {
        return m.getDatabase().getHost() + ":" + Translator.port(m) + "/" + m.getDatabase().getName()
                + " schema " + Translator.schema(m);
    }

}
