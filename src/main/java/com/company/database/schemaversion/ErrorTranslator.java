package com.company.database.schemaversion;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.cloudformation.proxy.HandlerErrorCode;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The one place where a typed failure becomes CloudFormation's answer, by the rules of {@link ErrorRules}: an
 * error code and the advice its fact calls for in the resource's mode, or, for what is worth waiting for (a
 * database waking up, a lock held by another deployment, throttling, an AWS API out of reach), IN_PROGRESS with a
 * growing callback delay until the resource's ConnectWaitMinutes run out.
 */
public final class ErrorTranslator {
    static final int MAX_DELAY_SECONDS = 60;

    private ErrorTranslator() {
    }

    /**
     * What the operator reads for this failure of a resource of this model: its own words and the advice its fact
     * calls for in the model's mode, as a handler's FAILED answer says it (for previews that run the engine
     * outside a handler, such as the local runner's plan).
     */
    public static String operatorMessage(ReconcileException e, ResourceModel model) {
        return ErrorRules.explain(e, ErrorRules.Mode.of(model));
    }

    static HandlerErrorCode codeOf(Reason reason) {
        return ErrorRules.rule(reason).code();
    }

    /**
     * @param mayWait false for Read, List and Delete's pre-checks that must answer at once
     * @param model   the model to return with the event (null for Delete)
     * @param clock   when "now" is, to know when a wait gives up
     */
    static ProgressEvent<ResourceModel, CallbackContext> toEvent(ReconcileException e, ResourceModel model,
                                                                 CallbackContext ctx, boolean mayWait, int waitMinutes,
                                                                 Clock clock) {
        return toEvent(e, model, ErrorRules.Mode.of(model), ctx, mayWait, waitMinutes, clock);
    }

    /** As above, for a failure whose mode the model does not say (Read and List name no model). */
    static ProgressEvent<ResourceModel, CallbackContext> toEvent(ReconcileException e, ResourceModel model,
                                                                 ErrorRules.Mode mode, CallbackContext ctx,
                                                                 boolean mayWait, int waitMinutes, Clock clock) {
        ErrorRules.Rule rule = ErrorRules.rule(e.reason());
        String message = ErrorRules.explain(e, mode);
        if (mayWait && rule.worthWaiting()) {
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
                        .message(message + " Retrying in " + delay + " s (attempt " + attempt
                                + "; giving up at " + giveUpAt + ", see Timeouts.ConnectWaitMinutes).")
                        .build();
            }
            return failed(e.reason(), message + " Gave up after " + waitMinutes + " minute(s) of retries"
                    + " (Timeouts.ConnectWaitMinutes). " + rule.whenGivenUp(), model);
        }
        return failed(e.reason(), message, model);
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
