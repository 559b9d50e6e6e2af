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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL (embedded binaries from Maven) per test JVM, with its files under target/, and a fresh
 * database per test. The superuser is postgres with password "postgres".
 */
public final class TestDatabase {
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestDatabase() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                File base = new File("target/embedded-pg/" + ProcessHandle.current().pid());
                server = EmbeddedPostgres.builder()
                        .setOverrideWorkingDirectory(new File(base, "work"))
                        .setDataDirectory(new File(base, "data"))
                        .setCleanDataDirectory(true)
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("fsync", "on")
                        .start();
                // initdb ran with trust authentication; a wrong password must fail as it does on RDS.
                try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
                    s.execute("SET password_encryption = 'scram-sha-256'");
                    s.execute("ALTER USER postgres PASSWORD '" + PASSWORD + "'");
                    java.nio.file.Files.writeString(new File(base, "data/pg_hba.conf").toPath(),
                            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
                    s.execute("SELECT pg_reload_conf()");
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.close();
                    } catch (IOException ignored) {
                        // the JVM is ending anyway
                    }
                }));
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("embedded PostgreSQL did not start", e);
            }
        }
        return server;
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
