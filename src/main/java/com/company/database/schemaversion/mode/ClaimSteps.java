package com.company.database.schemaversion.mode;

import com.company.database.schemaversion.BaseHandlerStd;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.Database;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.core.Claim;
import com.company.database.schemaversion.core.Claimant;
import com.company.database.schemaversion.core.Claims;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.SchemaEngine;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The claim each resource holds on its schema in the database itself (see guides/security.md, "Claims"): taken
 * by Create before anything is applied, checked by Update, given back by Delete and by a Create that fails for
 * good. The SSM record says what a resource is; the claim in the database says which resource a schema belongs
 * to, whatever name a template gives the server, and outlives a record that is lost or put back.
 */
public final class ClaimSteps {
    private ClaimSteps() {
    }

    /** The resource as a claimant: its Id, its owner and the OnDelete the model declares. */
    static Claimant claimant(ResourceModel model, Translator.Owner owner) {
        String id = model.getId() != null ? model.getId() : Translator.idOf(model);
        return new Claimant(id, owner == null ? null : owner.stackId(), owner == null ? null : owner.logicalResourceId(),
                owner == null ? null : owner.createRequest(), onDelete(model));
    }

    static String onDelete(ResourceModel model) {
        return Translator.cleansOnDelete(model) ? "Clean" : "Retain";
    }

    /**
     * Create: claims the schema in the database before any history change or migration; another resource's
     * claim (whatever host name it used) fails the Create with ALREADY_OWNED, having changed nothing.
     */
    public static Optional<ProgressEvent<ResourceModel, CallbackContext>> onCreate(ResourceModel claimed, Translator.Owner owner,
                                                                           ExecutionMode mode, CallbackContext ctx,
                                                                           BaseHandlerStd.Services services, Logger logger) {
        if (ctx.reached(CallbackContext.Phase.DATABASE_CLAIMED)) {
            return Optional.empty();
        }
        Optional<ProgressEvent<ResourceModel, CallbackContext>> notReady = mode.ready(claimed, ctx, services, logger);
        if (notReady.isPresent()) {
            return notReady;
        }
        Claim claim = mode.engine(claimed, services).claim(claimant(claimed, owner));
        ctx.advanceTo(CallbackContext.Phase.DATABASE_CLAIMED);
        logger.log("Claimed schema " + Translator.schema(claimed) + " for " + claimed.getId() + (claim.createdHistory()
                ? " (empty or missing: OnDelete Clean may drop it)"
                : " (it already had objects or a history: OnDelete Clean keeps them unless the account admin allows it)."));
        return Optional.empty();
    }

    /**
     * Update, before anything changes: the database's claim on the schema must be this resource's. A resource
     * created before claims were kept in the database claims it now, as one that did not create the schema.
     */
    public static Optional<ProgressEvent<ResourceModel, CallbackContext>> onUpdate(ResourceModel model, Translator.Record record,
                                                                           ExecutionMode mode, CallbackContext ctx,
                                                                           BaseHandlerStd.Services services, Logger logger) {
        if (ctx.reached(CallbackContext.Phase.DATABASE_CLAIMED)) {
            return Optional.empty();
        }
        Optional<ProgressEvent<ResourceModel, CallbackContext>> notReady = mode.ready(model, ctx, services, logger);
        if (notReady.isPresent()) {
            return notReady;
        }
        SchemaEngine engine = mode.engine(model, services);
        Claimant recorded = claimant(record.model(), record.owner());
        Claim claim = engine.claimOf().orElse(null);
        if (claim == null) {
            claim = engine.claim(recorded);
            logger.log("Schema " + Translator.schema(model) + " had no claim in the database: claimed it for "
                    + recorded.resourceId() + " as a schema this resource did not create.");
        } else if (!recorded.holds(claim)) {
            throw new ReconcileException(Reason.ALREADY_OWNED, "Schema " + Translator.schema(model) + " of resource "
                    + recorded.resourceId() + " is claimed in the database by another Company::Database::SchemaVersion"
                    + " resource, so this one may not change it. Nothing was changed. Delete one of the two resources"
                    + " (a Delete keeps the data of a schema it does not hold).");
        }
        ctx.setClaimOnDelete(claim.onDelete());
        ctx.advanceTo(CallbackContext.Phase.DATABASE_CLAIMED);
        return Optional.empty();
    }

    /** Update that succeeded: the claim records the OnDelete the resource now declares. */
    public static void afterUpdate(ResourceModel model, Translator.Record record, ExecutionMode mode, CallbackContext ctx,
                            BaseHandlerStd.Services services) {
        if (onDelete(model).equals(ctx.getClaimOnDelete())) {
            return;
        }
        mode.engine(model, services).claim(claimant(model, record.owner()));
        ctx.setClaimOnDelete(onDelete(model));
    }

    /** A Create that fails for good gives back the claim it took in the database (before its record goes). */
    public static void onCreateFailed(ResourceModel claimed, Translator.Owner owner, CallbackContext ctx,
                               BaseHandlerStd.Services services) {
        if (ctx.reached(CallbackContext.Phase.DATABASE_CLAIMED)) {
            ExecutionMode.of(claimed).engine(claimed, services).release(claimant(claimed, owner));
            ctx.setPhase(CallbackContext.Phase.CLAIMED);
        }
    }

    /**
     * Delete: OnDelete Clean drops the schema's objects only where the database's claim agrees (see
     * Claims#cleanRefusal); otherwise the data stays and the Delete still succeeds, saying so. Then the claim is
     * given back. With OnDelete Retain that is all the database sees, and a database that cannot be reached
     * does not hold the Delete up: the message says the claim stays and how to remove it.
     *
     * @param engine the engine to use, made only when needed
     * @return what was done, for the Delete's message
     */
    static String onDelete(Translator.Record record, Supplier<SchemaEngine> engine, BaseHandlerStd.Services services,
                           Logger logger) {
        ResourceModel recorded = record.model();
        Claimant who = claimant(recorded, record.owner());
        String schema = Translator.schema(recorded);
        if (!Translator.cleansOnDelete(recorded)) {
            try {
                return "Kept the schema and its data" + released(engine.get().release(who));
            } catch (ReconcileException e) {
                logger.log("Could not release the claim on schema " + schema + " of " + who.resourceId() + ": "
                        + e.reason() + ": " + e.getMessage());
                return "Kept the schema and its data. Its claim in the database could not be given back ("
                        + e.getMessage() + "): until it is, no other resource can claim the schema; a database"
                        + " administrator removes it with DELETE FROM company_schemaversion.claims WHERE schema_name = '"
                        + schema + "'";
            }
        }
        SchemaEngine e = engine.get();
        Claim claim = e.claimOf().orElse(null);
        boolean mayCleanUncreated = services.policy().destruction().mayCleanWhatItDidNotCreate(recorded);
        String refusal = Claims.cleanRefusal(claim, who, mayCleanUncreated);
        String done;
        if (refusal == null) {
            e.clean(who, mayCleanUncreated);
            done = "Dropped every object in schema " + schema;
            logger.log("Cleaned schema " + schema + " of " + who.resourceId() + " (OnDelete: Clean).");
        } else {
            done = "Kept the schema and its data although OnDelete is Clean: "
                    + refusal.substring(0, refusal.length() - 1);
            logger.log("Did not clean schema " + schema + " of " + who.resourceId() + ": " + refusal);
        }
        return done + released(e.release(who));
    }

    private static String released(boolean released) {
        return released ? "; gave back its claim in the database" : "";
    }
}
