package com.company.database.schemaversion.core;

import com.company.database.schemaversion.testing.MutableClock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link SchemaEngine} that keeps a Flyway history in memory, so the core's rules can be tried in milliseconds.
 * It models what FlywayEngine reports from Flyway's info and what Flyway's migrate() does, as far as the core
 * can tell: versioned, baseline (B) and repeatable (R__) scripts with checksums; history rows that succeeded or
 * failed (a failed transactional migration leaves no row, a failed non-transactional one a failed row); drift
 * (a changed or missing script, a script below the applied version never applied); Flyway's lock held by
 * another deployment; the claim on the schema; and time, on a clock of its own that each migration advances,
 * so call budgets run out without anybody sleeping. The end-to-end tests check the real engine against Flyway
 * and PostgreSQL; this one only has to agree with it on the observations and errors the core sees.
 */
public final class FakeSchemaEngine implements AppliesHere {

    /** A script of the baked set. */
    public record Script(Migration.Kind kind, Version version, String description, int checksum, boolean transactional,
                  Duration takes) {
        Migration migration() {
            return new Migration(version, description, fileName(), null, checksum, kind);
        }

        String fileName() {
            String prefix = kind == Migration.Kind.REPEATABLE ? "R" : kind == Migration.Kind.BASELINE ? "B" + version : "V" + version;
            return prefix + "__" + description.replace(' ', '_') + ".sql";
        }

        String key() {
            return kind == Migration.Kind.REPEATABLE ? "R:" + description : String.valueOf(version);
        }
    }

    /** One row of flyway_schema_history. {@code adopted}: the row Flyway's baseline() writes (type BASELINE). */
    public record Row(int rank, Migration.Kind kind, Version version, String description, String script, int checksum,
               boolean success, boolean transactional, boolean adopted, Instant installedOn) {
        String key() {
            return kind == Migration.Kind.REPEATABLE ? "R:" + description : String.valueOf(version);
        }
    }

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<Script> set = new ArrayList<>();
    private final List<Row> history = new ArrayList<>();
    private final Set<String> failing = new HashSet<>();
    private int objects;
    private int nextRank = 1;
    private Claim claim;
    private boolean lockedByAnotherDeployment;
    private boolean firstMigrationAlwaysStarts = true;
    private Duration observeTakes = Duration.ZERO;
    int observed;
    int applyCalls;
    int cleaned;

    // ---- the baked set

    public FakeSchemaEngine versioned(String... versions) {
        for (String v : versions) {
            script(Migration.Kind.VERSIONED, v, "v" + v.replace('.', '_'), 1000 + set.size(), true);
        }
        return this;
    }

    public FakeSchemaEngine baseline(String version) {
        return script(Migration.Kind.BASELINE, version, "baseline", 2000 + set.size(), true);
    }

    public FakeSchemaEngine repeatable(String name, int checksum) {
        return script(Migration.Kind.REPEATABLE, null, name, checksum, true);
    }

    public FakeSchemaEngine nonTransactional(String version) {
        return script(Migration.Kind.VERSIONED, version, "v" + version.replace('.', '_'), 3000 + set.size(), false);
    }

    public FakeSchemaEngine script(Migration.Kind kind, String version, String description, int checksum, boolean transactional) {
        set.add(new Script(kind, version == null ? null : Version.parse(version), description, checksum, transactional,
                Duration.ofSeconds(10)));
        return this;
    }

    /** Every migration of the set now takes {@code d} on the engine's clock. */
    public FakeSchemaEngine eachMigrationTakes(Duration d) {
        set.replaceAll(s -> new Script(s.kind(), s.version(), s.description(), s.checksum(), s.transactional(), d));
        return this;
    }

    /** Connecting and reading the history takes {@code d} on the engine's clock (a cold start, a slow database). */
    public FakeSchemaEngine observeTakes(Duration d) {
        this.observeTakes = d;
        return this;
    }

    /**
     * An engine that starts no migration once the window is over, not even the call's first (the interface allows
     * it; FlywayEngine's gate always lets the first one start).
     */
    public FakeSchemaEngine strictBudget() {
        this.firstMigrationAlwaysStarts = false;
        return this;
    }

    /** The script is edited in the artifact after it was applied (its checksum changes). */
    public FakeSchemaEngine edit(String key, int newChecksum) {
        set.replaceAll(s -> s.key().equals(key)
                ? new Script(s.kind(), s.version(), s.description(), newChecksum, s.transactional(), s.takes()) : s);
        return this;
    }

    /** The script is removed from the artifact. */
    public FakeSchemaEngine remove(String key) {
        set.removeIf(s -> s.key().equals(key));
        return this;
    }

    /** The script fails when it runs (a bad statement). */
    public FakeSchemaEngine failing(String key) {
        failing.add(key);
        return this;
    }

    public FakeSchemaEngine fixed(String key) {
        failing.remove(key);
        return this;
    }

    public FakeSchemaEngine lockedByAnotherDeployment(boolean locked) {
        this.lockedByAnotherDeployment = locked;
        return this;
    }

    /** The schema has objects built without this type (no Flyway history). */
    public FakeSchemaEngine objectsBuiltByHand(int count) {
        this.objects += count;
        return this;
    }

    /** Writes the history as if {@code versions} had been applied earlier, with the set's checksums. */
    public FakeSchemaEngine applied(String... versions) {
        for (String v : versions) {
            Script s = scriptOf(v);
            history.add(row(s, true));
            objects++;
        }
        return this;
    }

    public List<Row> history() {
        return List.copyOf(history);
    }

    public List<String> appliedKeys() {
        return history.stream().filter(Row::success).map(Row::key).toList();
    }

    /** A budget no fake migration exhausts. */
    public Budget ampleBudget() {
        return new Budget(clock, Duration.ofHours(1), Duration.ofHours(2));
    }

    /** The ReconcileException {@code r} throws; fails the test when it throws none. */
    public static ReconcileException refusal(Runnable r) {
        try {
            r.run();
        } catch (ReconcileException e) {
            return e;
        }
        throw new AssertionError("expected a ReconcileException");
    }

    // ---- SchemaEngine

    @Override
    public Observation observe() {
        observed++;
        clock.advance(observeTakes);
        List<Migration> pending = new ArrayList<>();
        List<Migration> available = new ArrayList<>();
        List<String> drift = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<String> checksumLines = new ArrayList<>();
        Version appliedVersion = null;
        Instant lastAppliedAt = null;
        int appliedCount = 0;

        for (Script s : sorted(set)) {
            if (s.kind() != Migration.Kind.REPEATABLE) {
                available.add(s.migration());
            }
        }
        for (Row r : history) {
            Script s = scriptOf(r.key(), r.kind());
            if (!r.success()) {
                if (r.kind() == Migration.Kind.REPEATABLE) {
                    continue;
                }
                failed.add(label(r) + " failed earlier and is marked failed in the history (history row " + r.rank() + ")"
                        + (r.transactional() ? "" : " (it ran outside a transaction: some of its statements may be applied)"));
                continue;
            }
            if (r.kind() == Migration.Kind.REPEATABLE && !isLatestRunOf(r)) {
                continue;
            }
            if (r.kind() == Migration.Kind.REPEATABLE && s != null && s.checksum() != r.checksum()) {
                // An earlier run of a changed repeatable: the set's script is pending again.
                continue;
            }
            appliedCount++;
            lastAppliedAt = lastAppliedAt == null || r.installedOn().isAfter(lastAppliedAt) ? r.installedOn() : lastAppliedAt;
            if (r.version() != null) {
                appliedVersion = appliedVersion == null || r.version().compareTo(appliedVersion) > 0 ? r.version() : appliedVersion;
            }
            if (r.adopted()) {
                checksumLines.add("baseline:" + r.version());
                continue;
            }
            checksumLines.add((r.version() == null ? "R:" + r.description() : r.version().toString()) + ":" + r.checksum());
            if (s == null) {
                drift.add(label(r) + " is applied but no longer in the migration set");
            } else if (s.checksum() != r.checksum()) {
                drift.add(label(r) + " changed after it was applied (checksum " + r.checksum() + " in the history, "
                        + s.checksum() + " in the set)");
            }
        }
        boolean newDatabase = history.stream().noneMatch(Row::success);
        Script baseline = newDatabase ? sorted(set).stream().filter(s -> s.kind() == Migration.Kind.BASELINE)
                .reduce((a, b) -> b).orElse(null) : null;
        Set<String> inHistory = new HashSet<>();
        history.forEach(r -> inHistory.add(r.key()));
        for (Script s : sorted(set)) {
            if (s.kind() == Migration.Kind.REPEATABLE) {
                continue;
            }
            if (inHistory.contains(s.key())) {
                continue;
            }
            if (s.kind() == Migration.Kind.BASELINE) {
                if (s == baseline) {
                    pending.add(s.migration());
                }
                continue;
            }
            if (baseline != null && s.version().compareTo(baseline.version()) <= 0) {
                continue; // covered by the baseline migration Flyway picked
            }
            if (appliedVersion != null && s.version().compareTo(appliedVersion) <= 0) {
                if (!coveredByABaseline(s.version())) {
                    drift.add(s.migration().label() + " is in the set but below the applied version and was never applied");
                }
                continue;
            }
            pending.add(s.migration());
        }
        for (Script s : sorted(set)) {
            if (s.kind() != Migration.Kind.REPEATABLE) {
                continue;
            }
            available.add(s.migration());
            Row last = lastSuccessfulRun(s.key());
            if (last == null || last.checksum() != s.checksum()) {
                pending.add(s.migration());
            }
        }
        if (appliedCount == 0) {
            appliedVersion = null;
        }
        return new Observation(appliedVersion, appliedCount, pending, available,
                appliedCount == 0 ? null : String.join("\n", checksumLines), lastAppliedAt, drift, failed);
    }

    @Override
    public void apply(Observation observed, Plan plan, Budget budget) {
        Version target = plan.target();
        applyCalls++;
        if (lockedByAnotherDeployment) {
            throw new ReconcileException(Reason.LOCKED, "Another deployment is migrating schema public (Flyway's"
                    + " advisory lock is held).");
        }
        Observation before = observe();
        if (!before.drift().isEmpty() || !before.failed().isEmpty()) {
            // Flyway's validateOnMigrate.
            throw new ReconcileException(Reason.HISTORY_CONFLICT, "Validate failed: " + before.drift() + before.failed());
        }
        int started = 0;
        for (Migration m : before.pending()) {
            if (m.kind() == Migration.Kind.VERSIONED && m.version().compareTo(target) > 0) {
                continue;
            }
            if ((started > 0 || !firstMigrationAlwaysStarts) && !budget.mayStartAnother()) {
                return;
            }
            started++;
            Script s = scriptOf(m.kind() == Migration.Kind.REPEATABLE ? "R:" + m.description() : m.version().toString(), m.kind());
            clock.advance(s.takes());
            if (failing.contains(s.key())) {
                if (!s.transactional()) {
                    history.add(row(s, false));
                    objects++;
                    throw new ReconcileException(Reason.MIGRATION_FAILED, "Migration " + s.fileName() + " failed; it"
                            + " ran outside a transaction, so what it did before the failing statement stays.");
                }
                throw new ReconcileException(Reason.MIGRATION_FAILED, "Migration " + s.fileName() + " failed and was"
                        + " rolled back.");
            }
            history.add(row(s, true));
            objects++;
        }
    }

    @Override
    public void clean(Claimant claimant, boolean mayCleanWhatItDidNotCreate) {
        String refusal = Claims.cleanRefusal(claimOf().orElse(null), claimant, mayCleanWhatItDidNotCreate);
        if (refusal != null) {
            throw new ReconcileException(Reason.ACCESS_DENIED, "Nothing was dropped: " + refusal);
        }
        dropAll();
    }

    private void dropAll() {
        cleaned++;
        history.clear();
        nextRank = 1;
        objects = 0;
    }

    @Override
    public String adopt(Version baseline) {
        Observation before = observe();
        if (!history.isEmpty()) {
            List<Row> baselines = history.stream().filter(Row::adopted).toList();
            if (baselines.isEmpty()) {
                return "Adoption.BaselineVersion " + baseline + " was not needed: the schema already has a Flyway history.";
            }
            if (baselines.size() == 1 && baselines.get(0).version().equals(baseline)) {
                return "Schema public was adopted at version " + baseline + " already; nothing changed.";
            }
            throw new ReconcileException(Reason.INVALID_INPUT, "Adoption.BaselineVersion " + baseline
                    + " does not match the history's baseline. Nothing was changed.");
        }
        if (before.versioned().stream().noneMatch(m -> m.version().equals(baseline))) {
            throw new ReconcileException(Reason.INVALID_INPUT, "Adoption.BaselineVersion " + baseline
                    + " is not a version of the migration set. Nothing was changed.");
        }
        if (objects == 0) {
            throw new ReconcileException(Reason.INVALID_INPUT, "Adoption.BaselineVersion " + baseline
                    + " asks to take over an empty schema. Nothing was changed.");
        }
        history.add(new Row(nextRank++, Migration.Kind.BASELINE, baseline, "<< Flyway Baseline >>",
                "<< Flyway Baseline >>", 0, true, true, true, clock.instant()));
        return "Adopted schema public at version " + baseline + ".";
    }

    @Override
    public String repair(Version version, int installedRank) {
        Optional<Row> failedRow = history.stream()
                .filter(r -> !r.success() && r.rank() == installedRank && version.equals(r.version())).findFirst();
        if (failedRow.isEmpty()) {
            return "Repair of V" + version + " (history row " + installedRank + ") changed nothing.";
        }
        history.remove(failedRow.get());
        return "Repaired the history: " + failedRow.get().script() + " is pending again.";
    }

    @Override
    public Optional<Claim> claimOf() {
        return Optional.ofNullable(claim);
    }

    @Override
    public Claim claim(Claimant claimant) {
        if (claim != null && !claimant.holds(claim)) {
            throw new ReconcileException(Reason.ALREADY_OWNED, "Schema public is already claimed by another resource."
                    + " Nothing was changed.");
        }
        claim = claim != null
                ? new Claim(claim.resourceId(), claim.stackId(), claim.logicalId(), claim.createRequest(),
                        claim.createdHistory(), claimant.onDelete(), claim.claimedAt())
                : new Claim(claimant.resourceId(), claimant.stackId(), claimant.logicalId(), claimant.createRequest(),
                        objects == 0 && history.isEmpty(), claimant.onDelete(), clock.instant());
        return claim;
    }

    @Override
    public boolean release(Claimant claimant) {
        if (claim != null && claimant.holds(claim)) {
            claim = null;
            return true;
        }
        return false;
    }

    // ---- helpers

    private Row row(Script s, boolean success) {
        return new Row(nextRank++, s.kind(), s.version(), s.description(), s.fileName(), s.checksum(), success,
                s.transactional(), false, clock.instant());
    }

    private Script scriptOf(String version) {
        return set.stream().filter(s -> s.kind() != Migration.Kind.REPEATABLE && s.version().equals(Version.parse(version)))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no script " + version));
    }

    private Script scriptOf(String key, Migration.Kind kind) {
        return set.stream().filter(s -> s.key().equals(key) && (kind == Migration.Kind.REPEATABLE) == (s.kind() == Migration.Kind.REPEATABLE))
                .findFirst().orElse(null);
    }

    private boolean isLatestRunOf(Row r) {
        return lastSuccessfulRun(r.key()) == r;
    }

    private Row lastSuccessfulRun(String key) {
        Row last = null;
        for (Row r : history) {
            if (r.success() && r.key().equals(key)) {
                last = r;
            }
        }
        return last;
    }

    private boolean coveredByABaseline(Version v) {
        return history.stream().anyMatch(r -> r.success() && r.kind() == Migration.Kind.BASELINE
                && r.version().compareTo(v) >= 0);
    }

    private static String label(Row r) {
        return r.script().replaceFirst("\\.sql$", "");
    }

    private static List<Script> sorted(List<Script> scripts) {
        List<Script> out = new ArrayList<>(scripts);
        out.sort(Comparator.comparing((Script s) -> s.kind() == Migration.Kind.REPEATABLE)
                .thenComparing(s -> s.version() == null ? Version.parse("0") : s.version())
                .thenComparing(Script::description));
        return out;
    }
}
