package com.company.database.schemaversion.runner;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.core.Claimant;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Regions;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Plan;
import com.company.database.schemaversion.core.Reconciler;
import com.company.database.schemaversion.core.Version;
import com.company.database.schemaversion.engine.ConnectionSpec;
import com.company.database.schemaversion.engine.EngineSettings;
import com.company.database.schemaversion.engine.FlywayEngine;
import com.company.database.schemaversion.engine.FlywayEngines;
import com.company.database.schemaversion.engine.FlywayLog;
import com.company.database.schemaversion.engine.IamAuthTokens;
import com.company.database.schemaversion.engine.Login;
import com.company.database.schemaversion.engine.MigrationCatalog;
import com.company.database.schemaversion.engine.MigrationSource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The VPC runner: a Lambda function in the customer's subnets that runs the same Flyway engine as Direct mode,
 * next to the database. It answers observe/clean/ping synchronously; apply runs as an asynchronous step up to
 * the function's own time limit and leaves its outcome in SSM. It trusts no payload: the database, login,
 * schema, set, placeholders and timeouts are the function's configuration (set only by the handler) and must
 * pass the account policy configured beside them, clean runs only when the handler armed it there, a request past
 * its deadline is refused, and every request but ping must name a step record the handler armed in SSM and carry
 * its token. Every failure goes back
 * typed (reason, message and fact) so the handler answers CloudFormation exactly as in Direct mode.
 */
public final class RunnerEntrypoint implements RequestStreamHandler {
    public static final String HANDLER = RunnerEntrypoint.class.getName() + "::handleRequest";
    /**
     * The account admin's Connections.ExtraCaCertificates, as the handler puts them into this function's
     * deployment package when the type configuration has them: part of the code Lambda's CodeSha256 covers, which
     * the handler checks before every invocation. Never read from a payload or the environment.
     */
    public static final String EXTRA_CA_ENTRY = "certs/extra-ca.pem";
    private static final int MAX_MESSAGE = 2000;
    private static final Reconciler RECONCILER = new Reconciler();

    private final Map<String, String> environment;
    private final Clock clock;
    private final MigrationSource migrationOverride;
    private final Function<String, byte[]> packageFiles;
    /**
     * Lambda's Java runtime creates this handler once per container, so what it keeps serves every invocation of
     * the container: the engines stay warm, the SSM client is built once.
     */
    private final FlywayEngines engines = new FlywayEngines();
    private SsmClient ssm;
    private final boolean keepWarm;
    /**
     * Null in Lambda. For a task runner ({@link RunnerTask}): the code id of the code this process runs, which must
     * be the one the handler armed the step for; its steps have no time limit of their own.
     */
    private final Supplier<String> taskCodeId;

    /** As Lambda's Java runtime creates it: the configuration is the process environment the handler set. */
    public RunnerEntrypoint() {
        this(System.getenv(), Clock.systemUTC(), null, RunnerEntrypoint::fromOwnCode, true, null);
    }

    /**
     * For hosts that run the runner inside another JVM (the local runner's Lambda): the function's environment
     * as Lambda would give it, and the clock deadlines are checked against.
     */
    public RunnerEntrypoint(Map<String, String> environment, Clock clock) {
        this(environment, clock, null);
    }

    /**
     * As above, with a migration folder that replaces the baked set: the local runner's --migrations, which its
     * Lambda hands on to the runner it hosts. Lambda itself never passes one.
     */
    public RunnerEntrypoint(Map<String, String> environment, Clock clock, MigrationSource migrationOverride) {
        this(environment, clock, migrationOverride, RunnerEntrypoint::fromOwnCode);
    }

    /**
     * As above, for a host whose runner classes are not loaded from the function's package (the local runner's
     * Lambda runs its own): the files of the function's deployment package, by name (null when absent), as Lambda
     * would put them on the runner's class path.
     */
    public RunnerEntrypoint(Map<String, String> environment, Clock clock, MigrationSource migrationOverride,
                            Function<String, byte[]> packageFiles) {
        this(environment, clock, migrationOverride, packageFiles, false, null);
    }

    /**
     * The runner of an ECS task ({@link RunnerTask}): one APPLY step, run as Lambda runs an asynchronous one, but
     * only when {@code ownCodeId} (computed from the files this process runs) is the code id the handler armed the
     * step for, and with no time limit but the task's (the handler stops the task when it gives up).
     *
     * @param packageFiles what the Lambda runner reads from its package (the extra CA certificates), by name
     * @param ownCodeId    this process's code id; may throw a ReconcileException saying why it has none
     */
    static RunnerEntrypoint forTask(Map<String, String> environment, Clock clock, Function<String, byte[]> packageFiles,
                                    Supplier<String> ownCodeId) {
        return new RunnerEntrypoint(environment, clock, null, packageFiles, false, Objects.requireNonNull(ownCodeId));
    }

    /**
     * @param keepWarm whether the engines and the SSM client outlive an invocation: Lambda keeps this handler for
     *                 the container's life; a host that creates one per invocation closes what it opened after it
     */
    private RunnerEntrypoint(Map<String, String> environment, Clock clock, MigrationSource migrationOverride,
                             Function<String, byte[]> packageFiles, boolean keepWarm, Supplier<String> taskCodeId) {
        this.keepWarm = keepWarm;
        this.taskCodeId = taskCodeId;
        this.environment = Map.copyOf(environment);
        this.clock = clock;
        this.migrationOverride = migrationOverride;
        this.packageFiles = packageFiles;
    }

    /** In Lambda the package is extracted to /var/task, which the Java runtime puts on the class path. */
    private static byte[] fromOwnCode(String name) {
        try (InputStream in = RunnerEntrypoint.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + name + " from the runner's package: " + e.getMessage(), e);
        }
    }

    /** The extra CA certificates the handler packaged with this runner, or null: trusted beside the baked RDS bundle. */
    String extraCaCertificates() {
        byte[] pem = packageFiles.apply(EXTRA_CA_ENTRY);
        return pem == null ? null : new String(pem, StandardCharsets.UTF_8);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        try (FlywayLog.Route flywayLines = FlywayLog.routeTo(line -> log(context, line))) {
            JsonNode answer = handle(input.readAllBytes(), context);
            output.write(RunnerProtocol.bytes(answer));
        } finally {
            if (!keepWarm) {
                closeAfterInvocation();
            }
        }
    }

    JsonNode handle(byte[] payload, Context context) {
        return handle(payload, context, new AtomicBoolean());
    }

    /** As above; {@code outcomeRecorded} is set once the step record holds the step's outcome (written now or before). */
    JsonNode handle(byte[] payload, Context context, AtomicBoolean outcomeRecorded) {
        RunnerProtocol.Request request = null;
        try {
            request = RunnerProtocol.decodeRequest(RunnerProtocol.parse(payload));
            log(context, "op=" + request.op() + " target=" + request.target() + " step=" + request.stepId()
                    + " deadline=" + request.deadline());
            return run(request, context, outcomeRecorded);
        } catch (ReconcileException e) {
            log(context, "failed: " + e.reason() + ": " + e.getMessage());
            return failure(e);
        } catch (RuntimeException e) {
            log(context, "unexpected " + e.getClass().getName() + ": " + e.getMessage());
            return failure(new ReconcileException(Reason.INTERNAL, "Unexpected error in the VPC runner ("
                    + e.getClass().getSimpleName() + "): " + e.getMessage()));
        }
    }

    private JsonNode run(RunnerProtocol.Request r, Context context, AtomicBoolean outcomeRecorded) {
        if (r.op() == RunnerProtocol.Op.PING) {
            ObjectNode ok = RunnerProtocol.ok(null);
            MigrationCatalog.bakedSets().forEach(ok.putArray("sets")::add);
            return ok;
        }
        // Before anything is read or written: a late event (Lambda's retries, a queue backlog, a replay) must not
        // act after the handler stopped waiting for it. Nothing is written for it, not even a step outcome.
        if (!clock.instant().isBefore(r.deadline())) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "The runner refused a late " + r.op().name().toLowerCase()
                    + " request: its deadline " + r.deadline() + " has passed (now " + clock.instant() + ")."
                    + " Nothing was done; the handler starts a new step if it still needs one.");
        }
        RunnerConfig config = RunnerConfig.fromEnvironment(environment);
        // The admin's rules, as the handler configured them: a configuration nobody checked reads nothing.
        ConfiguredPolicy.fromEnvironment(environment).check(config);
        if (r.op() == RunnerProtocol.Op.CLEAN && !RunnerConfig.cleanArmed(environment, clock.instant())) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "The runner refused to clean schema " + config.schema()
                    + ": cleaning is armed by the handler only while it deletes a resource with OnDelete: Clean, and"
                    + " it is not armed on this function (or the arm expired). Nothing was dropped.");
        }
        if (r.op() == RunnerProtocol.Op.APPLY && !config.allows(Version.parse(r.target()))) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "The runner refused to migrate to version " + r.target()
                    + ": the resource's TargetVersion configured on this function is " + config.targetVersion()
                    + ". Nothing was done.");
        }
        RunnerLogins ssm = new RunnerLogins(ssm());
        // Only the handler creates step records: a request is acted on only when it names one armed for its op
        // and carries the token whose digest the record holds. The runner never creates a record of its own.
        String recorded = ssm.readStep(r.stepId());
        JsonNode step = recorded == null ? null : RunnerProtocol.parse(recorded.getBytes(StandardCharsets.UTF_8));
        if (!RunnerProtocol.matches(step, r.op(), r.token())) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "The runner refused a " + r.op().name().toLowerCase()
                    + " request: it names no step the handler armed for it (" + (step == null ? "no such step record"
                    : "the step record is for another request") + "). Only the type's handler may ask this runner to"
                    + " act. Nothing was done.");
        }
        boolean asyncStep = r.op() == RunnerProtocol.Op.APPLY;
        String digest = step.path("digest").asText();
        if (!asyncStep) {
            if (!RunnerProtocol.isArmed(step)) {
                throw new ReconcileException(Reason.RUNNER_FAILED, "The runner refused a " + r.op().name().toLowerCase()
                        + " request: its step was already used. Nothing was done.");
            }
            // Taken before acting: the same request sent again finds the step used (the handler removes the record).
            ssm.writeStep(r.stepId(), new String(RunnerProtocol.bytes(RunnerProtocol.taken(r.op(), digest)),
                    StandardCharsets.UTF_8));
            return runOp(r, config, ssm, context);
        }
        if (step.has("ok")) {
            // A second delivery of an asynchronous event (Lambda may deliver one twice): the first one did it.
            log(context, "step " + r.stepId() + " already finished: not running it again");
            outcomeRecorded.set(true);
            return step;
        }
        String armedCode = RunnerProtocol.armedCode(step);
        if (taskCodeId != null) {
            JsonNode refusal = refusalOfOtherCode(r, armedCode);
            if (refusal != null) {
                log(context, "step " + r.stepId() + " outcome: refused: " + refusal.path("error").path("message").asText());
                ObjectNode recordedRefusal = refusal.deepCopy();
                recordedRefusal.put("digest", digest);
                ssm.writeStep(r.stepId(), new String(RunnerProtocol.bytes(recordedRefusal), StandardCharsets.UTF_8));
                outcomeRecorded.set(true);
                return refusal;
            }
        }
        // Tells the handler the step has started (and proves early that this role may report it). A step marked
        // running but not finished is a duplicate delivery or a retry after a crash: run it again; Flyway's lock
        // and history make that safe. The record keeps the token's digest, so it stays usable by this step only.
        ObjectNode running = RunnerProtocol.running();
        running.put("digest", digest);
        if (armedCode != null) {
            running.put("code", armedCode); // a re-run of the step checks its code against the same id
        }
        ssm.writeStep(r.stepId(), new String(RunnerProtocol.bytes(running), StandardCharsets.UTF_8));
        // Whatever happens in an asynchronous step, its outcome must reach the handler, which polls for it.
        JsonNode outcome;
        try {
            outcome = runOp(r, config, ssm, context);
        } catch (ReconcileException e) {
            outcome = failure(e);
        } catch (RuntimeException e) {
            outcome = failure(new ReconcileException(Reason.INTERNAL, "Unexpected error in the VPC runner ("
                    + e.getClass().getSimpleName() + "): " + e.getMessage()));
        }
        log(context, "step " + r.stepId() + " outcome: " + (outcome.path("ok").asBoolean()
                ? "ok" : outcome.path("error").path("reason").asText()));
        ObjectNode recordedOutcome = outcome.deepCopy();
        recordedOutcome.put("digest", digest);
        ssm.writeStep(r.stepId(), new String(RunnerProtocol.bytes(recordedOutcome), StandardCharsets.UTF_8));
        outcomeRecorded.set(true);
        return outcome;
    }

    /**
     * A task runner's refusal of a step armed for other code (or for none), or null when its own code is the code
     * the handler armed the step for. Decided before any login is read or any database touched: an image that is
     * not this type version's runner does nothing but say so.
     */
    private JsonNode refusalOfOtherCode(RunnerProtocol.Request r, String armedCode) {
        String own;
        String why = null;
        try {
            own = taskCodeId.get();
        } catch (ReconcileException e) {
            own = null;
            why = e.getMessage();
        }
        if (own != null && own.equals(armedCode)) {
            return null;
        }
        return failure(new ReconcileException(Reason.RUNNER_FAILED, "The task runner refused step " + r.stepId()
                + ": the handler armed it for runner code " + (armedCode == null ? "(none named)" : armedCode)
                + ", but this task runs " + (own == null ? "code that has no runner code id (" + why + ")"
                : "runner code " + own) + ". The image the task runs is not this type version's runner: build it"
                + " with './schemaversion runner-image DIR' from this type version's handler artifact, push it and"
                + " name its digest in the type configuration. Nothing was done: no login was read, no database"
                + " touched."));
    }

    private JsonNode runOp(RunnerProtocol.Request r, RunnerConfig c, RunnerLogins ssm, Context context) {
        boolean iam = c.iamUsername() != null;
        Login login = iam ? new Login(c.iamUsername(), IamAuthTokens.token(
                RunnerLogins.ownCredentials(credentials()), region(), c.host(), c.port(), c.iamUsername(), clock)) : ssm.resolve(c);
        MigrationSource override = migrationOverride;
        MigrationSource source = override != null ? override : MigrationCatalog.resolve(c.migrationSet());
        FlywayEngine engine = engines.get(
                new ConnectionSpec(c.host(), c.port(), c.database(), c.sslMode(), login.username(), login.password(),
                        extraCaCertificates(), iam ? "the IAM database login of user " + c.iamUsername()
                        + " (Credentials.IamUsername, a token signed by the runner role)" : null, iam),
                new EngineSettings(c.schema(), source, c.placeholders(), c.lockTimeoutSeconds(), c.statementTimeoutSeconds()));
        switch (r.op()) {
            case OBSERVE:
                return RunnerProtocol.ok(engine.observe());
            case CLEAN:
                engine.clean(claimantOf(r, c), r.cleanUncreated());
                return RunnerProtocol.ok(null);
            case CLAIM:
                return RunnerProtocol.okWithClaim(engine.claim(claimantOf(r, c)));
            case CLAIMED:
                return RunnerProtocol.okWithClaim(engine.claimOf().orElse(null));
            case RELEASE:
                engine.release(claimantOf(r, c));
                return RunnerProtocol.ok(null);
            case ADOPT:
                if (c.adoptBaseline() == null) {
                    throw new ReconcileException(Reason.RUNNER_FAILED, "The runner's configuration names no Adoption:"
                            + " nothing to adopt. Nothing was changed.");
                }
                return RunnerProtocol.okWithMessage(engine.adopt(Version.parse(c.adoptBaseline())));
            case REPAIR: {
                if (c.repair() == null) {
                    throw new ReconcileException(Reason.RUNNER_FAILED, "The runner's configuration names no Repair:"
                            + " nothing to repair. Nothing was changed.");
                }
                String[] versionAndRank = c.repair().split("@", 2);
                return RunnerProtocol.okWithMessage(engine.repair(Version.parse(versionAndRank[0]), Integer.parseInt(versionAndRank[1])));
            }
            case APPLY:
                try {
                    // The runner plans from its own observation with the handler's Reconciler; the handler checks
                    // the outcome by observing again.
                    Observation observed = engine.observe();
                    Plan plan = RECONCILER.plan(observed, r.target());
                    if (RECONCILER.settled(observed, plan) == null) {
                        engine.apply(observed, plan, taskCodeId != null ? unbounded() : budget(context));
                    }
                    return RunnerProtocol.ok(null);
                } catch (ReconcileException e) {
                    return failure(e);
                }
            default:
                throw new ReconcileException(Reason.RUNNER_FAILED, "Unknown runner operation " + r.op());
        }
    }

    /**
     * The request's claimant, as the resource of the schema this function is configured for: its Id is derived
     * from the configuration as the handler derives it from the model, so no payload can claim, release or clean
     * in the name of another resource.
     */
    private static Claimant claimantOf(RunnerProtocol.Request r, RunnerConfig c) {
        Claimant sent = r.claim();
        return new Claimant(Claimant.resourceIdOf(c.host(), c.port(), c.database(), c.schema()), sent.stackId(),
                sent.logicalId(), sent.createRequest(), sent.onDelete());
    }

    /**
     * Starts migrations until shortly before the function's own limit, and caps statements so that the runner,
     * not Lambda, ends an overlong one: then the step still reports a typed failure instead of "Task timed out".
     */
    static Budget budget(Context context) {
        long remaining = context == null ? Duration.ofMinutes(15).toMillis() : context.getRemainingTimeInMillis();
        long margin = Math.min(30_000, remaining / 5);
        long hard = Math.max(1_000, remaining - margin);
        return new Budget(Clock.systemUTC(), Duration.ofMillis(hard), Duration.ofMillis(hard));
    }

    /**
     * A task's step: it starts migrations until the target is reached, with statements capped only by the
     * configured timeout. The handler bounds the step by stopping the task when the operation gives up.
     */
    private Budget unbounded() {
        Duration unlimited = Duration.ofDays(3650);
        return new Budget(clock, unlimited, unlimited);
    }

    /**
     * The failure as the answer carries it: reason, message and fact. The runner adds no advice: the handler
     * chooses it from the fact for VpcRunner mode, as it does for Direct mode.
     */
    private static JsonNode failure(ReconcileException e) {
        String text = e.getMessage() == null ? "" : e.getMessage();
        if (text.length() > MAX_MESSAGE) {
            text = text.substring(0, MAX_MESSAGE) + " ...";
        }
        return RunnerProtocol.error(e.reason(), text, e.fact());
    }

    /** The function's own region, which Lambda sets; the database is in it. */
    private String region() {
        return Regions.resolve(null, environment.get("AWS_REGION"));
    }

    synchronized void closeAfterInvocation() {
        engines.clear();
        if (ssm != null) {
            ssm.close();
            ssm = null;
        }
    }

    /**
     * The SSM endpoint named in the function's environment (the SDK's own AWS_ENDPOINT_URL_SSM, which the SDK
     * honours from the process environment in Lambda), or null for the SDK's own resolution. A host that runs the
     * runner in its JVM hands the variable in with the environment, so the runner sees what a function would.
     */
    private URI ssmEndpoint() {
        String configured = environment.get("AWS_ENDPOINT_URL_SSM");
        return configured == null || configured.isBlank() ? null : URI.create(configured.strip());
    }

    /**
     * The role's credentials as Lambda gives them to a function (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
     * AWS_SESSION_TOKEN in its environment), read from the environment this runner was given; null without them:
     * then the SDK's default chain, which finds the same variables in Lambda's process environment.
     */
    private AwsCredentialsProvider credentials() {
        String id = environment.get("AWS_ACCESS_KEY_ID");
        String secret = environment.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
            return null;
        }
        String token = environment.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(token == null || token.isBlank()
                ? AwsBasicCredentials.create(id, secret) : AwsSessionCredentials.create(id, secret, token));
    }

    private synchronized SsmClient ssm() {
        if (ssm == null) {
            var builder = SsmClient.builder()
                    .region(Region.of(region()))
                    .httpClient(UrlConnectionHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(5))
                            .socketTimeout(Duration.ofSeconds(20))
                            .build());
            AwsCredentialsProvider credentials = credentials();
            if (credentials != null) {
                builder.credentialsProvider(credentials);
            }
            URI endpoint = ssmEndpoint();
            if (endpoint != null) {
                builder.endpointOverride(endpoint);
            }
            ssm = builder.build();
        }
        return ssm;
    }

    private static void log(Context context, String line) {
        if (context != null && context.getLogger() != null) {
            context.getLogger().log("schemaversion-runner: " + line + "\n");
        }
    }
}
