package com.company.database.schemaversion.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How much one handler call does: the call budget's start window, the progress message of each call, and the
 * answers when no migration could start. MultiCallDeployTest and the VPC runner's lifecycle tests check the same
 * across real calls.
 */
class ReconcileBudgetTest {
    private final Reconciler reconciler = new Reconciler();

    @Test
    void theBudgetSaysWhetherAnotherMigrationMayStartAndHowLongStatementsMayRun() {
        FakeSchemaEngine engine = new FakeSchemaEngine();
        Budget budget = new Budget(engine.clock, Duration.ofSeconds(25), Duration.ofSeconds(50));
        assertThat(budget.mayStartAnother()).isTrue();
        assertThat(budget.remaining()).isEqualTo(Duration.ofSeconds(50));
        engine.clock.advance(Duration.ofSeconds(25));
        assertThat(budget.mayStartAnother()).isFalse();
        assertThat(budget.remaining()).isEqualTo(Duration.ofSeconds(25));
        engine.clock.advance(Duration.ofSeconds(60));
        assertThat(budget.remaining()).isEqualTo(Duration.ZERO);
    }

    @Test
    void aCallStartsMigrationsUntilItsStartWindowEndsAndSaysHowFarItGot() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3", "4", "5")
                .eachMigrationTakes(Duration.ofSeconds(10));

        Report first = reconciler.step(engine, "latest", new Budget(engine.clock, Duration.ofSeconds(15), Duration.ofSeconds(50)));

        assertThat(first.done()).isFalse();
        assertThat(first.appliedNow()).extracting(Migration::label).containsExactly("V1__v1", "V2__v2");
        assertThat(first.message()).isEqualTo("applied V2__v2 (2 of 5), 2 in this call");

        Report second = reconciler.step(engine, "latest", new Budget(engine.clock, Duration.ofSeconds(25), Duration.ofSeconds(50)));
        assertThat(second.done()).isTrue();
        assertThat(second.appliedNow()).hasSize(3);
        assertThat(second.message()).isEqualTo("Schema is at version 5: applied 3 migration(s) in this call (5 of 5).");
    }

    @Test
    void withNoStartWindowEachCallAppliesExactlyOneMigrationRepeatablesIncluded() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3").repeatable("view", 1);
        List<String> messages = new ArrayList<>();
        Report report;
        int calls = 0;
        do {
            report = reconciler.step(engine, "latest", new Budget(engine.clock, Duration.ZERO, Duration.ofSeconds(50)));
            messages.add(report.message());
            assertThat(report.appliedNow()).hasSize(1);
            assertThat(++calls).isLessThan(10);
        } while (!report.done());

        assertThat(messages).containsExactly(
                "applied V1__v1 (1 of 4)",
                "applied V2__v2 (2 of 4)",
                "applied V3__v3 (3 of 4)",
                "Schema is at version 3: applied 1 migration(s) in this call (4 of 4).");
    }

    @Test
    void anUpdateCountsFromWhereTheSchemaStands() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2", "3", "4", "5").applied("1", "2");
        Report report = reconciler.step(engine, "latest", new Budget(engine.clock, Duration.ZERO, Duration.ofSeconds(50)));
        assertThat(report.message()).isEqualTo("applied V3__v3 (3 of 5)");
    }

    @Test
    void aCallWhoseWindowWentOnObservingStartsNothingAndContinuesInTheNextCall() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2").strictBudget()
                .observeTakes(Duration.ofSeconds(30));

        Report report = reconciler.step(engine, "latest", new Budget(engine.clock, Duration.ofSeconds(25), Duration.ofSeconds(50)));

        assertThat(report.done()).isFalse();
        assertThat(report.appliedNow()).isEmpty();
        assertThat(report.message()).isEqualTo("No migration was started in this call: its time went to connecting and"
                + " checking the history. Continuing with V1__v1 in the next call.");
        assertThat(engine.history()).isEmpty();

        engine.observeTakes(Duration.ZERO);
        assertThat(reconciler.step(engine, "latest", new Budget(engine.clock, Duration.ofSeconds(25), Duration.ofSeconds(50)))
                .done()).isTrue();
    }

    @Test
    void anEngineThatAppliesNothingWithTimeLeftIsAnInternalErrorNotProgress() {
        FakeSchemaEngine fake = new FakeSchemaEngine().versioned("1", "2");
        // Observes the fake's history, and its steps finish at once having applied nothing: every other operation is
        // never reached.
        SchemaEngine stuck = (SchemaEngine) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{SchemaEngine.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "observe" -> fake.observe();
                    case "start" -> new Step("s", null, "2", null, Reconciler.progressMark((Observation) args[0]), 0L, true);
                    case "poll" -> new StepStatus.Finished(fake.observe());
                    default -> throw new UnsupportedOperationException(method.getName());
                });

        assertThatThrownBy(() -> reconciler.step(stuck, "latest", new Budget(fake.clock, Duration.ofSeconds(25), Duration.ofSeconds(50))))
                .isInstanceOfSatisfying(ReconcileException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTERNAL))
                .hasMessage("No migration could be applied towards version 2 although 2 are pending; nothing was changed.");
    }

    @Test
    void aLockHeldByAnotherDeploymentIsLockedAndChangesNothing() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2").applied("1").lockedByAnotherDeployment(true);

        assertThatThrownBy(() -> reconciler.step(engine, "latest", new Budget(engine.clock, Duration.ofSeconds(25), Duration.ofSeconds(50))))
                .isInstanceOfSatisfying(ReconcileException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LOCKED));
        assertThat(engine.appliedKeys()).containsExactly("1");

        engine.lockedByAnotherDeployment(false);
        assertThat(reconciler.step(engine, "latest", new Budget(engine.clock, Duration.ofSeconds(25), Duration.ofSeconds(50)))
                .done()).isTrue();
    }

    @Test
    void aStepObservesBeforeAndAfterAndARepeatedStepChangesNothing() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1", "2");
        Budget budget = new Budget(engine.clock, Duration.ofSeconds(25), Duration.ofSeconds(50));
        Report first = reconciler.step(engine, "latest", budget);
        Report again = reconciler.step(engine, "latest", budget);
        assertThat(first.done()).isTrue();
        assertThat(again.appliedNow()).isEmpty();
        assertThat(again.message()).isEqualTo("Schema is at version 2.");
        assertThat(engine.appliedKeys()).containsExactly("1", "2");
        assertThat(again.observation().lastAppliedAt()).isEqualTo(first.observation().lastAppliedAt());
    }
}
