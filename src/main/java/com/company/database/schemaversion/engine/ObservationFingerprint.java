package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.stream.Stream;

/**
 * What an observation depends on, in one short string: every column of every row of the schema's Flyway
 * history (folded into an md5 by the server, so the whole history never travels), and, for a migration
 * folder on disk, the scripts' names, sizes and modification times. A set baked into the artifact cannot
 * change while the JVM runs, so it adds nothing. Null when the fingerprint cannot be read: the caller then
 * observes in full and reports any error from there.
 */
final class ObservationFingerprint {
    static final String HISTORY_TABLE = "flyway_schema_history";

    private static final String HISTORY_SQL = "SELECT count(*), md5(coalesce(string_agg(concat_ws('|', installed_rank,"
            + " version, description, type, script, checksum, installed_by, installed_on, success), E'\\n'"
            + " ORDER BY installed_rank), '')) FROM %s";

    private ObservationFingerprint() {
    }

    /** Reads the fingerprint over a connection the caller opened (so a login failure is the caller's to report). */
    static String of(Connection c, EngineSettings settings) {
        return of(c, settings, sourceFingerprintOrNull(settings.source()));
    }

    /** The same, with the set's part already read by the caller ({@link #sourceFingerprintOrNull}). */
    static String of(Connection c, EngineSettings settings, String source) {
        if (source == null) {
            return null;
        }
        try {
            String table = quote(settings.schema()) + "." + quote(HISTORY_TABLE);
            try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                exists.setString(1, table);
                try (ResultSet rs = exists.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return "no-history|" + source;
                    }
                }
            }
            try (PreparedStatement history = c.prepareStatement(String.format(HISTORY_SQL, table));
                 ResultSet rs = history.executeQuery()) {
                rs.next();
                return rs.getLong(1) + "|" + rs.getString(2) + "|" + source;
            }
        } catch (SQLException e) {
            return null;
        }
    }

    /** The set's part of the fingerprint, or null when the folder cannot be read. */
    static String sourceFingerprintOrNull(MigrationSource source) {
        try {
            return sourceFingerprint(source);
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    static String sourceFingerprint(MigrationSource source) {
        String location = source.flywayLocation();
        if (!location.startsWith("filesystem:")) {
            return location;
        }
        Path dir = Path.of(location.substring("filesystem:".length()));
        if (!Files.isDirectory(dir)) {
            return location + "|missing";
        }
        StringBuilder sb = new StringBuilder(location);
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).sorted().forEach(p -> {
                try {
                    sb.append('|').append(dir.relativize(p)).append(':').append(Files.size(p)).append(':')
                            .append(Files.getLastModifiedTime(p).toMillis());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Digests.sha256Hex(sb.toString());
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
