package com.company.database.schemaversion.engine;

/** Thrown by the budget gate before a migration starts: the migration's empty transaction rolls back. */
final class BudgetExhausted extends RuntimeException {
    BudgetExhausted() {
        super("call budget reached; the next migration starts in the next call", null, false, false);
    }
}
