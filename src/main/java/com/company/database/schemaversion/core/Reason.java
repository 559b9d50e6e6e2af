package com.company.database.schemaversion.core;

/**
 * Why a reconcile could not go on. The contract layer turns each reason into one HandlerErrorCode
 * (see ErrorTranslator); nothing else decides error codes.
 */
public enum Reason {
    /** The template asks for something impossible: bad property, unknown version or set. */
    INVALID_INPUT,
    /** A create-only property changed on Update. */
    NOT_UPDATABLE,
    /** A credential parameter does not exist or holds no usable login. */
    CREDENTIALS_NOT_FOUND,
    /** The database rejected the login. */
    INVALID_CREDENTIALS,
    /** Not allowed to read a parameter or call an AWS API. */
    ACCESS_DENIED,
    /** The database did not answer (yet): retried until the connect deadline. */
    DATABASE_UNREACHABLE,
    /** Another deployment holds Flyway's lock on this schema: retried. */
    LOCKED,
    /** A migration failed; the transaction was rolled back. */
    MIGRATION_FAILED,
    /** The history does not match the baked set (checksums, missing scripts, failed entries). */
    HISTORY_CONFLICT,
    /** One migration cannot finish within one handler call in this execution mode. */
    TOO_LONG_FOR_CALL,
    /** Another resource already owns this database schema. */
    ALREADY_OWNED,
    /** No such resource. */
    NOT_FOUND,
    /** An AWS API answered with throttling. */
    THROTTLED,
    /** An AWS API could not be reached (network, DNS, timeout): worth waiting, but not throttling. */
    SERVICE_UNREACHABLE,
    /** The VPC runner could not be created or run. */
    RUNNER_FAILED,
    /** Anything else: a bug or an unexpected answer. */
    INTERNAL
}
