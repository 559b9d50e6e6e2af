package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.core.Claim;
import com.company.database.schemaversion.core.Claimant;
import com.company.database.schemaversion.core.Claims;
import com.company.database.schemaversion.core.Digests;
import com.company.database.schemaversion.core.Migration;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.AppliesHere;
import com.company.database.schemaversion.core.Plan;
import com.company.database.schemaversion.core.Version;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.internal.info.MigrationInfoImpl;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
public final class FlywayEngine implements AppliesHere, AutoCloseable {
    static final String APPLICATION_NAME = "company-database-schemaversion";
    private static final String LATEST_KEY = "latest";
    private static final int MAX_LOCK_RETRIES = 10;
    private static final int CONNECT_TIMEOUT_SECONDS = 5;

    private final ConnectionSpec connection;
    private final EngineSettings settings;
    private final ReusableConnections dataSource;
    private final BudgetGate gate = new BudgetGate();
    private final Map<String, Flyway> flywayByTarget = new ConcurrentHashMap<>();
    /** Whether a script can run in a transaction needs a parse; the answer is fixed by its content. */
    private final Map<String, Boolean> transactionalByScript = new ConcurrentHashMap<>();
    private final SetSettings setSettings;
    private final ScannedSet scannedSet = new ScannedSet();
    private String lastFingerprint;
    private Observation lastObservation;
    private MigrationInfo[] lastInfos;

    public FlywayEngine(ConnectionSpec connection, EngineSettings settings) {
        this.connection = connection;
        this.settings = settings;
        this.setSettings = SetSettings.load(settings.source());
        this.dataSource = new ReusableConnections(dataSource(connection), settings.lockTimeoutSeconds() * 1000L,
                settings.statementTimeoutSeconds() * 1000L);
    }

    public ConnectionSpec connection() {
        return connection;
    }

    @Override
    public synchronized Observation observe() {
        String fingerprint;
        String source = ObservationFingerprint.sourceFingerprintOrNull(settings.source());
        scannedSet.refresh(source);
        try (Connection c = dataSource.getConnection()) {
            fingerprint = ObservationFingerprint.of(c, settings, source);
        } catch (SQLException | RuntimeException e) {
            throw EngineErrors.translate(e, connection, settings);
        }
        if (fingerprint != null && fingerprint.equals(lastFingerprint)) {
            return lastObservation;
        }
        lastFingerprint = null;
        try {
            MigrationInfo[] infos = flyway(LATEST_KEY).info().all();
            Observation observed = toObservation(infos, transactionalByScript);
            lastObservation = observed;
            lastInfos = infos;
            lastFingerprint = fingerprint;
            return observed;
        } catch (RuntimeException e) {
            throw EngineErrors.translate(e, connection, settings);
        }
    }

    /**
     * Applies for a plan made on {@code observed}: when that is this engine's latest observation and nothing it
     * did since changed the history, the history is not read again (Flyway's migrate() reads it under its lock
     * anyway); otherwise it observes first.
     */
    @Override
    public synchronized void apply(Observation observed, Plan plan, Budget budget) {
        Version target = plan.target();
        if (observed != lastObservation || lastFingerprint == null) {
            observed = observe();
        }
        if (observed.appliedCount() == 0) {
            refuseSchemaWithoutHistory();
        }
        refuseUnparseable(lastInfos, plan.steps());
        // The observing instance when the target is the set's latest: it has scanned the set already.
        String key = target.equals(observed.latestAvailable()) ? LATEST_KEY : target.toString();
        Duration cap = Duration.ofSeconds(settings.statementTimeoutSeconds());
        if (budget.remaining().compareTo(cap) < 0) {
            cap = budget.remaining();
        }
        lastFingerprint = null;
        dataSource.statementTimeout(cap);
        gate.arm(budget);
        try {
            flyway(key, lockRetries(budget)).migrate();
        } catch (RuntimeException e) {
            if (!EngineErrors.causedBy(e, BudgetExhausted.class)) {
                throw translateAfterLocking(e);
            }
        } finally {
            gate.disarm();
            dataSource.statementTimeout(null);
        }
    }

    /**
     * Flyway migrates a schema that has objects only when it also has a history (or is told to baseline, which
     * SetSettings refuses): the engine looks itself, before migrating, with the rule Flyway applies (tables,
     * views, sequences, types and routines that no extension owns), so the refusal is this engine's observation.
     */
    private void refuseSchemaWithoutHistory() {
        String history = quote(settings.schema()) + "." + quote(ObservationFingerprint.HISTORY_TABLE);
        boolean builtWithout;
        try (Connection c = dataSource.getConnection()) {
            builtWithout = !exists(c, history) && count(c, "SELECT (SELECT count(*) FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_catalog.pg_depend d"
                    + " ON d.objid = c.oid AND d.deptype = 'e' WHERE n.nspname = ? AND d.objid IS NULL"
                    + " AND c.relkind IN ('r', 'v', 'S', 't'))"
                    + " + (SELECT count(*) FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                    + " LEFT JOIN pg_catalog.pg_depend d ON d.objid = t.oid AND d.deptype = 'e' WHERE n.nspname = ?"
                    + " AND d.objid IS NULL AND t.typcategory NOT IN ('A', 'C'))"
                    + " + (SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                    + " LEFT JOIN pg_catalog.pg_depend d ON d.objid = p.oid AND d.deptype = 'e' WHERE n.nspname = ?"
                    + " AND d.objid IS NULL)", settings.schema()) > 0;
        } catch (SQLException | RuntimeException e) {
            throw EngineErrors.translate(e, connection, settings);
        }
        if (builtWithout) {
            throw EngineErrors.schemaWithoutHistory(connection, settings);
        }
    }

    /**
     * A Flyway failure that is not a migration's may be Flyway giving up on the schema's advisory lock: the
     * engine asks the database whether another session holds it, and says so; otherwise the failure is what it is.
     */
    private ReconcileException translateAfterLocking(Exception e) {
        if (EngineErrors.withoutDatabaseError(e) && migrationLockHeldElsewhere()) {
            return EngineErrors.locked(connection, settings, e);
        }
        return EngineErrors.translate(e, connection, settings);
    }

    /**
     * Whether another session holds Flyway's advisory lock on this schema's history table. Flyway (PostgreSQL)
     * locks a fixed number plus the Java hash of the quoted table name; LockedSchemaTest holds the lock by that
     * rule, so a change of it in Flyway fails the test rather than this check.
     */
    private boolean migrationLockHeldElsewhere() {
        long key = 77431708279161L + (quote(settings.schema()) + "." + quote(ObservationFingerprint.HISTORY_TABLE)).hashCode();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks"
                     + " WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() AND objsubid = 1"
                     + " AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
                     + " AND ((classid::bigint << 32) | objid::bigint) = ?)")) {
            s.setLong(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException | RuntimeException unknown) {
            return false;
        }
    }

    /**
     * Parses, with placeholders replaced, exactly the scripts the plan runs (the Reconciler's steps: what this
     * migrate() runs for the target), so one that cannot be parsed or names a placeholder the template lacks is
     * refused before the first migration of the deploy runs; Flyway itself would only find out on reaching it,
     * with the ones before it applied. Scripts above the target are not in the plan, and not read.
     */
    private void refuseUnparseable(MigrationInfo[] infos, List<Migration> steps) {
        if (infos == null) {
            return;
        }
        for (MigrationInfo mi : infos) {
            if (mi.getState() != MigrationState.PENDING || steps.stream().noneMatch(m ->
                    java.util.Objects.equals(m.script(), mi.getScript()) && java.util.Objects.equals(m.checksum(), mi.getChecksum()))) {
                continue;
            }
            refuseMissingPlaceholders(mi);
            try {
                transactionalByScript.computeIfAbsent(mi.getScript() + ":" + mi.getChecksum(), k -> transactional(mi));
            } catch (RuntimeException e) {
                throw EngineErrors.translate(e, connection, settings);
            }
        }
    }

    /**
     * Refuses a script that names a placeholder without a value, before anything runs: the script's text is read
     * with Flyway's configured prefix and suffix and encoding, and each name is looked up as Flyway does (case
     * insensitively; names in Flyway's own namespace, such as flyway:defaultSchema, Flyway fills in itself).
     */
    private void refuseMissingPlaceholders(MigrationInfo mi) {
        org.flywaydb.core.api.configuration.Configuration config = flyway(LATEST_KEY).getConfiguration();
        // A script already parsed with these placeholders had every one of them.
        if (!config.isPlaceholderReplacement() || mi.getScript() == null
                || transactionalByScript.containsKey(mi.getScript() + ":" + mi.getChecksum())) {
            return;
        }
        String text = MigrationScripts.read(settings.source(), mi.getScript(), config.getEncoding());
        if (text == null) {
            return;
        }
        String missing = MigrationScripts.missingPlaceholder(text, config.getPlaceholderPrefix(),
                config.getPlaceholderSuffix(), "flyway" + config.getPlaceholderSeparator(), config.getPlaceholders().keySet());
        if (missing != null) {
            throw EngineErrors.placeholderMissing(settings, mi.getScript(), config.getPlaceholderPrefix(), missing,
                    config.getPlaceholderSuffix());
        }
    }

    /**
     * The given steps of a plan with "transactional" known: each script is parsed (placeholders replaced) as
     * apply() would before running it, so a preview fails where the deploy would.
     */
    public synchronized List<Migration> parsed(List<Migration> steps) {
        observe();
        List<Migration> out = new ArrayList<>();
        for (Migration m : steps) {
            Boolean transactional = null;
            for (MigrationInfo mi : lastInfos) {
                if (mi.getState() == MigrationState.PENDING && java.util.Objects.equals(mi.getScript(), m.script())
                        && java.util.Objects.equals(mi.getChecksum(), m.checksum())) {
                    refuseMissingPlaceholders(mi);
                    try {
                        transactional = transactionalByScript.computeIfAbsent(mi.getScript() + ":" + mi.getChecksum(),
                                k -> transactional(mi));
                    } catch (RuntimeException e) {
                        throw EngineErrors.translate(e, connection, settings);
                    }
                }
            }
            out.add(new Migration(m.version(), m.description(), m.script(), transactional, m.checksum(), m.kind()));
        }
        return out;
    }

    @Override
    public synchronized String adopt(Version baseline) {
        Observation before = observe();
        String history = quote(settings.schema()) + "." + quote(ObservationFingerprint.HISTORY_TABLE);
        try (Connection c = dataSource.getConnection()) {
            if (exists(c, history)) {
                List<String> baselines = strings(c, "SELECT version FROM " + history + " WHERE type = 'BASELINE' ORDER BY installed_rank");
                if (baselines.isEmpty()) {
                    return "Adoption.BaselineVersion " + baseline + " was not needed: schema " + settings.schema()
                            + " already has a Flyway history (applied version " + before.appliedVersion()
                            + "), which stays as it is (Flyway ignores a baseline then, too).";
                }
                if (baselines.size() == 1 && Version.parse(baselines.get(0)).equals(baseline)) {
                    return "Schema " + settings.schema() + " was adopted at version " + baseline + " already; nothing changed.";
                }
                throw new com.company.database.schemaversion.core.ReconcileException(
                        com.company.database.schemaversion.core.Reason.INVALID_INPUT, "Adoption.BaselineVersion "
                        + baseline + " does not match schema " + settings.schema() + ", whose Flyway history has a"
                        + " baseline at " + String.join(", ", baselines) + ". Nothing was changed. Use that version,"
                        + " or remove Adoption: the history already says where the schema stands.");
            }
            boolean known = before.versioned().stream().anyMatch(m -> m.version().equals(baseline));
            if (!known) {
                throw new com.company.database.schemaversion.core.ReconcileException(
                        com.company.database.schemaversion.core.Reason.INVALID_INPUT, "Adoption.BaselineVersion "
                        + baseline + " is not a version of the migration set: the baseline must say which migration"
                        + " the existing schema already matches. Nothing was changed.");
            }
            long objects = count(c, "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = ?) + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    + " WHERE n.nspname = ?) + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                    + " WHERE n.nspname = ? AND t.typtype IN ('e', 'd', 'r', 'm'))", settings.schema());
            if (objects == 0) {
                throw new com.company.database.schemaversion.core.ReconcileException(
                        com.company.database.schemaversion.core.Reason.INVALID_INPUT, "Adoption.BaselineVersion "
                        + baseline + " asks to take over schema " + settings.schema() + " on " + connection.where()
                        + ", but the schema is empty (or missing): adopting it would mark migrations up to " + baseline
                        + " as applied without running them. Nothing was changed. Remove Adoption to build the schema"
                        + " with the migrations, or check Database and Schema.");
            }
            long pendingAbove = before.pending().stream()
                    .filter(m -> m.version() != null && m.version().compareTo(baseline) > 0).count();
            lastFingerprint = null;
            Flyway.configure(getClass().getClassLoader())
                    .configuration(flyway(LATEST_KEY).getConfiguration())
                    .baselineVersion(baseline.toString())
                    .load()
                    .baseline();
            return "Adopted schema " + settings.schema() + " at version " + baseline + ". Before: " + objects
                    + " object(s), no Flyway history. After: a baseline row at " + baseline + " (migrations up to it"
                    + " are taken as applied, not run); " + pendingAbove + " versioned migration(s) above it to apply.";
        } catch (SQLException | RuntimeException e) {
            throw translateAfterLocking(e);
        }
    }

    @Override
    public synchronized String repair(Version version, int installedRank) {
        String history = quote(settings.schema()) + "." + quote(ObservationFingerprint.HISTORY_TABLE);
        try (Connection c = dataSource.getConnection()) {
            if (!exists(c, history)) {
                return "Repair of V" + version + " (history row " + installedRank + "): schema " + settings.schema()
                        + " has no Flyway history; nothing was changed.";
            }
            List<String> failedRows = strings(c, "SELECT installed_rank || ':' || coalesce(version, '') || ':' || script FROM "
                    + history + " WHERE NOT success ORDER BY installed_rank");
            String match = null;
            for (String row : failedRows) {
                String[] parts = row.split(":", 3);
                if (Integer.parseInt(parts[0]) == installedRank && !parts[1].isEmpty()
                        && Version.parse(parts[1]).equals(version)) {
                    match = row;
                }
            }
            if (match == null) {
                // A stale request (already done, or from an older template a rollback sends back) repairs nothing.
                return "Repair of V" + version + " (history row " + installedRank + ") changed nothing: that failed row is"
                        + " not in the history" + (failedRows.isEmpty() ? " (there is no failed row)"
                        : "; failed rows are " + failedRows.stream().map(FlywayEngine::describeRow).toList()) + ".";
            }
            lastFingerprint = null;
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + history
                    + " WHERE installed_rank = ? AND NOT success")) {
                delete.setInt(1, installedRank);
                delete.executeUpdate();
            }
            return "Repaired the history of schema " + settings.schema() + ". Before: " + describeRow(match)
                    + " marked failed. After: that row is removed, so " + match.split(":", 3)[2]
                    + " is pending again and runs in the next step (check that what it left behind was undone by hand).";
        } catch (SQLException | RuntimeException e) {
            throw EngineErrors.translate(e, connection, settings);
        }
    }

    @Override
    public synchronized Optional<Claim> claimOf() {
        try (Connection c = dataSource.getConnection()) {
            return ClaimTable.read(c, settings.schema());
        } catch (SQLException | RuntimeException e) {
            throw claimError(e, "read the claim on");
        }
    }

    @Override
    public synchronized Claim claim(Claimant claimant) {
        if (ClaimTable.SCHEMA.equals(settings.schema())) {
            throw new ReconcileException(Reason.INVALID_INPUT, "Schema " + ClaimTable.SCHEMA + " holds the claims of"
                    + " this type on " + connection.where() + " and cannot be managed by a resource; choose another"
                    + " Schema. Nothing was changed.");
        }
        try (Connection c = dataSource.getConnection()) {
            return ClaimTable.claim(c, settings.schema(), claimant, connection.where());
        } catch (SQLException | RuntimeException e) {
            throw claimError(e, "record the claim on");
        }
    }

    @Override
    public synchronized boolean release(Claimant claimant) {
        try (Connection c = dataSource.getConnection()) {
            return ClaimTable.release(c, settings.schema(), claimant);
        } catch (SQLException | RuntimeException e) {
            throw claimError(e, "release the claim on");
        }
    }

    /** A missing privilege on the claims gets its own advice: what to run once, as whom. */
    private ReconcileException claimError(Exception e, String what) {
        if (e instanceof ReconcileException r) {
            return r;
        }
        SQLException sql = e instanceof SQLException s ? s : null;
        if (sql != null && "42501".equals(sql.getSQLState())) {
            return new ReconcileException(Reason.ACCESS_DENIED, "The database user of " + connection.loginSource()
                    + " cannot " + what + " schema " + settings.schema() + " in " + ClaimTable.TABLE + " on "
                    + connection.where() + " (" + firstLine(sql.getMessage()) + "). Nothing was applied. Every resource"
                    + " records its claim there; the first one creates it, which needs CREATE on the database. Either"
                    + " grant that once, or have a database administrator run once: " + ClaimTable.SETUP_SQL + ".", e);
        }
        return EngineErrors.translate(e, connection, settings);
    }

    private static String firstLine(String text) {
        String t = String.valueOf(text);
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private static String describeRow(String row) {
        String[] parts = row.split(":", 3);
        return parts[2] + " (version " + parts[1] + ", history row " + parts[0] + ")";
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long count(Connection c, String sql, String schema) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 1; i <= s.getParameterMetaData().getParameterCount(); i++) {
                s.setString(i, schema);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Drops only what the claim allows (Claims.cleanRefusal); otherwise ACCESS_DENIED and nothing is dropped. */
    @Override
    public void clean(Claimant claimant, boolean mayCleanWhatItDidNotCreate) {
        String refusal = Claims.cleanRefusal(claimOf().orElse(null), claimant, mayCleanWhatItDidNotCreate);
        if (refusal != null) {
            throw new ReconcileException(Reason.ACCESS_DENIED, "Nothing was dropped: " + refusal);
        }
        clean();
    }

    /** Drops every object in the managed schema; reached only through the claim check above. */
    private synchronized void clean() {
        lastFingerprint = null;
        try {
            Flyway.configure(getClass().getClassLoader())
                    .configuration(flyway(LATEST_KEY).getConfiguration())
                    .cleanDisabled(false)
                    .load()
                    .clean();
        } catch (RuntimeException e) {
            throw translateAfterLocking(e);
        }
    }

    private Flyway flyway(String targetKey) {
        return flyway(targetKey, MAX_LOCK_RETRIES);
    }

    private Flyway flyway(String targetKey, int lockRetries) {
        return flywayByTarget.computeIfAbsent(lockRetries == MAX_LOCK_RETRIES ? targetKey : targetKey + "@" + lockRetries,
                k -> load(targetKey, lockRetries));
    }

    /**
     * Flyway tries another deployment's lock once a second, {@code lockRetries} times. At most ten (the type waits
     * across calls itself), and not past the end of the call's start window: waiting longer only delays the answer
     * that another deployment is migrating, which is the same later.
     */
    static int lockRetries(Budget budget) {
        return (int) Math.max(1, Math.min(MAX_LOCK_RETRIES, budget.startWindowLeft().toSeconds()));
    }

    private Flyway load(String targetKey, int lockRetries) {
        FluentConfiguration config = Flyway.configure(getClass().getClassLoader())
                .dataSource(dataSource)
                .schemas(settings.schema())
                .defaultSchema(settings.schema())
                .createSchemas(true)
                .locations(settings.source().flywayLocation())
                .configuration(setSettings.flyway())
                .placeholders(setSettings.placeholders(settings.placeholders()))
                .cleanDisabled(true)
                .validateOnMigrate(true)
                .outOfOrder(false)
                .lockRetryCount(lockRetries)
                .callbacks(gate)
                // One line per Flyway event, in the log of the call running the engine (see FlywayLog).
                .loggers(FlywayLog.class.getName())
                .target(LATEST_KEY.equals(targetKey) ? "latest" : targetKey);
        // Session-level advisory locks: a transactional lock would make CREATE INDEX CONCURRENTLY in a
        // non-transactional migration wait for the lock-holding transaction forever.
        config.getPluginRegister().getExact(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        scannedSet.configureOnce(config);
        config.resourceProvider(scannedSet).javaMigrationClassProvider(scannedSet);
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
     * Flyway's view as an Observation. Nothing is parsed here except failed scripts (their report says whether
     * statements may be left behind), so a Read never fails on a script it does not run; apply() parses what
     * it is about to run.
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
            MigrationState state = mi.getState();
            if (mi.getType().isSynthetic()) {
                if (mi.getType().isBaseline() && state.isApplied() && mi.getVersion() != null) {
                    // The baseline row of an adopted schema: everything up to it is taken as applied.
                    Version v = Version.parse(mi.getVersion().getVersion());
                    appliedCount++;
                    appliedVersion = appliedVersion == null || v.compareTo(appliedVersion) > 0 ? v : appliedVersion;
                    checksumLines.add("baseline:" + v);
                    lastAppliedAt = later(lastAppliedAt, mi);
                }
                continue;
            }
            Migration.Kind kind = mi.isRepeatable() || mi.getVersion() == null ? Migration.Kind.REPEATABLE
                    : mi.getType().isBaseline() ? Migration.Kind.BASELINE : Migration.Kind.VERSIONED;
            Version v = kind == Migration.Kind.REPEATABLE ? null : Version.parse(mi.getVersion().getVersion());
            Boolean transactional = null;
            if (state.isFailed()) {
                try {
                    transactional = transactionalByScript.computeIfAbsent(mi.getScript() + ":" + mi.getChecksum(),
                            k -> transactional(mi));
                } catch (RuntimeException unparseable) {
                    transactional = null;
                }
            }
            Migration m = new Migration(v, mi.getDescription(), mi.getScript(), transactional, mi.getChecksum(), kind);
            if (state.isResolved() && state != MigrationState.OUTDATED && state != MigrationState.SUPERSEDED
                    && !(kind == Migration.Kind.REPEATABLE && state.isFailed())) {
                available.add(m);
            }
            if (state.isFailed()) {
                failed.add(m.label() + " failed earlier and is marked failed in the history"
                        + (mi.getInstalledRank() == null ? "" : " (history row " + mi.getInstalledRank() + ")")
                        + (Boolean.FALSE.equals(m.transactional())
                        ? " (it ran outside a transaction: some of its statements may be applied)" : ""));
                continue;
            }
            if (state == MigrationState.OUTDATED || state == MigrationState.SUPERSEDED || state == MigrationState.DELETED) {
                // Earlier runs of a repeatable: the set's current script is listed separately (pending when changed).
                continue;
            }
            if (state.isApplied()) {
                appliedCount++;
                if (v != null) {
                    appliedVersion = appliedVersion == null || v.compareTo(appliedVersion) > 0 ? v : appliedVersion;
                }
                lastAppliedAt = later(lastAppliedAt, mi);
                checksumLines.add((v == null ? "R:" + mi.getDescription() : v.toString()) + ":" + mi.getChecksum());
                if (state == MigrationState.MISSING_SUCCESS) {
                    drift.add(m.label() + " is applied but no longer in the migration set");
                } else if (state.isResolved() && !mi.isChecksumMatching()) {
                    drift.add(m.label() + " changed after it was applied (checksum " + mi.getAppliedChecksum()
                            + " in the history, " + mi.getResolvedChecksum() + " in the set)");
                }
            } else if (state == MigrationState.PENDING) {
                pending.add(m);
            } else if (state == MigrationState.IGNORED && kind != Migration.Kind.BASELINE) {
                // A baseline migration added after the database was built is ignored by Flyway, and so here.
                drift.add(m.label() + " is in the set but below the applied version and was never applied");
            }
        }
        if (appliedCount == 0) {
            appliedVersion = null;
        }
        return new Observation(appliedVersion, appliedCount, pending, available,
                appliedCount == 0 ? null : sha256(String.join("\n", checksumLines)), lastAppliedAt, drift, failed);
    }

    private static Instant later(Instant current, MigrationInfo mi) {
        if (mi.getInstalledOn() == null) {
            return current;
        }
        Instant at = mi.getInstalledOn().toInstant();
        return current == null || at.isAfter(current) ? at : current;
    }

    private static boolean transactional(MigrationInfo mi) {
        if (mi instanceof MigrationInfoImpl impl && impl.getResolvedMigration() != null) {
            return impl.getResolvedMigration().getExecutor().canExecuteInTransaction();
        }
        return true;
    }

    private static String sha256(String text) {
        return Digests.sha256Hex(text);
    }
}
