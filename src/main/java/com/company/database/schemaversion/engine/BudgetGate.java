package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Budget;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * Lets one Flyway migrate() run as many migrations as fit in the call: before each migration after the first
 * it checks the budget and, when the start window is over, aborts before the migration's first statement.
 * The first migration of a call always starts, so every call makes progress; whether one migration fits in
 * a call at all is statement_timeout's business. Flyway then
 * rolls back the (still empty) transaction and records nothing, so the next call resumes exactly there.
 * One migrate() per call avoids the per-migration rescans of one-Flyway-per-step.
 */
final class BudgetGate implements Callback {
    private volatile Budget budget;
    private int startedThisCall;

    void arm(Budget budget) {
        this.budget = budget;
        this.startedThisCall = 0;
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
        if (b != null && startedThisCall > 0 && !b.mayStartAnother()) {
            throw new BudgetExhausted();
        }
        startedThisCall++;
    }

    @Override
    public String getCallbackName() {
        return "schemaversion-budget-gate";
    }
}
