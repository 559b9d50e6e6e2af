package com.company.database.schemaversion.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The local runner's own PostgreSQL (embedded binaries, the same as the tests use), with its files under the
 * runner's home (.schemaversion/pg) so databases survive between runs. initdb sets up trust authentication
 * for local connections, so any password works; the type still reads one through SSM.
 */
public final class LocalDatabase implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres server;

    private LocalDatabase(EmbeddedPostgres server) {
        this.server = server;
    }

    /** Starts the server on {@code port} (0 = any free port), keeping its data in {@code home}/pg. */
    public static LocalDatabase start(Path home, int port) throws IOException {
        Path pg = home.resolve("pg");
        Files.createDirectories(pg.resolve("work"));
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(pg.resolve("work").toFile())
                .setDataDirectory(pg.resolve("data"))
                .setCleanDataDirectory(false)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(pg.resolve("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(pg.resolve("postgres.log").toFile()));
        if (port > 0) {
            builder.setPort(port);
        }
        return new LocalDatabase(builder.start());
    }

    /** Removes the kept server files (the --reset option). Only call while no server runs on them. */
    public static void deleteFiles(Path home) throws IOException {
        Path pg = home.resolve("pg");
        if (!Files.exists(pg)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(pg)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    public int port() {
        return server.getPort();
    }

    /** Creates the database unless it exists. The name was checked against the schema's identifier pattern. */
    public boolean ensureDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres");
             PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    return false;
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE \"" + name + "\"");
            }
            return true;
        }
    }

    /** Drops and re-creates a database: the lifecycle demo starts from an empty one every time. */
    public void recreateDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            s.execute("CREATE DATABASE \"" + name + "\"");
        }
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + port() + "/" + database, USER, PASSWORD);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
