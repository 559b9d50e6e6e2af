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

    /** One reconcile call that leaves no step behind to watch (the tests' single calls). */
    public Report step(SchemaEngine engine, String desiredTarget, Budget budget) {
        return step(engine, desiredTarget, budget, StepLedger.inMemory());
    }

    /**
     * One handler call of the reconcile, the same for every engine: collect the step the ledger says is running
     * (wait for it while the budget allows), observe, and either finish or start the next step; repeat while the
     * call's budget allows starting more. An engine that applies here has finished its step when start returns;
     * a runner's step outlives the call and is watched by the next ones.
     */
    public Report step(SchemaEngine engine, String desiredTarget, Budget budget, StepLedger ledger) {
        Observation first = null;
        Plan firstPlan = null;
        Observation observed = null;
        boolean startedHere = false;
        Step finished = null;
        while (true) {
            Step running = ledger.running();
            if (running != null) {
                StepStatus status = engine.poll(running, budget);
                if (status instanceof StepStatus.Running r) {
                    ledger.running(r.running() ? running.runningNow() : running);
                    return Report.waiting(r.message(), r.delaySeconds());
                }
                ledger.running(null);
                if (status instanceof StepStatus.Failed f) {
                    throw f.failure();
                }
                finished = running;
                observed = ((StepStatus.Finished) status).after();
                if (observed == null) {
                    if (!budget.mayStartAnother()) {
                        // An observation through a runner is a call of its own: leave it to a fresh handler call.
                        return Report.waiting("The step towards version " + running.target() + " finished; checking"
                                + " the database in the next call.", 0);
                    }
                    observed = engine.observe();
                }
            } else if (observed == null) {
                observed = engine.observe();
            }
            Plan plan = plan(observed, desiredTarget);
            if (first == null) {
                first = observed;
                firstPlan = plan;
            }
            Report settled = settled(observed, plan);
            List<Migration> applied = appliedBetween(first, observed);
            if (settled != null) {
                return applied.isEmpty() ? settled : new Report(true, firstPlan, applied, observed,
                        progressMessage(plan.target(), applied, observed, true));
            }
            if (finished != null && progressMark(observed).equals(finished.progress())) {
                if (startedHere && !budget.mayStartAnother()) {
                    // The call's start window went on observing, validating or waiting for the lock (a cold start, a
                    // slow database): nothing was started, so the next call simply tries again.
                    return new Report(false, firstPlan, applied, observed, "No migration was started in this call: its"
                            + " time went to connecting and checking the history. Continuing with "
                            + plan.steps().get(0).label() + " in the next call.");
                }
                throw new ReconcileException(Reason.INTERNAL, "No migration could be applied towards version "
                        + plan.target() + " although " + plan.steps().size() + " are pending; nothing was changed.");
            }
            // The call's first step always starts (the engine starts its first migration only while the budget
            // allows); another one only while the call's window is open.
            if ((startedHere || finished != null) && !budget.mayStartAnother()) {
                return new Report(false, firstPlan, applied, observed, applied.isEmpty()
                        ? "Continuing with " + plan.steps().get(0).label() + " in the next call."
                        : progressMessage(plan.target(), applied, observed, false));
            }
            Step step = engine.start(observed, plan, budget);
            ledger.running(step);
            startedHere = true;
            observed = null;
        }
    }

    /** What the history gained between two observations of the same call. */
    private static List<Migration> appliedBetween(Observation before, Observation after) {
        return before.pending().stream().filter(m -> !after.pending().contains(m)).collect(Collectors.toList());
    }

    /**
     * What any step that applied something changes: the applied count and the applied migrations' checksum. Not
     * the applied version alone: a step that only ran repeatable migrations, or that the runner's time limit cut
     * off after some, leaves the version where it was.
     */
    public static String progressMark(Observation observed) {
        return observed.appliedCount() + ":" + observed.checksum();
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
