package com.company.database.schemaversion.bench;

import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.testing.KmsEmulator;
import com.company.database.schemaversion.testing.SsmEmulator;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flywaydb.core.Flyway;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Issue 6's benchmark: how close the handler's CloudFormation callback loop comes to running Flyway (and
 * psql) directly, how many handler calls a deploy takes, how fast a warm Read and a cold Read are, and how
 * big the artifacts are. Run by {@code ./mvnw -B -Pbench -DskipTests verify} (see guides/performance.md);
 * it is a program, not a test, so nothing here asserts a time: it prints figures and says which target
 * each one meets.
 *
 * <p>Every timed deploy gets a fresh database on one embedded PostgreSQL (fsync on). The handler deploys go
 * through the real HandlerWrapper via the CloudFormation driver with the default per-call budget and no
 * callback delay; before each one the JVM-wide engine caches are dropped, so each deploy pays for its own
 * scanning and connecting, as the first deploy in a fresh Lambda container would (the JIT stays warm).
 */
public final class SchemaVersionBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER_PARAM = "/bench/db/username";
    private static final String PASSWORD_PARAM = "/bench/db/password";
    private static final Duration CALL_BUDGET = Duration.ofSeconds(25);
    private static final String HANDLER_JAR = "target/company-database-schemaversion-1.0.0.jar";
    private static final String RUNNER_PACKAGE = "target/schemaversion-runner.zip";
    /** Held so the level set on it is not lost when JUL drops an unreferenced logger. */
    private static final java.util.logging.Logger FLYWAY_LOG = java.util.logging.Logger.getLogger("org.flywaydb");

    private final Path work;
    private final int repeats;
    private final SsmEmulator ssm;
    private final KmsEmulator kms;
    /** This JVM's and the database server's CPU, read around each timed deploy. */
    private CpuMeter cpu;
    private final CloudFormationDriver driver = CloudFormationDriver.quiet().withTypeConfiguration(TestModels.testAccount());
    private static String context = "";
    private String coldBreakdown = "n/a";

    private SchemaVersionBenchmark(Path work, int repeats) throws IOException {
        this.work = work;
        this.repeats = repeats;
        this.ssm = new SsmEmulator();
        ssm.put(USER_PARAM, "String", TestDatabase.USER);
        ssm.put(PASSWORD_PARAM, "SecureString", TestDatabase.PASSWORD);
        this.kms = new KmsEmulator();
    }

    /** Lambda's environment for the handlers, with the emulators' endpoints handed in. */
    private HandlerEnvironment emulated() {
        return HandlerEnvironment.lambda().withAwsEndpoints(com.company.database.schemaversion.aws.AwsEndpoints.SDK_DEFAULT
                .withSsm(java.net.URI.create(ssm.endpoint())).withKms(java.net.URI.create(kms.endpoint())));
    }

    /**
     * The type configuration the registration template sets up: records MACed with the account's HMAC key,
     * so every Read also asks KMS to verify the record (VerifyMac).
     */
    private ObjectNode signedRecords() {
        ObjectNode configuration = TestModels.testAccount();
        configuration.putObject("Records").put("IntegrityKeyArn", kms.createHmacKey("us-east-1"));
        return configuration;
    }

    /** One N's medians. */
    /**
     * One size: medians of the wall times; the quietest run (the pair with the least wall time, the one other
     * processes disturbed least) and the spread of the per-run ratios; the CPU both sides spent (this JVM and the
     * PostgreSQL server), medians.
     */
    record Row(int n, double handler, double flyway, double psql, int calls, int callsLowerBound, double quietRatio,
               double minRatio, double maxRatio, double handlerCpu, double flywayCpu) {
    }

    /** A handler deploy that is kept for the Read measurements; migrations null for the baked set. */
    record Deployed(String database, String id, Path migrations, int applied, JsonNode typeConfiguration) {
        Deployed(String database, String id, Path migrations, int applied) {
            this(database, id, migrations, applied, TestModels.testAccount());
        }
    }

    public static void main(String[] args) throws Exception {
        boolean coldOnly = args.length > 0 && "cold".equals(args[0]);
        int[] sizes = coldOnly ? new int[0] : args.length > 0 ? Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {50, 200, 1000};
        int repeats = Integer.getInteger("bench.repeats", 3);
        // Flyway's INFO lines go to the console for every command; both the handler and raw Flyway pay that
        // equally, and it would bury the table. Warnings still show.
        FLYWAY_LOG.setLevel(java.util.logging.Level.WARNING);
        Path work = Path.of("target/bench").toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);
        SchemaVersionBenchmark bench = new SchemaVersionBenchmark(work, repeats);
        try {
            if (coldOnly) {
                bench.runColdOnly();
            } else {
                bench.run(sizes);
            }
        } finally {
            bench.ssm.close();
            bench.kms.close();
        }
        // The embedded server's shutdown hook stops PostgreSQL.
        System.exit(0);
    }

    /**
     * Only the cold start with the baked set (-Dbench.sizes=cold): quick to repeat while working on it.
     * Extra options for the child JVM come from -Dbench.coldJvmArgs (space-separated), e.g. -Xlog:class+load.
     */
    private void runColdOnly() throws Exception {
        TestDatabase.durableServer();
        log("machine: " + machine() + "; load average: " + loadAverage());
        List<Cold> cold = coldCasesOfTheBakedSet(bakedDeploy(TestModels.testAccount()), bakedDeploy(signedRecords()));
        System.out.println();
        for (Cold c : cold) {
            System.out.println(String.format(Locale.ROOT, "cold start, %s: %s ms, CPU %s ms (medians of %d)", c.kase().label(),
                    ms(c.seconds()), ms(c.cpuSeconds()), repeats));
        }
        System.out.println(handlerShare(cold));
        System.out.println("cold start breakdown (one run, class-load log on): " + coldBreakdown);
        // -Dbench.hold=SECONDS keeps the database and the SSM endpoint up to run the probe by hand.
        long hold = Long.getLong("bench.hold", 0);
        if (hold > 0) {
            log("holding for " + hold + " s; SSM endpoint " + ssm.endpoint() + ", KMS endpoint " + kms.endpoint() + ", request " + work.resolve("cold-read.json"));
            Thread.sleep(hold * 1000);
        }
    }

    private void run(int[] sizes) throws Exception {
        TestDatabase.durableServer();
        cpu = CpuMeter.forServerOnPort(TestDatabase.port());
        context = "machine: " + machine() + "; load average at the start: " + loadAverage();
        log(context);
        log("PostgreSQL on 127.0.0.1:" + TestDatabase.port() + ", repeats " + repeats + " (median)");

        // Class loading and JIT warm-up for all three paths, untimed.
        Path warm = generate(20);
        flywayDeploy(warm);
        handlerDeploy(warm, true);
        psqlDeploy(warm);

        List<Row> rows = new ArrayList<>();
        Deployed kept = null;
        for (int n : sizes) {
            Path dir = generate(n);
            List<Double> handler = new ArrayList<>();
            List<Double> flyway = new ArrayList<>();
            List<Double> psql = new ArrayList<>();
            List<Double> handlerCpu = new ArrayList<>();
            List<Double> flywayCpu = new ArrayList<>();
            int calls = 0;
            for (int r = 0; r < repeats; r++) {
                double before = cpu.seconds();
                flyway.add(flywayDeploy(dir));
                flywayCpu.add(cpu.seconds() - before);
                HandlerRun h = handlerDeploy(dir, r < repeats - 1 || n != max(sizes));
                handlerCpu.add(h.cpuSeconds());
                handler.add(h.seconds());
                calls = Math.max(calls, h.calls());
                if (h.kept() != null) {
                    kept = h.kept();
                }
                psql.add(psqlDeploy(dir));
                log(String.format(Locale.ROOT, "N=%d run %d: handler %.3f s (%d calls, CPU %s s), flyway %.3f s (CPU %s s),"
                        + " psql %s; ratio %.2fx, CPU ratio %.2fx", n, r + 1, h.seconds(), h.calls(), fmt(h.cpuSeconds()),
                        flyway.get(r), fmt(flywayCpu.get(r)), fmt(psql.get(r)), h.seconds() / flyway.get(r),
                        h.cpuSeconds() / flywayCpu.get(r)));
            }
            int quiet = 0;
            double minRatio = Double.MAX_VALUE;
            double maxRatio = 0;
            for (int r = 0; r < repeats; r++) {
                if (handler.get(r) + flyway.get(r) < handler.get(quiet) + flyway.get(quiet)) {
                    quiet = r;
                }
                minRatio = Math.min(minRatio, handler.get(r) / flyway.get(r));
                maxRatio = Math.max(maxRatio, handler.get(r) / flyway.get(r));
            }
            double sql = median(psql);
            double sqlSeconds = Double.isNaN(sql) ? median(flyway) : sql;
            int lowerBound = (int) Math.max(1, Math.ceil(sqlSeconds / CALL_BUDGET.toSeconds()));
            rows.add(new Row(n, median(handler), median(flyway), sql, calls, lowerBound,
                    handler.get(quiet) / flyway.get(quiet), minRatio, maxRatio, median(handlerCpu), median(flywayCpu)));
        }

        if (Boolean.getBoolean("bench.deploysOnly")) {
            // A quicker look at the ratios alone: no Reads, no cold starts, no artifact checks.
            String report = report(rows, Double.NaN, Double.NaN, 0, List.of(), "not run", 0, 0);
            System.out.println();
            System.out.println(report);
            Files.writeString(work.resolve("results.md"), report + "\n");
            return;
        }
        RealWorld realWorld = realWorld();
        FixedCost fixedCost = fixedCostPerCall();

        double warmRead = kept == null ? Double.NaN : warmRead(kept);
        int history = kept == null ? 0 : max(sizes);
        double firstRead = kept == null ? Double.NaN : firstReadInWarmJvm(kept);
        List<Cold> cold = new ArrayList<>();
        if (kept != null) {
            cold.add(coldRead(new ColdCase("plain JVM, jar, " + history + " history rows", kept, false, false)));
            cold.add(coldRead(new ColdCase("Lambda JVM flags, jar, " + history + " history rows", kept, true, false)));
        }
        Deployed small = bakedDeploy(TestModels.testAccount());
        cold.addAll(coldCasesOfTheBakedSet(small, bakedDeploy(signedRecords())));
        String smoke = shadedJarLifecycle();
        long handlerJar = size(Path.of(HANDLER_JAR));
        long runner = runnerSize();

        context += "; at the end: " + loadAverage() + "\nshaded jar smoke run (new JVM, baked set): " + smoke;
        String report = report(rows, warmRead, firstRead, history, cold, coldBreakdown, handlerJar, runner)
                + "\n" + handlerShare(cold) + ".\n\n" + perCallReport(realWorld, fixedCost, cold);
        System.out.println();
        System.out.println(report);
        Files.writeString(work.resolve("results.md"), report + "\n");
    }

    // ---------------------------------------------------------------- the three ways to deploy

    record HandlerRun(double seconds, int calls, Deployed kept, double cpuSeconds) {
    }

    private HandlerRun handlerDeploy(Path dir, boolean drop) {
        String db = TestDatabase.newDatabase();
        driver.environment().engines().clear();
        driver.withEnvironment(emulated().withMigrations(MigrationSource.directory(dir)));
        double cpuBefore = cpu.seconds();
        long start = System.nanoTime();
        CloudFormationDriver.Outcome created = driver.run("CREATE", model(db), null);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = cpu.seconds() - cpuBefore;
        if (!"SUCCESS".equals(created.status())) {
            throw new IllegalStateException("handler deploy of " + dir + " ended " + created.status() + ": " + created.message());
        }
        expectTables(db, count(dir));
        String id = created.model().path("Id").asText();
        if (drop) {
            // The record must go too, or the next deploy on a recycled name would collide with it.
            CloudFormationDriver.Outcome deleted = driver.run("DELETE", JSON.createObjectNode().put("Id", id), null);
            if (!"SUCCESS".equals(deleted.status())) {
                throw new IllegalStateException("delete failed: " + deleted.message());
            }
            driver.environment().engines().clear();
            dropDatabase(db);
            return new HandlerRun(seconds, created.calls(), null, cpuSeconds);
        }
        return new HandlerRun(seconds, created.calls(), new Deployed(db, id, dir, count(dir)), cpuSeconds);
    }

    private double flywayDeploy(Path dir) {
        String db = TestDatabase.newDatabase();
        long start = System.nanoTime();
        Flyway.configure()
                .dataSource(jdbcUrl(db), TestDatabase.USER, TestDatabase.PASSWORD)
                .locations("filesystem:" + dir)
                .load()
                .migrate();
        double seconds = (System.nanoTime() - start) / 1e9;
        expectTables(db, count(dir));
        dropDatabase(db);
        return seconds;
    }

    /** psql applying the same scripts in one transaction, the floor any tool can reach; NaN without psql. */
    private double psqlDeploy(Path dir) throws IOException, InterruptedException {
        String psql = psql();
        if (psql == null) {
            return Double.NaN;
        }
        String db = TestDatabase.newDatabase();
        Path all = dir.resolveSibling(dir.getFileName() + ".all.sql");
        if (!Files.exists(all)) {
            try (Stream<Path> scripts = Files.list(dir)) {
                for (Path p : scripts.sorted(Comparator.comparingInt(SchemaVersionBenchmark::versionOf)).toList()) {
                    Files.writeString(all, Files.readString(p) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            }
        }
        ProcessBuilder pb = new ProcessBuilder(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                "-h", "127.0.0.1", "-p", String.valueOf(TestDatabase.port()), "-U", TestDatabase.USER, "-d", db,
                "-f", all.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("psql.log").toFile());
        pb.environment().put("PGPASSWORD", TestDatabase.PASSWORD);
        long start = System.nanoTime();
        int rc = pb.start().waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("psql failed (" + rc + "): " + Files.readString(work.resolve("psql.log")));
        }
        expectTables(db, count(dir));
        dropDatabase(db);
        return seconds;
    }

    // ---------------------------------------------------------------- issue 12: per-call cost, a real-world set

    /** Medians of a deploy of the real-world-sized set (src/test/resources/bench/realworld, 20 mixed DDL scripts). */
    record RealWorld(int migrations, double handler, double flyway, int calls) {
    }

    /**
     * What one handler call costs besides the migrations it applies, in a warm JVM that keeps its engines (a
     * warm Lambda container): an Update to the applied version (nothing to do), and an Update by one migration,
     * next to raw Flyway applying one migration with a new Flyway instance in the same JVM.
     */
    record FixedCost(double noOpUpdate, double oneMigrationUpdate, double flywayOneMigration) {
    }

    private RealWorld realWorld() throws Exception {
        Path dir = Path.of(SchemaVersionBenchmark.class.getResource("/bench/realworld").toURI());
        int migrations = count(dir);
        List<Double> handler = new ArrayList<>();
        List<Double> flyway = new ArrayList<>();
        int calls = 0;
        for (int r = 0; r < repeats + 1; r++) {
            String fdb = TestDatabase.newDatabase();
            long start = System.nanoTime();
            Flyway.configure().dataSource(jdbcUrl(fdb), TestDatabase.USER, TestDatabase.PASSWORD)
                    .locations("filesystem:" + dir).load().migrate();
            double flywaySeconds = (System.nanoTime() - start) / 1e9;
            expectHistory(fdb, migrations);
            dropDatabase(fdb);

            String db = TestDatabase.newDatabase();
            driver.environment().engines().clear();
            driver.withEnvironment(emulated().withMigrations(MigrationSource.directory(dir)));
            start = System.nanoTime();
            CloudFormationDriver.Outcome created = driver.run("CREATE", model(db), null);
            double handlerSeconds = (System.nanoTime() - start) / 1e9;
            if (!"SUCCESS".equals(created.status())) {
                throw new IllegalStateException("real-world deploy ended " + created.status() + ": " + created.message());
            }
            expectHistory(db, migrations);
            driver.run("DELETE", JSON.createObjectNode().put("Id", created.model().path("Id").asText()), null);
            driver.environment().engines().clear();
            dropDatabase(db);
            if (r == 0) {
                continue; // the first run loads this set's classes and scripts: untimed
            }
            handler.add(handlerSeconds);
            flyway.add(flywaySeconds);
            calls = Math.max(calls, created.calls());
            log(String.format(Locale.ROOT, "real-world set run %d: handler %.3f s (%d calls), flyway %.3f s",
                    r, handlerSeconds, created.calls(), flywaySeconds));
        }
        return new RealWorld(migrations, median(handler), median(flyway), calls);
    }

    private FixedCost fixedCostPerCall() throws IOException {
        Path dir = generate(40);
        String db = TestDatabase.newDatabase();
        driver.environment().engines().clear();
        driver.withEnvironment(emulated().withMigrations(MigrationSource.directory(dir)));
        ObjectNode at = model(db).put("TargetVersion", "20");
        CloudFormationDriver.Outcome created = driver.run("CREATE", at, null);
        if (!"SUCCESS".equals(created.status())) {
            throw new IllegalStateException("fixed-cost deploy ended " + created.status() + ": " + created.message());
        }
        at.put("Id", created.model().path("Id").asText());
        JsonNode previous = created.model();
        List<Double> noOp = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            long start = System.nanoTime();
            CloudFormationDriver.Outcome u = driver.run("UPDATE", at, previous);
            double seconds = (System.nanoTime() - start) / 1e9;
            expectOneCall(u);
            if (i > 0) {
                noOp.add(seconds);
            }
        }
        List<Double> one = new ArrayList<>();
        for (int v = 21; v <= 32; v++) {
            ObjectNode next = at.deepCopy().put("TargetVersion", String.valueOf(v));
            long start = System.nanoTime();
            CloudFormationDriver.Outcome u = driver.run("UPDATE", next, previous);
            double seconds = (System.nanoTime() - start) / 1e9;
            expectOneCall(u);
            previous = u.model();
            if (v > 21) {
                one.add(seconds);
            }
        }
        driver.run("DELETE", JSON.createObjectNode().put("Id", at.path("Id").asText()), null);
        driver.environment().engines().clear();
        dropDatabase(db);

        String fdb = TestDatabase.newDatabase();
        Flyway.configure().dataSource(jdbcUrl(fdb), TestDatabase.USER, TestDatabase.PASSWORD)
                .locations("filesystem:" + dir).target("20").load().migrate();
        List<Double> flywayOne = new ArrayList<>();
        for (int v = 21; v <= 32; v++) {
            long start = System.nanoTime();
            Flyway.configure().dataSource(jdbcUrl(fdb), TestDatabase.USER, TestDatabase.PASSWORD)
                    .locations("filesystem:" + dir).target(String.valueOf(v)).load().migrate();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (v > 21) {
                flywayOne.add(seconds);
            }
        }
        dropDatabase(fdb);
        log("no-op Update (s): " + noOp.stream().map(SchemaVersionBenchmark::fmt).collect(Collectors.joining(" ")));
        log("one-migration Update (s): " + one.stream().map(SchemaVersionBenchmark::fmt).collect(Collectors.joining(" ")));
        return new FixedCost(median(noOp), median(one), median(flywayOne));
    }

    private static void expectOneCall(CloudFormationDriver.Outcome u) {
        if (!"SUCCESS".equals(u.status()) || u.calls() != 1) {
            throw new IllegalStateException("Update ended " + u.status() + " after " + u.calls() + " call(s): " + u.message());
        }
    }

    private static void expectHistory(String db, int migrations) {
        try (Connection c = TestDatabase.superuser(db); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM public.flyway_schema_history WHERE success AND version IS NOT NULL")) {
            rs.next();
            if (rs.getInt(1) != migrations) {
                throw new IllegalStateException(db + " has " + rs.getInt(1) + " applied migrations, expected " + migrations);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Issue 12's figures against their targets and against the last reference run before it (docs/performance.md
     * of 2026-11-26, now guides/performance.md): every deploy took at least 2 calls (a claim, then the work), a
     * cold Read 2,515 ms, and the fixed cost per call was not measured.
     */
    private static String perCallReport(RealWorld rw, FixedCost fc, List<Cold> cold) {
        double ratio = rw.handler() / rw.flyway();
        double coldMin = cold.stream().filter(c -> !c.kase().wrapperOnly()).mapToDouble(Cold::seconds).min().orElse(Double.NaN);
        StringBuilder t = new StringBuilder("| issue 12 figure | measured | target | before |\n|---|---:|---:|---:|\n");
        t.append(String.format(Locale.ROOT, "| handler calls for a deploy that fits (real-world set, %d migrations) | %d | 1 | 2 |\n",
                rw.migrations(), rw.calls()));
        t.append(String.format(Locale.ROOT, "| real-world set: handler %s s, raw Flyway %s s (ratio) | %.2fx | | |\n",
                fmt(rw.handler()), fmt(rw.flyway()), ratio));
        t.append(String.format(Locale.ROOT, "| fixed cost per call: no-op Update, warm JVM (median) | %s ms | | not measured |\n",
                ms(fc.noOpUpdate())));
        t.append(String.format(Locale.ROOT, "| one-migration Update, warm JVM (median); raw Flyway migrate() of one migration %s ms | %s ms | | not measured |\n",
                ms(fc.flywayOneMigration()), ms(fc.oneMigrationUpdate())));
        t.append(String.format(Locale.ROOT, "| cold start, fastest case | %s ms | <= 1500 ms | 2515 ms |\n", ms(coldMin)));
        t.append(String.format(Locale.ROOT, "%nSUMMARY (issue 12): calls for a deploy that fits %d (target 1: %s); real-world handler/Flyway %.2fx;"
                        + " no-op Update %s ms; one-migration Update %s ms (Flyway %s ms); cold start %s ms (%s).",
                rw.calls(), verdict(rw.calls() == 1), ratio, ms(fc.noOpUpdate()), ms(fc.oneMigrationUpdate()),
                ms(fc.flywayOneMigration()), ms(coldMin), verdict(coldMin * 1000 <= 1500)));
        return t.toString();
    }

    // ---------------------------------------------------------------- Reads

    private double warmRead(Deployed d) {
        JsonNode idOnly = JSON.createObjectNode().put("Id", d.id());
        driver.withEnvironment(emulated().withMigrations(MigrationSource.directory(d.migrations())));
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long start = System.nanoTime();
            CloudFormationDriver.Outcome read = driver.run("READ", idOnly, null);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!"SUCCESS".equals(read.status()) || read.model().path("AppliedCount").asInt() != d.applied()) {
                throw new IllegalStateException("warm Read answered " + read.status() + ": " + read.message());
            }
            if (i > 0) {
                times.add(seconds);
            }
        }
        log("warm Read (s): " + times.stream().map(SchemaVersionBenchmark::fmt).collect(Collectors.joining(" ")));
        return median(times);
    }

    /**
     * A Read in this (JIT-warm) JVM with the engine caches dropped: what a warm container pays the first
     * time it sees a resource, Flyway's full info() included.
     */
    private double firstReadInWarmJvm(Deployed d) {
        JsonNode idOnly = JSON.createObjectNode().put("Id", d.id());
        driver.withEnvironment(emulated().withMigrations(MigrationSource.directory(d.migrations())));
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            driver.environment().engines().clear();
            long start = System.nanoTime();
            CloudFormationDriver.Outcome read = driver.run("READ", idOnly, null);
            times.add((System.nanoTime() - start) / 1e9);
            if (!"SUCCESS".equals(read.status())) {
                throw new IllegalStateException("Read answered " + read.status() + ": " + read.message());
            }
        }
        log("first Read in a warm JVM (s): " + times.stream().map(SchemaVersionBenchmark::fmt).collect(Collectors.joining(" ")));
        return median(times);
    }

    /**
     * The artifact's own sample set (7 migrations, classpath), deployed for the small cold-start case; with a
     * type configuration (signed records) when one is given.
     */
    private Deployed bakedDeploy(JsonNode typeConfiguration) {
        String db = TestDatabase.newDatabase();
        driver.environment().engines().clear();
        ObjectNode model = model(db);
        model.put("MigrationSet", "orders");
        model.putObject("Placeholders").put("AppRole", "orders_app");
        CloudFormationDriver.Outcome created = CloudFormationDriver.quiet().withTypeConfiguration(typeConfiguration)
                .withEnvironment(emulated()).run("CREATE", model, null);
        if (!"SUCCESS".equals(created.status())) {
            throw new IllegalStateException("baked deploy ended " + created.status() + ": " + created.message());
        }
        return new Deployed(db, created.model().path("Id").asText(), null, created.model().path("AppliedCount").asInt(),
                typeConfiguration);
    }

    /**
     * What the child JVM needs besides the handler jar: the probe (test classes) and the CloudFormation
     * driver, which the handler jar leaves out with the rest of the local runner. Only the driver's own
     * classes are copied, so every handler class still comes from the jar.
     */
    /** The driver and the local classes it uses (a missing one fails the child JVM with NoClassDefFoundError). */
    private static final List<String> DRIVER_CLASSES = List.of("CloudFormationDriver", "LocalContext");

    private String probeClassPath() throws IOException {
        Path driverRoot = work.resolve("driver-classes");
        String pkg = CloudFormationDriver.class.getPackageName().replace('.', '/');
        Path from = Path.of(CloudFormationDriver.class.getProtectionDomain().getCodeSource().getLocation().getPath()).resolve(pkg);
        Path to = Files.createDirectories(driverRoot.resolve(pkg));
        try (Stream<Path> classes = Files.list(from)) {
            for (Path c : classes.filter(f -> DRIVER_CLASSES.stream().anyMatch(f.getFileName().toString()::startsWith)).toList()) {
                Files.copy(c, to.resolve(c.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String testClasses = Path.of(ColdRead.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        return testClasses + File.pathSeparator + driverRoot;
    }

    /** Create, Read, Update and Delete through the shaded jar in a new JVM: the trimmed jar still works. */
    private String shadedJarLifecycle() throws IOException, InterruptedException {
        Path jar = Path.of(HANDLER_JAR).toAbsolutePath();
        if (!Files.exists(jar)) {
            return "n/a (no jar)";
        }
        ObjectNode model = model(TestDatabase.newDatabase());
        model.put("MigrationSet", "orders");
        model.putObject("Placeholders").put("AppRole", "orders_app");
        Path modelFile = work.resolve("smoke-model.json");
        Files.writeString(modelFile, JSON.writeValueAsString(model));
        String testClasses = probeClassPath();
        Path tmp = Files.createDirectories(work.resolve("smoke-tmp"));
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Djava.io.tmpdir=" + tmp, "-Daws.endpointUrlSsm=" + ssm.endpoint(),
                "-cp", jar + File.pathSeparator + testClasses, ColdRead.class.getName(), "lifecycle", modelFile.toString())
                .redirectError(work.resolve("smoke.err").toFile()).start();
        String result = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("LIFECYCLE ")) {
                    result = line.substring("LIFECYCLE ".length());
                }
            }
        }
        p.waitFor();
        if (result == null || !result.startsWith("SUCCESS")) {
            throw new IllegalStateException("the shaded jar failed its lifecycle: " + result + "; stderr: "
                    + Files.readString(work.resolve("smoke.err")));
        }
        log("shaded jar lifecycle: " + result);
        return result;
    }

    /**
     * One way of starting the cold-start probe. lambdaFlags adds the options the Lambda java17 runtime starts
     * the JVM with (C1 only, serial GC); extracted runs it from the artifact unpacked into a directory, as Lambda
     * does with a deployment package (/var/task), instead of from the jar.
     */
    record ColdCase(String label, Deployed deployed, boolean lambdaFlags, boolean extracted, boolean wrapperOnly) {
        ColdCase(String label, Deployed deployed, boolean lambdaFlags, boolean extracted) {
            this(label, deployed, lambdaFlags, extracted, false);
        }

        /** What the probe prints for a good answer: the applied count, or none when only the wrapper answers. */
        String expectedEvent() {
            return "EVENT SUCCESS " + (wrapperOnly ? "-" : String.valueOf(deployed.applied())) + " ";
        }
    }

    /** Medians of the wall time and of the probe's own CPU time (all its threads) up to the ProgressEvent. */
    record Cold(ColdCase kase, double seconds, double cpuSeconds) {
    }

    /** One start of the probe: wall time to the ProgressEvent line, and the CPU time the probe reports at it. */
    record Probe(double seconds, double cpuSeconds) {
    }

    /**
     * The baked 7-migration set with Lambda's flags: as a jar, and extracted as Lambda does; then extracted with
     * the records signed (the registration template's set-up: one KMS VerifyMac per Read).
     */
    private List<Cold> coldCasesOfTheBakedSet(Deployed small, Deployed signed) throws IOException, InterruptedException {
        List<Cold> cold = new ArrayList<>();
        cold.add(coldRead(new ColdCase("Lambda JVM flags, jar, baked set (7 rows)", small, true, false)));
        cold.add(coldRead(new ColdCase("Lambda JVM flags, extracted like /var/task, baked set (7 rows)", small, true, true)));
        cold.add(coldRead(new ColdCase("Lambda JVM flags, extracted, baked set, records signed (KMS VerifyMac)", signed, true, true)));
        cold.add(coldRead(new ColdCase("floor: the same request, the wrapper alone (its handler answers at once)", signed, true, true, true)));
        coldBreakdown = coldBreakdown(signed);
        return cold;
    }

    /** The signed case minus the floor: what our handler adds to a cold Read, in wall and CPU time. */
    private static String handlerShare(List<Cold> cold) {
        Cold floor = cold.stream().filter(c -> c.kase().wrapperOnly()).findFirst().orElse(null);
        Cold signed = cold.stream().filter(c -> !c.kase().wrapperOnly() && c.kase().deployed() == (floor == null ? null : floor.kase().deployed()))
                .findFirst().orElse(null);
        if (floor == null || signed == null) {
            return "our handler's share: n/a";
        }
        return String.format(Locale.ROOT, "our handler's share of the signed cold Read (minus the floor): %s ms wall, %s ms CPU;"
                        + " the floor (JVM, probe, rpdk wrapper, answer): %s ms wall, %s ms CPU",
                ms(signed.seconds() - floor.seconds()), ms(signed.cpuSeconds() - floor.cpuSeconds()), ms(floor.seconds()),
                ms(floor.cpuSeconds()));
    }

    /** The handler artifact unpacked into a directory, once: how Lambda lays out a deployment package. */
    private Path extractedArtifact() throws IOException {
        Path dir = work.resolve("var-task");
        if (Files.isDirectory(dir)) {
            return dir;
        }
        try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(Files.newInputStream(Path.of(HANDLER_JAR)))) {
            for (java.util.zip.ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException("entry outside the directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
        return dir;
    }

    /** The READ request CloudFormation would send for the resource, as a file for the probe. */
    private Path readRequest(Deployed d) throws IOException {
        Path request = work.resolve("cold-read.json");
        CloudFormationDriver driver = CloudFormationDriver.quiet().withTypeConfiguration(d.typeConfiguration());
        Files.writeString(request, JSON.writeValueAsString(driver.request("READ",
                JSON.createObjectNode().put("Id", d.id()), null, null, UUID.randomUUID().toString(), null)));
        return request;
    }

    /** A new JVM running the shaded handler artifact, from process start to the first ProgressEvent of a Read. */
    private Cold coldRead(ColdCase c) throws IOException, InterruptedException {
        Deployed d = c.deployed();
        Path jar = Path.of(HANDLER_JAR).toAbsolutePath();
        if (!Files.exists(jar)) {
            log("cold start: " + jar + " is missing (build with package first): n/a");
            return new Cold(c, Double.NaN, Double.NaN);
        }
        Path code = c.extracted() ? extractedArtifact() : jar;
        Path request = readRequest(d);
        String testClasses = probeClassPath();
        List<Double> times = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (int i = 0; i < repeats + 1; i++) {
            List<String> cmd = probeCommand(c, code, request, testClasses, i, List.of());
            if (i == 0) {
                log("cold Read probe: " + String.join(" ", cmd));
            }
            Probe probe = probeOnce(cmd, c);
            // The first start also fills the OS page cache with the jar: count only the later ones.
            if (i > 0) {
                times.add(probe.seconds());
                cpu.add(probe.cpuSeconds());
            }
        }
        log("cold Read, " + c.label() + " (s): "
                + times.stream().map(SchemaVersionBenchmark::fmt).collect(Collectors.joining(" "))
                + "; CPU (s): " + cpu.stream().map(SchemaVersionBenchmark::fmt).collect(Collectors.joining(" ")));
        return new Cold(c, median(times), median(cpu));
    }

    private List<String> probeCommand(ColdCase c, Path code, Path request, String testClasses, int run, List<String> extraOptions)
            throws IOException {
        // The wrapper empties java.io.tmpdir on every call: the child gets its own.
        Path tmp = Files.createDirectories(work.resolve("cold-tmp-" + run));
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx1g", "-Djava.io.tmpdir=" + tmp,
                "-Daws.endpointUrlSsm=" + ssm.endpoint(), "-Daws.endpointUrlKms=" + kms.endpoint()));
        if (c.lambdaFlags()) {
            cmd.addAll(List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        }
        String extra = System.getProperty("bench.coldJvmArgs", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(Arrays.asList(extra.split("\\s+")));
        }
        cmd.addAll(extraOptions);
        if (c.wrapperOnly()) {
            cmd.add("-Dcoldread.wrapperOnly=true");
        }
        cmd.addAll(List.of("-cp", code + File.pathSeparator + testClasses, ColdRead.class.getName(), request.toString()));
        if (c.deployed().migrations() != null) {
            cmd.add(c.deployed().migrations().toString());
        }
        return cmd;
    }

    /**
     * Starts the probe and returns the seconds from process start to the line carrying the ProgressEvent, with
     * the CPU time the probe reports right after it (a figure the machine's other load moves much less).
     */
    private Probe probeOnce(List<String> cmd, ColdCase c) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(work.resolve("cold-read.err").toFile());
        // Lambda always sets the region.
        pb.environment().put("AWS_REGION", "us-east-1");
        long start = System.nanoTime();
        Process p = pb.start();
        String event = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("EVENT ")) {
                    event = line;
                    break;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = Double.NaN;
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("CPU ")) {
                    cpu = Long.parseLong(line.substring(4).trim()) / 1000.0;
                }
            }
            p.waitFor();
            if (event == null || !event.startsWith(c.expectedEvent())) {
                throw new IllegalStateException("cold Read answered " + event + "; stderr: "
                        + Files.readString(work.resolve("cold-read.err")));
            }
            return new Probe(seconds, cpu);
        }
    }

    /**
     * Where a cold Read's time goes: one more run of the case with the JVM's class-load log on (which slows it
     * a little). A phase ends when the first class of the next one loads: the wrapper's, the handler's first
     * SSM request, KMS's VerifyMac (signed records only), the engine cache, the schema library the wrapper
     * strips the answer with; the probe loads ColdRead$Answered right after printing the ProgressEvent. Each
     * phase is given in ms and in classes loaded, the count that the machine's load does not move.
     */
    private String coldBreakdown(Deployed d) throws IOException, InterruptedException {
        ColdCase c = new ColdCase("breakdown", d, true, true);
        Path log = work.resolve("cold-classes.log");
        Files.deleteIfExists(log);
        Path request = readRequest(d);
        List<String> cmd = probeCommand(c, extractedArtifact(), request, probeClassPath(), 0,
                List.of("-Xlog:class+load:file=" + log + ":uptime"));
        Probe probe = probeOnce(cmd, c);
        double total = probe.seconds() * 1000;
        boolean signed = d.typeConfiguration().has("Records");
        List<String> markers = new ArrayList<>(List.of(
                "software.amazon.cloudformation.AbstractWrapper",
                "software.amazon.awssdk.services.ssm.model.GetParameterRequest",
                "com.company.database.schemaversion.engine.FlywayEngine",
                "software.amazon.cloudformation.resource.ResourceTypeSchema",
                ColdRead.class.getName() + "$Answered"));
        if (signed) {
            markers.add(2, "software.amazon.awssdk.services.kms.DefaultKmsClient");
        }
        double[] at = new double[markers.size()];
        int[] classesBefore = new int[markers.size()];
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("^\\[(\\d+\\.\\d+)s\\]\\s+(\\S+)");
        int loaded = 0;
        for (String l : Files.readAllLines(log)) {
            java.util.regex.Matcher m = line.matcher(l);
            if (m.find()) {
                int k = markers.indexOf(m.group(2));
                if (k >= 0 && at[k] == 0) {
                    at[k] = Double.parseDouble(m.group(1)) * 1000;
                    classesBefore[k] = loaded;
                }
                loaded++;
            }
        }
        for (int k = 0; k < markers.size(); k++) {
            if (at[k] == 0) {
                return "n/a (" + markers.get(k) + " not in the class-load log)";
            }
        }
        List<String> names = new ArrayList<>(List.of("JVM start and the probe reading its request",
                "the rpdk wrapper until the handler's first SSM request (its static HTTP client, request parsing,"
                        + " partition lookup)",
                "SSM (client, record, login)",
                "the database (connect, Flyway info)",
                "the answer (the wrapper's schema load, serialisation)"));
        if (signed) {
            names.set(2, "SSM (client, record read)");
            names.add(3, "KMS VerifyMac (client, call) and the SSM login");
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%.0f ms and %d classes to the ProgressEvent (CPU %.0f ms)", at[at.length - 1], classesBefore[at.length - 1],
                probe.cpuSeconds() * 1000));
        for (int k = 0; k < names.size(); k++) {
            double from = k == 0 ? 0 : at[k - 1];
            int classesFrom = k == 0 ? 0 : classesBefore[k - 1];
            b.append(String.format(Locale.ROOT, "; %s %.0f ms, %d classes", names.get(k), at[k] - from,
                    classesBefore[k] - classesFrom));
        }
        log("cold Read breakdown (" + (signed ? "signed records" : "plain records") + ", wall " + Math.round(total)
                + " ms): " + b);
        return b.toString();
    }

    // ---------------------------------------------------------------- the report

    private static String report(List<Row> rows, double warmRead, double firstRead, int history, List<Cold> cold,
                                 String coldBreakdown, long handlerJar, long runner) {
        StringBuilder t = new StringBuilder(context).append("\n\n");
        t.append("| N | handler loop (s) | raw Flyway migrate() (s) | psql, one transaction (s) | handler / Flyway"
                + " | quietest run (spread) | CPU handler / Flyway (s) | handler / psql | handler calls | lower bound"
                + " | calls target (<= bound + 2) |\n");
        t.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        Row at200 = null;
        boolean callsOk = true;
        for (Row r : rows) {
            boolean ok = r.calls() <= r.callsLowerBound() + 2;
            callsOk &= ok;
            if (r.n() == 200) {
                at200 = r;
            }
            t.append(String.format(Locale.ROOT, "| %d | %.3f | %.3f | %s | %.2fx | %.2fx (%.2f-%.2f) | %.2fx (%s / %s) | %s | %d | %d | %s |\n",
                    r.n(), r.handler(), r.flyway(), fmt(r.psql()), r.handler() / r.flyway(), r.quietRatio(),
                    r.minRatio(), r.maxRatio(), r.handlerCpu() / r.flywayCpu(), fmt(r.handlerCpu()), fmt(r.flywayCpu()),
                    Double.isNaN(r.psql()) ? "n/a" : String.format(Locale.ROOT, "%.2fx", r.handler() / r.psql()),
                    r.calls(), r.callsLowerBound(), ok ? "met" : "MISSED"));
        }
        t.append("\n| figure | measured | target | |\n|---|---:|---:|---|\n");
        t.append(String.format(Locale.ROOT, "| warm no-op Read, %d history rows (median) | %s ms | < 300 ms | %s |\n",
                history, ms(warmRead), verdict(warmRead * 1000 < 300)));
        t.append(String.format(Locale.ROOT, "| first Read of the resource in a warm JVM, %d history rows (engine caches dropped) | %s ms | | |\n",
                history, ms(firstRead)));
        for (Cold c : cold) {
            t.append(String.format(Locale.ROOT, "| cold start (new JVM to first Read ProgressEvent), %s | %s ms (CPU %s ms) | %s | %s |\n",
                    c.kase().label(), ms(c.seconds()), ms(c.cpuSeconds()), c.kase().wrapperOnly() ? "" : "<= 1500 ms",
                    c.kase().wrapperOnly() ? "not ours" : verdict(c.seconds() * 1000 <= 1500)));
        }
        t.append(String.format(Locale.ROOT, "| handler artifact (%s) | %s | <= 30 MB | %s |\n",
                HANDLER_JAR, mb(handlerJar), verdict(artifactOk(handlerJar))));
        t.append(String.format(Locale.ROOT, "| VPC runner package, built at run time from the artifact (%s) | %s | | |\n", RUNNER_PACKAGE, mb(runner)));

        String ratio = at200 == null ? "n/a" : String.format(Locale.ROOT, "%.2fx median, %.2fx in the quietest run, CPU %.2fx",
                at200.handler() / at200.flyway(), at200.quietRatio(), at200.handlerCpu() / at200.flywayCpu());
        boolean ratioOk = at200 != null && at200.quietRatio() <= 1.10;
        t.append("\nCold start breakdown (one run, extracted, class-load log on): ").append(coldBreakdown).append(".\n");
        String coldFigures = cold.stream().filter(c -> !c.kase().wrapperOnly())
                .map(c -> c.kase().label() + " " + ms(c.seconds()) + " ms (" + verdict(c.seconds() * 1000 <= 1500) + ")")
                .collect(Collectors.joining("; "));
        t.append(String.format(Locale.ROOT, "%nSUMMARY: handler/Flyway at N=200 %s (target <= 1.10x in the quietest run: %s); calls within"
                        + " lower bound + 2: %s; warm Read %s ms (%s); cold start: %s; handler artifact %s (%s); runner %s.",
                ratio, at200 == null ? "n/a" : verdict(ratioOk), verdict(callsOk), ms(warmRead), verdict(warmRead * 1000 < 300),
                coldFigures, mb(handlerJar), verdict(artifactOk(handlerJar)), mb(runner)));
        return t.toString();
    }

    private static String verdict(boolean met) {
        return met ? "met" : "MISSED";
    }

    // ---------------------------------------------------------------- generated migrations

    /** N scripts, each a small table with a primary key and one index, and 20 inserted rows. */
    private Path generate(int n) throws IOException {
        Path dir = work.resolve("migrations-" + n);
        Files.createDirectories(dir);
        for (int i = 1; i <= n; i++) {
            StringBuilder sql = new StringBuilder();
            sql.append("CREATE TABLE item_").append(i).append(" (\n")
                    .append("    id integer PRIMARY KEY,\n")
                    .append("    name text NOT NULL,\n")
                    .append("    created_at timestamptz NOT NULL DEFAULT now()\n);\n");
            sql.append("CREATE INDEX item_").append(i).append("_name ON item_").append(i).append(" (name);\n");
            sql.append("INSERT INTO item_").append(i).append(" (id, name) VALUES\n");
            for (int row = 1; row <= 20; row++) {
                sql.append("    (").append(row).append(", 'item ").append(i).append('-').append(row).append("')")
                        .append(row < 20 ? ",\n" : ";\n");
            }
            Files.writeString(dir.resolve("V" + i + "__item_" + i + ".sql"), sql.toString());
        }
        return dir;
    }

    private static int versionOf(Path script) {
        String name = script.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }

    private static int count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private ObjectNode model(String database) {
        ObjectNode m = TestModels.onTestDatabase(database, USER_PARAM, PASSWORD_PARAM);
        m.put("TargetVersion", "latest");
        m.putObject("Timeouts").put("ConnectWaitMinutes", 0);
        return m;
    }

    private static void expectTables(String db, int n) {
        try (Connection c = TestDatabase.superuser(db); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'item\\_%'")) {
            rs.next();
            if (rs.getInt(1) != n) {
                throw new IllegalStateException(db + " has " + rs.getInt(1) + " item tables, expected " + n);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void dropDatabase(String db) {
        TestDatabase.execute("postgres", "DROP DATABASE " + db + " WITH (FORCE)");
    }

    private static String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + TestDatabase.port() + "/" + db;
    }

    private static String psql() {
        for (String candidate : new String[] {"/usr/bin/psql", "/usr/local/bin/psql"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The VPC runner's package as the handler builds it at run time from its own code; the bench profile
     * writes it to target/ (LambdaRunnerPackage's main) before the benchmark runs.
     */
    private static long runnerSize() {
        return size(Path.of(RUNNER_PACKAGE));
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String machine() {
        String cpu = "?";
        long memKb = -1;
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElse(-1L);
        } catch (IOException ignored) {
            // not Linux: leave the unknowns
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", "
                + (memKb / 1024 / 1024) + " GB, Java " + System.getProperty("java.version") + ", " + Instant.now();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static int max(int[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    private static double median(List<Double> values) {
        List<Double> v = values.stream().filter(d -> !Double.isNaN(d)).sorted().toList();
        if (v.isEmpty()) {
            return Double.NaN;
        }
        return v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
    }

    private static String fmt(double seconds) {
        return Double.isNaN(seconds) ? "n/a" : String.format(Locale.ROOT, "%.3f", seconds);
    }

    private static String ms(double seconds) {
        return Double.isNaN(seconds) ? "n/a" : String.format(Locale.ROOT, "%.0f", seconds * 1000);
    }

    /** Sizes in decimal megabytes (the target's unit) with the exact byte count. */
    private static String mb(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MB (%,d bytes)", bytes / 1e6, bytes);
    }

    /** At most 30 MB, read strictly as 30,000,000 bytes. */
    private static boolean artifactOk(long bytes) {
        return bytes >= 0 && bytes <= 30_000_000L;
    }

    private static void log(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
