package com.company.database.schemaversion.core;

/**
 * What an engine or an adapter observed when a reconcile could not go on, as data: what failed, where, which
 * script and line, the SQLSTATE, which AWS service and error code, and whether waiting may help. A
 * {@link ReconcileException} carries one beside its reason and its message; the contract chooses the operator's
 * advice from the fact and the execution mode, so no component needs to read another's message. Facts name no
 * template property: which setting to change is the contract's advice.
 */
public sealed interface Fact permits Fact.MigrationFailed, Fact.Database, Fact.PlaceholderMissing, Fact.Service {

    /** Whether waiting and trying again may help, and why. */
    enum Wait {
        /** Waiting changes nothing. */
        NO,
        /** The other side did not answer (yet): a database starting, a network path not there yet. */
        UNREACHABLE,
        /** The other side answered that it is too busy. */
        THROTTLED,
        /** Another deployment holds the lock this one needs. */
        LOCKED
    }

    Wait worthWaiting();

    /** Which database and schema; any part may be null when not known. */
    record Place(String host, int port, String database, String schema) {
        public Place withSchema(String otherSchema) {
            return new Place(host, port, database, otherSchema);
        }
    }

    /** The limit that ended a migration, when one did. */
    enum Limit { NONE, STATEMENT_TIMEOUT, LOCK_TIMEOUT }

    /**
     * One migration script failed while it ran.
     *
     * @param line          the failing statement's line in the script, 0 when unknown
     * @param sqlState      the server's SQLSTATE, or null
     * @param transactional whether it ran in a transaction (then nothing of it stays applied)
     * @param limit         which of the session's limits cancelled it, if any
     */
    record MigrationFailed(Place where, String script, int line, String sqlState, boolean transactional, Limit limit)
            implements Fact {
        @Override
        public Wait worthWaiting() {
            return Wait.NO;
        }
    }

    /** What the database (or the way to it) made impossible, as observed by the engine. */
    enum Condition {
        /** No answer: refused, timed out, name not resolved, or a server not accepting connections yet. */
        UNREACHABLE,
        /** The session died during a transactional migration, which the server rolled back. */
        CONNECTION_LOST,
        /** Another session holds the migration lock of the schema. */
        LOCKED,
        /** The schema has objects but no migration history: it was built without this type. */
        SCHEMA_WITHOUT_HISTORY,
        /** The named database does not exist on the server. */
        NO_SUCH_DATABASE,
        /** The server's certificate is not signed by a trusted CA. */
        TLS_UNTRUSTED_CERTIFICATE,
        /** The server's certificate does not name the host connected to. */
        TLS_HOST_NAME_MISMATCH,
        /** The server does not offer TLS, which the connection's SSL mode requires. */
        TLS_NOT_OFFERED
    }

    /**
     * @param sqlState the SQLSTATE that told, or null
     * @param sslMode  the SSL mode of the connection, for the TLS conditions
     */
    record Database(Condition condition, Place where, String sqlState, String sslMode) implements Fact {
        @Override
        public Wait worthWaiting() {
            return switch (condition) {
                case UNREACHABLE, CONNECTION_LOST -> Wait.UNREACHABLE;
                case LOCKED -> Wait.LOCKED;
                default -> Wait.NO;
            };
        }
    }

    /** A script about to run uses a placeholder that has no value. Found before anything ran. */
    record PlaceholderMissing(String migrationSet, String script, String name) implements Fact {
        @Override
        public Wait worthWaiting() {
            return Wait.NO;
        }
    }

    /** How an AWS service call ended. */
    enum ServiceCondition {
        /** No answer from the service endpoint (network, DNS, timeout): the call may never have arrived. */
        UNREACHABLE,
        /** The service answered with throttling. */
        THROTTLED,
        /** The caller may not make the call. */
        ACCESS_DENIED,
        /** The service refused the call's input. */
        REFUSED,
        /** Any other error answer. */
        FAILED
    }

    /**
     * @param service   the service's name (SSM, KMS, Lambda)
     * @param errorCode the service's error code, or null when it did not answer
     * @param status    the HTTP status, 0 when it did not answer
     */
    record Service(String service, ServiceCondition condition, String errorCode, int status) implements Fact {
        @Override
        public Wait worthWaiting() {
            return switch (condition) {
                case UNREACHABLE -> Wait.UNREACHABLE;
                case THROTTLED -> Wait.THROTTLED;
                default -> Wait.NO;
            };
        }
    }
}
