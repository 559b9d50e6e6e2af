package com.company.database.schemaversion;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import org.junit.jupiter.api.Test;
import software.amazon.cloudformation.proxy.HandlerErrorCode;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The one place that turns typed failures into CloudFormation answers, without a handler around it. */
class ErrorTranslatorTest {
    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    @Test
    void everyReasonHasTheCodeTheHandlerContractExpects() {
        for (Reason reason : Reason.values()) {
            assertThat(ErrorTranslator.codeOf(reason)).as(reason.name()).isNotNull();
        }
        assertThat(ErrorTranslator.codeOf(Reason.ALREADY_OWNED)).isEqualTo(HandlerErrorCode.AlreadyExists);
        assertThat(ErrorTranslator.codeOf(Reason.NOT_FOUND)).isEqualTo(HandlerErrorCode.NotFound);
        assertThat(ErrorTranslator.codeOf(Reason.INVALID_CREDENTIALS)).isEqualTo(HandlerErrorCode.InvalidCredentials);
        assertThat(ErrorTranslator.codeOf(Reason.NOT_UPDATABLE)).isEqualTo(HandlerErrorCode.NotUpdatable);
        assertThat(ErrorTranslator.codeOf(Reason.DATABASE_UNREACHABLE)).isEqualTo(HandlerErrorCode.NetworkFailure);
        assertThat(ErrorTranslator.codeOf(Reason.INTERNAL)).isEqualTo(HandlerErrorCode.InternalFailure);
    }

    @Test
    void whatIsWorthWaitingForWaitsWithGrowingDelaysThenFailsNamingTheSetting() {
        ResourceModel named = ResourceModel.builder().id("orders.public.0123456789ab").build();
        CallbackContext ctx = new CallbackContext();
        List<Integer> delays = new ArrayList<>();
        Instant now = T0;
        ProgressEvent<ResourceModel, CallbackContext> event;
        while (true) {
            event = ErrorTranslator.toEvent(new ReconcileException(Reason.DATABASE_UNREACHABLE, "Cannot reach db:5432."),
                    named, ctx, true, 3, Clock.fixed(now, ZoneOffset.UTC));
            if (event.getStatus() != OperationStatus.IN_PROGRESS) {
                break;
            }
            assertThat(event.getResourceModel()).as("a waiting answer names the resource").isSameAs(named);
            delays.add(event.getCallbackDelaySeconds());
            now = now.plusSeconds(event.getCallbackDelaySeconds());
        }
        assertThat(delays).containsExactly(5, 10, 20, 40, 60, 60);
        assertThat(event.getStatus()).isEqualTo(OperationStatus.FAILED);
        assertThat(event.getErrorCode()).isEqualTo(HandlerErrorCode.NetworkFailure);
        assertThat(event.getMessage()).contains("Cannot reach db:5432.").contains("3 minute(s)").contains("ConnectWaitMinutes");
        assertThat(Duration.between(T0, now)).isGreaterThanOrEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void readListAndTerminalReasonsAnswerAtOnce() {
        for (Reason reason : EnumSet.of(Reason.DATABASE_UNREACHABLE, Reason.LOCKED, Reason.THROTTLED)) {
            ProgressEvent<ResourceModel, CallbackContext> read =
                    ErrorTranslator.toEvent(new ReconcileException(reason, "x"), null, new CallbackContext(), false, 10, CLOCK);
            assertThat(read.getStatus()).as(reason.name()).isEqualTo(OperationStatus.FAILED);
        }
        ProgressEvent<ResourceModel, CallbackContext> invalid = ErrorTranslator.toEvent(
                new ReconcileException(Reason.INVALID_INPUT, "TargetVersion 9 is not in the set."), null, new CallbackContext(), true, 10, CLOCK);
        assertThat(invalid.getStatus()).isEqualTo(OperationStatus.FAILED);
        assertThat(invalid.getErrorCode()).isEqualTo(HandlerErrorCode.InvalidRequest);
        assertThat(invalid.getMessage()).isEqualTo("TargetVersion 9 is not in the set.");
        assertThat(invalid.getCallbackDelaySeconds()).isZero();
    }

    @Test
    void withoutWaitMinutesAWorthWaitingReasonFailsAtOnce() {
        ProgressEvent<ResourceModel, CallbackContext> event = ErrorTranslator.toEvent(
                new ReconcileException(Reason.LOCKED, "Locked."), null, new CallbackContext(), true, 0, CLOCK);
        assertThat(event.getStatus()).isEqualTo(OperationStatus.FAILED);
        assertThat(event.getErrorCode()).isEqualTo(HandlerErrorCode.ResourceConflict);
    }
}
