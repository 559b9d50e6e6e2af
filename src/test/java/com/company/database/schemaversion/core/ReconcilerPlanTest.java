package com.company.database.schemaversion.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plan's rules for each migration kind, on observations as FlywayEngine builds them from Flyway's info. */
class ReconcilerPlanTest {
    private final Reconciler reconciler = new Reconciler();

    private static Migration v(String version) {
        return new Migration(Version.parse(version), "v" + version, "V" + version + "__v.sql", null, 1);
    }

    private static Migration b(String version) {
        return new Migration(Version.parse(version), "b", "B" + version + "__b.sql", null, 2, Migration.Kind.BASELINE);
    }

    private static Migration r(String name) {
        return new Migration(null, name, "R__" + name + ".sql", null, 3, Migration.Kind.REPEATABLE);
    }

    private static Observation observed(String applied, List<Migration> pending, List<Migration> available) {
        return new Observation(applied == null ? null : Version.parse(applied), applied == null ? 0 : 1, pending,
                available, null, null, List.of(), List.of());
    }

    @Test
    void aChangedRepeatableIsWorkEvenAtTheTarget() {
        Observation o = observed("2", List.of(v("3"), r("view")), List.of(v("1"), v("2"), v("3"), r("view")));
        Plan plan = reconciler.plan(o, "2");
        assertThat(plan.kind()).isEqualTo(Plan.Kind.APPLY);
        assertThat(plan.steps()).extracting(Migration::label).containsExactly("R__view");
    }

    @Test
    void repeatablesComeAfterTheVersionedStepsUpToTheTarget() {
        Observation o = observed("1", List.of(v("2"), v("3"), r("a"), r("b")), List.of(v("1"), v("2"), v("3"), r("a"), r("b")));
        assertThat(reconciler.plan(o, "2").steps()).extracting(Migration::label).containsExactly("V2__v", "R__a", "R__b");
    }

    @Test
    void aRollbackRunsNothingNotEvenAChangedRepeatable() {
        Observation o = observed("3", List.of(r("view")), List.of(v("1"), v("2"), v("3"), r("view")));
        Plan plan = reconciler.plan(o, "2");
        assertThat(plan.kind()).isEqualTo(Plan.Kind.BELOW_APPLIED);
        assertThat(reconciler.settled(o, plan).done()).isTrue();
    }

    @Test
    void theBaselineFlywayPickedRunsWhateverTheTarget() {
        Observation o = observed(null, List.of(b("6"), r("view")), List.of(v("1"), v("2"), b("6"), v("6"), v("7"), r("view")));
        assertThat(reconciler.plan(o, "2").steps()).extracting(Migration::label).containsExactly("B6__b", "R__view");
        assertThat(reconciler.plan(o, "6").steps()).extracting(Migration::label).containsExactly("B6__b", "R__view");
    }

    @Test
    void versionsAsSpelledInFileNames() {
        Observation o = observed(null, List.of(v("1"), v("1.14"), v("2")), List.of(v("1"), v("1.14"), v("2")));
        Plan plan = reconciler.plan(o, "1_14");
        assertThat(plan.target()).hasToString("1.14");
        assertThat(plan.steps()).hasSize(2);
        assertThatThrownBy(() -> reconciler.plan(o, "1_99"))
                .hasMessageContaining("TargetVersion 1.99 (written 1_99) is not in the migration set, which has versions 1, 1.14, 2");
        assertThat(Version.isValid("20240115_1030")).isTrue();
        assertThat(Version.parse("001")).isEqualTo(Version.parse("1"));
    }
}
