package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Fact;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.internal.exception.FlywayMigrateException;
import org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Set;

/** Turns what Flyway and pgjdbc throw into a typed ReconcileException with an operator's message. */
final class EngineErrors {
    /** The statement of a failed script is SQL the type ships, not a message: which statement it was is the fact. */
    private static final java.util.regex.Pattern CONCURRENT_INDEX = java.util.regex.Pattern.compile(
            "CREATE\\s+(UNIQUE\\s+)?INDEX\\s+CONCURRENTLY", java.util.regex.Pattern.CASE_INSENSITIVE);
    private static final Set<String> UNREACHABLE_STATES = Set.of("08001", "08004", "08006", "57P01", "57P02", "57P03", "53300", "08000", "08003");

    private EngineErrors() {
    }

    static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /**
     * A failure of Flyway's own, with no migration and no database error in it: what Flyway raises when it gives
     * up waiting for the schema's advisory lock, among others. Only what the engine then observes tells which.
     */
    static boolean withoutDatabaseError(Throwable e) {
        return !(e instanceof ReconcileException) && find(e, FlywayMigrateException.class) == null
                && find(e, SQLException.class) == null && find(e, org.flywaydb.core.api.FlywayException.class) != null;
    }

    /** Where the engine works, as a fact's place. */
    static Fact.Place place(ConnectionSpec conn, EngineSettings settings) {
        return new Fact.Place(conn.host(), conn.port(), conn.database(), settings == null ? null : settings.schema());
    }

    /**
     * The typed failure, its message free of both login values: PostgreSQL and pgjdbc echo the user name, and
     * the user name may be whatever an SSM parameter held.
     */
    static ReconcileException translate(Throwable e, ConnectionSpec conn, EngineSettings settings) {
        ReconcileException t = describe(e, conn, settings);
        return t.withMessage(conn.redact(t.getMessage()));
    }

    /** Another deployment holds the schema's migration lock (the engine asked the database). */
    static ReconcileException locked(ConnectionSpec conn, EngineSettings settings, Throwable cause) {
        return new ReconcileException(Reason.LOCKED, "Another deployment is migrating " + conn.where() + " schema "
                + settings.schema() + " (it holds Flyway's advisory lock on the schema's history).", cause,
                new Fact.Database(Fact.Condition.LOCKED, place(conn, settings), null, null));
    }

    /** The schema has objects but no history (the engine looked before migrating). */
    static ReconcileException schemaWithoutHistory(ConnectionSpec conn, EngineSettings settings) {
        return new ReconcileException(Reason.INVALID_INPUT, "Schema " + settings.schema() + " on " + conn.where()
                + " has objects but no Flyway history: it was built without this type. Nothing was changed.", null,
                new Fact.Database(Fact.Condition.SCHEMA_WITHOUT_HISTORY, place(conn, settings), null, null));
    }

    /** A script about to run names a placeholder without a value (the engine read the script before running it). */
    static ReconcileException placeholderMissing(EngineSettings settings, String script, String prefix, String name,
                                                 String suffix) {
        return new ReconcileException(Reason.INVALID_INPUT, "The migration set " + settings.source().name()
                + " uses the placeholder " + prefix + name + suffix + " (in " + script + "), which has no value.", null,
                new Fact.PlaceholderMissing(settings.source().name(), script, name));
    }

    private static ReconcileException describe(Throwable e, ConnectionSpec conn, EngineSettings settings) {
        if (e instanceof ReconcileException re) {
            return re;
        }
        FlywayMigrateException migrate = find(e, FlywayMigrateException.class);
        if (migrate != null && migrate.getMigration() != null) {
            return migrationFailed(migrate, conn, settings);
        }
        if (find(e, FlywayValidateException.class) != null) {
            return new ReconcileException(Reason.HISTORY_CONFLICT, "Flyway's validation of " + conn.where()
                    + " schema " + settings.schema() + " failed: " + firstLine(find(e, FlywayValidateException.class).getMessage())
                    + ". Restore the original scripts, or repair the history after checking the database by hand.", e);
        }
        SQLException sql = find(e, SQLException.class);
        String state = sql == null ? null : sql.getSQLState();
        Fact.Place where = place(conn, settings);
        if ("28P01".equals(state) || "28000".equals(state)) {
            // Never the server's words: they quote the user name it was sent (cut to 63 bytes), and the user name
            // is whatever the named parameter held, a password included.
            return new ReconcileException(Reason.INVALID_CREDENTIALS, "The database " + conn.where()
                    + " rejected " + conn.loginSource() + " (SQLSTATE " + state + ", "
                    + ("28P01".equals(state) ? "authentication failed" : "no such user, or the server refuses it from here")
                    + "). " + (conn.iamToken() ? "Check that the database user exists, is granted rds_iam, that IAM"
                    + " database authentication is on for the instance or cluster, and that the role that signed the"
                    + " token may rds-db:connect as that user." : "Check the values of those parameters."), null);
        }
        if ("42703".equals(state) || "42P01".equals(state)) {
            // Flyway reads a history table with the expected name but not its columns: another tool wrote it.
            return new ReconcileException(Reason.HISTORY_CONFLICT, "The table " + settings.schema()
                    + ".flyway_schema_history on " + conn.where() + " was not written by Flyway (" + serverMessage(sql)
                    + "): another tool keeps its history there. Nothing was changed. Give this resource another Schema,"
                    + " or rename that table if it is no longer used.", e);
        }
        if ("3D000".equals(state)) {
            return new ReconcileException(Reason.INVALID_INPUT, "Database '" + conn.database() + "' does not exist on "
                    + conn.host() + ":" + conn.port() + ".", e,
                    new Fact.Database(Fact.Condition.NO_SUCH_DATABASE, where, state, null));
        }
        if ("42501".equals(state)) {
            return new ReconcileException(Reason.ACCESS_DENIED, "The database user of " + conn.loginSource()
                    + " lacks a privilege on "
                    + conn.where() + " schema " + settings.schema() + ": " + serverMessage(sql)
                    + ". Grant it (e.g. CREATE on the database and ownership of the schema).", e);
        }
        ReconcileException tls = tlsProblem(e, state, conn, where);
        if (tls != null) {
            return tls;
        }
        if (state != null && UNREACHABLE_STATES.contains(state) || causedBy(e, ConnectException.class)
                || causedBy(e, UnknownHostException.class) || causedBy(e, SocketTimeoutException.class)
                || causedBy(e, NoRouteToHostException.class)) {
            return new ReconcileException(Reason.DATABASE_UNREACHABLE, "Cannot reach the database at "
                    + conn.host() + ":" + conn.port() + " (" + lastError(e) + ")", e,
                    new Fact.Database(Fact.Condition.UNREACHABLE, where, state, null));
        }
        return new ReconcileException(Reason.INTERNAL, "Unexpected error on " + conn.where() + ": " + lastError(e), e);
    }

    /**
     * A TLS set-up that can never work (untrusted certificate, wrong host name, no TLS on the server), or null.
     * Told by exception types (the JDK's for the certificate, HostNameCheck's for the name) and, for a server
     * without TLS, by the server's own answer to an SSLRequest: pgjdbc says that one only in a sentence.
     */
    private static ReconcileException tlsProblem(Throwable e, String state, ConnectionSpec conn, Fact.Place where) {
        String mode = conn.sslMode() == null ? TlsSettings.DEFAULT_MODE : conn.sslMode();
        String prefix = "The TLS connection to " + conn.host() + ":" + conn.port() + " (SSL mode " + mode + ") failed: ";
        if (causedBy(e, HostNameCheck.Mismatch.class)) {
            return new ReconcileException(Reason.INVALID_INPUT, prefix + "the server's certificate does not name the host '"
                    + conn.host() + "'; no login was sent.", e,
                    new Fact.Database(Fact.Condition.TLS_HOST_NAME_MISMATCH, where, state, mode));
        }
        Throwable handshake = find(e, javax.net.ssl.SSLHandshakeException.class);
        if (handshake == null) {
            handshake = find(e, java.security.cert.CertificateException.class);
        }
        if (handshake != null) {
            return new ReconcileException(Reason.INVALID_INPUT, prefix + "the server's certificate is not signed by a CA"
                    + " in the RDS CA bundle shipped with this type or among the account's extra CA certificates ("
                    + firstLine(handshake.getMessage()) + "); no login was sent.", e,
                    new Fact.Database(Fact.Condition.TLS_UNTRUSTED_CERTIFICATE, where, state, mode));
        }
        // pgjdbc refuses a server that answers "no TLS" with 08004 before any login is sent; 08004 also means other
        // refusals, so the server is asked.
        if ("08004".equals(state) && !"disable".equals(mode)
                && TlsProbe.offersTls(conn.host(), conn.port()).filter(offers -> !offers).isPresent()) {
            return new ReconcileException(Reason.INVALID_INPUT, prefix + "the server does not offer TLS, and no login"
                    + " was sent.", e, new Fact.Database(Fact.Condition.TLS_NOT_OFFERED, where, state, mode));
        }
        return null;
    }

    private static ReconcileException migrationFailed(FlywayMigrateException e, ConnectionSpec conn,
                                                      EngineSettings settings) {
        MigrationInfo m = e.getMigration();
        FlywaySqlScriptException script = find(e, FlywaySqlScriptException.class);
        SQLException sql = find(e, SQLException.class);
        String state = e.getSqlState() != null ? e.getSqlState() : sql == null ? null : sql.getSQLState();
        int line = script != null ? script.getLineNumber() : e.getLineNumber();
        boolean transactional = e.isExecutableInTransaction();
        Fact.Place where = place(conn, settings);
        if (state != null && UNREACHABLE_STATES.contains(state) && transactional) {
            // The session died (database restart, failover, cut connection): the server rolled the migration's
            // transaction back, so waiting and trying again is safe.
            return new ReconcileException(Reason.DATABASE_UNREACHABLE, "The connection to " + conn.where()
                    + " was lost during migration " + m.getScript() + " (SQLSTATE " + state + "); its transaction was"
                    + " rolled back and it will be applied again.", e,
                    new Fact.Database(Fact.Condition.CONNECTION_LOST, where, state, null));
        }
        StringBuilder sb = new StringBuilder("Migration ").append(m.getScript()).append(" failed");
        if (line > 0) {
            sb.append(" at line ").append(line);
        }
        if (state != null) {
            sb.append(" (SQLSTATE ").append(state).append(')');
        }
        sb.append(": ").append(sql != null ? serverMessage(sql) : firstLine(e.getMessage())).append(". ");
        Reason reason = Reason.MIGRATION_FAILED;
        Fact.Limit limit = Fact.Limit.NONE;
        if ("57014".equals(state)) {
            reason = Reason.TOO_LONG_FOR_CALL;
            limit = Fact.Limit.STATEMENT_TIMEOUT;
            sb.append("It was cancelled by statement_timeout. ");
        } else if ("55P03".equals(state)) {
            limit = Fact.Limit.LOCK_TIMEOUT;
            sb.append("A lock was not granted within lock_timeout: another session holds it. ");
        }
        if (transactional) {
            sb.append("Its transaction was rolled back: the database is as it was before ").append(m.getScript())
                    .append(". Fix the script in a new type version and deploy again.");
        } else {
            sb.append("It ran outside a transaction (executeInTransaction=false): statements before the failing one"
                    + " stay applied, and Flyway marked it failed in the history, so later deploys stop until it is"
                    + " repaired. ");
            String statement = script == null || script.getStatement() == null ? "" : script.getStatement();
            if (CONCURRENT_INDEX.matcher(statement).find()) {
                sb.append("A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: find it with SELECT"
                        + " indexrelid::regclass FROM pg_index WHERE NOT indisvalid, and DROP INDEX CONCURRENTLY it. ");
            }
            sb.append("To recover: undo what the script left (or complete it by hand), delete its failed row (DELETE"
                    + " FROM flyway_schema_history WHERE NOT success, in the managed schema; this is what flyway"
                    + " repair does), fix the cause, then deploy again.");
        }
        return new ReconcileException(reason, sb.toString(), e,
                new Fact.MigrationFailed(where, m.getScript(), Math.max(line, 0), state, transactional, limit));
    }

    private static String serverMessage(SQLException sql) {
        if (sql instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            return m.getMessage() + (m.getDetail() != null ? " (" + m.getDetail() + ")" : "");
        }
        return firstLine(sql.getMessage());
    }

    private static String lastError(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() != null ? firstLine(root.getMessage()) : "";
        return root.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
