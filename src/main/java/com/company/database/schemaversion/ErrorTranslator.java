package com.company.database.schemaversion;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.cloudformation.proxy.HandlerErrorCode;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The one place where a typed failure becomes CloudFormation's answer: an error code, or, for what is worth
 * waiting for (a database waking up, a lock held by another deployment, throttling), IN_PROGRESS with a
 * growing callback delay until the resource's ConnectWaitMinutes run out.
 */
final class ErrorTranslator {
    private static final Map<Reason, HandlerErrorCode> CODES = new EnumMap<>(Reason.class);
    private static final Set<Reason> WORTH_WAITING = Set.of(Reason.DATABASE_UNREACHABLE, Reason.LOCKED, Reason.THROTTLED);
    static final int MAX_DELAY_SECONDS = 60;

    static {
        CODES.put(Reason.INVALID_INPUT, HandlerErrorCode.InvalidRequest);
        CODES.put(Reason.NOT_UPDATABLE, HandlerErrorCode.NotUpdatable);
        CODES.put(Reason.CREDENTIALS_NOT_FOUND, HandlerErrorCode.InvalidRequest);
        CODES.put(Reason.INVALID_CREDENTIALS, HandlerErrorCode.InvalidCredentials);
        CODES.put(Reason.ACCESS_DENIED, HandlerErrorCode.AccessDenied);
        CODES.put(Reason.DATABASE_UNREACHABLE, HandlerErrorCode.NetworkFailure);
        CODES.put(Reason.LOCKED, HandlerErrorCode.ResourceConflict);
        CODES.put(Reason.MIGRATION_FAILED, HandlerErrorCode.GeneralServiceException);
        CODES.put(Reason.HISTORY_CONFLICT, HandlerErrorCode.ResourceConflict);
        CODES.put(Reason.TOO_LONG_FOR_CALL, HandlerErrorCode.InvalidRequest);
        CODES.put(Reason.ALREADY_OWNED, HandlerErrorCode.AlreadyExists);
        CODES.put(Reason.NOT_FOUND, HandlerErrorCode.NotFound);
        CODES.put(Reason.THROTTLED, HandlerErrorCode.Throttling);
        CODES.put(Reason.RUNNER_FAILED, HandlerErrorCode.GeneralServiceException);
        CODES.put(Reason.INTERNAL, HandlerErrorCode.InternalFailure);
    }

    private ErrorTranslator() {
    }

    static HandlerErrorCode codeOf(Reason reason) {
        return CODES.get(reason);
    }

    /**
     * @param mayWait false for Read, List and Delete's pre-checks that must answer at once
     * @param model   the model to return with the event (null for Delete)
     * @param clock   when "now" is, to know when a wait gives up
     */
    static ProgressEvent<ResourceModel, CallbackContext> toEvent(ReconcileException e, ResourceModel model,
                                                                 CallbackContext ctx, boolean mayWait, int waitMinutes,
                                                                 Clock clock) {
        if (mayWait && WORTH_WAITING.contains(e.reason())) {
            Instant now = clock.instant();
            if (ctx.getWaitingSince() == null) {
                ctx.setWaitingSince(now.toEpochMilli());
            }
            Instant giveUpAt = Instant.ofEpochMilli(ctx.getWaitingSince()).plus(Duration.ofMinutes(waitMinutes));
            if (now.isBefore(giveUpAt)) {
                int attempt = ctx.getWaitAttempts() + 1;
                ctx.setWaitAttempts(attempt);
                int delay = (int) Math.min(MAX_DELAY_SECONDS, 5L << Math.min(attempt - 1, 4));
                return ProgressEvent.<ResourceModel, CallbackContext>builder()
                        .status(OperationStatus.IN_PROGRESS)
                        .resourceModel(model)
                        .callbackContext(ctx)
                        .callbackDelaySeconds(delay)
                        .message(e.getMessage() + " Retrying in " + delay + " s (attempt " + attempt
                                + "; giving up at " + giveUpAt + ", see Timeouts.ConnectWaitMinutes).")
                        .build();
            }
            return failed(e.reason(), e.getMessage() + " Gave up after " + waitMinutes + " minute(s) of retries"
                    + " (Timeouts.ConnectWaitMinutes). Check that the database is running and that its security group"
                    + " and network allow this connection.", model);
        }
        return failed(e.reason(), e.getMessage(), model);
    }

    static ProgressEvent<ResourceModel, CallbackContext> failed(Reason reason, String message, ResourceModel model) {
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.FAILED)
                .errorCode(codeOf(reason))
                .message(message)
                .resourceModel(model)
                .build();
    }
}
