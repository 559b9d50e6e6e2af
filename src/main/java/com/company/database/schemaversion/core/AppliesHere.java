package com.company.database.schemaversion.core;

import java.util.UUID;

/**
 * An engine that applies in this process: a step has finished when {@link #start} returns, and the engine's own
 * observation afterwards is the step's outcome. The reconcile drives it exactly as it drives a runner elsewhere.
 */
public interface AppliesHere extends SchemaEngine {

    /**
     * Applies {@code plan}'s migrations in order (the plan was made on {@code observed}, this engine's observation of
     * the same call), starting each one only while the budget allows. What was applied shows in the next observation.
     */
    void apply(Observation observed, Plan plan, Budget budget);

    @Override
    default Step start(Observation observed, Plan plan, Budget budget) {
        apply(observed, plan, budget);
        return new Step(UUID.randomUUID().toString(), null, plan.target().toString(),
                String.valueOf(observed.appliedVersion()), Reconciler.progressMark(observed), budget.now().toEpochMilli(), true);
    }

    @Override
    default StepStatus poll(Step step, Budget budget) {
        return new StepStatus.Finished(observe());
    }

    @Override
    default void stop(Step step) {
        // Nothing outlives the call that applied.
    }
}
