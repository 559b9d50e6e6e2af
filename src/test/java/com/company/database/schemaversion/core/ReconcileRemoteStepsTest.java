package com.company.database.schemaversion.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The same Reconciler with an engine whose steps run elsewhere (a runner function, an ECS task) and outlive the
 * handler call: the step is checkpointed in the ledger, watched by later calls, and its end decided by the
 * Reconciler exactly as for a step applied here.
 */
class ReconcileRemoteStepsTest {
    private final Reconciler reconciler = new Reconciler();

    /** A runner elsewhere, in front of the fake history: a step applies only when the test lets it finish. */
    static final class Remote implements SchemaEngine {
        final FakeSchemaEngine db;
        final List<String> started = new ArrayList<>();
        final List<String> stopped = new ArrayList<>();
        Plan pendingPlan;
        Observation pendingOn;
        boolean finishNext;
        boolean beginNext;
        ReconcileException failNext;
        boolean applyNothing;
        int observations;

        Remote(FakeSchemaEngine db) {
            this.db = db;
        }

        @Override
        public Observation observe() {
            observations++;
            return db.observe();
        }

        @Override
        public Step start(Observation observed, Plan plan, Budget budget) {
            String id = "step-" + (started.size() + 1);
            started.add(id);
            pendingPlan = plan;
            pendingOn = observed;
            return new Step(id, "task/" + id, plan.target().toString(), String.valueOf(observed.appliedVersion()),
                    Reconciler.progressMark(observed), budget.now().toEpochMilli(), false);
        }

        @Override
        public StepStatus poll(Step step, Budget budget) {
            if (failNext != null) {
                return new StepStatus.Failed(failNext);
            }
            if (!finishNext) {
                return new StepStatus.Running(beginNext, "Migrating in " + step.where(), 5);
            }
            finishNext = false;
            if (!applyNothing) {
                db.apply(db.observe(), pendingPlan, db.ampleBudget());
            }
            return new StepStatus.Finished(null);
        }

        @Override
        public void stop(Step step) {
            stopped.add(step.id());
        }

        @Override
        public String adopt(Version baseline) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String repair(Version version, int installedRank) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Claim> claimOf() {
            return Optional.empty();
        }

        @Override
        public Claim claim(Claimant claimant) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean release(Claimant claimant) {
            return false;
        }

        @Override
        public void clean(Claimant claimant, boolean mayCleanWhatItDidNotCreate) {
            throw new UnsupportedOperationException();
        }
    }

    private Budget budget(FakeSchemaEngine db) {
        return new Budget(db.clock, Duration.ZERO, Duration.ofSeconds(50));
    }

    @Test
    void aStepRunsOnAcrossCallsAndIsNeverStartedTwice() {
        FakeSchemaEngine db = new FakeSchemaEngine().versioned("1", "2", "3");
        Remote remote = new Remote(db);
        StepLedger ledger = StepLedger.inMemory();

        Report first = reconciler.step(remote, "latest", budget(db), ledger);
        assertThat(first.done()).isFalse();
        assertThat(first.delaySeconds()).isEqualTo(5);
        assertThat(ledger.running().id()).isEqualTo("step-1");
        assertThat(ledger.running().running()).isFalse();

        remote.beginNext = true;
        Report second = reconciler.step(remote, "latest", budget(db), ledger);
        assertThat(second.message()).isEqualTo("Migrating in task/step-1");
        assertThat(ledger.running().running()).as("the runner took the step: checkpointed").isTrue();
        assertThat(remote.started).containsExactly("step-1");

        remote.finishNext = true;
        Report third = reconciler.step(remote, "latest", db.ampleBudget(), ledger);
        assertThat(third.done()).isTrue();
        assertThat(third.message()).isEqualTo("Schema is at version 3.");
        assertThat(ledger.running()).isNull();
        assertThat(remote.started).containsExactly("step-1");
        assertThat(db.history()).hasSize(3);
    }

    @Test
    void aFinishedStepIsCheckedByObservingInAFreshCallWhenThisOneHasNoTimeLeft() {
        FakeSchemaEngine db = new FakeSchemaEngine().versioned("1", "2");
        Remote remote = new Remote(db);
        StepLedger ledger = StepLedger.inMemory();
        reconciler.step(remote, "latest", budget(db), ledger);
        int observed = remote.observations;

        remote.finishNext = true;
        Report collected = reconciler.step(remote, "latest", budget(db), ledger);
        assertThat(collected.done()).isFalse();
        assertThat(collected.delaySeconds()).isZero();
        assertThat(remote.observations).as("a runner's report is not the database's state; no time to ask").isEqualTo(observed);

        Report checked = reconciler.step(remote, "latest", budget(db), ledger);
        assertThat(checked.done()).isTrue();
    }

    @Test
    void aFailedStepFailsWithItsOwnReasonAndLeavesNoStepBehind() {
        FakeSchemaEngine db = new FakeSchemaEngine().versioned("1", "2");
        Remote remote = new Remote(db);
        StepLedger ledger = StepLedger.inMemory();
        reconciler.step(remote, "latest", budget(db), ledger);

        remote.failNext = new ReconcileException(Reason.RUNNER_FAILED, "ECS task abc stopped: exit code 137.");
        assertThatThrownBy(() -> reconciler.step(remote, "latest", budget(db), ledger))
                .isSameAs(remote.failNext);
        assertThat(ledger.running()).isNull();
        assertThat(db.history()).isEmpty();
    }

    @Test
    void aStepThatFinishedWithoutApplyingAnythingIsAnErrorNotALoop() {
        FakeSchemaEngine db = new FakeSchemaEngine().versioned("1", "2");
        Remote remote = new Remote(db);
        StepLedger ledger = StepLedger.inMemory();
        reconciler.step(remote, "latest", budget(db), ledger);
        remote.finishNext = true;
        remote.applyNothing = true;

        assertThatThrownBy(() -> reconciler.step(remote, "latest", db.ampleBudget(), ledger))
                .isInstanceOfSatisfying(ReconcileException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTERNAL))
                .hasMessageContaining("although 2 are pending");
        assertThat(remote.started).hasSize(1);
    }

    @Test
    void aRollbackWhileNoStepRunsStartsNone() {
        FakeSchemaEngine db = new FakeSchemaEngine().versioned("1", "2", "3").applied("1", "2", "3");
        Remote remote = new Remote(db);
        Report report = reconciler.step(remote, "2", budget(db), StepLedger.inMemory());
        assertThat(report.done()).isTrue();
        assertThat(report.plan().kind()).isEqualTo(Plan.Kind.BELOW_APPLIED);
        assertThat(remote.started).isEmpty();
    }
}
