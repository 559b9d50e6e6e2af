package com.company.database.schemaversion.core;

import java.util.Optional;

/**
 * What the reconcile needs from whatever touches the database: Flyway in this process, or the same engine
 * inside the VPC runner. Failures are ReconcileExceptions with a reason. No operation has a default:
 * each engine implements what it supports. Moving forward is a step: started, then polled until it finishes,
 * whether it runs here (Direct) or in a runner elsewhere (the Lambda runner, the ECS task runner).
 */
public interface SchemaEngine {

    /** Reads the history and the baked set; changes nothing. */
    Observation observe();

    /**
     * Starts one step of {@code plan} (made on {@code observed}, this engine's observation of the same call):
     * applying here, an in-process engine has finished it when this returns ({@link AppliesHere}); a runner
     * elsewhere has only been asked to begin. The step's migrations start only while their budget allows: the
     * call's here, the runner's own there.
     *
     * @return the step, for the caller to checkpoint and {@link #poll}
     */
    Step start(Observation observed, Plan plan, Budget budget);

    /**
     * Where {@code step} stands: waits for it while {@code budget} allows starting more work, then answers. A step
     * the engine gives up on (it never began, or stopped without reporting) is {@link StepStatus.Failed} with the
     * reason; a failure to ask (a service that did not answer) is thrown and leaves the step to the next call.
     */
    StepStatus poll(Step step, Budget budget);

    /** Stops {@code step} if it still runs, and removes what the engine kept for it (Delete, or the step given up). */
    void stop(Step step);

    /**
     * Takes over a schema that has objects but no Flyway history: records {@code baseline} as applied (Flyway's
     * baseline), so only the migrations above it run. Refused (INVALID_INPUT) when that would hide a real
     * difference: an empty schema, a history with another baseline, a version the set does not have. A history
     * that already has this baseline, or none but applied migrations, is left alone.
     *
     * @return what the history was and became, for the stack event
     */
    String adopt(Version baseline);

    /**
     * Removes the failed history row of {@code version} at {@code installedRank} (what {@code flyway repair}
     * does with failed rows; checksums are not realigned), so the migration is pending again. A row that is not
     * (or no longer) there changes nothing: a stale request never repairs a later failure.
     *
     * @return what the history was and became, for the stack event
     */
    String repair(Version version, int installedRank);

    /**
     * The claim the database records on the managed schema, if any. Changes nothing (not even the claims table,
     * which only {@link #claim} creates).
     */
    Optional<Claim> claimOf();

    /**
     * Claims the managed schema for {@code claimant}, atomically: a schema nobody claims becomes its (recording
     * whether its history starts on an empty or missing schema); its own claim takes {@code claimant}'s OnDelete;
     * anyone else's claim is refused (ALREADY_OWNED) and nothing changes. Repeating it changes nothing more.
     *
     * @return the claim as it now stands
     */
    Claim claim(Claimant claimant);

    /**
     * Gives the claim back if {@code claimant} holds it (Delete, or a Create that failed for good); anyone else's
     * claim, or none, is left as it is.
     *
     * @return whether a claim was released
     */
    boolean release(Claimant claimant);

    /**
     * OnDelete: Clean for {@code claimant}: drops every object in the managed schema only when the database
     * agrees: the claim is the claimant's, says Clean, and started the history (or the account admin allows
     * cleaning what a resource did not create). Otherwise refused (ACCESS_DENIED) and nothing is dropped.
     */
    void clean(Claimant claimant, boolean mayCleanWhatItDidNotCreate);
}
