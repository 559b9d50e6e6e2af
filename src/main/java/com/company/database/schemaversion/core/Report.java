package com.company.database.schemaversion.core;

import java.util.List;

/**
 * The result of one reconcile step.
 *
 * @param done        the database is at (or, for a rollback, above) the target: stop calling
 * @param plan        what was planned before this step
 * @param appliedNow  migrations applied in this step
 * @param observation the state after this step
 * @param message     one line for the stack event
 */
public record Report(boolean done, Plan plan, List<Migration> appliedNow, Observation observation, String message) {
    public Report {
        appliedNow = List.copyOf(appliedNow);
    }
}
