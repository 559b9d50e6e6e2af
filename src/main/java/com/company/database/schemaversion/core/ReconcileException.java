package com.company.database.schemaversion.core;

/** A typed failure: the reason decides the CloudFormation answer, the message is for the operator. */
public class ReconcileException extends RuntimeException {
    private final Reason reason;

    public ReconcileException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ReconcileException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
