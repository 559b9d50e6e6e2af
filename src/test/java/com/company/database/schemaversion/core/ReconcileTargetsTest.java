package com.company.database.schemaversion.core;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which version a deploy aims at, and what a target below the applied version does: the rules TargetVersionTest
 * and the parity suites check end to end, here against the in-memory engine.
 */
class ReconcileTargetsTest {
    private final Reconciler reconciler = new Reconciler();

    @Test
    void latestAndNoTargetMeanTheHighestVersionOfTheSet() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "10", "9");
        assertThat(reconciler.plan(engine.observe(), "latest").target()).isEqualTo(Version.parse("10"));
        assertThat(reconciler.plan(engine.observe(), null).target()).isEqualTo(Version.parse("10"));

        Report report = reconciler.step(engine, "latest", engine.ampleBudget());

        assertThat(report.done()).isTrue();
        assertThat(engine.appliedKeys()).containsExactly("1", "2", "9", "10");
        assertThat(report.message()).isEqualTo("Schema is at version 10: applied 4 migration(s) in this call (4 of 4).");
    }

    @Test
    void aTargetStopsAtItsVersionAndTheNextDeployGoesOn() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3", "4");

        Report first = reconciler.step(engine, "2", engine.ampleBudget());
        assertThat(first.done()).isTrue();
        assertThat(first.plan().steps()).extracting(Migration::label).containsExactly("V1__v1", "V2__v2");
        assertThat(first.message()).isEqualTo("Schema is at version 2: applied 2 migration(s) in this call (2 of 2).");
        assertThat(engine.appliedKeys()).containsExactly("1", "2");

        Report second = reconciler.step(engine, "4", engine.ampleBudget());
        assertThat(second.appliedNow()).extracting(Migration::label).containsExactly("V3__v3", "V4__v4");
        assertThat(second.message()).isEqualTo("Schema is at version 4: applied 2 migration(s) in this call (4 of 4).");
    }

    @Test
    void atTheTargetNothingIsApplied() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3").applied("1", "2", "3");
        Report report = reconciler.step(engine, "3", engine.ampleBudget());
        assertThat(report.done()).isTrue();
        assertThat(report.plan().kind()).isEqualTo(Plan.Kind.AT_TARGET);
        assertThat(report.message()).isEqualTo("Schema is at version 3.");
        assertThat(engine.applyCalls).isZero();
    }

    @Test
    void anUnknownTargetIsInvalidInputNamingTheSetsVersionsAndNothingIsApplied() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3", "4", "5", "6", "7");

        ReconcileException e = FakeSchemaEngine.refusal(() -> reconciler.step(engine, "9", engine.ampleBudget()));

        assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT);
        assertThat(e.getMessage()).contains("TargetVersion 9 is not in the migration set, which has versions 1, 2, 3, 4, 5, 6, 7")
                .contains("or 'latest'");
        assertThat(engine.applyCalls).isZero();
        assertThat(engine.history()).isEmpty();
    }

    @Test
    void anUnknownTargetOnUpdateLeavesTheSchemaAtItsVersion() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3").applied("1", "2");
        ReconcileException e = FakeSchemaEngine.refusal(() -> reconciler.step(engine, "9.1", engine.ampleBudget()));
        assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT);
        assertThat(e.getMessage()).contains("9.1").contains("1, 2, 3");
        assertThat(engine.appliedKeys()).containsExactly("1", "2");
    }

    @Test
    void aTargetWrittenDifferentlyMeansTheSameVersionAndTheMessageShowsHowItWasWritten() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "1.14", "2", "7");
        assertThat(reconciler.plan(engine.observe(), "1_14").target()).isEqualTo(Version.parse("1.14"));
        assertThat(reconciler.plan(engine.observe(), "007").target()).isEqualTo(Version.parse("7"));
        assertThat(reconciler.plan(engine.observe(), "2.0").steps()).extracting(Migration::label)
                .containsExactly("V1__v1", "V1.14__v1_14", "V2__v2");
        assertThat(FakeSchemaEngine.refusal(() -> reconciler.plan(engine.observe(), "1_99")).getMessage())
                .contains("TargetVersion 1.99 (written 1_99) is not in the migration set");
        assertThat(FakeSchemaEngine.refusal(() -> reconciler.plan(engine.observe(), "8")).getMessage())
                .contains("TargetVersion 8 is not").doesNotContain("written");
    }

    @Test
    void whatIsNoVersionIsInvalidInputSayingWhatAVersionLooksLike() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1");
        for (String bad : new String[] {"v2", "", "1.", "latest ", "LATEST"}) {
            ReconcileException e = FakeSchemaEngine.refusal(() -> reconciler.plan(engine.observe(), bad));
            assertThat(e.reason()).as(bad).isEqualTo(Reason.INVALID_INPUT);
            assertThat(e.getMessage()).as(bad).contains("is not a version").contains("such as 7 or 2.1, or 'latest'");
        }
    }

    @Test
    void anEmptySetIsInvalidInputWhateverTheTarget() {
        FakeSchemaEngine engine = new FakeSchemaEngine();
        for (String target : new String[] {"latest", "1"}) {
            ReconcileException e = FakeSchemaEngine.refusal(() -> reconciler.step(engine, target, engine.ampleBudget()));
            assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT);
            assertThat(e.getMessage()).contains("no versioned migrations").contains("MigrationSet");
        }
    }

    @Test
    void aLongSetIsListedByItsEndsInTheMessage() {
        FakeSchemaEngine engine = new FakeSchemaEngine()
                .versioned(IntStream.rangeClosed(1, 20).mapToObj(String::valueOf).toArray(String[]::new));
        assertThat(FakeSchemaEngine.refusal(() -> reconciler.plan(engine.observe(), "99")).getMessage())
                .contains("which has versions 1, 2, 3, 4, 5, ... (10 more) ..., 16, 17, 18, 19, 20.");
        FakeSchemaEngine twelve = new FakeSchemaEngine()
                .versioned(IntStream.rangeClosed(1, 12).mapToObj(String::valueOf).toArray(String[]::new));
        assertThat(FakeSchemaEngine.refusal(() -> reconciler.plan(twelve.observe(), "99")).getMessage())
                .contains("1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.");
    }

    @Test
    void aTargetBelowTheAppliedVersionIsARollbackThatUndoesNothing() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3").applied("1", "2", "3");

        Report report = reconciler.step(engine, "2", engine.ampleBudget());

        assertThat(report.done()).isTrue();
        assertThat(report.plan().kind()).isEqualTo(Plan.Kind.BELOW_APPLIED);
        assertThat(report.appliedNow()).isEmpty();
        assertThat(report.message()).isEqualTo("Target version 2 is below the applied version 3 (a rollback?): the schema"
                + " was left at 3. Migrations are never undone; write a new forward migration to revert a change.");
        assertThat(engine.applyCalls).isZero();
        assertThat(engine.appliedKeys()).containsExactly("1", "2", "3");
    }

    @Test
    void aRollbackMayNameAVersionTheSetNoLongerHasButNotOneAboveTheAppliedVersion() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3").applied("1", "2", "3");
        assertThat(reconciler.plan(engine.observe(), "2.5").kind()).isEqualTo(Plan.Kind.BELOW_APPLIED);
        assertThat(FakeSchemaEngine.refusal(() -> reconciler.plan(engine.observe(), "3.5")).reason()).isEqualTo(Reason.INVALID_INPUT);
    }

    @Test
    void aRollbackRunsNeitherPendingVersionsNorChangedRepeatablesAndIgnoresDrift() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3", "4").repeatable("view", 1)
                .applied("1", "2", "3");
        engine.edit("1", 77).edit("R:view", 2);

        Report report = reconciler.step(engine, "2", engine.ampleBudget());

        assertThat(report.done()).isTrue();
        assertThat(report.plan().steps()).isEmpty();
        assertThat(engine.applyCalls).isZero();
    }

    @Test
    void aNewDatabaseStartsAtTheSetsBaselineMigrationEvenBelowIt() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2").baseline("6").versioned("6", "7");

        Report report = reconciler.step(engine, "2", engine.ampleBudget());

        assertThat(report.plan().steps()).extracting(Migration::label).containsExactly("B6__baseline");
        assertThat(report.done()).isTrue();
        assertThat(report.message()).isEqualTo("Schema is at version 6, above TargetVersion 2: a new database starts at"
                + " the set's baseline migration, as Flyway does: applied 1 migration(s) in this call (2 of 2).");
        Report latest = reconciler.step(engine, "latest", engine.ampleBudget());
        assertThat(latest.appliedNow()).extracting(Migration::label).containsExactly("V7__v7");
        assertThat(latest.message()).as("the versions the baseline covers count as reached")
                .isEqualTo("Schema is at version 7: applied 1 migration(s) in this call (4 of 4).");
        assertThat(engine.observe().drift()).isEmpty();
    }
}
