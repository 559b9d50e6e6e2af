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
}
