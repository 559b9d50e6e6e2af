package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Budget;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * Lets one Flyway migrate() run as many migrations as fit in the call: before each migration it checks the
 * budget and, when the start window is over, aborts before the migration's first statement. Flyway then
 * rolls back the (still empty) transaction and records nothing, so the next call resumes exactly there.
 * One migrate() per call avoids the per-migration rescans of one-Flyway-per-step.
 * The first migration of a call always starts, whatever the window: a call that spent its window on
 * SSM and the observation must still make progress (its statements stay capped by statement_timeout),
 * or a deploy would fail with nothing applied although nothing is wrong.
 */
final class BudgetGate implements Callback {
    private volatile Budget budget;
    private volatile boolean startedOne;

    void arm(Budget budget) {
        this.budget = budget;
        this.startedOne = false;
    }

    void disarm() {
        this.budget = null;
    }

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_EACH_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        Budget b = budget;
        if (b != null && startedOne && !b.mayStartAnother()) {
            throw new BudgetExhausted();
        }
        startedOne = true;
    }

    @Override
    public String getCallbackName() {
        return "schemaversion-budget-gate";
    }
}
