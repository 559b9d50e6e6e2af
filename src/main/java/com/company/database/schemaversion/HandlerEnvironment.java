package com.company.database.schemaversion;

import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.engine.MigrationCatalog;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The few things a handler takes from where it runs rather than from the request: the clock, the per-call time
 * budget, a migration folder that replaces the baked sets, and the VPC runner's code. Lambda's is {@link #LAMBDA}, which the generated
 * wrapper's handlers get; the local runner and the tests build handlers with another one
 * ({@link BaseHandlerStd#handlers}), so no handler reads a value that some other code may have changed.
 *
 * @param clock       what "now" is: when a wait gives up, when a runner step is overdue
 * @param startWindow how long one call may keep starting migrations
 * @param hardLimit   when the statements of one call must stop, so that it answers within CloudFormation's 60 s
 * @param migrations  a folder that replaces whatever set the model names (the local runner's --migrations), or null
 *                    for the sets baked into the artifact
 * @param runnerPackages the VPC runner's deployment package: in Lambda, built on first use from the handler's own
 *                       code; elsewhere, one handed in (the tests run the runner from their own classes)
 */
public record HandlerEnvironment(Clock clock, Duration startWindow, Duration hardLimit, MigrationSource migrations,
                                 Supplier<LambdaRunnerPackage> runnerPackages) {
    /** CloudFormation's 60 s per call, less the time to answer and what a migration started late may still take. */
    public static final HandlerEnvironment LAMBDA = new HandlerEnvironment(Clock.systemUTC(), Duration.ofSeconds(25),
            Duration.ofSeconds(50), null, LambdaRunnerPackage::get);

    public HandlerEnvironment {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(startWindow, "startWindow");
        Objects.requireNonNull(hardLimit, "hardLimit");
        Objects.requireNonNull(runnerPackages, "runnerPackages");
    }

    public HandlerEnvironment withClock(Clock c) {
        return new HandlerEnvironment(c, startWindow, hardLimit, migrations, runnerPackages);
    }

    public HandlerEnvironment withCallBudget(Duration start, Duration hard) {
        return new HandlerEnvironment(clock, start, hard, migrations, runnerPackages);
    }

    public HandlerEnvironment withMigrations(MigrationSource source) {
        return new HandlerEnvironment(clock, startWindow, hardLimit, source, runnerPackages);
    }

    public HandlerEnvironment withRunnerPackage(LambdaRunnerPackage runnerPackage) {
        Objects.requireNonNull(runnerPackage, "runnerPackage");
        return new HandlerEnvironment(clock, startWindow, hardLimit, migrations, () -> runnerPackage);
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
}
