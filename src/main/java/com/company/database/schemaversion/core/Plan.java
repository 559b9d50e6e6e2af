package com.company.database.schemaversion.core;

import java.util.List;

/**
 * What reaches the desired version from what was observed.
 *
 * @param target the resolved target ("latest" resolved to a version; null when the set is empty)
 * @param steps  the pending migrations up to the target, in order
 */
public record Plan(Kind kind, Version target, List<Migration> steps) {
    public enum Kind {
        /** Migrations are pending up to the target. */
        APPLY,
        /** The applied version is the target. */
        AT_TARGET,
        /** The target is below the applied version (a stack rollback): nothing is undone. */
        BELOW_APPLIED
    }

    public Plan {
        steps = List.copyOf(steps);
    }
}
