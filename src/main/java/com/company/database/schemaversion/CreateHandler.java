package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.LambdaRunners;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.util.Objects;
import java.util.Optional;

/**
 * Create: claim the database schema (the record, keyed by the deterministic Id), answer IN_PROGRESS with the
 * Id at once, then apply migrations call by call until TargetVersion.
 */
public class CreateHandler extends BaseHandlerStd {

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> handle(ResourceHandlerRequest<ResourceModel> request,
                                                                   CallbackContext ctx, Services services, Logger logger) {
        ResourceModel model = request.getDesiredResourceState();
        if (!ctx.isRecordWritten()) {
            return claim(model, request.getClientRequestToken(), ctx, services);
        }
        String id = model.getId() != null ? model.getId() : Translator.idOf(model);
        return reconcileStep(model.toBuilder().id(id).build(), ctx, services, logger);
    }

    private ProgressEvent<ResourceModel, CallbackContext> claim(ResourceModel model, String requestToken,
                                                                CallbackContext ctx, Services services) {
        // Only the operation's first call has the template's model; later ones carry the model this handler
        // returned, with its Id, which is no read-only property set by the user.
        if (ctx.getCalls() <= 1) {
            ModelValidation.forCreate(model);
        }
        Translator.engineSettings(model);
        VpcRunner.validate(model);
        if (!Translator.vpcRunner(model)) {
            // Credentials are checked before the claim (as the design's first call says), so a wrong
            // parameter name fails at once and leaves no record behind.
            services.logins().resolve(model.getCredentials().getUsernameParameter(),
                    model.getCredentials().getPasswordParameter(), model.getCredentials().getSecretParameter());
        }
        String id = Translator.idOf(model);
        ResourceModel claimed = model.toBuilder().id(id).build();
        Optional<String> existing = services.records().get(id);
        if (existing.isPresent()) {
            // A retry of this very request (same token) finds its own claim; anyone else finds an owner.
            if (!Objects.equals(Translator.fromRecord(existing.get()).owner(), requestToken)) {
                throw new ReconcileException(Reason.ALREADY_OWNED, "Resource " + id + " already exists: another"
                        + " Company::Database::SchemaVersion resource manages " + where(model)
                        + ". One resource per database schema; delete or import the other one first.");
            }
        } else {
            services.records().create(id, Translator.toRecord(claimed, requestToken));
        }
        ctx.setRecordWritten(true);
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.IN_PROGRESS)
                .resourceModel(claimed)
                .callbackContext(ctx)
                .callbackDelaySeconds(0)
                .message("Claimed " + where(model) + " as " + id + "; applying migrations up to "
                        + model.getTargetVersion() + " next.")
                .build();
    }

    /**
     * A Create that fails for good gives its claim back, so the corrected template can be deployed again
     * without AlreadyExists. The database keeps what was applied (the next Create resumes from its history);
     * a rollback's Delete then finds no record and answers NotFound, which CloudFormation takes as deleted.
     */
    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> afterFailure(ProgressEvent<ResourceModel, CallbackContext> event,
                                                                         ResourceHandlerRequest<ResourceModel> request,
                                                                         CallbackContext ctx, Services services, Logger logger) {
        ResourceModel model = event.getResourceModel();
        if (!event.isFailed() || !ctx.isRecordWritten() || model == null || model.getId() == null) {
            return event;
        }
        try {
            boolean ours = services.records().get(model.getId()).map(Translator::fromRecord)
                    .map(r -> Objects.equals(r.owner(), request.getClientRequestToken())).orElse(false);
            if (ours && services.records().delete(model.getId())) {
                event.setMessage(event.getMessage() + " The claim on this database schema was released; fix the"
                        + " cause and deploy again (what was applied stays applied).");
                if (Translator.vpcRunner(model)) {
                    // Without a record no Delete will come for the runner function: remove it now (not waited for).
                    services.runners().remove(LambdaRunners.functionName(model.getId()), false);
                }
            }
        } catch (RuntimeException releaseFailed) {
            logger.log("Could not release the claim " + model.getId() + ": " + releaseFailed.getMessage());
        }
        return event;
    }

    private static String where(ResourceModel m) {
        return m.getDatabase().getHost() + ":" + Translator.port(m) + "/" + m.getDatabase().getName()
                + " schema " + Translator.schema(m);
    }
}
