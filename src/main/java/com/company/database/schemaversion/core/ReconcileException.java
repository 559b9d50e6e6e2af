package com.company.database.schemaversion.core;

/**
 * A typed failure: the reason decides the CloudFormation answer, the fact (when the thrower observed one) says
 * what happened so the contract can add the advice that fits the execution mode, and the message is for the
 * operator.
 */
public class ReconcileException extends RuntimeException {
    private final Reason reason;
    private final transient Fact fact;

    public ReconcileException(Reason reason, String message) {
        this(reason, message, null, null);
    }

    public ReconcileException(Reason reason, String message, Throwable cause) {
        this(reason, message, cause, null);
    }

    public ReconcileException(Reason reason, String message, Throwable cause, Fact fact) {
        super(message, cause);
        this.reason = reason;
        this.fact = fact;
    }

    public Reason reason() {
        return reason;
    }

    /** What was observed, or null when the failure is fully said by its reason and message. */
    public Fact fact() {
        return fact;
    }

    /** The same failure with another message (e.g. with login values removed). */
    public ReconcileException withMessage(String message) {
        return new ReconcileException(reason, message, getCause(), fact);
    }
}
