package com.company.database.schemaversion.engine;

import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Logger;

/**
 * The few connections of one engine, kept open across Flyway commands and handler calls in one JVM: a login
 * (TCP, TLS, SCRAM) costs tens of milliseconds, a Read needs one connection and a migrate two.
 *
 * <p>A connection goes back to the idle set only in a known state: its transaction rolled back, every
 * session setting reset to the login's (RESET ALL: the lock and statement timeouts come from the login's
 * options), and any session advisory lock released. A connection that fails any of that, or isValid on the
 * way out, is closed instead. A lower statement timeout for one apply is SET on each connection handed out
 * while it is in force, and undone by the RESET ALL on return.
 *
 * <p>Why not a maintained pool: HikariCP resets only what JDBC knows of a returned connection (auto-commit,
 * isolation, read-only, catalog, schema, network timeout), not the server session (SET values, a session
 * advisory lock Flyway may leave behind after a failure), and has no per-checkout hook for the apply's
 * statement timeout; its housekeeping thread also keeps running while Lambda freezes the container. pgjdbc's
 * own PGPoolingDataSource is deprecated and likewise resets nothing. Both would need this class's give-back
 * logic on top, which is most of it.
 */
final class ReusableConnections implements DataSource, AutoCloseable {
    private static final int MAX_IDLE = 2;
    private static final int VALIDATION_TIMEOUT_SECONDS = 2;
    /** Server-side idle timeouts and NAT gateways drop quiet connections; do not keep one longer than this. */
    private static final long MAX_IDLE_NANOS = Duration.ofMinutes(4).toNanos();

    private final PGSimpleDataSource physical;
    private final long defaultStatementTimeoutMillis;
    private final Deque<Idle> idle = new ArrayDeque<>();
    private volatile long statementTimeoutMillis;
    private boolean closed;

    private record Idle(Connection connection, long since) {
    }

    ReusableConnections(PGSimpleDataSource physical, long lockTimeoutMillis, long statementTimeoutMillis) {
        this.physical = physical;
        this.defaultStatementTimeoutMillis = statementTimeoutMillis;
        this.statementTimeoutMillis = statementTimeoutMillis;
        physical.setOptions("-c lock_timeout=" + lockTimeoutMillis + " -c statement_timeout=" + statementTimeoutMillis);
    }

    /** The statement timeout for connections handed out from now on; the login's default when null. */
    void statementTimeout(Duration timeout) {
        statementTimeoutMillis = timeout == null ? defaultStatementTimeoutMillis : Math.max(1000, timeout.toMillis());
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = takeIdle();
        if (c == null) {
            c = physical.getConnection();
        }
        try {
            long timeout = statementTimeoutMillis;
            if (timeout != defaultStatementTimeoutMillis) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET statement_timeout = " + timeout);
                }
            }
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return lease(c);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the engine's login is fixed");
    }

    private Connection takeIdle() {
        while (true) {
            Idle candidate;
            synchronized (this) {
                candidate = idle.pollFirst();
            }
            if (candidate == null) {
                return null;
            }
            try {
                if (System.nanoTime() - candidate.since() < MAX_IDLE_NANOS
                        && candidate.connection().isValid(VALIDATION_TIMEOUT_SECONDS)) {
                    return candidate.connection();
                }
            } catch (SQLException e) {
                // fall through: a connection that cannot answer isValid is dropped
            }
            closeQuietly(candidate.connection());
        }
    }

    /** Puts a connection back in a clean state, or closes it. */
    private void giveBack(Connection c) {
        try {
            if (c.isClosed()) {
                return;
            }
            BaseConnection pg = c.unwrap(BaseConnection.class);
            if (!c.getAutoCommit() || pg.getTransactionState() != TransactionState.IDLE) {
                c.rollback();
                c.setAutoCommit(true);
            }
            try (Statement s = c.createStatement()) {
                s.execute("RESET ALL; SELECT pg_advisory_unlock_all()");
            }
            synchronized (this) {
                if (!closed && idle.size() < MAX_IDLE) {
                    idle.addFirst(new Idle(c, System.nanoTime()));
                    return;
                }
            }
        } catch (SQLException | RuntimeException e) {
            // fall through: a connection that cannot be cleaned is not reused
        }
        closeQuietly(c);
    }

    /** A view of the connection whose close() returns it here; everything else goes to the real one. */
    private Connection lease(Connection real) {
        InvocationHandler handler = new InvocationHandler() {
            private boolean returned;

            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                switch (method.getName()) {
                    case "close":
                        if (!returned) {
                            returned = true;
                            giveBack(real);
                        }
                        return null;
                    case "isClosed":
                        return returned || real.isClosed();
                    case "unwrap":
                        if (((Class<?>) args[0]).isInstance(proxy)) {
                            return proxy;
                        }
                        return real.unwrap((Class<?>) args[0]);
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "toString":
                        return "reusable " + real;
                    default:
                        if (returned) {
                            throw new SQLException("connection already returned to the engine's pool", "08003");
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                }
            }
        };
        return (Connection) Proxy.newProxyInstance(ReusableConnections.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
    }

    @Override
    public void close() {
        Deque<Idle> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            idle.clear();
        }
        toClose.forEach(i -> closeQuietly(i.connection()));
    }

    synchronized int idleCount() {
        return idle.size();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // already broken: nothing to release
        }
    }

    // DataSource plumbing Flyway does not rely on.

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
        physical.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
        return physical.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
