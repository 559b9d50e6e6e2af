package com.company.database.schemaversion.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the history allows: drift and failed rows (HISTORY_CONFLICT, nothing applied), a failed migration and its
 * recovery, repair, adoption and repeatables. The end-to-end counterparts are DriftTest, FailedMigrationTest and
 * the parity suites.
 */
class ReconcileHistoryTest {
    private final Reconciler reconciler = new Reconciler();

    @Test
    void aScriptChangedAfterItWasAppliedIsAHistoryConflictAndNothingIsApplied() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3", "4").applied("1", "2", "3").edit("2", 999);

        ReconcileException e = FakeSchemaEngine.refusal(() -> reconciler.step(engine, "latest", engine.ampleBudget()));

        assertThat(e.reason()).isEqualTo(Reason.HISTORY_CONFLICT);
        assertThat(e.getMessage()).startsWith("The schema history does not match the migration set, so nothing was applied: ")
                .contains("V2__v2 changed after it was applied (checksum 1001 in the history, 999 in the set)")
                .contains("restore the original scripts in the artifact").doesNotContain("Repair");
        assertThat(engine.applyCalls).isZero();
        assertThat(engine.appliedKeys()).containsExactly("1", "2", "3");
    }

    @Test
    void aScriptRemovedFromTheSetAndOneNeverAppliedBelowTheAppliedVersionAreDriftToo() {
        FakeSchemaEngine removed = new FakeSchemaEngine().versioned("1", "2", "3").applied("1", "2").remove("1");
        assertThat(FakeSchemaEngine.refusal(() -> reconciler.step(removed, "3", removed.ampleBudget())).getMessage())
                .contains("V1__v1 is applied but no longer in the migration set");

        FakeSchemaEngine skipped = new FakeSchemaEngine().versioned("1", "2", "3", "4").applied("1", "3");
        ReconcileException e = FakeSchemaEngine.refusal(() -> reconciler.step(skipped, "4", skipped.ampleBudget()));
        assertThat(e.reason()).isEqualTo(Reason.HISTORY_CONFLICT);
        assertThat(e.getMessage()).contains("V2__v2 is in the set but below the applied version and was never applied");
    }

    @Test
    void driftAtTheTargetIsNoConflictForADeployThatHasNothingToRun() {
        // Read reports the drift (DriftStatus); only a deploy that would apply something is refused.
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3").applied("1", "2", "3").edit("2", 5);
        Report report = reconciler.step(engine, "latest", engine.ampleBudget());
        assertThat(report.done()).isTrue();
        assertThat(report.message()).isEqualTo("Schema is at version 3.");
        assertThat(report.observation().drift()).singleElement().asString().contains("V2__v2 changed");
    }

    @Test
    void aFailedRowIsAConflictEvenAtTheTargetWithRepairAdvice() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1").nonTransactional("2").failing("2");
        reconciler.step(engine, "1", engine.ampleBudget());
        assertThat(engine.appliedKeys()).containsExactly("1");
        assertThat(FakeSchemaEngine.refusal(() -> reconciler.step(engine, "2", engine.ampleBudget())).reason()).isEqualTo(Reason.MIGRATION_FAILED);

        for (String target : new String[] {"1", "2", "latest"}) {
            ReconcileException e = FakeSchemaEngine.refusal(() -> reconciler.step(engine, target, engine.ampleBudget()));
            assertThat(e.reason()).as(target).isEqualTo(Reason.HISTORY_CONFLICT);
            assertThat(e.getMessage()).as(target)
                    .contains("V2__v2 failed earlier and is marked failed in the history (history row 2)")
                    .contains("(it ran outside a transaction: some of its statements may be applied)")
                    .contains("undo by hand what the script left, then deploy with Repair: {FailedVersion, InstalledRank}")
                    .doesNotContain("restore the original scripts");
        }
    }

    @Test
    void failedRowsAndDriftAreReportedTogetherWithBothAdvices() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1").nonTransactional("2").versioned("3")
                .applied("1").failing("2");
        FakeSchemaEngine.refusal(() -> reconciler.step(engine, "latest", engine.ampleBudget()));
        engine.edit("1", 4242);

        String message = FakeSchemaEngine.refusal(() -> reconciler.step(engine, "latest", engine.ampleBudget())).getMessage();

        assertThat(message).contains("(history row 2) (it ran outside a transaction: some of its statements may be"
                + " applied); V1__v1 changed after it was applied").contains("Repair:").contains("restore the original scripts");
    }

    @Test
    void aFailedTransactionalMigrationLeavesTheEarlierOnesAndTheFixedSetResumes() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3", "4").failing("3");

        ReconcileException e = FakeSchemaEngine.refusal(() -> reconciler.step(engine, "latest", engine.ampleBudget()));

        assertThat(e.reason()).isEqualTo(Reason.MIGRATION_FAILED);
        assertThat(engine.appliedKeys()).containsExactly("1", "2");
        assertThat(engine.observe().failed()).as("rolled back: no failed row").isEmpty();
        engine.fixed("3");
        Report resumed = reconciler.step(engine, "latest", engine.ampleBudget());
        assertThat(resumed.done()).isTrue();
        assertThat(resumed.appliedNow()).extracting(Migration::label).containsExactly("V3__v3", "V4__v4");
        assertThat(resumed.message()).isEqualTo("Schema is at version 4: applied 2 migration(s) in this call (4 of 4).");
    }

    @Test
    void repairNamingTheFailedRowMakesItPendingAgainAndAStaleRepairChangesNothing() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1").nonTransactional("2").versioned("3").failing("2");
        FakeSchemaEngine.refusal(() -> reconciler.step(engine, "latest", engine.ampleBudget()));
        engine.fixed("2");

        assertThat(engine.repair(Version.parse("2"), 1)).contains("changed nothing");
        assertThat(engine.repair(Version.parse("3"), 2)).contains("changed nothing");
        assertThat(FakeSchemaEngine.refusal(() -> reconciler.step(engine, "latest", engine.ampleBudget())).reason()).isEqualTo(Reason.HISTORY_CONFLICT);

        assertThat(engine.repair(Version.parse("2"), 2)).contains("pending again");
        Observation repaired = engine.observe();
        assertThat(repaired.failed()).isEmpty();
        assertThat(repaired.pending()).extracting(Migration::label).containsExactly("V2__v2", "V3__v3");
        Report report = reconciler.step(engine, "latest", engine.ampleBudget());
        assertThat(report.done()).isTrue();
        assertThat(report.message()).isEqualTo("Schema is at version 3: applied 2 migration(s) in this call (3 of 3).");
        assertThat(engine.repair(Version.parse("2"), 2)).as("repeated: a stale request").contains("changed nothing");
    }

    @Test
    void anAdoptedSchemaRunsOnlyTheMigrationsAboveItsBaselineAndCountsTheOnesBelowAsReached() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3", "4", "5").objectsBuiltByHand(3);
        engine.adopt(Version.parse("3"));
        Observation adopted = engine.observe();
        assertThat(adopted.appliedVersion()).isEqualTo(Version.parse("3"));
        assertThat(adopted.drift()).isEmpty();
        assertThat(reconciler.plan(adopted, "latest").steps()).extracting(Migration::label).containsExactly("V4__v4", "V5__v5");

        Report report = reconciler.step(engine, "latest", engine.ampleBudget());

        assertThat(report.appliedNow()).extracting(Migration::label).containsExactly("V4__v4", "V5__v5");
        assertThat(report.message()).isEqualTo("Schema is at version 5: applied 2 migration(s) in this call (5 of 5).");
        assertThat(reconciler.step(engine, "2", engine.ampleBudget()).plan().kind()).as("below the baseline: a rollback")
                .isEqualTo(Plan.Kind.BELOW_APPLIED);
    }

    @Test
    void aNewRepeatableIsWorkAtTheTargetAndOnlyItRuns() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2").applied("1", "2").repeatable("view", 1);

        Report report = reconciler.step(engine, "2", engine.ampleBudget());

        assertThat(report.plan().kind()).isEqualTo(Plan.Kind.APPLY);
        assertThat(report.appliedNow()).extracting(Migration::label).containsExactly("R__view");
        assertThat(report.done()).as("a step that ran only repeatables is progress, not a failure").isTrue();
        assertThat(report.message()).isEqualTo("Schema is at version 2: applied 1 migration(s) in this call (3 of 3).");
        assertThat(reconciler.step(engine, "2", engine.ampleBudget()).message()).isEqualTo("Schema is at version 2.");
    }

    @Test
    void anEditedRepeatableRunsAgainAfterThePendingVersionsAndItsChecksumCountsAsApplied() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2").repeatable("view", 1).repeatable("zz", 7);
        reconciler.step(engine, "1", engine.ampleBudget());
        assertThat(engine.appliedKeys()).containsExactly("1", "R:view", "R:zz");
        String before = engine.observe().checksum();
        engine.edit("R:view", 2);
        Observation edited = engine.observe();
        assertThat(edited.drift()).as("an edited repeatable is not drift").isEmpty();
        assertThat(edited.appliedCount()).isEqualTo(2);

        Report report = reconciler.step(engine, "latest", engine.ampleBudget());

        assertThat(report.appliedNow()).extracting(Migration::label).containsExactly("V2__v2", "R__view");
        assertThat(engine.appliedKeys()).containsExactly("1", "R:view", "R:zz", "2", "R:view");
        assertThat(report.observation().appliedCount()).isEqualTo(4);
        assertThat(report.observation().checksum()).isNotEqualTo(before);
        assertThat(report.message()).isEqualTo("Schema is at version 2: applied 2 migration(s) in this call (4 of 4).");
    }

    @Test
    void settledSharesTheAnswersOfTheRunnerStepsWithTheInProcessStep() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2").applied("1");
        Observation o = engine.observe();
        assertThat(reconciler.settled(o, reconciler.plan(o, "2"))).as("migrations must run").isNull();
        assertThat(reconciler.settled(o, reconciler.plan(o, "1")).done()).isTrue();
        engine.edit("1", 3);
        Observation drifted = engine.observe();
        assertThat(FakeSchemaEngine.refusal(() -> reconciler.settled(drifted, reconciler.plan(drifted, "2"))).reason())
                .isEqualTo(Reason.HISTORY_CONFLICT);
    }
}
