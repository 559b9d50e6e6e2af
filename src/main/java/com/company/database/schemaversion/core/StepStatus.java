package com.company.database.schemaversion.core;

/** Where a started step stands, as {@link SchemaEngine#poll} sees it. */
public sealed interface StepStatus {

    /**
     * Not finished yet.
     *
     * @param running      the step has begun (the runner took it), as opposed to still being delivered or started
     * @param message      one line for the stack event: where it runs and for how long
     * @param delaySeconds how long the next handler call should wait
     */
    record Running(boolean running, String message, int delaySeconds) implements StepStatus {
    }

    /**
     * Finished without a failure of its own.
     *
     * @param after the engine's own observation after the step, when it vouches for it (it ran here); null when the
     *              caller must observe (a runner's report is not taken as the database's state)
     */
    record Finished(Observation after) implements StepStatus {
    }

    /** Failed, or given up (never started, stopped without reporting): the typed reason, as the engine found it. */
    record Failed(ReconcileException failure) implements StepStatus {
    }
}
