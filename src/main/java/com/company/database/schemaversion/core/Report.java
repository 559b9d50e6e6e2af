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
 * @param delaySeconds how long the next call should wait when not done (a step running elsewhere is polled
 *                     every few seconds; a step here continues at once)
 */
public record Report(boolean done, Plan plan, List<Migration> appliedNow, Observation observation, String message,
                     int delaySeconds) {
    public Report {
        appliedNow = List.copyOf(appliedNow);
    }

    public Report(boolean done, Plan plan, List<Migration> appliedNow, Observation observation, String message) {
        this(done, plan, appliedNow, observation, message, 0);
    }

    /** Not done, with no new observation: a step still runs, or its outcome is to be checked in the next call. */
    static Report waiting(String message, int delaySeconds) {
        return new Report(false, null, List.of(), null, message, delaySeconds);
    }
}
