package com.company.database.schemaversion;

import com.company.database.schemaversion.core.Fact;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import org.junit.jupiter.api.Test;
import software.amazon.cloudformation.proxy.HandlerErrorCode;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The error rules alone: each fact and reason to its code, its wait and its advice in each mode, without a database. */
class ErrorRulesTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);
    private static final Fact.Place WHERE = new Fact.Place("db.example", 5432, "orders", "public");

    @Test
    void everyReasonHasExactlyOneRuleAndOnlyTheTransientOnesWait() {
        Map<Reason, HandlerErrorCode> expected = Map.ofEntries(
                Map.entry(Reason.INVALID_INPUT, HandlerErrorCode.InvalidRequest),
                Map.entry(Reason.NOT_UPDATABLE, HandlerErrorCode.NotUpdatable),
                Map.entry(Reason.CREDENTIALS_NOT_FOUND, HandlerErrorCode.InvalidRequest),
                Map.entry(Reason.INVALID_CREDENTIALS, HandlerErrorCode.InvalidCredentials),
                Map.entry(Reason.ACCESS_DENIED, HandlerErrorCode.AccessDenied),
                Map.entry(Reason.DATABASE_UNREACHABLE, HandlerErrorCode.NetworkFailure),
                Map.entry(Reason.LOCKED, HandlerErrorCode.ResourceConflict),
                Map.entry(Reason.MIGRATION_FAILED, HandlerErrorCode.GeneralServiceException),
                Map.entry(Reason.HISTORY_CONFLICT, HandlerErrorCode.ResourceConflict),
                Map.entry(Reason.TOO_LONG_FOR_CALL, HandlerErrorCode.InvalidRequest),
                Map.entry(Reason.ALREADY_OWNED, HandlerErrorCode.AlreadyExists),
                Map.entry(Reason.NOT_FOUND, HandlerErrorCode.NotFound),
                Map.entry(Reason.THROTTLED, HandlerErrorCode.Throttling),
                Map.entry(Reason.SERVICE_UNREACHABLE, HandlerErrorCode.NetworkFailure),
                Map.entry(Reason.RUNNER_FAILED, HandlerErrorCode.GeneralServiceException),
                Map.entry(Reason.INTERNAL, HandlerErrorCode.InternalFailure));
        assertThat(expected.keySet()).containsExactlyInAnyOrder(Reason.values());
        Set<Reason> waiting = EnumSet.of(Reason.DATABASE_UNREACHABLE, Reason.LOCKED, Reason.THROTTLED,
                Reason.SERVICE_UNREACHABLE);
        for (Reason reason : Reason.values()) {
            ErrorRules.Rule rule = ErrorRules.rule(reason);
            assertThat(rule.code()).as(reason.name()).isEqualTo(expected.get(reason));
            assertThat(rule.worthWaiting()).as(reason.name()).isEqualTo(waiting.contains(reason));
            assertThat(rule.whenGivenUp() != null).as(reason.name()).isEqualTo(waiting.contains(reason));
        }
    }

    @Test
    void anUnreachableServiceIsANetworkFailureThatIsWaitedForNotThrottling() {
        ReconcileException e = new ReconcileException(Reason.SERVICE_UNREACHABLE, "Could not reach SSM to read x.", null,
                new Fact.Service("SSM", Fact.ServiceCondition.UNREACHABLE, null, 0));
        ProgressEvent<ResourceModel, CallbackContext> waiting = ErrorTranslator.toEvent(e,
                ResourceModel.builder().id("x").build(), new CallbackContext(), true, 5, CLOCK);
        assertThat(waiting.getStatus()).isEqualTo(OperationStatus.IN_PROGRESS);
        ProgressEvent<ResourceModel, CallbackContext> gaveUp = ErrorTranslator.toEvent(e, null, new CallbackContext(),
                true, 0, CLOCK);
        assertThat(gaveUp.getErrorCode()).isEqualTo(HandlerErrorCode.NetworkFailure);
        assertThat(gaveUp.getMessage()).contains("Could not reach SSM").contains("endpoint");
        assertThat(e.fact().worthWaiting()).isEqualTo(Fact.Wait.UNREACHABLE);
        assertThat(new Fact.Service("SSM", Fact.ServiceCondition.THROTTLED, "ThrottlingException", 400).worthWaiting())
                .isEqualTo(Fact.Wait.THROTTLED);
    }

    @Test
    void aStatementTimeoutIsAdvisedPerMode() {
        Fact timeout = new Fact.MigrationFailed(WHERE, "V3__long.sql", 2, "57014", true, Fact.Limit.STATEMENT_TIMEOUT);
        assertThat(ErrorRules.advice(timeout, ErrorRules.Mode.DIRECT)).hasValueSatisfying(a -> assertThat(a)
                .contains("one handler call").contains("Execution.Mode VpcRunner").contains("Timeouts.StatementTimeoutSeconds"));
        assertThat(ErrorRules.advice(timeout, ErrorRules.Mode.VPC_RUNNER)).hasValueSatisfying(a -> assertThat(a)
                .contains("runner function's 15-minute limit").doesNotContain("Execution.Mode VpcRunner"));
    }

    @Test
    void theAdviceFollowsTheFactsOwnWordsAndTheModeComesFromTheModel() {
        ReconcileException e = new ReconcileException(Reason.TOO_LONG_FOR_CALL, "Migration V3__long.sql failed.", null,
                new Fact.MigrationFailed(WHERE, "V3__long.sql", 0, "57014", true, Fact.Limit.STATEMENT_TIMEOUT));
        ResourceModel runner = ResourceModel.builder().execution(Execution.builder().mode("VpcRunner").build()).build();
        ProgressEvent<ResourceModel, CallbackContext> viaRunner = ErrorTranslator.toEvent(e, runner, new CallbackContext(),
                true, 5, CLOCK);
        assertThat(viaRunner.getErrorCode()).isEqualTo(HandlerErrorCode.InvalidRequest);
        assertThat(viaRunner.getMessage()).startsWith("Migration V3__long.sql failed. In VpcRunner mode");
        ProgressEvent<ResourceModel, CallbackContext> direct = ErrorTranslator.toEvent(e, ResourceModel.builder().build(),
                new CallbackContext(), true, 5, CLOCK);
        assertThat(direct.getMessage()).startsWith("Migration V3__long.sql failed. In Direct mode");
    }

    @Test
    void otherFactsGetTheirAdviceInBothModes() {
        Map<Fact, String> expected = Map.of(
                new Fact.MigrationFailed(WHERE, "V2__b.sql", 1, "55P03", true, Fact.Limit.LOCK_TIMEOUT), "Timeouts.LockTimeoutSeconds",
                new Fact.Database(Fact.Condition.SCHEMA_WITHOUT_HISTORY, WHERE, null, null), "Adoption.BaselineVersion",
                new Fact.Database(Fact.Condition.NO_SUCH_DATABASE, WHERE, "3D000", null), "Database.Name",
                new Fact.Database(Fact.Condition.TLS_HOST_NAME_MISMATCH, WHERE, null, "verify-full"), "Database.SslMode",
                new Fact.Database(Fact.Condition.TLS_NOT_OFFERED, WHERE, "08004", "require"), "Connections.AllowedSslModes",
                new Fact.Database(Fact.Condition.TLS_UNTRUSTED_CERTIFICATE, WHERE, null, "verify-full"),
                "Connections.ExtraCaCertificates",
                new Fact.PlaceholderMissing("orders", "V1__a.sql", "AppRole"), "Add it to Placeholders");
        expected.forEach((fact, words) -> {
            for (ErrorRules.Mode mode : ErrorRules.Mode.values()) {
                assertThat(ErrorRules.advice(fact, mode)).as(fact + " in " + mode).hasValueSatisfying(a -> assertThat(a).contains(words));
            }
        });
    }

    @Test
    void factsWithoutAdviceAndFailuresWithoutFactsKeepTheirOwnWords() {
        assertThat(ErrorRules.advice(new Fact.MigrationFailed(WHERE, "V2__b.sql", 1, "42P01", true, Fact.Limit.NONE),
                ErrorRules.Mode.DIRECT)).isEmpty();
        assertThat(ErrorRules.advice(new Fact.Database(Fact.Condition.UNREACHABLE, WHERE, "08001", null),
                ErrorRules.Mode.DIRECT)).isEmpty();
        assertThat(ErrorRules.advice(null, ErrorRules.Mode.VPC_RUNNER)).isEmpty();
        assertThat(ErrorRules.explain(new ReconcileException(Reason.INVALID_INPUT, "TargetVersion 9 is not in the set."),
                ErrorRules.Mode.DIRECT)).isEqualTo("TargetVersion 9 is not in the set.");
    }

    @Test
    void whetherAFactIsWorthWaitingForSaysWhy() {
        assertThat(new Fact.Database(Fact.Condition.UNREACHABLE, WHERE, null, null).worthWaiting()).isEqualTo(Fact.Wait.UNREACHABLE);
        assertThat(new Fact.Database(Fact.Condition.CONNECTION_LOST, WHERE, "57P01", null).worthWaiting()).isEqualTo(Fact.Wait.UNREACHABLE);
        assertThat(new Fact.Database(Fact.Condition.LOCKED, WHERE, null, null).worthWaiting()).isEqualTo(Fact.Wait.LOCKED);
        assertThat(new Fact.Database(Fact.Condition.TLS_NOT_OFFERED, WHERE, null, "require").worthWaiting()).isEqualTo(Fact.Wait.NO);
        assertThat(new Fact.MigrationFailed(WHERE, "V1__a.sql", 0, null, false, Fact.Limit.NONE).worthWaiting()).isEqualTo(Fact.Wait.NO);
    }
}
