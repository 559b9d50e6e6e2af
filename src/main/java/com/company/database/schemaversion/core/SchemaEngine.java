package com.company.database.schemaversion.core;

/**
 * What the reconcile needs from whatever touches the database: Flyway in this process, or the same engine
 * inside the VPC runner. Failures are ReconcileExceptions with a reason.
 */
public interface SchemaEngine {

    /** Reads the history and the baked set; changes nothing. */
    Observation observe();

    /**
     * Applies pending migrations in order up to and including {@code target}, starting each one only while
     * the budget allows. What was applied shows in the next observation.
     */
    void apply(Version target, Budget budget);

    /** Drops every object in the managed schema (OnDelete: Clean). */
    void clean();

    /**
     * Takes over a schema that has objects but no Flyway history: records {@code baseline} as applied (Flyway's
     * baseline), so only the migrations above it run. Refused (INVALID_INPUT) when that would hide a real
     * difference: an empty schema, a history with another baseline, a version the set does not have. A history
     * that already has this baseline, or none but applied migrations, is left alone.
     *
     * @return what the history was and became, for the stack event
     */
    default String adopt(Version baseline) {
        throw new ReconcileException(Reason.INTERNAL, "This engine cannot adopt a schema.");
    }

    /**
     * Removes the failed history row of {@code version} at {@code installedRank} (what {@code flyway repair}
     * does with failed rows; checksums are not realigned), so the migration is pending again. A row that is not
     * (or no longer) there changes nothing: a stale request never repairs a later failure.
     *
     * @return what the history was and became, for the stack event
     */
    default String repair(Version version, int installedRank) {
        throw new ReconcileException(Reason.INTERNAL, "This engine cannot repair the history.");
    }
}
