package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.core.Migration;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.SchemaEngine;
import com.company.database.schemaversion.core.Version;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.internal.info.MigrationInfoImpl;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine that runs Flyway from this process against one database schema. Instances are meant to be
 * reused across handler calls in one JVM (see FlywayEngines): the Flyway instances, their connections and
 * the last observation stay warm.
 *
 * <p>Flyway's info() costs grow with the square of the set's size (about a second for 1,000 applied
 * migrations on two cores), while its result depends only on the history table and the migration set. So
 * observe() first reads a fingerprint of the history table (one query) and of the set, and answers from the
 * last observation when neither changed; any write to the history (a migration, a repair, a hand edit)
 * changes the fingerprint.
 */
public final class FlywayEngine implements SchemaEngine, AutoCloseable {
    static final String APPLICATION_NAME = "company-database-schemaversion";
    private static final String LATEST_KEY = "latest";
    private static final int CONNECT_TIMEOUT_SECONDS = 5;

    private final ConnectionSpec connection;
    private final EngineSettings settings;
    private final ReusableConnections dataSource;
    private final BudgetGate gate = new BudgetGate();
    private final Map<String, Flyway> flywayByTarget = new ConcurrentHashMap<>();
    /** Whether a script can run in a transaction needs a parse; the answer is fixed by its content. */
    private final Map<String, Boolean> transactionalByScript = new ConcurrentHashMap<>();
    private String lastFingerprint;
    private Observation lastObservation;

    public FlywayEngine(ConnectionSpec connection, EngineSettings settings) {
        this.connection = connection;
        this.settings = settings;
        this.dataSource = new ReusableConnections(dataSource(connection), settings.lockTimeoutSeconds() * 1000L,
                settings.statementTimeoutSeconds() * 1000L);
    }

    public ConnectionSpec connection() {
        return connection;
    }

    @Override
    public synchronized Observation observe() {
        String fingerprint;
        try (Connection c = dataSource.getConnection()) {
            fingerprint = ObservationFingerprint.of(c, settings);
        } catch (SQLException e) {
            throw EngineErrors.translate(e, connection, settings);
        }
        if (fingerprint != null && fingerprint.equals(lastFingerprint)) {
            return lastObservation;
        }
        lastFingerprint = null;
        try {
            Observation observed = toObservation(flyway(LATEST_KEY).info().all(), transactionalByScript);
            lastObservation = observed;
            lastFingerprint = fingerprint;
            return observed;
        } catch (RuntimeException e) {
            throw EngineErrors.translate(e, connection, settings);
        }
    }

    @Override
    public synchronized void apply(Version target, Budget budget) {
        Duration cap = Duration.ofSeconds(settings.statementTimeoutSeconds());
        if (budget.remaining().compareTo(cap) < 0) {
            cap = budget.remaining();
        }
        lastFingerprint = null;
        dataSource.statementTimeout(cap);
        gate.arm(budget);
        try {
            flyway(target.toString()).migrate();
        } catch (RuntimeException e) {
            if (!EngineErrors.causedBy(e, BudgetExhausted.class)) {
                throw EngineErrors.translate(e, connection, settings);
            }
        } finally {
            gate.disarm();
            dataSource.statementTimeout(null);
        }
    }

    @Override
    public synchronized void clean() {
        lastFingerprint = null;
        try {
            Flyway.configure(getClass().getClassLoader())
                    .configuration(flyway(LATEST_KEY).getConfiguration())
                    .cleanDisabled(false)
                    .load()
                    .clean();
        } catch (RuntimeException e) {
            throw EngineErrors.translate(e, connection, settings);
        }
    }

    /** Opens and closes one connection: the cheapest proof that host, port, database and login work. */
    public void ping() {
        try (Connection c = dataSource.getConnection()) {
            c.isValid(CONNECT_TIMEOUT_SECONDS);
        } catch (SQLException e) {
            throw EngineErrors.translate(e, connection, settings);
        }
    }

    private Flyway flyway(String targetKey) {
        return flywayByTarget.computeIfAbsent(targetKey, this::load);
    }

    private Flyway load(String targetKey) {
        FluentConfiguration config = Flyway.configure(getClass().getClassLoader())
                .dataSource(dataSource)
                .schemas(settings.schema())
                .defaultSchema(settings.schema())
                .createSchemas(true)
                .locations(settings.source().flywayLocation())
                .placeholders(settings.placeholders())
                .cleanDisabled(true)
                .validateOnMigrate(true)
                .outOfOrder(false)
                .lockRetryCount(10)
                .callbacks(gate)
                .target(LATEST_KEY.equals(targetKey) ? "latest" : targetKey);
        // Session-level advisory locks: a transactional lock would make CREATE INDEX CONCURRENTLY in a
        // non-transactional migration wait for the lock-holding transaction forever.
        config.getPluginRegister().getExact(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        return config.load();
    }

    /** Closes the kept connections; FlywayEngines calls it when it lets the engine go. */
    @Override
    public void close() {
        dataSource.close();
    }

    private static PGSimpleDataSource dataSource(ConnectionSpec c) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {c.host()});
        ds.setPortNumbers(new int[] {c.port()});
        ds.setDatabaseName(c.database());
        ds.setUser(c.username());
        ds.setPassword(c.password());
        ds.setApplicationName(APPLICATION_NAME);
        ds.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
        ds.setLoginTimeout(CONNECT_TIMEOUT_SECONDS);
        ds.setTcpKeepAlive(true);
        TlsSettings.apply(ds, c);
        return ds;
    }

    /**
     * Flyway's view as an Observation. Whether a script can run in a transaction takes a parse of it, with
     * its placeholders replaced: it is found out for pending migrations (so a script that cannot be parsed,
     * or names a placeholder the template lacks, is refused before the first migration of a deploy runs:
     * Flyway itself would only find out when it reaches that script, with the ones before it applied) and
     * for failed ones (their report says whether statements may be left behind). Applied migrations are not
     * parsed again (a Read of a long history parses nothing); their flag stays null.
     */
    static Observation toObservation(MigrationInfo[] all, Map<String, Boolean> transactionalByScript) {
        List<Migration> pending = new ArrayList<>();
        List<Migration> available = new ArrayList<>();
        List<String> drift = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<String> checksumLines = new ArrayList<>();
        Version appliedVersion = null;
        Instant lastAppliedAt = null;
        int appliedCount = 0;
        for (MigrationInfo mi : all) {
            if (mi.getType().isSynthetic() || !mi.isVersioned()) {
                continue;
            }
            Version v = Version.parse(mi.getVersion().getVersion());
            MigrationState state = mi.getState();
            Migration m = new Migration(v, mi.getDescription(), mi.getScript(),
                    state.isFailed() || state == MigrationState.PENDING
                            ? transactionalByScript.computeIfAbsent(mi.getScript() + ":" + mi.getChecksum(), k -> transactional(mi))
                            : null,
                    mi.getChecksum());
            if (state.isResolved()) {
                available.add(m);
            }
            if (state.isFailed()) {
                failed.add(m.label() + " failed earlier and is marked failed in the history"
                        + (Boolean.FALSE.equals(m.transactional())
                        ? " (it ran outside a transaction: some of its statements may be applied)" : ""));
                continue;
            }
            if (state.isApplied()) {
                appliedCount++;
                appliedVersion = appliedVersion == null || v.compareTo(appliedVersion) > 0 ? v : appliedVersion;
                if (mi.getInstalledOn() != null) {
                    Instant at = mi.getInstalledOn().toInstant();
                    lastAppliedAt = lastAppliedAt == null || at.isAfter(lastAppliedAt) ? at : lastAppliedAt;
                }
                checksumLines.add(v + ":" + mi.getChecksum());
                if (state == MigrationState.MISSING_SUCCESS) {
                    drift.add(m.label() + " is applied but no longer in the migration set");
                } else if (state.isResolved() && !mi.isChecksumMatching()) {
                    drift.add(m.label() + " changed after it was applied (checksum " + mi.getAppliedChecksum()
                            + " in the history, " + mi.getResolvedChecksum() + " in the set)");
                }
            } else if (state == MigrationState.PENDING) {
                pending.add(m);
            } else if (state == MigrationState.IGNORED) {
                drift.add(m.label() + " is in the set but below the applied version and was never applied");
            }
        }
        if (appliedCount == 0) {
            appliedVersion = null;
        }
        return new Observation(appliedVersion, appliedCount, pending, available,
                appliedCount == 0 ? null : sha256(String.join("\n", checksumLines)), lastAppliedAt, drift, failed);
    }

    private static boolean transactional(MigrationInfo mi) {
        if (mi instanceof MigrationInfoImpl impl && impl.getResolvedMigration() != null) {
            return impl.getResolvedMigration().getExecutor().canExecuteInTransaction();
        }
        return true;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
