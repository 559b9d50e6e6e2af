package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.AwsClients;
import com.company.database.schemaversion.aws.AwsEndpoints;
import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.engine.FlywayEngines;
import com.company.database.schemaversion.engine.MigrationCatalog;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything a handler takes from where it runs rather than from the request: the clock, the per-call time
 * budget, a migration folder that replaces the baked sets, the VPC runner's code, the AWS clients and the warm
 * engines. Lambda's is built by {@link #lambda()}, once per container by the entrypoint ({@link HandlerEntrypoint});
 * the local runner and the tests build their own ({@link BaseHandlerStd#handlers}), so no handler reads a value or
 * a cache that some other code may have changed. The {@code with...} copies share the clients and the engines.
 *
 * @param clock       what "now" is: when a wait gives up, when a runner step is overdue
 * @param startWindow how long one call may keep starting migrations
 * @param hardLimit   when the statements of one call must stop, so that it answers within CloudFormation's 60 s
 * @param migrations  a folder that replaces whatever set the model names (the local runner's --migrations), or null
 *                    for the sets baked into the artifact
 * @param runnerPackages the VPC runner's deployment package: in Lambda, built on first use from the handler's own
 *                       code and kept by this environment; elsewhere, one handed in (the tests run the runner from
 *                       their own classes)
 * @param aws        the AWS clients, per service and region, and where they send their calls
 * @param engines    the engines kept warm across calls
 */
public record HandlerEnvironment(Clock clock, Duration startWindow, Duration hardLimit, MigrationSource migrations,
                                 Supplier<LambdaRunnerPackage> runnerPackages, AwsClients aws, FlywayEngines engines) {
    /** CloudFormation's 60 s per call, less the time to answer and what a migration started late may still take. */
    public static final Duration START_WINDOW = Duration.ofSeconds(25);
    public static final Duration HARD_LIMIT = Duration.ofSeconds(50);

    public HandlerEnvironment {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(startWindow, "startWindow");
        Objects.requireNonNull(hardLimit, "hardLimit");
        Objects.requireNonNull(runnerPackages, "runnerPackages");
        Objects.requireNonNull(aws, "aws");
        Objects.requireNonNull(engines, "engines");
    }

    /**
     * Lambda's environment, new: the system clock, CloudFormation's call window, the baked sets, the runner code
     * built from this handler's own code on first use, the SDK's endpoints, and empty caches. Cheap to build:
     * nothing is created before a call needs it.
     */
    public static HandlerEnvironment lambda() {
        return new HandlerEnvironment(Clock.systemUTC(), START_WINDOW, HARD_LIMIT, null,
                new Once<>(LambdaRunnerPackage::ofOwnCode),
                new AwsClients(AwsEndpoints.SDK_DEFAULT), new FlywayEngines());
    }

    public HandlerEnvironment withClock(Clock c) {
        return new HandlerEnvironment(c, startWindow, hardLimit, migrations, runnerPackages, aws, engines);
    }

    public HandlerEnvironment withCallBudget(Duration start, Duration hard) {
        return new HandlerEnvironment(clock, start, hard, migrations, runnerPackages, aws, engines);
    }

    public HandlerEnvironment withMigrations(MigrationSource source) {
        return new HandlerEnvironment(clock, startWindow, hardLimit, source, runnerPackages, aws, engines);
    }

    public HandlerEnvironment withRunnerPackage(LambdaRunnerPackage runnerPackage) {
        Objects.requireNonNull(runnerPackage, "runnerPackage");
        return new HandlerEnvironment(clock, startWindow, hardLimit, migrations, () -> runnerPackage, aws, engines);
    }

    /** The same environment with clients that send their calls to these endpoints (new clients, same engines). */
    public HandlerEnvironment withAwsEndpoints(AwsEndpoints endpoints) {
        return new HandlerEnvironment(clock, startWindow, hardLimit, migrations, runnerPackages,
                new AwsClients(endpoints), engines);
    }

    /** The runner code the handler uploads and expects a runner function to run (before any extra CAs). */
    public LambdaRunnerPackage runnerPackage() {
        return runnerPackages.get();
    }

    /** A new budget for one handler call, started now. */
    public Budget newCallBudget() {
        return new Budget(clock, startWindow, hardLimit);
    }

    /** The scripts a resource naming this set runs: the replacing folder if there is one, else the baked set. */
    public MigrationSource migrationsFor(String migrationSet) {
        return migrations != null ? migrations : MigrationCatalog.resolve(migrationSet);
    }

    /** A value computed on first use and kept by its owner (here: the environment), not by the JVM. */
    private static final class Once<T> implements Supplier<T> {
        private final Supplier<T> compute;
        private volatile T value;

        Once(Supplier<T> compute) {
            this.compute = compute;
        }

        @Override
        public T get() {
            T v = value;
            if (v == null) {
                synchronized (this) {
                    v = value;
                    if (v == null) {
                        v = compute.get();
                        value = v;
                    }
                }
            }
            return v;
        }
    }
}
