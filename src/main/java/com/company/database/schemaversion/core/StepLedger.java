package com.company.database.schemaversion.core;

/**
 * Where the caller keeps the running step between handler calls (the callback context), so that a later call
 * watches the step instead of starting another.
 */
public interface StepLedger {

    /** The step now running, or null. */
    Step running();

    /** Records the step now running (null: none). */
    void running(Step step);

    /** A ledger that lives for one reconcile call only: for callers that never leave a step running. */
    static StepLedger inMemory() {
        return new StepLedger() {
            private Step step;

            @Override
            public Step running() {
                return step;
            }

            @Override
            public void running(Step s) {
                step = s;
            }
        };
    }
}
