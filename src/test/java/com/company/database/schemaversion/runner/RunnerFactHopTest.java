package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Fact;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A failure's fact crosses from the runner to the handler unchanged, so both modes advise from the same fact. */
class RunnerFactHopTest {
    private static final Fact.Place WHERE = new Fact.Place("db.internal", 5432, "orders", "public");

    @Test
    void everyKindOfFactSurvivesTheAnswer() {
        List<Fact> facts = List.of(
                new Fact.MigrationFailed(WHERE, "V3__long.sql", 4, "57014", true, Fact.Limit.STATEMENT_TIMEOUT),
                new Fact.MigrationFailed(WHERE, "V4__index.sql", 0, null, false, Fact.Limit.NONE),
                new Fact.Database(Fact.Condition.TLS_NOT_OFFERED, WHERE, "08004", "require"),
                new Fact.Database(Fact.Condition.LOCKED, WHERE, null, null),
                new Fact.PlaceholderMissing("orders", "V1__init.sql", "AppRole"),
                new Fact.Service("SSM", Fact.ServiceCondition.UNREACHABLE, null, 0));
        for (Fact fact : facts) {
            byte[] answer = RunnerProtocol.bytes(RunnerProtocol.error(Reason.MIGRATION_FAILED, "words", fact));
            ReconcileException back = catchThrowableOfType(
                    () -> RunnerProtocol.observationOf(RunnerProtocol.parse(answer)), ReconcileException.class);
            assertThat(back.fact()).isEqualTo(fact);
            assertThat(back.getMessage()).isEqualTo("words");
            assertThat(back.reason()).isEqualTo(Reason.MIGRATION_FAILED);
        }
    }

    @Test
    void anAnswerWithoutOrWithAnUnknownFactStillCarriesItsReasonAndMessage() {
        ReconcileException none = catchThrowableOfType(() -> RunnerProtocol.observationOf(
                RunnerProtocol.error(Reason.LOCKED, "Another deployment is migrating.")), ReconcileException.class);
        assertThat(none.fact()).isNull();
        assertThat(none.reason()).isEqualTo(Reason.LOCKED);
        ReconcileException unknown = catchThrowableOfType(() -> RunnerProtocol.observationOf(RunnerProtocol.parse(
                ("{\"protocol\":" + RunnerProtocol.VERSION + ",\"ok\":false,\"error\":{\"reason\":\"LOCKED\",\"message\":\"m\","
                        + "\"fact\":{\"kind\":\"database\",\"condition\":\"SOMETHING_NEW\"}}}").getBytes())),
                ReconcileException.class);
        assertThat(unknown.fact()).isNull();
        assertThat(unknown.getMessage()).isEqualTo("m");
    }
}
