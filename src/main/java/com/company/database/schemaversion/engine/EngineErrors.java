package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import org.flywaydb.core.api.FlywayException;
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
     * The typed failure, its message free of both login values: PostgreSQL and pgjdbc echo the user name, and
     * the user name may be whatever an SSM parameter held.
     */
    static ReconcileException translate(Throwable e, ConnectionSpec conn, EngineSettings settings) {
        ReconcileException t = describe(e, conn, settings);
        String redacted = conn.redact(t.getMessage());
        return redacted.equals(t.getMessage()) ? t : new ReconcileException(t.reason(), redacted, t.getCause());
    }

    private static ReconcileException describe(Throwable e, ConnectionSpec conn, EngineSettings settings) {
        if (e instanceof ReconcileException re) {
            return re;
        }
        FlywayMigrateException migrate = find(e, FlywayMigrateException.class);
        if (migrate != null && migrate.getMigration() != null) {
            return migrationFailed(migrate, conn);
        }
        if (find(e, FlywayValidateException.class) != null) {
            return new ReconcileException(Reason.HISTORY_CONFLICT, "Flyway's validation of " + conn.where()
                    + " schema " + settings.schema() + " failed: " + firstLine(find(e, FlywayValidateException.class).getMessage())
                    + ". Restore the original scripts, or repair the history after checking the database by hand.", e);
        }
        SQLException sql = find(e, SQLException.class);
        String state = sql == null ? null : sql.getSQLState();
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
                    + conn.host() + ":" + conn.port() + ". Create it first, or fix Database.Name.", e);
        }
        if ("42501".equals(state)) {
            return new ReconcileException(Reason.ACCESS_DENIED, "The database user of " + conn.loginSource()
                    + " lacks a privilege on "
                    + conn.where() + " schema " + settings.schema() + ": " + serverMessage(sql)
                    + ". Grant it (e.g. CREATE on the database and ownership of the schema).", e);
        }
        String tls = tlsProblem(e, conn);
        if (tls != null) {
            return new ReconcileException(Reason.INVALID_INPUT, tls, e);
        }
        if (state != null && UNREACHABLE_STATES.contains(state) || causedBy(e, ConnectException.class)
                || causedBy(e, UnknownHostException.class) || causedBy(e, SocketTimeoutException.class)
                || causedBy(e, NoRouteToHostException.class)) {
            return new ReconcileException(Reason.DATABASE_UNREACHABLE, "Cannot reach the database at "
                    + conn.host() + ":" + conn.port() + " (" + lastError(e) + ")", e);
        }
        FlywayException flyway = find(e, FlywayException.class);
        String placeholder = missingPlaceholder(e);
        if (placeholder != null) {
            return new ReconcileException(Reason.INVALID_INPUT, "The migration set " + settings.source().name()
                    + " uses the placeholder ${" + placeholder + "}, but Placeholders has no " + placeholder
                    + ". Add it to Placeholders in the template; nothing was applied.", e);
        }
        if (flyway != null && flyway.getMessage() != null && flyway.getMessage().contains("advisory lock")) {
            return new ReconcileException(Reason.LOCKED, "Another deployment is migrating " + conn.where()
                    + " schema " + settings.schema() + " (Flyway's advisory lock is held).", e);
        }
        return new ReconcileException(Reason.INTERNAL, "Unexpected error on " + conn.where() + ": " + lastError(e), e);
    }

    /** A TLS set-up that can never work (untrusted certificate, wrong host name, no TLS on the server), or null. */
    private static String tlsProblem(Throwable e, ConnectionSpec conn) {
        String where = "The TLS connection to " + conn.host() + ":" + conn.port() + " (Database.SslMode "
                + conn.sslMode() + ") failed: ";
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = c.getMessage() == null ? "" : c.getMessage();
            if (m.contains("could not be verified by hostnameverifier")) {
                return where + "the server's certificate does not name the host '" + conn.host() + "'. Use the"
                        + " endpoint name the certificate was issued for (the RDS Endpoint.Address, not an IP or a"
                        + " CNAME); no login was sent.";
            }
            if (m.contains("does not support SSL")) {
                return where + "the server does not offer TLS, and no login was sent. Turn TLS on in the server"
                        + " (SslMode disable sends the password in cleartext; the account admin must allow it in the type"
                        + " configuration's Connections.AllowedSslModes).";
            }
            if (c instanceof javax.net.ssl.SSLHandshakeException || c instanceof java.security.cert.CertificateException) {
                return where + "the server's certificate is not signed by a CA in the RDS CA bundle shipped with"
                        + " this type or in the type configuration's Connections.ExtraCaCertificates (" + firstLine(m)
                        + "); no login was sent. For an RDS or Aurora endpoint this means the host is not the RDS"
                        + " endpoint; for a database with a private CA (RDS Proxy, a self-managed server), the account"
                        + " admin adds that CA to Connections.ExtraCaCertificates.";
            }
        }
        return null;
    }

    private static ReconcileException migrationFailed(FlywayMigrateException e, ConnectionSpec conn) {
        MigrationInfo m = e.getMigration();
        FlywaySqlScriptException script = find(e, FlywaySqlScriptException.class);
        SQLException sql = find(e, SQLException.class);
        String state = e.getSqlState() != null ? e.getSqlState() : sql == null ? null : sql.getSQLState();
        int line = script != null ? script.getLineNumber() : e.getLineNumber();
        StringBuilder sb = new StringBuilder("Migration ").append(m.getScript()).append(" failed");
        if (line > 0) {
            sb.append(" at line ").append(line);
        }
        if (state != null) {
            sb.append(" (SQLSTATE ").append(state).append(')');
        }
        sb.append(": ").append(sql != null ? serverMessage(sql) : firstLine(e.getMessage())).append(". ");
        Reason reason = Reason.MIGRATION_FAILED;
        if (state != null && UNREACHABLE_STATES.contains(state) && e.isExecutableInTransaction()) {
            // The session died (database restart, failover, cut connection): the server rolled the migration's
            // transaction back, so waiting and trying again is safe.
            return new ReconcileException(Reason.DATABASE_UNREACHABLE, "The connection to " + conn.where()
                    + " was lost during migration " + m.getScript() + " (SQLSTATE " + state + "); its transaction was"
                    + " rolled back and it will be applied again.", e);
        }
        if ("57014".equals(state)) {
            reason = Reason.TOO_LONG_FOR_CALL;
            sb.append("It was cancelled by statement_timeout. In Direct mode one migration must finish within one"
                    + " handler call (under 50 s); run long migrations with Execution.Mode VpcRunner (up to 15 minutes"
                    + " each), or raise Timeouts.StatementTimeoutSeconds if the limit was yours. ");
        } else if ("55P03".equals(state)) {
            sb.append("A lock was not granted within Timeouts.LockTimeoutSeconds: another session holds it. ");
        }
        if (e.isExecutableInTransaction()) {
            sb.append("Its transaction was rolled back: the database is as it was before ").append(m.getScript())
                    .append(". Fix the script in a new type version and deploy again.");
        } else {
            sb.append("It ran outside a transaction (executeInTransaction=false): statements before the failing one"
                    + " stay applied, and Flyway marked it failed in the history, so later deploys stop until it is"
                    + " repaired. ");
            String statement = script == null || script.getStatement() == null ? "" : script.getStatement();
            if (statement.toUpperCase(java.util.Locale.ROOT).matches("(?s).*CREATE\\s+(UNIQUE\\s+)?INDEX\\s+CONCURRENTLY.*")) {
                sb.append("A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: find it with SELECT"
                        + " indexrelid::regclass FROM pg_index WHERE NOT indisvalid, and DROP INDEX CONCURRENTLY it. ");
            }
            sb.append("To recover: undo what the script left (or complete it by hand), delete its failed row (DELETE"
                    + " FROM flyway_schema_history WHERE NOT success, in the managed schema; this is what flyway"
                    + " repair does), fix the cause, then deploy again.");
        }
        return new ReconcileException(reason, sb.toString(), e);
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

    /** Flyway's "No value provided for placeholder: ${name}" as the name, or null. */
    private static String missingPlaceholder(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = c.getMessage();
            int at = m == null ? -1 : m.indexOf("No value provided for placeholder");
            if (at >= 0) {
                java.util.regex.Matcher name = java.util.regex.Pattern.compile("\\$\\{([^}]+)}").matcher(m.substring(at));
                return name.find() ? name.group(1) : "?";
            }
        }
        return null;
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
