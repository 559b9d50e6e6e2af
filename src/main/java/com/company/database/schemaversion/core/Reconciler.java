package com.company.database.schemaversion.core;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One reconcile step: observe, plan, apply what fits in the budget, report. Pure: the engine does the I/O,
 * the caller keeps the position (which is simply the database's history, so a repeated step is harmless).
 */
public final class Reconciler {
    public static final String LATEST = "latest";

    /** Observes and plans without changing anything (Read, the local runner's plan). */
    public Plan plan(Observation observed, String desiredTarget) {
        Version applied = observed.appliedVersion();
        Version target = resolve(observed, desiredTarget);
        if (applied != null && target.compareTo(applied) < 0) {
            return new Plan(Plan.Kind.BELOW_APPLIED, target, List.of());
        }
        List<Migration> steps = stepsTowards(observed, target);
        if (steps.isEmpty()) {
            return new Plan(Plan.Kind.AT_TARGET, target, steps);
        }
        return new Plan(Plan.Kind.APPLY, target, steps);
    }

    /**
     * What Flyway's migrate() runs for this target: the pending versioned migrations up to it; the baseline
     * migration Flyway picked for a new database (Flyway applies it whatever the target); and every pending
     * repeatable (new or changed), which Flyway runs after the versioned ones whatever the target.
     */
    static List<Migration> stepsTowards(Observation observed, Version target) {
        return observed.pending().stream()
                .filter(m -> m.kind() != Migration.Kind.VERSIONED || m.version().compareTo(target) <= 0)
                .collect(Collectors.toList());
    }

    public Report step(SchemaEngine engine, String desiredTarget, Budget budget) {
        Observation before = engine.observe();
        Plan plan = plan(before, desiredTarget);
        Report settled = settled(before, plan);
        if (settled != null) {
            return settled;
        }
        engine.apply(before, plan.target(), budget);
        Observation after = engine.observe();
        List<Migration> applied = before.pending().stream()
                .filter(m -> !after.pending().contains(m))
                .collect(Collectors.toList());
        // Done only when nothing Flyway would run for this target is left, repeatables included.
        boolean done = after.appliedVersion() != null && after.appliedVersion().compareTo(plan.target()) >= 0
                && stepsTowards(after, plan.target()).isEmpty();
        if (!done && applied.isEmpty() && !budget.mayStartAnother()) {
            // The call's start window went on observing, validating or waiting for the lock (a cold start, a
            // slow database): nothing was started, so the next call simply tries again.
            return new Report(false, plan, applied, after, "No migration was started in this call: its time went to"
                    + " connecting and checking the history. Continuing with " + plan.steps().get(0).label()
                    + " in the next call.");
        }
        if (!done && applied.isEmpty()) {
            throw new ReconcileException(Reason.INTERNAL, "No migration could be applied towards version "
                    + plan.target() + " although " + plan.steps().size() + " are pending; nothing was changed.");
        }
        return new Report(done, plan, applied, after, progressMessage(plan.target(), applied, after, done));
    }

    /**
     * The answer when nothing is to be applied (at the target, or a rollback below it); null when migrations
     * must run. Throws HISTORY_CONFLICT when the history does not match the set. Shared by the in-process step
     * and the VPC runner's asynchronous steps.
     */
    public Report settled(Observation before, Plan plan) {
        if (plan.kind() == Plan.Kind.BELOW_APPLIED) {
            return new Report(true, plan, List.of(), before, String.format(
                    "Target version %s is below the applied version %s (a rollback?): the schema was left at %s. "
                            + "Migrations are never undone; write a new forward migration to revert a change.",
                    plan.target(), before.appliedVersion(), before.appliedVersion()));
        }
        if (plan.kind() == Plan.Kind.AT_TARGET) {
            // A failed migration is neither applied nor pending, so the plan looks complete although the
            // schema is not at the target: that is a conflict, not success.
            if (!before.failed().isEmpty()) {
                throw new ReconcileException(Reason.HISTORY_CONFLICT, historyConflictMessage(before));
            }
            return new Report(true, plan, List.of(), before, "Schema is at version " + plan.target() + ".");
        }
        if (!before.drift().isEmpty() || !before.failed().isEmpty()) {
            throw new ReconcileException(Reason.HISTORY_CONFLICT, historyConflictMessage(before));
        }
        return null;
    }

    private static Version resolve(Observation observed, String desiredTarget) {
        if (observed.available().isEmpty()) {
            throw new ReconcileException(Reason.INVALID_INPUT,
                    "The migration set has no versioned migrations. Check MigrationSet and the artifact's db/migration folder.");
        }
        if (desiredTarget == null || LATEST.equals(desiredTarget)) {
            return observed.latestAvailable();
        }
        if (!Version.isValid(desiredTarget)) {
            throw new ReconcileException(Reason.INVALID_INPUT, "TargetVersion '" + desiredTarget
                    + "' is not a version: use a Flyway version such as 7 or 2.1, or 'latest'.");
        }
        Version wanted = Version.parse(desiredTarget);
        boolean known = observed.versioned().stream().anyMatch(m -> m.version().equals(wanted));
        boolean belowApplied = observed.appliedVersion() != null && wanted.compareTo(observed.appliedVersion()) < 0;
        if (!known && !belowApplied) {
            throw new ReconcileException(Reason.INVALID_INPUT, "TargetVersion " + wanted
                    + (wanted.toString().equals(desiredTarget) ? "" : " (written " + desiredTarget + ")")
                    + " is not in the migration set, which has versions " + versionList(observed.versioned())
                    + ". Choose one of them or 'latest', or register a type version whose artifact carries "
                    + wanted + ".");
        }
        return wanted;
    }

    static String versionList(List<Migration> all) {
        List<Version> migrations = all.stream().map(Migration::version).distinct().sorted().toList();
        if (migrations.size() <= 12) {
            return migrations.stream().map(Version::toString).collect(Collectors.joining(", "));
        }
        return migrations.subList(0, 5).stream().map(Version::toString).collect(Collectors.joining(", "))
                + ", ... (" + (migrations.size() - 10) + " more) ..., "
                + migrations.subList(migrations.size() - 5, migrations.size()).stream()
                        .map(Version::toString).collect(Collectors.joining(", "));
    }

    private static String historyConflictMessage(Observation o) {
        StringBuilder sb = new StringBuilder("The schema history does not match the migration set, so nothing was applied: ");
        sb.append(String.join("; ", o.failed()));
        if (!o.failed().isEmpty() && !o.drift().isEmpty()) {
            sb.append("; ");
        }
        sb.append(String.join("; ", o.drift()));
        if (!o.failed().isEmpty()) {
            sb.append(". For a failed row: undo by hand what the script left, then deploy with Repair: {FailedVersion,"
                    + " InstalledRank} naming that row (its history row number above), and the migration runs again");
        }
        if (!o.drift().isEmpty()) {
            sb.append(". For a changed or missing script: restore the original scripts in the artifact");
        }
        sb.append(".");
        return sb.toString();
    }

    /**
     * "applied V3__x (3 of 7)": the count runs over every script this deploy brings to the target, versioned
     * (a version covered by an applied baseline counts as reached) and repeatable alike.
     */
    private static String progressMessage(Version target, List<Migration> applied, Observation after, boolean done) {
        Version reachedVersion = after.appliedVersion();
        List<Version> versions = after.versioned().stream().map(Migration::version).distinct().toList();
        long upToTarget = versions.stream().filter(v -> v.compareTo(target) <= 0).count();
        long reached = versions.stream()
                .filter(v -> reachedVersion != null && v.compareTo(reachedVersion) <= 0 && v.compareTo(target) <= 0)
                .count();
        long repeatables = after.available().stream().filter(Migration::repeatable).count();
        long repeatablesPending = after.pending().stream().filter(Migration::repeatable).count();
        upToTarget += repeatables;
        reached += repeatables - repeatablesPending;
        if (done) {
            String above = reachedVersion != null && reachedVersion.compareTo(target) > 0
                    ? ", above TargetVersion " + target + ": a new database starts at the set's baseline migration, as"
                    + " Flyway does" : "";
            return String.format("Schema is at version %s%s: applied %d migration(s) in this call (%d of %d).",
                    reachedVersion, above, applied.size(), reached, upToTarget);
        }
        Migration last = applied.get(applied.size() - 1);
        return String.format("applied %s (%d of %d)%s", last.label(), reached, upToTarget,
                applied.size() > 1 ? ", " + applied.size() + " in this call" : "");
    }
}
