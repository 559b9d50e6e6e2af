package com.company.database.schemaversion.local;

/** A release or versions command that cannot go on: the message says what happened, where, and what to do. */
final class ReleaseException extends RuntimeException {
    ReleaseException(String message) {
        super(message);
    }
}
